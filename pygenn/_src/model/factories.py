"""The ``create_*`` factories: user declarations -> one instance of a fresh model class.

Every factory checks everything it can at once and names the model (``class_name``) and the
offending item in its messages, so that a mistake is reported where it was made rather than at
build time.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping

from ..errors import InvalidNameError, InvalidNameTypeError, did_you_mean
from ..lang.types import NumericType, UnresolvedType
from .code_roles import WU_CODE_ROLES
from .descriptors import (EGP, AdditionalInputVar, CustomUpdateVar, DerivedParam, EGPRef, Param,
                          Var, VarRef)
from .enums import CustomUpdateVarAccess, VarAccess, VarAccessMode
from .legacy import upgrade_code_string
from .names import check_not_reserved
from .snippets import (CurrentSourceModelBase, CustomConnectivityUpdateModelBase,
                       CustomUpdateModelBase, InitSparseConnectivitySnippetBase,
                       InitToeplitzConnectivitySnippetBase, InitVarSnippetBase, NeuronModelBase,
                       PostsynapticModelBase, WeightUpdateModelBase)
from .values import check_not_internal_name

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Words of GeNNCode that can never name a model item (a variable called 'for' could not be used)
RESERVED_WORDS = frozenset(
    "const do else for for_each_synapse if while switch break continue case default true false "
    "char short int long float double signed unsigned bool uint8_t int8_t uint16_t int16_t "
    "uint32_t int32_t uint64_t int64_t size_t scalar timepoint".split())


def check_name(name, what: str, where: str) -> str:
    """Check that ``name`` can be used as an identifier in code strings; return it."""
    if not isinstance(name, str):
        raise InvalidNameTypeError(f"{what} name {name!r} of {where} must be a string")
    if not _IDENTIFIER.match(name):
        raise InvalidNameError(f"{what} name '{name}' of {where} is not a valid C identifier: "
                               f"use letters, digits and '_', not starting with a digit")
    if name.startswith("_"):
        raise InvalidNameError(f"{what} name '{name}' of {where} starts with '_', which is "
                               f"reserved for names pygenn generates; rename it")
    if name in RESERVED_WORDS:
        raise InvalidNameError(f"{what} name '{name}' of {where} is a GeNNCode keyword or type "
                               f"name; rename it")
    check_not_reserved(name, f"{what} name of {where}")
    return name


class _Declarations:
    """Parses the descriptor lists of one model, checking names as it goes."""

    def __init__(self, class_name, kind: str):
        if not isinstance(class_name, str) or not class_name:
            raise InvalidNameTypeError(f"the class name of a {kind} must be a non-empty "
                                       f"string, not {class_name!r}")
        # any string, as in PyGeNN (it names a Python class): it reaches generated sources
        # only through the code markers, which keep safe characters alone (stream.marker_text)
        self.class_name = class_name
        self.where = f"{kind} '{class_name}'"
        self._owners: dict[str, str] = {}

    def _claim(self, name, what: str) -> str:
        check_name(name, what, self.where)
        if "reference" not in what:   # references own no storage of the group
            check_not_internal_name(name, what, self.where)
        if name in self._owners:
            raise RuntimeError(f"{self.where} declares the name '{name}' twice (as "
                               f"{self._owners[name]} and as {what}); names must be unique "
                               f"within a model")
        self._owners[name] = what
        return name

    def _items(self, items, keyword: str) -> list:
        if items is None:
            return []
        if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
            raise TypeError(f"'{keyword}' of {self.where} must be a list, not {items!r}")
        return list(items)

    def _fields(self, item, keyword: str, shape: str, min_len: int, max_len: int) -> tuple:
        if isinstance(item, (str, bytes)) or not isinstance(item, (tuple, list)) \
                or not min_len <= len(item) <= max_len:
            raise TypeError(f"each entry of '{keyword}' of {self.where} must be {shape}, "
                            f"not {item!r}")
        return tuple(item)

    def _record(self, record, fields: tuple, what: str):
        """Build a descriptor, putting the model and item into errors about its type."""
        try:
            return record(*fields)
        except (RuntimeError, TypeError) as error:
            raise type(error)(f"{what} '{fields[0]}' of {self.where}: {error}") from None

    def params(self, items) -> tuple:
        result = []
        for item in self._items(items, "params"):
            if not isinstance(item, Param):
                if isinstance(item, str):
                    item = (item,)
                fields = self._fields(item, "params", "a name or a ('name', type) tuple", 1, 2)
                item = self._record(Param, fields, "parameter")
            self._claim(item.name, "parameter")
            result.append(item)
        return tuple(result)

    def derived_params(self, items) -> tuple:
        result = []
        for item in self._items(items, "derived_params"):
            if not isinstance(item, DerivedParam):
                fields = self._fields(item, "derived_params",
                                      "a ('name', function) or ('name', function, type) tuple",
                                      2, 3)
                if not callable(fields[1]):
                    raise TypeError(f"derived parameter '{fields[0]}' of {self.where} needs a "
                                    f"function f(pars, dt), not {fields[1]!r}")
                item = self._record(DerivedParam, fields, "derived parameter")
            self._claim(item.name, "derived parameter")
            result.append(item)
        return tuple(result)

    def vars(self, items, keyword="vars", what="variable", access_type=VarAccess) -> tuple:
        record = CustomUpdateVar if access_type is CustomUpdateVarAccess else Var
        return tuple(self._accessed(items, keyword, what, record, access_type))

    def var_refs(self, items, keyword: str, what="variable reference") -> tuple:
        return tuple(self._accessed(items, keyword, what, VarRef, VarAccessMode))

    def _accessed(self, items, keyword, what, record, access_type):
        for item in self._items(items, keyword):
            if not isinstance(item, record):
                fields = self._fields(item, keyword, f"a ('name', type) or ('name', type, "
                                      f"{access_type.__name__}) tuple", 2, 3)
                if len(fields) == 3:
                    fields = fields[:2] + (self._access(fields, access_type, what),)
                item = self._record(record, fields, what)
            self._claim(item.name, what)
            yield item

    def _access(self, fields, access_type, what):
        access = fields[2]
        if isinstance(access, access_type):
            return access
        if isinstance(access, str) and access in access_type.__members__:
            return access_type[access]
        raise TypeError(f"{what} '{fields[0]}' of {self.where}: access must be a "
                        f"{access_type.__name__}, not {access!r}."
                        + did_you_mean(str(access), access_type.__members__))

    def egps(self, items, keyword="extra_global_params", what="extra global parameter",
             record=EGP) -> tuple:
        result = []
        for item in self._items(items, keyword):
            if not isinstance(item, record):
                name, type_ = self._fields(item, keyword, "a ('name', 'type*') tuple", 2, 2)
                item = self._record(record, (name, self._egp_element_type(name, type_, what)),
                                    what)
            self._claim(item.name, what)
            result.append(item)
        return tuple(result)

    def _egp_element_type(self, name, type_, what):
        if isinstance(type_, (NumericType, UnresolvedType)):
            return type_
        if not isinstance(type_, str):
            raise TypeError(f"{what} '{name}' of {self.where}: type must be a string such as "
                            f"'scalar*' or a pygenn.types type, not {type_!r}")
        if not type_.strip().endswith("*"):
            raise RuntimeError(
                f"{what} '{name}' of {self.where} has type '{type_}': non-array extra global "
                f"parameters are no longer supported; use dynamic parameters instead (or "
                f"declare an array as '{type_.strip()}*')")
        return type_.strip()[:-1].strip()

    def additional_input_vars(self, items) -> tuple:
        result = []
        for item in self._items(items, "additional_input_vars"):
            if not isinstance(item, AdditionalInputVar):
                fields = self._fields(item, "additional_input_vars",
                                      "a ('name', type, initial_value) tuple", 3, 3)
                item = self._record(AdditionalInputVar, fields, "additional input variable")
            self._claim(item.name, "additional input variable")
            result.append(item)
        return tuple(result)

    def code(self, code, role: str) -> str:
        return upgrade_code_string(code, f"{role} of {self.where}")

    def function(self, func, role: str):
        if func is not None and not callable(func):
            raise TypeError(f"'{role}' of {self.where} must be a function, not {func!r}")
        # Stored on the class: keep it from becoming a bound method
        return staticmethod(func)


def _legacy(new_name: str, new, old_name: str, old, factory: str):
    """Value of a keyword that has a deprecated GeNN 4 spelling (warns if the old one is used)."""
    if old is None:
        return new
    if new is not None:
        raise TypeError(f"{factory}() got both '{new_name}' and its deprecated spelling "
                        f"'{old_name}'; pass only '{new_name}'")
    warnings.warn(f"The '{old_name}' argument of {factory}() is deprecated; use '{new_name}' "
                  f"instead", FutureWarning, stacklevel=3)
    return old


def _make(base: type, decl: _Declarations, attributes: dict):
    """One instance of a new subclass of ``base`` named after the user's class name."""
    cls = type(decl.class_name, (base,), {"__module__": __name__, **attributes})
    return cls()


