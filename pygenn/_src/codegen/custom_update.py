"""Custom updates: code generation shared by both backends (planning and
reference resolution are in ``custom_update_plan.py``).

``CustomUpdateGenerator`` renders one custom update as C code run by one thread (CPU) or by
every thread of a grid-stride loop (CUDA, ``parallel=True``):

* neuron-shaped updates iterate ``id`` over the referenced variables' elements; references to
  delayed variables act on the current delay slot (``spkQuePtr``), BROADCAST references write
  every slot;
* WU-shaped updates iterate over DENSE / SPARSE synapses (``id_pre``, ``id_post``, ``id_syn``)
  or over KERNEL entries (``id_syn`` = flat kernel index, ``id_kernel_<i>``);
* reductions (REDUCE_* variables and references) fold a write-only per-element local into an
  accumulator that starts at 0 (sum) or the type's lowest value (max) and then *overwrites* the
  target; on CUDA a neuron reduction folds each thread's accumulator with atomics into a target
  that a single-thread kernel has set to the identity first;
* a transposing WU reference writes ``back[id_post, id_pre] = fwd[id_pre, id_post]`` after the
  update code of each synapse (each element is handled by exactly one thread).

``generate_custom_updates`` merges identical updates per update group and launch stage; the
backends assemble the result (``cpu_source``, ``cuda_kernels``).
"""
from __future__ import annotations

import math
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from ..lang import types as T
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import SynapseMatrixWeight as Weight
from .custom_update_plan import (BATCH, ELEMENT, cu_var_dims, resolve_egp_ref,
                                 resolve_ref, synapse_elements, update_elements)
from .environments import EnvFactory
from .fields import GroupFields, c_literal
from .init import InitGenerator
from .merge import generate_merged
from .plan import device_initialised
from .stream import CodeStream

_READ_ONLY, _REDUCE, _SUM, _BROADCAST = 1, 4, 8, 32


@dataclass
class _Reduction:
    name: str
    type: object
    op: str                 # "sum" | "max"
    target: str             # C text of the target array
    index: str              # C index into the target (no reduced dims)
    reduced: int            # the dims reduced over


@dataclass
class _Write:
    name: str
    type: object
    cells: list             # C lvalues that receive the local's final value


