"""``GeNNModel``: the object PyGeNN scripts build, load and step.

Model description comes from ``ModelSpec``; this class adds the constructor, the Python-facing
group classes, the build/load lifecycle checks and the runtime-backed properties. The work of
build/load/unload is done by ``lifecycle.py``.
"""
from __future__ import annotations

import logging
import numbers
import re
import warnings

import numpy as np

from ..lang import types
from ..model.enums import PlogSeverity
from ..model.spec import ModelSpec
from . import groups, stepping
from .progress import BuildProgress

_LOGGERS = {"genn_log_level": "pygenn", "code_gen_log_level": "pygenn.codegen",
            "transpiler_log_level": "pygenn.transpiler", "runtime_log_level": "pygenn.runtime"}

_LOG_LEVELS = {PlogSeverity.NONE: logging.CRITICAL + 10, PlogSeverity.FATAL: logging.CRITICAL,
               PlogSeverity.ERROR: logging.ERROR, PlogSeverity.WARNING: logging.WARNING,
               PlogSeverity.INFO: logging.INFO, PlogSeverity.DEBUG: logging.DEBUG,
               PlogSeverity.VERBOSE: logging.DEBUG - 5}

def _backend_modules() -> dict:
    try:
        from .backends import backend_modules
    except ImportError:
        return {"single_threaded_cpu": None}
    return backend_modules or {"single_threaded_cpu": None}


