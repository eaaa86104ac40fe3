"""Base classes of every model and snippet.

A model is an object that answers getter methods: lists of descriptor records (``Param``,
``Var`` ...) and code strings. The ``create_*`` factories build a fresh subclass per call and store
what the user declared as class attributes (``_params``, ``_sim_code`` ...); the getters read them.
Users may also subclass a base directly and override getters, so the rest of pygenn only ever
calls getters, never the underscore attributes.
"""
from __future__ import annotations

from .code_roles import WU_CODE_GETTERS, WU_CODE_ROLES


def _list_getter(attribute: str, doc: str):
    def getter(self) -> list:
        return list(getattr(self, attribute))

    getter.__doc__ = doc
    return getter


def _code_getter(attribute: str, doc: str):
    def getter(self) -> str:
        return getattr(self, attribute)

    getter.__doc__ = doc
    return getter


def _value_getter(attribute: str, doc: str):
    def getter(self):
        return getattr(self, attribute)

    getter.__doc__ = doc
    return getter


class SnippetBase:
    """Common base: parameters, derived parameters and extra global parameters.

    ``kind`` is the human name used in messages ("neuron model"); ``CODE_GETTERS`` maps each code
    string's keyword name (its *role*, e.g. ``"sim_code"``) to the getter returning it.
    """

    kind = "snippet"
    CODE_GETTERS: dict[str, str] = {}

    _params: tuple = ()
    _derived_params: tuple = ()
    _extra_global_params: tuple = ()

    get_params = _list_getter("_params", "Parameters (list of ``Param``).")
    get_derived_params = _list_getter(
        "_derived_params", "Parameters computed from the others and dt (list of ``DerivedParam``).")
    get_extra_global_params = _list_getter(
        "_extra_global_params", "Extra global parameter arrays (list of ``EGP``).")

    @property
    def name(self) -> str:
        """The class name given to the factory (used in messages only)."""
        return type(self).__name__

    def code_strings(self) -> dict[str, str]:
        """Every code string of this model by role (keyword name), empty ones included."""
        return {role: getattr(self, getter)() for role, getter in self.CODE_GETTERS.items()}

    def __repr__(self):
        return f"<{self.kind} '{self.name}'>"


class _ModelBase(SnippetBase):
    """Models (as opposed to initialisation snippets) own variables."""

    _vars: tuple = ()
    get_vars = _list_getter("_vars", "Variables (list of ``Var``).")


class NeuronModelBase(_ModelBase):
    kind = "neuron model"
    CODE_GETTERS = {"sim_code": "get_sim_code",
                    "threshold_condition_code": "get_threshold_condition_code",
                    "reset_code": "get_reset_code"}

    _sim_code = ""
    _threshold_condition_code = ""
    _reset_code = ""
    _additional_input_vars: tuple = ()
    _auto_refractory_required = False

    get_sim_code = _code_getter("_sim_code", "Statements run every step for every neuron.")
    get_threshold_condition_code = _code_getter(
        "_threshold_condition_code", "Expression that is true when the neuron spikes.")
    get_reset_code = _code_getter("_reset_code", "Statements run after a neuron spikes.")
    get_additional_input_vars = _list_getter(
        "_additional_input_vars", "Extra input accumulators (list of ``AdditionalInputVar``).")
    is_auto_refractory_required = _value_getter(
        "_auto_refractory_required",
        "Whether a spike needs the threshold to have been false before this step's sim code.")


class WeightUpdateModelBase(_ModelBase):
    """Base of weight update models: code run per synapse, per presynaptic and per
    postsynaptic neuron, with state at each of those levels."""

    kind = "weight update model"
    # the eleven code strings, their defaults ("") and getters come from the one table
    # (code_roles.py), set just after the class
    CODE_GETTERS = dict(WU_CODE_GETTERS)

    _pre_vars: tuple = ()
    _post_vars: tuple = ()
    _pre_neuron_var_refs: tuple = ()
    _post_neuron_var_refs: tuple = ()
    _psm_var_refs: tuple = ()

    get_pre_vars = _list_getter("_pre_vars", "Per-presynaptic-neuron variables (``Var``).")
    get_post_vars = _list_getter("_post_vars", "Per-postsynaptic-neuron variables (``Var``).")
    get_pre_neuron_var_refs = _list_getter(
        "_pre_neuron_var_refs", "References to source neuron variables (``VarRef``).")
    get_post_neuron_var_refs = _list_getter(
        "_post_neuron_var_refs", "References to target neuron variables (``VarRef``).")
    get_psm_var_refs = _list_getter(
        "_psm_var_refs", "References to this synapse group's postsynaptic model variables.")


for _role in WU_CODE_ROLES:
    setattr(WeightUpdateModelBase, "_" + _role.name, "")
    setattr(WeightUpdateModelBase, _role.getter, _code_getter("_" + _role.name, _role.doc))
del _role


class PostsynapticModelBase(_ModelBase):
    kind = "postsynaptic model"
    CODE_GETTERS = {"sim_code": "get_sim_code"}

    _sim_code = ""
    _neuron_var_refs: tuple = ()

    get_sim_code = _code_getter(
        "_sim_code", "Run every step per target neuron; calls injectCurrent(x).")
    get_neuron_var_refs = _list_getter(
        "_neuron_var_refs", "References to target neuron variables (``VarRef``).")


