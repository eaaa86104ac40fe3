"""Simulation control functions of the pygenn PyNN backend: setup(), run(), end(), ..."""
import warnings

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from . import simulator
from .simulator import Options

_OWN_SETUP_ARGUMENTS = ("max_delay", "backend", "precision", "rng_seed", "seed", "build_dir",
                        "model_name")
# setup() arguments of other backends that mean nothing here (no warning for these)
_IGNORED_SETUP_ARGUMENTS = ("threads", "filename", "label", "spike_precision", "verbosity",
                            "rank", "num_processes", "debug", "quit_on_end")


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Initialise the simulator; any existing network is discarded.

    Parameters
    ----------
    timestep : float
        Integration step in ms.
    min_delay, max_delay : float or 'auto'
        Synaptic delay bounds in ms ('auto': one time step / no bound).
    backend : str, optional
        pygenn backend: ``"single_threaded_cpu"``, ``"multi_threaded_cpu"`` or ``"cuda"``
        (default: pygenn's default, CUDA where there is a GPU).
    precision : {"float", "double"}, optional
        Floating-point type of the simulation (default ``"float"``).
    rng_seed : int, optional
        Seeds GeNN's random numbers (Poisson sources) and every PyNN RandomDistribution
        created without its own ``rng``. ``seed`` is accepted as an alias.
    build_dir : str, optional
        Directory for the generated code (default: a temporary directory).
    model_name : str, optional
        Name of the GeNN model.

    Returns
    -------
    int
        The MPI rank (always 0).
    """
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    unknown = set(extra_params) - set(_IGNORED_SETUP_ARGUMENTS) - set(_OWN_SETUP_ARGUMENTS)
    if unknown:
        warnings.warn(f"pygenn.pynn.setup() ignores the arguments {sorted(unknown)}",
                      stacklevel=2)
    state = simulator.state
    state.discard_genn_model()
    state.options = Options(
        backend=extra_params.get("backend"),
        precision=extra_params.get("precision", "float"),
        rng_seed=extra_params.get("rng_seed", extra_params.get("seed")),
        build_dir=extra_params.get("build_dir"),
        model_name=extra_params.get("model_name", "pynn_model"))
    state.dt = float(timestep)
    state.min_delay = min_delay
    state.max_delay = max_delay
    state.write_on_end = []
    state.clear()
    return rank()


def end(compatible_output=True):
    """Write data requested with ``record(..., to_file=...)`` and free the GeNN model."""
    state = simulator.state
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []
    state.end()


run, run_until = common.build_run(simulator)
run_for = run

reset = common.build_reset(simulator)

initialize = common.initialize

get_current_time, get_time_step, get_min_delay, get_max_delay, \
    num_processes, rank = common.build_state_queries(simulator)
