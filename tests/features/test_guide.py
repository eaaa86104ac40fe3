"""Each paragraph of the GeNN guide page 'Simulating networks', checked on every backend."""
import logging

import numpy as np
import pytest

from pygenn import (GeNNModel, VarLocation, create_neuron_model, create_weight_update_model,
                    init_postsynaptic, init_sparse_connectivity, init_var, init_weight_update)

LIF_PARAMS = {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0, "Vthresh": -51.0,
              "Ioffset": 1.5, "TauRefrac": 2.0}

decay_model = create_neuron_model(
    "decay", params=["tau"], vars=[("V", "scalar")],
    sim_code="V -= V * dt / tau;")

egp_model = create_neuron_model(
    "egp_reader", vars=[("x", "scalar")], extra_global_params=[("X", "scalar*")],
    sim_code="x = X[id];")


def _lif_model(backend, tmp_path, name, n=1, **kwargs):
    model = GeNNModel("double", name, backend=backend)
    model.dt = 0.1
    pop = model.add_neuron_population("pop", n, "LIF", dict(LIF_PARAMS, **kwargs),
                                      {"V": -70.0, "RefracTime": 0.0})
    return model, pop


def _lif_reference(steps, dt=0.1, **kwargs):
    """NumPy re-computation of the built-in LIF update for one neuron; spike steps."""
    p = dict(LIF_PARAMS, **kwargs)
    exp_tc = np.exp(-dt / p["TauM"])
    r = p["TauM"] / p["C"]
    v, refrac, spikes = p["Vrest"], 0.0, []
    for k in range(steps):
        if refrac <= 0.0:
            alpha = p["Ioffset"] * r + p["Vrest"]
            v = alpha - exp_tc * (alpha - v)
        else:
            refrac -= dt
        if refrac <= 0.0 and v >= p["Vthresh"]:
            spikes.append(k)
            v, refrac = p["Vreset"], p["TauRefrac"]
    return np.array(spikes)


def test_simplest_simulation(backend, tmp_path):
    model, pop = _lif_model(backend, tmp_path, "simplest")
    model.build(path_to_model=str(tmp_path))
    model.load()
    while model.timestep < 100:
        model.step_time()
    assert model.timestep == 100
    assert model.t == pytest.approx(100 * 0.1)
    assert (tmp_path / "simplest_CODE").is_dir()


def test_code_generation_is_lazy(backend, tmp_path, caplog):
    for _ in range(2):
        model, pop = _lif_model(backend, tmp_path, "lazy")
        with caplog.at_level(logging.INFO, logger="pygenn"):
            model.build(path_to_model=str(tmp_path))
    assert "cached" in caplog.records[-1].getMessage()


def test_always_rebuild_compiles_a_cached_model_again(backend, tmp_path, caplog):
    model, _ = _lif_model(backend, tmp_path, "always")
    model.build(path_to_model=str(tmp_path))
    model, pop = _lif_model(backend, tmp_path, "always")
    with caplog.at_level(logging.INFO, logger="pygenn"):
        model.build(path_to_model=str(tmp_path), always_rebuild=True)
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("compiled always") for m in messages)
    model.load()
    model.step_time()
    pop.vars["V"].pull_from_device()
    assert np.isfinite(pop.vars["V"].values).all()


def test_spike_recording_matches_analytic_period(backend, tmp_path):
    model, pop = _lif_model(backend, tmp_path, "recording")
    pop.spike_recording_enabled = True
    model.build(path_to_model=str(tmp_path))
    model.load(num_recording_timesteps=1000)
    while model.timestep < 1000:
        model.step_time()
    model.pull_recording_buffers_from_device()
    spike_times, spike_ids = pop.spike_recording_data[0]
    expected = _lif_reference(1000)
    np.testing.assert_allclose(spike_times, expected * 0.1)
    assert np.all(spike_ids == 0)
    # analytic period: refractory time + time to charge from Vreset to Vthresh
    p = LIF_PARAMS
    alpha = p["Ioffset"] * p["TauM"] / p["C"] + p["Vrest"]
    charge = p["TauM"] * np.log((alpha - p["Vreset"]) / (alpha - p["Vthresh"]))
    assert np.diff(spike_times).mean() == pytest.approx(charge + p["TauRefrac"], abs=0.25)


