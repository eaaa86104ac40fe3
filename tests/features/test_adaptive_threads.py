"""multi_threaded_cpu adapts its thread count as it runs (backends/cpu.py, the step's team
tuner): whatever team size a step runs with, results are the same; it never uses more threads
than the process may run on; loading it leaves the environment as it was."""
import ctypes
import os

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pygenn import GeNNModel, init_sparse_connectivity, init_var, init_weight_update, \
    init_postsynaptic
from pygenn._src.runtime import openmp

NUM_NEURONS = 4096          # above the 2,048 neurons a population needs for threads
NUM_STEPS = 200


def _run(tmp_path, fixed_threads, prob=0.02, backend="multi_threaded_cpu"):
    """V and spikes of a LIF network; ``fixed_threads`` 0 lets the tuner choose."""
    model = GeNNModel("float", f"adaptive_{fixed_threads}_{backend}", backend=backend)
    model.dt = 0.1
    model.seed = 7
    lif = {"C": 0.2, "TauM": 20.0, "Vrest": -60.0, "Vreset": -60.0, "Vthresh": -50.0,
           "Ioffset": 0.2, "TauRefrac": 5.0}
    pop = model.add_neuron_population(
        "pop", NUM_NEURONS, "LIF", lif,
        {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}), "RefracTime": 0.0})
    pop.spike_recording_enabled = True
    model.add_synapse_population(
        "rec", "SPARSE", pop, pop,
        init_weight_update("StaticPulseConstantWeight", {"g": -0.002}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}),
        init_sparse_connectivity("FixedProbability", {"prob": prob}))
    model.build(path_to_model=str(tmp_path))
    model.load(num_recording_timesteps=NUM_STEPS)
    lib = model._runtime.lib
    threaded = backend == "multi_threaded_cpu"
    if threaded:
        ctypes.c_int.in_dll(lib, "pygenn_fixed_threads").value = fixed_threads
    teams = set()
    while model.timestep < NUM_STEPS:
        model.step_time()
        if threaded:
            teams.add(ctypes.c_int.in_dll(lib, "pygenn_threads").value)
    pop.vars["V"].pull_from_device()
    model.pull_recording_buffers_from_device()
    times, ids = pop.spike_recording_data[0]
    result = pop.vars["V"].values.copy(), np.asarray(times), np.asarray(ids), teams
    model.unload()
    return result


def test_results_do_not_depend_on_the_thread_count(tmp_path):
    if openmp.usable_cores() < 2:
        pytest.skip("needs two usable cores")
    one = _run(tmp_path, 1)
    two = _run(tmp_path, 2)
    tuned = _run(tmp_path, 0)
    assert one[3] == {1} and two[3] == {2}
    assert len(one[1]) > 0                          # the network spikes
    for other in (two, tuned):
        for a, b in zip(one[:3], other[:3]):
            assert_array_equal(a, b)
    # the tuner stays between one thread and one per usable core
    assert tuned[3] <= set(range(1, openmp.usable_cores() + 1))


def test_one_thread_and_two_equal_single_threaded_cpu(tmp_path):
    """A team of one runs the serial variants of the threaded phases (no OpenMP region, no
    target-range test in the presynaptic update); two threads the threaded ones. With
    1.4 million synapses the presynaptic update has both variants (MIN_THREADED_SYNAPSES)."""
    if openmp.usable_cores() < 2:
        pytest.skip("needs two usable cores")
    serial = _run(tmp_path, 0, prob=0.08, backend="single_threaded_cpu")
    assert len(serial[1]) > 0
    for fixed in (1, 2):
        threaded = _run(tmp_path, fixed, prob=0.08)
        assert threaded[3] == {fixed}
        for a, b in zip(serial[:3], threaded[:3]):
            assert_array_equal(a, b)


def test_loading_leaves_the_environment_alone(tmp_path):
    before = dict(os.environ)
    _run(tmp_path, 0)
    assert dict(os.environ) == before
