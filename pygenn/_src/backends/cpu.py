"""The single-threaded CPU backend: renders the model plan as one C++ translation unit.

The generated library exports plain C functions (``pygenn_initialize``, ``pygenn_step_time`` ...)
and one array of structs per merged group, which the runtime fills with pointers to numpy-owned
memory at load. There is one host memory space, so push and pull are no-ops.
"""
from __future__ import annotations

import copy

from ..codegen.code_strings import parse_code  # noqa: F401  (kept for symmetry with cuda)
from ..codegen import matrix_types
from ..codegen.batching import batch_loop
from ..codegen.init import InitGenerator
from ..codegen.manifest import build_manifest
from ..codegen.merge import generate_merged
from ..codegen import neuron_split
from ..codegen.neuron_update import NeuronUpdateGenerator
from ..codegen.rng import rng_source
from ..codegen.stream import CodeStream
from ..codegen.synapse_update import SynapseUpdateGenerator, advance_dendritic_ring
from ..codegen.debug_checks import DEBUG_PRELUDE
from .cpu_preludes import (FLOAT_MODE_PRELUDE, FLOAT_MODE_SCOPE, FLOAT_MODE_VARIABLE,
                           OPENMP_PRELUDE, PRELUDE, TEAM_CLAUSES, THREAD_FLOAT_MODE_SCOPE)
from ..codegen.dialect import GeneratedCodeDialect
from ..codegen.target import Target
from ..lang import types as T
from ..contract import TIMED_PHASES
from ..lang.stdlib import CPP_USING_DECLARATIONS
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight



class CpuTarget(Target):
    """The serial C++ spellings; capabilities not set here keep ``Target``'s defaults."""

    dialect = GeneratedCodeDialect()
    # a group's neuron update runs as a vectorisable state pass plus a serial spike pass
    # (codegen/neuron_split.py)
    split_spike_pass = True

    @staticmethod
    def append_to_list(count: str, slot: str, events: str, offset: str, value: str,
                       flags=None) -> str:
        index = f"{count}[{slot}]++" if offset == "0" else f"{offset} + {count}[{slot}]++"
        return f"{events}[{index}] = {value};"

    @staticmethod
    def atomic_or(location: str, bits: str) -> str:
        return f"{location} |= {bits};"

    @staticmethod
    def add_to(location: str, value: str) -> str:
        return f"{location} += ({value})"

    @staticmethod
    def fetch_add(location: str, value: str) -> str:
        return f"({location})++"

    @staticmethod
    def element_loop(index: str, count: str) -> str:
        return f"for (uint32_t {index} = 0; {index} < {count}; {index}++)"


class MultiThreadedCpuTarget(CpuTarget):
    """Neurons updated by several OpenMP threads: spikes and events are flagged per neuron and
    listed afterwards in id order, so results equal the single-threaded backend's."""

    parallel = True
    # neurons per OpenMP chunk: a multiple of 32, so threads never share a recording word
    CHUNK = 256

    @staticmethod
    def independent_loop(index: str, count: str) -> str:
        """A loop whose iterations touch disjoint memory and draw random numbers keyed by the
        iteration (sparse rows at initialisation), so any thread may run any of them."""
        # rows differ in length: threads take 16 at a time as they finish. The float mode
        # object of the enclosing entry point is copied into every thread (its copy
        # constructor sets that thread's control word, its destructor restores it)
        return (f"#pragma omp parallel for schedule(dynamic, 16) num_threads(pygenn_max_threads())"
                f" firstprivate({FLOAT_MODE_VARIABLE})\n"
                + CpuTarget.element_loop(index, count))

    @staticmethod
    def append_to_list(count: str, slot: str, events: str, offset: str, value: str,
                       flags=None) -> str:
        if flags is None:
            return CpuTarget.append_to_list(count, slot, events, offset, value)
        return f"{flags}[({value}) / 32u] |= 1u << (({value}) % 32u);"