def test_spike_like_event_recording(backend, tmp_path):
    counter = create_neuron_model("counter", vars=[("V", "scalar")], sim_code="V = t;")
    event_wu = create_weight_update_model(
        "event_wu", pre_neuron_var_refs=[("V", "scalar")],
        pre_event_threshold_condition_code="fmod(V, 3.0) < 0.5",
        pre_event_syn_code="addToPost(1.0);")
    model = GeNNModel("double", "events", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 4, counter, {}, {"V": 0.0})
    post = model.add_neuron_population("post", 2, counter, {}, {"V": 0.0})
    pre.spike_event_recording_enabled = True
    sg = model.add_synapse_population(
        "syn", "DENSE", pre, post, init_weight_update(event_wu, {}, {}, pre_var_refs={"V": "V"}),
        init_postsynaptic("DeltaCurr"))
    model.build(path_to_model=str(tmp_path))
    model.load(num_recording_timesteps=12)
    while model.timestep < 12:
        model.step_time()
    model.pull_recording_buffers_from_device()
    times, ids = sg.pre_spike_event_recording_data[0]
    expected_steps = [k for k in range(12) if np.fmod(k, 3.0) < 0.5]
    assert sorted(set(times)) == expected_steps
    assert len(times) == 4 * len(expected_steps)


def test_device_only_variable_cannot_be_read(backend, tmp_path):
    model, pop = _lif_model(backend, tmp_path, "device_only")
    pop.set_var_location("V", VarLocation.DEVICE)
    model.build(path_to_model=str(tmp_path))
    model.load()
    with pytest.raises(Exception, match="DEVICE"):
        _ = pop.vars["V"].values
    assert pop.vars["RefracTime"].values.shape == (1,)


def test_push_and_pull_round_trip(backend, tmp_path):
    model = GeNNModel("float", "push_pull", backend=backend)
    model.dt = 1.0
    pop = model.add_neuron_population("pop", 5, decay_model, {"tau": 10.0}, {"V": 0.0})
    model.build(path_to_model=str(tmp_path))
    model.load()
    pop.vars["V"].current_view[:] = 1.0
    pop.vars["V"].push_to_device()
    model.step_time()
    pop.vars["V"].pull_from_device()
    np.testing.assert_allclose(pop.vars["V"].current_values, np.full(5, 0.9), rtol=1e-6)


def test_sparse_values_come_back_in_given_order(backend, tmp_path):
    rng = np.random.default_rng(5)
    model = GeNNModel("float", "sparse_order", backend=backend)
    pre = model.add_neuron_population("pre", 20, decay_model, {"tau": 10.0}, {"V": 0.0})
    post = model.add_neuron_population("post", 30, decay_model, {"tau": 10.0}, {"V": 0.0})
    pairs = rng.permutation([(i, j) for i in range(20) for j in range(30)])[:150]
    weights = rng.uniform(size=150).astype(np.float32)
    sg = model.add_synapse_population(
        "syn", "SPARSE", pre, post, init_weight_update("StaticPulse", {}, {"g": weights}),
        init_postsynaptic("DeltaCurr"))
    sg.set_sparse_connections(pairs[:, 0], pairs[:, 1])
    model.build(path_to_model=str(tmp_path))
    model.load()
    sg.pull_connectivity_from_device()
    sg.vars["g"].pull_from_device()
    np.testing.assert_array_equal(sg.get_sparse_pre_inds(), pairs[:, 0])
    np.testing.assert_array_equal(sg.get_sparse_post_inds(), pairs[:, 1])
    np.testing.assert_array_equal(sg.vars["g"].current_values, weights)


