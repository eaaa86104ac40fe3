"""Moving spikes and recordings between ranks.

GeNN's step order: a step's synapse update reads spike lists that earlier steps' neuron updates
emitted; a synapse group with axonal delay D reads, in step s, the list of step s - 1 - D (its
delay slot), ``st_pre`` from that slot and ``prev_st_pre`` from the slot before it. Each rank
sends, for every population it owns that has consumers on other ranks, the spike lists of the
steps since the last exchange (per step: count, then ids in the order the neuron update listed
them: the order in which synapses add their input, which floating-point sums depend on). Each
rank writes the lists of the populations it proxies into the proxies' queue slots of the steps
that emitted them, and redoes the spike-time bookkeeping the owner did in those steps, so
``st_pre`` and ``prev_st_pre`` read the same values as on one rank.

How often (``exchange_interval``): with every cross-rank group's delay D >= m - 1, exchanging
every m steps is enough: in any step s the proxies then hold every step up to s - m, and the
oldest list still needed is step s - 1 - D. The proxy keeps the owner's queue (1 + the largest
delay of the source in the whole model, >= m slots), so a batch's slots are not reused before
the exchange writes them. A proxy never spikes by itself, so in a step whose spikes have not
arrived yet its neuron update copies spike times into the new slot from a slot that is still
incomplete; the exchange recomputes those copies in step order. One case stays every step:
a cross-rank group that reads ``prev_st_pre`` and whose delay is its source's largest. Its
read wraps round the queue to the newest slot (GeNN's quirk, kept: README "Differences from
GeNN 5.4"), whose value for a neuron depends on whether it spiked in the step just taken,
which a receiver cannot know before that step is exchanged. Sources without a spike queue
(all their groups have delay 0, or none reads the list) also keep only the newest values.

``gather_recordings`` gives every rank the recording buffers of every population, once per
``pull_recording_buffers_from_device()``.
"""
from __future__ import annotations

import numpy as np

from .transport import Request

class _Exported:
    """A population this rank owns whose spikes other ranks need."""

    def __init__(self, runtime, name: str, num_neurons: int):
        neuron = runtime.manifest.neurons[name]
        self.name, self.n = name, num_neurons
        self.slots = neuron.num_delay_slots
        self.count = runtime.arrays[(name, "spkCnt")].storage
        self.spikes = runtime.arrays[(name, "spk")].storage
        self.queued = neuron.spike_queue
        pointer = runtime.arrays.get((name, "spkQuePtr"))
        self.pointer = pointer.storage if (pointer is not None and self.queued) else None

    def recent(self, num_steps: int) -> list:
        """Spike lists of the last ``num_steps`` steps, oldest first (still in the queue: the
        interval is at most the number of slots)."""
        if self.pointer is None:
            slots = [0]
        else:
            newest = int(self.pointer[0])
            slots = [(newest - back) % self.slots for back in range(num_steps - 1, -1, -1)]
        lists = []
        for slot in slots:
            start = slot * self.n
            lists.append(self.spikes[start:start + int(self.count[slot])])
        return lists


class _Proxy:
    """A population another rank owns, whose spike lists this rank's synapse groups read."""

    def __init__(self, runtime, name: str, num_neurons: int, time_dtype, dt: float):
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
        # the generated code's dt literal, in the time type (for "t - dt")
        self._dt = time_dtype.type(dt)

    def _slot(self) -> int:
        return int(self.pointer[0]) if (self.pointer is not None and self.queued) else 0

    def before_step(self) -> None:
        # only the newest step of a batch needs these values: in the older ones the next
        # step's prev-spike-time update overwrote them on the owner (see ``write``)
        if self.prev_spike_times is not None:
            slot = (int(self.pointer[0]) + 1) % self.slots
            self._kept_prev = self.prev_spike_times[slot * self.n:(slot + 1) * self.n].copy()

    def write(self, lists: list, first_step: int, last_step: int, dt: float) -> None:
        """Write the spike lists of steps ``first_step``, ``first_step + 1``, ... and redo the
        owner's spike-time bookkeeping of those steps and of the steps after them up to
        ``last_step``, the step just taken (whose lists have not arrived yet: empty so far).

        What the owner's neuron update does in step j (slot ``q_j``) that concerns the times:
        first, for the neurons in step j - 1's list, ``prevST[q_{j-1}] = t_j - dt``; then
        every neuron that spikes sets ``sT[q_j] = t_j`` (its ``prevST[q_j]`` stays as the slot
        held it), every other one copies ``sT`` and ``prevST`` from ``q_{j-1}``. The proxy's
        own update did that for each step with the lists it had then, so every slot from
        ``first_step`` on may hold copies of incomplete ones: redo the copies in step order
        (the slot of ``first_step - 1`` is complete: the batches before were written first).
        The slots from ``first_step`` to ``last_step`` are all still in the queue: the caller
        writes a batch at the latest before step ``first_step + m`` (m <= the queue length).
        """
        n = self.n
        pointer = self._slot()
        if not self.queued:
            # one slot: each step's list and times replace the last's (interval 1, blocking)
            ids = lists[-1]
            self.count[0] = len(ids)
            self.spikes[:len(ids)] = ids
            if self.spike_times is not None and len(ids):
                self.spike_times[ids] = self.time_dtype.type(float(last_step) * dt)
            return
        for step in range(first_step, last_step + 1):
            slot = (pointer - (last_step - step)) % self.slots
            start = slot * n
            previous = ((slot - 1) % self.slots) * n
            for times in (self.spike_times, self.prev_spike_times):
                if times is not None:
                    times[start:start + n] = times[previous:previous + n]
            i = step - first_step
            if i >= len(lists):
                continue           # not arrived yet: empty, as the proxy's update left it
            ids = lists[i]
            self.count[slot] = len(ids)
            self.spikes[start:start + len(ids)] = ids
            if not len(ids):
                continue
            if self.spike_times is not None:
                # as the generated code computes t: (timepoint)((double)timestep * dt)
                self.spike_times[start + ids] = self.time_dtype.type(float(step) * dt)
            if self.prev_spike_times is not None:
                if step < last_step:
                    # the next step's update has run (with an empty list here): do its part,
                    # t_{j+1} - dt in the time type, as the generated code computes it
                    following = self.time_dtype.type(float(step + 1) * dt)
                    self.prev_spike_times[start + ids] = following - self._dt
                else:
                    self.prev_spike_times[start + ids] = self._kept_prev[ids]