def _threaded_neuron_loop(s: CodeStream, n: str, body: str, simd: bool = False) -> None:
    """The neuron loop spread over the OpenMP threads in one contiguous block each.

    Blocks are whole multiples of 32 neurons, so threads never share a spike-flag or recording
    word. Each thread works on its own copy of the merged-group struct: a struct shared with
    the other threads could alias the arrays, so the compiler would reload every pointer after
    each store. With ``simd`` each thread's block is also vectorised (neuron_split.py).
    """
    # fewer threads for a small population (pygenn_team_for)
    s.line(f"const int _team = pygenn_team_for({n});")
    with s.block("if (_team > 1)"):
        s.line(f"const uint32_t _chunk = pygenn_thread_chunk({n}, _team);")
        s.line(f"#pragma omp parallel {TEAM_CLAUSES}")
        with s.block():
            s.line(THREAD_FLOAT_MODE_SCOPE)        # each thread has its own control word
            s.line("const auto _threadCopy = *_group;")
            s.line("const auto *const _group = &_threadCopy;")
            s.line(f"#pragma omp for{' simd' if simd else ''} schedule(static, _chunk)")
            with s.block(f"for (uint32_t _id = 0; _id < {n}; _id++)"):
                s.lines(body)
    # One thread: the plain loop of the single-threaded backend. An OpenMP region, even one
    # that `if(0)` keeps on this thread, is compiled into an outlined function that reaches
    # the enclosing locals through a pointer and a worksharing loop split into chunks; that
    # made a one-thread step about a quarter slower than single_threaded_cpu's.
    with s.block("else"):
        # a copy of its own: the enclosing one's address escapes into the parallel region
        # above, and then every byte store (spike flags) would make the compiler reload the
        # group's pointers from it, which cost a one-thread step five times its time
        s.line("const auto _serialCopy = *_group;")
        s.line("const auto *const _group = &_serialCopy;")
        if simd:
            s.line("#pragma omp simd")
        with s.block(f"for (uint32_t _id = 0; _id < {n}; _id++)"):
            s.lines(body)


class GeneratedModel:
    """Generated sources, the merged groups they were made of, and their ``manifest``."""

    def __init__(self, plan, sources: dict, merged_groups: list):
        self.plan = plan
        self.sources = sources
        self.merged_groups = merged_groups


