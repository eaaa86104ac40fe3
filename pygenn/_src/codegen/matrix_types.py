"""Synapse matrix types beyond DENSE and SPARSE (``SynapseMatrixType``): BITMASK, PROCEDURAL,
DENSE_PROCEDURALG, KERNEL weights (PROCEDURAL_KERNELG, TOEPLITZ) and kernel-indexed SPARSE init.

Everything here is backend-independent: loops are spelled with ``target.element_loop`` (a plain
``for`` on the CPU, a grid-stride loop on CUDA) and updates with the target's atomics, so both
backends call the same generators from small hooks.

Conventions
-----------
* BITMASK: bit ``id_pre * (32 * wordsPerRow) + id_post`` of the uint32 array ``gp``, with
  ``wordsPerRow = ceil(num_post / 32)`` (rows padded to whole words on every backend, so rows never
  share a word) and MSB-first within a word: ``gp[w] & (0x80000000u >> (id_post & 31))``.
* PROCEDURAL: a spike of ``id_pre`` re-runs the row build code with the RNG stream
  ``(seed, stream_id(group, "connectivity"), id_pre, 0)`` -- the stream SPARSE initialisation of
  the same group uses -- so a PROCEDURAL group produces exactly the rows its SPARSE twin (same
  group name, same seed) stores. Weights recomputed from RNG init snippets use the stream of the
  SPARSE variable initialisation with element ``id_pre * max_connections + position in row``, so
  they also equal the twin's stored values. One thread per spike on CUDA
  (``num_threads_per_spike`` is not used to split procedural rows).
* KERNEL weights: ``prod(kernel_size)`` entries per variable, C order of the kernel shape;
  ``addSynapse(id_post, k0, k1, ...)`` sets ``id_kernel = ((k0*s1 + k1)*s2 + k2)*s3 + k3``.
* TOEPLITZ: one iteration (CUDA: one thread) per diagonal ``id_diag``; ``for_each_synapse``
  walks this step's presynaptic spikes.
"""
from __future__ import annotations

import math

from .. import param_arrays
from ..lang import ForEachSynapse
from ..lang import types as T
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight
from .code_strings import parse_code
from .matrix_types_plan import SPECIAL_CONNECTIVITY, bitmask_words_per_row  # noqa: F401
from .matrix_types_plan import has as _is
from .matrix_types_plan import has_special_presynaptic  # noqa: F401  (backends use it here)
from ..contract import stream_id
from .plan import device_initialised
from .stream import CodeStream
from .synapse_update import SynapseUpdateGenerator
from .weight_storage import flat_kernel_index

# warps a CUDA PROCEDURAL group launches (one per spike of a step, up to this many)
PROCEDURAL_MAX_WARPS = 256


def presynaptic_threads(splan, target) -> int:
    """Threads the CUDA presynaptic update of a group wants (grid-stride loops cover more)."""
    sg = splan.group
    if _is(sg.matrix_type, Conn.PROCEDURAL):
        # a warp per spike; the grid-stride loop over spikes covers bursts beyond the cap
        return target.warp_lanes * min(sg.src.num_neurons, PROCEDURAL_MAX_WARPS)
    if _is(sg.matrix_type, Conn.TOEPLITZ):
        return splan.row_stride                    # one thread per diagonal
    if _is(sg.matrix_type, Conn.BITMASK):
        return sg.src.num_neurons * splan.row_stride   # (spike, target) pairs
    from ..model.enums import ParallelismHint
    if sg.parallelism_hint == ParallelismHint.PRESYNAPTIC:
        return sg.src.num_neurons * max(1, int(sg.num_threads_per_spike))
    return splan.row_stride                            # DENSE, SPARSE: one thread per target


# ====================================================================== presynaptic update
def presynaptic(plan, splan, factory, target) -> str:
    """Presynaptic update of a BITMASK, PROCEDURAL or TOEPLITZ group (both backends)."""
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    s = CodeStream()
    for src, body in gen.event_phases("pre"):
        with s.block():
            s.line(f"const uint32_t _numEvents = {src.count}[{src.slot}];")
            event = _event_reader(src)
            if _is(sg.matrix_type, Conn.BITMASK):
                _bitmask_row(s, gen, target, body, event)
            elif _is(sg.matrix_type, Conn.PROCEDURAL):
                _procedural_rows(s, gen, target, body, event)
            else:
                _toeplitz(s, gen, target, body, event)
    return str(s)