class _Batch:
    """Steps whose spike lists are on their way: ``first_step`` and ``num_steps`` of them;
    ``due`` is the step before which they must be in the proxies."""

    __slots__ = ("first_step", "num_steps", "request", "due")

    def __init__(self, first_step: int, num_steps: int, request, due: int):
        self.first_step, self.num_steps = first_step, num_steps
        self.request, self.due = request, due


class SpikeExchange:
    """Sends this rank's spikes and fills its proxies.

    Blocking (``overlap`` off, or interval 1): every ``interval`` steps, exchange the steps
    since the last exchange and write them into the proxies before the next step. Overlapped:
    every ``interval - 1`` steps start the exchange of the steps since the last one, and write
    a batch into the proxies only before the step that first reads it (``due``: its first
    step + ``local_interval``), so the steps in between compute while it travels. See
    ``overlap_schedule``.

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
    interval : int, optional
        ``exchange_interval``: a spike of step j is first read in step j + ``interval``
        (on some rank; the same on every rank).
    overlap : bool, optional
        Overlap exchanges with the following steps where ``interval`` allows it.
    local_interval : int, optional
        A spike of step j is first read on this rank in step j + ``local_interval``
        (>= ``interval``; default ``interval``).

    Attributes
    ----------
    every : int
        Steps between exchanges (the same on every rank).
    lag : int
        Steps this rank computes between starting an exchange and waiting for it (0: blocking).
    exchanges : int
        Exchanges (collective calls) so far.
    sent : int
        Spikes this rank sent.
    """

    def __init__(self, runtime, transport, exports: list, proxies: dict, dt: float,
                 time_dtype, interval: int = 1, overlap: bool = False,
                 local_interval: int | None = None):
        self.runtime, self.transport, self.dt = runtime, transport, float(dt)
        self.time_dtype = np.dtype(time_dtype)
        rank = transport.rank
        self.mine = [_Exported(runtime, name, n) for name, n in exports[rank]]
        self.exports = exports
        self.proxies = {name: _Proxy(runtime, name, n, self.time_dtype, self.dt)
                        for name, n in proxies.items()}
        self.active = any(exports)
        self.interval = int(interval)
        self.every, self.lag = overlap_schedule(self.interval, local_interval, overlap)
        self.pending = 0       # steps taken since the last exchange started
        self.in_flight: list = []      # _Batch, oldest first
        self.exchanges = 0
        self.sent = 0

    def before_step(self) -> None:
        """Write the batches the coming step may read; keep what the proxies' update of this
        step overwrites."""
        if self.in_flight:
            step = self.runtime.timestep
            while self.in_flight and self.in_flight[0].due <= step:
                self._complete(self.in_flight.pop(0))
        for proxy in self.proxies.values():
            proxy.before_step()

    def after_step(self) -> None:
        """Count the step just taken; start an exchange once ``every`` steps are pending."""
        if not self.active:
            return
        self.pending += 1
        if self.pending >= self.every:
            self._start(self.lag)

    def flush(self) -> None:
        """Deliver every step taken so far: wait for the exchanges in flight, then exchange
        the pending steps (a collective: every rank calls it at the same step, as every rank
        steps alike)."""
        while self.in_flight:
            self._complete(self.in_flight.pop(0))
        self._start(0)

    def drain(self) -> None:
        """Wait for the exchanges in flight (the steps not yet sent stay pending)."""
        while self.in_flight:
            self._complete(self.in_flight.pop(0))

    def _start(self, lag: int) -> None:
        num_steps, self.pending = self.pending, 0
        if not self.active or num_steps == 0:
            return
        # copied into bytes now: the owner's queue slots are reused as the next steps run
        parts = []
        for exported in self.mine:
            for ids in exported.recent(num_steps):
                parts.append(np.array([len(ids)], dtype=np.uint32))
                parts.append(ids)
                self.sent += len(ids)
        payload = np.concatenate(parts).astype(np.uint32, copy=False).tobytes() if parts \
            else b""
        now = self.runtime.timestep
        batch = _Batch(now - num_steps, num_steps, None, now + lag)
        if lag == 0:
            batch.request = Request.completed(self.transport.allgather(payload))
        else:
            batch.request = self.transport.start_allgather(payload)
        self.exchanges += 1
        if lag == 0:
            self._complete(batch)
        else:
            self.in_flight.append(batch)

    def _complete(self, batch: "_Batch") -> None:
        """Wait for ``batch`` and write it into the proxies (between steps: nothing reads the
        proxies while this runs)."""
        received = batch.request.wait()
        last_step = self.runtime.timestep - 1
        num_steps = batch.num_steps
        for rank, data in enumerate(received):
            if rank == self.transport.rank or not self.exports[rank]:
                continue
            words = np.frombuffer(data, dtype=np.uint32)
            offset = 0
            for name, _ in self.exports[rank]:
                lists = []
                for _ in range(num_steps):
                    count = int(words[offset])
                    lists.append(words[offset + 1:offset + 1 + count])
                    offset += 1 + count
                proxy = self.proxies.get(name)
                if proxy is not None:
                    proxy.write(lists, batch.first_step, last_step, self.dt)


