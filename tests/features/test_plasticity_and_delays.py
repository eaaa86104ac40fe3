"""STDP against its analytic rule, and every delay: axonal, back-prop, dendritic, var[d]."""
import numpy as np
import pytest

from pygenn import (GeNNModel, create_neuron_model, create_weight_update_model,
                    init_postsynaptic, init_sparse_connectivity, init_weight_update)

timed = create_neuron_model("timed", vars=[("ts", "scalar")], threshold_condition_code="t == ts")
recorder = create_neuron_model("recorder", vars=[("I", "scalar")], sim_code="I = Isyn;")

STDP = {"tauPlus": 10.0, "tauMinus": 12.0, "Aplus": 0.1, "Aminus": 0.12, "Wmin": 0.0,
        "Wmax": 1.0}


def _stdp_expected(pre_times, post_times, mask, g0):
    """Each synapse sees one pre spike (step kp) and one post spike (step kq)."""
    kp = np.asarray(pre_times)[:, None]
    kq = np.asarray(post_times)[None, :]
    delta = kq - kp
    g = np.full(delta.shape, g0)
    potentiate = delta > 0
    depress = delta < 0
    g[potentiate] += STDP["Aplus"] * np.exp(-delta[potentiate] / STDP["tauPlus"])
    g[depress] -= STDP["Aminus"] * np.exp(delta[depress] / STDP["tauMinus"])
    return np.clip(g, STDP["Wmin"], STDP["Wmax"])[mask]


@pytest.mark.parametrize("matrix", ["DENSE", "SPARSE"])
def test_stdp_weight_changes_match_analytic_rule(backend, tmp_path, matrix):
    n_pre, n_post = 9, 11
    pre_times = 20.0 + np.arange(n_pre)            # 20 .. 28
    post_times = 14.0 + 2.0 * np.arange(n_post)    # 14 .. 34: before, with and after
    model = GeNNModel("double", f"stdp_{matrix}", backend=backend)
    model.dt = 1.0
    model.seed = 3
    pre = model.add_neuron_population("pre", n_pre, timed, {}, {"ts": pre_times})
    post = model.add_neuron_population("post", n_post, timed, {}, {"ts": post_times})
    connectivity = (init_sparse_connectivity("FixedProbability", {"prob": 0.6})
                    if matrix == "SPARSE" else None)
    sg = model.add_synapse_population(
        "syn", matrix, pre, post, init_weight_update("STDP", STDP, {"g": 0.5}),
        init_postsynaptic("DeltaCurr"), connectivity)
    model.build(path_to_model=str(tmp_path))
    model.load()
    while model.timestep < 40:
        model.step_time()
    sg.vars["g"].pull_from_device()
    if matrix == "SPARSE":
        sg.pull_connectivity_from_device()
        pre_ind, post_ind = sg.get_sparse_pre_inds(), sg.get_sparse_post_inds()
        expected_all = _stdp_expected(pre_times, post_times, np.ones((n_pre, n_post), bool), 0.5)
        expected = expected_all.reshape(n_pre, n_post)[pre_ind, post_ind]
        assert len(pre_ind) > 20
    else:
        expected = _stdp_expected(pre_times, post_times, np.ones((n_pre, n_post), bool), 0.5)
    np.testing.assert_allclose(sg.vars["g"].values, expected, rtol=1e-12)
    assert np.any(expected > 0.5) and np.any(expected < 0.5)


def _deliveries(backend, tmp_path, name, configure, steps=12):
    """Steps in which a post neuron saw non-zero input from one pre spike at t = 2."""
    source = create_neuron_model("source", threshold_condition_code="t == 2.0")
    model = GeNNModel("double", name, backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 1, source)
    post = model.add_neuron_population("post", 2, recorder, {}, {"I": 0.0})
    configure(model, pre, post)
    model.build(path_to_model=str(tmp_path))
    model.load()
    seen = []
    for _ in range(steps):
        model.step_time()
        post.vars["I"].pull_from_device()
        seen.append(post.vars["I"].values.copy())
    return np.array(seen)


