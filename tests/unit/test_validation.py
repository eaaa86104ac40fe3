"""Every model-definition rule GeNN enforces (at add or build time), each with its message."""
import numpy as np
import pytest

from pygenn import (CustomUpdateVarAccess, VarAccessMode, VarLocation,
                    create_custom_update_model, create_egp_ref, create_neuron_model,
                    create_toeplitz_connect_init_snippet,
                    create_var_init_snippet, create_var_ref, create_weight_update_model,
                    create_wu_pre_var_ref, create_wu_var_ref, init_postsynaptic,
                    init_sparse_connectivity, init_toeplitz_connectivity, init_var,
                    init_weight_update)
from pygenn._src.model import snippets
from pygenn._src.model.descriptors import Param

import _spec_fixtures as fx

LIF = ("LIF", fx.LIF_PARAMS, fx.LIF_VARS)


# ============================================================================ names
@pytest.mark.parametrize("name", ["", "with space", "dash-ed", "dot.ted"])
def test_invalid_population_name(name):
    with pytest.raises(RuntimeError, match="Neuron group name '.*' is invalid"):
        fx.model().add_neuron_population(name, 2, *LIF)


def test_population_name_may_start_with_digit():
    assert fx.model().add_neuron_population("1st", 2, *LIF).name == "1st"


def test_population_name_must_be_string():
    with pytest.raises(TypeError, match="Neuron group name must be a string"):
        fx.model().add_neuron_population(3, 2, *LIF)


def test_invalid_custom_update_group_name():
    m = fx.model()
    ng = m.add_neuron_population("A", 2, *LIF)
    with pytest.raises(RuntimeError, match="Custom update group name 'a b' is invalid"):
        m.add_custom_update("CU", "a b", fx.SCALE, {"f": 1.0}, {}, {"X": create_var_ref(ng, "V")})


def test_duplicate_names_per_kind():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="Cannot add a neuron group with duplicate name 'Pre'"):
        m.add_neuron_population("Pre", 2, *LIF)
    fx.dense(m, "S", pre, post)
    with pytest.raises(RuntimeError, match="Cannot add a synapse group with duplicate name"):
        fx.dense(m, "S", pre, post)
    m.add_current_source("CS", "DC", pre, {"amp": 1.0})
    with pytest.raises(RuntimeError, match="Cannot add a current source with duplicate name"):
        m.add_current_source("CS", "DC", pre, {"amp": 1.0})
    m.add_custom_update("CU", "G", fx.SCALE, {"f": 1.0}, {}, {"X": create_var_ref(pre, "V")})
    with pytest.raises(RuntimeError, match="Cannot add a custom update with duplicate name"):
        m.add_custom_update("CU", "G", fx.SCALE, {"f": 1.0}, {},
                            {"X": create_var_ref(pre, "V")})
    # names are unique across kinds too: runtime arrays are keyed by population name, so a
    # current source named like a neuron group would share its arrays (issue 12)
    with pytest.raises(RuntimeError, match="duplicate name 'Pre'.*Neuron group 'Pre'"):
        m.add_current_source("Pre", "DC", pre, {"amp": 1.0})


def test_duplicate_custom_connectivity_update_name():
    m = fx.model()
    sg = fx.sparse(m)
    model = fx.create_custom_connectivity_update_model("Empty", row_update_code="")
    m.add_custom_connectivity_update("C", "G", sg, model)
    with pytest.raises(RuntimeError, match="Cannot add a custom connectivity update with "
                                           "duplicate name 'C'"):
        m.add_custom_connectivity_update("C", "G", sg, model)


def test_declared_names_must_be_identifiers():
    class BadNeuron(snippets.NeuronModelBase):
        _params = (Param("1a"),)

    with pytest.raises(RuntimeError, match=r"parameter name '1a' is not a valid C identifier"):
        fx.model().add_neuron_population("A", 2, BadNeuron(), {"1a": 1.0})


@pytest.mark.parametrize("num", [0, -1, 2.5, True])
def test_num_neurons_must_be_positive_integer(num):
    with pytest.raises(ValueError, match="number of neurons must be a positive integer"):
        fx.model().add_neuron_population("A", num, *LIF)


# ============================================================================ models
def test_invalid_snippet():
    with pytest.raises(Exception, match="Invalid snippet: expected the name of a built-in "
                                        "neuron model"):
        fx.model().add_neuron_population("A", 2, 42, {}, {})


def test_unknown_builtin_name_suggests_close_match():
    with pytest.raises(Exception, match="no built-in neuron model 'LIFF'. Did you mean 'LIF'"):
        fx.model().add_neuron_population("A", 2, "LIFF", {}, {})


def test_wrong_kind_of_model():
    with pytest.raises(Exception, match="Invalid snippet"):
        fx.model().add_neuron_population("A", 2, fx.SCALE, {}, {})


# ============================================================================ params and vars
def test_param_count_mismatch():
    params = dict(fx.LIF_PARAMS)
    del params["TauM"]
    with pytest.raises(RuntimeError, match="Neuron group 'A' \\(model LIF\\): expected 7 "
                                           "parameters but got 6; missing value for parameter "
                                           "'TauM'"):
        fx.model().add_neuron_population("A", 2, "LIF", params, fx.LIF_VARS)


def test_unknown_param_did_you_mean():
    params = dict(fx.LIF_PARAMS)
    params["Vrst"] = params.pop("Vrest")
    with pytest.raises(RuntimeError, match="has no parameter 'Vrst'. Did you mean 'Vrest'"):
        fx.model().add_neuron_population("A", 2, "LIF", params, fx.LIF_VARS)


