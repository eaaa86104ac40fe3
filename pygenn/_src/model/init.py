"""Initialisers: which snippet or model to use with which parameter values.

Initialisers check what they can at construction: the snippet or model exists, the parameter,
variable and variable-reference dictionaries name exactly what the model declares. Resolving
variable references to groups is left to the group layer, which knows the groups.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ..errors import did_you_mean
from .descriptors import NumericValue
from .snippets import (CurrentSourceModelBase, CustomConnectivityUpdateModelBase,
                       CustomUpdateModelBase, InitSparseConnectivitySnippetBase,
                       InitToeplitzConnectivitySnippetBase, InitVarSnippetBase, NeuronModelBase,
                       PostsynapticModelBase, SnippetBase, WeightUpdateModelBase)
from .values import check_param_value

# Which module of pygenn._src.model.builtin holds the built-ins of each base
_BUILTIN_MODULES = {
    NeuronModelBase: "neuron_models",
    WeightUpdateModelBase: "weight_update_models",
    PostsynapticModelBase: "postsynaptic_models",
    CurrentSourceModelBase: "current_source_models",
    CustomUpdateModelBase: "custom_update_models",
    CustomConnectivityUpdateModelBase: None,
    InitVarSnippetBase: "init_var_snippets",
    InitSparseConnectivitySnippetBase: "init_sparse_connectivity_snippets",
    InitToeplitzConnectivitySnippetBase: "init_toeplitz_connectivity_snippets",
}


def builtin_table(base: type) -> dict:
    """The built-ins deriving from ``base``, by name (imported on first use)."""
    module_name = _BUILTIN_MODULES[base]
    if module_name is None:
        return {}
    import importlib

    return importlib.import_module(f"{__package__}.builtin.{module_name}").BUILTINS


def resolve_model(model, base: type):
    """A model/snippet object given as itself or as the name of a built-in."""
    if isinstance(model, base):
        return model
    if isinstance(model, str):
        table = builtin_table(base)
        if model in table:
            return table[model]
        raise RuntimeError(f"There is no built-in {base.kind} called '{model}'."
                           + did_you_mean(model, table))
    if isinstance(model, SnippetBase):
        raise TypeError(f"expected a {base.kind} but got the {model.kind} '{model.name}'")
    raise TypeError(f"expected a {base.kind} (a built-in name or an object made by the matching "
                    f"create_* function), not {model!r}")


def _describe(snippet) -> str:
    return f"{snippet.kind} '{snippet.name}'"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _as_mapping(values, where: str, keyword: str) -> Mapping:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise TypeError(f"{where}: '{keyword}' must be a dict mapping names to values, "
                        f"not {values!r}")
    return values


def check_names(declared: list[str], given: Mapping, where: str, noun: str,
                missing: str) -> None:
    """Check that ``given`` has exactly the ``declared`` names, in GeNN's wording.

    ``noun`` is e.g. "parameter" (for "expected 2 parameters but got 3") and ``missing`` the
    phrase for an absent name, e.g. "missing value for parameter".
    """
    unexpected = [name for name in given if name not in declared]
    if len(given) != len(declared):
        detail = ""
        if unexpected:
            detail = f" (unexpected: {', '.join(repr(str(n)) for n in unexpected)})"
        elif declared:
            absent = [name for name in declared if name not in given]
            detail = f" (missing: {', '.join(repr(n) for n in absent)})"
        raise RuntimeError(f"{where}: expected {_plural(len(declared), noun)} but got "
                           f"{len(given)}{detail}")
    for name in declared:
        if name not in given:
            raise RuntimeError(f"{where}: {missing} '{name}'; got '{unexpected[0]}' instead."
                               + did_you_mean(str(unexpected[0]), declared))


def _numeric_value(value, where: str, name: str) -> NumericValue:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    try:
        return NumericValue(value)
    except TypeError:
        raise TypeError(f"{where}: the value of parameter '{name}' must be a number, "
                        f"not {value!r}") from None


def check_params(snippet, params, where: str | None = None) -> dict[str, NumericValue]:
    """Validate a parameter dict against ``snippet.get_params()``; values become NumericValue."""
    where = where or _describe(snippet)
    params = _as_mapping(params, where, "params")
    declared = [param.name for param in snippet.get_params()]
    check_names(declared, params, where, "parameter", "missing value for parameter")
    values = {name: _numeric_value(params[name], where, name) for name in declared}
    for param in snippet.get_params():
        check_param_value(values[param.name].value, param.type,
                          f"{where}: parameter '{param.name}'")
    return values


def to_var_init(value, where: str, name: str):
    """One variable's initial value: VarInit, numpy array (host-provided) or None."""
    if isinstance(value, VarInit) or value is None:
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (numbers.Number, np.bool_)):
        return VarInit(value)
    if isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"{where}: variable '{name}' must be initialised with a number, "
                        f"init_var(...), an array or None, not {value!r}")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = None
    if array is None or array.dtype == object:
        raise TypeError(f"{where}: variable '{name}' must be initialised with a number, "
                        f"init_var(...), an array or None, not {value!r}")
    return array


