"""Python behaviour of population objects (the PyGeNN mix-ins).

Each mix-in is combined with a core group class (``class NeuronGroup(NeuronGroupMixin,
core.NeuronGroup)``); ``ModelSpec`` calls ``_create_wrappers`` at the end of every ``add_*`` so
the variable and EGP wrappers exist before build (users call ``set_init_values`` on them).
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..model import groups as core
from ..model import values as value_checks
from ..model.groups import declared
from .arrays import (Array, ExtraGlobalParameter, SynapseVariable, Variable, _runtime_of,
                     sparse_layout, uses_manual_order)


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} has been deprecated since GeNN 4.9.0; use {new}", FutureWarning,
                  stacklevel=3)


def _variables(cls, group, model, getter: str, inits: dict, what: str = "variable") -> dict:
    return {var.name: cls(var.name, var.type, inits.get(var.name), group, inits, what)
            for var in declared(model, getter)}


def _egps(group, model) -> dict:
    return {egp.name: ExtraGlobalParameter(egp.name, egp.type, group)
            for egp in declared(model, "get_extra_global_params")}


class GroupMixin:
    """``vars``, ``extra_global_params``, dynamic parameters and deprecated forwarders."""

    def _create_wrappers(self) -> None:
        """Create the wrappers (ModelSpec calls this once the group is complete)."""
        self.vars = _variables(Variable, self, self.model, "get_vars", self.var_initialisers)
        self.extra_global_params = _egps(self, self.model)

    def _wrapper_dicts(self) -> list[dict]:
        return [self.vars, self.extra_global_params]

    def _wrappers(self):
        """Every array wrapper of this group, including var-init-snippet EGPs."""
        for wrappers in self._wrapper_dicts():
            for wrapper in wrappers.values():
                yield wrapper
                yield from getattr(wrapper, "extra_global_params", {}).values()

    def _unload(self) -> None:
        for wrapper in self._wrappers():
            wrapper._unload()

    def _dynamic_param_names(self) -> set:
        return self.dynamic_params

    def set_dynamic_param_value(self, name: str, value) -> None:
        """Change a parameter marked dynamic (``set_param_dynamic``) after load.

        Parameters
        ----------
        name : str
            Name of the parameter (of the weight update or postsynaptic model, for a synapse
            group).
        value : float
            Its new value, used from the next step on.
        """
        if name not in self._dynamic_param_names():
            raise RuntimeError(f"{self.description}: parameter '{name}' is not dynamic; call "
                               f"set_param_dynamic('{name}') (set_wu_param_dynamic / "
                               "set_ps_param_dynamic for synapse groups) before build")
        value = _dynamic_param_value(self, name, value)
        _runtime_of(self).set_dynamic_param_value(self, name, value)

    def pull_var_from_device(self, var_name: str) -> None:
        """Deprecated (GeNN 4): use ``vars[var_name].pull_from_device()``.

        Parameters
        ----------
        var_name : str
            Name of the variable.
        """
        _deprecated("pull_var_from_device", "vars[name].pull_from_device()")
        self.vars[var_name].pull_from_device()

    def push_var_to_device(self, var_name: str) -> None:
        """Deprecated (GeNN 4): use ``vars[var_name].push_to_device()``.

        Parameters
        ----------
        var_name : str
            Name of the variable.
        """
        _deprecated("push_var_to_device", "vars[name].push_to_device()")
        self.vars[var_name].push_to_device()

    def pull_extra_global_param_from_device(self, egp_name: str) -> None:
        """Deprecated (GeNN 4): use ``extra_global_params[egp_name].pull_from_device()``.

        Parameters
        ----------
        egp_name : str
            Name of the extra global parameter.
        """
        _deprecated("pull_extra_global_param_from_device",
                    "extra_global_params[name].pull_from_device()")
        self.extra_global_params[egp_name].pull_from_device()

    def push_extra_global_param_to_device(self, egp_name: str) -> None:
        """Deprecated (GeNN 4): use ``extra_global_params[egp_name].push_to_device()``.

        Parameters
        ----------
        egp_name : str
            Name of the extra global parameter.
        """
        _deprecated("push_extra_global_param_to_device",
                    "extra_global_params[name].push_to_device()")
        self.extra_global_params[egp_name].push_to_device()

    def get_var_values(self, var_name: str) -> np.ndarray:
        """Deprecated (GeNN 4): use ``vars[var_name].values``.

        Parameters
        ----------
        var_name : str
            Name of the variable.

        Returns
        -------
        numpy.ndarray
            The variable's host values, as ``vars[var_name].values``.
        """
        _deprecated("get_var_values", "vars[name].values")
        return self.vars[var_name].values


def _dynamic_param_value(group, name: str, value):
    """A number the parameter's type holds exactly (numpy would wrap or truncate it)."""
    what = f"{group.description}: dynamic parameter '{name}'"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, not {value!r}")
    for model in (group.model, getattr(group, "ps_model", None)):
        for param in declared(model, "get_params"):
            if param.name == name:
                value_checks.check_param_value(value, param.type, what)
                return value
    return value