def _event_reader(src):
    def event(i: str) -> str:
        index = i if src.offset == "0" else f"{src.offset} + {i}"
        return f"{src.events}[{index}]"
    return event


def _bitmask_row(s, gen, target, body, event):
    sg = gen.sg
    gp = gen.arr(sg.name, "gp", "gp")
    words = gen.f.value("bitmaskWordsPerRow", T.Uint32, bitmask_words_per_row(sg.trg.num_neurons))
    s.line(f"const uint32_t _total = _numEvents * {gen.num_post};")
    with s.block(target.element_loop("_k", "_total")):
        s.line(f"const uint32_t _id_pre = {event(f'(_k / {gen.num_post})')};")
        s.line(f"const uint32_t _id_post = _k % {gen.num_post};")
        with s.block(f"if ({gp}[(_id_pre * {words}) + (_id_post >> 5)] & "
                     f"(0x80000000u >> (_id_post & 31u)))"):
            s.lines(body)


def _kernel_params(n: int) -> str:
    return "".join(f", uint32_t _k{i}" for i in range(n))


def _kernel_index_line(gen) -> str:
    sg = gen.sg
    if not sg.kernel_size:
        return ""
    index = flat_kernel_index(gen.f, sg, [f"_k{i}" for i in range(len(sg.kernel_size))])
    return f"const uint32_t _id_kernel = {index}; (void)_id_kernel;"


def _connectivity_env(gen, snippet, init, code):
    """Environment shared by row build code (init and procedural) of a group."""
    f, sg = gen.f, gen.sg
    env = f.root()
    f.add_time(env, runtime=False)
    if code.uses_rng:
        f.add_rng(env)
    f.add_params(env, snippet, init.params, owner=sg.name, prefix="conn_",
                 arrays=param_arrays.SPARSE_CONNECTIVITY)
    env.add_variable("num_pre", T.Uint32, read_only=True, c_text=gen.num_pre)
    env.add_variable("num_post", T.Uint32, read_only=True, c_text=gen.num_post)
    env.add_variable("id_thread", T.Uint32, read_only=True, c_text="0u")
    env.add_variable("num_threads", T.Uint32, read_only=True, c_text="1u")
    arg_types = [T.Uint32] * (1 + len(sg.kernel_size))
    env.add_function("addSynapse", [(None, arg_types, False)], "_addSynapse($(@))")
    return env


def _procedural_rows(s, gen, target, body, event):
    """Regenerate each spiking neuron's row and run the synapse code on it.

    Where the target has warp lanes (CUDA), a warp takes each spike: every lane runs the row
    build code, identically (the same inputs and RNG stream), so its control flow stays
    uniform; lane ``k % 32`` keeps the ``k``-th synapse, and every 32 synapses (and at the end
    of the row) all lanes run the synapse code at once. Rows stay exactly the SPARSE twin's,
    while the costly part (procedural weights, delays, atomics) runs 32 wide.
    """
    sg = gen.sg
    init = sg.sparse_connectivity_initialiser
    snippet = init.snippet
    code = parse_code(snippet.get_row_build_code(),
                      f"Synapse group '{sg.name}' sparse connectivity row build code",
                      "row_build_code", sg.name)
    env = _connectivity_env(gen, snippet, init, code)
    env.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
    env.add_variable("id_post_begin", T.Uint32, read_only=True, c_text="0u")
    text = code.print(env, target.dialect)
    stream = gen.f.value("conn_rngStream", T.Uint32, stream_id(sg.name, "connectivity"))
    num_kernel = len(sg.kernel_size)
    kernel_args = _kernel_params(num_kernel)
    lanes = target.warp_lanes
    if lanes > 1:
        loop = (f"for (uint32_t _e = _lid / {lanes}u; _e < _numEvents; "
                f"_e += _numThreads / {lanes}u)")
    else:
        loop = target.element_loop("_e", "_numEvents")
    with s.block(loop):
        s.line(f"const uint32_t _id_pre = {event('_e')};")
        if code.uses_rng:
            s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, _id_pre, 0);")
        s.line("uint32_t _rowPos = 0;")
        # the synapse at row position _pos: its index among the row's synapses is the RNG
        # element of PROCEDURAL weights (and the SPARSE twin's position)
        s.line(f"auto _synapse = [&](uint32_t _id_post, uint32_t _pos{kernel_args}) {{")
        with s.indented():
            s.lines(_kernel_index_line(gen))
            s.line(f"const uint32_t _proc_syn = (_id_pre * {gen.row_stride}) + _pos; "
                   f"(void)_proc_syn;")
            s.lines(body)
        s.line("};")
        kernel_names = "".join(f", _k{i}" for i in range(num_kernel))
        if lanes == 1:
            s.line(f"auto _addSynapse = [&](uint32_t _id_post{kernel_args}) {{ "
                   f"_synapse(_id_post, _rowPos++{kernel_names}); }};")
            s.user_code("procedural connectivity row build code", text)
            return
        s.line(f"const uint32_t _lane = _lid % {lanes}u;")
        kept = "".join(f", _keptK{i} = 0" for i in range(num_kernel))
        s.line(f"uint32_t _keptPost = 0{kept};")
        kept_names = "".join(f", _keptK{i}" for i in range(num_kernel))
        s.line(f"auto _addSynapse = [&](uint32_t _id_post{kernel_args}) {{")
        with s.indented():
            keep = "".join(f" _keptK{i} = _k{i};" for i in range(num_kernel))
            s.line(f"if ((_rowPos % {lanes}u) == _lane) {{ _keptPost = _id_post;{keep} }}")
            s.line("_rowPos++;")
            s.line(f"if ((_rowPos % {lanes}u) == 0u) {{ "
                   f"_synapse(_keptPost, _rowPos - {lanes}u + _lane{kept_names}); }}")
        s.line("};")
        s.user_code("procedural connectivity row build code", text)
        s.line(f"if (_lane < (_rowPos % {lanes}u)) {{ "
               f"_synapse(_keptPost, _rowPos - (_rowPos % {lanes}u) + _lane{kept_names}); }}")


