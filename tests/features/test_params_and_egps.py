"""Dynamic parameters and extra global parameters of every model kind, read by their code.

GeNN makes a dynamic parameter a per-group value that ``set_dynamic_param_value`` changes between
steps, and an EGP an array the code indexes. Each case below copies the value into a state
variable and checks it after a step, for two successive values; the expectation is simply the
value that was set. (These used to bind a null pointer for weight update, postsynaptic and
current-source models and crash the process.)
"""
import numpy as np
import pytest

from pygenn import (create_current_source_model, create_neuron_model,
                    create_postsynaptic_model, create_weight_update_model, init_postsynaptic,
                    init_sparse_connectivity, init_weight_update)

EMPTY = create_neuron_model("empty_neuron")
ALWAYS_SPIKE = create_neuron_model("always_spike", threshold_condition_code="true")


def _pair(model, pre_model=EMPTY, n=3):
    pre = model.add_neuron_population("Pre", n, pre_model)
    post = model.add_neuron_population("Post", n, EMPTY)
    return pre, post


def _wu_case(model, code_role, code):
    """A DENSE group whose weight update model writes ``code`` into ``code_role``."""
    kwargs = {"params": ["input"], code_role: code}
    if code_role in ("pre_spike_code", "pre_dynamics_code"):
        kwargs["pre_vars"] = [("x", "scalar")]
        init = init_weight_update(create_weight_update_model("wu", **kwargs), {"input": 0.0},
                                  pre_vars={"x": 0.0})
        view = "pre_vars"
    elif code_role in ("post_spike_code", "post_dynamics_code"):
        kwargs["post_vars"] = [("x", "scalar")]
        init = init_weight_update(create_weight_update_model("wu", **kwargs), {"input": 0.0},
                                  post_vars={"x": 0.0})
        view = "post_vars"
    else:
        kwargs["vars"] = [("x", "scalar")]
        init = init_weight_update(create_weight_update_model("wu", **kwargs), {"input": 0.0},
                                  {"x": 0.0})
        view = "vars"
    pre, post = _pair(model, ALWAYS_SPIKE)
    sg = model.add_synapse_population("S", "DENSE", pre, post, init,
                                      init_postsynaptic("DeltaCurr"))
    sg.set_wu_param_dynamic("input")
    return sg, getattr(sg, view)["x"]


def _psm_case(model):
    ps = create_postsynaptic_model("ps", params=["input"], vars=[("x", "scalar")],
                                   sim_code="x = input; injectCurrent(inSyn); inSyn = 0;")
    pre, post = _pair(model)
    sg = model.add_synapse_population(
        "S", "DENSE", pre, post, init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
        init_postsynaptic(ps, {"input": 0.0}, {"x": 0.0}))
    sg.set_ps_param_dynamic("input")
    return sg, sg.psm_vars["x"]


def _current_source_case(model):
    cs_model = create_current_source_model("cs", params=["input"], vars=[("x", "scalar")],
                                           injection_code="x = input; injectCurrent(0.0);")
    pre, _post = _pair(model)
    cs = model.add_current_source("CS", cs_model, pre, {"input": 0.0}, {"x": 0.0})
    cs.set_param_dynamic("input")
    return cs, cs.vars["x"]


DYNAMIC_CASES = {
    "wu_synapse_dynamics": lambda m: _wu_case(m, "synapse_dynamics_code", "x = input;"),
    "wu_pre_spike_syn": lambda m: _wu_case(m, "pre_spike_syn_code", "x = input;"),
    "wu_pre_spike": lambda m: _wu_case(m, "pre_spike_code", "x = input;"),
    "wu_pre_dynamics": lambda m: _wu_case(m, "pre_dynamics_code", "x = input;"),
    "wu_post_dynamics": lambda m: _wu_case(m, "post_dynamics_code", "x = input;"),
    "psm_sim": _psm_case,
    "current_source_injection": _current_source_case,
}


@pytest.mark.parametrize("case", sorted(DYNAMIC_CASES))
def test_dynamic_param_reaches_code(make_model, case):
    model = make_model()
    group, var = DYNAMIC_CASES[case](model)
    model.build_load()
    model.step_time()         # presynaptic code needs a spike from an earlier step
    for value in (3.0, -7.5):
        group.set_dynamic_param_value("input", value)
        model.step_time()
        var.pull_from_device()
        np.testing.assert_array_equal(var.values, value)


def test_same_name_dynamic_in_wu_and_psm_sets_wu_first(make_model):
    """A name dynamic in both models of a synapse group: GeNN's lookup sets the weight
    update model's; the postsynaptic model's keeps its initial value."""
    model = make_model()
    ps = create_postsynaptic_model("ps", params=["input"], vars=[("y", "scalar")],
                                   sim_code="y = input; injectCurrent(inSyn); inSyn = 0;")
    wu = create_weight_update_model("wu", params=["input"], vars=[("x", "scalar")],
                                    synapse_dynamics_code="x = input;")
    pre, post = _pair(model)
    sg = model.add_synapse_population("S", "DENSE", pre, post,
                                      init_weight_update(wu, {"input": 1.0}, {"x": 0.0}),
                                      init_postsynaptic(ps, {"input": 2.0}, {"y": 0.0}))
    sg.set_wu_param_dynamic("input")
    sg.set_ps_param_dynamic("input")
    model.build_load()
    sg.set_dynamic_param_value("input", 5.0)
    model.step_time()
    sg.vars["x"].pull_from_device()
    sg.psm_vars["y"].pull_from_device()
    np.testing.assert_array_equal(sg.vars["x"].values, 5.0)
    np.testing.assert_array_equal(sg.psm_vars["y"].values, 2.0)


