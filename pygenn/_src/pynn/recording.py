"""Recording of spikes and state variables for the pygenn PyNN backend.

Spikes come from GeNN's spike recording buffers, which the simulator state decodes after every
run (and whenever a buffer fills) and hands to :meth:`Recorder.store_spikes`. State variables
(``v``, ``gsyn_exc``, ...) are sampled from the GeNN variables between steps, at times
``0, s, 2s, ...`` (``s``: sampling interval), the first sample being the initial state, as
PyNN's NEST backend reports them.
"""
import numpy as np
from pyNN import recording

from . import simulator

SPIKES = "spikes"


def _int_ids(ids):
    """Cell IDs as a plain int array (numpy probing ID objects is slow)."""
    return np.fromiter((int(i) for i in ids), dtype=np.int64)


class _SampledSignal:
    """Samples of one variable, kept in blocks that each record a fixed set of neurons."""

    def __init__(self):
        self.blocks = []        # list of (population indices, list of 1-D sample arrays)
        self.num_samples = 0

    def add(self, indices, values):
        if not self.blocks or not np.array_equal(self.blocks[-1][0], indices):
            self.blocks.append((indices, []))
        self.blocks[-1][1].append(values)
        self.num_samples += 1

    def as_array(self, indices):
        """(samples, len(indices)) array; NaN where a neuron was not being recorded."""
        result = np.full((self.num_samples, len(indices)), np.nan)
        row = 0
        for block_indices, samples in self.blocks:
            data = np.asarray(samples)
            columns = np.searchsorted(block_indices, indices)
            columns = np.minimum(columns, len(block_indices) - 1)
            present = block_indices[columns] == indices
            result[row:row + len(samples)][:, present] = data[:, columns[present]]
            row += len(samples)
        return result

    def keep_last_sample(self):
        """Drop every sample but the most recent (a clear() keeps the current state)."""
        if self.blocks:
            indices, samples = self.blocks[-1]
            self.blocks = [(indices, samples[-1:])]
            self.num_samples = 1


class Recorder(recording.Recorder):
    """Keeps the recorded data of one Population (and its views)."""
    _simulator = simulator

    def __init__(self, population, file=None):
        super().__init__(population, file)
        self._spike_indices = []
        self._spike_times = []
        self._signals = {}
        self._last_sampled_step = -1
        self._indices_cache = {}

    # ----------------------------------------------------------------- what is recorded
    def record(self, variables, ids, sampling_interval=None, locations=None):
        self._indices_cache = {}
        super().record(variables, ids, sampling_interval, locations)

    def reset(self):
        self._indices_cache = {}
        super().reset()

    def _record(self, variable, new_ids, sampling_interval=None):
        if variable.location is not None:
            raise ValueError("pygenn.pynn: point neurons have no recording locations")
        if variable.name != SPIKES and sampling_interval is not None:
            steps = sampling_interval / self._simulator.state.dt
            if abs(steps - round(steps)) > 1e-6 or round(steps) < 1:
                raise ValueError(f"sampling_interval ({sampling_interval} ms) must be a "
                                 "whole number of time steps")
            self.sampling_interval = sampling_interval

    def _reset(self):
        self._clear_simulator()

    @property
    def recorded_analog_variables(self):
        return sorted(v.name for v, ids in self.recorded.items() if v.name != SPIKES and ids)

    @property
    def records_spikes(self):
        return any(v.name == SPIKES and ids for v, ids in self.recorded.items())

    def recorded_indices(self, name):
        """Sorted population indices of the cells recording ``name``."""
        if name not in self._indices_cache:
            ids = set()
            for variable, variable_ids in self.recorded.items():
                if variable.name == name:
                    ids |= variable_ids
            self._indices_cache[name] = np.sort(
                _int_ids(ids) - int(self.population.first_id))
        return self._indices_cache[name]

    # ----------------------------------------------------------------- data from the simulator
    def store_spikes(self, indices, times):
        """Keep spikes (population indices, times in ms) of the cells recording spikes."""
        recorded = self.recorded_indices(SPIKES)
        if len(recorded) == 0 or len(indices) == 0:
            return
        keep = np.isin(indices, recorded)
        self._spike_indices.append(np.asarray(indices)[keep])
        self._spike_times.append(np.asarray(times, dtype=float)[keep])

    @property
    def sampling_steps(self) -> int:
        return max(round(self.sampling_interval / self._simulator.state.dt), 1)

    def sample(self, timestep, read_variable):
        """Record the analog variables if ``timestep`` is a sampling time not yet sampled.

        ``read_variable(pynn_name)`` returns the current values over the whole population.
        """
        if timestep <= self._last_sampled_step or timestep % self.sampling_steps:
            return
        for name in self.recorded_analog_variables:
            indices = self.recorded_indices(name)
            self._signals.setdefault(name, _SampledSignal()).add(
                indices, np.array(read_variable(name)[indices], dtype=float))
        self._last_sampled_step = timestep

    # ----------------------------------------------------------------- PyNN's Recorder hooks
    def _get_spiketimes(self, ids, clear=False):
        ids = _int_ids(ids)
        if self._spike_indices:
            indices = np.concatenate(self._spike_indices)
            times = np.concatenate(self._spike_times)
        else:
            indices, times = np.array([], dtype=np.int64), np.array([], dtype=float)
        id_array = indices + int(self.population.first_id)
        keep = np.isin(id_array, ids)
        order = np.lexsort((times[keep], id_array[keep]))
        return id_array[keep][order], times[keep][order].copy()

    def _get_all_signals(self, variable, ids, clear=False):
        signal = self._signals.get(variable.name)
        if signal is None or signal.num_samples == 0 or len(ids) == 0:
            return np.array([]), None
        indices = _int_ids(ids) - int(self.population.first_id)
        return signal.as_array(indices), None

    def _local_count(self, variable, filter_ids=None):
        ids = sorted(self.filter_recorded(variable, filter_ids))
        counts = dict.fromkeys((int(i) for i in ids), 0)
        if self._spike_indices and ids:
            indices = np.concatenate(self._spike_indices)
            id_array = indices + int(self.population.first_id)
            unique, number = np.unique(id_array, return_counts=True)
            for cell_id, count in zip(unique, number):
                if int(cell_id) in counts:
                    counts[int(cell_id)] = int(count)
        return counts

    def _clear_simulator(self):
        self._spike_indices = []
        self._spike_times = []
        for signal in self._signals.values():
            signal.keep_last_sample()

    def clear_all(self):
        """Forget every recorded value (a new segment starts at time 0)."""
        self._spike_indices = []
        self._spike_times = []
        self._signals = {}
        self._last_sampled_step = -1