@pytest.mark.parametrize("delays", [(0, 0), (3, 1), (0, 4)])
def test_dendritic_delays_arrive_d_steps_later(backend, tmp_path, delays):
    def configure(model, pre, post):
        sg = model.add_synapse_population(
            "syn", "SPARSE", pre, post,
            init_weight_update("StaticPulseDendriticDelay", {},
                               {"g": 1.5, "d": np.array(delays, dtype=np.uint8)}),
            init_postsynaptic("DeltaCurr"))
        sg.set_sparse_connections(np.array([0, 0]), np.array([0, 1]))
        sg.max_dendritic_delay_timesteps = 5
    seen = _deliveries(backend, tmp_path, f"dendritic{delays[0]}{delays[1]}", configure)
    for target, d in enumerate(delays):
        steps = np.nonzero(seen[:, target])[0]
        assert list(steps) == [2 + 1 + d]
        assert seen[steps[0], target] == 1.5


def test_back_propagation_delay_shifts_post_spike_time(backend, tmp_path):
    """st_post seen by synapses is the post spike time + (back_prop_delay + 1) * dt."""
    observer = create_weight_update_model(
        "observer", vars=[("seen", "scalar")], post_spike_syn_code="seen = t - st_post;")
    post_src = create_neuron_model("post_src", threshold_condition_code="t == 3.0")
    model = GeNNModel("double", "backprop", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 1, timed, {}, {"ts": -1.0})
    post = model.add_neuron_population("post", 1, post_src)
    sg = model.add_synapse_population("syn", "DENSE", pre, post,
                                      init_weight_update(observer, {}, {"seen": -1.0}),
                                      init_postsynaptic("DeltaCurr"))
    sg.back_prop_delay_steps = 2
    sg2 = model.add_synapse_population("syn_times", "DENSE", pre, post, init_weight_update(
        create_weight_update_model("when", vars=[("at", "scalar")],
                                   post_spike_syn_code="at = t;"), {}, {"at": -1.0}),
        init_postsynaptic("DeltaCurr"))
    sg2.back_prop_delay_steps = 2
    model.build(path_to_model=str(tmp_path))
    model.load()
    for _ in range(10):
        model.step_time()
    sg.vars["seen"].pull_from_device()
    sg2.vars["at"].pull_from_device()
    # post spike at t = 3 arrives at the synapse in step 3 + 1 + 2 = 6, where t - st_post = 0
    assert sg2.vars["at"].values[0] == 6.0
    assert sg.vars["seen"].values[0] == 0.0


def test_delayed_postsynaptic_variable_reads(backend, tmp_path):
    """`x[d]` reads the post variable written d steps before the last neuron update."""
    clock = create_neuron_model("clock", vars=[("x", "scalar")], sim_code="x = t;")
    reader = create_weight_update_model(
        "reader", post_neuron_var_refs=[("x", "scalar")],
        vars=[("r0", "scalar"), ("r2", "scalar"), ("r3", "scalar")],
        synapse_dynamics_code="r0 = x[0]; r2 = x[2]; r3 = x[3];")
    model = GeNNModel("double", "delayed_reads", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 1, timed, {}, {"ts": -1.0})
    post = model.add_neuron_population("post", 1, clock, {}, {"x": 0.0})
    sg = model.add_synapse_population(
        "syn", "DENSE", pre, post,
        init_weight_update(reader, {}, {"r0": 0.0, "r2": 0.0, "r3": 0.0},
                           post_var_refs={"x": "x"}),
        init_postsynaptic("DeltaCurr"))
    sg.max_dendritic_delay_timesteps = 3
    model.build(path_to_model=str(tmp_path))
    model.load()
    for _ in range(8):
        model.step_time()
    k = 7   # the last step run
    values = {name: (sg.vars[name].pull_from_device(), sg.vars[name].values[0])[1]
              for name in ("r0", "r2", "r3")}
    assert values == {"r0": k - 1, "r2": k - 3, "r3": k - 4}


def test_add_to_pre_reaches_the_source_neuron(backend, tmp_path):
    back = create_weight_update_model("back", post_spike_syn_code="addToPre(2.0);")
    post_src = create_neuron_model("post_src", threshold_condition_code="t == 3.0")
    model = GeNNModel("double", "add_to_pre", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 2, recorder, {}, {"I": 0.0})
    post = model.add_neuron_population("post", 3, post_src)
    model.add_synapse_population("syn", "DENSE", pre, post, init_weight_update(back),
                                 init_postsynaptic("DeltaCurr"))
    model.build(path_to_model=str(tmp_path))
    model.load()
    seen = []
    for _ in range(7):
        model.step_time()
        pre.vars["I"].pull_from_device()
        seen.append(pre.vars["I"].values.copy())
    seen = np.array(seen)
    # 3 post spikes at t = 3, processed in step 4's synapse update and added to the source
    # neurons' input in step 4's neuron update
    assert list(np.nonzero(seen[:, 0])[0]) == [4]
    np.testing.assert_allclose(seen[4], [6.0, 6.0])


