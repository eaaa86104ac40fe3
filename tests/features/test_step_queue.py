"""Steps and host actions interleaved keep program order.

The cuda runtime queues ``step_time()`` calls on the host and launches them 100 at a time as
one graph; every other use of the GPU launches what is queued first. These tests interleave
steps with pushes, pulls, custom updates, spike recording and timestep changes, across the
100-step boundary, and compare with a closed-form count (every backend).
"""
import numpy as np

from pygenn import create_custom_update_model, create_neuron_model, create_var_ref

counter_model = create_neuron_model(
    "step_counter",
    vars=[("x", "scalar"), ("a", "scalar"), ("last", "scalar")],
    sim_code="x += a; last = t;",
    threshold_condition_code="x >= 1000.0",
    reset_code="x = 0.0;")

add_one_model = create_custom_update_model(
    "add_one", var_refs=[("v", "scalar")], update_code="v += 1.0;")


def _model(make_model):
    model = make_model(dt=1.0)
    pop = model.add_neuron_population("P", 4, counter_model, {},
                                      {"x": 0.0, "a": 1.0, "last": -1.0})
    pop.spike_recording_enabled = True
    model.add_custom_update("AddOne", "Bump", add_one_model, {}, {},
                            {"v": create_var_ref(pop, "x")})
    model.build_load(num_recording_timesteps=400)
    return model, pop


def test_pushes_pulls_and_custom_updates_between_queued_steps(make_model):
    model, pop = _model(make_model)
    x, a, last = pop.vars["x"], pop.vars["a"], pop.vars["last"]
    expected = 0.0
    for step in range(250):
        if step == 37:                     # a push between steps changes every later step
            a.view[:] = 3.0
            a.push_to_device()
        if step == 150:
            model.custom_update("Bump")    # a kernel between queued steps
            expected += 1.0
        model.step_time()
        expected += 1.0 if step < 37 else 3.0
        if step in (99, 120, 249):         # a pull waits for exactly the steps before it
            x.pull_from_device()
            last.pull_from_device()
            np.testing.assert_array_equal(x.view, np.full(4, expected))
            np.testing.assert_array_equal(last.view, np.full(4, float(step)))
            assert model.timestep == step + 1


def test_multi_step_call_and_timestep_reset(make_model):
    model, pop = _model(make_model)
    x = pop.vars["x"]
    model.step_time(130)                   # one 100-step graph and 30 single steps, queued
    model.step_time()
    assert model.timestep == 131 and model.t == 131.0
    x.pull_from_device()
    np.testing.assert_array_equal(x.view, np.full(4, 131.0))
    model.timestep = 0                     # the device's own counter follows
    for _ in range(5):
        model.step_time()
    pop.vars["last"].pull_from_device()
    np.testing.assert_array_equal(pop.vars["last"].view, np.full(4, 4.0))


def test_spike_recording_after_queued_steps(make_model):
    model, pop = _model(make_model)
    pop.vars["a"].view[:] = 10.0
    pop.vars["a"].push_to_device()
    for _ in range(400):                   # the whole recording buffer
        model.step_time()
    model.pull_recording_buffers_from_device()
    times, ids = pop.spike_recording_data[0]
    # x reaches 1000 after 100 steps of +10, then resets: spikes at t = 99, 199, 299, 399
    np.testing.assert_array_equal(np.unique(times), [99.0, 199.0, 299.0, 399.0])
    assert len(ids) == 16


def test_host_runs_at_most_a_few_hundred_steps_ahead(make_model, backend):
    """A loop of step_time() calls returns with a bounded number of steps still unfinished on
    the GPU (wall-clock timing in scripts means something); the counts stay exact."""
    model, pop = _model(make_model)
    for _ in range(2000):
        model.step_time()
    runtime = model._runtime
    if backend == "cuda":
        assert sum(n for n, _ in runtime._in_flight) <= runtime.MAX_STEPS_AHEAD
    pop.vars["last"].pull_from_device()
    np.testing.assert_array_equal(pop.vars["last"].values, 1999.0)
