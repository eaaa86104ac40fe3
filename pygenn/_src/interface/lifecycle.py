"""build / load / unload of a GeNNModel: plan -> generate -> compile (cached) -> runtime.

``GeNNModel`` checks the call order; this module does the work. ``load`` allocates memory,
sets the extra global parameters initialisation needs, initialises variables, attaches the
groups' array wrappers and then initialises sparse connectivity, in GeNN's order.
"""
from __future__ import annotations

import logging
import os
import warnings

import numpy as np

from .. import contract

from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight

logger = logging.getLogger("pygenn")


# ---------------------------------------------------------------------- build
def build(model, path_to_model="./", always_rebuild=False, never_rebuild=False,
          progress=None):
    """Plan, generate and compile ``model`` (see ``GeNNModel.build``).

    ``always_rebuild`` compiles even where the build cache has the model (replacing its entry).
    ``never_rebuild`` uses the previous build in ``<path_to_model>/<name>_CODE`` as it is,
    without planning or generating anything (its manifest and library are recorded there,
    ``BUILD_RECORD``); without one it generates the code and compiles nothing. ``progress``
    (a ``progress.BuildProgress``) is told when each phase begins.
    """
    from ..build import cache
    from ..codegen.plan import ModelPlan
    from .backends import backend_for
    from .progress import NO_PROGRESS

    progress = progress or NO_PROGRESS
    backend = backend_for(model.backend_name)
    model._backend = backend
    preferences = backend.make_preferences(getattr(model, "_preference_kwargs", {}))
    model._preferences = preferences
    code_dir = os.path.join(path_to_model, f"{model.name}_CODE")
    if never_rebuild:
        previous = _previous_build(code_dir, backend.name)
        if previous is not None:
            model._library, model._manifest = previous
            model._generated = None
            _check_manifest_matches(model, model._manifest, code_dir)
            return
    progress.begin("plan")
    plan = ModelPlan(model, backend.name, debug_code=preferences.debug_code)
    progress.begin("generate")
    generated = backend.generate(plan)
    from ..build.compile import mirror_sources
    os.makedirs(code_dir, exist_ok=True)
    mirror_sources(generated.sources, code_dir)
    model._generated = generated
    model._manifest = generated.manifest
    if never_rebuild:
        model._library = None
        return
    progress.begin("compile")
    with cache.rebuilding(always_rebuild):
        model._library = backend.compile(generated, preferences, model.name)
    _write_build_record(code_dir, backend.name, model._library, generated.manifest)


# what a build leaves in <name>_CODE for a later never_rebuild: the backend, the library (in the
# build cache, which checks its hash when it is loaded) and the manifest
BUILD_RECORD = "pygenn_build.json"


def _write_build_record(code_dir, backend_name, library, manifest) -> None:
    import json
    record = {"backend": backend_name, "library": str(library),
              "manifest": json.loads(manifest.to_json())}
    path = os.path.join(code_dir, BUILD_RECORD)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(path + ".tmp", path)


def _previous_build(code_dir, backend_name):
    """(library, manifest) of the build recorded in ``code_dir``, or None."""
    import json

    from ..manifest import RuntimeManifest
    path = os.path.join(code_dir, BUILD_RECORD)
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    if record.get("backend") != backend_name or not os.path.exists(record.get("library", "")):
        return None
    sources = {}
    for name in os.listdir(code_dir):
        if name != BUILD_RECORD and name.endswith((".cc", ".cu")):
            with open(os.path.join(code_dir, name), encoding="utf-8") as f:
                sources[name] = f.read()
    manifest = RuntimeManifest.from_json(json.dumps(record["manifest"]), sources)
    return record["library"], manifest


def _check_manifest_matches(model, manifest, code_dir) -> None:
    """A never_rebuild load runs the previous build's code: refuse one made from another
    model description (other populations, sizes or synapse groups)."""
    built = {name: n.num_neurons for name, n in manifest.neurons.items()}
    now = {name: ng.num_neurons for name, ng in model.neuron_populations.items()}
    if built != now or set(manifest.row_strides) != set(model.synapse_populations):
        raise RuntimeError(
            f"never_rebuild=True: the build in '{code_dir}' was made from a different model "
            f"(populations {sorted(built.items())}, synapse groups "
            f"{sorted(manifest.row_strides)}); build once without never_rebuild")


