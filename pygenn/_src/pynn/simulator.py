"""Global state of the pygenn PyNN backend: the network, its GeNN model, time and the run loop.

The GeNN model is built lazily: populations and projections are collected as the script
creates them, and the first ``run()`` turns them into a GeNN model, builds and loads it. A
``reset()`` unloads the model; the next run loads it again (GeNN re-initialises every
variable from the initial values kept in the model).
"""
import shutil
import tempfile

import numpy as np
from pyNN import common

name = "pygenn"

# spike recording buffers hold at most this many steps; they are read whenever one fills
MAX_RECORDING_STEPS = 10000


class ID(int, common.IDMixin):
    """A cell identifier (an int that knows its Population)."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class Options:
    """Settings given to ``setup()`` that decide how the GeNN model is made.

    Attributes
    ----------
    backend : str or None
        pygenn backend name (``"single_threaded_cpu"``, ``"multi_threaded_cpu"``, ``"cuda"``);
        None picks pygenn's default.
    precision : str
        ``"float"`` or ``"double"``.
    rng_seed : int or None
        Seed of GeNN's random numbers and of PyNN random distributions that were created
        without their own generator; None leaves both unseeded.
    build_dir : str or None
        Where generated code goes; None uses a temporary directory removed by ``end()``.
    model_name : str
        Name of the GeNN model.
    """

    def __init__(self, backend=None, precision="float", rng_seed=None, build_dir=None,
                 model_name="pynn_model"):
        self.backend = backend
        self.precision = precision
        self.rng_seed = rng_seed
        self.build_dir = build_dir
        self.model_name = model_name


class State(common.control.BaseState):
    """The simulator: what PyNN's common code calls ``simulator.state``."""

    def __init__(self):
        super().__init__()
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay = "auto"
        self.max_delay = "auto"
        self.options = Options()
        self.genn_model = None
        self._own_build_dir = None
        self.clear()

    # ------------------------------------------------------------------ configuration
    @property
    def min_delay_ms(self) -> float:
        """The minimum delay in ms (one time step when ``min_delay='auto'``)."""
        return self.dt if self.min_delay == "auto" else float(self.min_delay)

    @property
    def t(self) -> float:
        """Current simulation time in ms."""
        return float(step_times(self.timestep, self.dt))

    @property
    def built(self) -> bool:
        return self.genn_model is not None

    @property
    def loaded(self) -> bool:
        return self.built and self.genn_model._loaded

    def distribution_seeder(self):
        """Seeds unseeded random distributions (None when setup() was given no seed)."""
        return self._seeder

    def clear(self):
        """Forget the network (``setup()`` and ``end()``)."""
        self.discard_genn_model()
        self.populations = []
        self.projections = []
        self.recorders = set()
        self.id_counter = 0
        self.segment_counter = -1
        self._seeder = None
        if self.options.rng_seed is not None:
            from .random_seeding import DistributionSeeder
            self._seeder = DistributionSeeder(self.options.rng_seed)
        self.reset()

    def reset(self):
        """Back to time 0 with the initial state; recorded data starts a new segment."""
        if self.loaded:
            self.genn_model.unload()
        self.running = False
        self.t_start = 0
        self.timestep = 0
        self.segment_counter += 1
        for recorder in self.recorders:
            recorder.clear_all()

    def discard_genn_model(self):
        if self.loaded:
            self.genn_model.unload()
        self.genn_model = None
        if self._own_build_dir is not None:
            shutil.rmtree(self._own_build_dir, ignore_errors=True)
            self._own_build_dir = None

    # ------------------------------------------------------------------ network registry
    def register_population(self, population):
        self._require_not_built("create a Population")
        self.populations.append(population)
        return len(self.populations) - 1

    def register_projection(self, projection):
        self._require_not_built("create a Projection")
        self.projections.append(projection)
        return len(self.projections) - 1

    def _require_not_built(self, action):
        if self.built:
            raise NotImplementedError(
                f"pygenn.pynn: cannot {action} after the first run(): the GeNN model is "
                "already built; create the whole network before running it")

    # ------------------------------------------------------------------ running
    def run(self, simtime):
        self.run_until(self.t + simtime)

    def run_until(self, tstop):
        steps = round((tstop - self.t) / self.dt)
        if steps > 0:
            self._ensure_loaded(steps)
            self._advance(steps)
        self.running = True

    def _ensure_loaded(self, steps):
        from .network_builder import build_genn_model
        if not self.built:
            build_dir = self.options.build_dir
            if build_dir is None:
                self._own_build_dir = tempfile.mkdtemp(prefix="pygenn_pynn_")
                build_dir = self._own_build_dir
            self.genn_model = build_genn_model(self, build_dir)
        if not self.loaded:
            self._recording_steps = min(steps, MAX_RECORDING_STEPS)
            self.genn_model.load(num_recording_timesteps=self._recording_steps)
            self._steps_since_pull = 0

    def _advance(self, steps):
        model = self.genn_model
        samplers = [population for population in self.populations
                    if population.recorder.recorded_analog_variables]
        for _ in range(steps):
            for population in samplers:
                population.sample_state(self.timestep)
            model.step_time()
            self.timestep += 1
            self._steps_since_pull += 1
            if self._steps_since_pull == self._recording_steps:
                self._read_spikes()
        if self._steps_since_pull:
            self._read_spikes()
        for population in samplers:
            population.sample_state(self.timestep)

    def _read_spikes(self):
        """Decode the spikes recorded since the last read and give them to the recorders.

        Step ``k`` is row ``k mod N`` of GeNN's ring buffer; pygenn labels row ``r`` with the
        time ``(timestep - N + r) dt``, which gives back ``r``.
        """
        model = self.genn_model
        model.pull_recording_buffers_from_device()
        num_rows = self._recording_steps
        last = self.timestep
        first = last - self._steps_since_pull
        for population in self.populations:
            if not population.recorder.records_spikes:
                continue
            times, ids = population.genn_group.spike_recording_data[0]
            rows = np.rint(np.asarray(times) / self.dt).astype(np.int64) - (last - num_rows)
            steps = first + np.mod(rows - first, num_rows)
            new = steps < last
            # a spike found in step k is reported at the end of the step, (k + 1) dt
            population.recorder.store_spikes(ids[new], step_times(steps[new] + 1, self.dt))
        self._steps_since_pull = 0

    def end(self):
        self.discard_genn_model()


def step_times(steps, dt):
    """Times in ms of whole time steps, rounded to hide binary noise (14.1, not 14.100...01)."""
    return np.round(np.asarray(steps) * dt, 9)


state = State()