def test_param_must_be_number():
    params = dict(fx.LIF_PARAMS, C="one")
    with pytest.raises(TypeError, match="parameter 'C' must be a number"):
        fx.model().add_neuron_population("A", 2, "LIF", params, fx.LIF_VARS)


def test_params_must_be_dict():
    with pytest.raises(TypeError, match="parameters must be given as a dict"):
        fx.model().add_neuron_population("A", 2, "LIF", [1.0], fx.LIF_VARS)


def test_var_count_mismatch():
    with pytest.raises(RuntimeError, match="expected 2 variables but got 1; missing initialiser "
                                           "for variable 'RefracTime'"):
        fx.model().add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS, {"V": 0.0})


def test_unknown_var_did_you_mean():
    with pytest.raises(RuntimeError, match="has no variable 'RefracTim'. Did you mean "
                                           "'RefracTime'"):
        fx.model().add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS,
                                         {"V": 0.0, "RefracTim": 0.0})


def test_bad_initial_values():
    with pytest.raises(TypeError, match="initial values must be a number, a sequence"):
        fx.model().add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS,
                                         {"V": "zero", "RefracTime": 0.0})


def test_current_source_var_and_param_sets():
    m = fx.model()
    ng = m.add_neuron_population("A", 2, *LIF)
    with pytest.raises(RuntimeError, match="Current source 'CS' \\(model PoissonExp\\): "
                                           "expected 1 variables but got 0"):
        m.add_current_source("CS", "PoissonExp", ng,
                             {"weight": 1.0, "tauSyn": 1.0, "rate": 1.0}, {})
    with pytest.raises(RuntimeError, match="expected 1 parameters but got 0"):
        m.add_current_source("CS", "DC", ng, {})


def test_custom_update_var_set():
    model = create_custom_update_model("WithVar", vars=[("a", "scalar")],
                                       var_refs=[("X", "scalar")])
    m = fx.model()
    ng = m.add_neuron_population("A", 2, *LIF)
    with pytest.raises(RuntimeError, match="Custom update 'CU' \\(model WithVar\\): expected 1 "
                                           "variables but got 0"):
        m.add_custom_update("CU", "G", model, {}, {}, {"X": create_var_ref(ng, "V")})


def test_ccu_pre_var_set():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.sparse(m, pre=pre, post=post)
    with pytest.raises(RuntimeError, match="expected 1 presynaptic variables but got 0"):
        m.add_custom_connectivity_update("C", "G", sg, fx.CCU, {}, {"c": 0.0}, {}, {"q": 0.0},
                                         {"g": create_wu_var_ref(sg, "g")},
                                         {"vp": create_var_ref(pre, "U")})


@pytest.mark.parametrize("call, message", [
    (lambda ng: ng.set_param_dynamic("Tau"), "Neuron group 'A' \\(model LIF\\) has no "
                                             "parameter 'Tau' to make dynamic"),
    (lambda ng: ng.set_var_location("Refrac", VarLocation.DEVICE),
     "Neuron group 'A' has no variable 'Refrac'. Did you mean 'RefracTime'"),
    (lambda ng: ng.get_var_location("W"), "has no variable 'W'"),
])
def test_unknown_names_in_group_setters(call, message):
    ng = fx.model().add_neuron_population("A", 2, *LIF)
    with pytest.raises(RuntimeError, match=message):
        call(ng)


def test_unknown_names_in_synapse_setters():
    sg = fx.dense(fx.model())
    with pytest.raises(RuntimeError, match="weight update model \\(StaticPulse\\) has no "
                                           "parameter 'g'"):
        sg.set_wu_param_dynamic("g")
    with pytest.raises(RuntimeError, match="postsynaptic model \\(DeltaCurr\\) has no parameter"):
        sg.set_ps_param_dynamic("tau")
    with pytest.raises(RuntimeError, match="has no postsynaptic model variable 'z'"):
        sg.set_ps_var_location("z", VarLocation.DEVICE)
    with pytest.raises(RuntimeError, match="has no weight update model presynaptic variable"):
        sg.set_wu_pre_var_location("x", VarLocation.DEVICE)


# ============================================================================ local references
def _exp_cond(var_refs):
    return init_postsynaptic("ExpCond", {"tau": 5.0, "E": 0.0}, var_refs=var_refs)


def test_local_ref_string_resolves_to_target():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.dense(m, pre=pre, post=post, ps=_exp_cond({"V": "V"}))
    assert sg.ps_neuron_var_refs["V"].group is post


def test_local_ref_to_wrong_group():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="variable reference 'V' can only point to the "
                                           "postsynaptic neuron group \\(Neuron group 'Post'\\)"):
        fx.dense(m, pre=pre, post=post, ps=_exp_cond({"V": create_var_ref(pre, "V")}))


def test_local_ref_unknown_variable():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="Variable 'W' not found in Neuron group 'Post'"):
        fx.dense(m, pre=pre, post=post, ps=_exp_cond({"V": "W"}))


def test_local_ref_type_must_match():
    m = fx.model()
    ssa = m.add_neuron_population("A", 2, "SpikeSourceArray", {},
                                  {"startSpike": 0, "endSpike": 0})
    pre, _ = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="Incompatible type for variable reference 'V': it "
                                           "is declared 'scalar' but variable 'startSpike' of "
                                           "Neuron group 'A' is 'unsigned int'"):
        m.add_synapse_population("S", "DENSE", pre, ssa, fx.static_pulse(),
                                 _exp_cond({"V": "startSpike"}))