# ---------------------------------------------------------------------- load
def load(model, num_recording_timesteps=None):
    """Create the runtime and attach every wrapper, in GeNN's order (module docstring)."""
    manifest = model._manifest
    runtime = _create_runtime(model, model._backend, manifest)
    model._runtime = runtime
    runtime.allocate(num_recording_timesteps)
    groups = _groups_by_name(model)
    records = [r for r in manifest.arrays.values() if r.view is not None]
    # EGPs initialisation reads (variable initialisers' and connectivity snippets') first
    before_init = [r for r in records if r.egp and _read_by_initialisation(r.view)]
    with runtime.binding_deferred():
        for record in before_init:
            _load_egp(runtime, record, _wrapper(groups, record.view))
        _fill_generated_egps(model, runtime)
    _check_egps_allocated(runtime, init_only=True)
    runtime.initialize()
    _set_manual_connectivity(model, runtime)
    for record in records:
        wrapper = _wrapper(groups, record.view)
        if wrapper is None:
            continue
        if record.egp:
            if record not in before_init:
                _load_egp(runtime, record, wrapper)
            continue
        view = record.view
        array = runtime.arrays[record.key]
        delay_group = groups[view.delay_group] if view.delay_group is not None else None
        wrapper.set_array(array, view_shape=view.shape, delay_group=delay_group)
        if view.init_values:
            _copy_init_values(wrapper, array, sparse=view.sparse)
    _mark_procedural_weights(model)
    _check_egps_allocated(runtime)
    runtime.initialize_sparse()
    runtime.timestep = 0


def _create_runtime(model, backend, manifest):
    """The backend's runtime; a library that fails to load (or no longer matches its build
    record) is rebuilt once, with a warning."""
    from ..runtime.library import LibraryLoadError

    preferences = model._preferences
    try:
        return backend.create_runtime(model._library, manifest, model.seed, preferences)
    except LibraryLoadError as error:
        if not error.entry_discarded:
            raise
        if model._generated is None:        # never_rebuild: nothing to rebuild it from
            raise RuntimeError(f"{error}; build the model again without never_rebuild") \
                from error
        warnings.warn(f"{error}. Rebuilding it now.", RuntimeWarning, stacklevel=3)
    model._library = backend.compile(model._generated, preferences, model.name)
    return backend.create_runtime(model._library, manifest, model.seed, preferences)


def unload(model):
    """Detach every wrapper and give the runtime's memory back (device memory and pinned host
    buffers on CUDA: a model loaded again allocates anew)."""
    for group in _all_groups(model):
        group._unload()
    if model._runtime is not None:
        model._runtime.free()
    model._runtime = None


# ---------------------------------------------------------------------- helpers
def _all_groups(model):
    yield from model.neuron_populations.values()
    yield from model.synapse_populations.values()
    yield from model.current_sources.values()
    yield from model.custom_updates.values()
    yield from model.custom_connectivity_updates.values()


def _groups_by_name(model) -> dict:
    return {group.name: group for group in _all_groups(model)}


# the wrapper collections of the user-facing groups, by the manifest's collection names
_COLLECTIONS = {
    "vars": lambda g: g.vars, "pre_vars": lambda g: g.pre_vars,
    "post_vars": lambda g: g.post_vars, "psm_vars": lambda g: g.psm_vars,
    "extra_global_params": lambda g: g.extra_global_params,
    "psm_extra_global_params": lambda g: g.psm_extra_global_params,
    "connectivity_extra_global_params": lambda g: g.connectivity_extra_global_params,
}
_SINGLE_WRAPPERS = {
    "spike_times": lambda g: g._spike_times_wrapper,
    "prev_spike_times": lambda g: g._prev_spike_times_wrapper,
    "out_post": lambda g: g._out_post_wrapper,
}


def _wrapper(groups: dict, view):
    """The wrapper a manifest ``ViewRecord`` names (None where the group made none)."""
    group = groups[view.group]
    if view.collection in _SINGLE_WRAPPERS:
        return _SINGLE_WRAPPERS[view.collection](group)
    wrapper = _COLLECTIONS[view.collection](group).get(view.name)
    if wrapper is not None and view.egp:
        wrapper = wrapper.extra_global_params.get(view.egp)
    return wrapper


def _read_by_initialisation(view) -> bool:
    """EGPs of variable initialisers and connectivity snippets must exist before
    initialisation runs."""
    return bool(view.egp) or view.collection == "connectivity_extra_global_params"