def _spike_time_observations(backend, tmp_path, delay, other_delay):
    """(t, st_pre, prev_st_pre) seen by pre_spike_syn_code and synapse dynamics, for pre spikes
    at t = 2 and 5; a second group with ``other_delay`` sets the number of delay slots."""
    pre_model = create_neuron_model("two_spikes",
                                    threshold_condition_code="t == 2.0 || t == 5.0")
    observer = create_weight_update_model(
        "observer", vars=[("at", "scalar"), ("st", "scalar"), ("prev", "scalar"),
                          ("dyn_st", "scalar"), ("dyn_prev", "scalar")],
        pre_spike_syn_code="at = t; st = st_pre; prev = prev_st_pre;",
        synapse_dynamics_code="if (t == 4.0) { dyn_st = st_pre; dyn_prev = prev_st_pre; }")
    model = GeNNModel("double", f"st_{delay}_{other_delay}", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 1, pre_model)
    post = model.add_neuron_population("post", 1, recorder, {}, {"I": 0.0})
    sg = model.add_synapse_population(
        "syn", "DENSE", pre, post,
        init_weight_update(observer, {}, {"at": 0.0, "st": 0.0, "prev": 0.0, "dyn_st": 0.0,
                                          "dyn_prev": 0.0}),
        init_postsynaptic("DeltaCurr"))
    sg.axonal_delay_steps = delay
    other = model.add_synapse_population(
        "other", "DENSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 0.0}),
        init_postsynaptic("DeltaCurr"))
    other.axonal_delay_steps = other_delay
    model.build(path_to_model=str(tmp_path))
    model.load()
    observations = []
    for _ in range(14):
        model.step_time()
        sg.vars["at"].pull_from_device()
        sg.vars["st"].pull_from_device()
        sg.vars["prev"].pull_from_device()
        observations.append((sg.vars["at"].values[0], sg.vars["st"].values[0],
                             sg.vars["prev"].values[0]))
    sg.vars["dyn_st"].pull_from_device()
    sg.vars["dyn_prev"].pull_from_device()
    deliveries = sorted(set(o for o in observations if o[0] > 0))
    return deliveries, (sg.vars["dyn_st"].values[0], sg.vars["dyn_prev"].values[0])


def test_spike_times_without_delay(backend, tmp_path):
    deliveries, dynamics = _spike_time_observations(backend, tmp_path, 0, 0)
    lowest = -np.finfo(np.float64).max
    assert deliveries[0][:2] == (3.0, 3.0) and deliveries[0][2] < lowest / 2
    assert deliveries[1] == (6.0, 6.0, 3.0)
    assert dynamics == (3.0, 3.0)


def test_previous_spike_time_is_the_spike_before_the_delivered_one(backend, tmp_path):
    """A group whose delay is below the largest on its source reads the spike before the one
    being delivered: spikes at 2 and 5, delay 4, delivered at 10 -> (10, 10, 7)."""
    deliveries, _ = _spike_time_observations(backend, tmp_path, 4, 6)
    assert deliveries[1] == (10.0, 10.0, 7.0)


@pytest.mark.parametrize("other_delay", [4, 0])
def test_previous_spike_time_at_the_largest_delay_reads_the_newest_slot(backend, tmp_path,
                                                                        other_delay):
    """GeNN keeps 1 + largest delay slots, so the group with the largest delay reads
    prev_st_pre from the slot written most recently: observed in GeNN 5.4 with spikes at 2 and
    5, delay 4: (st, prev) = (10, 10) at the second delivery. pygenn keeps that layout
    (programs reshape spike_times to (delay + 1, N)); README, "Differences from GeNN"."""
    deliveries, _ = _spike_time_observations(backend, tmp_path, 4, other_delay)
    assert deliveries[1] == (10.0, 10.0, 10.0)


