"""Writing a generated model's ``RuntimeManifest`` (pygenn/_src/manifest.py) from its plan.

Everything the runtime and the interface used to derive again at load from the live plan and
model (array shapes with their batch and delay dimensions, which wrapper each array backs,
which EGPs code reads, struct layouts and bindings, kernels) is decided here, once, next to the
code that decided the storage.
"""
from __future__ import annotations

from .. import lang, param_arrays
from ..errors import CodeContext
from ..lang.tokens import TokenType
from ..manifest import (ArrayRecord, CustomConnectivityGroup, CustomConnectivityHost,
                        DebugSiteRecord, FieldBinding, KernelRecord, NeuronRecord,
                        RuntimeManifest, StructRecord, ViewRecord)
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import VarAccessDim, get_var_access_dim


def build_manifest(plan, generated, merged_groups, kernels=None, custom_update_groups=(),
                   custom_update_kernels=None, custom_connectivity=None,
                   custom_connectivity_kernels=None, openmp: bool = False) -> RuntimeManifest:
    """The manifest of ``generated`` (a backend's generated model).

    ``merged_groups`` are the structs the runtime binds; ``kernels`` (CUDA) maps a list name
    (``step``, ``init``, ``init_sparse``, ``columns``) to kernel objects in launch order;
    ``custom_connectivity`` is the generated custom connectivity code (hosts and rows).
    """
    views = _views(plan)
    identifiers = {}
    arrays = {}
    for key, spec in plan.arrays.items():
        required = False
        if spec.egp:
            owner = key[0]
            if owner not in identifiers:
                identifiers[owner] = _identifiers(plan.code_texts(owner))
            required = spec.egp_name in identifiers[owner]
        location = spec.location
        arrays[key] = ArrayRecord(
            owner=key[0], name=key[1], dtype=spec.numeric_type.numpy_dtype.str,
            count=int(spec.count), location=-1 if location is None else int(location),
            fill=_plain_value(spec.fill), per_recording_step=bool(spec.per_recording_step),
            egp=bool(spec.egp), egp_name=spec.egp_name, for_init=bool(spec.for_init),
            required=required, view=views.get(key))
    model = plan.model
    return RuntimeManifest(
        model_name=model.name, backend=plan.backend_name, dt=float(plan.dt),
        batch_size=int(plan.batch_size), timing=bool(model.timing_enabled),
        openmp=bool(openmp), arrays=arrays,
        neurons={name: NeuronRecord(int(n.group.num_neurons), int(n.num_delay_slots),
                                    bool(n.spike_queue)) for name, n in plan.neurons.items()},
        structs=tuple(struct_record(m) for m in merged_groups),
        row_strides={name: int(s.row_stride) for name, s in plan.synapses.items()},
        custom_update_groups=tuple(custom_update_groups),
        custom_connectivity=_custom_connectivity(custom_connectivity),
        kernels={name: [kernel_record(k) for k in ks] for name, ks in (kernels or {}).items()},
        custom_update_kernels={name: [kernel_record(k) for k in ks]
                               for name, ks in (custom_update_kernels or {}).items()},
        custom_connectivity_kernels={name: [kernel_record(k) for k in ks]
                                     for name, ks in (custom_connectivity_kernels or {}).items()},
        debug_code=bool(plan.debug_code),
        debug_sites=tuple(DebugSiteRecord(site.group, site.description, site.role, site.what)
                          for site in plan.debug_sites.sites),
        sources=dict(generated.sources))


# ============================================================================= structs
def struct_record(merged) -> StructRecord:
    """A merged group's struct layout and its members' bindings, as plain data."""
    fields = merged.fields
    layout = (tuple((f.name, f.numpy_dtype.str) for f in fields) if fields
              else (("unused", "|i1"),))
    bindings = []
    for member_fields in merged.member_fields:
        member = {}
        for name, f in member_fields.fields.items():
            binding = member_fields.bindings[name]
            if f.kind == "array":
                member[name] = FieldBinding("array", array=tuple(binding))
            elif f.kind == "size":
                member[name] = FieldBinding("size", array=tuple(binding.key),
                                            batches=int(binding.batches))
            else:
                member[name] = FieldBinding("value", value=_plain_value(binding))
        bindings.append(member)
    return StructRecord(merged.struct_name, merged.array_name, layout,
                        tuple(_name(m) for m in merged.members), tuple(bindings))


def kernel_record(kernel) -> KernelRecord:
    """A CUDA kernel's launch facts (backends/cuda.py ``Kernel`` or ``StepEndKernel``)."""
    if kernel.merged is None:                      # fixed shape (StepEnd)
        return KernelRecord(kernel.name, kernel.phase, kernel.wave, single_thread=True,
                            grid=tuple(kernel.grid), block=tuple(kernel.block))
    elements = (tuple(1 for _ in kernel.merged.members) if kernel.single_thread
                else tuple(int(e) for e in kernel.elements_of_members()))
    return KernelRecord(kernel.name, kernel.phase, kernel.wave, member_elements=elements,
                        single_thread=bool(kernel.single_thread), batches=int(kernel.batches))