def _check_egps_allocated(runtime, init_only=False):
    """An EGP that code reads but nobody filled would be a null pointer: refuse to run."""
    for key, record in runtime.manifest.arrays.items():
        if (record.egp and record.required and key not in runtime.arrays
                and (record.for_init or not init_only)):
            raise RuntimeError(
                f"Extra global parameter '{record.egp_name}' of '{record.owner}' is used by its "
                f"model's code but has no values: call set_init_values(...) on it before load()")


def _fill_generated_egps(model, runtime):
    """EGPs whose contents pygenn computes itself (FixedNumberTotalWithReplacement rows).

    Each synapse group draws its row lengths from its own generator, keyed by the model's
    seed and a stable 32-bit hash of the group's name, so a group's rows do not depend on
    which other groups the model (or a rank of a distributed model) builds. Seed 0 draws
    fresh random rows.
    """

    from ..model.builtin import init_sparse_connectivity_snippets as conn_snippets

    for sg in model.synapse_populations.values():
        init = sg.sparse_connectivity_initialiser
        key = (sg.name, "preCalcRowLengthSparseConnect")
        if init is None or key not in runtime.manifest.arrays:
            continue
        stream = contract.stream_id(sg.name, "preCalcRowLength")
        rng = np.random.default_rng([model.seed, stream] if model.seed else None)
        num = int(init.params["num"].value)
        rows = conn_snippets.fixed_number_total_row_lengths(num, sg.src.num_neurons, rng)
        array = runtime.allocate_egp(sg.name, "preCalcRowLengthSparseConnect", len(rows))
        array.host_view[:] = rows
        array.push_to_device()


def _load_egp(runtime, record, wrapper):
    values = None if wrapper is None else wrapper.init_values
    if values is None:
        return
    values = np.asarray(values).ravel()
    array = runtime.allocate_egp(record.owner, record.name, len(values))
    array.host_view[:] = values
    array.push_to_device()
    wrapper.set_array(array, view_shape=None)


def _copy_init_values(wrapper, array, sparse=False):
    """Copy host-provided initial values (arrays, not numbers or snippets) into the view."""
    values = getattr(wrapper, "init_values", None)
    if values is None or hasattr(values, "snippet") or array.host_view is None:
        return
    if not isinstance(values, np.ndarray) and np.isscalar(values):
        return
    values = np.asarray(values)
    if sparse:
        # given in the user's connection order; the wrapper scatters into padded rows
        from .arrays import uses_manual_order
        sg = getattr(wrapper.group, "synapse_group", wrapper.group)
        if sg.connections_set and not uses_manual_order(sg) \
                and values.shape[-1:] == (len(sg.synapse_order),):
            # the group reads its live (row-major) order: reorder the user's values to it
            values = values[..., sg.synapse_order]
        wrapper.values = values
    else:
        from .arrays import write_values
        write_values(wrapper._view, values, wrapper.description, "initial values")
    array.push_to_device()


def _set_manual_connectivity(model, runtime):
    """Rows given with ``set_sparse_connections``: written before any value is scattered into
    them (their views index the rows)."""
    for sg in model.synapse_populations.values():
        if not (sg.matrix_type & Conn.SPARSE and sg.connections_set):
            continue
        row_length_array = runtime.arrays[(sg.name, "rowLength")]
        ind_array = runtime.arrays[(sg.name, "ind")]
        row_length_array.host_view[:] = sg.row_lengths
        ind = ind_array.host_view.reshape(sg.src.num_neurons, runtime.get_row_stride(sg))
        lengths = np.asarray(sg.row_lengths, dtype=np.int64)
        rows = np.repeat(np.arange(len(lengths)), lengths)
        starts = np.cumsum(lengths) - lengths
        ind[rows, np.arange(len(rows)) - starts[rows]] = sg.ind
        row_length_array.push_to_device()
        ind_array.push_to_device()


def _mark_procedural_weights(model):
    """PROCEDURAL weights are recomputed whenever used: their wrappers have nothing to show."""
    for sg in model.synapse_populations.values():
        if not sg.matrix_type & Weight.PROCEDURAL:
            continue
        for var in sg.wu_initialiser.snippet.get_vars():
            wrapper = sg.vars.get(var.name)
            if wrapper is not None:
                wrapper._no_storage = (
                    f"{sg.matrix_type.name} synapse group '{sg.name}' recomputes "
                    f"'{var.name}' from its init snippet whenever it is used, so it has no "
                    f"stored values to view, push or pull")
