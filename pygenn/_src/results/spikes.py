"""Recorded spikes from a population or from ``(times, ids)`` arrays, in one shape.

Plotting and export take either a neuron population whose spikes were recorded
(``spike_recording_enabled``, buffers pulled) or a ``(times, ids)`` pair of arrays, as
``spike_recording_data`` gives per batch. ``collect_spikes`` turns a mix of those into
``RecordedSpikes``: times in ms, neuron ids, and what is known of the population's size and of
the time window the recording covers.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from collections.abc import Sequence

import numpy as np


@dataclass(frozen=True)
class RecordedSpikes:
    """The spikes of one population.

    Attributes
    ----------
    label : str
        Population name (or the label given for arrays).
    times : numpy.ndarray
        Spike times in ms (float64), in recording order.
    ids : numpy.ndarray
        Neuron index of each spike (int64).
    num_neurons : int
        Size of the population (for arrays: as given, else the largest id + 1).
    t_start, t_stop : float
        The time window the recording covers, in ms. For a population: the recording buffer's
        window, ending at the model's current time; for arrays: as given, else from 0 to the
        last spike.
    """

    label: str
    times: np.ndarray
    ids: np.ndarray
    num_neurons: int
    t_start: float
    t_stop: float

    def times_of_neuron(self) -> list:
        """Per neuron id (0 to ``num_neurons - 1``), its spike times in ms, ascending."""
        order = np.lexsort((self.times, self.ids))
        times, ids = self.times[order], self.ids[order]
        bounds = np.searchsorted(ids, np.arange(self.num_neurons + 1))
        return [times[bounds[i]:bounds[i + 1]] for i in range(self.num_neurons)]


def is_population(source) -> bool:
    """Whether ``source`` is a neuron population (has ``spike_recording_data``)."""
    return hasattr(type(source), "spike_recording_data")


def collect_spikes(sources: Sequence, labels=None, num_neurons=None, batch: int = 0,
                   t_start=None, t_stop=None) -> list[RecordedSpikes]:
    """``RecordedSpikes`` for each of ``sources`` (populations or ``(times, ids)`` pairs).

    ``labels``, ``num_neurons``, ``t_start`` and ``t_stop`` are None, one value for every
    source, or a sequence with one entry per source (None entries: the default).
    """
    if not sources:
        raise ValueError("no spikes given: pass one or more neuron populations (with "
                         "spike_recording_enabled) or (times, ids) pairs of arrays")
    labels = _per_source(labels, len(sources), "labels")
    num_neurons = _per_source(num_neurons, len(sources), "num_neurons")
    t_start = _per_source(t_start, len(sources), "t_start")
    t_stop = _per_source(t_stop, len(sources), "t_stop")
    return [recorded_spikes(source, labels[i], num_neurons[i], batch, t_start[i], t_stop[i],
                            position=i)
            for i, source in enumerate(sources)]


def recorded_spikes(source, label=None, num_neurons=None, batch: int = 0, t_start=None,
                    t_stop=None, position: int = 0) -> RecordedSpikes:
    """``RecordedSpikes`` of one population or ``(times, ids)`` pair (see ``collect_spikes``)."""
    if is_population(source):
        window_start, window_stop = _recording_window(source)
        times, ids = _batch_of(source, batch)
        label = source.name if label is None else label
        num_neurons = source.num_neurons if num_neurons is None else num_neurons
        t_start = window_start if t_start is None else t_start
        t_stop = window_stop if t_stop is None else t_stop
    else:
        times, ids = _pair(source, position)
        label = f"spikes {position}" if label is None else label
    times = np.asarray(times, dtype=np.float64).ravel()
    ids = np.asarray(ids).ravel()
    if len(ids) and not np.issubdtype(ids.dtype, np.integer) and np.any(np.mod(ids, 1) != 0):
        raise ValueError(f"{label}: neuron ids must be whole numbers")
    ids = ids.astype(np.int64)
    if len(ids) and ids.min() < 0:
        raise ValueError(f"{label}: neuron ids must not be negative (found {ids.min()})")
    if num_neurons is None:
        num_neurons = int(ids.max()) + 1 if len(ids) else 0
    elif len(ids) and ids.max() >= num_neurons:
        raise ValueError(f"{label}: neuron id {ids.max()} is out of range for "
                         f"{num_neurons} neurons")
    if t_start is None:
        t_start = min(0.0, float(times.min())) if len(times) else 0.0
    if t_stop is None:
        t_stop = max(float(t_start), float(times.max())) if len(times) else float(t_start)
    return RecordedSpikes(str(label), times, ids, int(num_neurons), float(t_start),
                          float(t_stop))


def _pair(source, position: int):
    try:
        times, ids = source
    except (TypeError, ValueError):
        raise TypeError(f"spikes #{position}: expected a neuron population or a (times, ids) "
                        f"pair of arrays, not {type(source).__name__}") from None
    if np.ndim(times) != 1 or np.ndim(ids) != 1 or len(times) != len(ids):
        raise ValueError(f"spikes #{position}: times and ids must be 1-D arrays of the same "
                         f"length (got shapes {np.shape(times)} and {np.shape(ids)})")
    return times, ids


def _batch_of(population, batch: int):
    data = population.spike_recording_data
    if not isinstance(batch, numbers.Integral) or not 0 <= batch < len(data):
        raise IndexError(f"batch {batch!r} is out of range: population '{population.name}' "
                         f"has {len(data)} batch(es) of recorded spikes")
    return data[batch]


def _recording_window(population) -> tuple:
    """(start, stop) in ms of the steps the recording buffer holds: the last
    ``num_recording_timesteps`` steps before the model's current time."""
    model = getattr(population, "_model", None)
    runtime = getattr(model, "_runtime", None)
    steps = getattr(runtime, "num_recording_timesteps", None)
    if model is None or runtime is None or not steps:
        return None, None
    timestep, dt = int(model.timestep), float(model.dt)
    return (timestep - int(steps)) * dt, timestep * dt


def _per_source(value, count: int, what: str) -> list:
    if value is None or isinstance(value, (str, numbers.Number)):
        return [value] * count
    value = list(value)
    if len(value) != count:
        raise ValueError(f"{what}: {len(value)} given for {count} spike source(s)")
    return value
