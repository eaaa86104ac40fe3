"""``build(never_rebuild=True)`` reuses the previous build in ``<name>_CODE`` without planning,
generating or compiling (GeNN's option for parallel runs sharing one build): the runtime is
created from the recorded manifest and library alone."""
import numpy as np
import pytest

from pygenn import GeNNModel, init_postsynaptic, init_sparse_connectivity, init_var
from pygenn import init_weight_update

LIF = {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0, "Vthresh": -51.0,
       "Ioffset": 0.0, "TauRefrac": 2.0}


def _network(backend, size=100):
    model = GeNNModel("float", "reused", backend=backend)
    model.dt = 1.0
    model.seed = 7
    stim = model.add_neuron_population("Stim", 20, "Poisson", {"rate": 50.0},
                                       {"timeStepToSpike": 0.0})
    pop = model.add_neuron_population("Pop", size, "LIF", LIF,
                                      {"V": init_var("Uniform", {"min": -70.0, "max": -52.0}),
                                       "RefracTime": 0.0})
    pop.spike_recording_enabled = True
    model.add_synapse_population(
        "StimPop", "SPARSE", stim, pop,
        init_weight_update("StaticPulse", {}, {"g": init_var("Normal", {"mean": 2.0,
                                                                         "sd": 0.5})}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}),
        init_sparse_connectivity("FixedProbability", {"prob": 0.2}))
    return model, pop


def _run(model, pop, steps=100):
    model.load(num_recording_timesteps=steps)
    for _ in range(steps):
        model.step_time()
    model.pull_recording_buffers_from_device()
    times, ids = pop.spike_recording_data[0]
    pop.vars["V"].pull_from_device()
    return times.copy(), ids.copy(), pop.vars["V"].values.copy()


def test_a_reused_build_runs_without_planning_and_gives_the_same_results(backend, tmp_path,
                                                                          monkeypatch):
    model, pop = _network(backend)
    model.build(str(tmp_path))
    first = _run(model, pop)
    assert len(first[0]) > 0

    # a second process of a parallel run: the same script, never_rebuild
    from pygenn._src.codegen import plan as plan_module

    def no_planning(*args, **kwargs):
        raise AssertionError("never_rebuild planned the model again")
    monkeypatch.setattr(plan_module, "ModelPlan", no_planning)
    again, pop_again = _network(backend)
    again.build(str(tmp_path), never_rebuild=True)
    second = _run(again, pop_again)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_a_reused_build_of_another_model_is_refused(backend, tmp_path):
    model, _ = _network(backend)
    model.build(str(tmp_path))
    other, _ = _network(backend, size=50)
    with pytest.raises(RuntimeError, match="different model"):
        other.build(str(tmp_path), never_rebuild=True)


def test_never_rebuild_without_a_previous_build_generates_and_cannot_load(backend, tmp_path):
    model, _ = _network(backend)
    model.build(str(tmp_path), never_rebuild=True)
    assert (tmp_path / "reused_CODE").is_dir()
    with pytest.raises(RuntimeError, match="never_rebuild"):
        model.load(num_recording_timesteps=10)
