"""Recording (Neo output), run control, reset, parameter changes and seeding in pygenn.pynn."""
import importlib

import numpy as np
import pytest

pytest.importorskip("pyNN")


def _driven_network(sim, n=4):
    sources = sim.Population(n, sim.SpikeSourceArray(spike_times=[[3.0, 8.0, 14.0]] * n))
    cells = sim.Population(n, sim.IF_cond_exp(i_offset=np.linspace(0.5, 1.5, n),
                                              tau_refrac=2.0))
    sim.Projection(sources, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.02, delay=0.5))
    return sources, cells


def test_get_data_returns_a_neo_block_with_shapes_and_units(sim):
    import neo
    sim.setup(timestep=0.1)
    _, cells = _driven_network(sim)
    cells.record("spikes")
    cells[1:3].record(["v", "gsyn_exc"], sampling_interval=0.5)
    sim.run(20.0)
    block = cells.get_data()
    assert isinstance(block, neo.Block)
    segment = block.segments[0]
    assert len(segment.spiketrains) == 4
    for train in segment.spiketrains:
        assert str(train.units.dimensionality) == "ms"
        assert float(train.t_stop) == pytest.approx(20.0)
    assert sum(len(train) for train in segment.spiketrains) > 0
    v = segment.filter(name="v")[0]
    assert v.shape == (41, 2)  # samples at 0, 0.5, ..., 20 ms
    assert str(v.units.dimensionality) == "mV"
    assert float(v.sampling_period) == pytest.approx(0.5)
    np.testing.assert_array_equal(v.array_annotations["channel_index"], [1, 2])
    np.testing.assert_allclose(np.asarray(v)[0], -65.0)  # the first sample is the initial v
    gsyn = segment.filter(name="gsyn_exc")[0]
    assert gsyn.shape == (41, 2) and str(gsyn.units.dimensionality) == "uS"
    assert cells.mean_spike_count() == pytest.approx(
        np.mean([len(train) for train in segment.spiketrains]))


def test_split_runs_record_the_same_as_one_run(sim):
    def record(split):
        sim.setup(timestep=0.1)
        _, cells = _driven_network(sim)
        cells.record(["spikes", "v"])
        for duration in split:
            sim.run(duration)
        assert sim.get_current_time() == pytest.approx(sum(split))
        segment = cells.get_data().segments[0]
        return ([np.asarray(train) for train in segment.spiketrains],
                np.asarray(segment.filter(name="v")[0]))

    spikes_whole, v_whole = record([30.0])
    spikes_split, v_split = record([7.3, 12.0, 10.7])
    assert v_whole.shape == v_split.shape == (301, 4)
    np.testing.assert_array_equal(v_whole, v_split)
    for whole, split in zip(spikes_whole, spikes_split):
        np.testing.assert_array_equal(whole, split)


def test_reset_starts_a_new_identical_segment(sim):
    sim.setup(timestep=0.1)
    _, cells = _driven_network(sim)
    cells.record(["spikes", "v"])
    sim.run(25.0)
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run(25.0)
    first, second = cells.get_data().segments
    np.testing.assert_array_equal(np.asarray(first.filter(name="v")[0]),
                                  np.asarray(second.filter(name="v")[0]))
    for a, b in zip(first.spiketrains, second.spiketrains):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_set_and_initialize_between_runs(sim):
    sim.setup(timestep=0.1)
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    cells.record(["spikes", "v"])
    sim.run(50.0)
    assert all(len(train) > 0 for train in cells.get_data().segments[0].spiketrains)
    cells.set(i_offset=0.0)
    cells[1:2].initialize(v=-80.0)
    np.testing.assert_array_equal(cells.get("i_offset"), 0.0)
    sim.run(50.0)
    segment = cells.get_data().segments[0]
    assert all(np.all(np.asarray(train) <= 50.0 + 1e-9) for train in segment.spiketrains)
    v = np.asarray(segment.filter(name="v")[0])
    # no more drive: v relaxes back towards rest
    assert abs(v[-1, 0] + 65.0) < 0.1 * abs(v[500, 0] + 65.0) + 1e-6
    assert v[501, 1] < -75.0  # the new initial value was applied at once


def test_get_data_with_clear_keeps_only_later_data(sim):
    sim.setup(timestep=0.1)
    sources = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0, 12.0]))
    sources.record("spikes")
    sim.run(10.0)
    assert list(sources.get_data(clear=True).segments[0].spiketrains[0]) == [2.0]
    sim.run(10.0)
    assert list(np.asarray(sources.get_data().segments[0].spiketrains[0])) == [12.0]


def test_rng_seed_makes_random_distributions_reproducible(sim):
    def initial_v(seed):
        sim.setup(rng_seed=seed)
        cells = sim.Population(5, sim.IF_curr_exp())
        cells.initialize(v=sim.RandomDistribution("uniform", (-70.0, -60.0)))
        cells.record("v")
        sim.run(0.1)
        return np.asarray(cells.get_data().segments[0].filter(name="v")[0])[0]

    np.testing.assert_array_equal(initial_v(7), initial_v(7))
    assert not np.array_equal(initial_v(7), initial_v(8))
    assert np.all((initial_v(9) >= -70.0) & (initial_v(9) <= -60.0))


def test_network_cannot_grow_after_the_first_run(sim):
    sim.setup()
    sim.Population(2, sim.IF_curr_exp())
    sim.run(1.0)
    with pytest.raises(NotImplementedError, match="after the first run"):
        sim.Population(2, sim.IF_curr_exp())


def test_available_to_pynn_as_pyNN_pygenn(cpu_sim):
    sim = cpu_sim
    assert importlib.import_module("pyNN.pygenn") is sim
    assert "IF_cond_exp" in sim.list_standard_models()


def test_cpu_backends_give_the_same_spikes(cpu_sim):
    sim = cpu_sim
    def spike_trains(backend):
        sim.setup(timestep=0.1, backend=backend, precision="float")
        cells = sim.Population(300, sim.IF_curr_exp(i_offset=0.9, tau_refrac=2.0))
        cells.initialize(v=sim.RandomDistribution("uniform", (-65.0, -50.0),
                                                  rng=sim.NumpyRNG(seed=5)))
        sim.Projection(cells, cells,
                       sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(seed=6)),
                       sim.StaticSynapse(weight=-0.1, delay=0.5), receptor_type="inhibitory")
        cells.record("spikes")
        sim.run(100.0)
        return [np.asarray(train) for train in cells.get_data().segments[0].spiketrains]

    single = spike_trains("single_threaded_cpu")
    multi = spike_trains("multi_threaded_cpu")
    assert sum(len(train) for train in single) > 0
    for a, b in zip(single, multi):
        np.testing.assert_array_equal(a, b)