def overlap_schedule(interval: int, local_interval: int | None, overlap: bool) -> tuple:
    """(steps between exchanges, steps a rank computes before it waits for one).

    A spike of step j is read first in step j + ``interval`` on some rank, and in step
    j + ``local_interval`` on this one (the smallest cross-rank delay + 1 over the groups
    whose targets it simulates). Exchanging every k steps the lists of steps a .. a + k - 1
    (sent after step a + k - 1) and writing them before step a + ``local_interval`` lets
    ``local_interval`` - k steps compute in between. k = ``interval`` leaves nothing on the
    rank with the smallest delay, so overlapping exchanges every ``interval`` - 1 steps: every
    rank then computes at least one step while each exchange travels. Interval 1 cannot
    overlap (every step reads the step just taken), nor can a rank wait later than the
    queue allows: the proxies' queues hold ``local_interval`` or more steps (each holds its
    source's largest delay + 1), so a batch's slots are still there when it is written.
    """
    local = interval if local_interval is None else max(int(local_interval), interval)
    if not overlap or interval < 2:
        return interval, 0
    every = interval - 1
    return every, local - every


def exchange_interval(model, plan, ranks: dict) -> int:
    """Steps between spike exchanges: the smallest cross-rank axonal delay + 1 (see the
    module docstring), or 1 where a proxy could not hold that many steps exactly.

    Parameters
    ----------
    model : GeNNModel
        The whole model.
    plan : ModelPlan
        The whole model's plan (delay slots, spike queues, parsed code).
    ranks : dict
        Neuron population name -> rank.
    """
    interval = None
    for sg in model.synapse_populations.values():
        if ranks[sg.src.name] == ranks[sg.trg.name]:
            continue
        source = plan.neurons[sg.src.name]
        delay = sg.axonal_delay_steps
        if source.num_delay_slots == 1 or not source.spike_queue:
            return 1           # one slot: each step's list and times replace the last's
        reads_prev = any(code.uses_name("prev_st_pre")
                         for code in plan.synapses[sg.name].codes.values()
                         if hasattr(code, "uses_name"))
        if reads_prev and delay == source.num_delay_slots - 1:
            return 1           # reads the newest slot (the quirk in the module docstring)
        interval = delay + 1 if interval is None else min(interval, delay + 1)
    return 1 if interval is None else interval


def local_exchange_interval(model, ranks: dict, rank: int, interval: int) -> int:
    """The step after which this rank first reads a spike of step j, minus j: the smallest
    axonal delay + 1 of the cross-rank synapse groups whose targets ``rank`` simulates
    (``interval`` where it simulates none, or where ``interval`` is 1).

    Parameters
    ----------
    model : GeNNModel
        The whole model.
    ranks : dict
        Neuron population name -> rank.
    rank : int
        This rank.
    interval : int
        ``exchange_interval`` (the smallest over all ranks).
    """
    if interval < 2:
        return interval
    delays = [sg.axonal_delay_steps for sg in model.synapse_populations.values()
              if ranks[sg.trg.name] == rank and ranks[sg.src.name] != rank]
    return max(interval, min(delays) + 1) if delays else interval


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
