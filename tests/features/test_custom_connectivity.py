"""Custom connectivity updates (``row_update_code``, ``host_update_code``): removing and adding
synapses with every attached variable, spike delivery and postsynaptic learning through the
changed rows, host update code, row capacity, launch order and errors."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pygenn import (VarAccessMode, create_custom_connectivity_update_model,
                    create_custom_update_model, create_egp_ref, create_neuron_model,
                    create_var_ref, create_weight_update_model, create_wu_var_ref,
                    init_postsynaptic, init_sparse_connectivity, init_weight_update)

HOLD = create_neuron_model("Hold", vars=[("V", "scalar")])
# fires every step while F > 0.5; V sums its input
FIRE = create_neuron_model("Fire", vars=[("V", "scalar"), ("F", "scalar")],
                           sim_code="V += Isyn;", threshold_condition_code="F > 0.5")
# delivers g; each postsynaptic spike adds 1 to d (through the column structure)
LEARN = create_weight_update_model("Learn", vars=[("g", "scalar"), ("d", "scalar")],
                                   pre_spike_syn_code="addToPost(g);",
                                   post_spike_syn_code="d += 1.0;")
COPY = create_custom_update_model("Copy", vars=[("c", "scalar")],
                                  var_refs=[("g", "scalar", VarAccessMode.READ_ONLY)],
                                  update_code="c = g;")
REMOVE_NEGATIVE = create_custom_connectivity_update_model(
    "RemoveNegative", var_refs=[("g", "scalar")],
    row_update_code="""
    for_each_synapse {
        if (g < 0.0) {
            remove_synapse();
        }
    }""")


def _triples(sg, *arrays):
    """Sorted (pre, post, values...) rows of the live connectivity."""
    pre, post = sg.get_sparse_pre_inds(), sg.get_sparse_post_inds()
    return sorted(zip(pre.tolist(), post.tolist(), *[np.asarray(a).tolist() for a in arrays]))


def _pull(*wrappers):
    for w in wrappers:
        w.pull_from_device()


def test_remove_keeps_variables_and_updates_delivery_and_learning(make_model):
    model = make_model()
    num_pre, num_post = 7, 6
    rng = np.random.default_rng(11)
    pre_ind, post_ind = np.nonzero(rng.random((num_pre, num_post)) < 0.6)
    shuffle = rng.permutation(len(pre_ind))          # user order differs from row order
    pre_ind, post_ind = pre_ind[shuffle], post_ind[shuffle]
    g = rng.uniform(-1.0, 1.0, len(pre_ind))
    d0 = rng.uniform(0.0, 10.0, len(pre_ind))
    pre = model.add_neuron_population("Pre", num_pre, FIRE, {}, {"V": 0.0, "F": 0.0})
    post = model.add_neuron_population("Post", num_post, FIRE, {}, {"V": 0.0, "F": 0.0})
    sg = model.add_synapse_population("S", "SPARSE", pre, post,
                                      init_weight_update(LEARN, {}, {"g": g, "d": d0}),
                                      init_postsynaptic("DeltaCurr"))
    sg.set_sparse_connections(pre_ind, post_ind)
    cu = model.add_custom_update("C", "Copy", COPY, {}, {"c": 0.0},
                                 {"g": create_wu_var_ref(sg, "g")})
    model.add_custom_connectivity_update("R", "Remove", sg, REMOVE_NEGATIVE, {}, {}, {}, {},
                                         {"g": create_wu_var_ref(sg, "g")})
    model.build_load()
    # a group with a custom connectivity update is read in its live (row-major) order; the
    # values given in the user's order were placed with their synapses
    _pull(sg.vars["g"])
    order = np.lexsort((post_ind, pre_ind))
    assert_array_equal(sg.get_sparse_pre_inds(), pre_ind[order])
    assert_array_equal(sg.get_sparse_post_inds(), post_ind[order])
    assert_allclose(sg.vars["g"].values, g[order])

    model.custom_update("Copy")                       # c = g, a dependent variable
    model.custom_update("Remove")
    sg.pull_connectivity_from_device()
    _pull(sg.vars["g"], sg.vars["d"], cu.vars["c"])
    keep = g >= 0.0
    assert len(sg.get_sparse_pre_inds()) == keep.sum()
    expected = sorted(zip(pre_ind[keep].tolist(), post_ind[keep].tolist(), g[keep].tolist(),
                          d0[keep].tolist(), g[keep].tolist()))
    actual = _triples(sg, sg.vars["g"].values, sg.vars["d"].values, cu.vars["c"].values)
    assert [a[:2] for a in actual] == [e[:2] for e in expected]
    assert_allclose(np.array([a[2:] for a in actual]), np.array([e[2:] for e in expected]))
    row_lengths = np.bincount(pre_ind[keep], minlength=num_pre)
    sg.pull_connectivity_from_device()
    assert_array_equal(np.bincount(sg.get_sparse_pre_inds(), minlength=num_pre), row_lengths)

    # every neuron fires once in step 1: step 2 delivers through the remaining synapses only
    # and every remaining synapse sees its target's spike once (rebuilt column structure)
    for pop in (pre, post):
        pop.vars["F"].view[:] = 1.0
        pop.vars["F"].push_to_device()
    model.step_time()
    model.step_time()
    _pull(post.vars["V"], sg.vars["d"], sg.vars["g"])
    expected_v = np.zeros(num_post)
    np.add.at(expected_v, post_ind[keep], g[keep])
    assert_allclose(post.vars["V"].values, expected_v)
    sg.pull_connectivity_from_device()
    actual = _triples(sg, sg.vars["d"].values)
    expected = sorted(zip(pre_ind[keep].tolist(), post_ind[keep].tolist(),
                          (d0[keep] + 1.0).tolist()))
    assert [a[:2] for a in actual] == [e[:2] for e in expected]
    assert_allclose([a[2] for a in actual], [e[2] for e in expected])
    assert model.get_custom_update_time("Remove") >= 0.0
    assert model.get_custom_update_remap_time("Remove") >= 0.0


ADD = create_custom_connectivity_update_model(
    "Add", vars=[("w", "scalar")], var_refs=[("g", "scalar")],
    row_update_code="""
    const uint32_t target = (id_pre + row_length) % num_post;
    add_synapse(target, 100.0 + id_pre, 0.5 * id_pre);
    """)


def test_add_synapse_values_and_row_capacity(make_model):
    model = make_model()
    n = 4
    pre = model.add_neuron_population("Pre", n, HOLD, {}, {"V": 0.0})
    post = model.add_neuron_population("Post", n, HOLD, {}, {"V": 0.0})
    sg = model.add_synapse_population("S", "SPARSE", pre, post,
                                      init_weight_update(LEARN, {}, {"g": 1.0, "d": 3.0}),
                                      init_postsynaptic("DeltaCurr"))
    sg.set_sparse_connections(np.arange(n), np.arange(n))      # i -> i
    sg.max_connections = 3                                      # room for two more per row
    cu = model.add_custom_update("C", "Copy", COPY, {}, {"c": 9.0},
                                 {"g": create_wu_var_ref(sg, "g")})
    ccu = model.add_custom_connectivity_update("A", "Add", sg, ADD, {}, {"w": -1.0}, {}, {},
                                               {"g": create_wu_var_ref(sg, "g")})
    model.build_load()
    model.custom_update("Add")
    model.custom_update("Add")
    sg.pull_connectivity_from_device()
    _pull(sg.vars["g"], sg.vars["d"], cu.vars["c"], ccu.vars["w"])
    actual = _triples(sg, sg.vars["g"].values, sg.vars["d"].values, cu.vars["c"].values,
                      ccu.vars["w"].values)
    expected = []
    for i in range(n):
        expected.append((i, i, 1.0, 3.0, 9.0, -1.0))                 # initial synapse
        for k in (1, 2):                                            # added: deps zeroed
            expected.append((i, (i + k) % n, 0.5 * i, 0.0, 0.0, 100.0 + i))
    assert actual == sorted(expected)
    # the rows are full now: the third call must not write past them
    with pytest.raises(RuntimeError, match="max_connections"):
        model.custom_update("Add")
    sg.pull_connectivity_from_device()
    assert_array_equal(np.bincount(sg.get_sparse_pre_inds(), minlength=n), [3] * n)


HOST = create_custom_connectivity_update_model(
    "Host", params=["k"], pre_vars=[("p", "scalar")], extra_global_params=[("e", "scalar*")],
    host_update_code="""
    for (uint32_t i = 0; i < num_pre; i++) {
        p[i] = k * i;
    }
    pushpToDevice();
    pullRowLengthFromDevice();
    e[0] = num_post;
    e[1] = 0.0;
    for (uint32_t i = 0; i < num_pre; i++) {
        e[1] += row_length[i];
    }
    pusheToDevice(2);
    """,
    row_update_code="""
    p += 1.0;
    for_each_synapse {
        if (id_post == (uint32_t)e[0] - 1u) {
            remove_synapse();
        }
    }""")


def test_host_update_code_pushes_pre_var_and_egp(make_model):
    model = make_model()
    num_pre, num_post = 3, 5                       # num_post is the TARGET size (GeNN 5.4: source)
    pre = model.add_neuron_population("Pre", num_pre, HOLD, {}, {"V": 0.0})
    post = model.add_neuron_population("Post", num_post, HOLD, {}, {"V": 0.0})
    sg = model.add_synapse_population("S", "SPARSE", pre, post,
                                      init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("FixedProbability", {"prob": 1.0}))
    ccu = model.add_custom_connectivity_update("H", "Host", sg, HOST, {"k": 10.0}, {},
                                               {"p": -5.0}, {})
    ccu.extra_global_params["e"].set_init_values(np.zeros(2))
    model.build_load()
    model.custom_update("Host")
    _pull(ccu.pre_vars["p"], ccu.extra_global_params["e"])
    assert_allclose(ccu.pre_vars["p"].values, 10.0 * np.arange(num_pre) + 1.0)
    assert_allclose(ccu.extra_global_params["e"].view, [num_post, num_pre * num_post])
    sg.pull_connectivity_from_device()
    pairs = list(zip(sg.get_sparse_pre_inds().tolist(), sg.get_sparse_post_inds().tolist()))
    assert sorted(pairs) == [(i, j) for i in range(num_pre) for j in range(num_post - 1)]
    model.custom_update("Host")                    # host code sees the live row lengths
    _pull(ccu.extra_global_params["e"])
    assert_allclose(ccu.extra_global_params["e"].view, [num_post, num_pre * (num_post - 1)])


def test_row_rng_and_pre_post_vars_and_refs(make_model):
    """RNG per row, CCU post vars and pre/post var references (read in the row loop)."""
    model = make_model()
    n = 4
    pre = model.add_neuron_population("Pre", n, HOLD, {}, {"V": [0.0, 1.0, 0.0, 1.0]})
    post = model.add_neuron_population("Post", n, HOLD, {}, {"V": [0.0, 0.0, 1.0, 1.0]})
    sg = model.add_synapse_population("S", "SPARSE", pre, post,
                                      init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("FixedProbability", {"prob": 1.0}))
    prune = create_custom_connectivity_update_model(
        "Prune", post_vars=[("q", "scalar")], pre_var_refs=[("a", "scalar")],
        post_var_refs=[("b", "scalar", VarAccessMode.READ_ONLY)],
        row_update_code="""
        const scalar u = gennrand_uniform();
        for_each_synapse {
            if (a > 0.5 && b > 0.5 && q < 1.0 && u < 2.0) {
                remove_synapse();
                continue;
            }
        }
        a = 7.0;""")
    model.add_custom_connectivity_update("P", "Prune", sg, prune, {}, {}, {}, {"q": 0.0}, {},
                                         {"a": create_var_ref(pre, "V")},
                                         {"b": create_var_ref(post, "V")})
    model.build_load()
    model.custom_update("Prune")
    sg.pull_connectivity_from_device()
    pairs = sorted(zip(sg.get_sparse_pre_inds().tolist(), sg.get_sparse_post_inds().tolist()))
    removed = {(i, j) for i in (1, 3) for j in (2, 3)}
    assert pairs == [(i, j) for i in range(n) for j in range(n) if (i, j) not in removed]
    _pull(pre.vars["V"])
    assert_allclose(pre.vars["V"].values, [7.0] * n)


# ------------------------------------------------------------------------------ errors
def test_errors(make_model):
    model = make_model()
    pre = model.add_neuron_population("Pre", 3, HOLD, {}, {"V": 0.0})
    post = model.add_neuron_population("Post", 4, HOLD, {}, {"V": 0.0})
    dense = model.add_synapse_population("D", "DENSE", pre, post,
                                         init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                         init_postsynaptic("DeltaCurr"))
    sparse = model.add_synapse_population("S", "SPARSE", pre, post,
                                          init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                          init_postsynaptic("DeltaCurr"),
                                          init_sparse_connectivity("FixedProbability",
                                                                   {"prob": 0.5}))
    other = model.add_synapse_population("O", "SPARSE", pre, post,
                                         init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                         init_postsynaptic("DeltaCurr"),
                                         init_sparse_connectivity("FixedProbability",
                                                                  {"prob": 0.5}))
    with pytest.raises(RuntimeError, match="SPARSE"):
        model.add_custom_connectivity_update("X1", "U", dense, REMOVE_NEGATIVE, {}, {}, {}, {},
                                             {"g": create_wu_var_ref(dense, "g")})
    with pytest.raises(RuntimeError, match="create_wu_var_ref"):
        model.add_custom_connectivity_update("X2", "U", sparse, REMOVE_NEGATIVE, {}, {}, {}, {},
                                             {"g": create_wu_var_ref(other, "g")})
    with pytest.raises(Exception, match="g"):
        model.add_custom_connectivity_update("X3", "U", sparse, REMOVE_NEGATIVE, {}, {}, {}, {},
                                             {})
    pre_ref = create_custom_connectivity_update_model(
        "PreRef", pre_var_refs=[("a", "scalar")], row_update_code="a += 1.0;")
    with pytest.raises(RuntimeError, match="values"):
        model.add_custom_connectivity_update("X4", "U", sparse, pre_ref, {}, {}, {}, {}, {},
                                             {"a": create_var_ref(post, "V")})


def test_remove_synapse_outside_loop_is_a_build_error(make_model):
    model = make_model()
    pre = model.add_neuron_population("Pre", 3, HOLD, {}, {"V": 0.0})
    sg = model.add_synapse_population("S", "SPARSE", pre, pre,
                                      init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("FixedProbability", {"prob": 0.5}))
    bad = create_custom_connectivity_update_model("Bad", row_update_code="remove_synapse();")
    model.add_custom_connectivity_update("B", "U", sg, bad)
    with pytest.raises(Exception, match="remove_synapse"):
        model.build_load()


def test_custom_update_egp_ref_and_launch_order(make_model):
    """Host code runs before the custom updates of the same group, rows after them."""
    model = make_model()
    n = 3
    pre = model.add_neuron_population("Pre", n, HOLD, {}, {"V": 0.0})
    sg = model.add_synapse_population("S", "SPARSE", pre, pre,
                                      init_weight_update("StaticPulse", {}, {"g": 2.0}),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("FixedProbability", {"prob": 1.0}))
    order = create_custom_connectivity_update_model(
        "Order", extra_global_params=[("h", "scalar*")], var_refs=[("g", "scalar")],
        host_update_code="h[0] = 5.0; pushhToDevice(1);",
        row_update_code="for_each_synapse { if (g > 4.0) { remove_synapse(); } }")
    ccu = model.add_custom_connectivity_update("O", "G", sg, order, {}, {}, {}, {},
                                               {"g": create_wu_var_ref(sg, "g")})
    ccu.extra_global_params["h"].set_init_values(np.zeros(1))
    bump = create_custom_update_model("Bump", var_refs=[("g", "scalar")],
                                      extra_global_param_refs=[("h", "scalar*")],
                                      update_code="g += h[0] * (id_pre == 0 ? 1.0 : 0.0);")
    model.add_custom_update("B", "G", bump, {}, {}, {"g": create_wu_var_ref(sg, "g")},
                            {"h": create_egp_ref(ccu, "h")})
    model.build_load()
    model.custom_update("G")
    sg.pull_connectivity_from_device()
    assert sorted(set(sg.get_sparse_pre_inds().tolist())) == [1, 2]


def test_batched_dependent_variables_and_references_move(make_model):
    """With batch_size 2, batched WU variables (referenced or not) move for every batch and
    add_synapse sets a batched reference in every batch (GeNN 5.4's remove_synapse leaves batched
    references unmoved)."""
    model = make_model()
    model.batch_size = 2
    n = 3
    pre = model.add_neuron_population("Pre", n, HOLD, {}, {"V": 0.0})
    post = model.add_neuron_population("Post", n, HOLD, {}, {"V": 0.0})
    pre_ind, post_ind = np.nonzero(np.ones((n, n)))
    w = np.where((pre_ind + post_ind) % 2 == 0, -1.0, 1.0)
    sg = model.add_synapse_population("S", "SPARSE", pre, post,
                                      init_weight_update(LEARN, {}, {"g": 0.0, "d": 0.0}),
                                      init_postsynaptic("DeltaCurr"))
    sg.set_sparse_connections(pre_ind, post_ind)
    sg.max_connections = n + 1
    swap = create_custom_connectivity_update_model(
        "Swap", vars=[("w", "scalar")], var_refs=[("g", "scalar")],
        row_update_code="""
        for_each_synapse {
            if (w < 0.0) { remove_synapse(); }
        }
        add_synapse(id_pre, 2.0, 42.0);""")
    ccu = model.add_custom_connectivity_update("W", "Swap", sg, swap, {}, {"w": w}, {}, {},
                                               {"g": create_wu_var_ref(sg, "g")})
    model.build_load()
    g = np.arange(2 * n * n, dtype=float).reshape(2, n * n) + 1.0   # live (row-major) order
    d = -g
    for var, values in ((sg.vars["g"], g), (sg.vars["d"], d)):
        var.values = values
        var.push_to_device()
    model.custom_update("Swap")
    sg.pull_connectivity_from_device()
    _pull(sg.vars["g"], sg.vars["d"], ccu.vars["w"])
    pre_after, post_after = sg.get_sparse_pre_inds(), sg.get_sparse_post_inds()
    g_after, d_after = sg.vars["g"].values, sg.vars["d"].values
    assert g_after.shape == (2, len(pre_after))
    keep = w > 0                        # (i, i) is always removed and then added back
    expected = {(int(i), int(j)): (g[:, k].tolist(), d[:, k].tolist(), 1.0)
                for k, (i, j) in enumerate(zip(pre_ind, post_ind)) if keep[k]}
    expected.update({(i, i): ([42.0, 42.0], [0.0, 0.0], 2.0) for i in range(n)})
    actual = {(i, j): (g_after[:, k].tolist(), d_after[:, k].tolist(),
                       float(ccu.vars["w"].values[k]))
              for k, (i, j) in enumerate(zip(pre_after.tolist(), post_after.tolist()))}
    assert len(pre_after) == len(expected)
    assert actual == expected


def test_initialised_variables_and_custom_update_references(make_model):
    """CCU variables from init snippets; custom updates referencing CCU variables."""
    from pygenn import create_pre_var_ref, init_var
    model = make_model()
    n = 5
    pre = model.add_neuron_population("Pre", n, HOLD, {}, {"V": 0.0})
    sg = model.add_synapse_population("S", "SPARSE", pre, pre,
                                      init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("FixedProbability", {"prob": 1.0}))
    noop = create_custom_connectivity_update_model(
        "Noop", vars=[("w", "scalar")], pre_vars=[("p", "scalar")],
        row_update_code="p = row_length;")
    ccu = model.add_custom_connectivity_update(
        "N", "N", sg, noop, {}, {"w": init_var("Uniform", {"min": 2.0, "max": 3.0})},
        {"p": init_var("Uniform", {"min": -3.0, "max": -2.0})}, {})
    scale = create_custom_update_model("Scale", var_refs=[("x", "scalar")],
                                       update_code="x *= 2.0;")
    model.add_custom_update("X", "Scale", scale, {}, {}, {"x": create_pre_var_ref(ccu, "p")})
    wscale = create_custom_update_model("WScale", var_refs=[("x", "scalar")],
                                        update_code="x *= 10.0;")
    model.add_custom_update("WX", "Scale", wscale, {}, {}, {"x": create_wu_var_ref(ccu, "w")})
    model.build_load()
    _pull(ccu.vars["w"], ccu.pre_vars["p"])
    w0, p0 = ccu.vars["w"].values.copy(), ccu.pre_vars["p"].values.copy()
    assert w0.shape == (n * n,) and np.all((w0 >= 2.0) & (w0 <= 3.0))
    assert np.all((p0 >= -3.0) & (p0 <= -2.0))
    model.custom_update("Scale")
    _pull(ccu.vars["w"], ccu.pre_vars["p"])
    assert_allclose(ccu.vars["w"].values, 10.0 * w0)
    assert_allclose(ccu.pre_vars["p"].values, 2.0 * p0)
    model.custom_update("N")
    _pull(ccu.pre_vars["p"])
    assert_allclose(ccu.pre_vars["p"].values, [n] * n)