def generate_cpu(plan, target=None) -> GeneratedModel:
    target = target or CpuTarget()
    if plan.debug_code:
        # user code's array subscripts and integer divisions are checked (debug_checks.py);
        # on a copy, so a target the caller reuses stays as it was
        target = copy.copy(target)
        target.dialect = GeneratedCodeDialect(checks=True)
    threaded = target.parallel
    neuron_groups = [p for p in plan.neurons.values()]
    synapse_plans = list(plan.synapses.values())
    merged = []
    vectorised = []           # neuron groups whose state pass carries `omp simd`
    threaded_groups = []      # neuron groups updated by several threads

    def neuron_code(nplan, factory):
        gen = NeuronUpdateGenerator(plan, nplan, factory, target)
        parallel = threaded and plan.threaded(nplan.group)
        if plan.batch_size > 1:
            # the spike-queue pointer advances once; everything else runs per batch
            prologue = batch_loop(plan, gen.prologue_parallel()) + gen.prologue_serial()
        else:
            prologue = gen.prologue()
        body = gen.body()
        n = gen.N
        s = CodeStream()
        s.lines(prologue)
        s.lines("\n".join(gen.step_constants))
        loop = CodeStream()
        simd = gen.split and neuron_split.simd_safe(gen)
        if simd:
            vectorised.append(nplan.group.name)
        if parallel:
            threaded_groups.append(nplan.group.name)
            _threaded_neuron_loop(loop, n, body, simd)
        else:
            if simd:
                loop.line("#pragma omp simd")
            with loop.block(f"for (uint32_t _id = 0; _id < {n}; _id++)"):
                loop.lines(body)
        if gen.split:          # per batch: the scratch bytes are reused by the next batch
            loop.lines(neuron_split.spike_pass(gen))
        s.lines(batch_loop(plan, str(loop)))
        if parallel:
            s.lines(gen.deferred_appends())
        return str(s)

    neuron_merged = generate_merged(plan, "NeuronUpdate", neuron_groups, neuron_code)
    merged += neuron_merged

    pre_groups = [p for p in synapse_plans if any(r in p.codes for r in
                                                  ("pre_spike_syn_code", "pre_event_syn_code"))]
    pre_threaded = threaded and _presynaptic_threadable(plan, pre_groups)

    def presynaptic_code(splan, factory):
        if not pre_threaded:
            return batch_loop(plan, _presynaptic(plan, splan, factory, target))
        # both variants, picked by the phase function's compile-time `_threaded` (see
        # _assemble): one thread runs the serial loops without the per-synapse target-range
        # test, which would otherwise cost it a compare and branch on every synapse
        s = CodeStream()
        with s.block("if constexpr (_threaded)"):
            s.lines(batch_loop(plan, _presynaptic(plan, splan, factory, target, True)))
        with s.block("else"):
            s.lines(batch_loop(plan, _presynaptic(plan, splan, factory, target, False)))
        return str(s)

    pre_merged = generate_merged(plan, "PresynapticUpdate", pre_groups, presynaptic_code)
    merged += pre_merged

    post_groups = [p for p in synapse_plans if any(r in p.codes for r in
                                                   ("post_spike_syn_code", "post_event_syn_code"))]
    post_merged = generate_merged(plan, "PostsynapticUpdate", post_groups,
                                  lambda sp, f: batch_loop(plan, _postsynaptic(plan, sp, f,
                                                                               target)))
    merged += post_merged

    dyn_groups = [p for p in synapse_plans if "synapse_dynamics_code" in p.codes]
    dyn_merged = generate_merged(plan, "SynapseDynamics", dyn_groups,
                                 lambda sp, f: batch_loop(plan, _synapse_dynamics(plan, sp, f,
                                                                                  target)))
    merged += dyn_merged

    den_groups = [p for p in synapse_plans if (p.name, "denDelayPtr") in plan.arrays]
    den_merged = generate_merged(plan, "DendriticDelayUpdate", den_groups,
                                 advance_dendritic_ring)
    merged += den_merged

    init_merged = generate_merged(plan, "Init", list(plan.neurons.values()) + synapse_plans
                                  + [_CurrentSourceItem(cs) for cs in plan.current_sources.values()],
                                  lambda item, f: _init_code(plan, item, f, target))
    merged += init_merged
    sparse_items = [p for p in synapse_plans
                    if p.group.matrix_type & Conn.SPARSE or p.group.matrix_type & Conn.BITMASK]
    sparse_merged = generate_merged(plan, "InitSparse", sparse_items,
                                    lambda sp, f: _init_sparse_code(plan, sp, f, target))
    column_items = [p for p in sparse_items if (p.name, "remap") in plan.arrays]
    column_merged = generate_merged(plan, "InitColumns", column_items,
                                    lambda sp, f: _init_columns_code(plan, sp, f, target))
    merged += sparse_merged + column_merged

    from ..codegen.custom_update import cpu_source, generate_custom_updates
    custom = generate_custom_updates(plan, target, parallel=target.concurrent_elements)
    init_merged += custom.init_merged          # run by pygenn_initialize(_sparse) after the rest
    sparse_merged += custom.sparse_merged
    merged += custom.all_merged
    from ..codegen import custom_connectivity as ccu
    connectivity = ccu.generate_custom_connectivity(plan, target,
                                                    parallel=target.concurrent_elements)
    init_merged += connectivity.init_merged
    sparse_merged += connectivity.sparse_merged
    merged += connectivity.device_merged + connectivity.host_merged
    source = _assemble(plan, neuron_merged, pre_merged, post_merged, dyn_merged, den_merged,
                       init_merged, sparse_merged, column_merged,
                       threaded=threaded, pre_threaded=pre_threaded,
                       vectorised=bool(vectorised),
                       tuned=bool(threaded_groups) or pre_threaded) + cpu_source(plan, custom)
    source += ccu.cpu_source(plan, connectivity)
    generated = GeneratedModel(plan, {"runner.cc": source}, merged)
    # threaded: the library loads libgomp (runtime/openmp.py)
    generated.manifest = build_manifest(plan, generated, merged,
                                        custom_update_groups=custom.group_names,
                                        custom_connectivity=connectivity, openmp=threaded)
    return generated