def test_scalar_reference_to_float_variable_is_accepted():
    # resolved types are compared (GeNN 5.4 compares spellings, so scalar != float there)
    neuron = create_neuron_model("F", vars=[("V", "float")])
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    post = m.add_neuron_population("FloatPost", 2, neuron, {}, {"V": 0.0})
    sg = m.add_synapse_population("S", "DENSE", pre, post, fx.static_pulse(),
                                  _exp_cond({"V": "V"}))
    assert sg.ps_neuron_var_refs["V"].var_name == "V"
    double = fx.GeNNModel("double", "d")
    pre = double.add_neuron_population("Pre", 2, *LIF)
    post = double.add_neuron_population("Post", 2, neuron, {}, {"V": 0.0})
    with pytest.raises(RuntimeError, match="Incompatible type for variable reference 'V': it "
                                           "is declared 'scalar'"):
        double.add_synapse_population("S", "DENSE", pre, post, fx.static_pulse(),
                                      _exp_cond({"V": "V"}))


def test_local_ref_to_shared_variable_must_be_read_only():
    psm = fx.create_postsynaptic_model("RW", neuron_var_refs=[("X", "scalar")],
                                       sim_code="injectCurrent(X);")
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="variable reference 'X' points to variable 'U' of "
                                           "Neuron group 'Post', which is shared across neurons "
                                           "or batches, so it must be declared with "
                                           "VarAccessMode.READ_ONLY"):
        fx.dense(m, pre=pre, post=post, ps=init_postsynaptic(psm, var_refs={"X": "U"}))
    assert fx.dense(m, pre=pre, post=post, ps=init_postsynaptic(psm, var_refs={"X": "V"}))


def test_wu_pre_and_post_refs_resolve_to_source_and_target():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    wu = init_weight_update(fx.WU_PLAST, {}, {"g": 0.0}, {"x": 0.0}, {"y": 0.0},
                            pre_var_refs={"Vpre": "V"}, post_var_refs={"Vpost": "V"})
    sg = fx.dense(m, pre=pre, post=post, wu=wu)
    assert sg.wu_pre_var_refs["Vpre"].group is pre and sg.wu_post_var_refs["Vpost"].group is post
    wrong = init_weight_update(fx.WU_PLAST, {}, {"g": 0.0}, {"x": 0.0}, {"y": 0.0},
                               pre_var_refs={"Vpre": create_var_ref(post, "V")},
                               post_var_refs={"Vpost": "V"})
    with pytest.raises(RuntimeError, match="can only point to the presynaptic neuron group"):
        fx.dense(m, "S2", pre=pre, post=post, wu=wrong)


def test_current_source_ref_must_point_to_its_population():
    model = fx.create_current_source_model("Ref", neuron_var_refs=[("V", "scalar")],
                                           injection_code="injectCurrent(V);")
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="can only point to the neuron group the current "
                                           "source is attached to"):
        m.add_current_source("CS", model, pre, {}, {}, {"V": create_var_ref(post, "V")})
    with pytest.raises(TypeError, match="must be a variable name or a reference object"):
        m.add_current_source("CS", model, pre, {}, {}, {"V": 3})


# ============================================================================ custom updates
def test_custom_update_needs_references():
    m = fx.model()
    with pytest.raises(RuntimeError, match="custom update models must reference variables"):
        m.add_custom_update("CU", "G", fx.SCALE, {"f": 1.0}, {}, {})


def test_custom_update_reference_must_be_object():
    m = fx.model()
    m.add_neuron_population("A", 2, *LIF)
    with pytest.raises(TypeError, match="must be created with create_var_ref"):
        m.add_custom_update("CU", "G", fx.SCALE, {"f": 1.0}, {}, {"X": "V"})


def test_custom_update_references_same_size():
    two = create_custom_update_model("Two", var_refs=[("X", "scalar"), ("Y", "scalar")])
    m = fx.model()
    pre, post = fx.neuron_pair(m, 4, 3)
    with pytest.raises(RuntimeError, match="All referenced variables must have the same size "
                                           "\\(got 'X': 4, 'Y': 3\\)"):
        m.add_custom_update("CU", "G", two, {}, {}, {"X": create_var_ref(pre, "V"),
                                                     "Y": create_var_ref(post, "V")})


def test_custom_update_cannot_mix_reference_kinds():
    two = create_custom_update_model("Two", var_refs=[("X", "scalar"), ("Y", "scalar")])
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.dense(m, pre=pre, post=post)
    with pytest.raises(RuntimeError, match="cannot mix per-synapse references"):
        m.add_custom_update("CU", "G", two, {}, {}, {"X": create_var_ref(pre, "V"),
                                                     "Y": create_wu_var_ref(sg, "g")})


def test_custom_update_reference_type():
    ints = create_custom_update_model("Ints", var_refs=[("X", "int")])
    m = fx.model()
    ng = m.add_neuron_population("A", 2, *LIF)
    with pytest.raises(RuntimeError, match="Custom update 'CU' \\(model Ints\\): Incompatible "
                                           "type for variable reference 'X'"):
        m.add_custom_update("CU", "G", ints, {}, {}, {"X": create_var_ref(ng, "V")})


def _two_refs(mode_y):
    return create_custom_update_model("Two", var_refs=[("X", "scalar"),
                                                      ("Y", "scalar", mode_y)])


def test_read_write_reference_to_lower_dimensional_variable():
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    refs = {"X": create_var_ref(pre, "V"), "Y": create_var_ref(pre, "S")}
    with pytest.raises(RuntimeError, match="variable reference 'Y' points to variable 'S' of "
                                           "Neuron group 'Pre', which is shared across the "
                                           "update's neurons, so it cannot be READ_WRITE"):
        m.add_custom_update("CU", "G", _two_refs(VarAccessMode.READ_WRITE), {}, {}, refs)
    assert m.add_custom_update("CU", "G", _two_refs(VarAccessMode.READ_ONLY), {}, {}, refs)


