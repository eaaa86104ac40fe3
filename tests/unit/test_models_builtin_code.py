"""Every built-in code string is valid GeNNCode: it scans, parses and type-checks.

The environments below give what GeNN lets each code string see, built by hand so that
these tests do not depend on code generation.
"""
import importlib

import pytest

from pygenn._src.errors import CodeContext
from pygenn._src.lang import (Environment, ForEachSynapse, check_expression, check_statements,
                              parse_expression, parse_statements, rng_function_signatures, scan)
from pygenn._src.lang.types import Double, Float, Uint32, Void
from pygenn._src.model.enums import VarAccessMode, VarAccessModeAttribute
from pygenn._src.model.snippets import (CurrentSourceModelBase, CustomUpdateModelBase,
                                        InitSparseConnectivitySnippetBase,
                                        InitToeplitzConnectivitySnippetBase, InitVarSnippetBase,
                                        NeuronModelBase, PostsynapticModelBase,
                                        WeightUpdateModelBase)

MODULES = ["neuron_models", "weight_update_models", "postsynaptic_models",
           "current_source_models", "custom_update_models", "init_var_snippets",
           "init_sparse_connectivity_snippets", "init_toeplitz_connectivity_snippets"]

EXPRESSION_ROLES = {"threshold_condition_code", "pre_event_threshold_condition_code",
                    "post_event_threshold_condition_code"}


def _builtins():
    for module_name in MODULES:
        module = importlib.import_module(f"pygenn.{module_name}")
        for name in module.__all__:
            yield getattr(module, name)()


CODE_STRINGS = [(model, role, code) for model in _builtins()
                for role, code in model.code_strings().items() if code.strip()]


def _add_declared(env: Environment, model):
    for param in model.get_params() + model.get_derived_params():
        env.add_variable(param.name, param.type, read_only=True)
    for egp in model.get_extra_global_params():
        env.add_array(egp.name, egp.type)


def _add_vars(env: Environment, variables):
    for var in variables:
        read_only = bool(var.access & VarAccessModeAttribute.READ_ONLY)
        env.add_variable(var.name, var.type, read_only=read_only)


def _add_refs(env: Environment, refs):
    for ref in refs:
        env.add_variable(ref.name, ref.type, read_only=ref.access == VarAccessMode.READ_ONLY)


def _add_uint32(env: Environment, names: str):
    for name in names.split():
        env.add_variable(name, Uint32, read_only=True)


def _add_rng(env: Environment, scalar):
    for name, signatures in rng_function_signatures(scalar).items():
        env.add_function(name, signatures)


def _environment(model, role: str, scalar) -> Environment:
    env = Environment(type_context={"scalar": scalar, "timepoint": scalar})
    _add_declared(env, model)
    env.add_variable("dt", "timepoint", read_only=True)
    if not isinstance(model, (InitVarSnippetBase, InitSparseConnectivitySnippetBase,
                              InitToeplitzConnectivitySnippetBase)):
        env.add_variable("t", "timepoint", read_only=True)
        _add_uint32(env, "batch num_batch")
    if isinstance(model, NeuronModelBase):
        _add_uint32(env, "id num_neurons")
        env.add_variable("Isyn", "scalar", read_only=True)
        env.add_variable("st", "timepoint", read_only=True)
        _add_vars(env, model.get_vars())
        _add_rng(env, scalar)
    elif isinstance(model, (PostsynapticModelBase, CurrentSourceModelBase)):
        _add_uint32(env, "id num_neurons")
        env.add_function("injectCurrent", [(Void, ["scalar"])])
        if isinstance(model, PostsynapticModelBase):
            env.add_variable("inSyn", "scalar")
        _add_vars(env, model.get_vars())
        _add_refs(env, model.get_neuron_var_refs())
        _add_rng(env, scalar)
    elif isinstance(model, WeightUpdateModelBase):
        _add_weight_update(env, model, role)
    elif isinstance(model, CustomUpdateModelBase):
        _add_uint32(env, "id num_neurons")
        _add_vars(env, [])
        _add_refs(env, model.get_var_refs())
    elif isinstance(model, InitVarSnippetBase):
        _add_uint32(env, "id_pre id_post id_syn num_pre num_post id_kernel num_batch")
        env.add_variable("value", "scalar")
        _add_rng(env, scalar)
    elif isinstance(model, InitSparseConnectivitySnippetBase):
        _add_uint32(env, "id_pre id_post num_pre num_post id_post_begin id_pre_begin id_thread "
                         "num_threads")
        env.add_function("addSynapse", [(Void, [Uint32], True)])
        _add_rng(env, scalar)
    elif isinstance(model, InitToeplitzConnectivitySnippetBase):
        _add_uint32(env, "id_diag num_pre num_post")
        env.for_each_synapse = ForEachSynapse(_toeplitz_loop, lambda body: body)
    return env