def check_var_values(declared: list, values, where: str, noun: str = "variable",
                     keyword: str = "vars") -> dict:
    """Validate a variable-initialiser dict against declared ``Var`` records."""
    values = _as_mapping(values, where, keyword)
    names = [var.name for var in declared]
    check_names(names, values, where, noun, f"missing initialiser for {noun}")
    return {name: to_var_init(values[name], where, name) for name in names}


def check_var_refs(declared: list, refs, where: str, noun: str = "variable reference",
                   keyword: str = "var_refs") -> dict:
    """Check the names of a variable-reference dict; values (names or references) kept as given."""
    refs = _as_mapping(refs, where, keyword)
    names = [ref.name for ref in declared]
    check_names(names, refs, where, noun, f"missing value for {noun}")
    for name in names:
        if refs[name] is None:
            raise TypeError(f"{where}: {noun} '{name}' must be a variable name or a reference "
                            f"made by create_*_var_ref, not None")
    return {name: refs[name] for name in names}


def compute_derived_params(snippet, params: Mapping, dt) -> dict[str, NumericValue]:
    """Evaluate the snippet's derived parameters for the given parameter values and timestep."""
    plain = {name: (value.value if isinstance(value, NumericValue) else value)
             for name, value in params.items()}
    result = {}
    for derived in snippet.get_derived_params():
        where = f"derived parameter '{derived.name}' of {_describe(snippet)}"
        try:
            value = derived.func(dict(plain), dt)
        except KeyError as error:
            missing = str(error.args[0]) if error.args else ""
            raise RuntimeError(f"{where} uses unknown parameter '{missing}'."
                               + did_you_mean(missing, plain)) from None
        except Exception as error:
            raise RuntimeError(f"computing {where} failed: {type(error).__name__}: "
                               f"{error}") from error
        result[derived.name] = _derived_value(value, where)
    return result


def _derived_value(value, where: str) -> NumericValue:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    try:
        return NumericValue(int(value) if isinstance(value, (bool, np.bool_)) else value)
    except TypeError:
        raise RuntimeError(f"{where} must return a number, not {value!r}") from None


def plain_values(params: Mapping) -> dict:
    """Parameter dict with plain Python numbers (what user callbacks receive)."""
    return {name: (value.value if isinstance(value, NumericValue) else value)
            for name, value in params.items()}