class NeuronGroupMixin(GroupMixin):
    """Spike times and recorded spikes on top of the generic group behaviour."""

    def _create_wrappers(self) -> None:
        super()._create_wrappers()
        self._spike_times_wrapper = Array("timepoint", self, "sT")
        self._prev_spike_times_wrapper = Array("timepoint", self, "prevST")

    def _wrappers(self):
        yield from super()._wrappers()
        yield self._spike_times_wrapper
        yield self._prev_spike_times_wrapper

    @property
    def spike_times(self):
        """Array over the last spike times, or None when not stored/not host-visible."""
        return _if_host_visible(self._spike_times_wrapper)

    @property
    def prev_spike_times(self):
        """Array over the times of the spikes before the last ones, or None when they are not
        stored (no model code reads them) or not visible from the host."""
        return _if_host_visible(self._prev_spike_times_wrapper)

    @property
    def spike_recording_data(self) -> list:
        """Per batch, ``(times, ids)`` of the recorded spikes (after pulling the buffers)."""
        return _runtime_of(self).get_recorded_spikes(self)


def _if_host_visible(array):
    return array if array._array is not None and array._view is not None else None


class SynapseGroupMixin(GroupMixin):
    """Per-synapse, pre/post and PSM variables, sparse connectivity and event recordings."""

    def _create_wrappers(self) -> None:
        wu, ps = self.model, self.ps_model
        self.vars = _variables(SynapseVariable, self, wu, "get_vars", self.wu_var_initialisers)
        self.pre_vars = _variables(Variable, self, wu, "get_pre_vars",
                                   self.wu_pre_var_initialisers, "presynaptic variable")
        self.post_vars = _variables(Variable, self, wu, "get_post_vars",
                                    self.wu_post_var_initialisers, "postsynaptic variable")
        self.psm_vars = _variables(Variable, self, ps, "get_vars", self.ps_var_initialisers,
                                   "postsynaptic model variable")
        self.extra_global_params = _egps(self, wu)
        self.psm_extra_global_params = _egps(self, ps)
        connectivity = (self.sparse_connectivity_initialiser
                        or self.toeplitz_connectivity_initialiser)
        self.connectivity_extra_global_params = _egps(
            self, getattr(connectivity, "snippet", None))
        self._out_post_wrapper = Array("scalar", self, "outPost")

    def _wrapper_dicts(self) -> list[dict]:
        return [self.vars, self.pre_vars, self.post_vars, self.psm_vars,
                self.extra_global_params, self.psm_extra_global_params,
                self.connectivity_extra_global_params]

    def _wrappers(self):
        yield from super()._wrappers()
        yield self._out_post_wrapper

    def _dynamic_param_names(self) -> set:
        # WU and PSM parameter names share one namespace here, as in GeNN
        return self.dynamic_params | self.ps_dynamic_params

    @property
    def synapse_group(self):
        """This synapse group (GeNN's spelling for code that handles groups generically)."""
        return self

    @property
    def out_post(self):
        """Array over the postsynaptic input buffer, shape (batch_size, num_post)."""
        return _if_host_visible(self._out_post_wrapper)

    @property
    def pre_spike_event_recording_data(self) -> list:
        """Per batch, ``(times, ids)`` of the recorded presynaptic spike-like events of this
        group's weight update model (after ``pull_recording_buffers_from_device``)."""
        return _runtime_of(self).get_recorded_pre_spike_events(self)

    @property
    def post_spike_event_recording_data(self) -> list:
        """Per batch, ``(times, ids)`` of the recorded postsynaptic spike-like events of this
        group's weight update model (after ``pull_recording_buffers_from_device``)."""
        return _runtime_of(self).get_recorded_post_spike_events(self)

    # ------------------------------------------------------------------ sparse connectivity
    def set_sparse_connections(self, pre_indices, post_indices) -> None:
        """Give SPARSE connectivity as parallel lists of pre and post indices (before build).

        Parameters
        ----------
        pre_indices, post_indices : array_like of int
            Presynaptic and postsynaptic index of each synapse; per-synapse variables given
            as arrays follow this order.
        """
        self._require_sparse("set_sparse_connections")
        if getattr(self._model, "_built", False):
            raise RuntimeError(f"{self.description}: set_sparse_connections must be called "
                               "before build")
        # with a connectivity initialiser too, these rows replace the ones it would build
        # (GeNN accepts both and copies the manual rows over the generated ones)
        pre, post = self._check_indices(pre_indices, post_indices)
        self.synapse_order = np.lexsort((post, pre))
        self.row_lengths = np.bincount(pre, minlength=self.src.num_neurons).astype(np.uint32)
        self.ind = post[self.synapse_order].astype(np.uint32)
        self.pre_indices, self.post_indices = pre, post
        self._max_connections = max(int(self.row_lengths.max(initial=0)), 1)
        self.connections_set = True

    def _check_indices(self, pre_indices, post_indices):
        pre = _index_array(pre_indices, f"{self.description}: pre_indices")
        post = _index_array(post_indices, f"{self.description}: post_indices")
        if len(pre) != len(post):
            raise ValueError(f"{self.description}: set_sparse_connections needs as many pre "
                             f"indices as post indices (got {len(pre)} and {len(post)})")
        for name, indices, size, side in (("pre_indices", pre, self.src.num_neurons, "source"),
                                          ("post_indices", post, self.trg.num_neurons,
                                           "target")):
            bad = (indices < 0) | (indices >= size)
            if bad.any():
                raise ValueError(
                    f"{self.description}: {name} must lie in [0, {size}) (the {side} has "
                    f"{size} neurons); {name}[{int(np.argmax(bad))}] is "
                    f"{int(indices[np.argmax(bad)])}")
        return pre, post

    def _require_sparse(self, what: str) -> None:
        if not self.is_sparse:
            raise Exception(f"{self.description}: {what} is only possible for SPARSE synapse "
                            f"groups, not {self.matrix_type.name}")

    def get_sparse_pre_inds(self) -> np.ndarray:
        """Presynaptic index of every synapse (in set_sparse_connections order if used)."""
        self._require_sparse("get_sparse_pre_inds")
        if uses_manual_order(self):
            return np.array(self.pre_indices)
        layout = self._connectivity_layout()
        return np.repeat(np.arange(len(layout.row_lengths)), layout.row_lengths)

    def get_sparse_post_inds(self) -> np.ndarray:
        """Postsynaptic index of every synapse, matching get_sparse_pre_inds."""
        self._require_sparse("get_sparse_post_inds")
        if uses_manual_order(self):
            return np.array(self.post_indices)
        layout = self._connectivity_layout()
        ind = _runtime_of(self).get_array(self, "ind").host_view
        if ind is None:
            raise Exception(f"{self.description}: Problem accessing connectivity: it has no "
                            "host copy (sparse_connectivity_location is DEVICE)")
        return np.asarray(ind)[layout.storage_index]

    def _connectivity_layout(self):
        try:
            return sparse_layout(self)
        except RuntimeError as exc:
            raise Exception(f"{self.description}: Problem accessing connectivity: {exc}. Load "
                            "the model (and call pull_connectivity_from_device() on a GPU) "
                            "first") from None

    def pull_connectivity_from_device(self) -> None:
        """Copy row lengths and indices from the device."""
        runtime = _runtime_of(self)
        for name in ("rowLength", "ind"):
            runtime.get_array(self, name).pull_from_device()

    def push_connectivity_to_device(self) -> None:
        """Copy row lengths and indices to the device (checked first: a bad row length or
        target index raises ValueError and nothing is copied)."""
        runtime = _runtime_of(self)
        row_length = runtime.get_array(self, "rowLength").host_view
        ind = runtime.get_array(self, "ind").host_view
        stride = runtime.get_row_stride(self)
        if np.any(row_length > stride):
            row = int(np.argmax(row_length > stride))
            raise ValueError(f"Synapse group '{self.name}': row {row} has length "
                             f"{int(row_length[row])} but max_connections is {stride}")
        used = np.arange(stride)[None, :] < row_length[:, None]
        targets = ind.reshape(len(row_length), stride)[used]
        if np.any(targets >= self.trg.num_neurons):
            raise ValueError(f"Synapse group '{self.name}': postsynaptic index "
                             f"{int(targets.max())} is out of range for target population "
                             f"'{self.trg.name}' of {self.trg.num_neurons} neurons")
        for name in ("rowLength", "ind"):
            runtime.get_array(self, name).push_to_device()
        rebuild = getattr(runtime, "rebuild_columns", None)
        if rebuild is not None and runtime.has_array(self, "colLength"):
            rebuild(self)

    # ------------------------------------------------------------------ deprecated
    def pull_in_syn_from_device(self) -> None:
        """Deprecated (GeNN 4): use ``out_post.pull_from_device()``.
        """
        _deprecated("pull_in_syn_from_device", "out_post.pull_from_device()")
        self._out_post_wrapper.pull_from_device()

    def push_in_syn_to_device(self) -> None:
        """Deprecated (GeNN 4): use ``out_post.push_to_device()``.
        """
        _deprecated("push_in_syn_to_device", "out_post.push_to_device()")
        self._out_post_wrapper.push_to_device()

    def pull_psm_extra_global_param_from_device(self, egp_name: str) -> None:
        """Deprecated (GeNN 4): use ``psm_extra_global_params[egp_name].pull_from_device()``.

        Parameters
        ----------
        egp_name : str
            Name of the postsynaptic model's extra global parameter.
        """
        _deprecated("pull_psm_extra_global_param_from_device",
                    "psm_extra_global_params[name].pull_from_device()")
        self.psm_extra_global_params[egp_name].pull_from_device()

    def push_psm_extra_global_param_to_device(self, egp_name: str) -> None:
        """Deprecated (GeNN 4): use ``psm_extra_global_params[egp_name].push_to_device()``.

        Parameters
        ----------
        egp_name : str
            Name of the postsynaptic model's extra global parameter.
        """
        _deprecated("push_psm_extra_global_param_to_device",
                    "psm_extra_global_params[name].push_to_device()")
        self.psm_extra_global_params[egp_name].push_to_device()