def _toeplitz_loop(env: Environment) -> Environment:
    body = env.child()
    _add_uint32(body, "id_pre")
    body.add_function("addSynapse", [(Void, [Uint32], True)])
    return body


def _add_weight_update(env: Environment, model, role: str):
    timepoint_names = "st_pre prev_st_pre set_pre prev_set_pre st_post prev_st_post set_post " \
                      "prev_set_post"
    for name in timepoint_names.split():
        env.add_variable(name, "timepoint", read_only=True)
    if role.endswith("_syn_code") or role == "synapse_dynamics_code":
        _add_uint32(env, "id_pre id_post id_syn num_pre num_post")
        _add_vars(env, model.get_vars())
        env.add_function("addToPost", [(Void, ["scalar"])])
        env.add_function("addToPostDelay", [(Void, ["scalar", Uint32])])
        env.add_function("addToPre", [(Void, ["scalar"])])
        for ref in model.get_pre_neuron_var_refs() + model.get_post_neuron_var_refs():
            env.add_variable(ref.name, ref.type, read_only=True)
    else:
        _add_uint32(env, "id num_neurons")
        side = "pre" if role.startswith("pre") else "post"
        _add_vars(env, getattr(model, f"get_{side}_vars")())
        _add_refs(env, getattr(model, f"get_{side}_neuron_var_refs")())


def _check(model, role: str, code: str, scalar):
    context = CodeContext(f"built-in {model.kind} '{model.name}' {role}", code, role)
    tokens = scan(code, context)
    env = _environment(model, role, scalar)
    if role in EXPRESSION_ROLES:
        check_expression(parse_expression(tokens, context), env, context)
    else:
        check_statements(parse_statements(tokens, context), env, context)


@pytest.mark.parametrize("scalar", [Float, Double], ids=["float", "double"])
@pytest.mark.parametrize("model, role, code", CODE_STRINGS,
                         ids=[f"{m.name}-{r}" for m, r, _ in CODE_STRINGS])
def test_builtin_code_type_checks(model, role, code, scalar):
    _check(model, role, code, scalar)


def test_neuron_threshold_sees_sim_code_scope():
    # Threshold and reset are checked in the sim code's environment (one shared scope)
    for model in _builtins():
        if isinstance(model, NeuronModelBase):
            env = _environment(model, "sim_code", Float)
            for role in ("sim_code", "reset_code"):
                context = CodeContext(model.name, "", role)
                statements = parse_statements(scan(model.code_strings()[role], context),
                                              context)
                check_statements(statements, env, context)


def test_every_code_string_is_covered():
    # 15 neuron, 7 weight update, 3 postsynaptic, 3 current source, 9 var init, 7 sparse and
    # 2 Toeplitz code strings
    assert len(CODE_STRINGS) == 46


def test_environments_are_not_permissive():
    # Control: the hand-built environments reject what GeNN does not provide
    lif = importlib.import_module("pygenn.neuron_models").LIF()
    with pytest.raises(RuntimeError, match="Undefined identifier"):
        _check(lif, "sim_code", "V = inSyn;", Float)
    with pytest.raises(RuntimeError, match="read-only"):
        _check(lif, "sim_code", "Vthresh = 1.0;", Float)