class CurrentSourceModelBase(_ModelBase):
    kind = "current source model"
    CODE_GETTERS = {"injection_code": "get_injection_code"}

    _injection_code = ""
    _neuron_var_refs: tuple = ()

    get_injection_code = _code_getter(
        "_injection_code", "Run every step per neuron; calls injectCurrent(x).")
    get_neuron_var_refs = _list_getter(
        "_neuron_var_refs", "References to variables of the neuron group (``VarRef``).")


class CustomUpdateModelBase(_ModelBase):
    kind = "custom update model"
    CODE_GETTERS = {"update_code": "get_update_code"}

    _update_code = ""
    _var_refs: tuple = ()
    _extra_global_param_refs: tuple = ()

    get_vars = _list_getter("_vars", "Variables (list of ``CustomUpdateVar``).")
    get_update_code = _code_getter("_update_code", "Run once per element when launched.")
    get_var_refs = _list_getter("_var_refs", "Variable references (``VarRef``).")
    get_extra_global_param_refs = _list_getter(
        "_extra_global_param_refs", "Extra global parameter references (``EGPRef``).")


class CustomConnectivityUpdateModelBase(_ModelBase):
    kind = "custom connectivity update model"
    CODE_GETTERS = {"row_update_code": "get_row_update_code",
                    "host_update_code": "get_host_update_code"}

    _row_update_code = ""
    _host_update_code = ""
    _pre_vars: tuple = ()
    _post_vars: tuple = ()
    _var_refs: tuple = ()
    _pre_var_refs: tuple = ()
    _post_var_refs: tuple = ()
    _extra_global_param_refs: tuple = ()

    get_row_update_code = _code_getter(
        "_row_update_code", "Run once per presynaptic row on the device.")
    get_host_update_code = _code_getter(
        "_host_update_code", "Run on the host before the row updates.")
    get_pre_vars = _list_getter("_pre_vars", "Per-presynaptic-neuron variables (``Var``).")
    get_post_vars = _list_getter("_post_vars", "Per-postsynaptic-neuron variables (``Var``).")
    get_var_refs = _list_getter("_var_refs", "Per-synapse variable references (``VarRef``).")
    get_pre_var_refs = _list_getter(
        "_pre_var_refs", "Presynaptic variable references (``VarRef``).")
    get_post_var_refs = _list_getter(
        "_post_var_refs", "Postsynaptic variable references (``VarRef``).")
    get_extra_global_param_refs = _list_getter(
        "_extra_global_param_refs", "Extra global parameter references (``EGPRef``).")


class InitVarSnippetBase(SnippetBase):
    kind = "variable initialisation snippet"
    CODE_GETTERS = {"var_init_code": "get_code"}

    _code = ""
    get_code = _code_getter("_code", "Statements that assign ``value``.")


class _ConnectivitySnippetBase(SnippetBase):
    _calc_max_row_length_func = None
    _calc_kernel_size_func = None

    get_calc_max_row_length_func = _value_getter(
        "_calc_max_row_length_func",
        "``f(num_pre, num_post, pars) -> int`` upper bound on row length, or None.")
    get_calc_kernel_size_func = _value_getter(
        "_calc_kernel_size_func", "``f(pars) -> list[int]`` kernel shape, or None.")


class InitSparseConnectivitySnippetBase(_ConnectivitySnippetBase):
    kind = "sparse connectivity initialisation snippet"
    CODE_GETTERS = {"row_build_code": "get_row_build_code",
                    "col_build_code": "get_col_build_code"}

    _row_build_code = ""
    _col_build_code = ""
    _calc_max_col_length_func = None
    _host_egp_init_func = None

    get_row_build_code = _code_getter(
        "_row_build_code", "Run once per presynaptic neuron; calls addSynapse(id_post, ...).")
    get_col_build_code = _code_getter(
        "_col_build_code", "Run once per postsynaptic neuron; calls addSynapse(id_pre, ...).")
    get_calc_max_col_length_func = _value_getter(
        "_calc_max_col_length_func",
        "``f(num_pre, num_post, pars) -> int`` upper bound on column length, or None.")
    get_host_egp_init_func = _value_getter(
        "_host_egp_init_func",
        "pygenn extension replacing GeNN's host init code: "
        "``f(num_pre, num_post, pars, rng) -> dict[egp_name, numpy array]`` called at load to "
        "fill this snippet's extra global parameters, or None.")

    def get_host_init_code(self) -> str:
        """Always empty: host initialisation code cannot be written from Python."""
        return ""


class InitToeplitzConnectivitySnippetBase(_ConnectivitySnippetBase):
    kind = "Toeplitz connectivity initialisation snippet"
    CODE_GETTERS = {"diagonal_build_code": "get_diagonal_build_code"}

    _diagonal_build_code = ""
    get_diagonal_build_code = _code_getter(
        "_diagonal_build_code",
        "Run once per kernel diagonal; ``for_each_synapse`` loops over presynaptic spikes.")
