"""The create_* factories: descriptor formats, getters, legacy keywords, errors."""
import pytest

from pygenn._src.lang.types import Float, Uint32
from pygenn._src.model.descriptors import (EGP, AdditionalInputVar, CustomUpdateVar, EGPRef,
                                           Param, Var, VarRef)
from pygenn._src.model.enums import CustomUpdateVarAccess, VarAccess, VarAccessMode
from pygenn._src.model.factories import (
    create_current_source_model, create_custom_connectivity_update_model,
    create_custom_update_model, create_neuron_model, create_postsynaptic_model,
    create_sparse_connect_init_snippet, create_toeplitz_connect_init_snippet,
    create_var_init_snippet, create_weight_update_model)
from pygenn._src.model.snippets import (
    CurrentSourceModelBase, CustomConnectivityUpdateModelBase, CustomUpdateModelBase,
    InitSparseConnectivitySnippetBase, InitToeplitzConnectivitySnippetBase, InitVarSnippetBase,
    NeuronModelBase, PostsynapticModelBase, WeightUpdateModelBase)


def _names(records):
    return [r.name for r in records]


# -- descriptor formats --------------------------------------------------------------------------
def test_param_formats():
    model = create_neuron_model("N", params=["a", ("b", "int"), ("c", Float), Param("d")])
    assert model.get_params() == [Param("a"), Param("b", "int"), Param("c", Float), Param("d")]
    assert str(model.get_params()[0].type) == "scalar"


def test_derived_param_formats():
    def f(pars, dt):
        return pars["a"] * dt

    model = create_neuron_model("N", params=["a"],
                                derived_params=[("x", f), ("y", f, "double")])
    x, y = model.get_derived_params()
    assert (x.name, x.func, str(x.type)) == ("x", f, "scalar")
    assert (y.name, str(y.type)) == ("y", "double")


def test_var_formats_and_default_access():
    model = create_neuron_model("N", vars=[("V", "scalar"),
                                           ("n", "unsigned int", VarAccess.READ_ONLY),
                                           ("m", Uint32, "READ_ONLY_DUPLICATE")])
    assert model.get_vars() == [Var("V", "scalar"), Var("n", "unsigned int", VarAccess.READ_ONLY),
                                Var("m", Uint32, VarAccess.READ_ONLY_DUPLICATE)]
    assert model.get_vars()[0].access == VarAccess.READ_WRITE


def test_egp_type_must_be_a_pointer_string_or_a_type_object():
    model = create_neuron_model("N", extra_global_params=[("a", "scalar*"), ("b", "uint32_t *"),
                                                          ("c", Uint32)])
    assert model.get_extra_global_params() == [EGP("a", "scalar"), EGP("b", "uint32_t"),
                                               EGP("c", Uint32)]


def test_non_array_egp_is_rejected():
    with pytest.raises(RuntimeError, match="extra global parameter 'k' of neuron model 'N' has "
                                           "type 'scalar': non-array extra global parameters "
                                           "are no longer supported; use dynamic parameters"):
        create_neuron_model("N", extra_global_params=[("k", "scalar")])


def test_additional_input_vars():
    model = create_neuron_model("N", additional_input_vars=[("Isyn2", "scalar", 0.5)])
    assert model.get_additional_input_vars() == [AdditionalInputVar("Isyn2", "scalar", 0.5)]


# -- every factory and its getters ---------------------------------------------------------------
def test_neuron_model_getters():
    model = create_neuron_model("Mine", params=["a"], vars=[("V", "scalar")],
                                sim_code="V += a;", threshold_condition_code="V > 1.0",
                                reset_code="V = 0.0;", auto_refractory_required=True)
    assert isinstance(model, NeuronModelBase) and type(model).__name__ == "Mine"
    assert (model.get_sim_code(), model.get_threshold_condition_code(),
            model.get_reset_code()) == ("V += a;", "V > 1.0", "V = 0.0;")
    assert model.is_auto_refractory_required() is True
    assert model.get_extra_global_params() == [] and model.get_derived_params() == []


def test_each_call_makes_a_new_class():
    first, second = create_neuron_model("Same"), create_neuron_model("Same")
    assert type(first) is not type(second)


def test_unspecified_getters_are_empty():
    model = create_weight_update_model("W")
    assert all(code == "" for code in model.code_strings().values())
    assert model.get_vars() == model.get_pre_vars() == model.get_psm_var_refs() == []
    assert create_neuron_model("N").is_auto_refractory_required() is False


