"""The plan's side of the synapse matrix types beyond DENSE and SPARSE: which groups have a
special presynaptic update, what is refused at build, and the arrays they need.

``matrix_types.py`` generates their code (and documents the layouts).
"""
from __future__ import annotations

import math

from ..lang import types as T
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight

SPECIAL_CONNECTIVITY = (Conn.BITMASK, Conn.PROCEDURAL, Conn.TOEPLITZ)


def has(matrix_type, flag) -> bool:
    """Whether ``matrix_type`` includes ``flag`` (a connectivity or weight flag)."""
    return bool(matrix_type & flag)


def has_special_presynaptic(sg) -> bool:
    """True for groups whose presynaptic update ``matrix_types.py`` generates."""
    return any(has(sg.matrix_type, c) for c in SPECIAL_CONNECTIVITY)


def bitmask_words_per_row(num_post: int) -> int:
    """32-bit words of one BITMASK row (rows are padded to whole words)."""
    return max(1, math.ceil(num_post / 32))


def register_matrix_arrays(plan, splan) -> None:
    """Row strides and the extra arrays of BITMASK, PROCEDURAL, TOEPLITZ and kernel-indexed
    SPARSE groups."""
    sg = splan.group
    conn = sg.matrix_type
    if has(conn, Conn.PROCEDURAL) or has(conn, Conn.TOEPLITZ):
        # PROCEDURAL: max row length (weights' RNG element); TOEPLITZ: number of diagonals
        splan.row_stride = max(1, int(sg.max_connections))
    if (has(conn, Conn.SPARSE) and has(conn, Weight.INDIVIDUAL) and sg.kernel_size
            and splan.connectivity_snippet is not None):
        # kernel index of each synapse, given to addSynapse at build, read by var init
        plan.add_array(sg.name, "kernelInd", T.Uint32, sg.src.num_neurons * splan.row_stride,
                       location=sg.sparse_connectivity_location)


def check_supported(plan) -> None:
    """Refuse, at build, every combination this implementation does not generate."""
    for splan in plan.synapses.values():
        sg = splan.group
        conn = sg.matrix_type
        name = f"Synapse group '{sg.name}'"
        kind = conn.name
        if not has_special_presynaptic(sg):
            continue
        wu = sg.wu_initialiser.snippet
        for role in ("synapse_dynamics_code", "post_spike_syn_code", "post_event_syn_code"):
            if role in splan.codes:
                raise NotImplementedError(
                    f"{name}: {kind} connectivity does not support {role} (the weight update "
                    f"model '{getattr(wu, 'name', '')}' has it); use DENSE or SPARSE")
        if has(conn, Conn.BITMASK):
            if list(wu.get_vars()):
                raise NotImplementedError(
                    f"{name}: BITMASK connectivity stores no per-synapse variables, but the "
                    f"weight update model has {[v.name for v in wu.get_vars()]}; use a "
                    f"constant-weight model (e.g. StaticPulseConstantWeight) or SPARSE")
            init = sg.sparse_connectivity_initialiser
            snippet = getattr(init, "snippet", None)
            if snippet is None or not ((snippet.get_row_build_code() or "").strip()
                                       or (snippet.get_col_build_code() or "").strip()):
                raise NotImplementedError(
                    f"{name}: BITMASK connectivity can only be initialised from a sparse "
                    f"connectivity snippet with row or column build code; use SPARSE with "
                    f"set_sparse_connections for explicit connectivity")
        if has(conn, Conn.TOEPLITZ):
            snippet = sg.toeplitz_connectivity_initialiser.snippet
            if list(snippet.get_extra_global_params()):
                raise NotImplementedError(
                    f"{name}: Toeplitz connectivity snippets with extra global parameters are "
                    f"not supported; pass the values as parameters instead")