class CustomUpdateGenerator:
    def __init__(self, plan, cuplan, factory: EnvFactory, target, parallel: bool):
        self.plan, self.cuplan, self.f, self.target = plan, cuplan, factory, target
        self.parallel = parallel
        self.cu = cuplan.group
        self.is_wu = cuplan.is_wu
        self.dims = int(self.cu.dims)
        self.batch_size = plan.batch_size
        self.num_batch = plan.batch_size if self.dims & BATCH else 1
        self.elem = "_id_syn" if self.is_wu else "_id"
        self.reductions: list[_Reduction] = []
        self.writes: list[_Write] = []
        self.transposes: list[str] = []

    # ---------------------------------------------------------------- helpers
    def index(self, dims: int, elements: int, slot: str | None = None, slots: int = 1) -> str:
        parts = []
        if dims & BATCH and self.batch_size > 1:
            parts.append(f"_batch * {elements * slots}u")
        if slot is not None:
            parts.append(f"{slot} * {elements}u")
        if dims & ELEMENT:
            parts.append(self.elem)
        return " + ".join(parts) or "0"

    def arr(self, field_name, numeric_type, owner, array) -> str:
        return self.f.array(field_name, numeric_type, owner, array)

    @property
    def reduction_kind(self) -> str | None:
        reduced = 0
        for r in self.reductions:
            reduced |= r.reduced
        if reduced & BATCH:
            return "batch"
        if reduced & ELEMENT:
            return "neuron"
        return "batch" if self.reductions else None

    # ---------------------------------------------------------------- environment
    def environment(self):
        plan, f, cu = self.plan, self.f, self.cu
        env = f.root()
        tp = plan.time_precision
        env.add_variable("dt", tp, read_only=True, c_text=c_literal(plan.dt, tp))
        env.add_variable("t", tp, read_only=True, c_text="_t")
        env.add_variable("batch", T.Uint32, read_only=True, c_text="_batch")
        env.add_variable("num_batch", T.Uint32, read_only=True,
                         c_text=c_literal(self.num_batch, T.Uint32))
        if self.is_wu:
            self._synapse_names(env)
        else:
            env.add_variable("id", T.Uint32, read_only=True, c_text="_id")
            env.add_variable("num_neurons", T.Uint32, read_only=True,
                             c_text=f.value("numNeurons", T.Uint32, cu.num_neurons))
        f.add_params(env, cu.model, cu.params, cu.dynamic_params, owner=cu.name)
        self._own_vars(env)
        self._var_refs(env)
        for name, ref in cu.egp_refs.items():
            owner, array = resolve_egp_ref(ref)
            etype = ref.type.resolve(plan.type_context)
            f.add_indexable(env, name, etype, f"egpRef_{name}", owner, array,
                            f"extra global parameter reference '{name}'")
        return env

    def _synapse_names(self, env):
        sg = self.cu.synapse_group
        f = self.f
        env.add_variable("id_syn", T.Uint32, read_only=True, c_text="_id_syn")
        env.add_variable("num_pre", T.Uint32, read_only=True,
                         c_text=f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons))
        env.add_variable("num_post", T.Uint32, read_only=True,
                         c_text=f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons))
        if sg.matrix_type & Weight.KERNEL:
            for i in range(len(sg.kernel_size)):
                env.add_variable(f"id_kernel_{i}", T.Uint32, read_only=True,
                                 c_text=f"_id_kernel_{i}")
        else:
            env.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
            env.add_variable("id_post", T.Uint32, read_only=True, c_text="_id_post")

    def _own_vars(self, env):
        cu, f = self.cu, self.f
        elements = update_elements(self.plan, cu, self.is_wu) if self.dims & ELEMENT else 1
        for var in cu.model.get_vars():
            dims = cu_var_dims(cu, var)
            vtype = f.var_type(var)
            array = self.arr(f"var_{var.name}", vtype, cu.name, var.name)
            index = self.index(dims, elements if dims & ELEMENT else 1)
            access = int(var.access)
            if access & _REDUCE:
                env.add_variable(var.name, vtype, write_only=True, c_text=f"_lr_{var.name}")
                self.reductions.append(_Reduction(
                    var.name, vtype, "sum" if access & _SUM else "max", array, index,
                    self.dims & access & (ELEMENT | BATCH)))
            elif access & _BROADCAST:
                # BROADCAST_DELAY: custom update variables have one slot, so one write
                env.add_variable(var.name, vtype, write_only=True, c_text=f"_lw_{var.name}")
                self.writes.append(_Write(var.name, vtype, [f"{array}[{index}]"]))
            else:
                env.add_variable(var.name, vtype, read_only=bool(access == _READ_ONLY
                                                                 or access & _READ_ONLY),
                                 c_text=f"{array}[{index}]")

    def _var_refs(self, env):
        plan, cu = self.plan, self.cu
        for decl in cu.model.get_var_refs():
            name = decl.name
            ref = cu.var_refs[name]
            rtype = decl.type.resolve(plan.type_context)
            target = resolve_ref(plan, ref)
            array = self.arr(f"ref_{name}", rtype, target.owner, target.array)
            slot = None
            if target.pointer is not None:
                pointer = self.arr(f"refPtr_{name}", T.Uint32, *target.pointer)
                slot = f"{pointer}[0]"
                if getattr(ref, "kind", None) == "den_delay":
                    # between steps the ring already points at the next step's slot; GeNN's
                    # reference means the slot the last step consumed
                    slot = f"(({slot} + {target.slots - 1}u) % {target.slots}u)"
            index = self.index(target.dims, target.elements, slot, target.slots)
            mode = int(decl.access)
            if mode & _REDUCE:
                env.add_variable(name, rtype, write_only=True, c_text=f"_lr_{name}")
                self.reductions.append(_Reduction(
                    name, rtype, "sum" if mode & _SUM else "max", array, index,
                    self.dims & ~target.dims & (ELEMENT | BATCH)))
            elif mode & _BROADCAST:
                env.add_variable(name, rtype, write_only=True, c_text=f"_lw_{name}")
                cells = [f"{array}[{self.index(target.dims, target.elements, f'{s}u', target.slots)}]"
                         for s in range(target.slots)] if target.slots > 1 else \
                    [f"{array}[{index}]"]
                self.writes.append(_Write(name, rtype, cells))
            else:
                env.add_variable(name, rtype, read_only=mode == _READ_ONLY,
                                 c_text=f"{array}[{index}]")
            if getattr(ref, "transpose_group", None) is not None:
                self._transpose(ref, rtype, f"{array}[{index}]")

    def _transpose(self, ref, rtype, forward: str):
        back_sg = ref.transpose_group
        num_pre = self.cu.synapse_group.src.num_neurons
        back = self.arr(f"transpose_{ref.transpose_var_name}", rtype, back_sg.name,
                        ref.transpose_var_name)
        batch = ""
        if int(ref.transpose_dims) & BATCH and self.batch_size > 1:
            batch = f"_batch * {synapse_elements(self.plan, back_sg)}u + "
        self.transposes.append(f"{back}[{batch}_id_post * {num_pre}u + _id_pre] = {forward};")

    # ---------------------------------------------------------------- loops
    @contextmanager
    def element_loop(self, s: CodeStream):
        """Scope(s) in which the element indices of one update element are defined."""
        with ExitStack() as stack:
            if not self.dims & ELEMENT:
                stack.enter_context(s.block(self._loop("_e", "1u")))
                if self.is_wu:
                    s.line("const uint32_t _id_syn = 0, _id_pre = 0, _id_post = 0;")
                else:
                    s.line("const uint32_t _id = 0;")
            elif not self.is_wu:
                stack.enter_context(s.block(self._loop("_id", self.f.value(
                    "numNeurons", T.Uint32, self.cu.num_neurons))))
            else:
                self._synapse_loop(s, stack)
            yield

    def _loop(self, index: str, count: str, wide: bool = False) -> str:
        itype = "uint64_t" if wide else "uint32_t"
        if self.parallel:
            return f"for ({itype} {index} = _lid; {index} < {count}; {index} += _numThreads)"
        return f"for ({itype} {index} = 0; {index} < {count}; {index}++)"

    def _synapse_loop(self, s, stack):
        sg = self.cu.synapse_group
        f = self.f
        num_pre = f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons)
        num_post = f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons)
        if sg.matrix_type & Weight.KERNEL:
            sizes = list(sg.kernel_size)
            total = f.value("kernelCount", T.Uint32, math.prod(sizes))
            stack.enter_context(s.block(self._loop("_id_syn", total)))
            rest = "_id_syn"
            for i in reversed(range(len(sizes))):
                s.line(f"const uint32_t _id_kernel_{i} = {rest} % {sizes[i]}u;")
                if i:
                    s.line(f"const uint32_t _rest{i} = {rest} / {sizes[i]}u;")
                    rest = f"_rest{i}"
            return
        sparse = bool(sg.matrix_type & Conn.SPARSE)
        stride = (f.value("rowStride", T.Uint32, self.plan.synapses[sg.name].row_stride)
                  if sparse else num_post)
        if self.parallel:
            stack.enter_context(s.block(self._loop("_k", f"(uint64_t){num_pre} * {stride}",
                                                   wide=True)))
            s.line(f"const uint32_t _id_pre = (uint32_t)(_k / {stride});")
            s.line(f"const uint32_t _j = (uint32_t)(_k % {stride});")
            if sparse:
                row_length = self.arr("rowLength", T.Uint32, sg.name, "rowLength")
                stack.enter_context(s.block(f"if (_j < {row_length}[_id_pre])"))
        else:
            stack.enter_context(s.block(self._loop("_id_pre", num_pre)))
            if sparse:
                row_length = self.arr("rowLength", T.Uint32, sg.name, "rowLength")
                stack.enter_context(s.block(f"for (uint32_t _j = 0; _j < "
                                            f"{row_length}[_id_pre]; _j++)"))
            else:
                stack.enter_context(s.block(self._loop("_j", num_post)))
        s.line(f"const uint32_t _id_syn = _id_pre * {stride} + _j;")
        if sparse:
            ind = self.arr("ind", T.Uint32, sg.name, "ind")
            s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
        else:
            s.line("const uint32_t _id_post = _j;")

    def batch_loop(self, s):
        return s.block(f"for (uint32_t _batch = 0; _batch < {self.num_batch}u; _batch++)")

    # ---------------------------------------------------------------- code
    def identity(self, r: _Reduction) -> str:
        return c_literal(0 if r.op == "sum" else r.type.lowest, r.type)

    def update_code(self) -> str:
        env = self.environment()
        code = self.cuplan.code
        text = code.print(env, self.target.dialect) if code is not None else ""
        s = CodeStream()
        if self.reduction_kind == "batch":
            with self.element_loop(s):
                for r in self.reductions:
                    s.line(f"{r.type.c_name} _acc_{r.name} = {self.identity(r)};")
                with self.batch_loop(s):
                    self._body(s, text)
                s.line("const uint32_t _batch = 0; (void)_batch;")
                for r in self.reductions:
                    s.line(f"{r.target}[{r.index}] = _acc_{r.name};")
        else:
            with self.batch_loop(s):
                for r in self.reductions:
                    s.line(f"{r.type.c_name} _acc_{r.name} = {self.identity(r)};")
                with self.element_loop(s):
                    self._body(s, text)
                for r in self.reductions:
                    cell = f"{r.target}[{r.index}]"
                    if self.parallel:
                        s.lines(atomic_fold(cell, f"_acc_{r.name}", r.type, r.op))
                    else:
                        s.line(f"{cell} = _acc_{r.name};")
        return str(s)

    def _body(self, s, text: str):
        with s.block():
            for r in self.reductions:
                s.line(f"{r.type.c_name} _lr_{r.name} = {self.identity(r)};")
            for w in self.writes:
                s.line(f"{w.type.c_name} _lw_{w.name} = {c_literal(0, w.type)};")
            if text:
                model = self.cu.model
                s.user_code(f"custom update model '{getattr(model, 'name', type(model).__name__)}'"
                            " update_code", text)
            for r in self.reductions:
                if r.op == "sum":
                    s.line(f"_acc_{r.name} += _lr_{r.name};")
                else:
                    s.line(f"_acc_{r.name} = (_lr_{r.name} > _acc_{r.name}) ? _lr_{r.name} : "
                           f"_acc_{r.name};")
            for w in self.writes:
                for cell in w.cells:
                    s.line(f"{cell} = _lw_{w.name};")
            for line in self.transposes:
                s.line(line)

    def reduce_init_code(self) -> str:
        """CUDA: set neuron-reduction targets to the identity before atomics fold into them."""
        self.environment()
        if self.reduction_kind != "neuron":
            return ""
        s = CodeStream()
        with s.block("if (_lid == 0)"):
            with self.batch_loop(s):
                for r in self.reductions:
                    s.line(f"{r.target}[{r.index}] = {self.identity(r)};")
        return str(s)

    # ---------------------------------------------------------------- initialisation
    def init_code(self, sparse_phase: bool) -> str:
        """Initialisation of the update's own variables (SPARSE ones after connectivity)."""
        s = CodeStream()
        cu = self.cu
        gen = InitGenerator(self.plan, self.f, self.target)
        for var in cu.model.get_vars():
            init = cu.var_initialisers.get(var.name)
            if not device_initialised(init):
                continue
            dims = cu_var_dims(cu, var)
            if not self.is_wu or not dims & ELEMENT:
                if sparse_phase:
                    continue
                num = update_elements(self.plan, cu, self.is_wu) if dims & ELEMENT else 1
                gen.neuron_shaped_vars(s, cu.name, [var], cu.var_initialisers, num, None)
                continue
            sg = cu.synapse_group
            sparse = bool(sg.matrix_type & Conn.SPARSE) and not sg.matrix_type & Weight.KERNEL
            if sparse != sparse_phase:
                continue
            if sg.matrix_type & Weight.KERNEL:
                self._kernel_var_init(s, gen, var, init)
            else:
                self._synapse_var_init(s, gen, var, init, sparse)
        return str(s)

    def _kernel_var_init(self, s, gen, var, init):
        cu, f = self.cu, self.f
        spec = self.plan.arrays[(cu.name, var.name)]
        field_name = f"init_{var.name}"
        array = f.array(field_name, spec.numeric_type, cu.name, var.name)
        kernel = math.prod(cu.synapse_group.kernel_size)
        count = f.value("kernelCount", T.Uint32, kernel)
        copies = spec.count // max(kernel, 1)

        def extra(env):
            env.add_variable("id_kernel", T.Uint32, read_only=True, c_text="_id_kernel")

        with s.block(self.target.element_loop("_id_kernel", count)):
            s.line("const uint32_t _id = _id_kernel;")
            gen._value_code(s, init, spec.numeric_type, cu.name, var.name, f"{field_name}_",
                            extra, f"Variable '{var.name}' of custom update '{cu.name}' "
                                   f"init code")
            gen.store_in_every_copy(s, array, "_id_kernel", copies, f"{kernel}u")

    def _synapse_var_init(self, s, gen, var, init, sparse: bool):
        cu, f = self.cu, self.f
        sg = cu.synapse_group
        splan = self.plan.synapses[sg.name]
        spec = self.plan.arrays[(cu.name, var.name)]
        field_name = f"init_{var.name}"
        array = f.array(field_name, spec.numeric_type, cu.name, var.name)
        num_pre = f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons)
        num_post = f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons)
        stride = f.value("rowStride", T.Uint32, splan.row_stride)
        per_batch = sg.src.num_neurons * splan.row_stride
        copies = spec.count // max(per_batch, 1)

        def extra(env):
            for name in ("id_pre", "id_post", "id_syn"):
                env.add_variable(name, T.Uint32, read_only=True, c_text=f"_{name}")
            env.add_variable("num_pre", T.Uint32, read_only=True, c_text=num_pre)
            env.add_variable("num_post", T.Uint32, read_only=True, c_text=num_post)

        with s.block(self.target.element_loop("_id_pre", num_pre)):
            if sparse:
                row_length = f.array("rowLength", T.Uint32, sg.name, "rowLength")
                header = f"for (uint32_t _j = 0; _j < {row_length}[_id_pre]; _j++)"
            else:
                header = f"for (uint32_t _j = 0; _j < {num_post}; _j++)"
            with s.block(header):
                s.line(f"const uint32_t _id_syn = _id_pre * {stride} + _j;")
                if sparse:
                    ind = f.array("ind", self.plan.arrays[(sg.name, "ind")].numeric_type,
                                  sg.name, "ind")
                    s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
                else:
                    s.line("const uint32_t _id_post = _j;")
                s.line("const uint32_t _id = _id_syn;")
                gen._value_code(s, init, spec.numeric_type, cu.name, var.name,
                                f"{field_name}_", extra,
                                f"Variable '{var.name}' of custom update '{cu.name}' init code")
                gen.store_in_every_copy(s, array, "_id_syn", copies, f"{per_batch}u")


