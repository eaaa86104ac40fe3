"""Generating initialisation: variable init snippets and sparse connectivity.

Variables given as numbers or ``init_var(...)`` are initialised by generated code; variables given
as arrays (or None) are filled from the host at load. Element loops come from ``target`` so the
CUDA backend can map them to threads.
"""
from __future__ import annotations

from .. import contract, param_arrays
from ..lang import types as T
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import VarAccess, VarAccessDim, get_var_access_dim
from ..model.enums import SynapseMatrixWeight as Weight
from . import matrix_types
from .code_strings import parse_code
from ..contract import stream_id
from .plan import device_initialised
from .stream import CodeStream


class InitGenerator:
    def __init__(self, plan, factory, target):
        self.plan, self.f, self.target = plan, factory, target

    # ------------------------------------------------------------------ helpers
    def _snippet_env(self, init, owner: str, prefix: str, rng: bool, var_name: str):
        env = self.f.root()
        self.f.add_time(env, runtime=False)
        if rng:
            self.f.add_rng(env)
        self.f.add_params(env, init.snippet, init.params, owner=owner, prefix=prefix,
                          arrays=param_arrays.var_init(var_name))
        return env

    def _value_code(self, s: CodeStream, init, vtype, owner, var_name, prefix, env_extra,
                    description):
        """Declare ``_value`` and compute it with the init snippet."""
        code = parse_code(init.snippet.get_code(), description, "var_init_code", owner)
        env = self._snippet_env(init, owner, prefix, code is not None and code.uses_rng,
                                var_name)
        env_extra(env)
        s.line(f"{vtype.c_name} _value;")
        env.add_variable("value", vtype, c_text="_value")
        if code is not None:
            if code.uses_rng:
                stream = self.f.value(f"{prefix}rngStream", T.Uint32,
                                      stream_id(owner, "init", var_name))
                s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, _id, 0);")
            s.user_code(f"variable '{var_name}' init snippet",
                        code.print(env, self.target.dialect))

    @staticmethod
    def store_in_every_copy(s: CodeStream, array: str, index: str, copies: int,
                            per_copy: str) -> None:
        """``array[index] = _value`` in each of ``copies`` consecutive copies of ``per_copy``
        elements: init code computes one value per element, stored for every batch and delay
        slot, as GeNN's init code does."""
        if copies <= 1:
            s.line(f"{array}[{index}] = _value;")
            return
        with s.block(f"for (uint32_t _c = 0; _c < {copies}u; _c++)"):
            s.line(f"{array}[_c * {per_copy} + {index}] = _value;")

    # ------------------------------------------------------------------ neuron-shaped
    def neuron_shaped_vars(self, s: CodeStream, owner: str, variables, initialisers: dict,
                           num: int, slots_of) -> None:
        """Init code for per-neuron variables (neuron, current source, PSM, WU pre/post vars)."""
        for var in variables:
            init = initialisers.get(var.name)
            if not device_initialised(init):
                continue
            key = (owner, self._array_name(owner, var))
            spec = self.plan.arrays[key]
            field = f"init_{key[1]}"
            array = self.f.array(field, spec.numeric_type, *key)
            elements = num
            if isinstance(var.access, VarAccess) and not (
                    int(get_var_access_dim(var.access)) & int(VarAccessDim.ELEMENT)):
                elements = 1          # one value (per batch) shared by all neurons
            copies = spec.count // max(elements, 1)
            if copies == 0:
                continue
            count = self.f.value(f"{field}_num", T.Uint32, elements)
            vtype = spec.numeric_type

            def extra(env, count=count):
                env.add_variable("id", T.Uint32, read_only=True, c_text="_id")
                env.add_variable("num_neurons", T.Uint32, read_only=True, c_text=count)

            with s.block(self.target.element_loop("_id", count)):
                self._value_code(s, init, vtype, owner, var.name, f"{field}_", extra,
                                 f"Variable '{var.name}' of '{owner}' init code")
                self.store_in_every_copy(s, array, "_id", copies, count)

    def _row_loop(self, index: str, count: str) -> str:
        """Loop over synaptic rows whose code touches only that row's memory and draws random
        numbers keyed by the row or synapse: a target may run them concurrently (the
        multi-threaded CPU backend's ``independent_loop``) with results identical to the
        serial loop."""
        return self.target.independent_loop(index, count)

    def _array_name(self, owner, var):
        if (owner, var.name) in self.plan.arrays:
            return var.name
        return f"ps_{var.name}"

    # ------------------------------------------------------------------ synapse-shaped
    def dense_vars(self, s: CodeStream, splan) -> None:
        sg = splan.group
        wu = sg.wu_initialiser.snippet
        if not (sg.matrix_type & Conn.DENSE and sg.matrix_type & Weight.INDIVIDUAL):
            return
        for var in wu.get_vars():
            init = sg.wu_var_initialisers.get(var.name)
            if not device_initialised(init):
                continue
            self._synapse_var(s, splan, var, init, dense=True)

    def sparse_vars(self, s: CodeStream, splan) -> None:
        sg = splan.group
        wu = sg.wu_initialiser.snippet
        if not (sg.matrix_type & Conn.SPARSE and sg.matrix_type & Weight.INDIVIDUAL):
            return
        for var in wu.get_vars():
            init = sg.wu_var_initialisers.get(var.name)
            if not device_initialised(init):
                continue
            self._synapse_var(s, splan, var, init, dense=False)

    def _synapse_var(self, s, splan, var, init, dense: bool):
        sg = splan.group
        spec = self.plan.arrays[(sg.name, var.name)]
        field = f"init_{var.name}"
        array = self.f.array(field, spec.numeric_type, sg.name, var.name)
        num_pre = self.f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons)
        num_post = self.f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons)
        stride = self.f.value("rowStride", T.Uint32, splan.row_stride)
        per_batch = sg.src.num_neurons * splan.row_stride
        copies = spec.count // max(per_batch, 1)

        def extra(env):
            for name in ("id_pre", "id_post", "id_syn"):
                env.add_variable(name, T.Uint32, read_only=True, c_text=f"_{name}")
            if not dense:
                matrix_types.sparse_var_id_kernel(self, sg, env)   # SPARSE with kernel indices
            env.add_variable("num_pre", T.Uint32, read_only=True, c_text=num_pre)
            env.add_variable("num_post", T.Uint32, read_only=True, c_text=num_post)

        with s.block(self._row_loop("_id_pre", num_pre)):
            if dense:
                header = f"for (uint32_t _id_post = 0; _id_post < {num_post}; _id_post++)"
            else:
                row_length = self.f.array("rowLength", T.Uint32, sg.name, "rowLength")
                header = f"for (uint32_t _j = 0; _j < {row_length}[_id_pre]; _j++)"
            with s.block(header):
                s.line(f"const uint32_t _id_syn = _id_pre * {stride} + "
                       f"{'_id_post' if dense else '_j'};")
                if not dense:
                    ind = self.f.array("ind", T.Uint32, sg.name, "ind")
                    s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
                s.line("const uint32_t _id = _id_syn;")
                self._value_code(s, init, spec.numeric_type, sg.name, var.name, f"{field}_",
                                 extra, f"Variable '{var.name}' of synapse group '{sg.name}' "
                                        f"init code")
                self.store_in_every_copy(s, array, "_id_syn", copies, f"{per_batch}u")

    # ------------------------------------------------------------------ connectivity
    def sparse_connectivity(self, s: CodeStream, splan) -> None:
        """Row- or column-building code for a SPARSE group initialised from a snippet."""
        sg = splan.group
        snippet = splan.connectivity_snippet
        if snippet is None or not (sg.matrix_type & Conn.SPARSE):
            return
        init = sg.sparse_connectivity_initialiser
        row_code = parse_code(snippet.get_row_build_code(),
                              f"Synapse group '{sg.name}' sparse connectivity row build code",
                              "row_build_code", sg.name)
        col_code = parse_code(snippet.get_col_build_code(),
                              f"Synapse group '{sg.name}' sparse connectivity col build code",
                              "col_build_code", sg.name)
        if row_code is None and col_code is None:
            return
        row_length = self.f.array("rowLength", T.Uint32, sg.name, "rowLength")
        ind = self.f.array("ind", T.Uint32, sg.name, "ind")
        num_pre = self.f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons)
        num_post = self.f.value("numTrgNeurons", T.Uint32, sg.trg.num_neurons)
        stride = self.f.value("rowStride", T.Uint32, splan.row_stride)
        code = row_code if row_code is not None else col_code
        by_row = row_code is not None
        env = self.f.root()
        self.f.add_time(env, runtime=False)
        if code.uses_rng:
            self.f.add_rng(env)
        self.f.add_params(env, snippet, init.params, owner=sg.name, prefix="conn_",
                          arrays=param_arrays.SPARSE_CONNECTIVITY)
        env.add_variable("num_pre", T.Uint32, read_only=True, c_text=num_pre)
        env.add_variable("num_post", T.Uint32, read_only=True, c_text=num_post)
        env.add_variable("id_thread", T.Uint32, read_only=True, c_text="0u")
        env.add_variable("num_threads", T.Uint32, read_only=True, c_text="1u")
        num_kernel = len(sg.kernel_size)
        arg_types = [T.Uint32] * (1 + num_kernel)
        env.add_function("addSynapse", [(None, arg_types, False)], "_addSynapse($(@))")
        index = "_id_pre" if by_row else "_id_post"
        if by_row:
            env.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
            env.add_variable("id_post_begin", T.Uint32, read_only=True, c_text="0u")
        else:
            env.add_variable("id_post", T.Uint32, read_only=True, c_text="_id_post")
            env.add_variable("id_pre_begin", T.Uint32, read_only=True, c_text="0u")
        text = code.print(env, self.target.dialect)
        stream = self.f.value("conn_rngStream", T.Uint32, stream_id(sg.name, "connectivity"))
        count = num_pre if by_row else num_post
        # rows are independent (each draws from its own stream, keyed by the row); columns
        # append to shared rows, so column building stays in the serial order
        loop = self._row_loop if by_row else self.target.element_loop
        with s.block(loop(index, count)):
            if code.uses_rng:
                s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, {index}, 0);")
            target_row = "_id_pre" if by_row else "_row"
            s.line("auto _addSynapse = [&](uint32_t _target"
                   f"{matrix_types.sparse_kernel_params(sg)}) {{")
            with s.indented():
                if not by_row:
                    s.line("const uint32_t _row = _target;")
                    s.line("const uint32_t _target_post = _id_post;")
                    target = "_target_post"
                else:
                    target = "_target"
                s.line(f"const uint32_t _pos = {self.target.fetch_add(f'{row_length}[{target_row}]', '1u')};")
                s.line(f"if (_pos >= {stride}) {{ _initError = {contract.ROW_OVERFLOW}; "
                       f"{row_length}[{target_row}] = "
                       f"{stride}; return; }}")
                s.line(f"{ind}[{target_row} * {stride} + _pos] = {target};")
                s.lines(matrix_types.sparse_kernel_store(self, sg, target_row, stride))
            s.line("};")
            s.user_code("sparse connectivity snippet build code", text)

    # ------------------------------------------------------------------ columns
    def column_structure(self, s: CodeStream, splan) -> None:
        """Index every synapse by its target (``colLength``/``remap``) for postsynaptic
        learning on SPARSE matrices; runs after the rows exist."""
        sg = splan.group
        if (sg.name, "remap") not in self.plan.arrays:
            return
        row_length = self.f.array("rowLength", T.Uint32, sg.name, "rowLength")
        ind = self.f.array("ind", T.Uint32, sg.name, "ind")
        col_length = self.f.array("colLength", T.Uint32, sg.name, "colLength")
        remap = self.f.array("remap", T.Uint32, sg.name, "remap")
        num_pre = self.f.value("numSrcNeurons", T.Uint32, sg.src.num_neurons)
        stride = self.f.value("rowStride", T.Uint32, splan.row_stride)
        col_stride = self.f.value("colStride", T.Uint32, splan.col_stride)
        with s.block(self.target.element_loop("_id_pre", num_pre)):
            with s.block(f"for (uint32_t _j = 0; _j < {row_length}[_id_pre]; _j++)"):
                s.line(f"const uint32_t _id_syn = _id_pre * {stride} + _j;")
                s.line(f"const uint32_t _id_post = {ind}[_id_syn];")
                s.line(f"const uint32_t _pos = "
                       f"{self.target.fetch_add(f'{col_length}[_id_post]', '1u')};")
                with s.block(f"if (_pos < {col_stride})"):
                    s.line(f"{remap}[_id_post * {col_stride} + _pos] = _id_syn;")
                with s.block("else"):
                    s.line(f"_initError = {contract.COLUMN_OVERFLOW};")