def test_delayed_variable_current_values(backend, tmp_path):
    clock = create_neuron_model("clock", vars=[("x", "scalar")], sim_code="x = t;")
    reader = create_weight_update_model("reader", pre_neuron_var_refs=[("x", "scalar")],
                                        pre_spike_syn_code="addToPost(x);")
    model = GeNNModel("double", "delayed_values", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 3, clock, {}, {"x": 0.0})
    post = model.add_neuron_population("post", 3, clock, {}, {"x": 0.0})
    sg = model.add_synapse_population(
        "syn", "DENSE", pre, post, init_weight_update(reader, {}, {}, pre_var_refs={"x": "x"}),
        init_postsynaptic("DeltaCurr"))
    sg.axonal_delay_steps = 4
    model.build(path_to_model=str(tmp_path))
    model.load()
    for _ in range(7):
        model.step_time()
    pre.vars["x"].pull_from_device()
    assert pre.vars["x"].values.shape == (5, 3)
    np.testing.assert_array_equal(pre.vars["x"].current_values, np.full(3, 6.0))
    # every slot holds one of the last five steps' values
    assert sorted(pre.vars["x"].values[:, 0]) == [2.0, 3.0, 4.0, 5.0, 6.0]


def test_extra_global_parameter(backend, tmp_path):
    model = GeNNModel("float", "egp", backend=backend)
    pop = model.add_neuron_population("pop", 100, egp_model, {}, {"x": 0.0})
    pop.extra_global_params["X"].set_init_values(np.zeros(100))
    model.build(path_to_model=str(tmp_path))
    model.load()
    pop.extra_global_params["X"].current_view[:] = np.arange(100)
    pop.extra_global_params["X"].push_to_device()
    model.step_time()
    pop.vars["x"].pull_from_device()
    np.testing.assert_array_equal(pop.vars["x"].current_values, np.arange(100))


def test_timing_counters(backend, tmp_path):
    model, pop = _lif_model(backend, tmp_path, "profiled", n=100)
    model.timing_enabled = True
    model.build(path_to_model=str(tmp_path))
    model.load()
    for _ in range(100):
        model.step_time()
    assert model.neuron_update_time > 0.0
    for name in ("init_time", "init_sparse_time", "presynaptic_update_time",
                 "postsynaptic_update_time", "synapse_dynamics_time"):
        assert getattr(model, name) >= 0.0


