"""Custom updates, the planning half: which arrays they own and where
their references point.

``plan_custom_updates`` parses every custom update's ``update_code`` and registers its variables,
dynamic parameters and EGPs as arrays of the plan (owner = the custom update's name).
``resolve_ref`` turns a variable reference into the array, shape, delay slots and slot pointer
that generated code indexes (used by custom updates and custom connectivity updates alike).
Code generation is in ``custom_update.py``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import param_arrays
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight
from ..model.enums import VarAccessDim, get_var_access_dim
from ..model.refs import WUVarReference
from .code_strings import parse_code

ELEMENT = int(VarAccessDim.ELEMENT)
BATCH = int(VarAccessDim.BATCH)


# ============================================================================== planning
@dataclass
class CustomUpdatePlan:
    group: object
    code: object = None          # ParsedCode | None
    is_wu: bool = False

    @property
    def name(self):
        return self.group.name


def cu_var_dims(cu, var) -> int:
    """Dimensions of a custom update's own variable (the update's dims minus the access's)."""
    return int(get_var_access_dim(var.access, cu.dims))


def synapse_elements(plan, sg) -> int:
    """Elements of one per-synapse variable of ``sg`` (per batch)."""
    if sg.matrix_type & Weight.KERNEL:
        return math.prod(sg.kernel_size)
    return sg.src.num_neurons * plan.synapses[sg.name].row_stride


def update_elements(plan, cu, is_wu: bool) -> int:
    """Elements one launch iterates over (1 when no reference has the element dimension)."""
    if not int(cu.dims) & ELEMENT:
        return 1
    return synapse_elements(plan, cu.synapse_group) if is_wu else cu.num_neurons


def plan_custom_updates(plan) -> dict:
    """Parse every custom update and register its arrays; returns name -> CustomUpdatePlan."""
    from ..model.groups import CustomUpdateWU
    result = {}
    ctx = plan.type_context
    for cu in plan.model.custom_updates.values():
        is_wu = isinstance(cu, CustomUpdateWU)
        _check_supported(plan, cu, is_wu)
        code = parse_code(cu.model.get_update_code(), f"Custom update '{cu.name}' update code",
                          "update_code", cu.name)
        elements = synapse_elements(plan, cu.synapse_group) if is_wu else cu.num_neurons
        for var in cu.model.get_vars():
            dims = cu_var_dims(cu, var)
            count = ((plan.batch_size if dims & BATCH else 1)
                     * (elements if dims & ELEMENT else 1))
            plan.add_array(cu.name, var.name, var.type.resolve(ctx), count,
                           location=cu.get_var_location(var.name))
        plan._register_params_and_egps(cu.name, cu.model, cu.dynamic_params, cu.params,
                                       param_arrays.MODEL)
        plan._register_init_egps(cu.name, cu.var_initialisers)
        _ensure_spike_time_arrays(plan, cu)
        result[cu.name] = CustomUpdatePlan(cu, code, is_wu)
    return result


def _check_supported(plan, cu, is_wu: bool):
    # references into custom connectivity updates resolve like any other (resolve_ref)
    if is_wu:
        sg = cu.synapse_group
        conn = sg.matrix_type
        if not (conn & Weight.KERNEL or (conn & Weight.INDIVIDUAL
                                         and (conn & Conn.DENSE or conn & Conn.SPARSE))):
            raise NotImplementedError(
                f"Custom update '{cu.name}': per-synapse custom updates support DENSE, SPARSE "
                f"and KERNEL weights; synapse group '{sg.name}' is {conn.name}")


def _ensure_spike_time_arrays(plan, cu):
    """Spike times referenced only by a custom update still have to be recorded."""
    for ref in cu.var_refs.values():
        if ref.kind not in ("spike_time", "prev_spike_time"):
            continue
        ng = ref.group
        nplan = plan.neurons[ng.name]
        array = "sT" if ref.kind == "spike_time" else "prevST"
        if (ng.name, array) in plan.arrays:
            continue
        queue = nplan.num_delay_slots if nplan.spike_queue else 1
        location = ng.spike_time_location if array == "sT" else ng.prev_spike_time_location
        if array == "sT":
            nplan.needs_st = True
        else:
            nplan.needs_prev_st = True
        plan.add_array(ng.name, array, plan.time_precision,
                       queue * ng.num_neurons * plan.batch_size, location=location,
                       fill=plan.time_precision.lowest)


# ============================================================================== references
@dataclass
class Target:
    """Where a reference points: array key, elements per slot, slots and the slot pointer."""

    owner: str
    array: str
    dims: int
    elements: int
    slots: int = 1
    pointer: tuple | None = None     # (owner, array) of the slot pointer when slots > 1


def resolve_ref(plan, ref) -> Target:
    dims = int(ref.dims)
    group = ref.group
    if isinstance(ref, WUVarReference):
        elements = synapse_elements(plan, ref.synapse_group) if dims & ELEMENT else 1
        return Target(group.name, ref.var_name, dims, elements)
    kind, var = ref.kind, ref.var_name
    delay_group = None
    if kind == "neuron":
        owner, array, delay_group = group.name, var, group.name
    elif kind in ("current_source", "custom_update", "ccu_pre", "ccu_post"):
        owner, array = group.name, var
    elif kind == "psm":
        # queued PSM vars follow the target group's delay slots (slots > 1 below)
        owner, array, delay_group = plan.psm_owner_of(group), f"ps_{var}", group.trg.name
    elif kind == "wu_pre":
        owner, array, delay_group = plan.wu_owner_of("pre", group), var, group.src.name
    elif kind == "wu_post":
        owner, array, delay_group = plan.wu_owner_of("post", group), var, group.trg.name
    elif kind == "out_post":
        owner, array = plan.psm_owner_of(group), "outPost"
    elif kind == "den_delay":
        owner, array = plan.psm_owner_of(group), "denDelay"
    elif kind in ("spike_time", "prev_spike_time"):
        owner, array = group.name, "sT" if kind == "spike_time" else "prevST"
        delay_group = group.name
    elif kind == "src_spike_count":
        owner, array, delay_group = group.src.name, "spkCnt", group.src.name
    else:
        raise NotImplementedError(f"references of kind '{kind}' are not supported by custom "
                                  f"updates yet")
    spec = plan.arrays.get((owner, array))
    if spec is None:
        raise RuntimeError(f"internal error: {ref!r} points to array '{array}' of '{owner}', "
                           f"which this model does not allocate")
    elements = ref.size if dims & ELEMENT else 1
    batches = plan.batch_size if dims & BATCH else 1
    slots = max(1, spec.count // max(1, elements * batches))
    pointer = None
    if slots > 1:
        pointer = (owner, "denDelayPtr") if kind == "den_delay" else (delay_group,
                                                                           "spkQuePtr")
    return Target(owner, array, dims, elements, slots, pointer)


def resolve_egp_ref(ref) -> tuple:
    arrays = param_arrays.POSTSYNAPTIC if ref.kind == "psm" else param_arrays.MODEL
    return ref.group.name, arrays.egp(ref.egp_name)


# ============================================================================== generator
