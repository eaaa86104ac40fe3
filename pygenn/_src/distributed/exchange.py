"""Moving spikes and recordings between ranks.

``SpikeExchange`` runs after every step. GeNN's step order makes this enough: a step's synapse
update reads the spikes the *previous* step's neuron update emitted, so the spikes of step k,
sent after step k, reach the proxies before step k+1 reads them. Each rank sends, for every
population it owns that has consumers on other ranks, the spike list of the step just taken
(count, then ids in the order the neuron update listed them: the order in which synapses add
their input, which floating-point sums depend on). Each rank writes the lists of the populations
it proxies into the proxies' current spike-queue slot, and sets their spike times as the owner
did, so ``st_pre`` and ``prev_st_pre`` read the same values as on one rank.

Exchanging every step is needed when a cross-rank synapse group has axonal delay 0 (a spike of
step k is delivered in step k+1). With a smallest cross-rank delay of d steps, the exchange
could run every d+1 steps if proxies wrote each received step's spikes into the queue slot of
the step that emitted them: that needs proxies whose queue has at least d+1 slots and whose
neuron update does not advance spike times on its own (the proxy's spike-time copies would have
to be redone after the late write). Not done yet: this exchange runs every step.

``gather_recordings`` gives every rank the recording buffers of every population, once per
``pull_recording_buffers_from_device()``.
"""
from __future__ import annotations

import numpy as np


class _Exported:
    """A population this rank owns whose spikes other ranks need."""

    def __init__(self, runtime, name: str, num_neurons: int):
        neuron = runtime.manifest.neurons[name]
        self.name, self.n = name, num_neurons
        self.count = runtime.arrays[(name, "spkCnt")].storage
        self.spikes = runtime.arrays[(name, "spk")].storage
        self.queued = neuron.spike_queue
        pointer = runtime.arrays.get((name, "spkQuePtr"))
        self.pointer = pointer.storage if (pointer is not None and self.queued) else None

    def current(self) -> np.ndarray:
        slot = int(self.pointer[0]) if self.pointer is not None else 0
        count = int(self.count[slot])
        start = slot * self.n
        return self.spikes[start:start + count]


class _Proxy:
    """A population another rank owns, whose spike lists this rank's synapse groups read."""

    def __init__(self, runtime, name: str, num_neurons: int, time_dtype):
        neuron = runtime.manifest.neurons[name]
        self.name, self.n = name, num_neurons
        self.slots = neuron.num_delay_slots
        self.queued = neuron.spike_queue
        self.count = runtime.arrays[(name, "spkCnt")].storage
        self.spikes = runtime.arrays[(name, "spk")].storage
        pointer = runtime.arrays.get((name, "spkQuePtr"))
        self.pointer = pointer.storage if pointer is not None else None
        spike_times = runtime.arrays.get((name, "sT"))
        self.spike_times = spike_times.storage if spike_times is not None else None
        prev = runtime.arrays.get((name, "prevST"))
        # a neuron that spikes leaves its previous spike time in the new queue slot as it was
        # (the copy from the last slot happens only for neurons that do not spike), but the
        # proxy's update copies it for every neuron: keep the slot's old values to put back
        self.prev_spike_times = prev.storage if (prev is not None and self.queued) else None
        self._kept_prev = None
        self.time_dtype = time_dtype

    def _slot(self) -> int:
        return int(self.pointer[0]) if (self.pointer is not None and self.queued) else 0

    def before_step(self) -> None:
        if self.prev_spike_times is not None:
            slot = (int(self.pointer[0]) + 1) % self.slots
            self._kept_prev = self.prev_spike_times[slot * self.n:(slot + 1) * self.n].copy()

    def write(self, ids: np.ndarray, time) -> None:
        slot = self._slot()
        start = slot * self.n
        self.count[slot] = len(ids)
        self.spikes[start:start + len(ids)] = ids
        if len(ids):
            if self.spike_times is not None:
                self.spike_times[start + ids] = time
            if self._kept_prev is not None:
                self.prev_spike_times[start + ids] = self._kept_prev[ids]


class SpikeExchange:
    """Sends this rank's spikes and fills its proxies, after every step.

    Parameters
    ----------
    runtime : CpuRuntime
        This rank's loaded runtime.
    transport : Transport
        The collectives.
    exports : list of list of (str, int)
        For every rank, in order, the (name, size) of the populations it owns whose spikes
        other ranks need (every rank computes the same lists from the model description).
    proxies : dict
        Name -> size of the populations this rank proxies.
    dt : float
        The model's timestep (ms).
    time_dtype : numpy dtype
        dtype of spike times (the model's ``time_precision``).
    """

    def __init__(self, runtime, transport, exports: list, proxies: dict, dt: float,
                 time_dtype):
        self.runtime, self.transport, self.dt = runtime, transport, float(dt)
        self.time_dtype = np.dtype(time_dtype)
        rank = transport.rank
        self.mine = [_Exported(runtime, name, n) for name, n in exports[rank]]
        self.exports = exports
        self.proxies = {name: _Proxy(runtime, name, n, self.time_dtype)
                        for name, n in proxies.items()}
        self.active = any(exports)
        self.sent = 0          # spikes sent by this rank (for the cost summary)

    def before_step(self) -> None:
        for proxy in self.proxies.values():
            proxy.before_step()

    def after_step(self) -> None:
        """Exchange the spikes of the step just taken (``runtime.timestep - 1``)."""
        if not self.active:
            return
        parts = []
        for exported in self.mine:
            ids = exported.current()
            parts.append(np.array([len(ids)], dtype=np.uint32))
            parts.append(ids)
            self.sent += len(ids)
        payload = np.concatenate(parts).astype(np.uint32, copy=False).tobytes() if parts \
            else b""
        received = self.transport.allgather(payload)
        # as the generated code computes t: (timepoint)((double)timestep * dt)
        time = self.time_dtype.type(float(self.runtime.timestep - 1) * self.dt)
        for rank, data in enumerate(received):
            if rank == self.transport.rank or not self.exports[rank]:
                continue
            words = np.frombuffer(data, dtype=np.uint32)
            offset = 0
            for name, _ in self.exports[rank]:
                count = int(words[offset])
                ids = words[offset + 1:offset + 1 + count]
                offset += 1 + count
                proxy = self.proxies.get(name)
                if proxy is not None:
                    proxy.write(ids, time)


def exported_populations(model, ranks: dict, num_ranks: int) -> list:
    """For every rank, (name, size) of its populations with consumers on other ranks."""
    exports = [[] for _ in range(num_ranks)]
    seen = set()
    for sg in model.synapse_populations.values():      # model order: the same on every rank
        src = sg.src
        if ranks[src.name] != ranks[sg.trg.name] and src.name not in seen:
            seen.add(src.name)
    for name, ng in model.neuron_populations.items():
        if name in seen:
            exports[ranks[name]].append((name, ng.num_neurons))
    return exports


def gather_recordings(transport, runtime, owned_recorded: list) -> dict:
    """Every rank's recording buffers of its populations: {(owner, array name): words}.

    ``owned_recorded`` lists this rank's (owner, array name) keys of recording buffers.
    """
    import pickle

    mine = {key: np.array(runtime.arrays[key].storage, copy=True) for key in owned_recorded}
    gathered = {}
    for data in transport.allgather(pickle.dumps(mine, protocol=pickle.HIGHEST_PROTOCOL)):
        gathered.update(pickle.loads(data))
    return gathered