class _SnippetInit:
    """A snippet with checked parameter values."""

    base: type = SnippetBase

    def __init__(self, snippet, params=None):
        self.snippet = resolve_model(snippet, self.base)
        self.params = check_params(self.snippet, params)

    @property
    def extra_global_params(self) -> dict:
        """The snippet's extra global parameters by name (``EGP`` records)."""
        return {egp.name: egp for egp in self.snippet.get_extra_global_params()}

    def get_snippet(self):
        return self.snippet

    def get_params(self) -> dict[str, NumericValue]:
        return dict(self.params)

    def __repr__(self):
        values = ", ".join(f"{k}={v.value!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({self.snippet.name!r}{', ' if values else ''}{values})"


class VarInit(_SnippetInit):
    """How to initialise one variable: a snippet and its parameters, or a constant.

    ``VarInit(1.5)`` is the built-in ``Constant`` snippet with ``constant=1.5``.
    """

    base = InitVarSnippetBase

    def __init__(self, snippet_or_constant, params=None):
        value = snippet_or_constant
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, (numbers.Number, np.bool_)):
            if params:
                raise TypeError(f"a constant initial value ({value!r}) takes no parameters; "
                                f"got {params!r}")
            super().__init__("Constant", {"constant": value})
        else:
            super().__init__(snippet_or_constant, params)

    @property
    def is_constant(self) -> bool:
        return self.snippet is builtin_table(InitVarSnippetBase)["Constant"]

    @property
    def constant_value(self):
        """The constant (int or float) if this is a constant initialiser, else None."""
        return self.params["constant"].value if self.is_constant else None

    @property
    def is_uninitialised(self) -> bool:
        return self.snippet is builtin_table(InitVarSnippetBase)["Uninitialised"]


class _ConnectivityInit(_SnippetInit):
    def calc_max_row_length(self, num_pre: int, num_post: int):
        """The snippet's row-length bound for these sizes, or None if it has none."""
        func = self.snippet.get_calc_max_row_length_func()
        return None if func is None else int(func(num_pre, num_post, plain_values(self.params)))

    def calc_kernel_size(self):
        """The snippet's kernel shape as a list of ints, or None if it has none."""
        func = self.snippet.get_calc_kernel_size_func()
        return None if func is None else [int(k) for k in func(plain_values(self.params))]


class SparseConnectivityInit(_ConnectivityInit):
    """A sparse connectivity snippet and its parameter values."""

    base = InitSparseConnectivitySnippetBase

    def calc_max_col_length(self, num_pre: int, num_post: int):
        """The snippet's column-length bound for these sizes, or None if it has none."""
        func = self.snippet.get_calc_max_col_length_func()
        return None if func is None else int(func(num_pre, num_post, plain_values(self.params)))


class ToeplitzConnectivityInit(_ConnectivityInit):
    """A Toeplitz connectivity snippet and its parameter values."""

    base = InitToeplitzConnectivitySnippetBase


class PostsynapticInit(_SnippetInit):
    """A postsynaptic model with its parameters, variable initialisers and neuron var refs."""

    base = PostsynapticModelBase

    def __init__(self, snippet, params=None, vars=None, var_refs=None):
        super().__init__(snippet, params)
        where = _describe(self.snippet)
        self.vars = check_var_values(self.snippet.get_vars(), vars, where)
        self.var_refs = check_var_refs(self.snippet.get_neuron_var_refs(), var_refs, where)


class WeightUpdateInit(_SnippetInit):
    """A weight update model with parameters, variable initialisers and local var refs."""

    base = WeightUpdateModelBase

    def __init__(self, snippet, params=None, vars=None, pre_vars=None, post_vars=None,
                 pre_var_refs=None, post_var_refs=None, psm_var_refs=None):
        super().__init__(snippet, params)
        model, where = self.snippet, _describe(self.snippet)
        self.vars = check_var_values(model.get_vars(), vars, where)
        self.pre_vars = check_var_values(model.get_pre_vars(), pre_vars, where,
                                         "presynaptic variable", "pre_vars")
        self.post_vars = check_var_values(model.get_post_vars(), post_vars, where,
                                          "postsynaptic variable", "post_vars")
        self.pre_var_refs = check_var_refs(model.get_pre_neuron_var_refs(), pre_var_refs, where,
                                           "presynaptic variable reference", "pre_var_refs")
        self.post_var_refs = check_var_refs(model.get_post_neuron_var_refs(), post_var_refs,
                                            where, "postsynaptic variable reference",
                                            "post_var_refs")
        self.psm_var_refs = check_var_refs(model.get_psm_var_refs(), psm_var_refs, where,
                                           "postsynaptic model variable reference",
                                           "psm_var_refs")


