"""``ModelSpec``: the model description every ``add_*`` call builds.

Each ``add_*`` validates what the user passed (names, parameter and variable sets, references,
matrix-type rules), scans the code strings, creates the group object and records where in the
user's script it was added. Rules that only apply to one kind of group live in ``rules.py``;
generic checks in ``validation.py``.
"""
from __future__ import annotations

import math
import numbers

from ..lang.types import resolve_precision
from . import groups as core
from . import rules
from . import validation as v
from .enums import SynapseMatrixType, VarLocation, parse_enum
from .groups import declared
from .names import check_c_name
from .validation import resolve_model, user_call_site


class ModelSpec:
    """A whole network: populations, synapses, current sources and custom updates.

    The group classes created by ``add_*`` are class attributes so that ``GeNNModel`` can
    create the Python-facing subclasses instead.
    """

    _neuron_group_class = core.NeuronGroup
    _synapse_group_class = core.SynapseGroup
    _current_source_class = core.CurrentSource
    _custom_update_class = core.CustomUpdate
    _custom_update_wu_class = core.CustomUpdateWU
    _custom_connectivity_update_class = core.CustomConnectivityUpdate

    def __init__(self, name: str = "GeNNModel", precision="float", time_precision=None):
        self.name = name
        self.precision = precision
        self.time_precision = time_precision
        self.dt = 0.5
        self.batch_size = 1
        self.seed = 0
        self.timing_enabled = False
        self._default_var_location = VarLocation.HOST_DEVICE
        self._default_sparse_connectivity_location = VarLocation.HOST_DEVICE
        self._default_narrow_sparse_ind_enabled = False
        self._fuse_postsynaptic_models = False
        self._fuse_pre_post_weight_update_models = False
        self.neuron_populations: dict = {}
        self.synapse_populations: dict = {}
        self.current_sources: dict = {}
        self.custom_updates: dict = {}
        self.custom_connectivity_updates: dict = {}

    # ------------------------------------------------------------------ model-level settings
    @property
    def name(self) -> str:
        """Name of the model: generated code goes to ``<name>_CODE`` beside the script."""
        return self._name

    @name.setter
    def name(self, value):
        # an identifier: it names a directory (no '/', '..' or absolute path can escape
        # path_to_model) and appears in generated code
        self._name = check_c_name(value, "Model name")

    @property
    def precision(self):
        """Type of ``scalar`` (a resolved type; set with a string or a type)."""
        return self._precision

    @precision.setter
    def precision(self, value):
        self._precision = resolve_precision(value, "precision")

    @property
    def time_precision(self):
        """Type of ``timepoint``; follows ``precision`` unless set."""
        return self._time_precision if self._time_precision is not None else self._precision

    @time_precision.setter
    def time_precision(self, value):
        self._time_precision = (None if value is None
                                else resolve_precision(value, "time precision"))

    @property
    def dt(self) -> float:
        """Integration timestep in ms."""
        return self._dt

    @dt.setter
    def dt(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0 \
                or not math.isfinite(value):
            raise ValueError(f"dt must be a positive number of milliseconds (finite: not inf "
                             f"or nan), not {value!r}")
        self._dt = float(value)

    @property
    def batch_size(self) -> int:
        """Number of model copies simulated together."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"batch_size must be a positive integer, not {value!r}")
        self._batch_size = int(value)

    @property
    def seed(self) -> int:
        """RNG seed; 0 seeds from the operating system's entropy."""
        return self._seed

    @seed.setter
    def seed(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"seed must be a non-negative integer, not {value!r}")
        self._seed = int(value)

    @property
    def timing_enabled(self) -> bool:
        """Whether the model times its phases (``neuron_update_time`` and friends); set
        before build."""
        return self._timing_enabled

    @timing_enabled.setter
    def timing_enabled(self, value):
        self._timing_enabled = bool(value)

    def _set_default_var_location(self, value):
        self._default_var_location = parse_enum(VarLocation, value, "VarLocation")

    def _set_default_sparse_connectivity_location(self, value):
        self._default_sparse_connectivity_location = parse_enum(VarLocation, value,
                                                                "VarLocation")

    def _set_default_narrow_sparse_ind_enabled(self, value):
        self._default_narrow_sparse_ind_enabled = bool(value)

    def _set_fuse_postsynaptic_models(self, value):
        self._fuse_postsynaptic_models = bool(value)

    def _set_fuse_pre_post_weight_update_models(self, value):
        self._fuse_pre_post_weight_update_models = bool(value)

    # write-only, as in GeNN: they affect groups created afterwards
    default_var_location = property(None, _set_default_var_location,
                                    doc="Location of variables of groups added from now on.")
    default_sparse_connectivity_location = property(
        None, _set_default_sparse_connectivity_location,
        doc="Location of sparse connectivity of synapse groups added from now on.")
    default_narrow_sparse_ind_enabled = property(
        None, _set_default_narrow_sparse_ind_enabled,
        doc="Use 8/16-bit indices for SPARSE groups added from now on when small enough.")
    fuse_postsynaptic_models = property(None, _set_fuse_postsynaptic_models,
                                        doc="Merge identical postsynaptic models.")
    fuse_pre_post_weight_update_models = property(
        None, _set_fuse_pre_post_weight_update_models,
        doc="Merge identical weight update pre/post variable updates.")

    @property
    def num_neurons(self) -> int:
        """Total number of neurons in all neuron groups."""
        return sum(ng.num_neurons for ng in self.neuron_populations.values())

    # ------------------------------------------------------------------ neuron groups
    def add_neuron_population(self, pop_name: str, num_neurons: int, neuron, params=None,
                              vars=None):
        """Add a population of ``num_neurons`` neurons of model ``neuron``.

        See Also
        --------
        GeNNModel.add_neuron_population : the parameters and the group returned.
        """
        v.check_population_name(pop_name, "Neuron group")
        self._check_unique_name(pop_name, "neuron group")
        owner = f"Neuron group '{pop_name}'"
        num_neurons = _check_num_neurons(num_neurons, owner)
        model = resolve_model(neuron, "neuron")
        v.check_model_declarations(model, owner)
        params = v.check_param_values(params, model, owner)
        var_inits = v.check_var_initialisers(vars, declared(model, "get_vars"),
                                             f"{owner} (model {model.name})")
        v.scan_model(model, v.NEURON_CODES, owner, pop_name)
        v.scan_var_inits(var_inits, owner, pop_name)
        group = self._neuron_group_class(pop_name, num_neurons, model, params, var_inits, self)
        return self._register(self.neuron_populations, group)

    # ------------------------------------------------------------------ synapse groups
    def add_synapse_population(self, pop_name: str, matrix_type, source, target,
                               weight_update_init, postsynaptic_init, connectivity_init=None):
        """Add synapses from ``source`` to ``target`` (neuron groups or their names).

        See Also
        --------
        GeNNModel.add_synapse_population : the parameters and the group returned.
        """
        v.check_population_name(pop_name, "Synapse group")
        self._check_unique_name(pop_name, "synapse group")
        owner = f"Synapse group '{pop_name}'"
        matrix_type = parse_enum(SynapseMatrixType, matrix_type, "synapse matrix type")
        src = self._neuron_group_of(source, owner, "source")
        trg = self._neuron_group_of(target, owner, "target")
        wu_init, ps_init = rules.check_synapse_initialisers(weight_update_init,
                                                            postsynaptic_init, owner)
        sparse_init, toeplitz_init = rules.split_connectivity_init(connectivity_init, owner)
        rules.check_matrix_type(matrix_type, wu_init, sparse_init, toeplitz_init, owner)
        wu_params, ps_params = rules.check_synapse_params(wu_init, ps_init, owner)
        group = self._synapse_group_class(pop_name, matrix_type, src, trg, wu_init, ps_init,
                                          sparse_init, toeplitz_init, self)
        group.params, group.ps_params = wu_params, ps_params
        # code generation reads the initialisers' params: give them the validated values
        _set_params(wu_init, wu_params)
        _set_params(ps_init, ps_params)
        rules.attach_synapse_vars(group, owner)
        rules.attach_synapse_refs(group, owner, self)
        rules.scan_synapse_code(group, owner)
        src.out_syn.append(group)
        trg.in_syn.append(group)
        return self._register(self.synapse_populations, group)

    # ------------------------------------------------------------------ current sources
    def add_current_source(self, cs_name: str, current_source_model, pop, params=None,
                           vars=None, var_refs=None):
        """Inject current from ``current_source_model`` into every neuron of ``pop``.

        See Also
        --------
        GeNNModel.add_current_source : the parameters and the group returned.
        """
        v.check_population_name(cs_name, "Current source")
        self._check_unique_name(cs_name, "current source")
        owner = f"Current source '{cs_name}'"
        model = resolve_model(current_source_model, "current_source")
        trg = self._neuron_group_of(pop, owner, "target")
        v.check_model_declarations(model, owner)
        params = v.check_param_values(params, model, owner)
        var_inits = v.check_var_initialisers(vars, declared(model, "get_vars"),
                                             f"{owner} (model {model.name})")
        v.scan_model(model, v.CS_CODES, owner, cs_name)
        v.scan_var_inits(var_inits, owner, cs_name)
        group = self._current_source_class(cs_name, model, trg, params, var_inits, self)
        group.neuron_var_refs = rules.resolve_local_refs(
            var_refs, declared(model, "get_neuron_var_refs"), trg, "neuron",
            f"{owner} (model {model.name})", self,
            "the neuron group the current source is attached to")
        trg.current_sources.append(group)
        return self._register(self.current_sources, group)

    # ------------------------------------------------------------------ custom updates
    def add_custom_update(self, cu_name: str, group_name: str, custom_update_model,
                          params=None, vars=None, var_refs=None, egp_refs=None):
        """Add a custom update, launched with ``custom_update(group_name)``.

        Creates a ``CustomUpdate`` for neuron-shaped references or a ``CustomUpdateWU`` for
        per-synapse (``create_wu_var_ref``) references.

        See Also
        --------
        GeNNModel.add_custom_update : the parameters and the group returned.
        """
        v.check_population_name(cu_name, "Custom update")
        v.check_population_name(group_name, "Custom update group")
        self._check_unique_name(cu_name, "custom update")
        owner = f"Custom update '{cu_name}'"
        model = resolve_model(custom_update_model, "custom_update")
        v.check_model_declarations(model, owner)
        owner_model = f"{owner} (model {model.name})"
        params = v.check_param_values(params, model, owner)
        refs = rules.check_custom_update_refs(var_refs, model, owner_model, self)
        dims = rules.custom_update_dims(refs)
        var_inits = v.check_var_initialisers(vars, declared(model, "get_vars"), owner_model)
        egps = rules.check_egp_refs(egp_refs, model, owner_model, self)
        v.scan_model(model, v.CU_CODES, owner, cu_name)
        v.scan_var_inits(var_inits, owner, cu_name)
        if rules.is_wu_refs(refs):
            sg = rules.check_custom_update_wu(refs, model, dims, owner_model, self)
            group = self._custom_update_wu_class(cu_name, group_name, model, params, var_inits,
                                                 refs, egps, dims, sg, self)
        else:
            size = rules.check_custom_update(refs, model, dims, owner_model, self)
            group = self._custom_update_class(cu_name, group_name, model, params, var_inits,
                                              refs, egps, dims, size, self)
        return self._register(self.custom_updates, group)

    def add_custom_connectivity_update(self, cu_name: str, group_name: str, syn_group,
                                       custom_conn_update_model, params=None, vars=None,
                                       pre_vars=None, post_vars=None, var_refs=None,
                                       pre_var_refs=None, post_var_refs=None, egp_refs=None):
        """Add code that changes the connectivity of the SPARSE synapse group ``syn_group``.

        See Also
        --------
        GeNNModel.add_custom_connectivity_update : the parameters and the group returned.
        """
        v.check_population_name(cu_name, "Custom connectivity update")
        v.check_population_name(group_name, "Custom update group")
        self._check_unique_name(cu_name, "custom connectivity update")
        owner = f"Custom connectivity update '{cu_name}'"
        model = resolve_model(custom_conn_update_model, "custom_connectivity_update")
        sg = self._synapse_group_of(syn_group, owner)
        rules.check_sparse_for_ccu(sg, owner)
        v.check_model_declarations(model, owner)
        owner_model = f"{owner} (model {model.name})"
        params = v.check_param_values(params, model, owner)
        var_inits = v.check_var_initialisers(vars, declared(model, "get_vars"), owner_model)
        pre_inits = v.check_var_initialisers(pre_vars, declared(model, "get_pre_vars"),
                                             owner_model, "presynaptic variable")
        post_inits = v.check_var_initialisers(post_vars, declared(model, "get_post_vars"),
                                              owner_model, "postsynaptic variable")
        group = self._custom_connectivity_update_class(cu_name, group_name, sg, model, params,
                                                       var_inits, pre_inits, post_inits, self)
        rules.attach_ccu_refs(group, var_refs, pre_var_refs, post_var_refs, owner_model, self)
        group.egp_refs = rules.check_egp_refs(egp_refs, model, owner_model, self)
        v.scan_model(model, v.CCU_CODES, owner, cu_name)
        for inits in (var_inits, pre_inits, post_inits):
            v.scan_var_inits(inits, owner, cu_name)
        return self._register(self.custom_connectivity_updates, group)

    # ------------------------------------------------------------------ helpers
    def _check_unique_name(self, name: str, what: str) -> None:
        """Names are unique across every kind of population: runtime arrays are keyed by
        (population name, array name), so a current source named like a neuron group would
        share its arrays."""
        for registry in (self.neuron_populations, self.synapse_populations,
                         self.current_sources, self.custom_updates,
                         self.custom_connectivity_updates):
            if name in registry:
                raise RuntimeError(f"Cannot add a {what} with duplicate name '{name}': the "
                                   f"model already has {registry[name].description}, and names "
                                   f"must be unique across all populations and updates; choose "
                                   f"another name")

    def _register(self, registry: dict, group):
        group.user_call_site = user_call_site()
        registry[group.name] = group
        create_wrappers = getattr(group, "_create_wrappers", None)
        if create_wrappers is not None:  # the Python-facing subclasses of GeNNModel
            create_wrappers()
        return group

    def _neuron_group_of(self, value, owner: str, role: str):
        return _group_of(value, self.neuron_populations, core.NeuronGroup, owner, role,
                         "neuron group")

    def _synapse_group_of(self, value, owner: str):
        return _group_of(value, self.synapse_populations, core.SynapseGroup, owner,
                         "synapse group", "synapse group")

    def finalize_checks(self) -> None:
        """Checks that depend on settings users may change after ``add_*`` (run at build)."""
        rules.check_before_build(self)


def _group_of(value, registry: dict, cls, owner: str, role: str, what: str):
    if isinstance(value, str):
        if value not in registry:
            raise RuntimeError(f"{owner}: {role} {what} '{value}' does not exist."
                               + v.did_you_mean(value, registry))
        return registry[value]
    if not isinstance(value, cls):
        raise TypeError(f"{owner}: {role} must be a {what} or its name, not {value!r}")
    if registry.get(value.name) is not value:
        raise RuntimeError(f"{owner}: {role} {value.description} belongs to a different model")
    return value


def _set_params(init, params: dict) -> None:
    try:
        init.params = params
    except AttributeError:  # read-only on this initialiser class: leave it as given
        pass


def _check_num_neurons(value, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{owner}: the number of neurons must be a positive integer, "
                         f"not {value!r}")
    return int(value)