def _index_array(indices, what: str) -> np.ndarray:
    array = np.asarray(indices)
    if array.ndim != 1:
        array = array.ravel()
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if not (np.issubdtype(array.dtype, np.floating)
                and np.all(np.isfinite(array)) and np.all(array == np.round(array))):
            raise ValueError(f"{what} must be integers, got dtype {array.dtype}")
    return array.astype(np.int64)


class CurrentSourceMixin(GroupMixin):
    """Python behaviour of a current source: its variables, EGPs and target population."""

    @property
    def target_pop(self):
        """The neuron group the current is injected into."""
        return self.trg_pop


class CustomUpdateMixin(GroupMixin):
    """Python behaviour of a neuron-shaped custom update: its variables and EGPs."""


class CustomUpdateWUMixin(GroupMixin):
    """Python behaviour of a per-synapse custom update: per-synapse variables and EGPs."""

    def _create_wrappers(self) -> None:
        self.vars = _variables(SynapseVariable, self, self.model, "get_vars",
                               self.var_initialisers)
        self.extra_global_params = _egps(self, self.model)


class CustomConnectivityUpdateMixin(GroupMixin):
    """Python behaviour of a custom connectivity update: per-synapse, presynaptic and
    postsynaptic variables and EGPs."""

    def _create_wrappers(self) -> None:
        self.vars = _variables(SynapseVariable, self, self.model, "get_vars",
                               self.var_initialisers)
        self.pre_vars = _variables(Variable, self, self.model, "get_pre_vars",
                                   self.pre_var_initialisers, "presynaptic variable")
        self.post_vars = _variables(Variable, self, self.model, "get_post_vars",
                                    self.post_var_initialisers, "postsynaptic variable")
        self.extra_global_params = _egps(self, self.model)

    def _wrapper_dicts(self) -> list[dict]:
        return [self.vars, self.pre_vars, self.post_vars, self.extra_global_params]


class NeuronGroup(NeuronGroupMixin, core.NeuronGroup):
    """A neuron population (returned by GeNNModel.add_neuron_population)."""


class SynapseGroup(SynapseGroupMixin, core.SynapseGroup):
    """A synapse population (returned by GeNNModel.add_synapse_population)."""


class CurrentSource(CurrentSourceMixin, core.CurrentSource):
    """A current source (returned by GeNNModel.add_current_source)."""


class CustomUpdate(CustomUpdateMixin, core.CustomUpdate):
    """A neuron-shaped custom update (returned by GeNNModel.add_custom_update)."""


class CustomUpdateWU(CustomUpdateWUMixin, core.CustomUpdateWU):
    """A per-synapse custom update (returned by GeNNModel.add_custom_update)."""


class CustomConnectivityUpdate(CustomConnectivityUpdateMixin, core.CustomConnectivityUpdate):
    """A custom connectivity update (returned by GeNNModel.add_custom_connectivity_update)."""


CustomUpdateBase = core.CustomUpdateBase