def test_wu_egp_read_by_synapse_dynamics(make_model):
    model = make_model()
    wu = create_weight_update_model("wu", extra_global_params=[("e", "scalar*")],
                                    vars=[("x", "scalar")],
                                    synapse_dynamics_code="x = e[id_pre] + e[3 + id_post];")
    pre, post = _pair(model)
    sg = model.add_synapse_population("S", "DENSE", pre, post,
                                      init_weight_update(wu, {}, {"x": 0.0}),
                                      init_postsynaptic("DeltaCurr"))
    e = np.array([1.0, 2.0, 4.0, 10.0, 20.0, 40.0])
    sg.extra_global_params["e"].set_init_values(e)
    model.build_load()
    model.step_time()
    sg.vars["x"].pull_from_device()
    expected = (e[:3, None] + e[None, 3:]).ravel()
    np.testing.assert_array_equal(sg.vars["x"].values, expected)


def test_wu_pre_egp_read_by_pre_dynamics(make_model):
    model = make_model()
    wu = create_weight_update_model("wu", extra_global_params=[("e", "scalar*")],
                                    pre_vars=[("x", "scalar")],
                                    pre_dynamics_code="x = e[id];")
    pre, post = _pair(model)
    sg = model.add_synapse_population("S", "SPARSE", pre, post,
                                      init_weight_update(wu, {}, pre_vars={"x": 0.0}),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("OneToOne"))
    sg.extra_global_params["e"].set_init_values(np.array([5.0, 6.0, 7.0]))
    model.build_load()
    model.step_time()
    sg.pre_vars["x"].pull_from_device()
    np.testing.assert_array_equal(sg.pre_vars["x"].values, [5.0, 6.0, 7.0])


def test_psm_egp_read_by_sim_code(make_model):
    model = make_model()
    ps = create_postsynaptic_model("ps", extra_global_params=[("e", "scalar*")],
                                   vars=[("x", "scalar")],
                                   sim_code="x = e[id]; injectCurrent(inSyn); inSyn = 0;")
    pre, post = _pair(model)
    sg = model.add_synapse_population(
        "S", "DENSE", pre, post, init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
        init_postsynaptic(ps, {}, {"x": 0.0}))
    sg.psm_extra_global_params["e"].set_init_values(np.array([-1.0, 0.5, 9.0]))
    model.build_load()
    model.step_time()
    sg.psm_vars["x"].pull_from_device()
    np.testing.assert_array_equal(sg.psm_vars["x"].values, [-1.0, 0.5, 9.0])


def test_current_source_int_egp_from_int64_data(make_model):
    """An ``int*`` EGP filled from int64 data (as np.load gives) holds the same numbers."""
    model = make_model()
    cs_model = create_current_source_model(
        "cs", params=[("numSteps", "int")], vars=[("x", "scalar")],
        extra_global_params=[("counts", "int*")],
        injection_code="x = (scalar)counts[(id * numSteps) + (int)round(t / dt)]; "
                       "injectCurrent(0.0);")
    neurons = model.add_neuron_population("N", 2, EMPTY)
    cs = model.add_current_source("CS", cs_model, neurons, {"numSteps": 10}, {"x": 0.0})
    counts = np.arange(20, dtype=np.int64) * 3 - 7
    cs.extra_global_params["counts"].set_init_values(counts)
    model.build_load()
    for step in range(4):
        model.step_time()
        cs.vars["x"].pull_from_device()
        np.testing.assert_array_equal(cs.vars["x"].values, counts[[step, 10 + step]])


def test_every_field_is_bound_to_a_registered_array():
    """The runtime refuses a merged struct field that names an array nobody allocates, naming
    the group and the field, instead of giving generated code a null pointer."""
    import dataclasses

    from pygenn import GeNNModel
    from pygenn._src.backends.cpu import generate_cpu
    from pygenn._src.codegen.plan import ModelPlan
    from pygenn._src.manifest import FieldBinding
    from pygenn._src.runtime.base import check_bindings

    model = GeNNModel("float", "bindings", backend="single_threaded_cpu")
    model.dt = 1.0
    _current_source_case(model)
    manifest = generate_cpu(ModelPlan(model, "single_threaded_cpu")).manifest
    check_bindings(manifest)                       # the real model is fully bound
    index, struct = next((i, s) for i, s in enumerate(manifest.structs)
                         if any(b.kind == "array" for b in s.bindings[0].values()))
    name = next(n for n, b in struct.bindings[0].items() if b.kind == "array")
    broken = {**struct.bindings[0],
              name: FieldBinding("array", array=(struct.members[0], "no_such_array"))}
    structs = list(manifest.structs)
    structs[index] = dataclasses.replace(struct, bindings=(broken, *struct.bindings[1:]))
    manifest.structs = tuple(structs)
    with pytest.raises(RuntimeError, match=rf"field '{name}'.*'{struct.members[0]}'"):
        check_bindings(manifest)


def test_variable_named_like_a_dynamic_params_storage_is_refused(make_model):
    """A variable 'dyn_g' beside dynamic parameter 'g' would share its array: a clear error
    at build instead of two things silently aliasing."""
    model = make_model()
    neuron = create_neuron_model("collides", params=["g"], vars=[("dyn_g", "scalar")],
                                 sim_code="dyn_g = g;")
    pop = model.add_neuron_population("P", 2, neuron, {"g": 1.0}, {"dyn_g": 0.0})
    pop.set_param_dynamic("g")
    with pytest.raises(ValueError, match="'P' needs two different arrays named 'dyn_g'"):
        model.build_load()
