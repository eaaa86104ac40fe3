"""The plan's side of custom connectivity updates (CCUs): parsed code and arrays.

``plan_custom_connectivity_updates`` parses the row and host update code of every CCU and
registers its arrays (owner = the CCU's name): per-synapse ``vars`` (laid out like the synapse
group's ``ind``), ``pre_vars``/``post_vars``, dynamic parameters and EGPs. Column structures of a
changed group may grow, so their stride becomes the source size. ``custom_connectivity.py``
generates the code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import param_arrays
from ..model.enums import SynapseMatrixWeight as Weight
from ..model.enums import VarAccessDim, get_var_access_dim
from .code_strings import parse_code

ELEMENT = int(VarAccessDim.ELEMENT)
BATCH = int(VarAccessDim.BATCH)


@dataclass
class CcuPlan:
    """One custom connectivity update's parsed code (``row``, ``host``: ParsedCode or None)."""

    group: object
    row: object = None           # ParsedCode | None
    host: object = None          # ParsedCode | None
    copy_targets: list = field(default_factory=list)   # [(owner, array, is_egp)] for push/pull

    @property
    def name(self):
        return self.group.name


def _var_dims(var) -> int:
    return int(get_var_access_dim(var.access)) & ~BATCH     # CCU variables are never batched


def plan_custom_connectivity_updates(plan) -> dict:
    """Parse every CCU of ``plan.model`` and register its arrays; ``{name: CcuPlan}``."""
    result = {}
    ctx = plan.type_context
    for ccu in plan.model.custom_connectivity_updates.values():
        sg = ccu.synapse_group
        splan = plan.synapses[sg.name]
        desc = f"Custom connectivity update '{ccu.name}'"
        row = parse_code(ccu.model.get_row_update_code(), f"{desc} row update code",
                         "row_update_code", ccu.name)
        host = parse_code(ccu.model.get_host_update_code(), f"{desc} host update code",
                          "host_update_code", ccu.name)
        per_synapse = sg.src.num_neurons * splan.row_stride
        for getter, count, location in (
                ("get_vars", per_synapse, ccu.get_var_location),
                ("get_pre_vars", sg.src.num_neurons, ccu.get_pre_var_location),
                ("get_post_vars", sg.trg.num_neurons, ccu.get_post_var_location)):
            for var in getattr(ccu.model, getter)():
                n = count if _var_dims(var) & ELEMENT else 1
                plan.add_array(ccu.name, var.name, var.type.resolve(ctx), n,
                               location=location(var.name))
        plan._register_params_and_egps(ccu.name, ccu.model, ccu.dynamic_params, ccu.params,
                                       param_arrays.MODEL)
        for inits in (ccu.var_initialisers, ccu.pre_var_initialisers, ccu.post_var_initialisers):
            plan._register_init_egps(ccu.name, inits)
        if (sg.name, "remap") in plan.arrays and splan.col_stride < sg.src.num_neurons:
            # added synapses can make any column as long as the source population
            splan.col_stride = sg.src.num_neurons
            spec = plan.arrays[(sg.name, "remap")]
            plan.add_array(sg.name, "remap", spec.numeric_type,
                           sg.trg.num_neurons * splan.col_stride, location=spec.location,
                           resize=True)
        result[ccu.name] = CcuPlan(ccu, row, host)
    return result


def dependent_arrays(plan, sg) -> list:
    """Every per-synapse array laid out like ``sg``'s rows: (owner, array, batches)."""
    per_batch = sg.src.num_neurons * plan.synapses[sg.name].row_stride
    keys = []
    if sg.matrix_type & Weight.INDIVIDUAL:
        keys += [(sg.name, v.name) for v in sg.wu_initialiser.snippet.get_vars()]
    for cu in plan.model.custom_updates.values():
        if getattr(cu, "synapse_group", None) is sg:
            keys += [(cu.name, v.name) for v in cu.model.get_vars()]
    for ccu in plan.model.custom_connectivity_updates.values():
        if ccu.synapse_group is sg:
            keys += [(ccu.name, v.name) for v in ccu.model.get_vars()]
    result = []
    for key in keys:
        spec = plan.arrays.get(key)
        if spec is None or per_batch == 0 or spec.count < per_batch:
            continue
        result.append((key[0], key[1], spec.count // per_batch))
    return result