def test_dynamic_parameter_changes_decay(backend, tmp_path):
    model = GeNNModel("double", "dynamic", backend=backend)
    model.dt = 1.0
    pop = model.add_neuron_population("pop", 1, decay_model, {"tau": 10.0}, {"V": 1.0})
    pop.set_param_dynamic("tau")
    model.build(path_to_model=str(tmp_path))
    model.load()
    taus = np.arange(10, 110, 10, dtype=float)
    values = []
    while model.timestep < 100:
        if model.timestep % 10 == 0:
            pop.set_dynamic_param_value("tau", taus[model.timestep // 10])
        model.step_time()
        pop.vars["V"].pull_from_device()
        values.append(pop.vars["V"].values[0])
    expected, v = [], 1.0
    for k in range(100):
        v -= v / taus[k // 10]
        expected.append(v)
    np.testing.assert_allclose(values, expected, rtol=1e-12)


def test_synapses_deliver_spikes_one_step_later(backend, tmp_path):
    source = create_neuron_model("source", vars=[("V", "scalar")],
                                 threshold_condition_code="id == (uint32_t)t")
    sink = create_neuron_model("sink", vars=[("I", "scalar")], sim_code="I = Isyn;")
    model = GeNNModel("float", "delivery", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 5, source, {}, {"V": 0.0})
    post = model.add_neuron_population("post", 5, sink, {}, {"I": 0.0})
    model.add_synapse_population(
        "syn", "SPARSE", pre, post, init_weight_update("StaticPulseConstantWeight", {"g": 2.0}),
        init_postsynaptic("DeltaCurr"), init_sparse_connectivity("OneToOne"))
    model.build(path_to_model=str(tmp_path))
    model.load()
    for k in range(6):
        model.step_time()
        post.vars["I"].pull_from_device()
        expected = np.zeros(5)
        if 1 <= k <= 5:
            expected[k - 1] = 2.0
        np.testing.assert_array_equal(post.vars["I"].values, expected)


def test_wrong_call_order_raises(backend, tmp_path):
    model, pop = _lif_model(backend, tmp_path, "order")
    with pytest.raises(Exception, match="loaded"):
        model.step_time()
    with pytest.raises(Exception, match="built"):
        model.load()
    pop.spike_recording_enabled = True
    model.build(path_to_model=str(tmp_path))
    with pytest.raises(Exception, match="num_recording_timesteps|number of recording"):
        model.load()
    model.load(num_recording_timesteps=10)
    model.unload()
    assert model._runtime is None and not model._loaded
    model.load(num_recording_timesteps=10)
    assert model.timestep == 0


@pytest.mark.parametrize("delay", [0, 3])
def test_axonal_delay_delivers_at_k_plus_1_plus_delay(backend, tmp_path, delay):
    source = create_neuron_model("source", threshold_condition_code="t == 2.0")
    sink = create_neuron_model("sink", vars=[("I", "scalar")], sim_code="I = Isyn;")
    model = GeNNModel("float", f"delay{delay}", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 1, source)
    post = model.add_neuron_population("post", 3, sink, {}, {"I": 0.0})
    sg = model.add_synapse_population(
        "syn", "DENSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 1.5}),
        init_postsynaptic("DeltaCurr"))
    sg.axonal_delay_steps = delay
    model.build(path_to_model=str(tmp_path))
    model.load()
    seen = []
    for k in range(10):
        model.step_time()
        post.vars["I"].pull_from_device()
        if post.vars["I"].values.any():
            seen.append(k)
            np.testing.assert_array_equal(post.vars["I"].values, np.full(3, 1.5))
    assert seen == [2 + 1 + delay]


def test_two_loaded_copies_of_one_model_are_independent(backend, tmp_path):
    models = []
    for tau in (10.0, 20.0):
        model = GeNNModel("double", "twin", backend=backend)
        model.dt = 1.0
        pop = model.add_neuron_population("pop", 2, decay_model, {"tau": 10.0}, {"V": 1.0})
        pop.set_param_dynamic("tau")
        model.build(path_to_model=str(tmp_path))
        model.load()
        pop.set_dynamic_param_value("tau", tau)
        models.append((model, pop))
    for model, _ in models:
        for _ in range(5):
            model.step_time()
    for (_, pop), tau in zip(models, (10.0, 20.0)):
        pop.vars["V"].pull_from_device()
        np.testing.assert_allclose(pop.vars["V"].values, (1 - 1 / tau) ** 5)


@pytest.mark.parametrize("delay", [0, 2])
def test_presynaptic_trace_from_pre_spike_and_dynamics_code(backend, tmp_path, delay):
    """A per-neuron WU trace: decays each step, jumps on spikes; synapses read it delayed."""
    source = create_neuron_model("source", threshold_condition_code="(int)t % 3 == 0")
    sink = create_neuron_model("sink", vars=[("I", "scalar")], sim_code="I = Isyn;")
    trace = create_weight_update_model(
        "trace", pre_vars=[("x", "scalar")], pre_spike_code="x += 1.0;",
        pre_dynamics_code="x *= 0.5;", pre_spike_syn_code="addToPost(x);")
    model = GeNNModel("double", f"trace{delay}", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 1, source)
    post = model.add_neuron_population("post", 1, sink, {}, {"I": 0.0})
    sg = model.add_synapse_population("syn", "DENSE", pre, post,
                                      init_weight_update(trace, {}, {}, {"x": 0.0}),
                                      init_postsynaptic("DeltaCurr"))
    sg.axonal_delay_steps = delay
    model.build(path_to_model=str(tmp_path))
    model.load()
    x, history, inputs = 0.0, [], []
    for k in range(12):
        model.step_time()
        post.vars["I"].pull_from_device()
        inputs.append(post.vars["I"].values[0])
        x *= 0.5
        if k % 3 == 0:
            x += 1.0
        history.append(x)
    expected = [history[k - 1 - delay] if k - 1 - delay >= 0 and (k - 1 - delay) % 3 == 0
                else 0.0 for k in range(12)]
    np.testing.assert_allclose(inputs, expected)
    sg.pre_vars["x"].pull_from_device()
    np.testing.assert_allclose(sg.pre_vars["x"].current_values, [history[-1]])


def test_out_post_and_spike_times_are_exposed(backend, tmp_path):
    source = create_neuron_model("source", threshold_condition_code="t == 2.0 && id == 1",
                                 sim_code="const scalar last = st;")
    model = GeNNModel("double", "exposed", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 3, source)
    post = model.add_neuron_population("post", 2, decay_model, {"tau": 10.0}, {"V": 0.0})
    sg = model.add_synapse_population(
        "syn", "DENSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 0.25}),
        init_postsynaptic("ExpCurr", {"tau": 1e9}))
    model.build(path_to_model=str(tmp_path))
    model.load()
    for _ in range(5):
        model.step_time()
    sg.out_post.pull_from_device()
    assert sg.out_post.view.shape == (1, 2)
    np.testing.assert_allclose(sg.out_post.view, 0.25, rtol=1e-6)
    pre.spike_times.pull_from_device()
    assert pre.spike_times.view[1] == 2.0
    assert pre.spike_times.view[0] < -1e300


def test_variable_init_snippet_extra_global_parameter(backend, tmp_path):
    from pygenn import create_var_init_snippet
    lookup = create_var_init_snippet("lookup", extra_global_params=[("table", "scalar*")],
                                     var_init_code="value = table[id] * 2.0;")
    model = GeNNModel("float", "init_egp", backend=backend)
    pop = model.add_neuron_population("pop", 8, decay_model, {"tau": 10.0},
                                      {"V": init_var(lookup)})
    pop.vars["V"].extra_global_params["table"].set_init_values(np.arange(8, dtype=np.float32))
    model.build(path_to_model=str(tmp_path))
    model.load()
    pop.vars["V"].pull_from_device()
    np.testing.assert_array_equal(pop.vars["V"].values, 2.0 * np.arange(8))


def test_missing_extra_global_parameter_is_an_error_not_a_crash(backend, tmp_path):
    model = GeNNModel("float", "missing_egp", backend=backend)
    model.add_neuron_population("pop", 4, egp_model, {}, {"x": 0.0})
    model.build(path_to_model=str(tmp_path))
    with pytest.raises(RuntimeError, match="Extra global parameter 'X' of 'pop'.*set_init_values"):
        model.load()


@pytest.mark.parametrize("location", [VarLocation.HOST_DEVICE, VarLocation.HOST_DEVICE_ZERO_COPY])
def test_variable_locations_with_host_copy(backend, tmp_path, location):
    model = GeNNModel("float", f"location{int(location)}", backend=backend)
    model.dt = 1.0
    pop = model.add_neuron_population("pop", 4, decay_model, {"tau": 2.0}, {"V": 1.0})
    pop.set_var_location("V", location)
    model.build(path_to_model=str(tmp_path))
    model.load()
    model.step_time()
    pop.vars["V"].pull_from_device()
    np.testing.assert_allclose(pop.vars["V"].values, 0.5)
    pop.vars["V"].values = np.arange(4.0)
    pop.vars["V"].push_to_device()
    model.step_time()
    pop.vars["V"].pull_from_device()
    np.testing.assert_allclose(pop.vars["V"].values, np.arange(4.0) / 2)


@pytest.mark.parametrize("hint, threads", [("POSTSYNAPTIC", 1), ("PRESYNAPTIC", 1),
                                           ("PRESYNAPTIC", 4)])
@pytest.mark.parametrize("matrix", ["DENSE", "SPARSE"])
def test_parallelism_hints_deliver_every_spike_once(backend, tmp_path, hint, threads, matrix):
    from pygenn import ParallelismHint
    source = create_neuron_model("source", threshold_condition_code="id % 3 == (uint32_t)t % 3")
    sink = create_neuron_model("sink", vars=[("I", "scalar")], sim_code="I += Isyn;")
    model = GeNNModel("double", f"hint_{hint}{threads}{matrix}", backend=backend)
    model.dt = 1.0
    pre = model.add_neuron_population("pre", 30, source)
    post = model.add_neuron_population("post", 40, sink, {}, {"I": 0.0})
    connectivity = (init_sparse_connectivity("FixedProbability", {"prob": 0.3})
                    if matrix == "SPARSE" else None)
    sg = model.add_synapse_population(
        "syn", matrix, pre, post, init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
        init_postsynaptic("DeltaCurr"), connectivity)
    sg.parallelism_hint = getattr(ParallelismHint, hint)
    sg.num_threads_per_spike = threads
    model.seed = 7
    model.build(path_to_model=str(tmp_path))
    model.load()
    for _ in range(10):
        model.step_time()
    post.vars["I"].pull_from_device()
    if matrix == "SPARSE":
        sg.pull_connectivity_from_device()
        weights = np.zeros((30, 40))
        weights[sg.get_sparse_pre_inds(), sg.get_sparse_post_inds()] = 1.0
    else:
        weights = np.ones((30, 40))
    # spikes of steps 0..8 are delivered in steps 1..9
    counts = np.array([sum(1 for k in range(9) if i % 3 == k % 3) for i in range(30)])
    np.testing.assert_allclose(post.vars["I"].values, counts @ weights)


@pytest.mark.parametrize("num_post, dtype", [(200, np.uint8), (3000, np.uint16),
                                              (70000, np.uint32)])
def test_narrow_sparse_indices(backend, tmp_path, num_post, dtype):
    sink = create_neuron_model("sink", vars=[("I", "scalar")], sim_code="I += Isyn;")
    source = create_neuron_model("source", threshold_condition_code="t == 0.0")
    model = GeNNModel("float", f"narrow{num_post}", backend=backend)
    model.dt = 1.0
    model.seed = 3
    model.default_narrow_sparse_ind_enabled = True
    pre = model.add_neuron_population("pre", 20, source)
    post = model.add_neuron_population("post", num_post, sink, {}, {"I": 0.0})
    sg = model.add_synapse_population(
        "syn", "SPARSE", pre, post, init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedNumberPostWithReplacement", {"num": 50}))
    model.build(path_to_model=str(tmp_path))
    model.load()
    assert model._runtime.get_array(sg, "ind").host_view.dtype == dtype
    model.step_time()
    model.step_time()
    sg.pull_connectivity_from_device()
    post.vars["I"].pull_from_device()
    expected = np.bincount(sg.get_sparse_post_inds(), minlength=num_post)
    np.testing.assert_array_equal(post.vars["I"].values, expected)
    assert sg.get_sparse_post_inds().max() > 100


def test_multi_step_call_equals_single_steps(backend, tmp_path):
    """``step_time(n)`` (a pygenn extension) gives exactly the results of n single steps."""
    results = []
    for multi in (False, True):
        model = GeNNModel("float", f"multistep{int(multi)}", backend=backend)
        model.dt = 1.0
        model.seed = 5
        pop = model.add_neuron_population(
            "pop", 200, "LIF", dict(LIF_PARAMS, Ioffset=0.0, TauRefrac=1.0),
            {"V": init_var("Uniform", {"min": -70.0, "max": -51.0}), "RefracTime": 0.0})
        model.add_current_source("noise", "GaussianNoise", pop, {"mean": 1.0, "sd": 0.5})
        model.add_synapse_population(
            "rec", "SPARSE", pop, pop,
            init_weight_update("StaticPulseConstantWeight", {"g": 0.5}),
            init_postsynaptic("ExpCurr", {"tau": 5.0}),
            init_sparse_connectivity("FixedProbability", {"prob": 0.1}))
        pop.spike_recording_enabled = True
        model.build(path_to_model=str(tmp_path))
        model.load(num_recording_timesteps=250)
        if multi:
            model.step_time(250)
        else:
            while model.timestep < 250:
                model.step_time()
        assert model.timestep == 250
        model.pull_recording_buffers_from_device()
        times, ids = pop.spike_recording_data[0]
        order = np.lexsort((ids, times))
        results.append((times[order], ids[order]))
    assert len(results[0][0]) > 100
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    with pytest.raises(ValueError, match="non-negative integer"):
        model.step_time(-3)


def test_shared_neuron_variable_is_initialised(backend, tmp_path):
    from pygenn import VarAccess
    shared = create_neuron_model(
        "shared", vars=[("s", "scalar", VarAccess.READ_ONLY_SHARED_NEURON), ("x", "scalar")],
        sim_code="x = s * (scalar)id;")
    model = GeNNModel("float", "shared_var", backend=backend)
    pop = model.add_neuron_population("pop", 40, shared, {}, {"s": 3.5, "x": 0.0})
    model.build(path_to_model=str(tmp_path))
    model.load()
    pop.vars["s"].pull_from_device()
    np.testing.assert_array_equal(pop.vars["s"].values, [3.5])
    model.step_time()
    pop.vars["x"].pull_from_device()
    np.testing.assert_allclose(pop.vars["x"].values, 3.5 * np.arange(40))