class _CurrentSourceItem:
    def __init__(self, cs):
        self.group = cs
        self.name = cs.name


# ---------------------------------------------------------------------- synapse phases
# the presynaptic update is threaded only where the model's synapses (summed over the groups
# it updates) reach this: a small network's few synaptic events take less time than waking
# the threads (Vogels-Abbott at 4,000 neurons has 0.32 million synapses, at 40,000 3.2 million)
MIN_THREADED_SYNAPSES = 1_000_000


def _presynaptic_threadable(plan, pre_groups) -> bool:
    """Whether every thread may run the whole presynaptic update for the postsynaptic neurons
    in its own range (``_postBegin`` to ``_postEnd`` of each target population).

    Each thread then sees every event in the serial order but touches only synapses whose
    target is in its range, so every memory cell is written by one thread in the serial order
    and results are bit-identical to the serial loop. That holds when the synaptic code writes
    only cells indexed by its target or its synapse: its own INDIVIDUAL weights, ``addToPost``
    and ``addToPostDelay``. Groups that write per presynaptic neuron (``addToPre``), per kernel
    entry, into extra global parameters, that draw random numbers, or whose connectivity the
    matrix-type module updates itself (BITMASK, PROCEDURAL, TOEPLITZ) keep the whole phase
    serial.
    """
    synapses = 0
    for splan in pre_groups:
        sg = splan.group
        if (matrix_types.has_special_presynaptic(sg)
                or not sg.matrix_type & Weight.INDIVIDUAL
                or not (sg.matrix_type & Conn.SPARSE or sg.matrix_type & Conn.DENSE)
                or (sg.name, "outPre") in plan.arrays
                or sg.wu_initialiser.snippet.get_extra_global_params()
                or any(getattr(splan.codes.get(role), "uses_rng", False)
                       for role in ("pre_spike_syn_code", "pre_event_syn_code"))):
            return False
        synapses += sg.src.num_neurons * (splan.row_stride if sg.matrix_type & Conn.SPARSE
                                          else sg.trg.num_neurons)
    return bool(pre_groups) and synapses >= MIN_THREADED_SYNAPSES


def _presynaptic(plan, splan, factory, target, threaded=False) -> str:
    if matrix_types.has_special_presynaptic(splan.group):    # BITMASK, PROCEDURAL, TOEPLITZ
        return matrix_types.presynaptic(plan, splan, factory, target)
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    s = CodeStream()
    if threaded:      # inside the phase's parallel region: this thread's targets
        s.line("uint32_t _postBegin, _postEnd;")
        s.line(f"pygenn_thread_range({gen.num_post}, &_postBegin, &_postEnd);")
    for src, body in gen.event_phases("pre"):
        with s.block():
            s.line(f"const uint32_t _numEvents = {src.count}[{src.slot}];")
            with s.block("for (uint32_t _e = 0; _e < _numEvents; _e++)"):
                index = "_e" if src.offset == "0" else f"{src.offset} + _e"
                s.line(f"const uint32_t _id_pre = {src.events}[{index}];")
                _row_loop(s, gen, sg, body, post_range=threaded)
    return str(s)


def _row_loop(s, gen, sg, body, post_range=False):
    """One presynaptic neuron's synapses; with ``post_range`` only those whose target is in
    ``[_postBegin, _postEnd)`` (the multi-threaded presynaptic update)."""
    if sg.matrix_type & Conn.SPARSE:
        row_length = gen.arr(sg.name, "rowLength", "rowLength")
        ind = gen.arr(sg.name, "ind", "ind")
        with s.block(f"for (uint32_t _j = 0; _j < {row_length}[_id_pre]; _j++)"):
            s.line(f"const uint32_t _id_syn = _id_pre * {gen.row_stride} + _j;")
            s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
            if post_range:
                # rows built in target order (most connectivity snippets) make this branch
                # predictable: taken for one run of targets, then not
                s.line("if (_id_post < _postBegin || _id_post >= _postEnd) continue;")
            s.lines(body)
    elif sg.matrix_type & Conn.DENSE:
        first, last = ("_postBegin", "_postEnd") if post_range else ("0", gen.num_post)
        with s.block(f"for (uint32_t _id_post = {first}; _id_post < {last}; _id_post++)"):
            s.line(f"const uint32_t _id_syn = _id_pre * {gen.num_post} + _id_post;")
            s.lines(body)
    else:
        raise NotImplementedError(
            f"Synapse group '{sg.name}': matrix type {sg.matrix_type.name} is not supported by "
            f"the single_threaded_cpu backend yet; use DENSE or SPARSE")


