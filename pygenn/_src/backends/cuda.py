"""The CUDA backend's code generator: the same plan as the CPU backend, rendered as kernels.

Every phase of a step is one kernel per merged group. ``blockIdx.y`` selects the population of
the merged group and a grid-stride loop over ``blockIdx.x``/``threadIdx.x`` covers its elements,
so populations of different sizes share a kernel. Everything that changes from step to step (the
timestep, delay pointers, spike counts) lives in device memory, which lets one step's launches be
captured once as a CUDA graph and replayed, so ``step_time()`` costs one graph launch
(design/README.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..codegen import matrix_types
from ..codegen.batching import BATCHED_KINDS
from ..codegen.dialect import GeneratedCodeDialect
from ..codegen.environments import EnvFactory
from ..codegen.fields import GroupFields
from ..codegen.manifest import build_manifest
from ..codegen.merge import generate_merged
from ..codegen.neuron_update import NeuronUpdateGenerator
from ..codegen.rng import rng_source
from ..codegen.stream import CodeStream
from ..codegen.target import Target
from ..codegen.synapse_update import SynapseUpdateGenerator, advance_dendritic_ring
from ..lang import types as T
from ..model.enums import ParallelismHint
from ..model.enums import SynapseMatrixConnectivity as Conn
from .cpu import (_check_postsynaptic_supported, _CurrentSourceItem, _init_code,
                  _init_columns_code, _init_sparse_code)

BLOCK_SIZE = 128


class CudaTarget(Target):
    """Spellings of operations that need atomics when many threads run them at once."""

    dialect = GeneratedCodeDialect()
    concurrent_elements = True
    # the neuron update stages its counts; the StepEnd kernel publishes them
    staged_spike_counts = True
    # spike and event recording: a warp's 32 bits gathered with __ballot_sync, one store
    warp_recording = True
    # a warp runs each PROCEDURAL row (codegen/matrix_types.py)
    warp_lanes = 32

    @staticmethod
    def append_to_list(count: str, slot: str, events: str, offset: str, value: str,
                       flags=None) -> str:
        position = f"atomicAdd(&{count}[{slot}], 1u)"
        index = position if offset == "0" else f"{offset} + {position}"
        return f"{events}[{index}] = {value};"

    @staticmethod
    def atomic_or(location: str, bits: str) -> str:
        return f"atomicOr(&{location}, {bits});"

    @staticmethod
    def add_to(location: str, value: str) -> str:
        return f"atomicAdd(&{location}, ({value}))"

    @staticmethod
    def fetch_add(location: str, value: str) -> str:
        return f"atomicAdd(&{location}, {value})"

    @staticmethod
    def element_loop(index: str, count: str) -> str:
        return (f"for (uint32_t {index} = _lid; {index} < {count}; "
                f"{index} += _numThreads)")


@dataclass
class Kernel:
    """One generated kernel over a merged group's members.

    Its blocks are packed: member i owns the blocks ``[start[i], start[i + 1])`` of the x
    dimension (the ``<name>_blockStart`` table, which the runtime fills for the GPU's size),
    so a small population costs no idle blocks. One-thread kernels use ``blockIdx.y``."""

    name: str
    phase: str
    merged: object
    max_elements: int            # threads wanted for the largest member
    single_thread: bool = False
    batches: int = 1             # grid z size: runs once per batch with `_batch` = blockIdx.z
    wave: str = ""               # consecutive kernels of one wave run as parallel branches
    member_elements: list = None  # threads wanted per member (default: max_elements each)

    def elements_of_members(self) -> list:
        return self.member_elements or [self.max_elements] * len(self.merged.members)


class StepEndKernel:
    """The last kernel of every step: it publishes the spike and event counts that the neuron
    update staged, advances every queue and ring pointer, then the device timestep. Nothing
    else runs then, so none of its threads reads the timestep.

    Batch size 1: thread i runs the one-thread work of the i-th member of ``parts`` and the
    thread after them advances the timestep. Batch size B > 1: block i belongs to the i-th
    population (``batched``); its threads publish one batch's counts each, and once every
    thread of the block has read the population's queue pointer (``__syncthreads``) thread 0
    advances it. No other block reads or writes that pointer, so there is no race between
    blocks. The last block advances the dendritic rings (``shared``), a thread per ring, and the
    timestep."""

    name = "StepEnd"
    phase = "neuron_update"
    wave = "StepEnd"
    single_thread = True          # no block-start table
    batches = 1

    def __init__(self, batched, shared=(), batch_size=1):
        self.batched, self.shared = list(batched), list(shared)
        self.parts = self.batched + self.shared
        self.batch_size = batch_size
        self.merged = None

    @property
    def threads(self) -> int:
        return sum(len(k.merged.members) for k in self.parts) + 1

    @property
    def block(self) -> tuple:
        if self.batch_size == 1:
            return (BLOCK_SIZE, 1, 1)
        return (min(1024, -(-self.batch_size // 32) * 32), 1, 1)

    @property
    def grid(self) -> tuple:
        if self.batch_size == 1:
            return (-(-self.threads // BLOCK_SIZE), 1, 1)
        return (sum(len(k.merged.members) for k in self.batched) + 1, 1, 1)


@dataclass
class CudaGeneratedModel:
    """Generated sources, kernels and merged groups, and their ``manifest``."""
    plan: object
    sources: dict
    merged_groups: list
    step_kernels: list = field(default_factory=list)     # in launch order
    init_kernels: list = field(default_factory=list)
    init_sparse_kernels: list = field(default_factory=list)
    column_kernels: list = field(default_factory=list)   # after the rows: separate launches


def generate_cuda(plan) -> CudaGeneratedModel:
    target = CudaTarget()
    synapse_plans = list(plan.synapses.values())
    step, init, init_sparse, merged_all = [], [], [], []

    def add(kernels, phase, merged_list, size_of, single=False, lanes_of=None, wave=None):
        for m in merged_list:
            merged_all.append(m)
            sizes = [size_of(g) for g in m.members]
            if lanes_of is not None:
                lanes = lanes_of(m, max(sizes))
                sizes = [size * lanes for size in sizes]
            batches = plan.batch_size if m.kind in BATCHED_KINDS else 1
            kernels.append(Kernel(f"{m.kind}{m.index}", phase, m, max(sizes), single, batches,
                                  wave or m.kind, sizes))

    # A step is a few waves; a wave's kernels touch disjoint state (or combine through
    # atomics) and run as parallel branches of the step's graph.
    dyn = [p for p in synapse_plans if "synapse_dynamics_code" in p.codes]
    add(step, "synapse_dynamics",
        generate_merged(plan, "SynapseDynamics", dyn,
                        lambda sp, f: _synapse_dynamics(plan, sp, f, target)),
        lambda sp: sp.group.src.num_neurons * sp.row_stride)
    pre = [p for p in synapse_plans
           if "pre_spike_syn_code" in p.codes or "pre_event_syn_code" in p.codes]
    add(step, "presynaptic_update",
        generate_merged(plan, "PresynapticUpdate", pre,
                        lambda sp, f: _presynaptic(plan, sp, f, target)),
        lambda sp: matrix_types.presynaptic_threads(sp, target),
        lanes_of=lambda m, rows: _event_lanes(m, rows, plan.batch_size))
    post = [p for p in synapse_plans
            if "post_spike_syn_code" in p.codes or "post_event_syn_code" in p.codes]
    add(step, "postsynaptic_update",
        generate_merged(plan, "PostsynapticUpdate", post,
                        lambda sp, f: _postsynaptic(plan, sp, f, target)),
        lambda sp: sp.group.src.num_neurons * sp.group.trg.num_neurons)
    neurons = list(plan.neurons.values())
    # previous-spike-time bookkeeping reads the last step's spikes after the synaptic phases
    # (which may read the old times): a wave of its own. Clearing the recording row depends
    # on nothing else in the step, so those kernels join the step's first wave.
    kinds = {n.group.name: _prologue_kind(plan, n, target) for n in neurons}
    bookkeeping = [n for n in neurons if kinds[n.group.name] == "bookkeeping"]
    clear_only = [n for n in neurons if kinds[n.group.name] == "clear"]
    add(step, "neuron_update",
        generate_merged(plan, "NeuronPrologueParallel", bookkeeping,
                        lambda np_, f: NeuronUpdateGenerator(plan, np_, f,
                                                             target).prologue_parallel()),
        lambda np_: np_.group.num_neurons)
    clear = []
    add(clear, "neuron_update",
        generate_merged(plan, "NeuronRecordingClear", clear_only,
                        lambda np_, f: NeuronUpdateGenerator(plan, np_, f,
                                                             target).prologue_parallel()),
        lambda np_: np_.group.num_neurons, wave=step[0].wave if step else None)
    first = [k for k in step if k.wave == step[0].wave] if step else []
    step[len(first):len(first)] = clear
    add(step, "neuron_update",
        generate_merged(plan, "NeuronUpdate", neurons,
                        lambda np_, f: _neuron_body(plan, np_, f, target)),
        lambda np_: np_.group.num_neurons)
    # the step's last kernel: publish spike counts, advance every ring pointer and the
    # timestep; a thread per population, or with batches a block per population and a thread
    # per batch (StepEndKernel)
    end, rings = [], []
    if plan.batch_size > 1:
        def epilogue(np_, f):
            return _epilogue_per_batch(plan, np_, f, target)
    else:
        def epilogue(np_, f):
            return NeuronUpdateGenerator(plan, np_, f, target).epilogue_serial()
    add(end, "neuron_update", generate_merged(plan, "NeuronEpilogue", neurons, epilogue),
        lambda g: 1, single=True)
    den = [p for p in synapse_plans if (p.name, "denDelayPtr") in plan.arrays]
    add(rings, "synapse_dynamics",
        generate_merged(plan, "DendriticDelayUpdate", den, advance_dendritic_ring),
        lambda g: 1, single=True)
    step.append(StepEndKernel(end, rings, plan.batch_size))
    items = neurons + synapse_plans + [_CurrentSourceItem(cs)
                                       for cs in plan.current_sources.values()]
    add(init, "init", generate_merged(plan, "Init", items,
                                      lambda item, f: _init_code(plan, item, f, target)),
        lambda item: _init_size(item))
    sparse = [p for p in synapse_plans
              if p.group.matrix_type & Conn.SPARSE or p.group.matrix_type & Conn.BITMASK]
    add(init_sparse, "init_sparse",
        generate_merged(plan, "InitSparse", sparse,
                        lambda sp, f: _init_sparse_code(plan, sp, f, target)),
        lambda sp: max(sp.group.src.num_neurons, sp.group.trg.num_neurons))
    # column structures need every row first: separate kernels, launched after
    columns = [p for p in sparse if (p.name, "remap") in plan.arrays]
    column_kernels = []
    add(column_kernels, "init_sparse",
        generate_merged(plan, "InitColumns", columns,
                        lambda sp, f: _init_columns_code(plan, sp, f, target)),
        lambda sp: sp.group.src.num_neurons)
    from ..codegen.custom_update import cuda_kernels, generate_custom_updates
    custom = generate_custom_updates(plan, target, parallel=target.concurrent_elements)
    custom_kernels, custom_init, custom_sparse = cuda_kernels(plan, custom, Kernel)
    init += custom_init                        # after the populations' own initialisation
    init_sparse += custom_sparse
    merged_all += custom.all_merged
    from ..codegen import custom_connectivity as ccu
    connectivity = ccu.generate_custom_connectivity(plan, target,
                                                    parallel=target.concurrent_elements)
    ccu_rows, ccu_init, ccu_sparse = ccu.cuda_kernels(plan, connectivity, Kernel)
    init += ccu_init
    init_sparse += ccu_sparse
    merged_all += connectivity.device_merged
    source = _assemble(plan, step + init + init_sparse + column_kernels
                       + [k for ks in custom_kernels.values() for k in ks]
                       + [k for ks in ccu_rows.values() for k in ks])
    generated = CudaGeneratedModel(plan, {"runner.cu": source}, merged_all, step, init,
                                   init_sparse, column_kernels)
    host_source = ccu.cuda_host_source(plan, connectivity)
    if host_source:
        generated.sources["ccu_host.cc"] = host_source
    generated.manifest = build_manifest(
        plan, generated, merged_all,
        kernels={"step": step, "init": init, "init_sparse": init_sparse,
                 "columns": column_kernels},
        custom_update_groups=custom.group_names,
        custom_update_kernels=custom_kernels,            # update group -> kernels, in order
        custom_connectivity=connectivity, custom_connectivity_kernels=ccu_rows)
    return generated


def _prologue_kind(plan, nplan, target):
    """What a neuron group's parallel prologue holds: None (nothing), "bookkeeping"
    (previous spike times, which must follow the synaptic phases) or "clear" (only clearing
    recording rows, which may run anywhere in the step before the update)."""
    gen = NeuronUpdateGenerator(plan, nplan, EnvFactory(plan, GroupFields()), target)
    if not gen.prologue_parallel().strip():
        return None
    return "bookkeeping" if nplan.needs_prev_st or list(gen.event_groups()) else "clear"


def _init_size(item) -> int:
    group = item.group
    if hasattr(item, "num_delay_slots"):
        return group.num_neurons
    if isinstance(item, _CurrentSourceItem):
        return group.trg_pop.num_neurons
    return max(group.src.num_neurons, group.trg.num_neurons)


def _neuron_body(plan, nplan, factory, target) -> str:
    gen = NeuronUpdateGenerator(plan, nplan, factory, target)
    body = gen.body()
    s = CodeStream()
    s.lines("\n".join(gen.step_constants))
    if not gen.warp_records:
        with s.block(f"for (uint32_t _id = _lid; _id < {gen.N}; _id += _numThreads)"):
            s.lines(body)
        return str(s)
    # whole warps iterate together (blocks are a multiple of 32 threads), so the recording
    # bits of neurons _base .. _base + 31 can be gathered with one ballot
    with s.block(f"for (uint32_t _base = _lid - (threadIdx.x % 32u); _base < {gen.N}; "
                 f"_base += _numThreads)"):
        s.line("const uint32_t _id = _base + (threadIdx.x % 32u);")
        for flag, _ in gen.warp_records:
            s.line(f"bool {flag} = false;")
        with s.block(f"if (_id < {gen.N})"):
            s.lines(body)
        s.lines(gen.warp_record_writes("_base"))
    return str(s)


def _row_position(s, gen, sg, body, index_of_pre):
    """Per (event, synapse slot) thread body for DENSE and SPARSE rows."""
    if sg.matrix_type & Conn.SPARSE:
        row_length = gen.arr(sg.name, "rowLength", "rowLength")
        ind = gen.arr(sg.name, "ind", "ind")
        with s.block(f"if (_j < {row_length}[_id_pre])"):
            s.line(f"const uint32_t _id_syn = _id_pre * {gen.row_stride} + _j;")
            s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
            s.lines(body)
    elif sg.matrix_type & Conn.DENSE:
        with s.block():
            s.line("const uint32_t _id_post = _j;")
            s.line(f"const uint32_t _id_syn = _id_pre * {gen.num_post} + _id_post;")
            s.lines(body)
    else:
        raise NotImplementedError(
            f"Synapse group '{sg.name}': matrix type {sg.matrix_type.name} is not supported by "
            f"the cuda backend yet; use DENSE or SPARSE")


def _presynaptic(plan, splan, factory, target) -> str:
    """Thread mapping chosen by the group's ``parallelism_hint``.

    POSTSYNAPTIC (default): one thread per row position (target), looping over this step's
    events, so the grid is sized by the row length rather than by the worst-case number of
    spikes. PRESYNAPTIC: ``num_threads_per_spike`` threads per event walk its row, which suits
    short rows and many events.
    """
    from ..model.enums import ParallelismHint
    if matrix_types.has_special_presynaptic(splan.group):    # BITMASK, PROCEDURAL, TOEPLITZ
        return matrix_types.presynaptic(plan, splan, factory, target)
    if splan.group.parallelism_hint == ParallelismHint.PRESYNAPTIC:
        return _presynaptic_by_event(plan, splan, factory, target)
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    s = CodeStream()
    stride = gen.row_stride if sg.matrix_type & Conn.SPARSE else gen.num_post
    width = int(splan.row_stride if sg.matrix_type & Conn.SPARSE else sg.trg.num_neurons)
    # lanes * stride <= max(stride, threads): 32-bit arithmetic (a 64-bit division costs
    # dozens of instructions) unless a row is too long for it
    k_type = "uint32_t" if width < (1 << 30) else "uint64_t"
    for src, body in gen.event_phases("pre"):
        with s.block():
            s.line(f"const uint32_t _numEvents = {src.count}[{src.slot}];")
            # the grid holds `_lanes` copies of the row: lane l takes events l, l + lanes, ...
            s.line(f"const uint32_t _lanes = max(1u, _numThreads / {stride});")
            with s.block(f"for ({k_type} _k = _lid; _k < ({k_type})_lanes * {stride}; "
                         f"_k += _numThreads)"):
                s.line(f"const uint32_t _j = (uint32_t)(_k % {stride});")
                if sg.matrix_type & Conn.SPARSE:
                    _sparse_events_batched(s, gen, sg, src, body, stride)
                    continue
                with s.block(f"for (uint32_t _e = (uint32_t)(_k / {stride}); _e < _numEvents; "
                             f"_e += _lanes)"):
                    index = "_e" if src.offset == "0" else f"{src.offset} + _e"
                    s.line(f"const uint32_t _id_pre = {src.events}[{index}];")
                    _row_position(s, gen, sg, body, "_id_pre")
    return str(s)


# Events a thread takes at once in a SPARSE presynaptic update
EVENT_BATCH = 4


def _sparse_events_batched(s, gen, sg, src, body, stride):
    """The event loop of a SPARSE row position, EVENT_BATCH events at a time: their ids, then
    their row lengths, are all loaded before any synapse is touched, so a thread waits for one
    round trip per batch instead of one per event (the body's atomics would otherwise keep the
    compiler from loading the next event's data early)."""
    row_length = gen.arr(sg.name, "rowLength", "rowLength")
    ind = gen.arr(sg.name, "ind", "ind")
    offset = "" if src.offset == "0" else f"{src.offset} + "
    with s.block(f"for (uint32_t _e0 = (uint32_t)(_k / {stride}); _e0 < _numEvents; "
                 f"_e0 += {EVENT_BATCH}u * _lanes)"):
        s.line(f"uint32_t _pres[{EVENT_BATCH}], _lengths[{EVENT_BATCH}];")
        s.line("#pragma unroll")
        with s.block(f"for (uint32_t _b = 0; _b < {EVENT_BATCH}u; _b++)"):
            s.line("const uint32_t _e = _e0 + _b * _lanes;")
            s.line(f"_pres[_b] = _e < _numEvents ? {src.events}[{offset}_e] : 0u;")
        s.line("#pragma unroll")
        with s.block(f"for (uint32_t _b = 0; _b < {EVENT_BATCH}u; _b++)"):
            s.line(f"_lengths[_b] = (_e0 + _b * _lanes < _numEvents) ? "
                   f"{row_length}[_pres[_b]] : 0u;")
        s.line("#pragma unroll")
        with s.block(f"for (uint32_t _b = 0; _b < {EVENT_BATCH}u; _b++)"):
            with s.block("if (_j < _lengths[_b])"):
                s.line("const uint32_t _id_pre = _pres[_b];")
                s.line(f"const uint32_t _id_syn = _id_pre * {gen.row_stride} + _j;")
                s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
                s.lines(body)


# Threads a merged presynaptic kernel aims for: enough to fill the GPU when rows are short,
# without sizing the grid for every neuron spiking at once (measured on the microcircuit:
# more lanes mean more blocks, whose cost outweighs the shorter chains per thread).
PRESYNAPTIC_THREAD_BUDGET = 1 << 19


def _event_lanes(merged, row_threads: int, batch_size: int) -> int:
    """For the POSTSYNAPTIC mapping: how many events each row position handles in parallel.

    The thread budget covers all batches (each batch is a grid slice of its own): with 512
    batches of a few spikes each, more lanes per batch would only launch idle blocks."""
    if any(matrix_types.has_special_presynaptic(sp.group) or
           sp.group.parallelism_hint != ParallelismHint.POSTSYNAPTIC for sp in merged.members):
        return 1
    lanes = PRESYNAPTIC_THREAD_BUDGET // max(1, row_threads * len(merged.members) * batch_size)
    return max(1, min(lanes, max(sp.group.src.num_neurons for sp in merged.members)))


def _presynaptic_by_event(plan, splan, factory, target) -> str:
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    per_event = max(1, int(sg.num_threads_per_spike))
    s = CodeStream()
    for src, body in gen.event_phases("pre"):
        with s.block():
            s.line(f"const uint32_t _numEvents = {src.count}[{src.slot}];")
            with s.block(f"for (uint32_t _k = _lid; _k < _numEvents * {per_event}u; "
                         f"_k += _numThreads)"):
                s.line(f"const uint32_t _e = _k / {per_event}u;")
                index = "_e" if src.offset == "0" else f"{src.offset} + _e"
                s.line(f"const uint32_t _id_pre = {src.events}[{index}];")
                if sg.matrix_type & Conn.SPARSE:
                    length = f"{gen.arr(sg.name, 'rowLength', 'rowLength')}[_id_pre]"
                else:
                    length = gen.num_post
                with s.block(f"for (uint32_t _j = _k % {per_event}u; _j < {length}; "
                             f"_j += {per_event}u)"):
                    _row_position(s, gen, sg, body, "_id_pre")
    return str(s)


def _postsynaptic(plan, splan, factory, target) -> str:
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    _check_postsynaptic_supported(sg)
    sparse = bool(sg.matrix_type & Conn.SPARSE)
    width = (gen.f.value("colStride", T.Uint32, splan.col_stride) if sparse else gen.num_pre)
    s = CodeStream()
    for src, body in gen.event_phases("post"):
        with s.block():
            s.line(f"const uint32_t _numEvents = {src.count}[{src.slot}];")
            s.line(f"const uint64_t _total = (uint64_t)_numEvents * {width};")
            with s.block("for (uint64_t _k = _lid; _k < _total; _k += _numThreads)"):
                s.line(f"const uint32_t _e = (uint32_t)(_k / {width});")
                s.line(f"const uint32_t _c = (uint32_t)(_k % {width});")
                index = "_e" if src.offset == "0" else f"{src.offset} + _e"
                s.line(f"const uint32_t _id_post = {src.events}[{index}];")
                if sparse:
                    col_length = gen.arr(sg.name, "colLength", "colLength")
                    remap = gen.arr(sg.name, "remap", "remap")
                    with s.block(f"if (_c < {col_length}[_id_post])"):
                        s.line(f"const uint32_t _id_syn = {remap}[_id_post * {width} + _c];")
                        s.line(f"const uint32_t _id_pre = _id_syn / {gen.row_stride};")
                        s.lines(body)
                else:
                    s.line("const uint32_t _id_pre = _c;")
                    s.line(f"const uint32_t _id_syn = _id_pre * {gen.num_post} + _id_post;")
                    s.lines(body)
    return str(s)


def _synapse_dynamics(plan, splan, factory, target) -> str:
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    body = gen.body("synapse_dynamics_code")
    stride = gen.row_stride if sg.matrix_type & Conn.SPARSE else gen.num_post
    s = CodeStream()
    s.line(f"const uint64_t _total = (uint64_t){gen.num_pre} * {stride};")
    with s.block("for (uint64_t _k = _lid; _k < _total; _k += _numThreads)"):
        s.line(f"const uint32_t _id_pre = (uint32_t)(_k / {stride});")
        s.line(f"const uint32_t _j = (uint32_t)(_k % {stride});")
        _row_position(s, gen, sg, body, "_id_pre")
    return str(s)


PRELUDE = """\
// Generated by pygenn for model '{name}' (cuda backend). Do not edit.
{nvrtc_prelude}
#define assert(x) ((void)0)
typedef {scalar} scalar;
typedef {timepoint} timepoint;
// Programmatic dependent launch (compute capability 9.0+): let the next kernel in the
// stream be scheduled now, then wait until the previous one has finished and its writes
// are visible. Elsewhere (or without the launch attribute) both do nothing.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define PYGENN_GRID_DEPENDENCY() do {{ \\
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory"); \\
    asm volatile("griddepcontrol.wait;" ::: "memory"); }} while (0)
#else
#define PYGENN_GRID_DEPENDENCY()
#endif
static __device__ __forceinline__ int32_t clz(uint32_t x) {{ return __clz(x); }}
static __device__ __forceinline__ uint32_t atomic_or(uint32_t* p, uint32_t v) {{ return atomicOr(p, v); }}
"""


def _step_end_kernel(s, kernel):
    with s.block(f"__global__ void {kernel.name}()"):
        s.line("PYGENN_GRID_DEPENDENCY();")
        if kernel.batch_size == 1:
            s.line("const uint32_t _thread = blockIdx.x * blockDim.x + threadIdx.x;")
            s.line("const uint32_t _lid = 0, _numThreads = 1, _batch = 0;")
            s.line("(void)_lid; (void)_numThreads; (void)_batch;")
            _step_end_threads(s, kernel.parts)
            return
        # a block per population, its threads over the batches (the parts' own loops)
        s.line("const uint32_t _lid = 0, _numThreads = 1, _batch = 0;")
        s.line("(void)_lid; (void)_numThreads; (void)_batch;")
        first = _member_dispatch(s, kernel.batched, "blockIdx.x")
        # the last block: rings (no per-batch work, and nothing here reads their pointers)
        # and the timestep, a thread each
        total = sum(len(k.merged.members) for k in kernel.shared) + 1
        with s.block(f"if (blockIdx.x == {first}u)"):
            with s.block(f"for (uint32_t _thread = threadIdx.x; _thread < {total}u; "
                         f"_thread += blockDim.x)"):
                _step_end_threads(s, kernel.shared)


def _member_dispatch(s, parts, index: str) -> int:
    """Code that runs the ``index``-th member's work of ``parts`` (members numbered across the
    parts in order); returns the number of members."""
    first = 0
    for part in parts:
        m = part.merged
        last = first + len(m.members)
        condition = f"{index} < {last}u" if first == 0 else \
            f"{index} >= {first}u && {index} < {last}u"
        with s.block(f"if ({condition})"):
            s.line(f"// {m.kind} merged group {m.index}: "
                   + ", ".join(f"'{g.name}'" for g in m.members))
            s.line(f"{m.struct_name} *const _group = &{m.array_name}[{index} - {first}u];")
            s.lines(m.code)
        first = last
    return first


def _step_end_threads(s, parts):
    """Thread ``_thread`` runs the one-thread work of the ``_thread``-th member of ``parts``;
    the thread after them advances the device timestep."""
    first = _member_dispatch(s, parts, "_thread")
    with s.block(f"if (_thread == {first}u)"):
        s.line("_deviceTimestep++;")


def _epilogue_per_batch(plan, nplan, factory, target) -> str:
    """A population's step end with B > 1 batches, run by one block: each thread publishes
    the counts of its batches (the same counts as ``NeuronUpdateGenerator.epilogue_serial``);
    every thread computes the new queue slot from the old pointer, and thread 0 writes the
    pointer only after the block's barrier, when no thread of the block can still read it."""
    gen = NeuronUpdateGenerator(plan, nplan, factory, target)
    ng = gen.ng
    s = CodeStream()
    ptr = gen.arr(ng.name, "spkQuePtr") if gen.d > 1 else None
    if ptr is not None:
        s.line(f"const uint32_t _newSlot = ({ptr}[0] + 1u) % {gen.d}u;")
    counts = [(gen.arr(ng.name, "spkCnt"), gen.arr(ng.name, "spkCntNext"),
               ptr is not None and nplan.spike_queue)]
    for sg, side in gen.event_groups():
        k = gen.event_key(sg, side)
        counts.append((gen.arr(sg.name, f"{side}SpkCntEvent", field=f"{k}_SpkCntEvent"),
                       gen.arr(sg.name, f"{side}SpkCntEventNext", field=f"{k}_SpkCntEventNext"),
                       gen.event_queued(sg, side)))
    with s.block(f"for (uint32_t _batch = threadIdx.x; _batch < {plan.batch_size}u; "
                 f"_batch += blockDim.x)"):
        for count, staged, queued in counts:
            s.line(f"{count}[{'_newSlot' if queued else '0'}] = {staged}[0];")
            s.line(f"{staged}[0] = 0;")
    if ptr is not None:
        s.line("__syncthreads();   // every thread of the block has read the old pointer")
        with s.block("if (threadIdx.x == 0)"):
            s.line(f"{ptr}[0] = _newSlot;")
    return str(s)


def _packed_member(s, kernel, merged):
    """The member that owns this block (from the block-start table: independent comparisons
    for up to 16 members, a binary search beyond), and the thread's index and thread count
    within that member."""
    start = f"{kernel.name}_blockStart"
    members = len(merged.members)
    if members == 1:
        s.line("const uint32_t _member = 0;")
    elif members <= 16:
        # independent comparisons: one round of constant-cache reads, not a chain of them
        terms = " + ".join(f"(blockIdx.x >= {start}[{i}])" for i in range(1, members))
        s.line(f"const uint32_t _member = {terms};")
    else:
        s.line("uint32_t _member = 0;")
        with s.block():
            s.line(f"uint32_t _end = {members}u;")
            with s.block("while (_end - _member > 1u)"):
                s.line("const uint32_t _mid = (_member + _end) / 2u;")
                s.line(f"if ({start}[_mid] <= blockIdx.x) {{ _member = _mid; }} "
                       f"else {{ _end = _mid; }}")
    s.line(f"{merged.struct_name} *const _group = &{merged.array_name}[_member];")
    s.line(f"const uint32_t _lid = (blockIdx.x - {start}[_member]) * blockDim.x + threadIdx.x;")
    s.line(f"const uint32_t _numThreads = ({start}[_member + 1] - {start}[_member]) * "
           f"blockDim.x;")


# Bytes of merged-group tables placed in constant memory (64 KiB per module in all)
CONSTANT_TABLE_BUDGET = 48 * 1024


def _constant_tables(kernels) -> set:
    """Names of the merged-group tables kept in ``__constant__`` memory: the step kernels'
    first, while they fit. A table there is read through the constant cache, and the compiler
    knows no store can alias it, so it need not re-read a pointer after every store."""
    chosen, used = set(), 0
    for k in sorted(kernels, key=lambda k: k.phase in ("init", "init_sparse")):
        m = k.merged
        size = m.numpy_dtype().itemsize * len(m.members)
        if used + size <= CONSTANT_TABLE_BUDGET:
            chosen.add(m.array_name)
            used += size
    return chosen


def _assemble(plan, kernels) -> str:
    s = CodeStream()
    from ..build.nvrtc import nvrtc_prelude
    s.lines(PRELUDE.format(name=plan.model.name, scalar=plan.precision.c_name,
                           timepoint=plan.time_precision.c_name, nvrtc_prelude=nvrtc_prelude()))
    s.lines(rng_source("cuda"))
    s.line('extern "C" {')
    s.line("__device__ uint64_t _seed;")
    s.line("__device__ uint64_t _deviceTimestep;")
    s.line("__device__ uint32_t _numRecordingTimesteps = 1;")
    s.line("__device__ int _initError;")
    step_end = [k for k in kernels if isinstance(k, StepEndKernel)]
    kernels = [k for k in kernels if not isinstance(k, StepEndKernel)]
    tables = kernels + [part for k in step_end for part in k.parts]
    constant = _constant_tables(tables)
    for k in tables:
        m = k.merged
        s.lines(m.struct_definition())
        space = "__constant__" if m.array_name in constant else "__device__"
        s.line(f"{space} {m.struct_name} {m.array_name}[{len(m.members)}];")
    for k in kernels:
        if not k.single_thread:
            s.line(f"__constant__ uint32_t {k.name}_blockStart[{len(k.merged.members) + 1}];")
    for k in step_end:
        _step_end_kernel(s, k)
    for k in kernels:
        m = k.merged
        with s.block(f"__global__ void {k.name}()"):
            s.line(f"// {m.kind} merged group {m.index}: "
                   + ", ".join(f"'{g.name}'" for g in m.members))
            s.line("PYGENN_GRID_DEPENDENCY();")
            if k.single_thread:
                s.line(f"{m.struct_name} *const _group = &{m.array_name}[blockIdx.y];")
                s.line("const uint32_t _lid = threadIdx.x;")
                s.line("const uint32_t _numThreads = blockDim.x;")
            else:
                _packed_member(s, k, m)
            s.line("const uint64_t _timestep = _deviceTimestep;")
            s.line(f"const timepoint _t = (timepoint)((double)_timestep * {plan.dt!r});")
            s.line("const uint32_t _batch = blockIdx.z;")
            s.line("const uint32_t _recordingRow = (uint32_t)(_timestep % "
                   "_numRecordingTimesteps);")
            s.line("(void)_group; (void)_lid; (void)_numThreads; (void)_t; (void)_batch; "
                   "(void)_recordingRow;")
            s.lines(m.code)
    s.line("}")
    return str(s)
