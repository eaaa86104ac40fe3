"""Spike rasters and population rate histograms with matplotlib (imported when first used).

Every function takes one or more spike sources: neuron populations whose spikes were recorded
(buffers pulled with ``pull_recording_buffers_from_device``) or ``(times, ids)`` pairs of arrays.
"""
from __future__ import annotations

import numpy as np

from .optional import import_optional
from .spikes import collect_spikes

PLOT_EXTRA = "plot"


def _pyplot():
    return import_optional("matplotlib.pyplot", PLOT_EXTRA, "pygenn.plot", "matplotlib")


def _axes(ax):
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=(8, 4), layout="constrained")
    return ax


def raster(*spikes, ax=None, labels=None, num_neurons=None, batch=0, colors=None,
           marker_size=None):
    """Plot spikes as dots, one row per neuron; populations are stacked bottom to top.

    Parameters
    ----------
    *spikes : NeuronGroup or (times, ids)
        Populations with recorded spikes, or pairs of arrays (times in ms, neuron ids).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure's.
    labels : sequence of str, optional
        Legend entry per source; default the population names ("spikes 0", ... for arrays).
    num_neurons : int or sequence, optional
        Rows each source takes (populations: their size; arrays: the largest id + 1).
    batch : int
        Batch of a batched model whose spikes are shown.
    colors : sequence, optional
        A matplotlib colour per source; default the colour cycle.
    marker_size : float, optional
        Dot size in points; default from 1 (thousands of rows) to 6 (a few dozen).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (its figure is ``ax.figure``).
    """
    groups = collect_spikes(spikes, labels, num_neurons, batch)
    ax = _axes(ax)
    if marker_size is None:
        rows = sum(group.num_neurons for group in groups)
        marker_size = float(np.clip(60.0 / np.sqrt(max(rows, 1)), 1.0, 6.0))
    offset = 0
    for index, group in enumerate(groups):
        style = {} if colors is None else {"color": colors[index]}
        ax.plot(group.times, group.ids + offset, linestyle="none", marker=".",
                markersize=marker_size, markeredgewidth=0, rasterized=True,
                label=f"{group.label} ({_count(len(group.times), 'spike')})", **style)
        offset += group.num_neurons
    ax.set_xlim(min(g.t_start for g in groups), max(g.t_stop for g in groups))
    ax.set_ylim(-0.5, max(offset, 1) - 0.5)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("neuron")
    ax.yaxis.set_major_locator(import_optional(
        "matplotlib.ticker", PLOT_EXTRA, "pygenn.plot", "matplotlib").MaxNLocator(integer=True))
    ax.legend(loc="upper right", markerscale=8.0 / max(marker_size, 0.1), fontsize="small",
              framealpha=0.8)
    return ax


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def population_rates(*spikes, bin_ms=5.0, labels=None, num_neurons=None, batch=0):
    """Mean firing rate of each population per time bin, without plotting.

    Parameters
    ----------
    *spikes : NeuronGroup or (times, ids)
        As for ``raster``.
    bin_ms : float
        Bin width in ms; the last bin is shortened to end at the recording's end.
    labels, num_neurons, batch
        As for ``raster``. For arrays, ``num_neurons`` is what the counts are divided by, so
        give it when the highest ids did not fire.

    Returns
    -------
    edges : numpy.ndarray
        Bin edges in ms, shared by all sources.
    rates : dict of str to numpy.ndarray
        Per label, the mean rate per neuron in each bin, in Hz.
    """
    if not bin_ms > 0:
        raise ValueError(f"bin_ms must be positive, not {bin_ms!r}")
    groups = collect_spikes(spikes, labels, num_neurons, batch)
    start = min(g.t_start for g in groups)
    stop = max(g.t_stop for g in groups)
    if stop <= start:                   # nothing recorded yet: one empty bin
        stop = start + bin_ms
    num_bins = max(1, int(np.ceil((stop - start) / bin_ms - 1e-9)))
    edges = np.minimum(start + bin_ms * np.arange(num_bins + 1), stop)
    edges[-1] = stop
    widths_s = np.diff(edges) / 1000.0
    rates = {}
    for group in groups:
        counts, _ = np.histogram(group.times, bins=edges)
        rates[group.label] = counts / (max(group.num_neurons, 1) * widths_s)
    return edges, rates


def rate_histogram(*spikes, bin_ms=5.0, ax=None, labels=None, num_neurons=None, batch=0,
                   colors=None):
    """Plot each population's mean firing rate (Hz per neuron) in bins of ``bin_ms``.

    Parameters
    ----------
    *spikes : NeuronGroup or (times, ids)
        As for ``raster``.
    bin_ms : float
        Bin width in ms.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure's.
    labels, num_neurons, batch, colors
        As for ``raster`` and ``population_rates``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    edges, rates = population_rates(*spikes, bin_ms=bin_ms, labels=labels,
                                    num_neurons=num_neurons, batch=batch)
    ax = _axes(ax)
    for index, (label, rate) in enumerate(rates.items()):
        style = {} if colors is None else {"color": colors[index]}
        mean = np.sum(rate * np.diff(edges)) / (edges[-1] - edges[0])
        ax.stairs(rate, edges, label=f"{label} (mean {mean:.1f} Hz)", **style)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel(f"rate [Hz] ({bin_ms:g} ms bins)")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    return ax


def raster_and_rates(*spikes, bin_ms=5.0, labels=None, num_neurons=None, batch=0,
                     colors=None, title=None, figsize=(8, 5)):
    """A new figure: the spike raster above the rate histogram, sharing the time axis.

    Parameters
    ----------
    *spikes : NeuronGroup or (times, ids)
        As for ``raster``.
    bin_ms, labels, num_neurons, batch, colors
        As for ``raster`` and ``rate_histogram``.
    title : str, optional
        Figure title.
    figsize : (float, float)
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``figure.axes`` holds the raster and the histogram axes.
    """
    fig, (top, bottom) = _pyplot().subplots(2, 1, sharex=True, figsize=figsize,
                                            height_ratios=(3, 1), layout="constrained")
    raster(*spikes, ax=top, labels=labels, num_neurons=num_neurons, batch=batch,
           colors=colors)
    top.set_xlabel("")
    rate_histogram(*spikes, bin_ms=bin_ms, ax=bottom, labels=labels, num_neurons=num_neurons,
                   batch=batch, colors=colors)
    if title:
        fig.suptitle(title)
    return fig