def _toeplitz(s, gen, target, body, event):
    sg = gen.sg
    init = sg.toeplitz_connectivity_initialiser
    snippet = init.snippet
    code = parse_code(snippet.get_diagonal_build_code(),
                      f"Synapse group '{sg.name}' toeplitz connectivity diagonal build code",
                      "diagonal_build_code", sg.name)
    f = gen.f
    env = f.root()
    f.add_time(env, runtime=False)
    f.add_params(env, snippet, init.params, owner=sg.name, prefix="conn_",
                 arrays=param_arrays.TOEPLITZ_CONNECTIVITY)
    env.add_variable("num_pre", T.Uint32, read_only=True, c_text=gen.num_pre)
    env.add_variable("num_post", T.Uint32, read_only=True, c_text=gen.num_post)
    env.add_variable("id_diag", T.Uint32, read_only=True, c_text="_id_diag")
    num_kernel = len(sg.kernel_size)
    kernel_line = _kernel_index_line(gen)

    def make_environment(outer):
        inner = outer.child()
        inner.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
        inner.add_function("addSynapse", [(None, [T.Uint32] * (1 + num_kernel), False)],
                           "_addSynapse($(@))")
        return inner

    def render(loop_body: str) -> str:
        inner = CodeStream()
        with inner.block("for (uint32_t _e = 0; _e < _numEvents; _e++)"):
            inner.line(f"const uint32_t _id_pre = {event('_e')};")
            inner.line(f"auto _addSynapse = [&](uint32_t _id_post{_kernel_params(num_kernel)}) {{")
            with inner.indented():
                inner.lines(kernel_line)
                inner.lines(body)
            inner.line("};")
            inner.lines(loop_body)
        return str(inner).rstrip("\n")

    env.for_each_synapse = ForEachSynapse(make_environment, render)
    text = code.print(env, target.dialect)
    num_diag = f.value("numDiagonals", T.Uint32, gen.splan.row_stride)
    with s.block(target.element_loop("_id_diag", num_diag)):
        s.user_code("toeplitz diagonal build code", text)