def _common(decl: _Declarations, params, derived_params, extra_global_params) -> dict:
    return {"_params": decl.params(params),
            "_derived_params": decl.derived_params(derived_params),
            "_extra_global_params": decl.egps(extra_global_params)}


def create_neuron_model(class_name, params=None, param_names=None, vars=None, var_name_types=None,
                        derived_params=None, sim_code=None, threshold_condition_code=None,
                        reset_code=None, extra_global_params=None, additional_input_vars=None,
                        auto_refractory_required=False):
    """Create a neuron model.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    vars : list, optional
        ``(name, type)`` or ``(name, type, VarAccess)`` triples of per-neuron state variables.
    var_name_types : list, optional
        GeNN 4 spelling of ``vars`` (deprecated).
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    sim_code : str, optional
        Code run for every neuron every timestep (``Isyn`` holds its summed input).
    threshold_condition_code : str, optional
        Expression that is true when the neuron spikes.
    reset_code : str, optional
        Code run after a spike.
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.
    additional_input_vars : list, optional
        ``(name, type, initial value)`` triples of extra input variables that postsynaptic
        models and current sources can add to (like ``Isyn``).
    auto_refractory_required : bool
        Whether a neuron may only spike again once its threshold condition was false.

    Returns
    -------
    NeuronModelBase
        The one instance of a new subclass of ``NeuronModelBase`` named ``class_name``.
    """
    f = "create_neuron_model"
    params = _legacy("params", params, "param_names", param_names, f)
    vars = _legacy("vars", vars, "var_name_types", var_name_types, f)
    decl = _Declarations(class_name, "neuron model")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _vars=decl.vars(vars),
        _additional_input_vars=decl.additional_input_vars(additional_input_vars),
        _sim_code=decl.code(sim_code, "sim_code"),
        _threshold_condition_code=decl.code(threshold_condition_code,
                                            "threshold_condition_code"),
        _reset_code=decl.code(reset_code, "reset_code"),
        _auto_refractory_required=bool(auto_refractory_required))
    return _make(NeuronModelBase, decl, attributes)


