"""Getting results out (issue 15 items 1 and 3): pygenn.io round trips through neo and NWB, and
pygenn.plot draws what was recorded, from a small simulated model (single_threaded_cpu)."""
from __future__ import annotations

import datetime

import numpy as np
import pytest

from pygenn import GeNNModel, init_var, io, plot
from pygenn._src.results.samples import as_samples

NUM_STEPS = 400
SAMPLE_EVERY = 10
LIF_PARAMS = {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0, "Vthresh": -51.0,
              "Ioffset": 1.5, "TauRefrac": 2.0}


@pytest.fixture
def simulated(tmp_path):
    """Two recorded LIF populations (one never fires) and V sampled every 10 steps."""
    model = GeNNModel("float", "results_export", backend="single_threaded_cpu")
    model.dt = 0.1
    model.seed = 7
    init = {"V": init_var("Uniform", {"min": -70.0, "max": -51.0}), "RefracTime": 0.0}
    firing = model.add_neuron_population("Firing", 37, "LIF", LIF_PARAMS, init)
    silent = model.add_neuron_population("Silent", 5, "LIF", dict(LIF_PARAMS, Ioffset=0.0),
                                         {"V": -70.0, "RefracTime": 0.0})
    for pop in (firing, silent):
        pop.spike_recording_enabled = True
    model.build(path_to_model=str(tmp_path))
    model.load(num_recording_timesteps=NUM_STEPS)
    trace = []
    while model.timestep < NUM_STEPS:
        model.step_time(SAMPLE_EVERY)
        firing.vars["V"].pull_from_device()
        trace.append((model.t, firing.vars["V"].values.copy()))
    model.pull_recording_buffers_from_device()
    return model, firing, silent, trace


def _expected_trains(pop):
    times, ids = pop.spike_recording_data[0]
    return [np.sort(times[ids == i]) for i in range(pop.num_neurons)]


# ----------------------------------------------------------------------------- NWB
def test_nwb_round_trip_is_exact(simulated, tmp_path):
    pynwb = pytest.importorskip("pynwb")
    model, firing, silent, trace = simulated
    path = tmp_path / "run.nwb"
    start = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    io.write_nwb(path, firing, silent, variables={"Firing_V": trace},
                 units={"Firing_V": "mV"}, identifier="pygenn-test", session_start_time=start)

    with pynwb.NWBHDF5IO(str(path), "r") as reader:
        nwbfile = reader.read()
        assert nwbfile.identifier == "pygenn-test" and nwbfile.session_start_time == start
        table = nwbfile.units
        rows = [(table["population"][i], int(table["neuron_id"][i]),
                 np.asarray(table["spike_times"][i]), np.asarray(table["obs_intervals"][i]))
                for i in range(len(table))]
        series = nwbfile.acquisition["Firing_V"]
        data, timestamps, unit = series.data[:], series.timestamps[:], series.unit

    assert len(rows) == firing.num_neurons + silent.num_neurons
    for pop in (firing, silent):
        mine = [row for row in rows if row[0] == pop.name]
        assert [row[1] for row in mine] == list(range(pop.num_neurons))
        for (_, _, spike_times, window), expected in zip(mine, _expected_trains(pop)):
            np.testing.assert_array_equal(spike_times, expected / 1000.0)   # seconds
            np.testing.assert_array_equal(window, [[0.0, model.t / 1000.0]])
    assert sum(len(row[2]) for row in rows) == len(firing.spike_recording_data[0][0]) > 0
    assert all(len(row[2]) == 0 for row in rows if row[0] == "Silent")

    values = np.stack([v for _, v in trace])
    assert data.dtype == values.dtype == np.float32
    np.testing.assert_array_equal(data, values)
    np.testing.assert_array_equal(timestamps, np.array([t for t, _ in trace]) / 1000.0)
    assert unit == "mV"


def test_nwb_from_arrays_adds_to_an_existing_file(tmp_path):
    pynwb = pytest.importorskip("pynwb")
    nwbfile = io.to_nwb((np.array([1.5, 0.5, 2.0]), np.array([2, 0, 2])), labels=["a"],
                        num_neurons=4)
    io.to_nwb((np.array([3.0]), np.array([0])), labels=["b"], nwbfile=nwbfile,
              variables={"x": io.Samples.regular(np.arange(6.0).reshape(3, 2), dt=0.5)})
    path = tmp_path / "arrays.nwb"
    with pynwb.NWBHDF5IO(str(path), "w") as writer:
        writer.write(nwbfile)
    with pynwb.NWBHDF5IO(str(path), "r") as reader:
        read_back = reader.read()
        units = read_back.units
        populations = list(units["population"][:])
        trains = [list(units["spike_times"][i]) for i in range(len(units))]
        np.testing.assert_array_equal(read_back.acquisition["x"].timestamps[:],
                                      [0.0, 0.0005, 0.001])
        np.testing.assert_array_equal(read_back.acquisition["x"].data[:],
                                      np.arange(6.0).reshape(3, 2))
    assert populations == ["a"] * 4 + ["b"]
    assert trains == [[0.0005], [], [0.0015, 0.002], [], [0.003]]