def atomic_fold(cell: str, value: str, numeric_type, op: str) -> str:
    """CUDA: fold ``value`` into ``cell`` atomically (sum or max)."""
    name = numeric_type.name
    if op == "sum":
        if name in ("float", "double", "int32_t", "uint32_t", "uint64_t"):
            cast = "unsigned long long*" if name == "uint64_t" else None
            address = f"({cast})&{cell}" if cast else f"&{cell}"
            return f"atomicAdd({address}, {value});"
        raise NotImplementedError(f"custom update sum reductions of type {name} are not "
                                  f"supported on the cuda backend")
    if name in ("int32_t", "uint32_t"):
        return f"atomicMax(&{cell}, {value});"
    if name in ("float", "double"):
        bits, to_bits, from_bits = (("unsigned int", "__float_as_uint", "__uint_as_float")
                                    if name == "float" else
                                    ("unsigned long long", "__double_as_longlong",
                                     "__longlong_as_double"))
        conv = "" if name == "float" else "(unsigned long long)"
        return (f"{{\n"
                f"    {bits} *const _address = ({bits}*)&{cell};\n"
                f"    {bits} _current = *_address;\n"
                f"    while ({value} > {from_bits}(_current)) {{\n"
                f"        const {bits} _previous = atomicCAS(_address, _current, "
                f"{conv}{to_bits}({value}));\n"
                f"        if (_previous == _current) break;\n"
                f"        _current = _previous;\n"
                f"    }}\n"
                f"}}")
    raise NotImplementedError(f"custom update max reductions of type {name} are not supported "
                              f"on the cuda backend")