def test_read_write_reference_missing_only_batch_depends_on_batch_size():
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    refs = {"X": create_var_ref(pre, "V"), "Y": create_var_ref(pre, "U")}
    cu = m.add_custom_update("CU", "G", _two_refs(VarAccessMode.READ_WRITE), {}, {}, refs)
    m.finalize_checks()
    m.batch_size = 4
    with pytest.raises(RuntimeError, match="shared across the update's batches, so it cannot "
                                           "be READ_WRITE"):
        m.finalize_checks()
    assert cu.name == "CU"


def test_reduction_reference_needs_missing_dimension():
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="variable reference 'Y' is declared REDUCE_SUM, but "
                                           "variable 'V' of Neuron group 'Pre' has every "
                                           "dimension of the update"):
        m.add_custom_update("CU", "G", _two_refs(VarAccessMode.REDUCE_SUM), {}, {},
                            {"X": create_var_ref(pre, "V"), "Y": create_var_ref(pre, "V")})
    # reducing into a per-batch shared variable is fine
    assert m.add_custom_update("CU", "G", _two_refs(VarAccessMode.REDUCE_SUM), {}, {},
                               {"X": create_var_ref(pre, "V"), "Y": create_var_ref(pre, "S")})


def _reducer(*accesses):
    return create_custom_update_model(
        "Red", vars=[(f"r{i}", "scalar", a) for i, a in enumerate(accesses)],
        var_refs=[("X", "scalar", VarAccessMode.READ_ONLY)])


@pytest.mark.parametrize("access, target, over", [
    (CustomUpdateVarAccess.REDUCE_NEURON_SUM, "S", "neurons"),
    (CustomUpdateVarAccess.REDUCE_BATCH_MAX, "U", "batches"),
])
def test_reduction_variable_without_reducible_dimension(access, target, over):
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match=f"variable 'r0' is {access.name}, but none of the "
                                           f"update's references have the dimension it reduces "
                                           f"over \\({over}\\)"):
        m.add_custom_update("CU", "G", _reducer(access), {}, {"r0": 0.0},
                            {"X": create_var_ref(pre, target)})


def test_cannot_mix_batch_and_neuron_reductions():
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    model = _reducer(CustomUpdateVarAccess.REDUCE_NEURON_SUM,
                     CustomUpdateVarAccess.REDUCE_BATCH_SUM)
    with pytest.raises(RuntimeError, match="cannot perform batch and neuron reductions "
                                           "simultaneously"):
        m.add_custom_update("CU", "G", model, {}, {"r0": 0.0, "r1": 0.0},
                            {"X": create_var_ref(pre, "V")})


def test_den_delay_references_in_one_synapse_group():
    wu = create_weight_update_model("Den", vars=[("g", "scalar")],
                                    pre_spike_syn_code="addToPostDelay(g, 1);")
    two = create_custom_update_model("Two", var_refs=[("X", "scalar"), ("Y", "scalar")])
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    s1 = fx.dense(m, "S1", pre, post, wu=init_weight_update(wu, {}, {"g": 1.0}))
    s2 = fx.dense(m, "S2", pre, post, wu=init_weight_update(wu, {}, {"g": 1.0}))
    from pygenn import create_den_delay_var_ref
    with pytest.raises(RuntimeError, match="dendritic delay references must all belong to one "
                                           "synapse group \\(got S1, S2\\)"):
        m.add_custom_update("CU", "G", two, {}, {}, {"X": create_den_delay_var_ref(s1),
                                                     "Y": create_den_delay_var_ref(s2)})


def test_delayed_references_share_delay_group():
    two = create_custom_update_model("Two", var_refs=[("X", "scalar"), ("Y", "scalar")])
    m = fx.model()
    a, post = fx.neuron_pair(m, 3, 3)
    b = m.add_neuron_population("B", 3, fx.NEURON, {"a": 1.0}, {"V": 0.0, "U": 0.0, "S": 0.0})
    wu = init_weight_update(fx.WU_PLAST, {}, {"g": 0.0}, {"x": 0.0}, {"y": 0.0},
                            pre_var_refs={"Vpre": "V"}, post_var_refs={"Vpost": "V"})
    s1 = fx.dense(m, "S1", a, post, wu=wu)
    s2 = fx.dense(m, "S2", b, post, wu=wu)
    s1.axonal_delay_steps = 2
    s2.axonal_delay_steps = 3
    m.add_custom_update("CU", "G", two, {}, {}, {"X": create_wu_pre_var_ref(s1, "x"),
                                                 "Y": create_wu_pre_var_ref(s2, "x")})
    with pytest.raises(RuntimeError, match="all delayed variable references must belong to the "
                                           "same delayed neuron group \\(got B, Pre\\)"):
        m.finalize_checks()


# ============================================================================ custom WU updates
def test_custom_wu_update_references_one_synapse_group():
    two = create_custom_update_model("Two", var_refs=[("X", "scalar"), ("Y", "scalar")])
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    s1, s2 = fx.dense(m, "S1", pre, post), fx.dense(m, "S2", pre, post)
    with pytest.raises(RuntimeError, match="All referenced variables must belong to the same "
                                           "synapse group \\(got S1, S2\\)"):
        m.add_custom_update("CU", "G", two, {}, {}, {"X": create_wu_var_ref(s1, "g"),
                                                     "Y": create_wu_var_ref(s2, "g")})


@pytest.mark.parametrize("access", [CustomUpdateVarAccess.READ_ONLY_SHARED_NEURON,
                                    CustomUpdateVarAccess.BROADCAST_DELAY])
