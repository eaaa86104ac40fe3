"""Attaching custom update variables and EGPs to their runtime arrays at load."""
from __future__ import annotations

from ..model.enums import SynapseMatrixConnectivity as Conn
from .. import param_arrays


def attach_custom_update(runtime, cu, copy_init_values, load_egp) -> None:
    from ..codegen.custom_update_plan import BATCH, ELEMENT, cu_var_dims, synapse_elements

    plan = runtime.plan
    cuplan = plan.custom_updates[cu.name]
    sparse = cuplan.is_wu and bool(cu.synapse_group.matrix_type & Conn.SPARSE)
    elements = (synapse_elements(plan, cu.synapse_group) if cuplan.is_wu
                else cu.num_neurons)
    for var in cu.model.get_vars():
        wrapper = cu.vars.get(var.name)
        if wrapper is None or (cu.name, var.name) not in runtime.arrays:
            continue
        array = runtime.arrays[(cu.name, var.name)]
        dims = cu_var_dims(cu, var)
        batch = plan.batch_size if dims & BATCH else 1
        element = elements if dims & ELEMENT else 1
        shape = ((batch,) if batch > 1 else ()) + (element,)
        wrapper.set_array(array, view_shape=shape)
        copy_init_values(wrapper, array, sparse=sparse and bool(dims & ELEMENT))
    for egp_name, egp in cu.extra_global_params.items():
        load_egp(runtime, cu.name, param_arrays.MODEL.egp(egp_name), egp)