def test_spike_time_arrays_have_one_slot_per_delay_step(make_model):
    """D = 1 + largest delay slots, also when prev_st_pre is read at that delay; the views
    reshape to (D, N) as GeNN's own tests do."""
    model = make_model()
    pre_model = create_neuron_model("fire_at_0", threshold_condition_code="t == 0.0")
    wu = create_weight_update_model("prev_reader", vars=[("x", "scalar")],
                                    pre_spike_syn_code="x = st_pre + prev_st_pre;")
    pre = model.add_neuron_population("pre", 3, pre_model)
    post = model.add_neuron_population("post", 3, recorder, {}, {"I": 0.0})
    sg = model.add_synapse_population("syn", "SPARSE", pre, post,
                                      init_weight_update(wu, {}, {"x": 0.0}),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("OneToOne"))
    sg.axonal_delay_steps = 3
    model.build_load()
    model.step_time()
    for times in (pre.spike_times, pre.prev_spike_times):
        times.pull_from_device()
        assert times.view.shape == (4, 3)
    lowest = -np.finfo(np.float64).max
    np.testing.assert_array_equal(pre.spike_times.view[1], 0.0)     # step 1 wrote slot 1
    np.testing.assert_array_equal(np.delete(pre.spike_times.view, 1, axis=0), lowest)


def test_postsynaptic_events_spike_code_and_dynamics(backend, tmp_path):
    """post_event_syn_code on post events, post_spike_code and post_dynamics_code on a post
    trace, and input routed to additional input variables through pre/post_target_var."""
    counter = create_neuron_model("counter", vars=[("c", "scalar")], sim_code="c = t;",
                                  threshold_condition_code="(int)t % 4 == 1")
    receiver = create_neuron_model(
        "receiver", vars=[("fromPost", "scalar"), ("fromPre", "scalar")],
        additional_input_vars=[("IsynB", "scalar", 0.0)],
        sim_code="fromPost = IsynB; fromPre = Isyn;")
    wu = create_weight_update_model(
        "post_side", vars=[("events", "scalar")], post_vars=[("y", "scalar")],
        post_neuron_var_refs=[("c", "scalar")],
        post_event_threshold_condition_code="fmod(c, 3.0) < 0.5",
        post_event_syn_code="events += 1.0; addToPre(1.0);",
        post_spike_code="y += 10.0;", post_dynamics_code="y *= 0.5;",
        pre_spike_syn_code="addToPost(y);")
    model = GeNNModel("double", "post_side", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 2, receiver, {}, {"fromPost": 0.0, "fromPre": 0.0})
    post = model.add_neuron_population("post", 3, counter, {}, {"c": 0.0})
    sg = model.add_synapse_population(
        "syn", "DENSE", pre, post,
        init_weight_update(wu, {}, {"events": 0.0}, {}, {"y": 0.0}, post_var_refs={"c": "c"}),
        init_postsynaptic("DeltaCurr"))
    sg.pre_target_var = "IsynB"
    model.build(path_to_model=str(tmp_path))
    model.load()
    pre_inputs, y_values = [], []
    for _ in range(12):
        model.step_time()
        pre.vars["fromPost"].pull_from_device()
        pre.vars["fromPre"].pull_from_device()
        sg.post_vars["y"].pull_from_device()
        pre_inputs.append((pre.vars["fromPost"].values[0], pre.vars["fromPre"].values[0]))
        y_values.append(sg.post_vars["y"].values[0])
    sg.vars["events"].pull_from_device()
    # post events in steps k with k % 3 == 0 (c = t), delivered at k + 1: steps 0, 3, 6, 9 by 12
    np.testing.assert_array_equal(sg.vars["events"].values, np.full(6, 4.0))
    # each delivered post event adds 1 per post neuron (3) to the pre neurons' IsynB
    expected_pre = [3.0 if k >= 1 and (k - 1) % 3 == 0 else 0.0 for k in range(12)]
    np.testing.assert_array_equal([p[0] for p in pre_inputs], expected_pre)
    assert all(p[1] == 0.0 for p in pre_inputs)        # nothing reached plain Isyn
    y, expected_y = 0.0, []
    for k in range(12):
        y *= 0.5
        if k % 4 == 1:
            y += 10.0
        expected_y.append(y)
    np.testing.assert_allclose(y_values, expected_y)
