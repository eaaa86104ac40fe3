"""pygenn.plot and pygenn.io without a model: spike arrays, rates, checks and the messages for a
missing optional dependency."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from pygenn import io, plot
from pygenn._src.results.samples import Samples
from pygenn._src.results.spikes import collect_spikes


@pytest.mark.parametrize("module, call, extra", [
    ("matplotlib.pyplot", lambda: plot.raster((np.zeros(1), np.zeros(1, int))), "plot"),
    ("neo", lambda: io.to_neo((np.zeros(1), np.zeros(1, int))), "io"),
    ("pynwb", lambda: io.to_nwb((np.zeros(1), np.zeros(1, int))), "io"),
])
def test_a_missing_optional_dependency_names_the_extra(monkeypatch, module, call, extra):
    monkeypatch.setitem(sys.modules, module, None)       # import fails as if not installed
    with pytest.raises(ImportError, match=rf'pip install "pygenn\[{extra}\]"'):
        call()


def test_population_rates_per_bin():
    times = np.array([0.0, 1.0, 4.9, 5.0, 12.0])
    ids = np.array([0, 1, 2, 3, 9])
    edges, rates = plot.population_rates((times, ids), bin_ms=5.0, num_neurons=10)
    np.testing.assert_array_equal(edges, [0.0, 5.0, 10.0, 12.0])
    # 3 spikes of 10 neurons in 5 ms = 60 Hz; the last bin is 2 ms wide
    np.testing.assert_allclose(rates["spikes 0"], [60.0, 20.0, 1 / (10 * 0.002)])


def test_spike_arrays_are_checked():
    with pytest.raises(ValueError, match="same length"):
        collect_spikes([(np.zeros(2), np.zeros(3, int))])
    with pytest.raises(ValueError, match="negative"):
        collect_spikes([(np.zeros(1), np.array([-1]))])
    with pytest.raises(ValueError, match="out of range for 3 neurons"):
        collect_spikes([(np.zeros(1), np.array([3]))], num_neurons=3)
    with pytest.raises(TypeError, match="neuron population or a \\(times, ids\\) pair"):
        collect_spikes([42])
    with pytest.raises(ValueError, match="no spikes given"):
        collect_spikes([])
    with pytest.raises(ValueError, match="2 given for 1"):
        collect_spikes([(np.zeros(1), np.zeros(1, int))], labels=["a", "b"])


def test_samples_regular_and_snapshots_agree():
    values = np.arange(8.0).reshape(4, 2)
    regular = Samples.regular(values, dt=0.5, t_start=1.0)
    snapshots = Samples.from_snapshots([(1.0 + 0.5 * i, row) for i, row in enumerate(values)])
    np.testing.assert_array_equal(regular.times, snapshots.times)
    np.testing.assert_array_equal(regular.values, snapshots.values)
    assert regular.regular_period() == 0.5
    assert Samples.checked([0.0, 1.0, 3.0], [1, 2, 3]).regular_period() is None


def test_raster_stacks_populations():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots()
    try:
        returned = plot.raster((np.array([1.0, 2.0]), np.array([0, 3])),
                               (np.array([1.5]), np.array([1])),
                               ax=ax, labels=["A", "B"], num_neurons=[5, 2])
        assert returned is ax
        a, b = ax.lines
        np.testing.assert_array_equal(a.get_ydata(), [0, 3])
        np.testing.assert_array_equal(b.get_ydata(), [6])         # above A's 5 rows
        assert [t.get_text() for t in ax.get_legend().get_texts()] == \
            ["A (2 spikes)", "B (1 spike)"]
        assert plot.rate_histogram((np.array([1.0]), np.array([0])), ax=ax,
                                   num_neurons=1) is ax
    finally:
        plt.close(figure)
