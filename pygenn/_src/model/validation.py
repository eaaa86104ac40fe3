"""Rules that model descriptions must follow, as small reusable checks.

Every check raises with a message that names the group, the model and what to change. The
group-specific rules (custom update dimensions, synapse matrix types) are in ``rules.py``.
"""
from __future__ import annotations

import numbers
import re

import numpy as np

from ..errors import CodeContext, InvalidNameError, InvalidNameTypeError, did_you_mean
from . import values as values_module
from .code_roles import WU_CODE_ROLES
from .descriptors import NumericValue
from .enums import VarAccessDim, VarAccessMode
from .groups import declared, model_code, model_name
from .names import check_not_reserved

_POPULATION_NAME = re.compile(r"[A-Za-z0-9_]+\Z")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# ---------------------------------------------------------------------------- names
def check_population_name(name, what: str) -> str:
    """Names of populations, updates and update groups: non-empty, only ASCII [A-Za-z0-9_]
    (as in GeNN, they may start with a digit: they only appear inside generated names), and
    not a C/C++ keyword or standard macro."""
    if not isinstance(name, str):
        raise InvalidNameTypeError(f"{what} name must be a string, not {name!r}")
    if not _POPULATION_NAME.match(name):
        raise InvalidNameError(f"{what} name {name!r} is invalid: names may only contain ASCII "
                               "letters, digits and underscores (they become part of generated "
                               "C names)")
    check_not_reserved(name, f"{what} name")
    return name


def check_identifier(name, what: str) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise InvalidNameError(f"{what} name '{name}' is not a valid C identifier (ASCII "
                               "letters, digits and underscores, not starting with a digit)")
    check_not_reserved(name, f"{what} name")
    return name


_DECLARATION_GETTERS = {
    "get_params": "parameter", "get_derived_params": "derived parameter",
    "get_vars": "variable", "get_pre_vars": "presynaptic variable",
    "get_post_vars": "postsynaptic variable", "get_extra_global_params": "extra global parameter",
    "get_var_refs": "variable reference", "get_pre_var_refs": "presynaptic variable reference",
    "get_post_var_refs": "postsynaptic variable reference",
    "get_neuron_var_refs": "neuron variable reference",
    "get_pre_neuron_var_refs": "presynaptic neuron variable reference",
    "get_post_neuron_var_refs": "postsynaptic neuron variable reference",
    "get_psm_var_refs": "postsynaptic model variable reference",
    "get_extra_global_param_refs": "extra global parameter reference",
    "get_additional_input_vars": "additional input variable",
}


def check_model_declarations(model, owner: str) -> None:
    """All names the model declares must be C identifiers (its class name may be any string:
    it reaches generated sources only through sanitised code markers)."""
    for getter, what in _DECLARATION_GETTERS.items():
        for declaration in declared(model, getter):
            check_identifier(declaration.name, f"{owner} (model {model_name(model)}) {what}")


# ---------------------------------------------------------------------------- dict contents
def _check_names(given: dict, expected: list[str], owner: str, what: str, plural: str,
                 missing_text: str) -> None:
    if not isinstance(given, dict):
        raise TypeError(f"{owner}: {plural} must be given as a dict of name -> value, "
                        f"not {type(given).__name__}")
    for name in given:
        if name not in expected:
            raise RuntimeError(f"{owner}: the model has no {what} '{name}'."
                               + did_you_mean(name, expected))
    if len(given) != len(expected):
        raise RuntimeError(f"{owner}: expected {len(expected)} {plural} but got {len(given)}; "
                           + _missing_message(given, expected, missing_text))


def _missing_message(given: dict, expected: list[str], missing_text: str) -> str:
    missing = [n for n in expected if n not in given]
    return f"{missing_text} {', '.join(repr(n) for n in missing)}"


def check_param_values(given, model, owner: str) -> dict:
    """Exactly the model's parameters, as a dict name -> NumericValue."""
    given = {} if given is None else given
    expected = [p.name for p in declared(model, "get_params")]
    owner = f"{owner} (model {model_name(model)})"
    _check_names(given, expected, owner, "parameter", "parameters", "missing value for parameter")
    values = {}
    for name in expected:
        try:
            values[name] = NumericValue(given[name])
        except TypeError:
            raise TypeError(f"{owner}: parameter '{name}' must be a number, not "
                            f"{given[name]!r}") from None
    for param in declared(model, "get_params"):
        values_module.check_param_value(values[param.name].value, param.type,
                                        f"{owner}: parameter '{param.name}'")
    return values


