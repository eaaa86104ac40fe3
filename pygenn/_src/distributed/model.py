"""``GeNNModel`` over several ranks: every rank runs the same script and simulates a part.

``GeNNModel(...)`` gives a ``DistributedGeNNModel`` when the script names a distribution
(``distribution=`` or ``partition=`` arguments, or the environment a launcher sets: see
``transport.transport_for``). The script stays a PyGeNN script: every rank describes the whole
model with the same ``add_*`` calls; at ``build()`` the ranks agree on which rank simulates which
neuron population (``partition``), and each builds, compiles and loads only its part
(``localise.LocalView``). ``step_time()`` steps the local part and exchanges spikes every
``exchange_interval`` steps (``exchange.SpikeExchange``), or, with ``overlap_exchange``, every
``exchange_interval - 1`` steps while the next step computes.
``pull_recording_buffers_from_device()`` gathers every population's recording buffers to every
rank, so ``spike_recording_data`` of any population reads the same on every rank, and the
script's plotting or saving code runs unchanged.

State of a population another rank simulates (``vars``, ``spike_times``, ``out_post``, ...) is not
on this rank: reading or pulling it raises a RuntimeError that says which rank has it
(``model.is_local(pop)`` tells a script which ones it may read). ``set_dynamic_param_value`` on
such a group does nothing on this rank (its owner, running the same script, applies it).
"""
from __future__ import annotations

import os
import time

import numpy as np

from ..interface import groups as interface_groups
from ..interface import stepping
from ..interface.genn_model import GeNNModel
from ..interface.progress import BuildProgress
from . import exchange as ex
from . import partition as part
from . import support
from .localise import LocalView
from .transport import transport_for

#: environment variable that turns overlapped exchanges on ("1") for scripts run unchanged
ENV_OVERLAP = "PYGENN_EXCHANGE_OVERLAP"

#: backends whose spike lists the exchange can read and write between steps
CPU_BACKENDS = ("single_threaded_cpu", "multi_threaded_cpu")


class _RankAware:
    """Group behaviour that depends on which rank simulates the group."""

    def _owner_rank(self):
        model = self._model
        ranks = getattr(model, "_owner_of", None)
        return None if ranks is None else ranks.get(self.name)

    def _is_remote(self) -> bool:
        owner = self._owner_rank()
        return owner is not None and owner != self._model.rank

    def set_dynamic_param_value(self, name: str, value) -> None:
        """Change a dynamic parameter (on the rank that simulates the group; elsewhere
        nothing happens: that rank runs the same script and applies it)."""
        if self._is_remote():
            return
        super().set_dynamic_param_value(name, value)


class NeuronGroup(_RankAware, interface_groups.NeuronGroup):
    """A neuron population of a distributed model."""

    @property
    def spike_recording_data(self) -> list:
        """Per batch, ``(times, ids)`` of the recorded spikes: for a population another rank
        simulates, from the buffers the last ``pull_recording_buffers_from_device()``
        gathered."""
        if not self._is_remote():
            return super().spike_recording_data
        return self._model._gathered_spikes(self, (self.name, "recordSpk"), self.num_neurons)


class SynapseGroup(_RankAware, interface_groups.SynapseGroup):
    """A synapse population of a distributed model (it lives on its target's rank)."""

    @property
    def pre_spike_event_recording_data(self) -> list:
        if not self._is_remote():
            return super().pre_spike_event_recording_data
        return self._model._gathered_spikes(self, (self.name, "preRecordSpkEvent"),
                                            self.src.num_neurons)

    @property
    def post_spike_event_recording_data(self) -> list:
        if not self._is_remote():
            return super().post_spike_event_recording_data
        return self._model._gathered_spikes(self, (self.name, "postRecordSpkEvent"),
                                            self.trg.num_neurons)


class CurrentSource(_RankAware, interface_groups.CurrentSource):
    pass


class CustomUpdate(_RankAware, interface_groups.CustomUpdate):
    pass


class CustomUpdateWU(_RankAware, interface_groups.CustomUpdateWU):
    pass


class CustomConnectivityUpdate(_RankAware, interface_groups.CustomConnectivityUpdate):
    pass


