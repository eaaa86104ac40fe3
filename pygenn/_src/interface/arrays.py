"""Array, variable and extra-global-parameter wrappers.

Wrappers exist from ``add_*`` time so users can call ``set_init_values`` before build; at load
the runtime hands each one a runtime array (``set_array``) whose ``host_view`` is a flat numpy
array over the whole host storage (or None when the data lives only on the device).
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..lang.types import NumericType, UnresolvedType, type_from_numpy
from ..model import validation
from ..model import values as value_checks
from ..model.groups import declared
from ..model.refs import resolve_context


class ArrayBase:
    """A typed array owned by a group; holds the runtime array and its numpy view once loaded.

    ``description`` (e.g. "variable 'V' of neuron group 'Pop'") names it in messages.
    """

    def __init__(self, variable_type, group):
        self.type = variable_type
        self.group = group
        self._view = None
        self._array = None
        self._delay_group = None
        self._loaded = False

    @property
    def description(self) -> str:
        """What the array is, for messages (e.g. "variable 'V' of neuron group 'Pop'")."""
        return f"array of {self.group.description}"

    @property
    def dtype(self) -> np.dtype:
        """numpy dtype of the elements (``scalar``/``timepoint`` resolved for the model)."""
        resolved = self.type
        if not isinstance(resolved, NumericType):
            resolved = UnresolvedType(resolved).resolve(resolve_context(_spec_of(self.group)))
        return resolved.numpy_dtype

    def set_array(self, array, view_shape=None, delay_group=None) -> None:
        """Attach the runtime array (called at load, not by scripts).

        Parameters
        ----------
        array : RuntimeArray
            The runtime's array: host and device memory.
        view_shape : tuple of int, optional
            Shape of the numpy ``view`` over the host memory.
        delay_group : optional
            The neuron group whose delay slots the array has (``current_view`` follows its
            spike queue), or None.
        """
        self._array = array
        self._delay_group = delay_group
        self._loaded = True
        host = array.host_view
        if host is None:
            self._view = None
        else:
            self._view = host if view_shape is None else host.reshape(view_shape)

    def _unload(self) -> None:
        """Drop every reference to runtime memory (called at unload)."""
        self._view = None
        self._array = None
        self._delay_group = None
        self._loaded = False

    def push_to_device(self) -> None:
        """Copy the host copy to the device (no-op on the CPU backend)."""
        self._require_loaded().push_to_device()

    def pull_from_device(self) -> None:
        """Copy the device copy to the host (no-op on the CPU backend)."""
        self._require_loaded().pull_from_device()

    @property
    def __cuda_array_interface__(self) -> dict:
        array = self._require_loaded()
        pointer = getattr(array, "device_pointer", None)
        if pointer is None:
            raise RuntimeError(f"{self.description} has no CUDA device memory: "
                               "__cuda_array_interface__ needs the CUDA backend")
        shape = self._view.shape if self._view is not None else (self._size_of(array),)
        return {"data": (int(pointer), False), "shape": tuple(shape), "strides": None,
                "typestr": self.dtype.str, "version": 3}

    def _size_of(self, array) -> int:
        return int(getattr(array, "size", getattr(array, "count", 0)))

    def _require_loaded(self):
        if self._array is None and getattr(self, "_no_storage", None):
            raise RuntimeError(self._no_storage)     # e.g. PROCEDURAL weights
        if self._array is None:
            raise RuntimeError(f"{self.description} has no memory yet: call model.load() first")
        return self._array

    def _require_view(self) -> np.ndarray:
        self._require_loaded()
        if self._view is None:
            raise RuntimeError(
                f"{self.description} has no host copy: its location is VarLocation.DEVICE. "
                "Use VarLocation.HOST_DEVICE (set_var_location before build) to read or write "
                "it from Python")
        return self._view


def _spec_of(group):
    return getattr(group, "_model", None)


def _runtime_of(group):
    runtime = getattr(_spec_of(group), "_runtime", None)
    if runtime is None:
        raise RuntimeError(f"{group.description}: the model is not loaded; call model.load() "
                           "first")
    return runtime


class Array(ArrayBase):
    """An array with a numpy ``view`` of its host memory."""

    def __init__(self, variable_type, group, name: str = ""):
        super().__init__(variable_type, group)
        self.name = name

    @property
    def description(self) -> str:
        """What the array is, for messages."""
        what = f"'{self.name}' " if self.name else ""
        return f"array {what}of {self.group.description}"

    @property
    def view(self) -> np.ndarray:
        """Live numpy view of the host memory."""
        return self._require_view()


class VariableBase(ArrayBase):
    """A model variable: initial values before load, memory after.

    ``inits`` is the group's dict of initialisers (name -> VarInit | ndarray | None), which
    ``set_init_values`` keeps up to date because code generation reads it.
    """

    def __init__(self, variable_name: str, variable_type, init_values, group,
                 inits: dict | None = None, what: str = "variable"):
        super().__init__(variable_type, group)
        self.name = variable_name
        self._inits = inits if inits is not None else {}
        self._what = what
        self.extra_global_params: dict = {}
        self.init_values = None
        self.init_required = False
        self._set(init_values)

    @property
    def description(self) -> str:
        """What the variable is, for messages (e.g. "variable 'V' of neuron group 'Pop'")."""
        return f"{self._what} '{self.name}' of {self.group.description}"

    def set_init_values(self, init_values) -> None:
        """Set how the variable is initialised (before build).

        Parameters
        ----------
        init_values : float, VarInit, array_like or None
            A number or ``init_var(...)`` initialises on the device, an array-like gives host
            values (broadcast over batches and delay slots), None leaves it uninitialised.
        """
        if getattr(_spec_of(self.group), "_built", False):
            self._check_same_kind_after_build(init_values)
        init = validation.normalise_var_init(init_values, self.description)
        value_checks.check_init_values(init, self.type, self.description)
        self._set(init)

    def _check_same_kind_after_build(self, init_values) -> None:
        # generated code already decided device vs host initialisation; only host values
        # can still be replaced
        new = validation.normalise_var_init(init_values, self.description)
        if not (isinstance(new, np.ndarray) and isinstance(self.init_values, np.ndarray)):
            raise RuntimeError(f"{self.description}: after build only host-provided initial "
                               "values can be replaced by other host values; to change how "
                               "the variable is initialised, set it before build (or write to "
                               ".values after load)")

    def _set(self, init_values) -> None:
        init = validation.normalise_var_init(init_values, self.description)
        self._inits[self.name] = init
        snippet = getattr(init, "snippet", None)
        self.init_values = init
        self.init_required = isinstance(init, np.ndarray)
        self.extra_global_params = {
            egp.name: ExtraGlobalParameter(egp.name, egp.type, self.group)
            for egp in declared(snippet, "get_extra_global_params")}

    def set_values(self, values) -> None:
        """Deprecated alias of ``set_init_values``.

        Parameters
        ----------
        values
            As for ``set_init_values``.
        """
        warnings.warn("set_values has been deprecated since GeNN 4.9.0; use set_init_values",
                      FutureWarning, stacklevel=2)
        self.set_init_values(values)

    @property
    def view(self) -> np.ndarray:
        """Live numpy view of the whole host array (all delay slots)."""
        return self._require_view()

    @property
    def values(self) -> np.ndarray:
        """A copy of the host values."""
        return np.copy(self.view)

    @values.setter
    def values(self, values) -> None:
        write_values(self.view, values, self.description)

    @property
    def current_view(self) -> np.ndarray:
        """The values of the current delay slot; ``view`` for a variable without delay."""
        return self.view

    @property
    def current_values(self) -> np.ndarray:
        """A copy of ``current_view``."""
        return np.copy(self.current_view)


class Variable(VariableBase):
    """A neuron-shaped variable; delayed variables expose the current slot via current_view."""

    @property
    def current_view(self) -> np.ndarray:
        """The most recently written delay slot of a delayed variable, else ``view``."""
        view = self.view
        if self._delay_group is None:
            return view
        slot = _runtime_of(self.group).get_delay_pointer(self._delay_group)
        return view[slot] if view.ndim == 2 else view[:, slot]


class SynapseVariable(VariableBase):
    """A per-synapse variable; for SPARSE groups ``values`` hides the row padding."""

    def _sparse_group(self):
        sg = getattr(self.group, "synapse_group", self.group)
        return sg if sg.is_sparse else None

    @property
    def view(self) -> np.ndarray:
        """Raw host view (not available for SPARSE groups, whose rows are padded)."""
        if self._sparse_group() is not None:
            raise Exception(f"{self.description}: SPARSE synapse variables have padded rows, so "
                            "there is no meaningful raw view; use .values")
        return self._require_view()

    @property
    def values(self) -> np.ndarray:
        """A copy of the host values; for a SPARSE group one per existing synapse, in the
        order of ``get_sparse_pre_inds``/``get_sparse_post_inds`` (row padding left out).
        Assigning writes them back the same way."""
        sg = self._sparse_group()
        if sg is None:
            return np.copy(self.view)
        layout = sparse_layout(sg)
        return layout.gather(self._require_view())

    @values.setter
    def values(self, values) -> None:
        sg = self._sparse_group()
        if sg is None:
            write_values(self.view, values, self.description)
        else:
            view = self._require_view()
            layout = sparse_layout(sg)
            given = checked_values(values, view.dtype, self.description)
            _copy(lambda: layout.scatter(view, given), given,
                  view.shape[:-1] + layout.storage_index.shape, self.description, "values")

    @property
    def current_view(self) -> np.ndarray:
        """``view`` (per-synapse variables have no delay slots)."""
        return self.view

    @property
    def current_values(self) -> np.ndarray:
        """``values`` (per-synapse variables have no delay slots)."""
        return self.values


class ExtraGlobalParameter(Array):
    """An extra global parameter array; its size is that of the values given before load."""

    def __init__(self, variable_name: str, variable_type, group, init_values=None):
        super().__init__(variable_type, group, variable_name)
        self.init_values = None
        if init_values is not None:
            self.set_init_values(init_values)

    @property
    def description(self) -> str:
        """What the parameter is, for messages."""
        return f"extra global parameter '{self.name}' of {self.group.description}"

    def set_init_values(self, init_values) -> None:
        """Set the values copied into the array at load; they fix its size.

        Parameters
        ----------
        init_values : iterable of numbers
            The values (a numpy array or any iterable; a single number is refused).
        """
        if isinstance(init_values, (numbers.Number, str, bytes)) or not hasattr(
                init_values, "__iter__"):
            raise ValueError(f"{self.description}: extra global parameters are arrays; pass an "
                             f"iterable of values, not {init_values!r}")
        try:
            dtype = self.dtype
        except (KeyError, RuntimeError, TypeError):
            dtype = None
        given = _numeric_array(init_values, self.description)
        value_checks.check_array_values(given, value_checks.integer_type(self.type),
                                        self.description)
        self.init_values = given.astype(dtype, copy=False).ravel() if dtype is not None \
            else given.ravel()

    def set_values(self, values) -> None:
        """Deprecated alias of ``set_init_values``.

        Parameters
        ----------
        values
            As for ``set_init_values``.
        """
        warnings.warn("set_values has been deprecated since GeNN 4.9.0; use set_init_values",
                      FutureWarning, stacklevel=2)
        self.set_init_values(values)

    @property
    def values(self) -> np.ndarray:
        """A copy of the host values (assignable; the size was fixed at load)."""
        return np.copy(self.view)

    @values.setter
    def values(self, values) -> None:
        # the size was fixed at load by the values given to set_init_values
        write_values(self.view, values, self.description)

    # The guide page gives EGPs ``current_view``/``current_values`` too; EGPs have no delay
    # slots, so they are the whole array.
    @property
    def current_view(self) -> np.ndarray:
        """``view`` (extra global parameters have no delay slots)."""
        return self.view

    @property
    def current_values(self) -> np.ndarray:
        """A copy of ``view``."""
        return np.copy(self.view)


def _numeric_array(given, description: str) -> np.ndarray:
    """A number or an iterable of numbers as a numpy array (no type conversion yet)."""
    if not isinstance(given, (np.ndarray, str, bytes)) and hasattr(given, "__iter__"):
        given = list(given)       # generators and other one-pass iterables too
    try:
        array = np.asarray(given)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{description}: cannot use {given!r} as values ({error})") from None
    if array.size and not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"{description}: values must be numbers, not {given!r}")
    return array


def checked_values(values, dtype, description: str) -> np.ndarray:
    """``values`` as an array whose every element ``dtype`` holds (integers exactly)."""
    given = _numeric_array(values, description)
    try:
        numeric_type = type_from_numpy(dtype)
    except TypeError:
        numeric_type = None
    value_checks.check_array_values(given, numeric_type, description)
    return given


def write_values(view: np.ndarray, values, description: str, what: str = "values") -> None:
    """Copy ``values`` into ``view`` as numpy does (broadcasting), refusing values the element
    type cannot hold and naming the array when the shapes do not fit."""
    given = checked_values(values, view.dtype, description)

    def write():
        view[...] = given
    _copy(write, given, view.shape, description, what)


def _copy(write, given: np.ndarray, shape: tuple, description: str, what: str) -> None:
    try:
        write()
    except ValueError:
        raise ValueError(f"{description}: {what} of shape {given.shape} do not fit its shape "
                         f"{tuple(shape)}; give one value or an array of that shape") from None


# ---------------------------------------------------------------------------- sparse layout
class SparseLayout:
    """Where the existing synapses of a SPARSE group sit in padded storage.

    ``storage_index[k]`` is the flat position of the k-th synapse in row-major order;
    ``user_order`` (when connectivity came from set_sparse_connections and no custom
    connectivity update can have changed it) maps it back to the order the user gave.
    """

    def __init__(self, row_lengths, row_stride: int, synapse_order=None):
        row_lengths = np.asarray(row_lengths, dtype=np.int64)
        starts = np.arange(len(row_lengths), dtype=np.int64) * int(row_stride)
        total = int(row_lengths.sum())
        offsets = np.arange(total, dtype=np.int64) - np.repeat(
            np.cumsum(row_lengths) - row_lengths, row_lengths)
        self.storage_index = np.repeat(starts, row_lengths) + offsets
        self.row_lengths = row_lengths
        self.synapse_order = synapse_order

    def gather(self, view: np.ndarray) -> np.ndarray:
        """Existing synapses' values (last axis), in user order if known."""
        ordered = view[..., self.storage_index]
        if self.synapse_order is None:
            return ordered
        values = np.empty_like(ordered)
        values[..., self.synapse_order] = ordered
        return values

    def scatter(self, view: np.ndarray, values) -> None:
        values = np.asarray(values)
        if self.synapse_order is not None and values.ndim > 0:
            values = values[..., self.synapse_order]
        view[..., self.storage_index] = values


def uses_manual_order(sg) -> bool:
    """Whether the user's set_sparse_connections order is still the truth for ``sg``."""
    if not getattr(sg, "connections_set", False):
        return False
    spec = _spec_of(sg)
    ccus = getattr(spec, "custom_connectivity_updates", {}).values()
    return not any(ccu.synapse_group is sg for ccu in ccus)


def sparse_layout(sg) -> SparseLayout:
    runtime = _runtime_of(sg)
    if uses_manual_order(sg):
        return SparseLayout(sg.row_lengths, runtime.get_row_stride(sg), sg.synapse_order)
    return SparseLayout(runtime.get_row_lengths(sg), runtime.get_row_stride(sg))
