"""Plots of recorded spikes (pygenn extension; needs matplotlib: ``pip install "pygenn[plot]"``).

Each function takes neuron populations whose spikes were recorded (after
``pull_recording_buffers_from_device()``) or ``(times, ids)`` pairs of arrays, and an optional
matplotlib ``ax``::

    from pygenn import plot
    fig = plot.raster_and_rates(exc, inh)
    fig.savefig("spikes.png")

matplotlib is imported the first time a function draws, not when this module is imported.
"""
from ._src.results.plotting import population_rates, raster, raster_and_rates, rate_histogram

__all__ = ["population_rates", "raster", "raster_and_rates", "rate_histogram"]