def test_custom_wu_update_variable_access(access):
    model = create_custom_update_model("A", vars=[("a", "scalar", access)],
                                       var_refs=[("X", "scalar", VarAccessMode.READ_ONLY)])
    m = fx.model()
    sg = fx.dense(m)
    with pytest.raises(RuntimeError, match=f"variable 'a' has access {access.name}, which "
                                           "per-synapse custom updates do not support"):
        m.add_custom_update("CU", "G", model, {}, {"a": 0.0}, {"X": create_wu_var_ref(sg, "g")})


def _dense_rw_pair(m, n=3):
    wu = create_weight_update_model("W", vars=[("g", "scalar")],
                                    pre_spike_syn_code="addToPost(g);")
    a = m.add_neuron_population("A", n, *LIF)
    b = m.add_neuron_population("B", n, *LIF)
    fwd = fx.dense(m, "Fwd", a, b, wu=init_weight_update(wu, {}, {"g": 0.0}))
    back = fx.dense(m, "Back", b, a, wu=init_weight_update(wu, {}, {"g": 0.0}))
    return fwd, back


def test_only_one_transpose_per_update():
    two = create_custom_update_model("Two", var_refs=[("X", "scalar"), ("Y", "scalar")])
    m = fx.model()
    fwd, back = _dense_rw_pair(m)
    with pytest.raises(RuntimeError, match="each custom update can only calculate one "
                                           "transpose"):
        m.add_custom_update("CU", "G", two, {}, {},
                            {"X": create_wu_var_ref(fwd, "g", back, "g"),
                             "Y": create_wu_var_ref(fwd, "g", back, "g")})


def test_transpose_with_batch_reduction():
    model = create_custom_update_model(
        "T", vars=[("r", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM)],
        var_refs=[("X", "scalar")])
    m = fx.model()
    fwd, back = _dense_rw_pair(m)
    with pytest.raises(RuntimeError, match="cannot both transpose and perform a batch "
                                           "reduction"):
        m.add_custom_update("CU", "G", model, {}, {"r": 0.0},
                            {"X": create_wu_var_ref(fwd, "g", back, "g")})


# ============================================================================ connectivity updates
def test_ccu_needs_sparse_group():
    m = fx.model()
    sg = fx.dense(m)
    model = fx.create_custom_connectivity_update_model("Empty", row_update_code="")
    with pytest.raises(RuntimeError, match="custom connectivity updates can only change SPARSE "
                                           "synapse groups; Synapse group 'S' is DENSE"):
        m.add_custom_connectivity_update("C", "G", sg, model)


def _ccu_args(sg, pre, g_ref=None, vp_ref=None):
    return ({}, {"c": 0.0}, {"p": 0.0}, {"q": 0.0}, {"g": g_ref or create_wu_var_ref(sg, "g")},
            {"vp": vp_ref or create_var_ref(pre, "U")})


def test_ccu_wu_references_into_its_group():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg, other = fx.sparse(m, "S", pre, post), fx.sparse(m, "T", pre, post)
    with pytest.raises(RuntimeError, match="variable reference 'g' must be create_wu_var_ref"
                                           "\\(...\\) of a variable of Synapse group 'S'"):
        m.add_custom_connectivity_update("C", "G", sg, fx.CCU,
                                         *_ccu_args(sg, pre, create_wu_var_ref(other, "g")))


def test_ccu_pre_reference_size():
    m = fx.model()
    pre, post = fx.neuron_pair(m, 4, 3)
    sg = fx.sparse(m, "S", pre, post)
    with pytest.raises(RuntimeError, match="presynaptic variable reference 'vp' points to "
                                           "variable 'U' of Neuron group 'Post', which has 3 "
                                           "values, but the presynaptic population"):
        m.add_custom_connectivity_update("C", "G", sg, fx.CCU,
                                         *_ccu_args(sg, pre, vp_ref=create_var_ref(post, "U")))


def test_ccu_batched_references_with_batches():
    ccu = fx.create_custom_connectivity_update_model(
        "Rw", pre_var_refs=[("vp", "scalar")], row_update_code="")
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.sparse(m, "S", pre, post)
    m.add_custom_connectivity_update("C", "G", sg, ccu, pre_var_refs={"vp": create_var_ref(
        pre, "V")})
    m.batch_size = 2
    with pytest.raises(RuntimeError, match="custom connectivity updates are never batched, so "
                                           "with batch_size 2"):
        m.finalize_checks()
    with pytest.raises(RuntimeError, match="which is batched"):
        m.add_custom_connectivity_update("C2", "G", sg, ccu,
                                         pre_var_refs={"vp": create_var_ref(pre, "V")})


# ============================================================================ EGP references
def test_egp_reference_type_and_kind():
    model = create_custom_update_model("E", var_refs=[("X", "scalar")],
                                       extra_global_param_refs=[("e", "int*")])
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="Incompatible type for extra global parameter "
                                           "reference 'e'"):
        m.add_custom_update("CU", "G", model, {}, {}, {"X": create_var_ref(pre, "V")},
                            {"e": create_egp_ref(pre, "e")})
    with pytest.raises(TypeError, match="must be created with create_egp_ref"):
        m.add_custom_update("CU", "G", model, {}, {}, {"X": create_var_ref(pre, "V")},
                            {"e": "e"})


def test_egp_reference_matching_type_accepted():
    model = create_custom_update_model("E", var_refs=[("X", "scalar")],
                                       extra_global_param_refs=[("e", "scalar*")])
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    cu = m.add_custom_update("CU", "G", model, {}, {}, {"X": create_var_ref(pre, "V")},
                             {"e": create_egp_ref(pre, "e")})
    assert cu.egp_refs["e"].egp_name == "e"