# ----------------------------------------------------------------------------- neo
def test_neo_spike_trains_and_signals(simulated, tmp_path):
    neo = pytest.importorskip("neo")
    model, firing, silent, trace = simulated
    block = io.to_neo(firing, silent, variables={"Firing.V": trace}, units={"Firing.V": "mV"})
    segment = block.segments[0]
    assert len(segment.spiketrains) == firing.num_neurons + silent.num_neurons
    assert [group.name for group in block.groups] == ["Firing", "Silent"]

    def check(block):
        segment = block.segments[0]
        trains = iter(segment.spiketrains)
        for pop in (firing, silent):
            for index, expected in enumerate(_expected_trains(pop)):
                train = next(trains)
                assert train.annotations["source_population"] == pop.name
                assert train.annotations["source_index"] == index
                assert str(train.units.dimensionality) == "ms"
                np.testing.assert_array_equal(train.magnitude, expected)
                assert float(train.t_stop.rescale("ms")) == model.t
        signal, = segment.analogsignals
        values = np.stack([v for _, v in trace])
        assert signal.shape == values.shape and str(signal.units.dimensionality) == "mV"
        np.testing.assert_array_equal(signal.magnitude, values)
        np.testing.assert_allclose(signal.times.rescale("ms").magnitude,
                                   [t for t, _ in trace], rtol=1e-12)

    check(block)
    path = tmp_path / "run.pkl"
    neo.io.PickleIO(str(path)).write_block(block)
    check(neo.io.PickleIO(str(path)).read_block())


def test_neo_irregular_samples_and_single_population_trains():
    neo = pytest.importorskip("neo")
    snapshots = [(0.0, 1.0), (0.5, 2.0), (2.0, 3.0)]
    signal = io.analog_signal(snapshots, "w")
    assert isinstance(signal, neo.IrregularlySampledSignal)
    np.testing.assert_array_equal(signal.times.magnitude, [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(signal.magnitude[:, 0], [1.0, 2.0, 3.0])
    trains = io.spike_trains((np.array([4.0, 1.0, 2.0]), np.array([1, 1, 0])), num_neurons=3)
    assert [list(t.magnitude) for t in trains] == [[2.0], [1.0, 4.0], []]
    assert all(float(t.t_stop) == 4.0 for t in trains)


@pytest.mark.parametrize("bad, error", [
    (np.zeros(3), "Samples.regular"),
    ([(0.0, [1, 2]), (1.0, [1])], "same number of values"),
    ([(1.0, 0.0), (0.5, 1.0)], "strictly increasing"),
    ([], "empty"),
])
def test_samples_are_checked(bad, error):
    with pytest.raises((TypeError, ValueError), match=error):
        as_samples(bad, "v")


# ----------------------------------------------------------------------------- plot
def test_plots_of_a_simulated_model(simulated, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, firing, silent, _ = simulated
    figure = plot.raster_and_rates(firing, silent, bin_ms=5.0)
    try:
        raster_ax, rate_ax = figure.axes
        assert len(rate_ax.patches) == 2            # one histogram per population
        firing_dots, silent_dots = raster_ax.lines
        times, ids = firing.spike_recording_data[0]
        np.testing.assert_array_equal(firing_dots.get_xdata(), times)
        np.testing.assert_array_equal(firing_dots.get_ydata(), ids)
        assert len(silent_dots.get_xdata()) == 0
        assert raster_ax.get_xlim() == (0.0, model.t)
        edges, rates = plot.population_rates(firing, silent, bin_ms=5.0)
        assert len(edges) == 9 and edges[-1] == model.t
        assert rates["Firing"].sum() * 0.005 * firing.num_neurons == pytest.approx(len(times))
        assert not rates["Silent"].any()
        path = tmp_path / "spikes.png"
        figure.savefig(path)
        assert path.stat().st_size > 1000
    finally:
        plt.close(figure)


def test_a_batch_that_does_not_exist_is_refused(simulated):
    _, firing, _, _ = simulated
    with pytest.raises(IndexError, match="batch 1 is out of range.*1 batch"):
        plot.population_rates(firing, batch=1)
