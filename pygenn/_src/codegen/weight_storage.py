"""What synaptic code sees of the matrix types beyond DENSE and SPARSE: ``id_kernel``, and
the weights that are not stored per synapse (KERNEL weights indexed by ``id_kernel``,
PROCEDURAL weights computed from their init snippets before the synapse code runs).

Used by the synapse update generator and, for the kernel index, by ``matrix_types.py``.
"""
from __future__ import annotations

from .. import param_arrays
from ..lang import types as T
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight
from ..model.enums import VarAccessMode, access_mode_of
from .code_strings import parse_code
from .matrix_types_plan import has as _is
from ..contract import stream_id
from .stream import CodeStream


def kernel_size_fields(f, sg) -> list:
    return [f.value(f"kernelSize{i}", T.Uint32, k) for i, k in enumerate(sg.kernel_size)]


def flat_kernel_index(f, sg, args: list) -> str:
    """C expression of the flat (C-order) kernel index of kernel indices ``args``."""
    sizes = kernel_size_fields(f, sg)
    text = f"(uint32_t)({args[0]})"
    for size, arg in zip(sizes[1:], args[1:]):
        text = f"(({text} * {size}) + (uint32_t)({arg}))"
    return text


def add_synaptic_names(gen, env) -> None:
    """``id_kernel`` for groups whose synaptic code runs with a kernel index."""
    sg = gen.sg
    if sg.kernel_size and (_is(sg.matrix_type, Conn.PROCEDURAL)
                           or _is(sg.matrix_type, Conn.TOEPLITZ)):
        env.add_variable("id_kernel", T.Uint32, read_only=True, c_text="_id_kernel")


def weight_var(gen, env, var):
    """(c_text, read_only) of per-synapse variable ``var`` when it is not stored per synapse.

    None for INDIVIDUAL weights (the caller's ``array[_id_syn]``).
    """
    sg = gen.sg
    conn = sg.matrix_type
    if _is(conn, Weight.PROCEDURAL):
        return f"_pv_{var.name}", True
    if _is(conn, Weight.KERNEL):
        cell = f"{gen.arr(sg.name, var.name, var.name)}[_id_kernel]"
        if access_mode_of(var.access) != VarAccessMode.READ_ONLY:
            env.add_function(f"atomic_add_{var.name}", [(None, [gen.f.var_type(var)], False)],
                             gen.target.add_to(cell, "$(0)"))
        return cell, True
    return None


def procedural_prelude(gen) -> str:
    """C code computing ``_pv_<var>`` from the init snippets of PROCEDURAL weights."""
    sg = gen.sg
    if not _is(sg.matrix_type, Weight.PROCEDURAL):
        return ""
    f = gen.f
    wu = sg.wu_initialiser.snippet
    procedural_conn = _is(sg.matrix_type, Conn.PROCEDURAL)
    element = "_proc_syn" if procedural_conn else "_id_syn"
    s = CodeStream()
    for var in wu.get_vars():
        init = sg.wu_var_initialisers[var.name]
        vtype = f.var_type(var)
        prefix = f"pw_{var.name}_"
        code = parse_code(init.snippet.get_code(),
                          f"Variable '{var.name}' of synapse group '{sg.name}' init code",
                          "var_init_code", sg.name)
        env = f.root()
        f.add_time(env, runtime=False)
        if code is not None and code.uses_rng:
            f.add_rng(env)
        f.add_params(env, init.snippet, init.params, owner=sg.name, prefix=prefix,
                     arrays=param_arrays.var_init(var.name))
        env.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
        env.add_variable("id_post", T.Uint32, read_only=True, c_text="_id_post")
        if not procedural_conn:
            env.add_variable("id_syn", T.Uint32, read_only=True, c_text="_id_syn")
        if sg.kernel_size:
            env.add_variable("id_kernel", T.Uint32, read_only=True, c_text="_id_kernel")
        env.add_variable("num_pre", T.Uint32, read_only=True, c_text=gen.num_pre)
        env.add_variable("num_post", T.Uint32, read_only=True, c_text=gen.num_post)
        env.add_variable("value", vtype, c_text=f"_pv_{var.name}")
        s.line(f"{vtype.c_name} _pv_{var.name};")
        if code is None:
            continue
        with s.block():
            if code.uses_rng:
                stream = f.value(f"{prefix}rngStream", T.Uint32,
                                 stream_id(sg.name, "init", var.name))
                s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, {element}, 0);")
            s.user_code(f"procedural variable '{var.name}' init snippet",
                        code.print(env, gen.target.dialect))
    return str(s)