def _postsynaptic(plan, splan, factory, target) -> str:
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    _check_postsynaptic_supported(sg)
    s = CodeStream()
    for src, body in gen.event_phases("post"):
        with s.block():
            s.line(f"const uint32_t _numEvents = {src.count}[{src.slot}];")
            with s.block("for (uint32_t _e = 0; _e < _numEvents; _e++)"):
                index = "_e" if src.offset == "0" else f"{src.offset} + _e"
                s.line(f"const uint32_t _id_post = {src.events}[{index}];")
                if sg.matrix_type & Conn.SPARSE:
                    col_length = gen.arr(sg.name, "colLength", "colLength")
                    remap = gen.arr(sg.name, "remap", "remap")
                    col_stride = gen.f.value("colStride", T.Uint32, splan.col_stride)
                    with s.block(f"for (uint32_t _k = 0; _k < {col_length}[_id_post]; _k++)"):
                        s.line(f"const uint32_t _id_syn = {remap}[_id_post * {col_stride} + _k];")
                        s.line(f"const uint32_t _id_pre = _id_syn / {gen.row_stride};")
                        s.lines(body)
                else:
                    with s.block(f"for (uint32_t _id_pre = 0; _id_pre < {gen.num_pre}; "
                                 f"_id_pre++)"):
                        s.line(f"const uint32_t _id_syn = _id_pre * {gen.num_post} + _id_post;")
                        s.lines(body)
    return str(s)


def _check_postsynaptic_supported(sg):
    if not (sg.matrix_type & Conn.DENSE or sg.matrix_type & Conn.SPARSE):
        raise NotImplementedError(
            f"Synapse group '{sg.name}': postsynaptic learning (post_spike_syn_code / "
            f"post_event_syn_code) needs DENSE or SPARSE connectivity, not "
            f"{sg.matrix_type.name}")


def _synapse_dynamics(plan, splan, factory, target) -> str:
    gen = SynapseUpdateGenerator(plan, splan, factory, target)
    sg = splan.group
    body = gen.body("synapse_dynamics_code")
    s = CodeStream()
    with s.block(f"for (uint32_t _id_pre = 0; _id_pre < {gen.num_pre}; _id_pre++)"):
        _row_loop(s, gen, sg, body)
    return str(s)


# ---------------------------------------------------------------------- initialisation
def _init_code(plan, item, factory, target) -> str:
    gen = InitGenerator(plan, factory, target)
    s = CodeStream()
    group = item.group
    if hasattr(item, "num_delay_slots"):      # neuron group
        gen.neuron_shaped_vars(s, group.name, group.model.get_vars(), group.var_initialisers,
                               group.num_neurons, None)
    elif isinstance(item, _CurrentSourceItem):
        gen.neuron_shaped_vars(s, group.name, group.model.get_vars(), group.var_initialisers,
                               group.trg_pop.num_neurons, None)
    else:                                      # synapse group
        sg = group
        wu = sg.wu_initialiser
        ps = sg.ps_initialiser
        gen.neuron_shaped_vars(s, sg.name, ps.snippet.get_vars() if plan.owns_psm(sg) else [],
                               sg.ps_var_initialisers,
                               sg.trg.num_neurons, None)
        owns_pre = plan.wu_owner_of("pre", sg) == sg.name
        owns_post = plan.wu_owner_of("post", sg) == sg.name
        gen.neuron_shaped_vars(s, sg.name, wu.snippet.get_pre_vars() if owns_pre else [],
                               sg.wu_pre_var_initialisers, sg.src.num_neurons, None)
        gen.neuron_shaped_vars(s, sg.name, wu.snippet.get_post_vars() if owns_post else [],
                               sg.wu_post_var_initialisers,
                               sg.trg.num_neurons, None)
        gen.dense_vars(s, item)
        matrix_types.kernel_vars(gen, s, item)
    return str(s)


