"""The same model on every backend: identical random numbers and spike trains for one seed."""
import numpy as np
import pytest

from pygenn import (GeNNModel, init_postsynaptic, init_sparse_connectivity, init_var,
                    init_weight_update)
from pygenn.genn_model import backend_modules

BACKENDS = list(backend_modules)
pytestmark = pytest.mark.skipif(len(BACKENDS) < 2, reason="needs a second backend (a GPU)")


def _network(backend, tmp_path):
    """A recurrent LIF network whose synaptic sums are exact in float (integer weights), so
    the order in which a GPU's atomics add them cannot change any spike."""
    model = GeNNModel("float", f"cross_{backend}", backend=backend)
    model.dt = 1.0
    model.seed = 1234
    lif = {"C": 1.0, "TauM": 20.0, "Vrest": -60.0, "Vreset": -60.0, "Vthresh": -50.0,
           "Ioffset": 0.0, "TauRefrac": 2.0}
    pop = model.add_neuron_population(
        "pop", 500, "LIF", lif, {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}),
                                 "RefracTime": 0.0})
    pop.spike_recording_enabled = True
    model.add_current_source("noise", "PoissonExp", pop,
                             {"weight": 4.0, "tauSyn": 1.0, "rate": 50.0}, {"current": 0.0})
    for name, weight in (("exc", 1.0), ("inh", -2.0)):
        model.add_synapse_population(
            name, "SPARSE", pop, pop, init_weight_update("StaticPulseConstantWeight",
                                                         {"g": weight}),
            init_postsynaptic("DeltaCurr"),
            init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": 0.05}))
    model.build(path_to_model=str(tmp_path))
    model.load(num_recording_timesteps=500)
    return model, pop


def test_identical_initialisation_and_spikes(tmp_path):
    runs = {}
    for backend in BACKENDS:
        model, pop = _network(backend, tmp_path)
        pop.vars["V"].pull_from_device()
        initial = pop.vars["V"].values.copy()
        syn = model.synapse_populations["exc"]
        syn.pull_connectivity_from_device()
        connectivity = (syn.get_sparse_pre_inds(), syn.get_sparse_post_inds())
        while model.timestep < 500:
            model.step_time()
        model.pull_recording_buffers_from_device()
        times, ids = pop.spike_recording_data[0]
        order = np.lexsort((ids, times))
        runs[backend] = (initial, connectivity, times[order], ids[order])
    reference = runs[BACKENDS[-1]]
    assert len(reference[2]) > 500      # the network is active: the comparison means something
    for backend in BACKENDS[:-1]:
        initial, connectivity, times, ids = runs[backend]
        np.testing.assert_array_equal(initial, reference[0])
        np.testing.assert_array_equal(connectivity[0], reference[1][0])
        np.testing.assert_array_equal(connectivity[1], reference[1][1])
        np.testing.assert_array_equal(times, reference[2])
        np.testing.assert_array_equal(ids, reference[3])


CPU_BACKENDS = [name for name in BACKENDS if name != "cuda"]


@pytest.mark.skipif(len(CPU_BACKENDS) < 2, reason="needs the multi-threaded CPU backend")
def test_threaded_neuron_update_gives_identical_spikes_and_events(tmp_path):
    """Populations large enough for the multi-threaded backend's parallel neuron loop: spike
    lists, spike-like events and recordings equal the single-threaded backend's.

    (CPU backends only: over 36 million connectivity draws, the GPU's and the C library's
    ``log`` differ in the last bit somewhere, which changes a synapse or two.)"""
    from pygenn import create_weight_update_model
    event_wu = create_weight_update_model(
        "event_wu", pre_neuron_var_refs=[("V", "scalar")],
        pre_event_threshold_condition_code="V > -52.0", pre_event_syn_code="addToPost(0.25);")
    runs = {}
    for backend in CPU_BACKENDS:
        model = GeNNModel("float", f"threaded_{backend}", backend=backend)
        model.dt = 1.0
        model.seed = 99
        lif = {"C": 1.0, "TauM": 20.0, "Vrest": -60.0, "Vreset": -60.0, "Vthresh": -50.0,
               "Ioffset": 0.0, "TauRefrac": 2.0}
        pop = model.add_neuron_population(
            "pop", 6000, "LIF", lif, {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}),
                                      "RefracTime": 0.0})
        pop.spike_recording_enabled = True
        pop.spike_event_recording_enabled = True
        model.add_current_source("noise", "PoissonExp", pop,
                                 {"weight": 4.0, "tauSyn": 1.0, "rate": 50.0}, {"current": 0.0})
        model.add_synapse_population(
            "exc", "SPARSE", pop, pop,
            init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
            init_postsynaptic("DeltaCurr"),
            init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": 0.005}))
        events = model.add_synapse_population(
            "events", "SPARSE", pop, pop,
            init_weight_update(event_wu, {}, {}, pre_var_refs={"V": "V"}),
            init_postsynaptic("DeltaCurr"),
            init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": 0.001}))
        model.build(path_to_model=str(tmp_path))
        model.load(num_recording_timesteps=200)
        model.step_time(200)
        model.pull_recording_buffers_from_device()
        runs[backend] = (pop.spike_recording_data[0], events.pre_spike_event_recording_data[0])
    reference = runs[CPU_BACKENDS[-1]]
    assert len(reference[0][0]) > 1000 and len(reference[1][0]) > 1000
    for backend in CPU_BACKENDS[:-1]:
        for (times, ids), (ref_times, ref_ids) in zip(runs[backend], reference):
            order, ref_order = np.lexsort((ids, times)), np.lexsort((ref_ids, ref_times))
            np.testing.assert_array_equal(times[order], ref_times[ref_order])
            np.testing.assert_array_equal(ids[order], ref_ids[ref_order])


@pytest.mark.skipif(len(CPU_BACKENDS) < 2, reason="needs the multi-threaded CPU backend")
def test_split_neuron_update_is_bit_identical(tmp_path):
    """The CPU backends' two-pass neuron update (codegen/neuron_split.py) on a threaded
    population whose size is no multiple of 32, with conductance PSMs, a spike queue (axonal
    delay) and spike times: recordings, spike times and state equal across CPU backends."""
    from pygenn import create_var_ref, create_weight_update_model
    pre_time = create_weight_update_model(
        "pre_time", vars=[("last", "scalar")], pre_spike_syn_code="last = st_pre;")
    runs = {}
    for backend in CPU_BACKENDS:
        model = GeNNModel("float", f"split_{backend}", backend=backend)
        model.dt = 0.5
        model.seed = 7
        lif = {"C": 0.2, "TauM": 20.0, "Vrest": -60.0, "Vreset": -60.0, "Vthresh": -50.0,
               "Ioffset": 0.0, "TauRefrac": 2.0}
        pop = model.add_neuron_population(
            "pop", 3001, "LIF", lif, {"V": init_var("Uniform", {"min": -60.0, "max": -50.0}),
                                      "RefracTime": 0.0})
        pop.spike_recording_enabled = True
        model.add_current_source("noise", "PoissonExp", pop,
                                 {"weight": 2.0, "tauSyn": 1.0, "rate": 80.0}, {"current": 0.0})
        syn = model.add_synapse_population(
            "exc", "SPARSE", pop, pop, init_weight_update(pre_time, {}, {"last": -1.0}),
            init_postsynaptic("ExpCond", {"tau": 5.0, "E": 0.0},
                              var_refs={"V": create_var_ref(pop, "V")}),
            init_sparse_connectivity("FixedProbabilityNoAutapse", {"prob": 0.01}))
        syn.axonal_delay_steps = 3
        model.build(path_to_model=str(tmp_path))
        model.load(num_recording_timesteps=200)
        assert ("pop", "spkByte") in model._runtime.manifest.arrays      # the split path ran
        model.step_time(200)
        model.pull_recording_buffers_from_device()
        pop.vars["V"].pull_from_device()
        syn.vars["last"].pull_from_device()
        runs[backend] = (*pop.spike_recording_data[0], pop.vars["V"].values.copy(),
                         syn.vars["last"].values.copy())
    reference = runs[CPU_BACKENDS[-1]]
    assert len(reference[0]) > 500
    for backend in CPU_BACKENDS[:-1]:
        for got, expected in zip(runs[backend], reference):
            np.testing.assert_array_equal(got, expected)