# ====================================================================== initialisation
def bitmask_connectivity(init_gen, s, splan) -> None:
    """Connectivity init of a BITMASK group: the build code sets bits of ``gp``."""
    sg = splan.group
    if not _is(sg.matrix_type, Conn.BITMASK):
        return
    f, target = init_gen.f, init_gen.target
    init = sg.sparse_connectivity_initialiser
    snippet = init.snippet
    row_code = parse_code(snippet.get_row_build_code(),
                          f"Synapse group '{sg.name}' sparse connectivity row build code",
                          "row_build_code", sg.name)
    col_code = parse_code(snippet.get_col_build_code(),
                          f"Synapse group '{sg.name}' sparse connectivity col build code",
                          "col_build_code", sg.name)
    code = row_code if row_code is not None else col_code
    if code is None:
        return
    by_row = row_code is not None

    class _Sizes:       # what _connectivity_env needs of a synapse generator
        pass
    gen = _Sizes()
    gen.f, gen.sg = f, sg
    gen.num_pre = f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons)
    gen.num_post = f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons)
    env = _connectivity_env(gen, snippet, init, code)
    index = "_id_pre" if by_row else "_id_post"
    if by_row:
        env.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
        env.add_variable("id_post_begin", T.Uint32, read_only=True, c_text="0u")
    else:
        env.add_variable("id_post", T.Uint32, read_only=True, c_text="_id_post")
        env.add_variable("id_pre_begin", T.Uint32, read_only=True, c_text="0u")
    text = code.print(env, target.dialect)
    gp = f.array("gp", T.Uint32, sg.name, "gp")
    words = f.value("bitmaskWordsPerRow", T.Uint32, bitmask_words_per_row(sg.trg.num_neurons))
    stream = f.value("conn_rngStream", T.Uint32, stream_id(sg.name, "connectivity"))
    with s.block(target.element_loop(index, gen.num_pre if by_row else gen.num_post)):
        if code.uses_rng:
            s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, {index}, 0);")
        s.line("auto _addSynapse = [&](uint32_t _target) {")
        with s.indented():
            row, col = ("_id_pre", "_target") if by_row else ("_target", "_id_post")
            s.line(target.atomic_or(f"{gp}[({row} * {words}) + ({col} >> 5)]",
                                    f"(0x80000000u >> ({col} & 31u))"))
        s.line("};")
        s.user_code("bitmask connectivity build code", text)


def kernel_vars(init_gen, s, splan) -> None:
    """Init code of KERNEL-weight variables: one element per kernel entry, ``id_kernel``."""
    sg = splan.group
    if not _is(sg.matrix_type, Weight.KERNEL):
        return
    f = init_gen.f
    wu = sg.wu_initialiser.snippet
    kernel = math.prod(sg.kernel_size)
    for var in wu.get_vars():
        init = sg.wu_var_initialisers.get(var.name)
        if not device_initialised(init):
            continue
        spec = init_gen.plan.arrays[(sg.name, var.name)]
        field = f"init_{var.name}"
        array = f.array(field, spec.numeric_type, sg.name, var.name)
        count = f.value("kernelCount", T.Uint32, kernel)
        copies = spec.count // max(kernel, 1)

        def extra(env):
            env.add_variable("id_kernel", T.Uint32, read_only=True, c_text="_id_kernel")

        with s.block(init_gen.target.element_loop("_id_kernel", count)):
            s.line("const uint32_t _id = _id_kernel;")
            init_gen._value_code(s, init, spec.numeric_type, sg.name, var.name, f"{field}_",
                                 extra, f"Variable '{var.name}' of synapse group '{sg.name}' "
                                        f"init code")
            init_gen.store_in_every_copy(s, array, "_id_kernel", copies, count)


def sparse_kernel_store(init_gen, sg, row: str, stride: str) -> str:
    """C statement recording the kernel index of the synapse just added (SPARSE + kernel)."""
    if (sg.name, "kernelInd") not in init_gen.plan.arrays:
        return ""
    ind = init_gen.f.array("kernelInd", T.Uint32, sg.name, "kernelInd")
    index = flat_kernel_index(init_gen.f, sg, [f"_k{i}" for i in range(len(sg.kernel_size))])
    return f"{ind}[{row} * {stride} + _pos] = {index};"


def sparse_kernel_params(sg) -> str:
    return _kernel_params(len(sg.kernel_size))


def sparse_var_id_kernel(init_gen, sg, env) -> None:
    """``id_kernel`` in the var init code of a SPARSE group built with kernel indices."""
    if (sg.name, "kernelInd") in init_gen.plan.arrays:
        ind = init_gen.f.array("kernelInd", T.Uint32, sg.name, "kernelInd")
        env.add_variable("id_kernel", T.Uint32, read_only=True, c_text=f"{ind}[_id_syn]")
