"""``SynapseGroup``: synapses from one neuron group to another (matrix type, weight update and
postsynaptic models, connectivity, delays, locations) in the validated model description.
"""
from __future__ import annotations

from ..errors import did_you_mean
from .init import _SnippetInit
from .enums import (ParallelismHint, SynapseMatrixConnectivity, SynapseMatrixWeight, VarLocation,
                    parse_enum)


from .group_base import (Group, _check_location, _non_negative_int, _set_dynamic,
                         declared_names, model_name, plain_param_values)


class SynapseGroup(Group):
    """Synapses from one neuron group to another.

    ``model`` is the weight update model; ``params`` its parameter values. The postsynaptic
    model is ``ps_initialiser.snippet`` with ``ps_params``.
    """

    kind = "Synapse group"

    def initialisers(self) -> list:
        """Initialisers of weight update (synapse, pre, post), PSM variables, connectivity."""
        return [*self.wu_var_initialisers.values(), *self.wu_pre_var_initialisers.values(),
                *self.wu_post_var_initialisers.values(), *self.ps_var_initialisers.values(),
                self.sparse_connectivity_initialiser, self.toeplitz_connectivity_initialiser]

    def code_snippets(self) -> list:
        """The weight update and postsynaptic models and every initialisation snippet."""
        return [self.model, self.ps_initialiser.snippet] + [
            init.snippet for init in self.initialisers() if isinstance(init, _SnippetInit)]

    def __init__(self, name: str, matrix_type, src, trg, wu_initialiser, ps_initialiser,
                 sparse_connectivity_initialiser, toeplitz_connectivity_initialiser, spec):
        super().__init__(name, wu_initialiser.snippet, dict(wu_initialiser.params), spec)
        self.matrix_type = matrix_type
        self.src = src
        self.trg = trg
        self.wu_initialiser = wu_initialiser
        self.ps_initialiser = ps_initialiser
        self.sparse_connectivity_initialiser = sparse_connectivity_initialiser
        self.toeplitz_connectivity_initialiser = toeplitz_connectivity_initialiser
        self.ps_params = dict(ps_initialiser.params)
        self.wu_var_initialisers: dict = {}
        self.wu_pre_var_initialisers: dict = {}
        self.wu_post_var_initialisers: dict = {}
        self.ps_var_initialisers: dict = {}
        self.wu_pre_var_refs: dict = {}
        self.wu_post_var_refs: dict = {}
        self.psm_var_refs: dict = {}
        self.ps_neuron_var_refs: dict = {}
        self.ps_dynamic_params: set[str] = set()
        self._init_locations()
        self._init_connectivity_defaults()
        self.axonal_delay_steps = 0
        self.back_prop_delay_steps = 0
        self._max_dendritic_delay_timesteps = 1
        self.max_dendritic_delay_set = False
        self._post_target_var = "Isyn"
        self._pre_target_var = "Isyn"
        self.parallelism_hint = ParallelismHint.POSTSYNAPTIC
        self.num_threads_per_spike = 1
        self._narrow_sparse_ind_enabled = bool(
            getattr(spec, "_default_narrow_sparse_ind_enabled", False)
            and self.is_sparse)
        # manual connectivity (set_sparse_connections)
        self.connections_set = False
        self.synapse_order = None
        self.row_lengths = None
        self.ind = None
        self.pre_indices = None
        self.post_indices = None

    def _init_locations(self):
        ps_model = self.ps_initialiser.snippet
        self._wu_var_locations = self._locations(self.model, "get_vars",
                                                 "weight update model variable")
        self._wu_pre_var_locations = self._locations(self.model, "get_pre_vars",
                                                     "weight update model presynaptic variable")
        self._wu_post_var_locations = self._locations(
            self.model, "get_post_vars", "weight update model postsynaptic variable")
        self._ps_var_locations = self._locations(ps_model, "get_vars",
                                                 "postsynaptic model variable")
        self.output_location = self._default_location()
        self.dendritic_delay_location = self._default_location()
        self.sparse_connectivity_location = getattr(
            self._model, "_default_sparse_connectivity_location", VarLocation.HOST_DEVICE)

    def _init_connectivity_defaults(self):
        self._max_connections = self.trg.num_neurons
        self._max_source_connections = self.src.num_neurons
        self._snippet_max_connections = None
        self.kernel_size: list[int] = []
        init = self.toeplitz_connectivity_initialiser or self.sparse_connectivity_initialiser
        if init is None:
            return
        pars = plain_param_values(init.params)
        num_pre, num_post = self.src.num_neurons, self.trg.num_neurons
        row_func = _snippet_func(init.snippet, "get_calc_max_row_length_func")
        col_func = _snippet_func(init.snippet, "get_calc_max_col_length_func")
        kernel_func = _snippet_func(init.snippet, "get_calc_kernel_size_func")
        if row_func is not None:
            self._max_connections = int(row_func(num_pre, num_post, pars))
            self._snippet_max_connections = self._max_connections
        if col_func is not None:
            self._max_source_connections = int(col_func(num_pre, num_post, pars))
        if kernel_func is not None:
            self.kernel_size = [int(k) for k in kernel_func(pars)]

    # ------------------------------------------------------------------ matrix type helpers
    @property
    def is_sparse(self) -> bool:
        """Whether the connectivity is SPARSE."""
        return self.matrix_type & SynapseMatrixConnectivity.SPARSE

    @property
    def ps_model(self):
        """The postsynaptic model (of ``postsynaptic_init``)."""
        return self.ps_initialiser.snippet

    @property
    def wu_params(self) -> dict:
        """The weight update model's parameter values (GeNN's name for ``params``)."""
        return self.params

    @property
    def wu_dynamic_params(self) -> set:
        """Names of the weight update model's parameters made dynamic."""
        return self.dynamic_params

    # ------------------------------------------------------------------ validated properties
    @property
    def max_connections(self) -> int:
        """Maximum row length (SPARSE storage stride)."""
        return self._max_connections

    @max_connections.setter
    def max_connections(self, value):
        value = self._sparse_only_int(value, "max_connections")
        bound = self._snippet_max_connections
        if bound is not None and value < bound:
            raise RuntimeError(
                f"{self.description}: max_connections ({value}) must not be below the "
                f"maximum row length the connectivity snippet can generate ({bound}).")
        self._max_connections = value

    @property
    def max_source_connections(self) -> int:
        """Maximum column length."""
        return self._max_source_connections

    @max_source_connections.setter
    def max_source_connections(self, value):
        self._max_source_connections = self._sparse_only_int(value, "max_source_connections")

    def _sparse_only_int(self, value, what: str) -> int:
        if not self.is_sparse:
            raise RuntimeError(
                f"{self.description}: {what} can only be set on SPARSE synapse groups; this one "
                f"is {self.matrix_type.name}, whose row length is fixed by its connectivity.")
        return _non_negative_int(value, f"{self.description}: {what}")

    @property
    def max_dendritic_delay_timesteps(self) -> int:
        """Size of the dendritic delay ring buffer (at least 1)."""
        return self._max_dendritic_delay_timesteps

    @max_dendritic_delay_timesteps.setter
    def max_dendritic_delay_timesteps(self, value):
        value = _non_negative_int(value, f"{self.description}: max_dendritic_delay_timesteps")
        if value < 1:
            raise ValueError(f"{self.description}: max_dendritic_delay_timesteps must be at "
                             f"least 1, not {value}")
        self._max_dendritic_delay_timesteps = value
        self.max_dendritic_delay_set = True

    @property
    def axonal_delay_steps(self) -> int:
        """Steps a presynaptic spike takes to reach the synapses (settable before build)."""
        return self._axonal_delay_steps

    @axonal_delay_steps.setter
    def axonal_delay_steps(self, value):
        self._axonal_delay_steps = _non_negative_int(
            value, f"{self.description}: axonal_delay_steps")

    @property
    def back_prop_delay_steps(self) -> int:
        """Steps a postsynaptic spike takes to reach the synapses' learning code (settable
        before build)."""
        return self._back_prop_delay_steps

    @back_prop_delay_steps.setter
    def back_prop_delay_steps(self, value):
        self._back_prop_delay_steps = _non_negative_int(
            value, f"{self.description}: back_prop_delay_steps")

    @property
    def num_threads_per_spike(self) -> int:
        """GPU threads that process each presynaptic spike's row (CUDA; at least 1)."""
        return self._num_threads_per_spike

    @num_threads_per_spike.setter
    def num_threads_per_spike(self, value):
        value = _non_negative_int(value, f"{self.description}: num_threads_per_spike")
        if value < 1:
            raise ValueError(f"{self.description}: num_threads_per_spike must be at least 1")
        self._num_threads_per_spike = value

    @property
    def parallelism_hint(self) -> ParallelismHint:
        """Whether the GPU parallelises the presynaptic update over postsynaptic neurons or
        over presynaptic spikes (``ParallelismHint``)."""
        return self._parallelism_hint

    @parallelism_hint.setter
    def parallelism_hint(self, value):
        self._parallelism_hint = parse_enum(ParallelismHint, value, "ParallelismHint")

    @property
    def post_target_var(self) -> str:
        """Input variable of the target neuron that the PSM's injectCurrent adds to."""
        return self._post_target_var

    @post_target_var.setter
    def post_target_var(self, name: str):
        self._post_target_var = _check_target_var(name, self.trg, f"{self.description}: "
                                                  "post_target_var")

    @property
    def pre_target_var(self) -> str:
        """Input variable of the source neuron that addToPre adds to."""
        return self._pre_target_var

    @pre_target_var.setter
    def pre_target_var(self, name: str):
        self._pre_target_var = _check_target_var(name, self.src, f"{self.description}: "
                                                 "pre_target_var")

    @property
    def output_location(self) -> VarLocation:
        """Where the postsynaptic input buffer (``out_post``) is stored."""
        return self._output_location

    @output_location.setter
    def output_location(self, value):
        self._output_location = _check_location(value, "output_location")

    @property
    def sparse_connectivity_location(self) -> VarLocation:
        """Where the SPARSE or BITMASK connectivity is stored."""
        return self._sparse_connectivity_location

    @sparse_connectivity_location.setter
    def sparse_connectivity_location(self, value):
        self._sparse_connectivity_location = _check_location(value, "sparse connectivity")

    @property
    def dendritic_delay_location(self) -> VarLocation:
        """Where the dendritic delay ring buffer is stored."""
        return self._dendritic_delay_location

    @dendritic_delay_location.setter
    def dendritic_delay_location(self, value):
        self._dendritic_delay_location = _check_location(value, "dendritic delay")

    @property
    def narrow_sparse_ind_enabled(self) -> bool:
        """Whether SPARSE postsynaptic indices use the narrowest unsigned type that holds
        them (settable before build)."""
        return self._narrow_sparse_ind_enabled

    @narrow_sparse_ind_enabled.setter
    def narrow_sparse_ind_enabled(self, enabled):
        if enabled and not self.is_sparse:
            raise RuntimeError(f"{self.description}: narrow sparse indices can only be used "
                               f"with SPARSE connectivity, not {self.matrix_type.name}")
        self._narrow_sparse_ind_enabled = bool(enabled)

    # ------------------------------------------------------------------ dynamic params / locations
    def set_wu_param_dynamic(self, param_name: str, dynamic: bool = True) -> None:
        """Allow (or forbid) changing a weight update model parameter after load.

        Parameters
        ----------
        param_name : str
            Name of the parameter.
        dynamic : bool
            Whether ``set_dynamic_param_value`` may change it.
        """
        _set_dynamic(self.dynamic_params, param_name, dynamic, self.params,
                     f"{self.description} weight update model ({model_name(self.model)})")

    def set_ps_param_dynamic(self, param_name: str, dynamic: bool = True) -> None:
        """Allow (or forbid) changing a postsynaptic model parameter after load.

        Parameters
        ----------
        param_name : str
            Name of the parameter.
        dynamic : bool
            Whether ``set_dynamic_param_value`` may change it.
        """
        _set_dynamic(self.ps_dynamic_params, param_name, dynamic, self.ps_params,
                     f"{self.description} postsynaptic model ({model_name(self.ps_model)})")

    def wu_var_location(self, name):
        """Where the weight update model variable (per synapse) ``name`` is stored
        (host, device or both).

        Parameters
        ----------
        name : str
            Name of the weight update model variable.

        Returns
        -------
        VarLocation
        """
        return self._wu_var_locations.get(name)

    def wu_pre_var_location(self, name):
        """Where the weight update model presynaptic variable ``name`` is stored
        (host, device or both).

        Parameters
        ----------
        name : str
            Name of the weight update model presynaptic variable.

        Returns
        -------
        VarLocation
        """
        return self._wu_pre_var_locations.get(name)

    def wu_post_var_location(self, name):
        """Where the weight update model postsynaptic variable ``name`` is stored
        (host, device or both).

        Parameters
        ----------
        name : str
            Name of the weight update model postsynaptic variable.

        Returns
        -------
        VarLocation
        """
        return self._wu_post_var_locations.get(name)

    def ps_var_location(self, name):
        """Where the postsynaptic model variable ``name`` is stored (host, device or both).

        Parameters
        ----------
        name : str
            Name of the postsynaptic model variable.

        Returns
        -------
        VarLocation
        """
        # GeNN 5.4 returns the WU variable's location here (a GeNN bug); we return the PSM's own
        return self._ps_var_locations.get(name)

    get_wu_var_location = wu_var_location
    get_wu_pre_var_location = wu_pre_var_location
    get_wu_post_var_location = wu_post_var_location
    get_ps_var_location = ps_var_location

    def set_wu_var_location(self, var_name, loc):
        """Choose where the weight update model variable (per synapse) ``var_name`` is
        stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the weight update model variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._wu_var_locations.set(var_name, loc)

    def set_wu_pre_var_location(self, var_name, loc):
        """Choose where the weight update model presynaptic variable ``var_name`` is
        stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the weight update model presynaptic variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._wu_pre_var_locations.set(var_name, loc)

    def set_wu_post_var_location(self, var_name, loc):
        """Choose where the weight update model postsynaptic variable ``var_name`` is
        stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the weight update model postsynaptic variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._wu_post_var_locations.set(var_name, loc)

    def set_ps_var_location(self, var_name, loc):
        """Choose where the postsynaptic model variable ``var_name`` is stored (before build).

        Parameters
        ----------
        var_name : str
            Name of the postsynaptic model variable.
        loc : VarLocation
            ``VarLocation.HOST_DEVICE`` (the default), ``DEVICE`` or ``HOST_DEVICE_ZERO_COPY``.
        """
        self._ps_var_locations.set(var_name, loc)

    # ------------------------------------------------------------------ sizes
    @property
    def weight_update_var_size(self) -> int:
        """Elements of one per-synapse variable (padded rows for SPARSE)."""
        if self.matrix_type & SynapseMatrixWeight.KERNEL:
            size = 1
            for k in self.kernel_size:
                size *= k
            return size
        if self.is_sparse:
            return self.max_connections * self.src.num_neurons
        return self.src.num_neurons * self.trg.num_neurons


def _snippet_func(snippet, getter: str):
    method = getattr(snippet, getter, None)
    func = method() if method is not None else None
    return func if callable(func) else None


def _check_target_var(name: str, neuron_group, what: str) -> str:
    inputs = ["Isyn"] + declared_names(neuron_group.model, "get_additional_input_vars")
    if name not in inputs:
        raise RuntimeError(
            f"{what} '{name}' is neither 'Isyn' nor an additional input variable of "
            f"{neuron_group.description} (model {model_name(neuron_group.model)})."
            + did_you_mean(name, inputs))
    return name