def _check_event_pair(decl: _Declarations, side: str, threshold: str, syn_code: str):
    names = (f"{side}_event_threshold_condition_code", f"{side}_event_syn_code")
    # only ASCII whitespace is no code: anything else must reach the scanner (and its errors)
    present = threshold.strip(" \t\r\n"), syn_code.strip(" \t\r\n")
    if bool(present[0]) != bool(present[1]):
        given, missing = names if present[0] else names[::-1]
        raise RuntimeError(f"{decl.where} has '{given}' but no '{missing}': {side}synaptic "
                           f"spike-like events need both the threshold condition and the code "
                           f"run for each event")


def create_weight_update_model(
        class_name, params=None, param_names=None, vars=None, var_name_types=None,
        pre_vars=None, pre_var_name_types=None, post_vars=None, post_var_name_types=None,
        pre_neuron_var_refs=None, post_neuron_var_refs=None, psm_var_refs=None,
        derived_params=None, sim_code=None, pre_spike_syn_code=None, event_code=None,
        pre_event_syn_code=None, post_event_syn_code=None, learn_post_code=None,
        post_spike_syn_code=None, synapse_dynamics_code=None, event_threshold_condition_code=None,
        pre_event_threshold_condition_code=None, post_event_threshold_condition_code=None,
        pre_spike_code=None, post_spike_code=None, pre_dynamics_code=None,
        post_dynamics_code=None, extra_global_params=None):
    """Create a weight update model.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    vars : list, optional
        ``(name, type)`` or ``(name, type, VarAccess)`` triples of per-synapse variables.
    var_name_types : list, optional
        GeNN 4 spelling of ``vars`` (deprecated).
    pre_vars, post_vars : list, optional
        Variables with one value per presynaptic or postsynaptic neuron.
    pre_var_name_types, post_var_name_types : list, optional
        GeNN 4 spellings of ``pre_vars`` and ``post_vars`` (deprecated).
    pre_neuron_var_refs, post_neuron_var_refs : list, optional
        ``(name, type)`` or ``(name, type, VarAccessMode)`` references to variables of the
        presynaptic or postsynaptic neuron model.
    psm_var_refs : list, optional
        References to variables of the postsynaptic model.
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    pre_spike_syn_code : str, optional
        Code run for each synapse of a presynaptic spike (``addToPost(x)`` delivers input).
    pre_event_syn_code, post_event_syn_code : str, optional
        Code run for each synapse of a presynaptic or postsynaptic spike-like event.
    post_spike_syn_code : str, optional
        Code run for each synapse of a postsynaptic spike (learning).
    synapse_dynamics_code : str, optional
        Code run for every synapse every timestep.
    pre_event_threshold_condition_code, post_event_threshold_condition_code : str, optional
        Expressions that are true when a spike-like event is emitted.
    pre_spike_code, post_spike_code : str, optional
        Code run for each presynaptic or postsynaptic neuron that spiked (updates its
        ``pre_vars`` or ``post_vars``).
    pre_dynamics_code, post_dynamics_code : str, optional
        Code run for every presynaptic or postsynaptic neuron every timestep.
    sim_code, event_code, learn_post_code, event_threshold_condition_code : str, optional
        GeNN 4 spellings of ``pre_spike_syn_code``, ``pre_event_syn_code``,
        ``post_spike_syn_code`` and ``pre_event_threshold_condition_code`` (deprecated).
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.

    Returns
    -------
    WeightUpdateModelBase
        The one instance of a new subclass of ``WeightUpdateModelBase`` named ``class_name``.
    """
    f = "create_weight_update_model"
    params = _legacy("params", params, "param_names", param_names, f)
    vars = _legacy("vars", vars, "var_name_types", var_name_types, f)
    pre_vars = _legacy("pre_vars", pre_vars, "pre_var_name_types", pre_var_name_types, f)
    post_vars = _legacy("post_vars", post_vars, "post_var_name_types", post_var_name_types, f)
    pre_spike_syn_code = _legacy("pre_spike_syn_code", pre_spike_syn_code, "sim_code", sim_code, f)
    post_spike_syn_code = _legacy("post_spike_syn_code", post_spike_syn_code, "learn_post_code",
                                  learn_post_code, f)
    pre_event_syn_code = _legacy("pre_event_syn_code", pre_event_syn_code, "event_code",
                                 event_code, f)
    pre_event_threshold_condition_code = _legacy(
        "pre_event_threshold_condition_code", pre_event_threshold_condition_code,
        "event_threshold_condition_code", event_threshold_condition_code, f)

    decl = _Declarations(class_name, "weight update model")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _vars=decl.vars(vars),
        _pre_vars=decl.vars(pre_vars, "pre_vars", "presynaptic variable"),
        _post_vars=decl.vars(post_vars, "post_vars", "postsynaptic variable"),
        _pre_neuron_var_refs=decl.var_refs(pre_neuron_var_refs, "pre_neuron_var_refs",
                                           "presynaptic neuron variable reference"),
        _post_neuron_var_refs=decl.var_refs(post_neuron_var_refs, "post_neuron_var_refs",
                                            "postsynaptic neuron variable reference"),
        _psm_var_refs=decl.var_refs(psm_var_refs, "psm_var_refs",
                                    "postsynaptic model variable reference"))
    # the code keywords are named after their roles (code_roles.py)
    given = locals()
    codes = {role.name: decl.code(given[role.name], role.name) for role in WU_CODE_ROLES}
    for side in ("pre", "post"):
        _check_event_pair(decl, side, codes[f"{side}_event_threshold_condition_code"],
                          codes[f"{side}_event_syn_code"])
    attributes.update({"_" + role: code for role, code in codes.items()})
    return _make(WeightUpdateModelBase, decl, attributes)