def check_var_initialisers(given, declarations: list, owner: str,
                           what: str = "variable") -> dict:
    """Exactly one initialiser per declared variable, normalised (see normalise_var_init)."""
    given = {} if given is None else given
    expected = [d.name for d in declarations]
    _check_names(given, expected, owner, what, f"{what}s", f"missing initialiser for {what}")
    inits = {name: normalise_var_init(given[name], f"{owner} {what} '{name}'")
             for name in expected}
    for declaration in declarations:
        values_module.check_init_values(inits[declaration.name], declaration.type,
                                        f"{owner} {what} '{declaration.name}'")
    return inits


def normalise_var_init(value, what: str = "variable"):
    """A VarInit, host values as a numpy array, or None (uninitialised).

    Plain numbers become constant VarInits (device initialisation).
    """
    var_init_class = _var_init_class()
    if value is None or isinstance(value, var_init_class):
        return value
    if hasattr(value, "snippet") and hasattr(value, "params"):
        return value  # a VarInit from another module version
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return var_init_class(value)
    if isinstance(value, bool):
        return var_init_class(int(value))
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return var_init_class(value.item())
    try:
        array = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - any failure means the value is unusable
        raise TypeError(f"{what}: cannot use {value!r} as initial values ({exc})") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise TypeError(f"{what}: initial values must be a number, a sequence of numbers, "
                        f"init_var(...) or None, not {value!r}")
    return array


def _var_init_class():
    from .init import VarInit
    return VarInit


def check_ref_names(given, declarations: list, owner: str, what: str) -> dict:
    given = {} if given is None else given
    expected = [d.name for d in declarations]
    _check_names(given, expected, owner, what, f"{what}s", f"missing {what} for")
    return {name: given[name] for name in expected}


# ---------------------------------------------------------------------------- references
def check_ref_type(declaration, ref, owner: str, spec) -> None:
    """The reference's declared type must resolve to the target's (GeNN compares spellings)."""
    from .refs import same_type
    if not same_type(declaration.type, ref.type, spec):
        raise RuntimeError(
            f"{owner}: Incompatible type for variable reference '{declaration.name}': it is "
            f"declared '{declaration.type}' but {ref.target_description} is '{ref.type}'")


def check_egp_ref_type(declaration, ref, owner: str, spec) -> None:
    from .refs import same_type
    if not same_type(declaration.type, ref.type, spec):
        raise RuntimeError(
            f"{owner}: Incompatible type for extra global parameter reference "
            f"'{declaration.name}': it is declared '{declaration.type}' but extra global "
            f"parameter '{ref.egp_name}' of {ref.group.description} is '{ref.type}'")


def check_local_ref_access(declaration, ref, owner: str) -> None:
    """Local refs (PSM/WU/CS) to variables lacking a dimension must be read-only."""
    full = int(VarAccessDim.ELEMENT) | int(VarAccessDim.BATCH)
    if (int(ref.dims) & full) != full and declaration.access != VarAccessMode.READ_ONLY:
        raise RuntimeError(
            f"{owner}: variable reference '{declaration.name}' points to "
            f"{ref.target_description}, which is shared across neurons or batches, so it must "
            "be declared with VarAccessMode.READ_ONLY")


def is_reduction(mode) -> bool:
    return mode in (VarAccessMode.REDUCE_SUM, VarAccessMode.REDUCE_MAX)


# ---------------------------------------------------------------------------- code strings
_RNG_CALL = re.compile(r"\bgennrand\w*\s*\(|\$\(\s*gennrand")
_ID_KERNEL = re.compile(r"\bid_kernel\b")


def uses_rng(code: str) -> bool:
    return bool(_RNG_CALL.search(code or ""))


def uses_id_kernel(code: str) -> bool:
    return bool(_ID_KERNEL.search(code or ""))