def test_reference_into_another_model():
    m, other = fx.model(), fx.model()
    ng = other.add_neuron_population("A", 2, *LIF)
    with pytest.raises(RuntimeError, match="points to Neuron group 'A' of another model"):
        m.add_custom_update("CU", "G", fx.SCALE, {"f": 1.0}, {}, {"X": create_var_ref(ng, "V")})


# ============================================================================ synapse groups
def test_source_must_exist():
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    with pytest.raises(RuntimeError, match="target neuron group 'Psot' does not exist. Did you "
                                           "mean 'Post'"):
        m.add_synapse_population("S", "DENSE", pre, "Psot", fx.static_pulse(), fx.delta())
    with pytest.raises(TypeError, match="source must be a neuron group or its name"):
        m.add_synapse_population("S", "DENSE", 3, pre, fx.static_pulse(), fx.delta())
    other = fx.model().add_neuron_population("Other", 2, *LIF)
    with pytest.raises(RuntimeError, match="belongs to a different model"):
        m.add_synapse_population("S", "DENSE", other, pre, fx.static_pulse(), fx.delta())


def test_unknown_matrix_type():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    with pytest.raises(ValueError, match="Unknown synapse matrix type 'SPARSE_GLOBALG'"):
        m.add_synapse_population("S", "SPARSE_GLOBALG", pre, post, fx.static_pulse(),
                                 fx.delta())


def test_initialiser_kinds():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    with pytest.raises(TypeError, match="weight_update_init must be the result of "
                                        "init_weight_update"):
        m.add_synapse_population("S", "DENSE", pre, post, fx.delta(), fx.delta())
    with pytest.raises(TypeError, match="postsynaptic_init is a tuple"):
        m.add_synapse_population("S", "DENSE", pre, post, fx.static_pulse(),
                                 (fx.delta(), {}))
    with pytest.raises(TypeError, match="connectivity_init must be None or the result of"):
        m.add_synapse_population("S", "SPARSE", pre, post, fx.static_pulse(), fx.delta(),
                                 init_var("Constant", {"constant": 1.0}))


def _add(m, matrix_type, connectivity=None, wu=None, name="S"):
    pre = m.neuron_populations.get("Pre") or fx.neuron_pair(m, 4, 4)[0]
    post = m.neuron_populations["Post"]
    return m.add_synapse_population(name, matrix_type, pre, post, wu or fx.static_pulse(),
                                    fx.delta(), connectivity)


CONV2D = {"conv_kh": 2, "conv_kw": 2, "conv_sh": 1, "conv_sw": 1, "conv_padh": 0,
          "conv_padw": 0, "conv_ih": 2, "conv_iw": 2, "conv_ic": 1, "conv_oh": 2, "conv_ow": 2,
          "conv_oc": 1}
TOEPLITZ_CONV = {"conv_kh": 2, "conv_kw": 2, "conv_ih": 2, "conv_iw": 2, "conv_ic": 1,
                 "conv_oh": 2, "conv_ow": 2, "conv_oc": 1}


def test_dense_with_sparse_snippet():
    with pytest.raises(RuntimeError, match="DENSE synapse groups connect every pair of neurons, "
                                           "so they cannot use a sparse connectivity snippet "
                                           "\\(FixedProbability\\)"):
        _add(fx.model(), "DENSE", init_sparse_connectivity("FixedProbability", {"prob": 0.1}))


def test_kernel_snippet_not_with_bitmask():
    with pytest.raises(RuntimeError, match="connectivity snippets with a kernel size can only be "
                                           "used with SPARSE, PROCEDURAL, PROCEDURAL_KERNELG or "
                                           "TOEPLITZ synapse groups, not DENSE or BITMASK"):
        _add(fx.model(), "BITMASK", init_sparse_connectivity("Conv2D", CONV2D))


def test_toeplitz_snippet_only_with_toeplitz():
    with pytest.raises(RuntimeError, match="Toeplitz connectivity snippets can only be used "
                                           "with TOEPLITZ synapse groups, not SPARSE"):
        _add(fx.model(), "SPARSE", init_toeplitz_connectivity("Conv2D", TOEPLITZ_CONV))


def test_procedural_needs_row_build_snippet():
    with pytest.raises(RuntimeError, match="PROCEDURAL connectivity is regenerated row by row, "
                                           "so it needs a sparse connectivity snippet with "
                                           "row_build_code"):
        _add(fx.model(), "PROCEDURAL", wu=init_weight_update("StaticPulseConstantWeight",
                                                             {"g": 1.0}))


def test_procedural_rejects_col_build_snippet():
    with pytest.raises(RuntimeError, match="PROCEDURAL connectivity cannot use a snippet with "
                                           "col_build_code \\(FixedNumberPreWithReplacement\\)"):
        _add(fx.model(), "PROCEDURAL",
             init_sparse_connectivity("FixedNumberPreWithReplacement", {"num": 2}),
             init_weight_update("StaticPulseConstantWeight", {"g": 1.0}))


@pytest.mark.parametrize("code", ["post_spike_syn_code", "synapse_dynamics_code"])
def test_procedural_weight_update_code(code):
    wu = create_weight_update_model("W", params=["g"], pre_spike_syn_code="addToPost(g);",
                                    **{code: "g += 0.0;"})
    with pytest.raises(RuntimeError, match=f"weight update models of PROCEDURAL synapse groups "
                                           f"cannot have {code} \\(W does\\)"):
        _add(fx.model(), "PROCEDURAL",
             init_sparse_connectivity("FixedProbability", {"prob": 0.5}),
             init_weight_update(wu, {"g": 1.0}))


