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

from .. import param_arrays
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight
from ..model.enums import VarAccessDim, get_var_access_dim

logger = logging.getLogger("pygenn")


# ---------------------------------------------------------------------- build
def build(model, path_to_model="./", always_rebuild=False, never_rebuild=False,
          progress=None):
    """Plan, generate and compile ``model`` (see ``GeNNModel.build``).

    ``always_rebuild`` compiles even where the build cache has the model (replacing its entry);
    ``never_rebuild`` stops after generating. ``progress`` (a ``progress.BuildProgress``) is
    told when each phase begins.
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
    progress.begin("plan")
    plan = ModelPlan(model, backend.name, debug_code=preferences.debug_code)
    progress.begin("generate")
    generated = backend.generate(plan)
    code_dir = os.path.join(path_to_model, f"{model.name}_CODE")
    from ..build.compile import mirror_sources
    os.makedirs(code_dir, exist_ok=True)
    mirror_sources(generated.sources, code_dir)
    model._generated = generated
    if never_rebuild:
        model._library = None
        return
    progress.begin("compile")
    with cache.rebuilding(always_rebuild):
        model._library = backend.compile(generated, preferences, model.name)


# ---------------------------------------------------------------------- load
def load(model, num_recording_timesteps=None):
    backend = model._backend
    generated = model._generated
    runtime = _create_runtime(model, backend, generated)
    model._runtime = runtime
    runtime.allocate(num_recording_timesteps)
    with runtime.binding_deferred():
        _allocate_init_egps(model, runtime)
    runtime.initialize()
    for group in _all_groups(model):
        _attach_group(model, runtime, group)
    _check_egps_allocated(runtime)
    runtime.initialize_sparse()
    runtime.timestep = 0


def _create_runtime(model, backend, generated):
    """The backend's runtime; a library that fails to load (or no longer matches its build
    record) is rebuilt once, with a warning."""
    from ..runtime.library import LibraryLoadError

    preferences = getattr(model, "_preferences", None)
    try:
        return backend.create_runtime(model._library, generated, model.seed, preferences)
    except LibraryLoadError as error:
        if not error.entry_discarded:
            raise
        warnings.warn(f"{error}. Rebuilding it now.", RuntimeWarning, stacklevel=3)
    model._library = backend.compile(generated, preferences, model.name)
    return backend.create_runtime(model._library, generated, model.seed, preferences)


def unload(model):
    for group in _all_groups(model):
        for wrapper in _wrappers(group):
            wrapper._unload()
    model._runtime = None


# ---------------------------------------------------------------------- helpers
def _all_groups(model):
    yield from model.neuron_populations.values()
    yield from model.synapse_populations.values()
    yield from model.current_sources.values()
    yield from model.custom_updates.values()
    yield from getattr(model, "custom_connectivity_updates", {}).values()


def _wrappers(group):
    for attr in ("vars", "pre_vars", "post_vars", "psm_vars", "extra_global_params",
                 "psm_extra_global_params", "connectivity_extra_global_params"):
        for wrapper in getattr(group, attr, {}).values():
            yield wrapper
            yield from getattr(wrapper, "extra_global_params", {}).values()
    for attr in ("spike_times", "prev_spike_times", "out_post"):
        wrapper = getattr(group, f"_{attr}_wrapper", None)
        if wrapper is not None:
            yield wrapper


def _allocate_init_egps(model, runtime):
    """EGPs used by initialisation snippets must exist before initialisation runs."""
    for sg in model.synapse_populations.values():
        arrays = (param_arrays.TOEPLITZ_CONNECTIVITY
                  if getattr(sg, "toeplitz_connectivity_initialiser", None) is not None
                  else param_arrays.SPARSE_CONNECTIVITY)
        for name, egp in getattr(sg, "connectivity_extra_global_params", {}).items():
            if (sg.name, arrays.egp(name)) in runtime.plan.arrays:   # else rows set by hand
                _load_egp(runtime, sg.name, arrays.egp(name), egp)
    for group in _all_groups(model):
        for attr in ("vars", "pre_vars", "post_vars", "psm_vars"):
            for var_name, wrapper in getattr(group, attr, {}).items():
                for egp_name, egp in getattr(wrapper, "extra_global_params", {}).items():
                    _load_egp(runtime, group.name,
                              param_arrays.var_init(var_name).egp(egp_name), egp)
    _fill_generated_egps(model, runtime)
    _check_egps_allocated(runtime, init_only=True)


def _check_egps_allocated(runtime, init_only=False):
    """An EGP that code reads but nobody filled would be a null pointer: refuse to run."""
    import re

    for (owner, name), spec in runtime.plan.arrays.items():
        if not spec.egp or (owner, name) in runtime.arrays or (init_only and not spec.for_init):
            continue
        if any(re.search(rf"\b{re.escape(spec.egp_name)}\b", code)
               for code in runtime.plan.code_texts(owner)):
            raise RuntimeError(
                f"Extra global parameter '{spec.egp_name}' of '{owner}' is used by its model's "
                f"code but has no values: call set_init_values(...) on it before load()")


def _fill_generated_egps(model, runtime):
    """EGPs whose contents pygenn computes itself (FixedNumberTotalWithReplacement rows)."""
    from ..model.builtin import init_sparse_connectivity_snippets as conn_snippets

    rng = np.random.default_rng(model.seed or None)
    for sg in model.synapse_populations.values():
        init = sg.sparse_connectivity_initialiser
        key = (sg.name, "preCalcRowLengthSparseConnect")
        if init is None or key not in runtime.plan.arrays:
            continue
        num = int(init.params["num"].value)
        rows = conn_snippets.fixed_number_total_row_lengths(num, sg.src.num_neurons, rng)
        array = runtime.allocate_egp(sg.name, "preCalcRowLengthSparseConnect", len(rows))
        array.host_view[:] = rows
        array.push_to_device()


def _load_egp(runtime, owner, array_name, wrapper):
    values = getattr(wrapper, "init_values", None)
    if values is None:
        return
    values = np.asarray(values).ravel()
    array = runtime.allocate_egp(owner, array_name, len(values))
    array.host_view[:] = values
    array.push_to_device()
    wrapper.set_array(array, view_shape=None)


def _neuron_shape(plan, var, num, slots):
    dims = get_var_access_dim(var.access)
    batch = plan.batch_size if (int(dims) & int(VarAccessDim.BATCH)) else 1
    element = num if (int(dims) & int(VarAccessDim.ELEMENT)) else 1
    shape = ((batch,) if batch > 1 else ()) + ((slots,) if slots > 1 else ()) + (element,)
    return shape


def _attach_neuron_shaped(runtime, owner, wrappers, variables, num, slots_for, delay_group):
    plan = runtime.plan
    for var in variables:
        wrapper = wrappers.get(var.name)
        key_name = var.name if (owner, var.name) in plan.arrays else f"ps_{var.name}"
        if wrapper is None or (owner, key_name) not in runtime.arrays:
            continue
        array = runtime.arrays[(owner, key_name)]
        slots = slots_for(var)
        wrapper.set_array(array, view_shape=_neuron_shape(plan, var, num, slots),
                          delay_group=delay_group if slots > 1 else None)
        _copy_init_values(wrapper, array)


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
        if getattr(sg, "connections_set", False) and not uses_manual_order(sg) \
                and values.shape[-1:] == (len(sg.synapse_order),):
            # the group reads its live (row-major) order: reorder the user's values to it
            values = values[..., sg.synapse_order]
        wrapper.values = values
    else:
        from .arrays import write_values
        write_values(wrapper._view, values, wrapper.description, "initial values")
    array.push_to_device()


def _attach_group(model, runtime, group):
    plan = runtime.plan
    name = group.name
    if group is getattr(plan.model, "custom_updates", {}).get(name):
        from .custom_updates import attach_custom_update
        attach_custom_update(runtime, group, _copy_init_values, _load_egp)
    elif group is getattr(plan.model, "custom_connectivity_updates", {}).get(name):
        from ..runtime.custom_connectivity import attach_custom_connectivity_update
        attach_custom_connectivity_update(runtime, group, _copy_init_values, _load_egp)
    elif name in plan.neurons and group is plan.neurons[name].group:
        nplan = plan.neurons[name]
        _attach_neuron_shaped(runtime, name, group.vars, group.model.get_vars(),
                              group.num_neurons,
                              lambda v: nplan.num_delay_slots if v.name in nplan.delayed_vars
                              else 1, group)
        for egp_name, egp in group.extra_global_params.items():
            _load_egp(runtime, name, param_arrays.MODEL.egp(egp_name), egp)
        queue = nplan.num_delay_slots if nplan.spike_queue else 1
        for array_name in ("sT", "prevST"):
            attr = "_spike_times_wrapper" if array_name == "sT" else "_prev_spike_times_wrapper"
            wrapper = getattr(group, attr, None)
            if wrapper is not None and (name, array_name) in runtime.arrays:
                shape = ((plan.batch_size,) if plan.batch_size > 1 else ()) + \
                    ((queue,) if queue > 1 else ()) + (group.num_neurons,)
                wrapper.set_array(runtime.arrays[(name, array_name)], view_shape=shape,
                                  delay_group=group if queue > 1 else None)
    elif name in plan.synapses and group is plan.synapses[name].group:
        _attach_synapse_group(model, runtime, plan.synapses[name])
    else:
        _attach_neuron_shaped(runtime, name, group.vars, group.model.get_vars(),
                              group.trg_pop.num_neurons, lambda v: 1, None)
        for egp_name, egp in group.extra_global_params.items():
            _load_egp(runtime, name, param_arrays.MODEL.egp(egp_name), egp)


def _attach_synapse_group(model, runtime, splan):
    plan = runtime.plan
    sg = splan.group
    wu = sg.wu_initialiser.snippet
    ps = sg.ps_initialiser.snippet
    src_plan, trg_plan = plan.neurons[sg.src.name], plan.neurons[sg.trg.name]
    if sg.matrix_type & Conn.SPARSE and getattr(sg, "connections_set", False):
        row_length_array = runtime.arrays[(sg.name, "rowLength")]
        ind_array = runtime.arrays[(sg.name, "ind")]
        row_length_array.host_view[:] = sg.row_lengths
        ind = ind_array.host_view.reshape(sg.src.num_neurons, splan.row_stride)
        lengths = np.asarray(sg.row_lengths, dtype=np.int64)
        rows = np.repeat(np.arange(len(lengths)), lengths)
        starts = np.cumsum(lengths) - lengths
        ind[rows, np.arange(len(rows)) - starts[rows]] = sg.ind
        row_length_array.push_to_device()
        ind_array.push_to_device()
    # GeNN flags every member of a fused PSM set: no out_post and no PSM vars for any of them
    psm_fused = sg.name in plan.fused_psms
    out_post = None if psm_fused else getattr(sg, "_out_post_wrapper", None)
    if out_post is not None:
        out_post.set_array(runtime.arrays[(sg.name, "outPost")],
                           view_shape=(plan.batch_size, sg.trg.num_neurons))
    # PSM vars read with a delay through psm_var_refs are queued on the target's slots
    _attach_neuron_shaped(runtime, sg.name, {} if psm_fused else sg.psm_vars, ps.get_vars(),
                          sg.trg.num_neurons,
                          lambda v: plan.psm_var_slots(sg, v.name), sg.trg)
    pre_wrappers = {} if ("pre", sg.name) in plan.fused_wu else sg.pre_vars
    post_wrappers = {} if ("post", sg.name) in plan.fused_wu else sg.post_vars
    _attach_neuron_shaped(runtime, sg.name, pre_wrappers, wu.get_pre_vars(), sg.src.num_neurons,
                          lambda v: src_plan.num_delay_slots if sg.axonal_delay_steps > 0 else 1,
                          sg.src)
    post_delayed = sg.back_prop_delay_steps > 0 or splan.delayed_post_reads
    _attach_neuron_shaped(runtime, sg.name, post_wrappers, wu.get_post_vars(), sg.trg.num_neurons,
                          lambda v: trg_plan.num_delay_slots if post_delayed else 1, sg.trg)
    for var in wu.get_vars():
        wrapper = sg.vars.get(var.name)
        if wrapper is not None and sg.matrix_type & Weight.PROCEDURAL:
            wrapper._no_storage = (f"{sg.matrix_type.name} synapse group '{sg.name}' recomputes "
                                   f"'{var.name}' from its init snippet whenever it is used, so "
                                   f"it has no stored values to view, push or pull")
        if wrapper is None or (sg.name, var.name) not in runtime.arrays:
            continue
        array = runtime.arrays[(sg.name, var.name)]
        count = array.spec.count
        batch = plan.batch_size if count and plan.batched(get_var_access_dim(var.access)) > 1 \
            else 1
        shape = (batch, count // batch) if batch > 1 else (count,)
        wrapper.set_array(array, view_shape=shape)
        _copy_init_values(wrapper, array, sparse=bool(sg.matrix_type & Conn.SPARSE))
    for egp_name, egp in sg.extra_global_params.items():
        _load_egp(runtime, sg.name, param_arrays.MODEL.egp(egp_name), egp)
    for egp_name, egp in getattr(sg, "psm_extra_global_params", {}).items():
        _load_egp(runtime, sg.name, param_arrays.POSTSYNAPTIC.egp(egp_name), egp)