def test_weight_update_model_getters():
    model = create_weight_update_model(
        "W", params=["a"], vars=[("g", "scalar")], pre_vars=[("x", "scalar")],
        post_vars=[("y", "scalar")], pre_neuron_var_refs=[("Vpre", "scalar")],
        post_neuron_var_refs=[("Vpost", "scalar", VarAccessMode.READ_ONLY)],
        psm_var_refs=[("ps", "scalar")],
        pre_spike_syn_code="addToPost(g);", pre_event_syn_code="addToPost(a);",
        post_event_syn_code="addToPre(a);", post_spike_syn_code="g += 1.0;",
        synapse_dynamics_code="g *= 0.9;", pre_event_threshold_condition_code="x > 1.0",
        post_event_threshold_condition_code="y > 1.0", pre_spike_code="x += 1.0;",
        post_spike_code="y += 1.0;", pre_dynamics_code="x *= 0.5;", post_dynamics_code="y *= 0.5;")
    assert isinstance(model, WeightUpdateModelBase)
    assert model.code_strings() == {
        "pre_spike_syn_code": "addToPost(g);", "pre_event_syn_code": "addToPost(a);",
        "post_event_syn_code": "addToPre(a);", "post_spike_syn_code": "g += 1.0;",
        "synapse_dynamics_code": "g *= 0.9;", "pre_event_threshold_condition_code": "x > 1.0",
        "post_event_threshold_condition_code": "y > 1.0", "pre_spike_code": "x += 1.0;",
        "post_spike_code": "y += 1.0;", "pre_dynamics_code": "x *= 0.5;",
        "post_dynamics_code": "y *= 0.5;"}
    assert model.get_pre_spike_syn_code() == "addToPost(g);"
    assert model.get_post_dynamics_code() == "y *= 0.5;"
    assert _names(model.get_pre_vars()) == ["x"] and _names(model.get_post_vars()) == ["y"]
    assert model.get_pre_neuron_var_refs() == [VarRef("Vpre", "scalar")]
    assert model.get_post_neuron_var_refs() == [VarRef("Vpost", "scalar",
                                                       VarAccessMode.READ_ONLY)]
    assert model.get_psm_var_refs() == [VarRef("ps", "scalar")]


def test_postsynaptic_model_getters():
    model = create_postsynaptic_model("P", params=["tau"], vars=[("x", "scalar")],
                                      neuron_var_refs=[("V", "scalar", VarAccessMode.READ_ONLY)],
                                      sim_code="injectCurrent(inSyn);")
    assert isinstance(model, PostsynapticModelBase)
    assert model.get_sim_code() == "injectCurrent(inSyn);"
    assert _names(model.get_vars()) == ["x"] and _names(model.get_neuron_var_refs()) == ["V"]


def test_current_source_neuron_var_refs_work():
    # GeNN 5.4 fails here (get_neuron_var_refs names an undefined variable); we make it work
    model = create_current_source_model("CS", neuron_var_refs=[("V", "scalar")],
                                        injection_code="injectCurrent(-V);")
    assert isinstance(model, CurrentSourceModelBase)
    assert model.get_neuron_var_refs() == [VarRef("V", "scalar")]
    assert model.get_injection_code() == "injectCurrent(-V);"


def test_custom_update_model_getters():
    model = create_custom_update_model(
        "CU", vars=[("s", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM), ("r", "scalar")],
        var_refs=[("v", "scalar", VarAccessMode.READ_ONLY)],
        extra_global_param_refs=[("e", "scalar*")], update_code="s = v;")
    assert isinstance(model, CustomUpdateModelBase)
    assert model.get_vars() == [
        CustomUpdateVar("s", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM),
        CustomUpdateVar("r", "scalar")]
    assert model.get_var_refs() == [VarRef("v", "scalar", VarAccessMode.READ_ONLY)]
    assert model.get_extra_global_param_refs() == [EGPRef("e", "scalar")]
    assert model.get_update_code() == "s = v;"


def test_custom_update_var_access_must_be_custom_update_var_access():
    with pytest.raises(TypeError, match="variable 's' of custom update model 'CU': access must "
                                        "be a CustomUpdateVarAccess"):
        create_custom_update_model("CU", vars=[("s", "scalar", VarAccess.READ_ONLY)])