def create_postsynaptic_model(class_name, params=None, param_names=None, vars=None,
                              var_name_types=None, neuron_var_refs=None, derived_params=None,
                              sim_code=None, decay_code=None, apply_input_code=None,
                              extra_global_params=None):
    """Create a postsynaptic model: how synaptic input (``inSyn``) reaches the neuron.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    vars : list, optional
        ``(name, type)`` or ``(name, type, VarAccess)`` triples of state variables.
    var_name_types : list, optional
        GeNN 4 spelling of ``vars`` (deprecated).
    neuron_var_refs : list, optional
        References to variables of the target neuron model (e.g. its membrane voltage).
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    sim_code : str, optional
        Code run for every neuron every timestep: ``injectCurrent(x)`` passes input on and
        the code decays ``inSyn``.
    decay_code, apply_input_code : str, optional
        GeNN 4 code strings, no longer supported: passing one raises with what to write
        instead.
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.

    Returns
    -------
    PostsynapticModelBase
        The one instance of a new subclass of ``PostsynapticModelBase`` named ``class_name``.
    """
    for old in ("decay_code", "apply_input_code"):
        if locals()[old] is not None:
            raise RuntimeError(
                f"'{old}' of postsynaptic model '{class_name}' is no longer supported: write a "
                f"single 'sim_code' that calls injectCurrent(x) with the input and then decays "
                f"inSyn, e.g. 'injectCurrent(inSyn); inSyn *= expDecay;'")
    f = "create_postsynaptic_model"
    params = _legacy("params", params, "param_names", param_names, f)
    vars = _legacy("vars", vars, "var_name_types", var_name_types, f)
    decl = _Declarations(class_name, "postsynaptic model")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _vars=decl.vars(vars),
        _neuron_var_refs=decl.var_refs(neuron_var_refs, "neuron_var_refs",
                                       "neuron variable reference"),
        _sim_code=decl.code(sim_code, "sim_code"))
    return _make(PostsynapticModelBase, decl, attributes)