def test_procedural_weights_need_device_initialisation():
    with pytest.raises(RuntimeError, match="variable 'g' of a PROCEDURAL synapse group is "
                                           "recomputed whenever it is used, so it must be "
                                           "initialised with a number or init_var"):
        _add(fx.model(), "PROCEDURAL",
             init_sparse_connectivity("FixedProbability", {"prob": 0.5}),
             init_weight_update("StaticPulse", {}, {"g": np.ones(4)}))


def test_dense_proceduralg_no_rng_in_var_init():
    with pytest.raises(RuntimeError, match="DENSE_PROCEDURALG synapse group is recomputed "
                                           "whenever it is used, so its init snippet \\(Normal\\) "
                                           "cannot use random numbers"):
        _add(fx.model(), "DENSE_PROCEDURALG", wu=init_weight_update(
            "StaticPulse", {}, {"g": init_var("Normal", {"mean": 0.0, "sd": 1.0})}))
    assert _add(fx.model(), "DENSE_PROCEDURALG", wu=fx.static_pulse(0.5))


def test_toeplitz_needs_toeplitz_snippet():
    with pytest.raises(RuntimeError, match="TOEPLITZ synapse groups need a Toeplitz "
                                           "connectivity snippet \\(init_toeplitz_connectivity\\)"
                                           ", not a sparse one"):
        _add(fx.model(), "TOEPLITZ", init_sparse_connectivity("Conv2D", CONV2D))
    with pytest.raises(RuntimeError, match="need a Toeplitz connectivity snippet with "
                                           "diagonal_build_code"):
        _add(fx.model(), "TOEPLITZ")


def test_toeplitz_snippet_needs_functions_and_no_rng():
    no_kernel = create_toeplitz_connect_init_snippet(
        "NoKernel", diagonal_build_code="addSynapse(0);",
        calc_max_row_len_func=lambda n_pre, n_post, pars: 1)
    with pytest.raises(RuntimeError, match="the Toeplitz snippet NoKernel must define "
                                           "calc_kernel_size_func"):
        _add(fx.model(), "TOEPLITZ", init_toeplitz_connectivity(no_kernel))
    no_row = create_toeplitz_connect_init_snippet(
        "NoRow", diagonal_build_code="addSynapse(0, 0);", calc_kernel_size_func=lambda p: [1])
    with pytest.raises(RuntimeError, match="must define calc_max_row_len_func"):
        _add(fx.model(), "TOEPLITZ", init_toeplitz_connectivity(no_row))
    random = create_toeplitz_connect_init_snippet(
        "Random", diagonal_build_code="if(gennrand_uniform() < 0.5) { addSynapse(0, 0); }",
        calc_kernel_size_func=lambda p: [1], calc_max_row_len_func=lambda a, b, p: 1)
    with pytest.raises(RuntimeError, match="Toeplitz diagonal_build_code cannot use random "
                                           "numbers"):
        _add(fx.model(), "TOEPLITZ", init_toeplitz_connectivity(random))


def test_toeplitz_no_post_spike_code():
    stdp = init_weight_update("STDP", {"tauPlus": 1.0, "tauMinus": 1.0, "Aplus": 0.1,
                                       "Aminus": 0.1, "Wmin": 0.0, "Wmax": 1.0}, {"g": 0.0})
    with pytest.raises(RuntimeError, match="weight update models of TOEPLITZ synapse groups "
                                           "cannot have post_spike_syn_code \\(STDP does\\)"):
        _add(fx.model(), "TOEPLITZ", init_toeplitz_connectivity("Conv2D", TOEPLITZ_CONV), stdp)


def test_kernel_weights_need_kernel_size():
    with pytest.raises(RuntimeError, match="PROCEDURAL_KERNELG synapse groups store KERNEL "
                                           "weights, so their connectivity snippet must define "
                                           "a kernel size"):
        _add(fx.model(), "PROCEDURAL_KERNELG",
             init_sparse_connectivity("FixedProbability", {"prob": 0.5}),
             init_weight_update("StaticPulse", {}, {"g": 1.0}))


def test_id_kernel_needs_kernel_size():
    uses_kernel = create_var_init_snippet("UsesKernel", var_init_code="value = id_kernel;")
    with pytest.raises(RuntimeError, match="variable 'g' is initialised with UsesKernel, which "
                                           "uses id_kernel, but the connectivity snippet "
                                           "defines no kernel size"):
        _add(fx.model(), "SPARSE", init_sparse_connectivity("FixedProbability", {"prob": 0.5}),
             init_weight_update("StaticPulse", {}, {"g": init_var(uses_kernel)}))


# ============================================================================ synapse setters
def test_max_connections_only_for_sparse():
    sg = fx.dense(fx.model())
    with pytest.raises(RuntimeError, match="max_connections can only be set on SPARSE synapse "
                                           "groups; this one is DENSE"):
        sg.max_connections = 3
    with pytest.raises(RuntimeError, match="max_source_connections can only be set on SPARSE"):
        sg.max_source_connections = 3


def test_max_connections_not_below_snippet_bound():
    m = fx.model()
    sg = _add(m, "SPARSE", init_sparse_connectivity("FixedNumberPostWithReplacement",
                                                    {"num": 3}))
    with pytest.raises(RuntimeError, match="max_connections \\(2\\) must not be below the "
                                           "maximum row length the connectivity snippet can "
                                           "generate \\(3\\)"):
        sg.max_connections = 2


