"""Batching: ``model.batch_size = B`` runs B independent copies.

Batch b of a batched model must behave exactly like the same model run alone with batch b's
inputs; READ_ONLY state is shared; spikes, synaptic input, delays and recordings are per batch.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pygenn import (CustomUpdateVarAccess, GeNNModel, VarAccess, VarAccessMode,
                    create_current_source_model,
                    create_custom_update_model, create_neuron_model, create_var_ref,
                    create_weight_update_model, init_postsynaptic, init_var, init_weight_update)

B = 3
N = 40
STEPS = 60

# leaky integrator driven by a per-batch constant input I (READ_ONLY_DUPLICATE), spiking
LIF = create_neuron_model(
    "BatchLIF",
    vars=[("V", "scalar"), ("I", "scalar", VarAccess.READ_ONLY_DUPLICATE),
          ("count", "unsigned int")],
    sim_code="V += (-V + I + Isyn) * (dt / 10.0);",
    threshold_condition_code="V >= 1.0",
    reset_code="V = 0.0;\ncount++;")

# plastic weight (batched READ_WRITE) that grows with every delivered spike
GROW = create_weight_update_model(
    "BatchGrow", vars=[("g", "scalar")],
    pre_spike_syn_code="addToPost(g);\ng += 0.001;")


def _network(backend, tmp_path, name, batch_size, drive, v0):
    """Recurrent SPARSE network with an axonal delay; ``drive`` is (batch_size, N) or (N,)."""
    model = GeNNModel("double", name, backend=backend)
    model.dt = 0.5
    model.seed = 7
    model.batch_size = batch_size
    pop = model.add_neuron_population("P", N, LIF, {}, {"V": v0, "I": drive, "count": 0})
    pop.spike_recording_enabled = True
    rng = np.random.default_rng(11)
    pairs = np.argwhere(rng.random((N, N)) < 0.15)
    rec = model.add_synapse_population(
        "Rec", "SPARSE", pop, pop, init_weight_update(GROW, {}, {"g": 0.05}),
        init_postsynaptic("ExpCurr", {"tau": 2.0}))
    rec.set_sparse_connections(pairs[:, 0], pairs[:, 1])
    rec.axonal_delay_steps = 2
    inh = model.add_synapse_population(
        "Inh", "DENSE", pop, pop, init_weight_update("StaticPulse", {}, {"g": -0.002}),
        init_postsynaptic("DeltaCurr"))
    model.build(path_to_model=str(tmp_path))
    model.load(num_recording_timesteps=STEPS)
    return model, pop, rec, inh


def _run(model, pop, rec):
    trace = []
    while model.timestep < STEPS:
        model.step_time()
        pop.vars["V"].pull_from_device()
        trace.append(pop.vars["V"].values)
    model.pull_recording_buffers_from_device()
    rec.vars["g"].pull_from_device()
    pop.vars["count"].pull_from_device()
    return (np.array(trace), pop.spike_recording_data, rec.vars["g"].values,
            pop.vars["count"].values)


def test_each_batch_matches_the_model_run_alone(backend, tmp_path):
    rng = np.random.default_rng(3)
    drive = rng.uniform(0.9, 1.6, (B, N))
    v0 = rng.uniform(0.0, 0.5, N)            # 1-D host values: broadcast to every batch
    model, pop, rec, inh = _network(backend, tmp_path, "batched", B, drive, v0)
    assert pop.vars["V"].view.shape == (B, N)
    assert pop.vars["I"].view.shape == (B, N)
    assert rec.vars["g"].values.shape[0] == B
    assert inh.vars["g"].view.shape == (N * N,)           # READ_ONLY: shared
    trace, spikes, g, count = _run(model, pop, rec)
    assert len(spikes) == B
    assert trace.shape == (STEPS, B, N)
    for b in range(B):
        solo, spop, srec, _ = _network(backend, tmp_path / f"solo{b}", f"solo{b}", 1,
                                       drive[b], v0)
        s_trace, s_spikes, s_g, s_count = _run(solo, spop, srec)
        assert_allclose(trace[:, b, :], s_trace, rtol=1e-12, atol=1e-12)
        assert_array_equal(count[b], s_count)
        assert_allclose(g[b], s_g, rtol=1e-12)
        times, ids = spikes[b]
        s_times, s_ids = s_spikes[0]
        order, s_order = np.lexsort((ids, times)), np.lexsort((s_ids, s_times))
        assert_allclose(times[order], s_times[s_order])
        assert_array_equal(ids[order], s_ids[s_order])
    # the batches really differ (per-batch input, per-batch plasticity)
    assert count.sum() > 0
    assert not np.array_equal(count[0], count[-1])
    assert not np.allclose(g[0], g[-1])


SHAPES = create_neuron_model(
    "Shapes",
    vars=[("V", "scalar"), ("K", "scalar", VarAccess.READ_ONLY),
          ("D", "scalar", VarAccess.READ_ONLY_DUPLICATE),
          ("S", "scalar", VarAccess.READ_ONLY_SHARED_NEURON)],
    sim_code="V += K + D + S + batch * 1000.0;")


def test_view_shapes_and_shared_read_only_state(make_model):
    model = make_model()
    model.batch_size = B
    d = np.arange(B * 4, dtype=float).reshape(B, 4)
    pop = model.add_neuron_population("P", 4, SHAPES, {},
                                      {"V": 0.0, "K": [1.0, 2.0, 3.0, 4.0], "D": d,
                                       "S": np.array([[10.0], [20.0], [30.0]])})
    post = model.add_neuron_population("Q", 5, SHAPES, {}, {"V": 0.0, "K": 0.0, "D": 0.0,
                                                            "S": 0.0})
    rw = create_weight_update_model("RW", vars=[("w", "scalar"),
                                                ("c", "scalar", VarAccess.READ_ONLY)])
    sg = model.add_synapse_population("S", "DENSE", pop, post,
                                      init_weight_update(rw, {}, {"w": 1.0, "c": 2.0}),
                                      init_postsynaptic("DeltaCurr"))
    model.build_load()
    assert pop.vars["V"].view.shape == (B, 4)
    assert pop.vars["K"].view.shape == (4,)
    assert pop.vars["D"].view.shape == (B, 4)
    assert pop.vars["S"].view.shape == (B, 1)
    assert sg.vars["w"].view.shape == (B, 20)
    assert sg.vars["c"].view.shape == (20,)
    assert sg.out_post.view.shape == (B, 5)
    assert_array_equal(sg.vars["w"].view, 1.0)
    for _ in range(3):
        model.step_time()
    pop.vars["V"].pull_from_device()
    k = np.array([1.0, 2.0, 3.0, 4.0])
    s = np.array([10.0, 20.0, 30.0])[:, None]
    expected = 3 * (k[None, :] + d + s + 1000.0 * np.arange(B)[:, None])
    assert_allclose(pop.vars["V"].view, expected)


RANDOM = create_neuron_model(
    "Random", vars=[("V", "scalar"), ("R", "scalar")],
    sim_code="V = gennrand_uniform();")


def test_random_init_is_shared_and_simulation_draws_differ(make_model):
    model = make_model()
    model.batch_size = B
    pop = model.add_neuron_population(
        "P", 50, RANDOM, {}, {"V": 0.0, "R": init_var("Uniform", {"min": 0.0, "max": 1.0})})
    model.build_load()
    model.step_time()
    pop.vars["V"].pull_from_device()
    pop.vars["R"].pull_from_device()
    r = pop.vars["R"].view
    for b in range(1, B):
        assert_array_equal(r[b], r[0])                   # one value per element, copied
        assert not np.array_equal(pop.vars["V"].view[b], pop.vars["V"].view[0])
    assert len(np.unique(r[0])) == 50


REDUCE = create_custom_update_model(
    "BatchReduce", var_refs=[("v", "scalar", VarAccessMode.READ_ONLY)],
    vars=[("s", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM),
          ("m", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_MAX)],
    update_code="s = v;\nm = v;")

SCALE = create_custom_update_model(
    "BatchScale", var_refs=[("v", "scalar")], update_code="v *= 2.0 + batch;")


def test_custom_updates_reduce_over_and_run_per_batch(make_model):
    model = make_model()
    model.batch_size = B
    rng = np.random.default_rng(5)
    v = rng.uniform(-3.0, 3.0, (B, 30))
    hold = create_neuron_model("Hold", vars=[("V", "scalar")])
    pop = model.add_neuron_population("P", 30, hold, {}, {"V": v})
    cu = model.add_custom_update("R", "Reduce", REDUCE, {}, {"s": 0.0, "m": 0.0},
                                 {"v": create_var_ref(pop, "V")})
    model.add_custom_update("X", "Scale", SCALE, {}, {}, {"v": create_var_ref(pop, "V")})
    model.build_load()
    assert cu.vars["s"].view.shape == (30,)
    model.custom_update("Reduce")
    cu.vars["s"].pull_from_device()
    cu.vars["m"].pull_from_device()
    assert_allclose(cu.vars["s"].values, v.sum(axis=0), rtol=1e-12)
    assert_allclose(cu.vars["m"].values, v.max(axis=0))
    model.custom_update("Scale")
    pop.vars["V"].pull_from_device()
    assert_allclose(pop.vars["V"].view, v * (2.0 + np.arange(B))[:, None])


@pytest.mark.parametrize("batch_size", [1, 2])
def test_spike_recording_per_batch(make_model, batch_size):
    model = make_model()
    model.batch_size = batch_size
    # neuron i of batch b fires at t == i + b (once)
    fire = create_neuron_model("Fire", vars=[("V", "scalar")],
                               threshold_condition_code="t == id + batch")
    pop = model.add_neuron_population("P", 40, fire, {}, {"V": 0.0})
    pop.spike_recording_enabled = True
    model.build_load(num_recording_timesteps=50)
    while model.timestep < 50:
        model.step_time()
    model.pull_recording_buffers_from_device()
    data = pop.spike_recording_data
    assert len(data) == batch_size
    for b, (times, ids) in enumerate(data):
        order = np.argsort(times)
        expected_ids = np.arange(40)[np.arange(40) + b < 50]
        assert_array_equal(ids[order], expected_ids)
        assert_allclose(times[order], expected_ids + b)


# ------------------------------------------------------------------ everything per batch
FULL = create_weight_update_model(
    "BatchFull", vars=[("g", "scalar")], pre_vars=[("x", "scalar")], post_vars=[("y", "scalar")],
    pre_neuron_var_refs=[("V_pre", "scalar")], post_neuron_var_refs=[("V_post", "scalar")],
    pre_spike_syn_code="addToPostDelay(g, 2);\ng += 0.002 * y + 0.0001 * V_post;",
    post_spike_syn_code="g -= 0.001 * x;",
    pre_event_threshold_condition_code="V_pre > 0.7",
    pre_event_syn_code="addToPost(0.0005);",
    synapse_dynamics_code="g += (0.05 - g) * 0.001;",
    pre_spike_code="x += 1.0;", pre_dynamics_code="x *= 0.9;",
    post_spike_code="y += 1.0;", post_dynamics_code="y *= 0.8;")

CS = create_current_source_model(
    "BatchAmp", vars=[("amp", "scalar", VarAccess.READ_ONLY_DUPLICATE)],
    injection_code="injectCurrent(amp);")


def _full_network(backend, tmp_path, name, batch_size, drive, amp):
    model = GeNNModel("double", name, backend=backend)
    model.dt = 0.5
    model.seed = 9
    model.batch_size = batch_size
    pop = model.add_neuron_population("P", N, LIF, {}, {"V": 0.2, "I": drive, "count": 0})
    model.add_current_source("C", CS, pop, {}, {"amp": amp})
    rng = np.random.default_rng(21)
    pairs = np.argwhere(rng.random((N, N)) < 0.2)
    sg = model.add_synapse_population(
        "F", "SPARSE", pop, pop,
        init_weight_update(FULL, {}, {"g": 0.04}, {"x": 0.0}, {"y": 0.0},
                           pre_var_refs={"V_pre": create_var_ref(pop, "V")},
                           post_var_refs={"V_post": create_var_ref(pop, "V")}),
        init_postsynaptic("ExpCurr", {"tau": 3.0}))
    sg.set_sparse_connections(pairs[:, 0], pairs[:, 1])
    sg.axonal_delay_steps = 1
    sg.back_prop_delay_steps = 2
    sg.max_dendritic_delay_timesteps = 4
    model.build(path_to_model=str(tmp_path))
    model.load()
    return model, pop, sg


def _run_full(model, pop, sg):
    trace = []
    while model.timestep < STEPS:
        model.step_time()
        pop.vars["V"].pull_from_device()
        trace.append(pop.vars["V"].current_values)
    for w in (sg.vars["g"], sg.pre_vars["x"], sg.post_vars["y"], pop.vars["count"]):
        w.pull_from_device()
    return (np.array(trace), sg.vars["g"].values, sg.pre_vars["x"].current_values,
            sg.post_vars["y"].current_values, pop.vars["count"].values)


def test_delays_events_plasticity_and_current_sources_per_batch(backend, tmp_path):
    rng = np.random.default_rng(4)
    drive = rng.uniform(0.9, 1.5, (B, N))
    amp = rng.uniform(0.0, 0.3, (B, N))
    model, pop, sg = _full_network(backend, tmp_path, "fullb", B, drive, amp)
    assert pop.vars["V"].view.ndim == 3 and pop.vars["V"].view.shape[0] == B   # delayed
    batched = _run_full(model, pop, sg)
    assert batched[-1].sum() > 0
    for b in range(B):
        solo = _run_full(*_full_network(backend, tmp_path / f"s{b}", f"fulls{b}", 1, drive[b],
                                        amp[b]))
        assert_allclose(batched[0][:, b], solo[0], rtol=1e-12, atol=1e-12)
        for got, want in zip(batched[1:], solo[1:]):
            assert_allclose(got[b], want, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ other matrix types
def _matrix_network(backend, tmp_path, name, batch_size, drive, matrix):
    from pygenn import init_sparse_connectivity
    model = GeNNModel("double", name, backend=backend)
    model.dt = 0.5
    model.seed = 5
    model.batch_size = batch_size
    pop = model.add_neuron_population("P", N, LIF, {}, {"V": 0.0, "I": drive, "count": 0})
    weight = init_var("Uniform", {"min": 0.02, "max": 0.08}) if "PROCEDURAL" in matrix else 0.05
    wu = (init_weight_update("StaticPulseConstantWeight", {"g": 0.05}) if matrix == "BITMASK"
          else init_weight_update("StaticPulse", {}, {"g": weight}))
    model.add_synapse_population(
        "R", matrix, pop, pop, wu,
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedProbability", {"prob": 0.2}))
    model.build(path_to_model=str(tmp_path))
    model.load()
    trace = []
    while model.timestep < STEPS:
        model.step_time()
        pop.vars["V"].pull_from_device()
        trace.append(pop.vars["V"].values)
    return np.array(trace)


@pytest.mark.parametrize("matrix", ["BITMASK", "PROCEDURAL", "SPARSE"])
def test_matrix_types_deliver_per_batch(backend, tmp_path, matrix):
    drive = np.random.default_rng(8).uniform(0.95, 1.4, (2, N))
    batched = _matrix_network(backend, tmp_path, f"m{matrix}", 2, drive, matrix)
    for b in range(2):
        solo = _matrix_network(backend, tmp_path / f"s{b}", f"m{matrix}s{b}", 1, drive[b],
                               matrix)
        assert_allclose(batched[:, b], solo, rtol=1e-12, atol=1e-12)
    assert not np.allclose(batched[:, 0], batched[:, 1])


def test_batched_weight_update_custom_update_reduces_over_batches(make_model):
    model = make_model()
    model.batch_size = B
    hold = create_neuron_model("Hold", vars=[("V", "scalar")])
    a = model.add_neuron_population("A", 3, hold, {}, {"V": 0.0})
    c = model.add_neuron_population("C", 4, hold, {}, {"V": 0.0})
    rw = create_weight_update_model("RWG", vars=[("w", "scalar")])
    w = np.random.default_rng(2).uniform(-1, 1, (B, 12))
    sg = model.add_synapse_population("S", "DENSE", a, c, init_weight_update(rw, {}, {"w": w}),
                                      init_postsynaptic("DeltaCurr"))
    from pygenn import create_wu_var_ref
    red = create_custom_update_model(
        "WReduce", var_refs=[("v", "scalar", VarAccessMode.READ_ONLY)],
        vars=[("s", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM),
              ("m", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_MAX)],
        update_code="s = v;\nm = v;")
    cu = model.add_custom_update("WR", "WReduce", red, {}, {"s": 0.0, "m": 0.0},
                                 {"v": create_wu_var_ref(sg, "w")})
    model.build_load()
    assert sg.vars["w"].view.shape == (B, 12)
    model.custom_update("WReduce")
    cu.vars["s"].pull_from_device()
    cu.vars["m"].pull_from_device()
    assert_allclose(cu.vars["s"].values, w.sum(axis=0), rtol=1e-12)
    assert_allclose(cu.vars["m"].values, w.max(axis=0))