def create_current_source_model(class_name, params=None, param_names=None, vars=None,
                                var_name_types=None, neuron_var_refs=None, derived_params=None,
                                injection_code=None, extra_global_params=None):
    """Create a current source model.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    vars : list, optional
        ``(name, type)`` or ``(name, type, VarAccess)`` triples of state variables.
    var_name_types : list, optional
        GeNN 4 spelling of ``vars`` (deprecated).
    neuron_var_refs : list, optional
        References to variables of the neuron model it injects into.
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    injection_code : str, optional
        Code run for every neuron every timestep; ``injectCurrent(x)`` adds the current.
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.

    Returns
    -------
    CurrentSourceModelBase
        The one instance of a new subclass of ``CurrentSourceModelBase`` named ``class_name``.
    """
    f = "create_current_source_model"
    params = _legacy("params", params, "param_names", param_names, f)
    vars = _legacy("vars", vars, "var_name_types", var_name_types, f)
    decl = _Declarations(class_name, "current source model")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _vars=decl.vars(vars),
        _neuron_var_refs=decl.var_refs(neuron_var_refs, "neuron_var_refs",
                                       "neuron variable reference"),
        _injection_code=decl.code(injection_code, "injection_code"))
    return _make(CurrentSourceModelBase, decl, attributes)


