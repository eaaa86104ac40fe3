"""Custom connectivity updates (CCUs): code generation (the plan's side, parsing and arrays,
is ``custom_connectivity_plan.py``).

Row update code runs once per presynaptic row (one thread per row on CUDA, so a row is only ever
changed by the thread that owns it). ``for_each_synapse`` walks the row with a signed index;
``remove_synapse()`` copies the row's last synapse (its index and *every* per-synapse array
attached to the synapse group, all batches) over the current one, shortens the row and steps the
index back so the moved synapse is visited next. ``add_synapse(post, ...)`` appends at
``rowLength``: the CCU's own vars and its synaptic var references get the given values (every
batch), all other "dependent" per-synapse arrays get 0. A full row sets ``_initError = 3`` instead
of writing past the row (the runtime raises).

Host update code is C++ run on the host before the rows: on the CPU backend it is part of the
model library; on CUDA it is compiled into a small host library (system compiler) whose struct
points at the numpy host copies; ``push<X>ToDevice``/``pull<X>FromDevice`` call back into the
runtime through a function pointer (no-ops on the CPU backend, where the pointer is null).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import contract, param_arrays
from ..lang import ForEachSynapse
from ..lang import types as T
from ..lang.stdlib import CPP_USING_DECLARATIONS
from .custom_connectivity_plan import (BATCH, ELEMENT, _var_dims,
                                       dependent_arrays)
from .custom_update_plan import resolve_egp_ref, resolve_ref
from .environments import EnvFactory
from .fields import GroupFields, MergedGroup, c_literal
from .init import InitGenerator
from .merge import generate_merged
from ..contract import stream_id
from .plan import device_initialised
from .stream import CodeStream

_READ_ONLY = 1


# ============================================================================== row update
class RowUpdateGenerator:
    def __init__(self, plan, ccuplan, factory: EnvFactory, target, parallel: bool):
        self.plan, self.cp, self.f, self.target = plan, ccuplan, factory, target
        self.parallel = parallel
        self.ccu = ccuplan.group
        self.sg = self.ccu.synapse_group
        self.splan = plan.synapses[self.sg.name]

    def arr(self, field_name, numeric_type, owner, array) -> str:
        return self.f.array(field_name, numeric_type, owner, array)

    # ---------------------------------------------------------------- common names
    def _common(self, env):
        f, sg, plan = self.f, self.sg, self.plan
        tp = plan.time_precision
        env.add_variable("dt", tp, read_only=True, c_text=c_literal(plan.dt, tp))
        env.add_variable("t", tp, read_only=True, c_text="_t")
        env.add_variable("num_pre", T.Uint32, read_only=True,
                         c_text=f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons))
        env.add_variable("num_post", T.Uint32, read_only=True,
                         c_text=f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons))
        env.add_variable("row_stride", T.Uint32, read_only=True, c_text=self.stride)
        f.add_params(env, self.ccu.model, self.ccu.params, self.ccu.dynamic_params,
                     owner=self.ccu.name)
        for name, ref in self.ccu.egp_refs.items():
            owner, array = resolve_egp_ref(ref)
            etype = ref.type.resolve(plan.type_context)
            f.add_indexable(env, name, etype, f"egpRef_{name}", owner, array,
                            f"extra global parameter reference '{name}'")

    @property
    def stride(self) -> str:
        return self.f.value("rowStride", T.Uint32, self.splan.row_stride)

    def _neuron_ref(self, name, ref, index_var):
        target = resolve_ref(self.plan, ref)
        rtype = ref.type.resolve(self.plan.type_context)
        array = self.arr(f"ref_{name}", rtype, target.owner, target.array)
        parts = []
        if target.pointer is not None:
            pointer = self.arr(f"refPtr_{name}", T.Uint32, *target.pointer)
            parts.append(f"{pointer}[0] * {target.elements}u")
        if target.dims & ELEMENT:
            parts.append(index_var)
        return rtype, f"{array}[{' + '.join(parts) or '0'}]"

    # ---------------------------------------------------------------- row code
    def environment(self):
        f, ccu = self.f, self.ccu
        env = f.root()
        self._common(env)
        env.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
        row_length = self.arr("rowLength", T.Uint32, self.sg.name, "rowLength")
        env.add_variable("row_length", T.Uint32, read_only=True,
                         c_text=f"{row_length}[_id_pre]")
        for var in ccu.model.get_pre_vars():
            vtype = f.var_type(var)
            array = self.arr(f"pre_{var.name}", vtype, ccu.name, var.name)
            index = "_id_pre" if _var_dims(var) & ELEMENT else "0"
            env.add_variable(var.name, vtype, read_only=bool(int(var.access) & _READ_ONLY),
                             c_text=f"{array}[{index}]")
        for decl in ccu.model.get_pre_var_refs():
            rtype, text = self._neuron_ref(f"pre_{decl.name}", ccu.pre_var_refs[decl.name],
                                           "_id_pre")
            env.add_variable(decl.name, rtype, read_only=int(decl.access) == _READ_ONLY,
                             c_text=text)
        if self.cp.row is not None and self.cp.row.uses_rng:
            f.add_rng(env)
        self._add_synapse(env)
        env.for_each_synapse = ForEachSynapse(self._loop_environment, self._render_loop)
        return env

    def _synapse_arrays(self):
        """(C array text, numeric type, batches, role) of every dependent array; role is the
        add_synapse argument index or None (zeroed)."""
        ccu, plan = self.ccu, self.plan
        args = {}
        position = 1
        for var in ccu.model.get_vars():
            args[(ccu.name, var.name)] = position
            position += 1
        for decl in ccu.model.get_var_refs():
            target = resolve_ref(plan, ccu.var_refs[decl.name])
            args.setdefault((target.owner, target.array), position)
            position += 1
        result = []
        for k, (owner, array, batches) in enumerate(dependent_arrays(plan, self.sg)):
            spec = plan.arrays[(owner, array)]
            text = self.arr(f"dep{k}", spec.numeric_type, owner, array)
            result.append((text, spec.numeric_type, batches, args.get((owner, array))))
        return result

    def _per_batch(self) -> int:
        return self.sg.src.num_neurons * self.splan.row_stride

    def _add_synapse(self, env):
        ccu, plan = self.ccu, self.plan
        ctx = plan.type_context
        types = [T.Uint32] + [v.type.resolve(ctx) for v in ccu.model.get_vars()]
        types += [d.type.resolve(ctx) for d in ccu.model.get_var_refs()]
        row_length = self.arr("rowLength", T.Uint32, self.sg.name, "rowLength")
        ind_spec = plan.arrays[(self.sg.name, "ind")]
        ind = self.arr("ind", ind_spec.numeric_type, self.sg.name, "ind")
        per_batch = self._per_batch()
        # every argument is evaluated exactly once, before the row changes
        parts = [f"const {t.c_name} _arg{i} = ({t.c_name})($({i}));"
                 for i, t in enumerate(types)]
        parts += [f"const uint32_t _newLen = {row_length}[_id_pre];",
                  f"if (_newLen >= {self.stride}) {{ _initError = {contract.ROW_FULL}; }}",
                  "else {",
                  f"const uint32_t _new = _id_pre * {self.stride} + _newLen;",
                  f"{ind}[_new] = ({ind_spec.numeric_type.c_name})_arg0;"]
        for text, ntype, batches, arg in self._synapse_arrays():
            value = c_literal(0, ntype) if arg is None else f"({ntype.c_name})_arg{arg}"
            for b in range(batches):
                offset = f"{b * per_batch}u + " if b else ""
                parts.append(f"{text}[{offset}_new] = {value};")
        parts += [f"{row_length}[_id_pre] = _newLen + 1u;", "}"]
        template = "do { " + " ".join(parts) + " } while (0)"
        env.add_function("add_synapse", [(None, types, False)], template)

    def _loop_environment(self, outer):
        ccu, plan, f = self.ccu, self.plan, self.f
        env = outer.child()
        env.add_variable("id_post", T.Uint32, read_only=True, c_text="_id_post")
        env.add_variable("id_syn", T.Uint32, read_only=True, c_text="_id_syn")
        for var in ccu.model.get_vars():
            vtype = f.var_type(var)
            array = self.arr(f"var_{var.name}", vtype, ccu.name, var.name)
            index = "_id_syn" if _var_dims(var) & ELEMENT else "0"
            env.add_variable(var.name, vtype, read_only=bool(int(var.access) & _READ_ONLY),
                             c_text=f"{array}[{index}]")
        for decl in ccu.model.get_var_refs():
            ref = ccu.var_refs[decl.name]
            if plan.batch_size > 1 and int(ref.dims) & BATCH:
                continue        # batched references are only settable through add_synapse
            target = resolve_ref(plan, ref)
            rtype = decl.type.resolve(plan.type_context)
            array = self.arr(f"ref_{decl.name}", rtype, target.owner, target.array)
            index = "_id_syn" if target.dims & ELEMENT else "0"
            env.add_variable(decl.name, rtype, read_only=int(decl.access) == _READ_ONLY,
                             c_text=f"{array}[{index}]")
        for var in ccu.model.get_post_vars():
            vtype = f.var_type(var)
            array = self.arr(f"post_{var.name}", vtype, ccu.name, var.name)
            index = "_id_post" if _var_dims(var) & ELEMENT else "0"
            env.add_variable(var.name, vtype, read_only=True, c_text=f"{array}[{index}]")
        for decl in ccu.model.get_post_var_refs():
            rtype, text = self._neuron_ref(f"post_{decl.name}", ccu.post_var_refs[decl.name],
                                           "_id_post")
            env.add_variable(decl.name, rtype, read_only=True, c_text=text)
        row_length = self.arr("rowLength", T.Uint32, self.sg.name, "rowLength")
        ind_spec = plan.arrays[(self.sg.name, "ind")]
        ind = self.arr("ind", ind_spec.numeric_type, self.sg.name, "ind")
        per_batch = self._per_batch()
        parts = [f"const uint32_t _last = _id_pre * {self.stride} + {row_length}[_id_pre] - 1u;",
                 f"{ind}[_id_syn] = {ind}[_last];"]
        for text, _, batches, _ in self._synapse_arrays():
            for b in range(batches):
                offset = f"{b * per_batch}u + " if b else ""
                parts.append(f"{text}[{offset}_id_syn] = {text}[{offset}_last];")
        parts += [f"{row_length}[_id_pre]--;", "_j--;"]
        env.add_function("remove_synapse", [(None, [], False)],
                         "do { " + " ".join(parts) + " } while (0)")
        return env

    def _render_loop(self, body: str) -> str:
        row_length = self.arr("rowLength", T.Uint32, self.sg.name, "rowLength")
        ind_spec = self.plan.arrays[(self.sg.name, "ind")]
        ind = self.arr("ind", ind_spec.numeric_type, self.sg.name, "ind")
        s = CodeStream()
        with s.block(f"for (int64_t _j = 0; _j < (int64_t){row_length}[_id_pre]; _j++)"):
            s.line(f"const uint32_t _id_syn = _id_pre * {self.stride} + (uint32_t)_j;")
            s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
            s.line("(void)_id_syn; (void)_id_post;")
            s.lines(body)
        return str(s).rstrip("\n")

    def row_code(self) -> str:
        code = self.cp.row
        if code is None:
            return ""
        env = self.environment()
        text = code.print(env, self.target.dialect)
        s = CodeStream()
        num_pre = self.f.value("numSrcNeurons", T.Uint32, self.sg.src.num_neurons)
        with s.block(self.target.element_loop("_id_pre", num_pre)):
            if code.uses_rng:
                stream = self.f.value("rngStream", T.Uint32, stream_id(self.ccu.name, "row"))
                s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, _id_pre, "
                       f"_timestep);")
            s.user_code(f"custom connectivity update '{self.ccu.name}' row_update_code", text)
        return str(s)

    # ---------------------------------------------------------------- initialisation
    def init_code(self, sparse_phase: bool) -> str:
        s = CodeStream()
        ccu, sg = self.ccu, self.sg
        gen = InitGenerator(self.plan, self.f, self.target)
        if not sparse_phase:
            gen.neuron_shaped_vars(s, ccu.name, ccu.model.get_pre_vars(),
                                   ccu.pre_var_initialisers, sg.src.num_neurons, None)
            gen.neuron_shaped_vars(s, ccu.name, ccu.model.get_post_vars(),
                                   ccu.post_var_initialisers, sg.trg.num_neurons, None)
            shared = [v for v in ccu.model.get_vars() if not _var_dims(v) & ELEMENT]
            gen.neuron_shaped_vars(s, ccu.name, shared, ccu.var_initialisers, 1, None)
            return str(s)
        for var in ccu.model.get_vars():
            init = ccu.var_initialisers.get(var.name)
            if device_initialised(init) and _var_dims(var) & ELEMENT:
                self._synapse_var_init(s, gen, var, init)
        return str(s)

    def _synapse_var_init(self, s, gen, var, init):
        ccu, f, sg = self.ccu, self.f, self.sg
        spec = self.plan.arrays[(ccu.name, var.name)]
        field_name = f"init_{var.name}"
        array = f.array(field_name, spec.numeric_type, ccu.name, var.name)
        num_pre = f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons)
        num_post = f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons)

        def extra(env):
            for name in ("id_pre", "id_post", "id_syn"):
                env.add_variable(name, T.Uint32, read_only=True, c_text=f"_{name}")
            env.add_variable("num_pre", T.Uint32, read_only=True, c_text=num_pre)
            env.add_variable("num_post", T.Uint32, read_only=True, c_text=num_post)

        row_length = f.array("rowLength", T.Uint32, sg.name, "rowLength")
        ind = f.array("ind", self.plan.arrays[(sg.name, "ind")].numeric_type, sg.name, "ind")
        with s.block(self.target.element_loop("_id_pre", num_pre)):
            with s.block(f"for (uint32_t _j = 0; _j < {row_length}[_id_pre]; _j++)"):
                s.line(f"const uint32_t _id_syn = _id_pre * {self.stride} + _j;")
                s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
                s.line("const uint32_t _id = _id_syn;")
                gen._value_code(s, init, spec.numeric_type, ccu.name, var.name,
                                f"{field_name}_", extra,
                                f"Variable '{var.name}' of custom connectivity update "
                                f"'{ccu.name}' init code")
                s.line(f"{array}[_id_syn] = _value;")


# ============================================================================== host update
class HostUpdateGenerator:
    """Host code of one CCU; arrays are host pointers, push/pull go through ``_copy``."""

    def __init__(self, plan, ccuplan, factory: EnvFactory):
        self.plan, self.cp, self.f = plan, ccuplan, factory
        self.ccu = ccuplan.group
        self.sg = self.ccu.synapse_group

    def _copy_id(self, owner, array, is_egp) -> int:
        key = (owner, array, is_egp)
        if key not in self.cp.copy_targets:
            self.cp.copy_targets.append(key)
        return self.cp.copy_targets.index(key)

    def environment(self):
        f, ccu, sg, plan = self.f, self.ccu, self.sg, self.plan
        ctx = plan.type_context
        env = f.root()
        tp = plan.time_precision
        env.add_variable("dt", tp, read_only=True, c_text=c_literal(plan.dt, tp))
        env.add_variable("t", tp, read_only=True, c_text="_t")
        env.add_variable("num_pre", T.Uint32, read_only=True,
                         c_text=c_literal(sg.src.num_neurons, T.Uint32))
        # GeNN 5.4 gives the source size here (a GeNN bug); the target size is meant
        env.add_variable("num_post", T.Uint32, read_only=True,
                         c_text=c_literal(sg.trg.num_neurons, T.Uint32))
        env.add_variable("row_stride", T.Uint32, read_only=True,
                         c_text=c_literal(plan.synapses[sg.name].row_stride, T.Uint32))
        f.add_indexable(env, "row_length", T.Uint32, "rowLength", sg.name, "rowLength",
                        "'row_length'", read_only=True)
        rid = self._copy_id(sg.name, "rowLength", False)
        env.add_function("pullRowLengthFromDevice", [(None, [], False)],
                         f"_pygenn_copy({rid}u, 1u, 0u)")
        # params and derived params only: EGPs are added below with their push/pull
        for p in ccu.model.get_params():
            ptype = p.type.resolve(ctx)
            if p.name in ccu.dynamic_params:
                text = f.array(f"dyn_{p.name}", ptype, ccu.name,
                               param_arrays.MODEL.dynamic(p.name)) + "[0]"
            else:
                text = c_literal(ccu.params[p.name].value, ptype)
            env.add_variable(p.name, ptype, read_only=True, c_text=text)
        from ..model.init import compute_derived_params
        derived = compute_derived_params(ccu.model, ccu.params, plan.dt)
        for dp in ccu.model.get_derived_params():
            dtype = dp.type.resolve(ctx)
            env.add_variable(dp.name, dtype, read_only=True,
                             c_text=c_literal(derived[dp.name].value, dtype))
        for egp in ccu.model.get_extra_global_params():
            etype = egp.type.resolve(ctx)
            f.add_indexable(env, egp.name, etype, f"egp_{egp.name}", ccu.name,
                            param_arrays.MODEL.egp(egp.name),
                            f"extra global parameter '{egp.name}'")
            cid = self._copy_id(ccu.name, param_arrays.MODEL.egp(egp.name), True)
            env.add_function(f"push{egp.name}ToDevice", [(None, [T.Uint32], False)],
                             f"_pygenn_copy({cid}u, 0u, (uint64_t)($(0)))")
            env.add_function(f"pull{egp.name}FromDevice", [(None, [T.Uint32], False)],
                             f"_pygenn_copy({cid}u, 1u, (uint64_t)($(0)))")
        for name, ref in ccu.egp_refs.items():
            owner, array = resolve_egp_ref(ref)
            etype = ref.type.resolve(ctx)
            f.add_indexable(env, name, etype, f"egpRef_{name}", owner, array,
                            f"extra global parameter reference '{name}'")
            cid = self._copy_id(owner, array, True)
            env.add_function(f"push{name}ToDevice", [(None, [T.Uint32], False)],
                             f"_pygenn_copy({cid}u, 0u, (uint64_t)($(0)))")
            env.add_function(f"pull{name}FromDevice", [(None, [T.Uint32], False)],
                             f"_pygenn_copy({cid}u, 1u, (uint64_t)($(0)))")
        for side, variables in (("pre", ccu.model.get_pre_vars()),
                                ("post", ccu.model.get_post_vars())):
            for var in variables:
                vtype = f.var_type(var)
                f.add_indexable(env, var.name, vtype, f"{side}_{var.name}", ccu.name,
                                var.name, f"{side}synaptic variable '{var.name}'")
                cid = self._copy_id(ccu.name, var.name, False)
                env.add_function(f"push{var.name}ToDevice", [(None, [], False)],
                                 f"_pygenn_copy({cid}u, 0u, 0u)")
                env.add_function(f"pull{var.name}FromDevice", [(None, [], False)],
                                 f"_pygenn_copy({cid}u, 1u, 0u)")
        if self.cp.host is not None and self.cp.host.uses_rng:
            f.add_rng(env)
        return env

    def code(self, dialect) -> str:
        code = self.cp.host
        if code is None:
            return ""
        env = self.environment()
        text = code.print(env, dialect)
        s = CodeStream()
        if code.uses_rng:
            stream = c_literal(stream_id(self.ccu.name, "host"), T.Uint32)
            s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, 0u, _timestep);")
        s.user_code(f"custom connectivity update '{self.ccu.name}' host_update_code", text)
        return str(s)


# ============================================================================== assembly
@dataclass
class CcuCode:
    group_names: list
    rows: dict = field(default_factory=dict)        # update group -> [MergedGroup]
    hosts: dict = field(default_factory=dict)       # update group -> [(CcuPlan, MergedGroup)]
    init_merged: list = field(default_factory=list)
    sparse_merged: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)     # update group -> [synapse group names]

    @property
    def device_merged(self) -> list:
        return ([m for ms in self.rows.values() for m in ms] + self.init_merged
                + self.sparse_merged)

    @property
    def host_merged(self) -> list:
        return [m for hs in self.hosts.values() for _, m in hs]


def generate_custom_connectivity(plan, target, parallel: bool) -> CcuCode:
    cplans = list(getattr(plan, "custom_connectivity_updates", {}).values())
    names = sorted({p.group.update_group_name for p in cplans})
    code = CcuCode(names)

    def gen(p, f):
        return RowUpdateGenerator(plan, p, f, target, parallel)

    def rows(p, f):
        return gen(p, f).row_code()

    for k, name in enumerate(names):
        members = [p for p in cplans if p.group.update_group_name == name]
        code.rows[name] = generate_merged(plan, f"CCU{k}Row",
                                          [p for p in members if p.row is not None], rows)
        hosts = []
        for i, p in enumerate(m for m in members if m.host is not None):
            p.copy_targets.clear()
            fields = GroupFields()
            text = HostUpdateGenerator(plan, p, EnvFactory(plan, fields)).code(target.dialect)
            hosts.append((p, MergedGroup(f"CCU{k}Host{i}", 0, text, [p.group], [fields])))
        code.hosts[name] = hosts
        code.changed[name] = sorted({p.group.synapse_group.name for p in members
                                     if p.row is not None})
    for sparse_phase in (False, True):
        def init(p, f, sparse_phase=sparse_phase):
            return gen(p, f).init_code(sparse_phase)
        items = [p for p in cplans if init(p, EnvFactory(plan, GroupFields())).strip()]
        merged = generate_merged(plan, "CCUInitSparse" if sparse_phase else "CCUInit", items,
                                 init)
        if sparse_phase:
            code.sparse_merged = merged
        else:
            code.init_merged = merged
    return code


def host_functions(plan, code: CcuCode, storage: str = "") -> str:
    """Struct globals and one ``pygenn_ccu_host_<ccu>`` function per CCU with host code."""
    s = CodeStream()
    s.line('extern "C" {')
    s.line("typedef void (*PyGeNNCopy)(uint32_t, uint32_t, uint64_t);")
    for m in code.host_merged:
        s.lines(m.struct_definition())
        s.line(f"{storage}{m.struct_name} {m.array_name}[1];")
        s.line(f"size_t {m.array_name}_size = sizeof({m.struct_name});")
    s.line("}")
    for hosts in code.hosts.values():
        for p, m in hosts:
            with s.block(f'extern "C" void pygenn_ccu_host_{p.name}(uint64_t _timestep, '
                         f'PyGeNNCopy _copy)'):
                s.line(f"const timepoint _t = (timepoint)((double)_timestep * {plan.dt!r});")
                s.line("(void)_t;")
                s.line(f"{m.struct_name} *const _group = &{m.array_name}[0];")
                s.line("(void)_group;")
                s.line("auto _pygenn_copy = [&](uint32_t _id, uint32_t _dir, uint64_t _n) "
                       "{ if (_copy) _copy(_id, _dir, _n); };")
                s.lines(m.code)
    return str(s)


def cpu_source(plan, code: CcuCode) -> str:
    """Row update functions per update group, and the host functions (one library)."""
    s = CodeStream()
    s.line('extern "C" {')
    for ms in code.rows.values():
        for m in ms:
            s.lines(m.struct_definition())
            s.line(f"{m.struct_name} {m.array_name}[{max(len(m.members), 1)}];")
            s.line(f"size_t {m.array_name}_size = sizeof({m.struct_name});")
    s.line("}")
    for name in code.group_names:
        with s.block(f'extern "C" void pygenn_ccu_rows_{name}(uint64_t _timestep)'):
            # subnormals flushed while it runs (backends/cpu_preludes.py, FLOAT_MODE_PRELUDE)
            s.line("PygennFloatMode _floatMode;")
            s.line(f"const timepoint _t = (timepoint)((double)_timestep * {plan.dt!r});")
            s.line("(void)_t;")
            for m in code.rows[name]:
                with s.block(f"for (unsigned int _g = 0; _g < {len(m.members)}u; _g++)"):
                    s.line(f"{m.struct_name} *const _group = &{m.array_name}[_g];")
                    s.line("(void)_group;")
                    s.lines(m.code)
    s.lines(host_functions(plan, code))
    return str(s)


HOST_PRELUDE = """\
// Generated by pygenn for model '{name}': custom connectivity host update code (cuda backend).
#include <cstdint>
#include <cstddef>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cassert>
#include <algorithm>
using std::min; using std::max;
{cmath_using}
typedef {scalar} scalar;
typedef {timepoint} timepoint;
static inline int32_t clz(uint32_t x) {{ return x == 0 ? 32 : __builtin_clz(x); }}
"""


def cuda_host_source(plan, code: CcuCode) -> str:
    """A host C++ library for the CUDA backend: host update functions and the host RNG."""
    from .rng import rng_source
    if not code.host_merged:
        return ""
    s = CodeStream()
    s.lines(HOST_PRELUDE.format(name=plan.model.name, scalar=plan.precision.c_name,
                                timepoint=plan.time_precision.c_name,
                                cmath_using=CPP_USING_DECLARATIONS))
    s.lines(rng_source("cpu"))
    s.line('extern "C" { uint64_t _seed = 0; }')
    s.lines(host_functions(plan, code))
    return str(s)


def cuda_kernels(plan, code: CcuCode, kernel_class):
    """(update group -> row kernels, init kernels, sparse init kernels)."""
    rows = {name: [kernel_class(f"{m.kind}Group{m.index}", "custom_update", m,
                                max(p.group.synapse_group.src.num_neurons for p in m.members))
                   for m in ms]
            for name, ms in code.rows.items()}

    def threads(m):
        return max(max(p.group.synapse_group.src.num_neurons,
                       p.group.synapse_group.trg.num_neurons) for p in m.members)
    init = [kernel_class(f"{m.kind}Group{m.index}", "init", m, threads(m))
            for m in code.init_merged]
    sparse = [kernel_class(f"{m.kind}Group{m.index}", "init_sparse", m, threads(m))
              for m in code.sparse_merged]
    return rows, init, sparse