class DistributedGeNNModel(GeNNModel):
    """A ``GeNNModel`` simulated by several ranks (processes), each owning some populations.

    Created by ``GeNNModel(...)`` when a distribution is named; takes ``GeNNModel``'s arguments
    and two more.

    Parameters
    ----------
    distribution : str or Transport, optional
        How the ranks communicate: ``"local"`` (processes started by ``python -m
        pygenn.distributed -n N script.py`` or ``pygenn.distributed.run_ranks``), ``"mpi"``
        (processes started by ``mpirun``; needs ``pygenn[mpi]``), ``"single"`` (one rank) or a
        ``Transport``. Default: from the environment (``PYGENN_DISTRIBUTION``, or what the
        launcher set), else one rank.
    partition : dict, optional
        Neuron population (or name) -> rank for populations to place by hand; the others are
        balanced by estimated work (``partition.assign``).
    overlap_exchange : bool, optional
        Let the next step(s) compute while spikes travel (where ``exchange_interval`` >= 2;
        results are the same either way). Default: off (on 2 shared cores it measured ~20%
        slower: ``benchmarks/distributed.py``), unless the environment variable
        ``PYGENN_EXCHANGE_OVERLAP`` is ``1``. Can be changed until ``load()``.

    Attributes
    ----------
    rank, num_ranks : int
        This process's rank and the number of ranks.
    partition : dict
        After ``build()``: neuron population name -> rank.
    exchange_time : float
        Seconds this rank spent exchanging spikes (waiting for other ranks included).
    exchange_interval : int
        After ``build()``: the smallest axonal delay (in steps) of the synapse groups that
        cross ranks + 1 (1 in the cases ``exchange`` explains): a spike of step j is first
        read in step j + ``exchange_interval``. Blocking exchanges run every that many steps.
    exchange_every : int
        After ``load()``: steps between spike exchanges as run (``exchange_interval``, or one
        less when they overlap computation).
    exchange_lag : int
        After ``load()``: steps this rank computes between starting an exchange and waiting
        for it (0: blocking).
    """

    _neuron_group_class = NeuronGroup
    _synapse_group_class = SynapseGroup
    _current_source_class = CurrentSource
    _custom_update_class = CustomUpdate
    _custom_update_wu_class = CustomUpdateWU
    _custom_connectivity_update_class = CustomConnectivityUpdate

    def __init__(self, *args, distribution=None, partition=None, overlap_exchange=None,
                 **kwargs):
        self._transport = transport_for(distribution)
        self._explicit_partition = partition
        if overlap_exchange is None:
            overlap_exchange = os.environ.get(ENV_OVERLAP, "").strip().lower() in (
                "1", "on", "true", "yes")
        self.overlap_exchange = bool(overlap_exchange)
        self._local_interval = None
        self._owner_of = None
        self._local = None
        self._exchange = None
        self._gathered = None
        self.exchange_time = 0.0
        self.exchange_interval = None
        super().__init__(*args, **kwargs)

    @property
    def rank(self) -> int:
        """This process's rank."""
        return self._transport.rank

    @property
    def num_ranks(self) -> int:
        """Number of ranks simulating the model."""
        return self._transport.size

    @property
    def partition(self) -> dict:
        """Neuron population name -> rank (after ``build()``)."""
        if self._owner_of is None:
            raise RuntimeError("the partition is decided at build(); build the model first")
        return {name: rank for name, rank in self._owner_of.items()
                if name in self.neuron_populations}

    @property
    def num_exchanges(self) -> int:
        """Spike exchanges (collective calls) since ``load()``."""
        return 0 if self._exchange is None else self._exchange.exchanges

    @property
    def exchange_every(self) -> int:
        """Steps between spike exchanges as run (after ``load()``)."""
        if self._exchange is None:
            raise RuntimeError("the exchange schedule is set at load(); load the model first")
        return self._exchange.every

    @property
    def exchange_lag(self) -> int:
        """Steps this rank computes while an exchange travels (after ``load()``; 0:
        blocking)."""
        if self._exchange is None:
            raise RuntimeError("the exchange schedule is set at load(); load the model first")
        return self._exchange.lag

    @property
    def timestep(self) -> int:
        """Current simulation timestep."""
        return GeNNModel.timestep.fget(self)

    @timestep.setter
    def timestep(self, value):
        # spikes of steps taken since the last exchange belong to the time before the jump:
        # deliver them now (every rank runs the same script, so all of them get here)
        if self._exchange is not None:
            self._exchange.flush()
        GeNNModel.timestep.fset(self, value)

    def is_local(self, group) -> bool:
        """Whether this rank simulates ``group`` (a population or update, or its name)."""
        name = group if isinstance(group, str) else group.name
        if self._owner_of is None:
            raise RuntimeError("the partition is decided at build(); build the model first")
        return self._owner_of[name] == self.rank

    # ------------------------------------------------------------------ build
    def build(self, path_to_model: str = "./", always_rebuild: bool = False,
              never_rebuild: bool = False) -> None:
        """Agree on the partition, then generate and compile this rank's part of the model.

        Each rank's code goes to ``<path_to_model>/<name>_rank<r>/<name>_CODE``.
        """
        from ..codegen.plan import ModelPlan
        from ..interface import lifecycle

        if self._built:
            raise Exception("GeNN model already built")
        self.finalize_checks()
        if self.num_ranks > 1 and self.backend_name not in CPU_BACKENDS:
            # the exchange reads and writes spike lists in host memory between steps
            raise support.DistributionError(
                f"backend '{self.backend_name}' cannot run a model over several ranks yet; "
                f"use {' or '.join(CPU_BACKENDS)}")
        self._check_same_model()
        if self.seed == 0:
            # one seed for all ranks, or the ranks would draw different numbers
            self.seed = self._transport.broadcast(int.from_bytes(os.urandom(4), "little") | 1)
        ranks = part.assign(self, self.num_ranks, self._explicit_partition)
        whole_plan = ModelPlan(self, self.backend_name)
        support.check(self, whole_plan, ranks)
        self._owner_of = self._owners(ranks)
        self.exchange_interval = ex.exchange_interval(self, whole_plan, ranks)
        self._local_interval = ex.local_exchange_interval(self, ranks, self.rank,
                                                          self.exchange_interval)
        self._local = LocalView(self, ranks, self.rank, whole_plan)
        self._exports = ex.exported_populations(self, ranks, self.num_ranks)
        rank_path = os.path.join(path_to_model, f"{self.name}_rank{self.rank}")
        with BuildProgress(f"{self.name} (rank {self.rank})",
                           enabled=self.show_progress) as progress, self._local:
            lifecycle.build(self, rank_path, always_rebuild, never_rebuild, progress)
        self._built_recording = self._recording_settings()
        self._built = True

    def _check_same_model(self) -> None:
        """Every rank must describe the same model (same populations and sizes, same order)."""
        description = repr([(name, getattr(g, "num_neurons", None), type(g).__name__)
                            for registry in (self.neuron_populations,
                                             self.synapse_populations, self.current_sources,
                                             self.custom_updates,
                                             self.custom_connectivity_updates)
                            for name, g in registry.items()]).encode()
        descriptions = self._transport.allgather(description)
        different = [r for r, d in enumerate(descriptions) if d != descriptions[0]]
        if different:
            raise RuntimeError(f"ranks {different} describe a different model from rank 0's "
                               f"(populations, sizes or their order differ): every rank must run "
                               f"the same script with the same arguments")

    def _owners(self, ranks: dict) -> dict:
        owners = dict(ranks)
        for name, sg in self.synapse_populations.items():
            owners[name] = part.synapse_owner(sg, ranks)
        for name, cs in self.current_sources.items():
            owners[name] = part.current_source_owner(cs, ranks)
        for name, cu in self.custom_updates.items():
            owners[name] = part.custom_update_owner(cu, ranks, self)
        for name, ccu in self.custom_connectivity_updates.items():
            owners[name] = part.synapse_owner(ccu.synapse_group, ranks)
        return owners

    # ------------------------------------------------------------------ load
    def load(self, num_recording_timesteps=None) -> None:
        """Load this rank's part (see ``GeNNModel.load``) and connect the spike exchange."""
        from ..interface import lifecycle

        if self._loaded:
            raise Exception("GeNN model already loaded")
        if not self._built:
            raise Exception("GeNN model has not been built")
        self._check_recording_unchanged()
        if num_recording_timesteps is None and self._recording_in_use():
            raise Exception("Cannot use recording system without passing number of recording "
                            "timesteps to GeNNModel.load")
        num_recording_timesteps = self._check_num_recording_timesteps(num_recording_timesteps)
        with self._local:
            lifecycle.load(self, num_recording_timesteps)
        self._mark_remote_state()
        self._exchange = ex.SpikeExchange(
            self._runtime, self._transport, self._exports,
            {name: proxy.num_neurons for name, proxy in self._local.proxies.items()},
            self.dt, self.genn_types[self.time_precision], self.exchange_interval,
            overlap=self.overlap_exchange and self._transport.overlaps,
            local_interval=self._local_interval)
        self._gathered = None
        self._loaded = True
        self._transport.barrier()

    def _mark_remote_state(self) -> None:
        """State of groups other ranks simulate: reading it says where it is."""
        for group in self._all_groups():
            owner = self._owner_of.get(group.name)
            if owner is None or owner == self.rank:
                continue
            message = (f"{group.description} is simulated by rank {owner} of "
                       f"{self.num_ranks}, not by this rank ({self.rank}): its state is there. "
                       f"Read it on that rank (model.is_local(group) says where), or record "
                       f"spikes, which pull_recording_buffers_from_device() gathers to every "
                       f"rank")
            for wrapper in group._wrappers():
                wrapper._no_storage = message

    def unload(self) -> None:
        if self._exchange is not None:
            # exchanges in flight are collectives the other ranks take part in: finish them
            self._exchange.drain()
        super().unload()
        self._exchange = None
        self._gathered = None

    # ------------------------------------------------------------------ stepping
    def step_time(self, num_steps: int = 1) -> None:
        """Advance every rank by one step (or ``num_steps``), exchanging spikes every
        ``exchange_interval`` steps.

        Every rank must call it with the same ``num_steps``.
        """
        if not self._loaded:
            raise Exception("GeNN model has to be loaded before stepping")
        if not (type(num_steps) is int and num_steps == 1):
            num_steps = stepping.check_num_steps(num_steps, self._runtime.timestep)
        runtime, exchange = self._runtime, self._exchange
        clock = time.perf_counter
        for _ in range(num_steps):
            start = clock()
            exchange.before_step()          # waits for the spikes this step reads
            started = clock()
            runtime.step_time()
            stepped = clock()
            exchange.after_step()           # sends (and, blocking, waits)
            self.exchange_time += (started - start) + (clock() - stepped)

    def custom_update(self, name: str) -> None:
        """Run the update group ``name`` (its members on this rank; every rank calls it)."""
        if not self._loaded:
            raise Exception("GeNN model has to be loaded before performing custom update")
        if name not in self._local.update_group_names and name in {
                u.update_group_name for u in list(self.custom_updates.values())
                + list(self.custom_connectivity_updates.values())}:
            return          # all of its members are on other ranks
        self._runtime.custom_update(name)

    # ------------------------------------------------------------------ recording
    def pull_recording_buffers_from_device(self) -> None:
        """Copy recording buffers from the device and gather every rank's to every rank.

        Every rank must call it (it is a collective); afterwards ``spike_recording_data`` of
        any population is readable on every rank.
        """
        if not self._loaded:
            raise Exception("GeNN model has to be loaded before pulling recording buffers")
        if not self._recording_in_use():
            raise Exception("Cannot pull recording buffer if recording system is not in use")
        runtime = self._runtime
        mine = [key for key, record in runtime.manifest.arrays.items()
                if record.per_recording_step and key in runtime.arrays]
        if mine:
            runtime.pull_recording_buffers_from_device()
        self._gathered = (runtime.timestep, ex.gather_recordings(self._transport, runtime, mine))

    def _gathered_spikes(self, group, key, num_neurons: int) -> list:
        """Decode a gathered recording buffer as the runtime decodes its own."""
        from ..runtime.base import decode_recording_words

        if not self._loaded:
            raise RuntimeError(f"{group.description}: the model is not loaded; call "
                               f"model.load() first")
        runtime = self._runtime
        if self._gathered is None or self._gathered[0] != runtime.timestep:
            raise RuntimeError(
                f"{group.description} is simulated by rank {self._owner_of[group.name]}: call "
                f"model.pull_recording_buffers_from_device() on every rank (it gathers the "
                f"recordings) after the last step, then read spike_recording_data")
        words = self._gathered[1].get(key)
        if words is None:
            raise RuntimeError(f"{group.description} has no recording buffer '{key[1]}': enable "
                               f"its spike (or spike-like event) recording before build()")
        n_rec = runtime.num_recording_timesteps
        if runtime.timestep < n_rec:
            raise RuntimeError("Event recording data can only be accessed once buffer is full")
        batch = runtime.manifest.batch_size
        data = words.reshape(n_rec, batch, -1)
        first_step = runtime.timestep - n_rec
        result = []
        for b in range(batch):
            rows, ids = decode_recording_words(data[:, b, :])
            times = (first_step + rows) * runtime.manifest.dt
            result.append((times.astype(np.float64), ids.astype(np.int32)))
        return result