def create_custom_update_model(class_name, params=None, param_names=None, vars=None,
                               var_name_types=None, derived_params=None, var_refs=None,
                               update_code=None, extra_global_params=None,
                               extra_global_param_refs=None):
    """Create a custom update model: code run on demand by ``GeNNModel.custom_update``.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    vars : list, optional
        ``(name, type)`` or ``(name, type, CustomUpdateVarAccess)`` triples; reduction
        accesses (e.g. ``REDUCE_BATCH_SUM``) reduce what the code assigns over the batch or
        the neurons.
    var_name_types : list, optional
        GeNN 4 spelling of ``vars`` (deprecated).
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    var_refs : list, optional
        ``(name, type)`` or ``(name, type, VarAccessMode)`` references to variables of other
        groups, bound by ``add_custom_update``.
    update_code : str, optional
        Code run for every element (neuron or synapse) of the referenced variables.
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.
    extra_global_param_refs : list, optional
        ``(name, type)`` references to extra global parameters of other groups.

    Returns
    -------
    CustomUpdateModelBase
        The one instance of a new subclass of ``CustomUpdateModelBase`` named ``class_name``.
    """
    f = "create_custom_update_model"
    params = _legacy("params", params, "param_names", param_names, f)
    vars = _legacy("vars", vars, "var_name_types", var_name_types, f)
    decl = _Declarations(class_name, "custom update model")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _vars=decl.vars(vars, access_type=CustomUpdateVarAccess),
        _var_refs=decl.var_refs(var_refs, "var_refs"),
        _extra_global_param_refs=decl.egps(extra_global_param_refs, "extra_global_param_refs",
                                           "extra global parameter reference", EGPRef),
        _update_code=decl.code(update_code, "update_code"))
    return _make(CustomUpdateModelBase, decl, attributes)


def create_custom_connectivity_update_model(
        class_name, params=None, vars=None, pre_vars=None, post_vars=None, derived_params=None,
        var_refs=None, pre_var_refs=None, post_var_refs=None, row_update_code=None,
        host_update_code=None, extra_global_params=None, extra_global_param_refs=None):
    """Create a custom connectivity update model: code that adds and removes synapses of a
    SPARSE synapse group, run on demand by ``GeNNModel.custom_update``.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    vars : list, optional
        Per-synapse variables (``(name, type)`` or ``(name, type, VarAccess)``).
    pre_vars, post_vars : list, optional
        Variables with one value per presynaptic or postsynaptic neuron.
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    var_refs : list, optional
        References to per-synapse variables of the synapse group, moved with their synapses.
    pre_var_refs, post_var_refs : list, optional
        References to variables with one value per presynaptic or postsynaptic neuron.
    row_update_code : str, optional
        Code run for each presynaptic neuron's row: ``for_each_synapse``, ``add_synapse(...)``
        and ``remove_synapse()``.
    host_update_code : str, optional
        Code run on the host first, with the whole connectivity (``row_length``) at hand.
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.
    extra_global_param_refs : list, optional
        References to extra global parameters of other groups.

    Returns
    -------
    CustomConnectivityUpdateModelBase
        The one instance of a new subclass of ``CustomConnectivityUpdateModelBase`` named ``class_name``.
    """
    decl = _Declarations(class_name, "custom connectivity update model")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _vars=decl.vars(vars),
        _pre_vars=decl.vars(pre_vars, "pre_vars", "presynaptic variable"),
        _post_vars=decl.vars(post_vars, "post_vars", "postsynaptic variable"),
        _var_refs=decl.var_refs(var_refs, "var_refs"),
        _pre_var_refs=decl.var_refs(pre_var_refs, "pre_var_refs",
                                    "presynaptic variable reference"),
        _post_var_refs=decl.var_refs(post_var_refs, "post_var_refs",
                                     "postsynaptic variable reference"),
        _extra_global_param_refs=decl.egps(extra_global_param_refs, "extra_global_param_refs",
                                           "extra global parameter reference", EGPRef),
        _row_update_code=decl.code(row_update_code, "row_update_code"),
        _host_update_code=decl.code(host_update_code, "host_update_code"))
    return _make(CustomConnectivityUpdateModelBase, decl, attributes)


def create_var_init_snippet(class_name, params=None, param_names=None, derived_params=None,
                            var_init_code=None, extra_global_params=None):
    """Create a variable initialisation snippet, used through ``init_var``.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    var_init_code : str, optional
        Code that assigns the initial value to ``value`` (it may draw random numbers).
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.

    Returns
    -------
    InitVarSnippetBase
        The one instance of a new subclass of ``InitVarSnippetBase`` named ``class_name``.
    """
    params = _legacy("params", params, "param_names", param_names, "create_var_init_snippet")
    decl = _Declarations(class_name, "variable initialisation snippet")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes["_code"] = decl.code(var_init_code, "var_init_code")
    return _make(InitVarSnippetBase, decl, attributes)