def _custom_connectivity(code) -> dict:
    if code is None:
        return {}
    groups = {}
    for name in code.group_names:
        hosts = tuple(CustomConnectivityHost(cplan.name, struct_record(merged),
                                             tuple(tuple(t) for t in cplan.copy_targets))
                      for cplan, merged in code.hosts.get(name, ()))
        groups[name] = CustomConnectivityGroup(hosts=hosts, rows=bool(code.rows.get(name)),
                                               changed=tuple(code.changed.get(name, ())))
    return groups


def _plain_value(value):
    """A JSON-able Python scalar for a numpy or Python number."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    return value


def _name(group) -> str:
    return group if isinstance(group, str) else group.name


def _identifiers(codes) -> set:
    """Every identifier the code strings use (they were all scanned once already)."""
    names = set()
    for code in codes:
        context = CodeContext(description="code string", source=code, role="", group="")
        names.update(token.lexeme for token in lang.scan(code, context)
                     if token.type is TokenType.IDENTIFIER)
    return names


# ============================================================================= views
def _views(plan) -> dict:
    """(owner, array name) -> ViewRecord for every array a user-facing wrapper shows."""
    views = {}
    model = plan.model
    for name, nplan in plan.neurons.items():
        group = nplan.group
        _neuron_shaped(views, plan, name, name, "vars", group.model.get_vars(),
                       group.num_neurons,
                       lambda v, n=nplan: n.num_delay_slots if v.name in n.delayed_vars else 1,
                       name)
        _egps(views, plan, name, name, "extra_global_params", group.model,
              param_arrays.MODEL)
        queue = nplan.num_delay_slots if nplan.spike_queue else 1
        for array_name, collection in (("sT", "spike_times"), ("prevST", "prev_spike_times")):
            if (name, array_name) in plan.arrays:
                shape = ((plan.batch_size,) if plan.batch_size > 1 else ()) + \
                    ((queue,) if queue > 1 else ()) + (group.num_neurons,)
                views[(name, array_name)] = ViewRecord(
                    name, collection, array_name, shape,
                    delay_group=name if queue > 1 else None, init_values=False)
        _var_init_egps(views, plan, name, {"vars": group.var_initialisers})
    for splan in plan.synapses.values():
        _synapse_views(views, plan, splan)
    for name, cs in model.current_sources.items():
        _neuron_shaped(views, plan, name, name, "vars", cs.model.get_vars(),
                       cs.trg_pop.num_neurons, lambda v: 1, None)
        _egps(views, plan, name, name, "extra_global_params", cs.model, param_arrays.MODEL)
        _var_init_egps(views, plan, name, {"vars": cs.var_initialisers})
    for cu in model.custom_updates.values():
        _custom_update_views(views, plan, cu)
    for ccu in model.custom_connectivity_updates.values():
        _custom_connectivity_views(views, plan, ccu)
    return views


def _neuron_shape(plan, var, num, slots) -> tuple:
    dims = get_var_access_dim(var.access)
    batch = plan.batch_size if (int(dims) & int(VarAccessDim.BATCH)) else 1
    element = num if (int(dims) & int(VarAccessDim.ELEMENT)) else 1
    return ((batch,) if batch > 1 else ()) + ((slots,) if slots > 1 else ()) + (element,)


def _neuron_shaped(views, plan, owner, group, collection, variables, num, slots_for,
                   delay_group):
    for var in variables:
        key_name = var.name if (owner, var.name) in plan.arrays else f"ps_{var.name}"
        if (owner, key_name) not in plan.arrays:
            continue
        slots = slots_for(var)
        views[(owner, key_name)] = ViewRecord(
            group, collection, var.name, _neuron_shape(plan, var, num, slots),
            delay_group=delay_group if slots > 1 else None)


def _egps(views, plan, owner, group, collection, snippet, arrays):
    for egp in snippet.get_extra_global_params():
        key = (owner, arrays.egp(egp.name))
        if key in plan.arrays:
            views[key] = ViewRecord(group, collection, egp.name)


def _var_init_egps(views, plan, owner, initialisers: dict):
    """EGPs of variable initialisation snippets (``collection`` -> {var: initialiser})."""
    for collection, inits in initialisers.items():
        for var_name, init in inits.items():
            snippet = getattr(init, "snippet", None)
            if snippet is None:
                continue
            for egp in snippet.get_extra_global_params():
                key = (owner, param_arrays.var_init(var_name).egp(egp.name))
                if key in plan.arrays:
                    views[key] = ViewRecord(owner, collection, var_name, egp=egp.name)


def _synapse_views(views, plan, splan):
    sg = splan.group
    name = sg.name
    wu = sg.wu_initialiser.snippet
    ps = sg.ps_initialiser.snippet
    src_plan, trg_plan = plan.neurons[sg.src.name], plan.neurons[sg.trg.name]
    # GeNN flags every member of a fused PSM set: no out_post and no PSM vars for any of them
    psm_fused = name in plan.fused_psms
    if not psm_fused and (name, "outPost") in plan.arrays:
        views[(name, "outPost")] = ViewRecord(name, "out_post", "outPost",
                                              (plan.batch_size, sg.trg.num_neurons),
                                              init_values=False)
    if not psm_fused:
        # PSM vars read with a delay through psm_var_refs are queued on the target's slots
        _neuron_shaped(views, plan, name, name, "psm_vars", ps.get_vars(), sg.trg.num_neurons,
                       lambda v: plan.psm_var_slots(sg, v.name), sg.trg.name)
    if ("pre", name) not in plan.fused_wu:
        _neuron_shaped(views, plan, name, name, "pre_vars", wu.get_pre_vars(),
                       sg.src.num_neurons,
                       lambda v: src_plan.num_delay_slots if sg.axonal_delay_steps > 0 else 1,
                       sg.src.name)
    if ("post", name) not in plan.fused_wu:
        post_delayed = sg.back_prop_delay_steps > 0 or splan.delayed_post_reads
        _neuron_shaped(views, plan, name, name, "post_vars", wu.get_post_vars(),
                       sg.trg.num_neurons,
                       lambda v: trg_plan.num_delay_slots if post_delayed else 1, sg.trg.name)
    sparse = bool(sg.matrix_type & Conn.SPARSE)
    for var in wu.get_vars():
        spec = plan.arrays.get((name, var.name))
        if spec is None:
            continue
        count = int(spec.count)
        batch = (plan.batch_size
                 if count and plan.batched(get_var_access_dim(var.access)) > 1 else 1)
        shape = (batch, count // batch) if batch > 1 else (count,)
        views[(name, var.name)] = ViewRecord(name, "vars", var.name, shape, sparse=sparse)
    _egps(views, plan, name, name, "extra_global_params", wu, param_arrays.MODEL)
    _egps(views, plan, name, name, "psm_extra_global_params", ps, param_arrays.POSTSYNAPTIC)
    for init, arrays in ((sg.sparse_connectivity_initialiser, param_arrays.SPARSE_CONNECTIVITY),
                         (sg.toeplitz_connectivity_initialiser,
                          param_arrays.TOEPLITZ_CONNECTIVITY)):
        if init is not None:
            _egps(views, plan, name, name, "connectivity_extra_global_params", init.snippet,
                  arrays)
    _var_init_egps(views, plan, name, {
        "vars": sg.wu_var_initialisers, "pre_vars": sg.wu_pre_var_initialisers,
        "post_vars": sg.wu_post_var_initialisers, "psm_vars": sg.ps_var_initialisers})


def _custom_update_views(views, plan, cu):
    from .custom_update_plan import BATCH, ELEMENT, cu_var_dims, synapse_elements
    cuplan = plan.custom_updates[cu.name]
    sparse = cuplan.is_wu and bool(cu.synapse_group.matrix_type & Conn.SPARSE)
    elements = synapse_elements(plan, cu.synapse_group) if cuplan.is_wu else cu.num_neurons
    for var in cu.model.get_vars():
        if (cu.name, var.name) not in plan.arrays:
            continue
        dims = cu_var_dims(cu, var)
        batch = plan.batch_size if dims & BATCH else 1
        element = elements if dims & ELEMENT else 1
        views[(cu.name, var.name)] = ViewRecord(
            cu.name, "vars", var.name, ((batch,) if batch > 1 else ()) + (element,),
            sparse=sparse and bool(dims & ELEMENT))
    _egps(views, plan, cu.name, cu.name, "extra_global_params", cu.model, param_arrays.MODEL)
    _var_init_egps(views, plan, cu.name, {"vars": cu.var_initialisers})


def _custom_connectivity_views(views, plan, ccu):
    from .custom_connectivity_plan import ELEMENT
    from .custom_connectivity_plan import _var_dims as var_dims
    for collection, getter, sparse in (("vars", "get_vars", True),
                                       ("pre_vars", "get_pre_vars", False),
                                       ("post_vars", "get_post_vars", False)):
        for var in getattr(ccu.model, getter)():
            spec = plan.arrays.get((ccu.name, var.name))
            if spec is None:
                continue
            views[(ccu.name, var.name)] = ViewRecord(
                ccu.name, collection, var.name, (int(spec.count),),
                sparse=sparse and bool(var_dims(var) & ELEMENT))
    _egps(views, plan, ccu.name, ccu.name, "extra_global_params", ccu.model, param_arrays.MODEL)
    _var_init_egps(views, plan, ccu.name, {
        "vars": ccu.var_initialisers, "pre_vars": ccu.pre_var_initialisers,
        "post_vars": ccu.post_var_initialisers})