def init_var(snippet, params=None) -> VarInit:
    """Initialise a variable with a snippet (built-in name or object) and its parameters.

    Parameters
    ----------
    snippet : InitVarSnippetBase or str
        The snippet (``create_var_init_snippet``) or a built-in's name, e.g.
        ``"Uniform"``.
    params : dict, optional
        Value of each of the snippet's parameters.

    Returns
    -------
    VarInit
        For the ``vars`` dicts of ``add_*`` and ``init_*``.
    """
    return VarInit(snippet, params)


def init_sparse_connectivity(snippet, params=None) -> SparseConnectivityInit:
    """Initialise sparse connectivity with a snippet and its parameters.

    Parameters
    ----------
    snippet : InitSparseConnectivitySnippetBase or str
        The snippet (``create_sparse_connect_init_snippet``) or a built-in's name,
        e.g. ``"FixedProbability"``.
    params : dict, optional
        Value of each of the snippet's parameters.

    Returns
    -------
    SparseConnectivityInit
        The ``connectivity_init`` of ``add_synapse_population``.
    """
    return SparseConnectivityInit(snippet, params)


def init_toeplitz_connectivity(init_toeplitz_connect_snippet,
                               params=None) -> ToeplitzConnectivityInit:
    """Initialise Toeplitz connectivity with a snippet and its parameters.

    Parameters
    ----------
    init_toeplitz_connect_snippet : InitToeplitzConnectivitySnippetBase or str
        The snippet (``create_toeplitz_connect_init_snippet``) or a built-in's
        name, e.g. ``"Conv2D"``.
    params : dict, optional
        Value of each of the snippet's parameters.

    Returns
    -------
    ToeplitzConnectivityInit
        The ``connectivity_init`` of a TOEPLITZ ``add_synapse_population``.
    """
    return ToeplitzConnectivityInit(init_toeplitz_connect_snippet, params)


def init_postsynaptic(snippet, params=None, vars=None, var_refs=None) -> PostsynapticInit:
    """A postsynaptic model with its values (GeNN returns a tuple; this object holds them all).

    Parameters
    ----------
    snippet : PostsynapticModelBase or str
        The model (``create_postsynaptic_model``) or a built-in's name, e.g.
        ``"ExpCurr"``.
    params : dict, optional
        Value of each of the model's parameters.
    vars : dict, optional
        Initial value of each of its variables (numbers, arrays or ``init_var``).
    var_refs : dict, optional
        References to variables of the target neuron group (``create_var_ref``).

    Returns
    -------
    PostsynapticInit
        The ``postsynaptic_init`` of ``add_synapse_population``.
    """
    return PostsynapticInit(snippet, params, vars, var_refs)


def init_weight_update(snippet, params=None, vars=None, pre_vars=None, post_vars=None,
                       pre_var_refs=None, post_var_refs=None,
                       psm_var_refs=None) -> WeightUpdateInit:
    """A weight update model with its values (GeNN returns a tuple; this object holds them).

    Parameters
    ----------
    snippet : WeightUpdateModelBase or str
        The model (``create_weight_update_model``) or a built-in's name, e.g.
        ``"StaticPulse"``.
    params : dict, optional
        Value of each of the model's parameters.
    vars : dict, optional
        Initial value of each per-synapse variable (numbers, arrays or ``init_var``).
    pre_vars, post_vars : dict, optional
        Initial values of its presynaptic and postsynaptic variables.
    pre_var_refs, post_var_refs : dict, optional
        References to variables of the source and target neuron groups.
    psm_var_refs : dict, optional
        References to variables of the group's postsynaptic model.

    Returns
    -------
    WeightUpdateInit
        The ``weight_update_init`` of ``add_synapse_population``.
    """
    return WeightUpdateInit(snippet, params, vars, pre_vars, post_vars, pre_var_refs,
                            post_var_refs, psm_var_refs)