def create_sparse_connect_init_snippet(
        class_name, params=None, param_names=None, derived_params=None, row_build_code=None,
        col_build_code=None, calc_max_row_len_func=None, calc_max_col_len_func=None,
        calc_kernel_size_func=None, extra_global_params=None, host_egp_init_func=None):
    """Create a sparse connectivity initialisation snippet, used through
    ``init_sparse_connectivity``.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    row_build_code : str, optional
        Code run for each presynaptic neuron; ``addSynapse(id_post)`` adds a synapse.
    col_build_code : str, optional
        Code run for each postsynaptic neuron; ``addSynapse(id_pre)`` adds a synapse.
    calc_max_row_len_func, calc_max_col_len_func : callable, optional
        ``f(num_pre, num_post, params)``: the most synapses a row (column) can get, which
        sizes the SPARSE storage.
    calc_kernel_size_func : callable, optional
        ``f(params)``: the kernel's shape, for weights initialised with the ``Kernel`` snippet.
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.
    host_egp_init_func : callable, optional
        A pygenn extension used by built-ins in place of GeNN's host init code:
        ``f(num_pre, num_post, params, rng) -> {egp_name: array}``, called when the model loads.

    Returns
    -------
    InitSparseConnectivitySnippetBase
        The one instance of a new subclass of ``InitSparseConnectivitySnippetBase`` named ``class_name``.
    """
    params = _legacy("params", params, "param_names", param_names,
                     "create_sparse_connect_init_snippet")
    decl = _Declarations(class_name, "sparse connectivity initialisation snippet")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _row_build_code=decl.code(row_build_code, "row_build_code"),
        _col_build_code=decl.code(col_build_code, "col_build_code"),
        _calc_max_row_length_func=decl.function(calc_max_row_len_func, "calc_max_row_len_func"),
        _calc_max_col_length_func=decl.function(calc_max_col_len_func, "calc_max_col_len_func"),
        _calc_kernel_size_func=decl.function(calc_kernel_size_func, "calc_kernel_size_func"),
        _host_egp_init_func=decl.function(host_egp_init_func, "host_egp_init_func"))
    return _make(InitSparseConnectivitySnippetBase, decl, attributes)


def create_toeplitz_connect_init_snippet(
        class_name, params=None, param_names=None, derived_params=None, diagonal_build_code=None,
        calc_max_row_len_func=None, calc_kernel_size_func=None, extra_global_params=None):
    """Create a Toeplitz connectivity initialisation snippet, used through
    ``init_toeplitz_connectivity``.

    Parameters
    ----------
    class_name : str
        Name of the new model class (used in generated code and error messages).
    params : list, optional
        Parameter names, or ``(name, type)`` pairs (type default ``"scalar"``).
    param_names : list, optional
        GeNN 4 spelling of ``params`` (deprecated).
    derived_params : list, optional
        ``(name, function)`` pairs; ``function(params, dt)`` computes the value at build time
        from the parameter values (a dict) and the timestep.
    diagonal_build_code : str, optional
        Code run once per kernel diagonal; ``for_each_synapse`` loops over presynaptic spikes.
    calc_max_row_len_func : callable, optional
        ``f(num_pre, num_post, params)``: the most synapses a row can have.
    calc_kernel_size_func : callable, optional
        ``f(params)``: the kernel's shape (the shape of the weights given).
    extra_global_params : list, optional
        ``(name, type)`` pairs of extra global parameters: pointer types (``"scalar*"``) are
        arrays set from Python; plain types are scalars.

    Returns
    -------
    InitToeplitzConnectivitySnippetBase
        The one instance of a new subclass of ``InitToeplitzConnectivitySnippetBase`` named ``class_name``.
    """
    params = _legacy("params", params, "param_names", param_names,
                     "create_toeplitz_connect_init_snippet")
    decl = _Declarations(class_name, "Toeplitz connectivity initialisation snippet")
    attributes = _common(decl, params, derived_params, extra_global_params)
    attributes.update(
        _diagonal_build_code=decl.code(diagonal_build_code, "diagonal_build_code"),
        _calc_max_row_length_func=decl.function(calc_max_row_len_func, "calc_max_row_len_func"),
        _calc_kernel_size_func=decl.function(calc_kernel_size_func, "calc_kernel_size_func"))
    return _make(InitToeplitzConnectivitySnippetBase, decl, attributes)
