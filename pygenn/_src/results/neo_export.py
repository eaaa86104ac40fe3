"""Recorded spikes and collected variable samples as neo objects (neo imported when used).

Times are in ms, as in pygenn. Each neuron becomes a ``SpikeTrain`` annotated, as PyNN does,
with ``source_population`` (the label) and ``source_index`` (its index in the population).
"""
from __future__ import annotations

import numpy as np

from .optional import import_optional
from .samples import as_samples
from .spikes import collect_spikes, recorded_spikes

IO_EXTRA = "io"


def _neo():
    return import_optional("neo", IO_EXTRA, "pygenn.io (neo export)")


def _spike_trains_of(group) -> list:
    neo = _neo()
    return [neo.SpikeTrain(times, t_start=group.t_start, t_stop=group.t_stop, units="ms",
                           name=f"{group.label}[{index}]", source_population=group.label,
                           source_index=index)
            for index, times in enumerate(group.times_of_neuron())]


def spike_trains(source, label=None, num_neurons=None, batch=0) -> list:
    """One ``neo.SpikeTrain`` per neuron of a population, silent neurons included.

    Parameters
    ----------
    source : NeuronGroup or (times, ids)
        A population with recorded spikes (buffers pulled), or arrays of spike times (ms)
        and neuron ids.
    label : str, optional
        ``source_population`` annotation; default the population's name.
    num_neurons : int, optional
        Number of trains for arrays; default the largest id + 1.
    batch : int
        Batch of a batched model.

    Returns
    -------
    list of neo.SpikeTrain
        Index i holds neuron i's spikes, in ms, from ``t_start`` to ``t_stop`` (a population:
        the window its recording buffer covers).
    """
    return _spike_trains_of(recorded_spikes(source, label, num_neurons, batch))


def analog_signal(samples, name: str, units: str = "dimensionless"):
    """Collected samples of a variable as a neo signal.

    Parameters
    ----------
    samples : Samples or sequence of (t, values)
        Sample times in ms and values (one channel per column, e.g. per neuron).
    name : str
        Name of the signal.
    units : str
        Units of the values (a ``quantities`` unit name such as "mV").

    Returns
    -------
    neo.AnalogSignal or neo.IrregularlySampledSignal
        An ``AnalogSignal`` when the samples are evenly spaced, else an
        ``IrregularlySampledSignal``; shape ``(num_samples, num_channels)``.
    """
    neo = _neo()
    samples = as_samples(samples, name)
    values = samples.values_2d
    channels = {"channel_index": np.arange(values.shape[1])}
    period = samples.regular_period()
    if period is None:
        return neo.IrregularlySampledSignal(samples.times, values, units=units,
                                            time_units="ms", name=name,
                                            array_annotations=channels)
    quantities = import_optional("quantities", IO_EXTRA, "pygenn.io (neo export)")
    return neo.AnalogSignal(values, units=units, t_start=samples.times[0] * quantities.ms,
                            sampling_period=period * quantities.ms, name=name,
                            array_annotations=channels)


def to_neo(*spikes, variables=None, labels=None, num_neurons=None, units=None, batch=0,
           name="pygenn simulation"):
    """A ``neo.Block`` with one ``Segment`` holding spike trains and variable signals.

    Parameters
    ----------
    *spikes : NeuronGroup or (times, ids)
        Populations with recorded spikes (buffers pulled), or arrays of spike times (ms) and
        neuron ids.
    variables : dict of str to Samples or sequence of (t, values), optional
        Collected variable values by name, e.g. ``{"E.V": [(t0, v0), (t1, v1), ...]}``.
    labels : sequence of str, optional
        Population label per spike source; default the population names.
    num_neurons : int or sequence, optional
        Number of neurons per spike source given as arrays; default the largest id + 1.
    units : dict of str to str, optional
        Units of each variable (default dimensionless).
    batch : int
        Batch of a batched model whose spikes are exported.
    name : str
        Name of the block.

    Returns
    -------
    neo.Block
        ``block.segments[0].spiketrains`` lists every neuron's train, population by
        population; ``block.groups`` has one ``neo.Group`` per population with its trains;
        ``block.segments[0].analogsignals`` (and ``irregularlysampledsignals``) the variables.
    """
    neo = _neo()
    block = neo.Block(name=name)
    segment = neo.Segment(name="run")
    block.segments.append(segment)
    if spikes:
        for group in collect_spikes(spikes, labels, num_neurons, batch):
            trains = _spike_trains_of(group)
            segment.spiketrains.extend(trains)
            block.groups.append(neo.Group(trains, name=group.label,
                                          allowed_types=[neo.SpikeTrain]))
    units = units or {}
    for variable, samples in (variables or {}).items():
        signal = analog_signal(samples, variable, units.get(variable, "dimensionless"))
        if isinstance(signal, neo.AnalogSignal):
            segment.analogsignals.append(signal)
        else:
            segment.irregularlysampledsignals.append(signal)
    block.check_relationships()
    return block