# ============================================================================== merging
@dataclass
class CustomUpdateCode:
    """Merged groups of every update group, by launch stage, plus the variables' init."""

    group_names: list                                  # update group names, sorted
    stages: dict = field(default_factory=dict)         # update group -> [(stage, [Merged])]
    init_merged: list = field(default_factory=list)
    sparse_merged: list = field(default_factory=list)

    @property
    def update_merged(self) -> list:
        return [m for stages in self.stages.values() for _, ms in stages for m in ms]

    @property
    def all_merged(self) -> list:
        return self.update_merged + self.init_merged + self.sparse_merged


def _non_empty(plan, items, generate) -> list:
    return [item for item in items if generate(item, EnvFactory(plan, GroupFields())).strip()]


def generate_custom_updates(plan, target, parallel: bool) -> CustomUpdateCode:
    cuplans = list(getattr(plan, "custom_updates", {}).values())
    names = sorted({p.group.update_group_name for p in cuplans})
    result = CustomUpdateCode(names)

    def gen(p, f):
        return CustomUpdateGenerator(plan, p, f, target, parallel)

    for k, group_name in enumerate(names):
        members = [p for p in cuplans if p.group.update_group_name == group_name]
        stages = []
        if parallel:
            reduce_init = _non_empty(plan, members, lambda p, f: gen(p, f).reduce_init_code())
            stages.append(("reduce_init", generate_merged(
                plan, f"CU{k}ReduceInit", reduce_init,
                lambda p, f: gen(p, f).reduce_init_code())))
        stages.append(("neuron", generate_merged(
            plan, f"CU{k}Neuron", [p for p in members if not p.is_wu],
            lambda p, f: gen(p, f).update_code())))
        stages.append(("wu", generate_merged(
            plan, f"CU{k}WU", [p for p in members if p.is_wu],
            lambda p, f: gen(p, f).update_code())))
        result.stages[group_name] = stages
    for sparse_phase, kind in ((False, "CustomUpdateInit"), (True, "CustomUpdateInitSparse")):
        def init(p, f, sparse_phase=sparse_phase):
            return gen(p, f).init_code(sparse_phase)
        merged = generate_merged(plan, kind, _non_empty(plan, cuplans, init), init)
        if sparse_phase:
            result.sparse_merged = merged
        else:
            result.init_merged = merged
    return result


