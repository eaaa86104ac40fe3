"""Batching: which arrays hold one copy per batch, and loops over the batch.

With ``batch_size`` B > 1 every array with a batch dimension stores its B copies one after the
other (batch-major: ``[batch][slot][element]``), so generated code of the per-step phases reaches
batch ``_batch`` of such an array through the pointer ``array + _batch * <elements per batch>``
(``EnvFactory.array`` with ``batch_offsets`` on). Arrays without the batch dimension (READ_ONLY
variables, connectivity, EGPs, dynamic parameters, delay pointers) are shared and never offset.
Recording buffers are laid out ``[row][batch][word]`` and are indexed explicitly by the neuron
update. Initialisation and custom updates handle the batch themselves (``copies`` loops in
``init.py``; ``custom_update.py``).

Backends run the batched phases once per batch: the CPU backend wraps them in a loop over
``_batch`` (``batch_loop``), the CUDA backend launches their kernels with ``gridDim.z`` = B.
"""
from __future__ import annotations

from ..model.enums import VarAccessDim, get_var_access_dim

# merged-group kinds whose generated code runs once per batch with `_batch` defined outside
BATCHED_KINDS = frozenset({"NeuronPrologueParallel", "NeuronRecordingClear", "NeuronUpdate",
                           "PresynapticUpdate",
                           "PostsynapticUpdate", "SynapseDynamics"})


def batch_strides(plan) -> dict:
    """(owner, array name) -> elements per batch, for every array stored once per batch.

    Empty when ``batch_size`` is 1 (generated code is then exactly the unbatched code).
    """
    cached = getattr(plan, "_batch_strides", None)
    if cached is not None and cached[0] == len(plan.arrays):
        return cached[1]
    strides: dict = {}
    batch_size = plan.batch_size
    if batch_size > 1:
        def add(owner, name):
            spec = plan.arrays.get((owner, name))
            if spec is not None and spec.count and not spec.egp:
                strides[(owner, name)] = spec.count // batch_size

        def add_var(owner, name, var):
            if int(get_var_access_dim(var.access)) & int(VarAccessDim.BATCH):
                add(owner, name)

        for nplan in plan.neurons.values():
            ng = nplan.group
            for var in ng.model.get_vars():
                add_var(ng.name, var.name, var)
            for name in ("spkCnt", "spkCntNext", "spk", "sT", "prevST"):
                add(ng.name, name)
        for cs in plan.current_sources.values():
            for var in cs.model.get_vars():
                add_var(cs.name, var.name, var)
        for splan in plan.synapses.values():
            sg = splan.group
            wu, ps = sg.wu_initialiser.snippet, sg.ps_initialiser.snippet
            for name in ("outPost", "outPre", "denDelay"):
                add(sg.name, name)
            for side in ("pre", "post"):
                for name in ("SpkCntEvent", "SpkCntEventNext", "SpkEvent", "SET", "PrevSET"):
                    add(sg.name, f"{side}{name}")
            for var in list(wu.get_vars()) + list(wu.get_pre_vars()) + list(wu.get_post_vars()):
                add_var(sg.name, var.name, var)
            for var in ps.get_vars():
                add_var(sg.name, f"ps_{var.name}", var)
    plan._batch_strides = (len(plan.arrays), strides)
    return strides


def batch_loop(plan, code: str) -> str:
    """``code`` run once per batch (CPU): unchanged when ``batch_size`` is 1."""
    if plan.batch_size <= 1 or not code.strip():
        return code
    body = "".join(f"    {line}\n" if line.strip() else "\n" for line in code.splitlines())
    return (f"for (uint32_t _batch = 0; _batch < {plan.batch_size}u; _batch++) {{\n"
            f"{body}}}\n")


def recording_row(plan) -> str:
    """Row of this step's and batch's recording words (layout ``[row][batch][word]``)."""
    if plan.batch_size <= 1:
        return "_recordingRow"
    return f"(_recordingRow * {plan.batch_size}u + _batch)"