@pytest.mark.parametrize("attribute, value, error, message", [
    ("axonal_delay_steps", -1, ValueError, "axonal_delay_steps must be a non-negative integer"),
    ("back_prop_delay_steps", 1.5, ValueError, "back_prop_delay_steps must be a non-negative"),
    ("max_dendritic_delay_timesteps", 0, ValueError, "must be at least 1"),
    ("num_threads_per_spike", 0, ValueError, "num_threads_per_spike must be at least 1"),
    ("parallelism_hint", "FAST", ValueError, "Unknown ParallelismHint 'FAST'"),
    ("output_location", 5, TypeError, "VarLocation must be a VarLocation"),
])
def test_synapse_setter_validation(attribute, value, error, message):
    sg = fx.sparse(fx.model())
    with pytest.raises(error, match=message):
        setattr(sg, attribute, value)


def test_narrow_indices_only_for_sparse():
    sg = fx.dense(fx.model())
    with pytest.raises(RuntimeError, match="narrow sparse indices can only be used with SPARSE "
                                           "connectivity, not DENSE"):
        sg.narrow_sparse_ind_enabled = True


def test_target_vars():
    m = fx.model()
    pre = m.add_neuron_population("Pre", 2, *LIF)
    sg = fx.dense(m, pre=pre, post=m.add_neuron_population("Post", 2, fx.NEURON, {"a": 1.0},
                                                          {"V": 0.0, "U": 0.0, "S": 0.0}))
    with pytest.raises(RuntimeError, match="post_target_var 'Iextr' is neither 'Isyn' nor an "
                                           "additional input variable of Neuron group 'Post' "
                                           "\\(model TestNeuron\\). Did you mean 'Iextra'"):
        sg.post_target_var = "Iextr"
    with pytest.raises(RuntimeError, match="pre_target_var 'Iextra' is neither 'Isyn' nor an "
                                           "additional input variable of Neuron group 'Pre'"):
        sg.pre_target_var = "Iextra"
    cs = m.add_current_source("CS", "DC", pre, {"amp": 1.0})
    with pytest.raises(RuntimeError, match="target_var 'V' is neither 'Isyn'"):
        cs.target_var = "V"


# ============================================================================ before build
def _dendritic(code):
    return create_weight_update_model("D", vars=[("g", "scalar"), ("d", "uint8_t")],
                                      post_neuron_var_refs=[("Vp", "scalar",
                                                             VarAccessMode.READ_ONLY)],
                                      pre_spike_syn_code=code)


@pytest.mark.parametrize("code, what", [
    ("addToPostDelay(g, d);", "addToPostDelay"),
    ("addToPost(Vp[d]);", "'Vp\\[d\\]'"),
])
def test_dendritic_delay_needs_max_dendritic_delay(code, what):
    m = fx.model()
    sg = _add(m, "DENSE", wu=init_weight_update(_dendritic(code), {}, {"g": 1.0, "d": 1},
                                                post_var_refs={"Vp": "V"}))
    with pytest.raises(RuntimeError, match=f"its weight update model uses {what}, so set "
                                           "max_dendritic_delay_timesteps"):
        m.finalize_checks()
    sg.max_dendritic_delay_timesteps = 4
    m.finalize_checks()


def test_delayed_and_plain_access_not_mixed():
    m = fx.model()
    sg = _add(m, "DENSE", wu=init_weight_update(_dendritic("addToPost(Vp[d] + Vp);"), {},
                                                {"g": 1.0, "d": 1}, post_var_refs={"Vp": "V"}))
    sg.max_dendritic_delay_timesteps = 4
    with pytest.raises(RuntimeError, match="'Vp' is used both with and without a \\[delay\\] "
                                           "subscript in pre_spike_syn_code"):
        m.finalize_checks()


def test_host_values_for_device_only_variable():
    m = fx.model()
    ng = m.add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS,
                                 {"V": [0.0, 1.0], "RefracTime": 0.0})
    ng.set_var_location("V", VarLocation.DEVICE)
    with pytest.raises(RuntimeError, match="Neuron group 'A': variable 'V' is given initial "
                                           "values from Python but its location is "
                                           "VarLocation.DEVICE"):
        m.finalize_checks()
    ng.set_var_location("RefracTime", VarLocation.DEVICE)
    ng.set_var_location("V", VarLocation.HOST_DEVICE)
    m.finalize_checks()


def test_build_runs_the_checks(monkeypatch):
    from pygenn._src.interface import lifecycle
    monkeypatch.setattr(lifecycle, "build", lambda *a: None)
    m = fx.model()
    ng = m.add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS,
                                 {"V": [0.0, 1.0], "RefracTime": 0.0})
    ng.set_var_location("V", VarLocation.DEVICE)
    with pytest.raises(RuntimeError, match="has no host copy"):
        m.build()
    assert not m._built


# ============================================================================ code scanning
def test_code_strings_scanned_at_add_time():
    bad = create_neuron_model("Bad", vars=[("V", "scalar")], sim_code="V += 1.0 @ 2;")
    with pytest.raises(RuntimeError, match="Error scanning Neuron group 'A' sim code"):
        fx.model().add_neuron_population("A", 2, bad, {}, {"V": 0.0})


def test_var_init_code_scanned_at_add_time():
    bad = create_var_init_snippet("BadInit", var_init_code="value = #1;")
    with pytest.raises(RuntimeError, match="Error scanning Neuron group 'A' variable 'V' init "
                                           "code"):
        fx.model().add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS,
                                         {"V": init_var(bad), "RefracTime": 0.0})


def test_synapse_code_scanned_with_context():
    bad = create_weight_update_model("BadWU", pre_spike_syn_code="addToPost($1);")
    with pytest.raises(RuntimeError, match="Error scanning Synapse group 'S' weight update "
                                           "model sim code"):
        _add(fx.model(), "DENSE", wu=init_weight_update(bad))