def _snake_case(name: str) -> str:
    """GeNN 4 camelCase preference names (``generateLineInfo``) -> snake_case."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# functions of GeNNModel's keyword arguments returning the class to create instead (a subclass
# of GeNNModel) or None; registered by packages that extend GeNNModel (pygenn/_src/distributed)
_MODEL_CLASS_HOOKS: list = []


def register_model_class_hook(hook) -> None:
    """Let ``hook(kwargs)`` choose the class ``GeNNModel(...)`` creates.

    Parameters
    ----------
    hook : callable
        Called with the keyword arguments of ``GeNNModel(...)``; returns a subclass of
        ``GeNNModel`` to create instead, or None. The first hook that returns a class wins.
    """
    if hook not in _MODEL_CLASS_HOOKS:
        _MODEL_CLASS_HOOKS.append(hook)


class GeNNModel(ModelSpec):
    """A spiking network: describe it with ``add_*``, then ``build()``, ``load()`` and
    ``step_time()``.

    Parameters
    ----------
    precision : str or type
        Type of ``scalar`` ("float" or "double").
    model_name : str
        Name of the model; generated code goes to ``<model_name>_CODE``.
    backend : str, optional
        Key of ``backend_modules``; default the first (preferred) available backend.
    time_precision : str or type, optional
        Type of ``timepoint``; default ``precision``.
    genn_log_level, code_gen_log_level, transpiler_log_level, runtime_log_level,
    backend_log_level : PlogSeverity
        Logging levels.
    **preference_kwargs
        Backend preferences, applied at build time.

    Attributes
    ----------
    show_progress : bool
        Whether a build or a ``step_time(n)`` call that takes more than about 2 s shows a
        progress bar on stderr (default True). Bars need tqdm (``pip install "pygenn[progress]"``)
        and a terminal; the environment variable ``PYGENN_PROGRESS=0`` turns them all off.
    """

    _neuron_group_class = groups.NeuronGroup
    _synapse_group_class = groups.SynapseGroup
    _current_source_class = groups.CurrentSource
    _custom_update_class = groups.CustomUpdate
    _custom_update_wu_class = groups.CustomUpdateWU
    _custom_connectivity_update_class = groups.CustomConnectivityUpdate

    def __new__(cls, *args, **kwargs):
        # pygenn extension: a script that names a distribution (arguments distribution= or
        # partition=, or the environment a launcher sets) gets a model simulated by several
        # ranks; the distributed package registers that choice (register_model_class_hook),
        # so this layer does not import it. Every other script gets this class
        if cls is GeNNModel:
            for hook in _MODEL_CLASS_HOOKS:
                replacement = hook(kwargs)
                if replacement is not None:
                    cls = replacement
                    break
        return super().__new__(cls)

    def __init__(self, precision="float", model_name: str = "GeNNModel", backend=None,
                 time_precision=None, genn_log_level=PlogSeverity.WARNING,
                 code_gen_log_level=PlogSeverity.WARNING,
                 transpiler_log_level=PlogSeverity.WARNING,
                 runtime_log_level=PlogSeverity.WARNING,
                 backend_log_level=PlogSeverity.WARNING, **preference_kwargs):
        self._built = False
        self._loaded = False
        self._runtime = None
        self._preferences = None
        self._backend = None
        # set by build(): the generated code (None when never_rebuild reused a build), the
        # compiled library and the manifest the runtime is created from
        self._generated = None
        self._library = None
        self._manifest = None
        self.show_progress = True
        super().__init__(model_name, precision, time_precision)
        self._init_logging(genn_log_level=genn_log_level, code_gen_log_level=code_gen_log_level,
                           transpiler_log_level=transpiler_log_level,
                           runtime_log_level=runtime_log_level)
        self.backend_log_level = backend_log_level
        self.backend_name = self._choose_backend(backend)
        self._preference_kwargs = {_snake_case(k): v for k, v in preference_kwargs.items()}
        self.genn_types = {types.Float: np.float32, types.Double: np.float64,
                           types.Int64: np.int64, types.Uint64: np.uint64,
                           types.Int32: np.int32, types.Uint32: np.uint32,
                           types.Int16: np.int16, types.Uint16: np.uint16,
                           types.Int8: np.int8, types.Uint8: np.uint8, types.Bool: np.bool_}

    @staticmethod
    def _init_logging(**levels) -> None:
        for argument, logger_name in _LOGGERS.items():
            level = levels[argument]
            if not isinstance(level, PlogSeverity):
                level = PlogSeverity(level)   # 2.5 or 'loud' are no level: ValueError
            logging.getLogger(logger_name).setLevel(_LOG_LEVELS[level])

    @staticmethod
    def _choose_backend(backend) -> str:
        modules = _backend_modules()
        if backend is None:
            return next(iter(modules))
        if backend not in modules:
            raise KeyError(f"Backend '{backend}' is not available here; available backends: "
                           f"{', '.join(modules)}")
        return backend

    # ------------------------------------------------------------------ properties
    @property
    def backend_name(self) -> str:
        """Name of the backend the model is built with."""
        return self._backend_name

    @backend_name.setter
    def backend_name(self, name: str):
        if self._built:
            raise Exception("GeNN model already built")
        self._backend_name = name

    @property
    def dT(self) -> float:
        """Deprecated alias of ``dt`` (the timestep in ms), kept for GeNN 4 scripts."""
        warnings.warn("dT has been deprecated since GeNN 4.9.0; use dt", FutureWarning,
                      stacklevel=2)
        return self.dt

    @dT.setter
    def dT(self, value):
        warnings.warn("dT has been deprecated since GeNN 4.9.0; use dt", FutureWarning,
                      stacklevel=2)
        self.dt = value

    @property
    def t(self) -> float:
        """Simulation time in ms (``timestep * dt``)."""
        return self._runtime.t if self._loaded else 0.0

    @property
    def timestep(self) -> int:
        """Number of steps simulated since load (settable, e.g. to 0 between trials)."""
        return self._runtime.timestep if self._loaded else 0

    @timestep.setter
    def timestep(self, value):
        if not self._loaded:
            raise Exception("GeNN model has to be loaded before setting timestep")
        self._runtime.timestep = stepping.check_timestep(value)

    def _timer(self, name: str) -> float:
        return self._runtime.get_time(name) if self._loaded else 0.0

    neuron_update_time = property(lambda self: self._timer("neuron_update"),
                                  doc="Seconds spent in neuron updates (timing_enabled).")
    init_time = property(lambda self: self._timer("init"),
                         doc="Seconds spent in initialisation (timing_enabled).")
    init_sparse_time = property(lambda self: self._timer("init_sparse"),
                                doc="Seconds spent in sparse initialisation (timing_enabled).")
    presynaptic_update_time = property(
        lambda self: self._timer("presynaptic_update"),
        doc="Seconds spent in presynaptic updates (timing_enabled).")
    postsynaptic_update_time = property(
        lambda self: self._timer("postsynaptic_update"),
        doc="Seconds spent in postsynaptic updates (timing_enabled).")
    synapse_dynamics_time = property(
        lambda self: self._timer("synapse_dynamics"),
        doc="Seconds spent in synapse dynamics (timing_enabled).")

    def get_custom_update_time(self, name: str) -> float:
        """Seconds spent running the custom update group ``name`` (``timing_enabled``).

        Parameters
        ----------
        name : str
            The update group's name, as passed to ``custom_update``.

        Returns
        -------
        float
            Total seconds since load; 0.0 before load.
        """
        return self._custom_update_timer(name, "update")

    def get_custom_update_transpose_time(self, name: str) -> float:
        """Seconds spent transposing weights in the custom update group ``name``
        (``timing_enabled``).

        Parameters
        ----------
        name : str
            The update group's name.

        Returns
        -------
        float
            Total seconds since load; 0.0 before load.
        """
        return self._custom_update_timer(name, "transpose")

    def get_custom_update_remap_time(self, name: str) -> float:
        """Seconds spent rebuilding the column remap of SPARSE connectivity after the custom
        connectivity updates of group ``name`` changed it (``timing_enabled``).

        Parameters
        ----------
        name : str
            The update group's name.

        Returns
        -------
        float
            Total seconds since load; 0.0 before load.
        """
        return self._custom_update_timer(name, "remap")

    def get_custom_update_host_time(self, name: str) -> float:
        """Seconds spent in the host code of the custom connectivity updates of group ``name``
        (``timing_enabled``).

        Parameters
        ----------
        name : str
            The update group's name.

        Returns
        -------
        float
            Total seconds since load; 0.0 before load.
        """
        return self._custom_update_timer(name, "host")

    def _custom_update_timer(self, name: str, kind: str) -> float:
        if not self._loaded:
            return 0.0
        return self._runtime.get_custom_update_time(name, kind)

    # ------------------------------------------------------------------ add_* (not after build)
    def _check_not_built(self) -> None:
        if self._built:
            raise Exception("GeNN model already built")

    def add_neuron_population(self, pop_name, num_neurons, neuron, params=None, vars=None):
        """Add a population of neurons that share one neuron model.

        Parameters
        ----------
        pop_name : str
            Unique name of the population (a C identifier).
        num_neurons : int
            Number of neurons.
        neuron : NeuronModelBase or str
            The neuron model: one made by ``create_neuron_model`` or a built-in's name.
        params : dict, optional
            Value of each of the model's parameters.
        vars : dict, optional
            Initial value of each of the model's variables: a number, an array with one value
            per neuron or an ``init_var(...)`` initialiser.

        Returns
        -------
        NeuronGroup
        """
        self._check_not_built()
        return super().add_neuron_population(pop_name, num_neurons, neuron, params, vars)

    def add_synapse_population(self, pop_name, matrix_type, source, target, weight_update_init,
                               postsynaptic_init, connectivity_init=None):
        """Add synapses from one neuron population to another.

        Parameters
        ----------
        pop_name : str
            Unique name of the synapse population.
        matrix_type : SynapseMatrixType or str
            How connectivity and weights are stored: ``"DENSE"``, ``"SPARSE"``, ``"BITMASK"``,
            ``"PROCEDURAL"``, ``"TOEPLITZ"``, ...
        source, target : NeuronGroup or str
            The presynaptic and postsynaptic populations (or their names).
        weight_update_init : WeightUpdateInit
            The weight update model with its values, from ``init_weight_update``.
        postsynaptic_init : PostsynapticInit
            The postsynaptic model with its values, from ``init_postsynaptic``.
        connectivity_init : SparseConnectivityInit or ToeplitzConnectivityInit, optional
            How connectivity is generated (``init_sparse_connectivity`` or
            ``init_toeplitz_connectivity``); None for DENSE, or for SPARSE rows set with
            ``set_sparse_connections``.

        Returns
        -------
        SynapseGroup
        """
        self._check_not_built()
        return super().add_synapse_population(pop_name, matrix_type, source, target,
                                               weight_update_init, postsynaptic_init,
                                               connectivity_init)

    def add_current_source(self, cs_name, current_source_model, pop, params=None, vars=None,
                           var_refs=None):
        """Inject current from a current source model into every neuron of ``pop``.

        Parameters
        ----------
        cs_name : str
            Unique name of the current source.
        current_source_model : CurrentSourceModelBase or str
            The model: one made by ``create_current_source_model`` or a built-in's name.
        pop : NeuronGroup or str
            The population that receives the current.
        params, vars, var_refs : dict, optional
            Parameter values, initial variable values and references to variables of ``pop``.

        Returns
        -------
        CurrentSource
        """
        self._check_not_built()
        return super().add_current_source(cs_name, current_source_model, pop, params, vars,
                                          var_refs)

    def add_custom_update(self, cu_name, group_name, custom_update_model, params=None,
                          vars=None, var_refs=None, egp_refs=None):
        """Add a custom update, run by ``custom_update(group_name)``.

        Parameters
        ----------
        cu_name : str
            Unique name of the custom update.
        group_name : str
            The update group: ``custom_update(group_name)`` runs every custom update of it.
        custom_update_model : CustomUpdateModelBase or str
            The model: one made by ``create_custom_update_model`` or a built-in's name.
        params, vars : dict, optional
            Parameter values and initial variable values.
        var_refs : dict, optional
            The variables it reads or writes, from ``create_var_ref`` and friends; references
            to weight update variables (``create_wu_var_ref``) make it a per-synapse update.
        egp_refs : dict, optional
            References to extra global parameters (``create_egp_ref`` and friends).

        Returns
        -------
        CustomUpdate or CustomUpdateWU
        """
        self._check_not_built()
        return super().add_custom_update(cu_name, group_name, custom_update_model, params, vars,
                                         var_refs, egp_refs)

    def add_custom_connectivity_update(self, cu_name, group_name, syn_group,
                                       custom_conn_update_model, params=None, vars=None,
                                       pre_vars=None, post_vars=None, var_refs=None,
                                       pre_var_refs=None, post_var_refs=None, egp_refs=None):
        """Add code that changes the connectivity of a SPARSE synapse group, run by
        ``custom_update(group_name)``.

        Parameters
        ----------
        cu_name : str
            Unique name of the custom connectivity update.
        group_name : str
            The update group it belongs to.
        syn_group : SynapseGroup or str
            The SPARSE synapse group whose rows it changes.
        custom_conn_update_model : CustomConnectivityUpdateModelBase
            The model, made by ``create_custom_connectivity_update_model``.
        params, vars, pre_vars, post_vars : dict, optional
            Parameter values and initial values of its per-synapse, per-presynaptic-neuron
            and per-postsynaptic-neuron variables.
        var_refs : dict, optional
            References to per-synapse variables of ``syn_group`` (``create_wu_var_ref``),
            kept in step when synapses are added or removed.
        pre_var_refs, post_var_refs : dict, optional
            References to variables sized like the presynaptic or postsynaptic population.
        egp_refs : dict, optional
            References to extra global parameters.

        Returns
        -------
        CustomConnectivityUpdate
        """
        self._check_not_built()
        return super().add_custom_connectivity_update(
            cu_name, group_name, syn_group, custom_conn_update_model, params, vars, pre_vars,
            post_vars, var_refs, pre_var_refs, post_var_refs, egp_refs)

    # ------------------------------------------------------------------ lifecycle
    def build(self, path_to_model: str = "./", always_rebuild: bool = False,
              never_rebuild: bool = False) -> None:
        """Generate the model's code into ``<path_to_model>/<name>_CODE`` and compile it.

        The compiled library is kept in the build cache (``~/.cache/pygenn`` or
        ``$PYGENN_CACHE_DIR``) under a hash of the generated code and the compiler settings, so
        building an unchanged model again skips compilation.

        Parameters
        ----------
        path_to_model : str
            Folder in which ``<name>_CODE`` (a copy of the generated sources) is written.
        always_rebuild : bool
            Compile again even when the build cache has this model, replacing its entry.
        never_rebuild : bool
            Use the previous build in ``<path_to_model>/<name>_CODE`` as it is, without
            generating or compiling anything (GeNN's option for parallel runs that share one
            build); the model description must have the same populations and synapse groups.
            Without a previous build the code is generated but nothing is compiled, and
            ``load()`` raises.
        """
        from . import lifecycle

        if self._built:
            raise Exception("GeNN model already built")
        self.finalize_checks()
        with BuildProgress(self.name, enabled=self.show_progress) as build_progress:
            lifecycle.build(self, path_to_model, always_rebuild, never_rebuild, build_progress)
        self._built_recording = self._recording_settings()
        self._built = True

    def load(self, num_recording_timesteps=None) -> None:
        """Load the built model, allocate memory and initialise it (timestep 0).

        Parameters
        ----------
        num_recording_timesteps : int, optional
            Steps the spike recording buffers hold; needed (and at least 1) when any neuron
            group records spikes or spike-like events. Recording flags are build-time settings:
            changing one after ``build()`` makes ``load()`` raise.
        """
        from . import lifecycle

        if self._loaded:
            raise Exception("GeNN model already loaded")
        if not self._built:
            raise Exception("GeNN model has not been built")
        self._check_recording_unchanged()
        if num_recording_timesteps is None and self._recording_in_use():
            raise Exception("Cannot use recording system without passing number of recording "
                            "timesteps to GeNNModel.load")
        num_recording_timesteps = self._check_num_recording_timesteps(num_recording_timesteps)
        lifecycle.load(self, num_recording_timesteps)
        self._loaded = True

    def _recording_in_use(self) -> bool:
        return any(ng.spike_recording_enabled or ng.spike_event_recording_enabled
                   for ng in self.neuron_populations.values())

    _RECORDING_SETTINGS = ("spike_recording_enabled", "spike_event_recording_enabled",
                           "recording_zero_copy_enabled")

    def _recording_settings(self) -> dict:
        return {(ng.name, setting): bool(getattr(ng, setting))
                for ng in self.neuron_populations.values()
                for setting in self._RECORDING_SETTINGS}

    def _check_recording_unchanged(self) -> None:
        """Recording is compiled into the model: the flags are build-time settings (as in GeNN).
        Loading after changing one would run code that records into buffers that do not exist
        (or the reverse), so it is refused."""
        built = getattr(self, "_built_recording", None)
        if built is None:
            return
        for (name, setting), value in self._recording_settings().items():
            if built.get((name, setting), value) != value:
                raise RuntimeError(
                    f"{self.neuron_populations[name].description}: {setting} was changed to "
                    f"{value} after build(). Recording is compiled into the model, so it is a "
                    f"build-time setting: set it back to {built[(name, setting)]}, or describe "
                    f"the model again in a new GeNNModel with {setting} = {value} and build that")

    def _check_num_recording_timesteps(self, value):
        """None, or a whole number of steps the recording buffers hold (at least one when
        recording is used: the code writes row ``timestep % num_recording_timesteps``)."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"num_recording_timesteps must be a whole number of steps (an int), "
                            f"not {value!r}")
        value = int(value)
        lowest = 1 if self._recording_in_use() else 0
        if not lowest <= value <= 0xFFFFFFFF:
            why = " (spike recording is enabled, so the buffers need room for at least one " \
                  "step)" if lowest else ""
            raise ValueError(f"num_recording_timesteps must be from {lowest} to {0xFFFFFFFF}"
                             f"{why}, not {value}")
        return value

    def unload(self) -> None:
        """Free the runtime; group wrappers lose their views. ``load()`` may be called again."""
        from . import lifecycle

        if not self._loaded:
            raise Exception("GeNN model has not been loaded")
        lifecycle.unload(self)
        for group in self._all_groups():
            unload_group = getattr(group, "_unload", None)
            if unload_group is not None:
                unload_group()
        self._runtime = None
        self._loaded = False

    def _all_groups(self):
        for registry in (self.neuron_populations, self.synapse_populations,
                         self.current_sources, self.custom_updates,
                         self.custom_connectivity_updates):
            yield from registry.values()

    def step_time(self, num_steps: int = 1) -> None:
        """Advance the simulation by one timestep (GeNN), or by ``num_steps`` (pygenn).

        Many steps in one call run as replayed multi-step CUDA graphs on the cuda backend;
        results are the same as calling ``step_time()`` ``num_steps`` times. Ctrl-C stops a
        long call at a step boundary with KeyboardInterrupt; ``timestep`` then counts the steps
        that ran and the model can be stepped on.

        Parameters
        ----------
        num_steps : int
            Number of steps, zero or more (the step counter must stay below 2**64).
        """
        if not self._loaded:
            raise Exception("GeNN model has to be loaded before stepping")
        if type(num_steps) is int and num_steps == 1:      # the common case, kept cheap
            self._runtime.step_time()
            return
        num_steps = stepping.check_num_steps(num_steps, self._runtime.timestep)
        stepping.run_steps(self._runtime, num_steps, show_progress=self.show_progress)

    def custom_update(self, name: str) -> None:
        """Run every custom update and custom connectivity update of an update group.

        Parameters
        ----------
        name : str
            The update group's name (``group_name`` of ``add_custom_update``).
        """
        if not self._loaded:
            raise Exception("GeNN model has to be loaded before performing custom update")
        self._runtime.custom_update(name)

    def pull_recording_buffers_from_device(self) -> None:
        """Copy spike recording buffers from the device (needed before reading them)."""
        if not self._loaded:
            raise Exception("GeNN model has to be loaded before pulling recording buffers")
        if not self._recording_in_use():
            raise Exception("Cannot pull recording buffer if recording system is not in use")
        self._runtime.pull_recording_buffers_from_device()