def test_custom_connectivity_update_model_getters():
    model = create_custom_connectivity_update_model(
        "CCU", params=["p"], vars=[("a", "scalar")], pre_vars=[("b", "scalar")],
        post_vars=[("c", "scalar")], var_refs=[("d", "scalar")], pre_var_refs=[("e", "scalar")],
        post_var_refs=[("f", "scalar")], extra_global_param_refs=[("h", "scalar*")],
        row_update_code="for_each_synapse { }", host_update_code="")
    assert isinstance(model, CustomConnectivityUpdateModelBase)
    assert [_names(getter()) for getter in (
        model.get_vars, model.get_pre_vars, model.get_post_vars, model.get_var_refs,
        model.get_pre_var_refs, model.get_post_var_refs,
        model.get_extra_global_param_refs)] == [["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["h"]]
    assert model.get_row_update_code() == "for_each_synapse { }"
    assert model.get_host_update_code() == ""


def test_var_init_snippet_getters():
    snippet = create_var_init_snippet("I", params=["c"], var_init_code="value = c;")
    assert isinstance(snippet, InitVarSnippetBase)
    assert snippet.get_code() == "value = c;" and _names(snippet.get_params()) == ["c"]


def test_sparse_connect_init_snippet_getters():
    def row(num_pre, num_post, pars):
        return 3

    def kernel(pars):
        return [2, 2]

    snippet = create_sparse_connect_init_snippet(
        "S", row_build_code="addSynapse(0);", col_build_code="addSynapse(1);",
        calc_max_row_len_func=row, calc_max_col_len_func=row, calc_kernel_size_func=kernel)
    assert isinstance(snippet, InitSparseConnectivitySnippetBase)
    assert snippet.get_row_build_code() == "addSynapse(0);"
    assert snippet.get_col_build_code() == "addSynapse(1);"
    assert snippet.get_host_init_code() == ""
    assert snippet.get_calc_max_row_length_func() is row
    assert snippet.get_calc_max_col_length_func() is row
    assert snippet.get_calc_kernel_size_func() is kernel
    assert create_sparse_connect_init_snippet("E").get_calc_max_row_length_func() is None


def test_toeplitz_connect_init_snippet_getters():
    snippet = create_toeplitz_connect_init_snippet(
        "T", params=[("k", "int")], diagonal_build_code="for_each_synapse { }",
        calc_max_row_len_func=lambda num_pre, num_post, pars: 9,
        calc_kernel_size_func=lambda pars: [3, 3])
    assert isinstance(snippet, InitToeplitzConnectivitySnippetBase)
    assert snippet.get_diagonal_build_code() == "for_each_synapse { }"
    assert snippet.get_calc_max_row_length_func()(1, 1, {}) == 9
    assert snippet.get_calc_kernel_size_func()({}) == [3, 3]


def test_non_callable_function_is_rejected():
    with pytest.raises(TypeError, match="'calc_max_row_len_func' of sparse connectivity "
                                        "initialisation snippet 'S' must be a function"):
        create_sparse_connect_init_snippet("S", calc_max_row_len_func=3)


# -- legacy keywords -----------------------------------------------------------------------------
LEGACY_KEYWORDS = [
    (create_neuron_model, "param_names", ["a"], "get_params"),
    (create_neuron_model, "var_name_types", [("V", "scalar")], "get_vars"),
    (create_weight_update_model, "pre_var_name_types", [("x", "scalar")], "get_pre_vars"),
    (create_weight_update_model, "post_var_name_types", [("y", "scalar")], "get_post_vars"),
    (create_postsynaptic_model, "param_names", ["a"], "get_params"),
    (create_postsynaptic_model, "var_name_types", [("V", "scalar")], "get_vars"),
    (create_current_source_model, "param_names", ["a"], "get_params"),
    (create_current_source_model, "var_name_types", [("V", "scalar")], "get_vars"),
    (create_custom_update_model, "param_names", ["a"], "get_params"),
    (create_custom_update_model, "var_name_types", [("V", "scalar")], "get_vars"),
    (create_var_init_snippet, "param_names", ["a"], "get_params"),
    (create_sparse_connect_init_snippet, "param_names", ["a"], "get_params"),
    (create_toeplitz_connect_init_snippet, "param_names", ["a"], "get_params"),
]


@pytest.mark.parametrize("factory, keyword, value, getter", LEGACY_KEYWORDS)
def test_legacy_declaration_keywords(factory, keyword, value, getter):
    with pytest.warns(FutureWarning, match=f"'{keyword}' argument of {factory.__name__}"):
        model = factory("Old", **{keyword: value})
    assert [r.name for r in getattr(model, getter)()] == [
        v if isinstance(v, str) else v[0] for v in value]


WU_LEGACY_CODE = [
    ("sim_code", "pre_spike_syn_code", {}),
    ("learn_post_code", "post_spike_syn_code", {}),
    ("event_code", "pre_event_syn_code", {"pre_event_threshold_condition_code": "t > 1.0"}),
    ("event_threshold_condition_code", "pre_event_threshold_condition_code",
     {"pre_event_syn_code": "addToPost(1.0);"}),
]


@pytest.mark.parametrize("old, new, extra", WU_LEGACY_CODE)
def test_legacy_weight_update_code_keywords(old, new, extra):
    with pytest.warns(FutureWarning, match=f"'{old}' argument .* use '{new}'"):
        model = create_weight_update_model("W", **{old: "x;"}, **extra)
    assert model.code_strings()[new] == "x;"


def test_old_and_new_keyword_together_is_an_error():
    with pytest.raises(TypeError, match="got both 'params' and its deprecated spelling "
                                        "'param_names'"):
        create_neuron_model("N", params=["a"], param_names=["a"])


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("old", ["decay_code", "apply_input_code"])
def test_postsynaptic_split_code_is_rejected(old):
    with pytest.raises(RuntimeError, match=f"'{old}' of postsynaptic model 'P' is no longer "
                                           f"supported: write a single 'sim_code'"):
        create_postsynaptic_model("P", **{old: "inSyn = 0.0;"})


@pytest.mark.parametrize("side", ["pre", "post"])
def test_event_threshold_without_event_code(side):
    with pytest.raises(RuntimeError, match=f"weight update model 'W' has "
                                           f"'{side}_event_threshold_condition_code' but no "
                                           f"'{side}_event_syn_code'"):
        create_weight_update_model("W", **{f"{side}_event_threshold_condition_code": "t > 1.0"})


@pytest.mark.parametrize("side", ["pre", "post"])
def test_event_code_without_event_threshold(side):
    with pytest.raises(RuntimeError, match=f"has '{side}_event_syn_code' but no "
                                           f"'{side}_event_threshold_condition_code'"):
        create_weight_update_model("W", **{f"{side}_event_syn_code": "addToPre(1.0);"})


@pytest.mark.parametrize("name", ["1a", "a-b", "a b", ""])
def test_invalid_names(name):
    with pytest.raises(RuntimeError, match=f"parameter name '{name}' of neuron model 'N' is "
                                           f"not a valid C identifier"):
        create_neuron_model("N", params=[name])


def test_leading_underscore_is_reserved():
    with pytest.raises(RuntimeError, match="variable name '_x' of neuron model 'N' starts with "
                                           "'_', which is reserved"):
        create_neuron_model("N", vars=[("_x", "scalar")])


def test_keyword_names_are_rejected():
    with pytest.raises(RuntimeError, match="parameter name 'int' of neuron model 'N' is a "
                                           "GeNNCode keyword or type name"):
        create_neuron_model("N", params=["int"])


def test_non_string_name_is_rejected():
    with pytest.raises(TypeError, match="parameter name 3 of neuron model 'N' must be a string"):
        create_neuron_model("N", params=[(3, "scalar")])


def test_duplicate_names_are_rejected():
    with pytest.raises(RuntimeError, match="neuron model 'N' declares the name 'a' twice \\(as "
                                           "parameter and as variable\\)"):
        create_neuron_model("N", params=["a"], vars=[("a", "scalar")])


def test_unknown_type_names_model_and_item():
    with pytest.raises(RuntimeError, match="variable 'V' of neuron model 'N': Unknown numeric "
                                           "type specifier 'scalr'"):
        create_neuron_model("N", vars=[("V", "scalr")])


def test_bad_access_gets_did_you_mean():
    with pytest.raises(TypeError, match="access must be a VarAccess, not 'READ_ONLYY'. Did you "
                                        "mean 'READ_ONLY'"):
        create_neuron_model("N", vars=[("V", "scalar", "READ_ONLYY")])


def test_malformed_entries_are_rejected():
    with pytest.raises(TypeError, match="each entry of 'vars' of neuron model 'N' must be a "
                                        "\\('name', type\\)"):
        create_neuron_model("N", vars=["V"])
    with pytest.raises(TypeError, match="each entry of 'extra_global_params' of neuron model "
                                        "'N' must be a \\('name', 'type\\*'\\) tuple"):
        create_neuron_model("N", extra_global_params=[("a", "scalar*", 1)])
    with pytest.raises(TypeError, match="each entry of 'additional_input_vars' of neuron model "
                                        "'N' must be a \\('name', type, initial_value\\) tuple"):
        create_neuron_model("N", additional_input_vars=[("I", "scalar")])


def test_lists_must_be_lists():
    with pytest.raises(TypeError, match="'params' of neuron model 'N' must be a list"):
        create_neuron_model("N", params="a")


def test_derived_param_needs_a_function():
    with pytest.raises(TypeError, match="derived parameter 'x' of neuron model 'N' needs a "
                                        "function f\\(pars, dt\\)"):
        create_neuron_model("N", derived_params=[("x", 3.0)])


def test_egp_type_must_be_a_type():
    with pytest.raises(TypeError, match="extra global parameter 'e' of neuron model 'N': type "
                                        "must be a string such as 'scalar\\*'"):
        create_neuron_model("N", extra_global_params=[("e", 3)])


def test_class_name_must_be_a_string():
    with pytest.raises(TypeError, match="the class name of a neuron model must be a non-empty "
                                        "string"):
        create_neuron_model(None)