def _init_columns_code(plan, splan, factory, target) -> str:
    s = CodeStream()
    InitGenerator(plan, factory, target).column_structure(s, splan)
    return str(s)


def _init_sparse_code(plan, splan, factory, target) -> str:
    gen = InitGenerator(plan, factory, target)
    s = CodeStream()
    gen.sparse_connectivity(s, splan)
    matrix_types.bitmask_connectivity(gen, s, splan)
    gen.sparse_vars(s, splan)
    return str(s)


# ---------------------------------------------------------------------- assembly
def _merged_loops(s: CodeStream, merged_list) -> None:
    """Each merged group's code once per member, with ``_group`` pointing at its struct."""
    for m in merged_list:
        s.line(f"// {m.kind} merged group {m.index}: "
               + ", ".join(f"'{g.name}'" for g in m.members))
        with s.block(f"for (unsigned int _g = 0; _g < {len(m.members)}u; _g++)"):
            # a private copy: stores through the arrays cannot alias it, so the
            # compiler keeps pointers and sizes in registers
            s.line(f"const {m.struct_name} _groupCopy = {m.array_name}[_g];")
            s.line(f"const {m.struct_name} *const _group = &_groupCopy;")
            s.line("(void)_group;")
            s.lines(m.code)


def _assemble(plan, neuron_merged, pre_merged, post_merged, dyn_merged, den_merged, init_merged,
              sparse_merged, column_merged, threaded: bool = False,
              pre_threaded: bool = False, vectorised: bool = False,
              tuned: bool = False) -> str:
    """The translation unit; ``vectorised``: some neuron group's update has a vectorised
    state pass (neuron_split.py), so the neuron update is also compiled for AVX2; ``tuned``:
    the step has parallel regions, whose team size pygenn_step_time adapts."""
    s = CodeStream()
    s.lines(PRELUDE.format(name=plan.model.name, scalar=plan.precision.c_name,
                           timepoint=plan.time_precision.c_name,
                           cmath_using=CPP_USING_DECLARATIONS))
    s.lines(FLOAT_MODE_PRELUDE)
    if threaded:
        s.lines(OPENMP_PRELUDE)
    if plan.debug_code:
        s.lines(DEBUG_PRELUDE)
    s.lines(rng_source("cpu"))
    s.line('extern "C" {')
    s.line("uint64_t _seed = 0;")
    s.line("uint32_t _numRecordingTimesteps = 1;")
    s.line("int _initError = 0;")
    for phase in TIMED_PHASES:
        s.line(f"double pygenn_time_{phase} = 0.0;")
    all_merged = (neuron_merged + pre_merged + post_merged + dyn_merged + den_merged
                  + init_merged + sparse_merged + column_merged)
    for m in all_merged:
        s.lines(m.struct_definition())
        s.line(f"{m.struct_name} {m.array_name}[{len(m.members)}];")
        s.line(f"size_t {m.array_name}_size = sizeof({m.struct_name});")
    s.line('}')
    timed = plan.model.timing_enabled

    def function(name, merged_list, args, phase, extra_setup="", parallel=False,
                 avx2_clone=False):
        if avx2_clone:
            # a step phase (argument `_timestep`) compiled for AVX2 and for the baseline ISA,
            # picked at run time; the OpenMP regions inside inherit each copy's target
            # The float-mode scope is the dispatcher's: its control-word instructions (legacy
            # SSE) inside the AVX2 copy cost ~1.5 us per step (measured, dense workload)
            # (OpenMP workers copy it: the copies take it as an argument)
            clone_args = f"{args}, const PygennFloatMode &{FLOAT_MODE_VARIABLE}"
            s.line("#if PYGENN_AVX2_CLONE")
            emit(f"{name}_avx2", merged_list, clone_args, phase, extra_setup, parallel,
                 'static __attribute__((target("avx2")))', scoped=False)
            s.line("#endif")
            emit(f"{name}_baseline", merged_list, clone_args, phase, extra_setup, parallel,
                 "static", scoped=False)
            with s.block(f'extern "C" void {name}({args})'):
                s.line(FLOAT_MODE_SCOPE)
                s.line("#if PYGENN_AVX2_CLONE")
                s.line('static const bool _avx2 = __builtin_cpu_supports("avx2");')
                with s.block("if (_avx2)"):
                    s.line(f"{name}_avx2(_timestep, {FLOAT_MODE_VARIABLE});")
                    s.line("return;")
                s.line("#endif")
                s.line(f"{name}_baseline(_timestep, {FLOAT_MODE_VARIABLE});")
            return
        emit(name, merged_list, args, phase, extra_setup, parallel, 'extern "C"')

    def emit(name, merged_list, args, phase, extra_setup, parallel, prefix, scoped=True):
        with s.block(f'{prefix} void {name}({args})'):
            if scoped:
                s.line(FLOAT_MODE_SCOPE)
            if extra_setup:
                s.lines(extra_setup)
            if timed:
                s.line("const auto _start = std::chrono::steady_clock::now();")
            if parallel and merged_list:
                # every thread runs every group, each for its own targets (see _presynaptic);
                # one thread runs the serial variant outside any OpenMP region
                s.line("const int _team = pygenn_step_team();")
                with s.block("if (_team > 1)"):
                    s.line(f"#pragma omp parallel {TEAM_CLAUSES}")
                    with s.block():
                        s.line(THREAD_FLOAT_MODE_SCOPE)
                        s.line("constexpr bool _threaded = true;")
                        _merged_loops(s, merged_list)
                with s.block("else"):
                    s.line("constexpr bool _threaded = false;")
                    _merged_loops(s, merged_list)
            else:
                _merged_loops(s, merged_list)
            if timed:
                s.line(f"pygenn_time_{phase} += std::chrono::duration<double>("
                       f"std::chrono::steady_clock::now() - _start).count();")

    time_setup = (f"const timepoint _t = (timepoint)((double)_timestep * {plan.dt!r});\n"
                  "const uint32_t _batch = 0; (void)_batch; (void)_t;\n"
                  "const uint32_t _recordingRow = (uint32_t)(_timestep % "
                  "_numRecordingTimesteps); (void)_recordingRow;")
    for name, lst, phase in (("pygenn_dendritic_delay_update", den_merged, "synapse_dynamics"),
                             ("pygenn_synapse_dynamics", dyn_merged, "synapse_dynamics"),
                             ("pygenn_presynaptic_update", pre_merged, "presynaptic_update"),
                             ("pygenn_postsynaptic_update", post_merged, "postsynaptic_update"),
                             ("pygenn_neuron_update", neuron_merged, "neuron_update")):
        function(name, lst, "uint64_t _timestep", phase, time_setup,
                 parallel=pre_threaded and phase == "presynaptic_update",
                 avx2_clone=vectorised and phase == "neuron_update")
    with s.block('extern "C" void pygenn_step_time(uint64_t _timestep)'):
        s.line(FLOAT_MODE_SCOPE)
        if tuned:          # the step has parallel regions: their team size adapts
            s.line("pygenn_tune_begin();")
            s.line("const auto _tuneStart = std::chrono::steady_clock::now();")
        for name in ("pygenn_synapse_dynamics", "pygenn_presynaptic_update",
                     "pygenn_postsynaptic_update", "pygenn_neuron_update",
                     "pygenn_dendritic_delay_update"):
            s.line(f"{name}(_timestep);")
        if tuned:
            s.line("pygenn_tune_end(std::chrono::duration<double>("
                   "std::chrono::steady_clock::now() - _tuneStart).count());")
    function("pygenn_initialize", init_merged, "", "init")
    function("pygenn_initialize_sparse", sparse_merged, "", "init_sparse")
    function("pygenn_initialize_columns", column_merged, "", "init_sparse")
    return str(s)