def max_threads(plan, cuplan) -> int:
    return update_elements(plan, cuplan.group, cuplan.is_wu)


def init_threads(plan, cuplan) -> int:
    cu = cuplan.group
    if cuplan.is_wu:
        sg = cu.synapse_group
        if sg.matrix_type & Weight.KERNEL:
            return math.prod(sg.kernel_size)
        return max(sg.src.num_neurons, 1)
    return max(cu.num_neurons, 1)


# ============================================================================== CPU assembly
def cpu_source(plan, code: CustomUpdateCode) -> str:
    """Struct arrays of the update stages and one exported function per update group."""
    s = CodeStream()
    s.line('extern "C" {')
    for m in code.update_merged:
        s.lines(m.struct_definition())
        s.line(f"{m.struct_name} {m.array_name}[{max(len(m.members), 1)}];")
        s.line(f"size_t {m.array_name}_size = sizeof({m.struct_name});")
    for name in code.group_names:
        s.line(f"double pygenn_time_custom_update_{name} = 0.0;")
        s.line(f"double pygenn_time_custom_update_transpose_{name} = 0.0;")
    s.line("}")
    timed = plan.model.timing_enabled
    for name in code.group_names:
        with s.block(f'extern "C" void pygenn_custom_update_{name}(uint64_t _timestep)'):
            # subnormals flushed while it runs (backends/cpu_preludes.py, FLOAT_MODE_PRELUDE)
            s.line("PygennFloatMode _floatMode;")
            s.line(f"const timepoint _t = (timepoint)((double)_timestep * {plan.dt!r});")
            s.line("(void)_t;")
            if timed:
                s.line("const auto _start = std::chrono::steady_clock::now();")
            for stage, merged_list in code.stages[name]:
                for m in merged_list:
                    s.line(f"// custom update group '{name}', {stage}: "
                           + ", ".join(f"'{g.name}'" for g in m.members))
                    with s.block(f"for (unsigned int _g = 0; _g < {len(m.members)}u; _g++)"):
                        s.line(f"{m.struct_name} *const _group = &{m.array_name}[_g];")
                        s.line("(void)_group;")
                        s.lines(m.code)
            if timed:
                s.line(f"pygenn_time_custom_update_{name} += std::chrono::duration<double>("
                       f"std::chrono::steady_clock::now() - _start).count();")
    return str(s)


# ============================================================================== CUDA kernels
def cuda_kernels(plan, code: CustomUpdateCode, kernel_class):
    """Kernels: (update group -> [Kernel] in launch order, init kernels, sparse init kernels)."""
    by_group = {}
    for name in code.group_names:
        kernels = []
        for stage, merged_list in code.stages[name]:
            for m in merged_list:
                single = stage == "reduce_init"
                size = 1 if single else max(max_threads(plan, p) for p in m.members)
                kernels.append(kernel_class(f"{m.kind}Group{m.index}", "custom_update", m, size,
                                            single))
        by_group[name] = kernels
    init = [kernel_class(f"{m.kind}Group{m.index}", "init", m,
                         max(init_threads(plan, p) for p in m.members))
            for m in code.init_merged]
    sparse = [kernel_class(f"{m.kind}Group{m.index}", "init_sparse", m,
                           max(init_threads(plan, p) for p in m.members))
              for m in code.sparse_merged]
    return by_group, init, sparse
