"""Custom updates: references, own variables, reductions, transposes,
delayed variables, launch order across update groups, errors and timers."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pygenn import (CustomUpdateVarAccess, VarAccess, VarAccessMode, create_current_source_model,
                    create_custom_update_model, create_egp_ref, create_neuron_model,
                    create_out_post_var_ref, create_var_ref, create_weight_update_model,
                    create_wu_var_ref, init_postsynaptic, init_weight_update)

HOLD = create_neuron_model("Hold", vars=[("V", "scalar")])
HOLD_EGP = create_neuron_model("HoldEGP", vars=[("V", "scalar")],
                               extra_global_params=[("e", "scalar*")])
RO = VarAccessMode.READ_ONLY


def _pull(*wrappers):
    for w in wrappers:
        w.pull_from_device()


def _dense(model, name, pre, post, g):
    return model.add_synapse_population(
        name, "DENSE", pre, post, init_weight_update("StaticPulse", {}, {"g": g}),
        init_postsynaptic("DeltaCurr"))


# --------------------------------------------------------------------------- reductions
def test_reduce_neuron_sum_and_max(make_model):
    model = make_model()
    pop = model.add_neuron_population("P", 3, HOLD, {}, {"V": [1.0, 2.0, 3.0]})
    rng = np.random.default_rng(1)
    big_v = rng.uniform(-5.0, 5.0, 1000)
    big = model.add_neuron_population("Big", 1000, HOLD, {}, {"V": big_v})
    reduce = create_custom_update_model(
        "Reduce", var_refs=[("v", "scalar", RO)],
        vars=[("r", "scalar", CustomUpdateVarAccess.REDUCE_NEURON_SUM),
              ("mx", "scalar", CustomUpdateVarAccess.REDUCE_NEURON_MAX)],
        update_code="r = v;\nmx = v;")
    cu = model.add_custom_update("R", "Reduce", reduce, {}, {"r": 0.0, "mx": 0.0},
                                 {"v": create_var_ref(pop, "V")})
    cu_big = model.add_custom_update("RBig", "Reduce", reduce, {}, {"r": 0.0, "mx": 0.0},
                                     {"v": create_var_ref(big, "V")})
    model.build_load()
    assert cu.vars["r"].view.shape == (1,)
    model.custom_update("Reduce")
    model.custom_update("Reduce")     # the target is overwritten, not accumulated into
    _pull(cu.vars["r"], cu.vars["mx"], cu_big.vars["r"], cu_big.vars["mx"])
    assert_allclose(cu.vars["r"].values, [6.0])
    assert_allclose(cu.vars["mx"].values, [3.0])
    assert_allclose(cu_big.vars["r"].values, [np.sum(big_v)], rtol=1e-10)
    assert_allclose(cu_big.vars["mx"].values, [np.max(big_v)])


def test_reduce_into_reference_and_batch_reduction(make_model):
    model = make_model()
    pop = model.add_neuron_population("P", 4, HOLD, {}, {"V": [1.0, -2.0, 5.0, 0.5]})
    shared = create_neuron_model("Shared", vars=[
        ("S", "scalar", VarAccess.READ_ONLY_SHARED_NEURON)])
    tot = model.add_neuron_population("T", 4, shared, {}, {"S": 0.0})
    ref_reduce = create_custom_update_model(
        "RefReduce", var_refs=[("v", "scalar", RO), ("s", "scalar", VarAccessMode.REDUCE_MAX)],
        update_code="s = v * 2.0;")
    batch_reduce = create_custom_update_model(
        "BatchReduce", var_refs=[("v", "scalar", RO)],
        vars=[("b", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM)], update_code="b = v + 1.0;")
    model.add_custom_update("C", "G", ref_reduce, {}, {},
                            {"v": create_var_ref(pop, "V"), "s": create_var_ref(tot, "S")})
    cu = model.add_custom_update("B", "G", batch_reduce, {}, {"b": 0.0},
                                 {"v": create_var_ref(pop, "V")})
    model.build_load()
    model.custom_update("G")
    _pull(tot.vars["S"], cu.vars["b"])
    assert_allclose(tot.vars["S"].values, [10.0])
    # batch reduction over a batch of one is a copy
    assert_allclose(cu.vars["b"].values, [2.0, -1.0, 6.0, 1.5])


# --------------------------------------------------------------------------- transpose
@pytest.mark.parametrize("shape", [(3, 5), (6, 2)])
def test_transpose_dense(make_model, shape):
    p, q = shape
    model = make_model()
    a = model.add_neuron_population("A", p, HOLD, {}, {"V": 0.0})
    b = model.add_neuron_population("B", q, HOLD, {}, {"V": 0.0})
    g = np.random.default_rng(2).uniform(0.0, 1.0, p * q)
    fwd = _dense(model, "Fwd", a, b, g)
    back = _dense(model, "Back", b, a, 0.0)
    model.add_custom_update("T", "Transpose", "Transpose", {}, {},
                            {"variable": create_wu_var_ref(fwd, "g", back, "g")})
    model.build_load()
    model.custom_update("Transpose")
    _pull(back.vars["g"], fwd.vars["g"])
    assert_allclose(back.vars["g"].values.reshape(q, p), g.reshape(p, q).T)
    assert_allclose(fwd.vars["g"].values, g)


def test_transpose_after_update_code(make_model):
    model = make_model()
    a = model.add_neuron_population("A", 4, HOLD, {}, {"V": 0.0})
    b = model.add_neuron_population("B", 3, HOLD, {}, {"V": 0.0})
    g = np.arange(12, dtype=float)
    fwd = _dense(model, "Fwd", a, b, g)
    back = _dense(model, "Back", b, a, 0.0)
    double = create_custom_update_model("Double", var_refs=[("g", "scalar")],
                                        update_code="g *= 2.0;")
    model.add_custom_update("T", "G", double, {}, {},
                            {"g": create_wu_var_ref(fwd, "g", back, "g")})
    model.build_load()
    model.custom_update("G")
    _pull(back.vars["g"])
    assert_allclose(back.vars["g"].values.reshape(3, 4), (2.0 * g).reshape(4, 3).T)


# --------------------------------------------------------------------------- neuron-shaped
def test_reset_params_dynamic_params_and_merging(make_model):
    model = make_model()
    p1 = model.add_neuron_population("P1", 5, HOLD, {}, {"V": np.arange(5.0)})
    p2 = model.add_neuron_population("P2", 300, HOLD, {}, {"V": np.arange(300.0)})
    reset = create_custom_update_model("Reset", params=["val"], var_refs=[("V", "scalar")],
                                       update_code="V = val;")
    c1 = model.add_custom_update("R1", "Reset", reset, {"val": -1.0}, {},
                                 {"V": create_var_ref(p1, "V")})
    model.add_custom_update("R2", "Reset", reset, {"val": 2.5}, {},
                            {"V": create_var_ref(p2, "V")})
    c1.set_param_dynamic("val")
    model.build_load()
    model.custom_update("Reset")
    _pull(p1.vars["V"], p2.vars["V"])
    assert_allclose(p1.vars["V"].values, np.full(5, -1.0))
    assert_allclose(p2.vars["V"].values, np.full(300, 2.5))
    c1.set_dynamic_param_value("val", 4.0)
    model.custom_update("Reset")
    _pull(p1.vars["V"])
    assert_allclose(p1.vars["V"].values, np.full(5, 4.0))


def test_own_vars_time_and_egp_refs(make_model):
    model = make_model(dt=0.5)
    pop = model.add_neuron_population("P", 4, HOLD_EGP, {}, {"V": [1.0, 2.0, 3.0, 4.0]})
    pop.extra_global_params["e"].set_init_values([10.0, 20.0, 30.0, 40.0])
    cu_model = create_custom_update_model(
        "Own", vars=[("a", "scalar"), ("tt", "scalar"), ("k", "scalar", CustomUpdateVarAccess.READ_ONLY)],
        var_refs=[("V", "scalar")], extra_global_param_refs=[("e", "scalar*")],
        update_code="V = a * V + e[id] + k;\na += 1.0;\ntt = t;")
    cu = model.add_custom_update("C", "G", cu_model, {}, {"a": 3.0, "tt": -1.0,
                                                          "k": [0.0, 0.1, 0.2, 0.3]},
                                 {"V": create_var_ref(pop, "V")},
                                 {"e": create_egp_ref(pop, "e")})
    model.build_load()
    for _ in range(5):
        model.step_time()
    model.custom_update("G")
    _pull(pop.vars["V"], cu.vars["a"], cu.vars["tt"])
    assert_allclose(pop.vars["V"].values, [13.0, 26.1, 39.2, 52.3])
    assert_allclose(cu.vars["a"].values, np.full(4, 4.0))
    assert_allclose(cu.vars["tt"].values, np.full(4, 2.5))


def test_current_source_and_out_post_refs(make_model):
    model = make_model()
    pre = model.add_neuron_population("Pre", 2, HOLD, {}, {"V": 0.0})
    post = model.add_neuron_population("Post", 3, HOLD, {}, {"V": 0.0})
    cs_model = create_current_source_model("Src", vars=[("x", "scalar")],
                                           injection_code="injectCurrent(0.0);")
    cs = model.add_current_source("CS", cs_model, post, {}, {"x": [1.0, 2.0, 3.0]})
    sg = _dense(model, "S", pre, post, 0.0)
    scale = create_custom_update_model("Scale", var_refs=[("X", "scalar")],
                                       update_code="X *= 3.0;")
    model.add_custom_update("CSU", "G", scale, {}, {}, {"X": create_var_ref(cs, "x")})
    model.add_custom_update("OPU", "G", scale, {}, {}, {"X": create_out_post_var_ref(sg)})
    model.build_load()
    sg.out_post.view[:] = [[0.5, -1.0, 2.0]]
    sg.out_post.push_to_device()
    model.custom_update("G")
    _pull(cs.vars["x"], sg.out_post)
    assert_allclose(cs.vars["x"].values, [3.0, 6.0, 9.0])
    assert_allclose(sg.out_post.view, [[1.5, -3.0, 6.0]])


@pytest.mark.parametrize("matrix", ["DENSE", "SPARSE"])
def test_wu_var_refs_keep_synapse_order(make_model, matrix):
    model = make_model()
    n_pre, n_post = 5, 4
    pre = model.add_neuron_population("Pre", n_pre, HOLD, {}, {"V": 0.0})
    post = model.add_neuron_population("Post", n_post, HOLD, {}, {"V": 0.0})
    rng = np.random.default_rng(3)
    if matrix == "SPARSE":
        pairs = [(i, j) for i in range(n_pre) for j in range(n_post) if rng.uniform() < 0.6]
        order = rng.permutation(len(pairs))
        pre_ind = np.array([pairs[k][0] for k in order])
        post_ind = np.array([pairs[k][1] for k in order])
    else:
        pre_ind = np.repeat(np.arange(n_pre), n_post)
        post_ind = np.tile(np.arange(n_post), n_pre)
    g = rng.uniform(0.0, 1.0, len(pre_ind))
    c = rng.uniform(0.0, 1.0, len(pre_ind))
    sg = model.add_synapse_population(
        "S", matrix, pre, post, init_weight_update("StaticPulse", {}, {"g": g}),
        init_postsynaptic("DeltaCurr"))
    if matrix == "SPARSE":
        sg.set_sparse_connections(pre_ind, post_ind)
    upd = create_custom_update_model(
        "Upd", vars=[("c", "scalar"), ("k", "scalar")], var_refs=[("g", "scalar")],
        update_code="g = g * 2.0 + c + (scalar)(id_pre * 10 + id_post);\nk = (scalar)id_syn;")
    cu = model.add_custom_update("U", "G", upd, {}, {"c": c, "k": 0.0},
                                 {"g": create_wu_var_ref(sg, "g")})
    model.build_load()
    model.custom_update("G")
    _pull(sg.vars["g"], cu.vars["k"])
    assert_allclose(sg.vars["g"].values, 2.0 * g + c + pre_ind * 10 + post_ind)
    stride = n_post if matrix == "DENSE" else sg.max_connections
    expected_k = pre_ind * stride + (post_ind if matrix == "DENSE" else 0)
    if matrix == "DENSE":
        assert_array_equal(cu.vars["k"].values, expected_k)
    else:
        assert np.all(cu.vars["k"].values // stride == pre_ind)


def test_broadcast_and_current_slot_of_delayed_variable(make_model):
    model = make_model()
    pre = model.add_neuron_population("Pre", 3, HOLD, {}, {"V": [1.0, 2.0, 3.0]})
    post = model.add_neuron_population("Post", 2, HOLD, {}, {"V": 0.0})
    reader = create_weight_update_model("Reader", pre_neuron_var_refs=[("Vp", "scalar")],
                                        pre_spike_syn_code="addToPost(Vp);")
    sg = model.add_synapse_population(
        "S", "DENSE", pre, post, init_weight_update(reader, {}, {}, pre_var_refs={"Vp": "V"}),
        init_postsynaptic("DeltaCurr"))
    sg.axonal_delay_steps = 3
    bump = create_custom_update_model("Bump", var_refs=[("V", "scalar")],
                                      update_code="V += 100.0;")
    bcast = create_custom_update_model("Bcast", var_refs=[("V", "scalar", VarAccessMode.BROADCAST)],
                                       update_code="V = 7.0 + (scalar)id;")
    model.add_custom_update("Bump", "Bump", bump, {}, {}, {"V": create_var_ref(pre, "V")})
    model.add_custom_update("Bcast", "Bcast", bcast, {}, {}, {"V": create_var_ref(pre, "V")})
    model.build_load()
    for _ in range(2):
        model.step_time()
    model.custom_update("Bump")
    _pull(pre.vars["V"])
    view = pre.vars["V"].view
    assert view.shape == (4, 3)
    slot = model._runtime.get_delay_pointer(pre)
    assert_allclose(pre.vars["V"].current_view, [101.0, 102.0, 103.0])
    others = [s for s in range(4) if s != slot]
    assert_allclose(view[others], np.tile([1.0, 2.0, 3.0], (3, 1)))
    model.custom_update("Bcast")
    _pull(pre.vars["V"])
    assert_allclose(pre.vars["V"].view, np.tile([7.0, 8.0, 9.0], (4, 1)))


# --------------------------------------------------------------------------- launch order
def test_softmax_in_three_update_groups(make_model):
    model = make_model()
    x = np.random.default_rng(4).normal(0.0, 3.0, 50)
    pop = model.add_neuron_population("P", 50, HOLD, {}, {"V": x})
    red_max = create_custom_update_model(
        "SoftmaxMax", var_refs=[("x", "scalar", RO)],
        vars=[("mx", "scalar", CustomUpdateVarAccess.REDUCE_NEURON_MAX)], update_code="mx = x;")
    red_sum = create_custom_update_model(
        "SoftmaxSum", var_refs=[("x", "scalar", RO), ("mx", "scalar", RO)],
        vars=[("s", "scalar", CustomUpdateVarAccess.REDUCE_NEURON_SUM)],
        update_code="s = exp(x - mx);")
    soft = create_custom_update_model(
        "Softmax", var_refs=[("x", "scalar", RO), ("mx", "scalar", RO), ("s", "scalar", RO)],
        vars=[("y", "scalar")], update_code="y = exp(x - mx) / s;")
    c1 = model.add_custom_update("Max", "S1", red_max, {}, {"mx": 0.0},
                                 {"x": create_var_ref(pop, "V")})
    c2 = model.add_custom_update("Sum", "S2", red_sum, {}, {"s": 0.0},
                                 {"x": create_var_ref(pop, "V"), "mx": create_var_ref(c1, "mx")})
    c3 = model.add_custom_update("Soft", "S3", soft, {}, {"y": 0.0},
                                 {"x": create_var_ref(pop, "V"), "mx": create_var_ref(c1, "mx"),
                                  "s": create_var_ref(c2, "s")})
    model.build_load()
    for group in ("S1", "S2", "S3"):
        model.custom_update(group)
    _pull(c3.vars["y"], c1.vars["mx"])
    e = np.exp(x - x.max())
    assert_allclose(c1.vars["mx"].values, [x.max()])
    assert_allclose(c3.vars["y"].values, e / e.sum(), rtol=1e-10)


# --------------------------------------------------------------------------- errors / timers
@pytest.mark.parametrize("timing", [False, True])
def test_errors_and_timers(make_model, timing):
    model = make_model()
    model.timing_enabled = timing
    pop = model.add_neuron_population("P", 3, HOLD, {}, {"V": 1.0})
    reset = create_custom_update_model("Reset", var_refs=[("V", "scalar")], update_code="V = 0.0;")
    model.add_custom_update("R", "Reset", reset, {}, {}, {"V": create_var_ref(pop, "V")})
    model.build_load()
    with pytest.raises(IndexError, match="custom update group 'Nope'"):
        model.custom_update("Nope")
    with pytest.raises(RuntimeError):
        model.get_custom_update_time("Nope")
    for _ in range(3):
        model.custom_update("Reset")
    update = model.get_custom_update_time("Reset")
    assert update >= 0.0 if timing else update == 0.0
    assert model.get_custom_update_transpose_time("Reset") == 0.0
    assert model.get_custom_update_remap_time("Reset") == 0.0
    assert model.get_custom_update_host_time("Reset") == 0.0


def test_kernel_weights_iterate_kernel_entries(make_model):
    from pygenn import init_toeplitz_connectivity
    model = make_model()
    pre = model.add_neuron_population("Pre", 5 * 4 * 2, HOLD, {}, {"V": 0.0})
    post = model.add_neuron_population("Post", 5 * 4 * 3, HOLD, {}, {"V": 0.0})
    kernel = np.random.default_rng(6).uniform(0.0, 1.0, (3, 3, 2, 3))
    sg = model.add_synapse_population(
        "Conv", "TOEPLITZ", pre, post, init_weight_update("StaticPulse", {}, {"g": kernel.ravel()}),
        init_postsynaptic("DeltaCurr"),
        init_toeplitz_connectivity("Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 5,
                                              "conv_iw": 4, "conv_ic": 2, "conv_oh": 5,
                                              "conv_ow": 4, "conv_oc": 3}))
    upd = create_custom_update_model(
        "KUpd", vars=[("k", "scalar")], var_refs=[("g", "scalar")],
        update_code="g += (scalar)id_syn;\n"
                    "k = (scalar)(((id_kernel_0 * 3 + id_kernel_1) * 2 + id_kernel_2) * 3"
                    " + id_kernel_3);")
    cu = model.add_custom_update("K", "G", upd, {}, {"k": -1.0},
                                 {"g": create_wu_var_ref(sg, "g")})
    model.build_load()
    model.custom_update("G")
    _pull(sg.vars["g"], cu.vars["k"])
    assert_allclose(sg.vars["g"].values, kernel.ravel() + np.arange(kernel.size))
    assert_array_equal(cu.vars["k"].values, np.arange(kernel.size))