def scan_code(code: str, description: str, role: str, group_name: str) -> None:
    """Scan a code string now so bad characters surface at add/init time, not at build."""
    # Only "" means no code: str.strip() would also drop Unicode spaces and form feeds, which
    # are errors (and which later stages treat as empty code)
    if not code or code in _SCANNED:
        return
    try:
        from ..lang import scan
    except ImportError:  # the language package is not there yet
        return
    scan(code, CodeContext(description=description, source=code, role=role, group=group_name))
    if len(_SCANNED) > 4096:
        _SCANNED.clear()
    _SCANNED.add(code)      # scanned cleanly: the same text in another group needs no rescan


_SCANNED: set = set()


def scan_model(model, codes: dict, owner: str, group_name: str) -> None:
    """Scan each ``getter -> (context suffix, role)`` code string of ``model``."""
    for getter, (suffix, role) in codes.items():
        scan_code(model_code(model, getter), f"{owner} {suffix}", role, group_name)


NEURON_CODES = {"get_sim_code": ("sim code", "sim_code"),
                "get_threshold_condition_code": ("threshold condition code",
                                                 "threshold_condition_code"),
                "get_reset_code": ("reset code", "reset_code")}
WU_CODES = {role.getter: (role.wording, role.name) for role in WU_CODE_ROLES}
PSM_CODES = {"get_sim_code": ("postsynaptic model apply sim code", "sim_code")}
CS_CODES = {"get_injection_code": ("injection code", "injection_code")}
CU_CODES = {"get_update_code": ("update code", "update_code")}
CCU_CODES = {"get_row_update_code": ("row update code", "row_update_code"),
             "get_host_update_code": ("host update code", "host_update_code")}
SPARSE_CODES = {"get_row_build_code": ("sparse connectivity row build code", "row_build_code"),
                "get_col_build_code": ("sparse connectivity col build code", "col_build_code")}
TOEPLITZ_CODES = {"get_diagonal_build_code": ("toeplitz connectivity diagonal build code",
                                              "diagonal_build_code")}


def scan_var_inits(initialisers: dict, owner: str, group_name: str) -> None:
    for name, init in initialisers.items():
        snippet = getattr(init, "snippet", None)
        if snippet is not None:
            scan_code(model_code(snippet, "get_code"), f"{owner} variable '{name}' init code",
                      "var_init_code", group_name)


# ---------------------------------------------------------------------------- models
#: kind -> (base class name in snippets.py, built-in table module in builtin/)
MODEL_KINDS = {
    "neuron": ("NeuronModelBase", "neuron_models"),
    "weight_update": ("WeightUpdateModelBase", "weight_update_models"),
    "postsynaptic": ("PostsynapticModelBase", "postsynaptic_models"),
    "current_source": ("CurrentSourceModelBase", "current_source_models"),
    "custom_update": ("CustomUpdateModelBase", "custom_update_models"),
    "custom_connectivity_update": ("CustomConnectivityUpdateModelBase",
                                   "custom_connectivity_update_models"),
}


def resolve_model(value, kind: str):
    """A model instance from a built-in name string or an instance of the kind's base class.

    Anything else raises ``Exception("Invalid snippet")`` as GeNN does, with what to pass.
    """
    from . import snippets

    base_name, table = MODEL_KINDS[kind]
    base = getattr(snippets, base_name)
    if isinstance(value, str):
        value = _builtin_model(value, table, kind)
    if not isinstance(value, base):
        raise Exception(f"Invalid snippet: expected the name of a built-in "
                        f"{kind.replace('_', ' ')} model or a {base_name} (e.g. from "
                        f"create_{kind}_model), not {value!r}")
    return value


def _builtin_model(name: str, table: str, kind: str):
    import importlib

    try:
        builtins = importlib.import_module(f"{__package__}.builtin.{table}").BUILTINS
    except (ImportError, AttributeError):
        builtins = {}
    if name not in builtins:
        raise Exception(f"Invalid snippet: there is no built-in {kind.replace('_', ' ')} model "
                        f"'{name}'." + did_you_mean(name, builtins))
    model = builtins[name]
    return model() if isinstance(model, type) or (callable(model) and not hasattr(
        model, "get_params")) else model


def user_call_site() -> str | None:
    """"file.py:42" of the innermost stack frame outside the pygenn package."""
    import os
    import sys

    package_dir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(package_dir + os.sep):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return None
