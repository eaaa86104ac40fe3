"""Generating the neuron update of one population (after the synaptic updates of the step), backend-independent.

The result is split into a *prologue* run once per population and step (spike-queue pointer,
clearing spike counts and recording words, previous-spike-time bookkeeping) and a *body* run once per
neuron with ``_id`` defined. Backends wrap these in loops (CPU) or threads (CUDA).
"""
from __future__ import annotations

import math

from .. import param_arrays
from ..lang import types as T
from ..model.enums import VarAccessMode, access_mode_of
from .code_strings import ParsedCode
from .environments import EnvFactory
from .fields import c_literal
from ..contract import stream_id
from .stream import CodeStream, model_name
from .batching import batch_loop, recording_row
from . import neuron_split


class NeuronUpdateGenerator:
    """Generates one neuron group's update; ``target`` supplies backend-specific spellings."""

    def __init__(self, plan, nplan, factory: EnvFactory, target):
        self.plan, self.nplan, self.f, self.target = plan, nplan, factory, target
        factory.batch_offsets = True      # runs once per batch (batching.py)
        self.ng = nplan.group
        self.n = self.ng.num_neurons
        self.d = nplan.num_delay_slots
        self.scalar = plan.precision
        # counts staged and published after the update (see ModelPlan.staged_spike_counts):
        # the queue pointer then still points at the last step's slot during the update
        self.staged = plan.staged_spike_counts
        # GPU: recording bits gathered per warp and written as whole words, so nothing clears
        # the recording row first; (flag, recording array) pairs
        self.warp_recording = target.warp_recording
        self.warp_records: list = []
        # values read once per step before the element loop (filled in while body() runs)
        self.step_constants: list[str] = []
        self.time = plan.time_precision
        # state pass + spike pass (neuron_split.py) where the plan made the scratch array
        self.split = target.split_spike_pass and (self.ng.name, "spkByte") in plan.arrays

    # -------------------------------------------------------------- helpers
    def arr(self, owner, name, numeric_type=None, field=None):
        spec = self.plan.arrays[(owner, name)]
        return self.f.array(field or (name if owner == self.ng.name else f"{owner}_{name}"),
                            numeric_type or spec.numeric_type, owner, name)

    @property
    def N(self) -> str:
        """C text of the population size (a literal when merged populations agree)."""
        return self.f.value("numNeurons", T.Uint32, self.n)

    @property
    def words(self) -> str:
        return self.f.value("numRecordingWords", T.Uint32, math.ceil(self.n / 32))

    def event_key(self, sg, side) -> str:
        """Position-based field prefix (names would stop populations from merging)."""
        index = (self.ng.out_syn if side == "pre" else self.ng.in_syn).index(sg)
        return f"{side}{index}"

    def slot_offset(self, which: str) -> str:
        """Element offset of the read ('prev') or write ('cur') delay slot."""
        if self.d == 1:
            return "0"
        return "_readOffset" if which == "prev" else "_writeOffset"

    def run_code(self, s: CodeStream, code: ParsedCode | None, env, origin: str):
        if code is None:
            return
        s.user_code(origin, code.print(env, self.target.dialect))

    # -------------------------------------------------------------- prologue
    def prologue(self) -> str:
        """Once per population and step, before any neuron: both parts in order."""
        return self.prologue_parallel() + self.prologue_serial()

    def prologue_parallel(self) -> str:
        """Work over many elements that must precede the neuron update (element loops from
        the target): previous-spike-time bookkeeping and clearing this step's recording row.
        Reads the delay pointer as the last step left it."""
        s = CodeStream()
        ng, nplan = self.ng, self.nplan
        if nplan.needs_prev_st:
            spk_cnt = self.arr(ng.name, "spkCnt")
            spk = self.arr(ng.name, "spk")
            slot = self._queue_slot()
            prev = self.arr(ng.name, "prevST")
            off = f"{slot} * {self.N}" if nplan.spike_queue else "0"
            with s.block(self.target.element_loop("_i", f"{spk_cnt}[{slot}]")):
                s.line(f"{prev}[{off} + {spk}[{off} + _i]] = _t - "
                       f"{c_literal(self.plan.dt, self.time)};")
        for sg, side in self.event_groups():
            self.event_prev_time_bookkeeping(s, sg, side)
        # warp recording and the split update's spike pass write whole recording words
        if ng.spike_recording_enabled and not self.warp_recording and not self.split:
            self.clear_recording(s, self.arr(ng.name, "recordSpk"))
        for sg, side in self.event_groups():
            if (sg.name, f"{side}RecordSpkEvent") in self.plan.arrays and not self.warp_recording:
                k = self.event_key(sg, side)
                self.clear_recording(s, self.arr(sg.name, f"{side}RecordSpkEvent",
                                                 field=f"{k}_RecordSpkEvent"))
        return str(s)

    def prologue_serial(self) -> str:
        """One thread's work: advance the spike-queue pointer and empty the new slot's lists
        (of every batch: the pointer is shared, so this part never runs per batch)."""
        s = CodeStream()
        ng = self.ng
        if self.d > 1:
            ptr = self.arr(ng.name, "spkQuePtr")
            s.line(f"{ptr}[0] = ({ptr}[0] + 1u) % {self.d}u;")
        clear = CodeStream()
        clear.line(f"{self.arr(ng.name, 'spkCnt')}[{self._queue_slot()}] = 0;")
        for sg, side in self.event_groups():
            k = self.event_key(sg, side)
            cnt = self.arr(sg.name, f"{side}SpkCntEvent", field=f"{k}_SpkCntEvent")
            clear.line(f"{cnt}[{self.event_slot(sg, side)}] = 0;")
        s.lines(batch_loop(self.plan, str(clear)))
        return str(s)

    def epilogue_serial(self) -> str:
        """With staged counts, one thread's work after the update: publish this step's spike
        and event counts into the new slot, reset the staging counters, advance the pointer."""
        s = CodeStream()
        ng = self.ng
        ptr = self.arr(ng.name, "spkQuePtr") if self.d > 1 else None
        if ptr is not None:
            s.line(f"const uint32_t _newSlot = ({ptr}[0] + 1u) % {self.d}u;")
        counts = [(self.arr(ng.name, "spkCnt"), self.arr(ng.name, "spkCntNext"),
                   ptr is not None and self.nplan.spike_queue)]
        for sg, side in self.event_groups():
            k = self.event_key(sg, side)
            counts.append((self.arr(sg.name, f"{side}SpkCntEvent", field=f"{k}_SpkCntEvent"),
                           self.arr(sg.name, f"{side}SpkCntEventNext",
                                    field=f"{k}_SpkCntEventNext"),
                           self.event_queued(sg, side)))
        publish = CodeStream()
        for count, staged, queued in counts:
            publish.line(f"{count}[{'_newSlot' if queued else '0'}] = {staged}[0];")
            publish.line(f"{staged}[0] = 0;")
        s.lines(batch_loop(self.plan, str(publish)))
        if ptr is not None:
            s.line(f"{ptr}[0] = _newSlot;")
        return str(s)

    def _queue_slot(self) -> str:
        if self.d > 1 and self.nplan.spike_queue:
            return f"{self.arr(self.ng.name, 'spkQuePtr')}[0]"
        return "0"

    def clear_recording(self, s, array):
        with s.block(self.target.element_loop("_w", self.words)):
            s.line(f"{array}[{recording_row(self.plan)} * {self.words} + _w] = 0;")

    # -------------------------------------------------------------- events
    def event_groups(self):
        for sg in self.ng.out_syn:
            if "pre_event_threshold_condition_code" in self.plan.synapses[sg.name].codes:
                yield sg, "pre"
        for sg in self.ng.in_syn:
            if "post_event_threshold_condition_code" in self.plan.synapses[sg.name].codes:
                yield sg, "post"

    def event_queued(self, sg, side) -> bool:
        delay = sg.axonal_delay_steps if side == "pre" else sg.back_prop_delay_steps
        return self.d > 1 and delay > 0

    def event_slot(self, sg, side) -> str:
        if not self.event_queued(sg, side):
            return "0"
        return f"{self.arr(self.ng.name, 'spkQuePtr')}[0]"

    def event_prev_time_bookkeeping(self, s, sg, side):
        k = self.event_key(sg, side)
        cnt = self.arr(sg.name, f"{side}SpkCntEvent", field=f"{k}_SpkCntEvent")
        lst = self.arr(sg.name, f"{side}SpkEvent", field=f"{k}_SpkEvent")
        prev = self.arr(sg.name, f"{side}PrevSET", field=f"{k}_PrevSET")
        slot = self.event_slot(sg, side)
        off = f"{slot} * {self.N}"
        with s.block(self.target.element_loop("_i", f"{cnt}[{slot}]")):
            s.line(f"{prev}[{off} + {lst}[{off} + _i]] = _t - "
                   f"{c_literal(self.plan.dt, self.time)};")

    # -------------------------------------------------------------- environments
    def common_env(self, with_rng: bool):
        env = self.f.root()
        env.add_variable("id", T.Uint32, read_only=True, c_text="_id")
        env.add_variable("num_neurons", T.Uint32, read_only=True,
                         c_text=self.f.value("numNeurons", T.Uint32, self.n))
        self.f.add_time(env)
        if with_rng:
            self.f.add_rng(env)
        return env

    def neuron_env(self):
        env = self.common_env(self.nplan.uses_rng)
        env.add_variable("Isyn", self.scalar, read_only=True, c_text="_Isyn")
        for ai in self.ng.model.get_additional_input_vars():
            env.add_variable(ai.name, self.f.var_type(ai), read_only=True,
                             c_text=f"_ai_{ai.name}")
        for var in self.ng.model.get_vars():
            ro = access_mode_of(var.access) == VarAccessMode.READ_ONLY
            env.add_variable(var.name, self.f.var_type(var), read_only=ro,
                             c_text=f"_l{var.name}")
        self.f.add_params(env, self.ng.model, self.ng.params, self.ng.dynamic_params,
                          owner=self.ng.name)
        if self.nplan.needs_st:
            env.add_variable("st", self.time, read_only=True, c_text="_lst")
        return env

    def neuron_var_refs_env(self, env, refs: dict):
        """Local references to the neuron's variables: read-only aliases of its locals."""
        for name, ref in refs.items():
            env.add_variable(name, self.f.var_type(self._ref_var(ref)), read_only=True,
                             c_text=f"_l{ref.var_name}")

    def _ref_var(self, ref):
        return next(v for v in self.ng.model.get_vars() if v.name == ref.var_name)

    def input_target(self, var_name: str) -> str:
        return "_Isyn" if var_name == "Isyn" else f"_ai_{var_name}"

    # -------------------------------------------------------------- body
    def body(self) -> str:
        s = CodeStream()
        ng, nplan = self.ng, self.nplan
        if self.d > 1:
            ptr = self.arr(ng.name, "spkQuePtr")
            if self.staged:        # the pointer advances after this update
                s.line(f"const uint32_t _writeOffset = (({ptr}[0] + 1u) % {self.d}u) * "
                       f"{self.N};")
                s.line(f"const uint32_t _readOffset = {ptr}[0] * {self.N};")
            else:
                s.line(f"const uint32_t _writeOffset = {ptr}[0] * {self.N};")
                s.line(f"const uint32_t _readOffset = (({ptr}[0] + {self.d - 1}u) % "
                       f"{self.d}u) * {self.N};")
        if nplan.uses_rng:
            stream = self.f.fields.value("rngStream", T.Uint32, stream_id(ng.name, "neuron"))
            # batch b draws its own numbers; batch 0 draws what an unbatched model would
            element = "_id" if self.plan.batch_size == 1 else f"_batch * {self.N} + _id"
            s.line(f"GeNNRNG _rng; genn_rng_init(&_rng, _seed, {stream}, {element}, "
                   f"_timestep);")
        s.line(f"{self.scalar.c_name} _Isyn = 0;")
        for ai in ng.model.get_additional_input_vars():
            ai_type = self.f.var_type(ai)
            s.line(f"{ai_type.c_name} _ai_{ai.name} = {c_literal(ai.value.value, ai_type)};")
        for var in ng.model.get_vars():
            off = self.slot_offset("prev") if var.name in nplan.delayed_vars else "0"
            index = self._index(off) if _has_element(var) or off != "0" else "0"
            s.line(f"{self.f.var_type(var).c_name} _l{var.name} = "
                   f"{self.arr(ng.name, var.name)}[{index}];")
        if nplan.needs_st:
            off = self.slot_offset("prev") if nplan.spike_queue else "0"
            s.line(f"const {self.time.c_name} _lst = {self.arr(ng.name, 'sT')}[{self._index(off)}];")
        # Input state is read before any of it is used and written back at the end: every
        # load is then in flight at once, instead of one PSM's round trip after another's
        # (the compiler may not move a load above a store that could alias it).
        loads, inputs, stores = CodeStream(), CodeStream(), CodeStream()
        for i, sg in enumerate(ng.in_syn):
            if self.plan.owns_psm(sg):        # a fused PSM runs once, for all its groups
                self.postsynaptic_model(loads, inputs, stores, i, sg)
        for sg in ng.out_syn:
            if (sg.name, "outPre") in self.plan.arrays:
                out_pre = self.arr(sg.name, "outPre")
                inputs.line(f"{self.input_target(sg.pre_target_var)} += {out_pre}[_id];")
                inputs.line(f"{out_pre}[_id] = 0;")
        for i, cs in enumerate(ng.current_sources):
            self.current_source(loads, inputs, stores, i, cs)
        s.lines(str(loads))
        s.lines(str(inputs))
        env = self.neuron_env()
        auto_refractory = ng.model.is_auto_refractory_required() and nplan.threshold
        if auto_refractory:
            before = nplan.threshold.print(env.child(), self.target.dialect)
            s.line(f"const bool _oldSpike = ({before});")
        self.run_code(s, nplan.sim, env, f"neuron model '{model_name(ng.model)}' sim_code")
        for sg, side in self.weight_update_sides():
            self.advance_wu_vars(s, sg, side)
            self.weight_update_code(s, sg, side, "dynamics")
        for sg, side in self.event_groups():
            self.spike_like_event(s, sg, side)
        if nplan.threshold is not None:
            # printed after sim code: threshold may use locals that sim code declares
            cond = f"({nplan.threshold.print(env, self.target.dialect)})"
            if auto_refractory:
                cond += " && !_oldSpike"
        if self.split:            # the plan splits only groups with a threshold
            neuron_split.state_pass_spike(self, s, cond, env)
        elif nplan.threshold is not None:
            with s.block(f"if ({cond})"):
                for sg, side in self.weight_update_sides():
                    self.weight_update_code(s, sg, side, "spike")
                self.emit_spike(s)
                self.run_code(s, nplan.reset, env, f"neuron model '{model_name(ng.model)}' reset_code")
            if self.d > 1 and nplan.spike_queue:
                with s.block("else"):
                    self.copy_spike_times(s)
        elif self.d > 1 and nplan.spike_queue:
            self.copy_spike_times(s)
        s.lines(str(stores))
        for var in ng.model.get_vars():
            delayed = var.name in nplan.delayed_vars
            if access_mode_of(var.access) == VarAccessMode.READ_ONLY and not delayed:
                continue
            off = self.slot_offset("cur") if delayed else "0"
            s.line(f"{self.arr(ng.name, var.name)}[{self._index(off)}] = _l{var.name};")
        return str(s)

    def _index(self, offset: str) -> str:
        return "_id" if offset == "0" else f"{offset} + _id"

    def emit_spike(self, s):
        ng, nplan = self.ng, self.nplan
        slot = self.arr(ng.name, "spkQuePtr") + "[0]" if nplan.spike_queue else "0"
        off = self.slot_offset("cur") if nplan.spike_queue else "0"
        count = self.arr(ng.name, "spkCnt")
        if self.staged:
            count, slot = self.arr(ng.name, "spkCntNext"), "0"
        s.line(self.target.append_to_list(count, slot,
                                          self.arr(ng.name, "spk"), off, "_id",
                                          flags=self._flags(ng.name, "spkFlags", "spkFlags")))
        if nplan.needs_st:
            s.line(f"{self.arr(ng.name, 'sT')}[{self._index(off)}] = _t;")
        if ng.spike_recording_enabled:
            self.record_bit(s, self.arr(ng.name, "recordSpk"))

    # -------------------------------------------------------------- deferred list appends
    def _flags(self, owner: str, name: str, field: str):
        """Bit flags that replace direct list appends where a backend runs neurons in
        parallel threads (registered by the plan only for such backends)."""
        if (owner, name) not in self.plan.arrays:
            return None
        return self.arr(owner, name, field=field)

    def deferred_appends(self) -> str:
        """Serial code, after the neuron loop, that turns flags into spike and event lists in
        increasing id order: exactly the lists a serial loop would have built."""
        s = CodeStream()
        ng = self.ng
        lists = []
        flags = self._flags(ng.name, "spkFlags", "spkFlags")
        if flags is not None:
            slot = self._queue_slot()
            lists.append((flags, self.arr(ng.name, "spkCnt"), slot, self.arr(ng.name, "spk")))
        for sg, side in self.event_groups():
            k = self.event_key(sg, side)
            flags = self._flags(sg.name, f"{side}SpkEventFlags", f"{k}_SpkEventFlags")
            if flags is not None:
                lists.append((flags, self.arr(sg.name, f"{side}SpkCntEvent",
                                              field=f"{k}_SpkCntEvent"),
                              self.event_slot(sg, side),
                              self.arr(sg.name, f"{side}SpkEvent", field=f"{k}_SpkEvent")))
        for flags, count, slot, events in lists:
            with s.block(f"for (uint32_t _w = 0; _w < {self.words}; _w++)"):
                s.line(f"uint32_t _bits = {flags}[_w];")
                s.line(f"{flags}[_w] = 0;")
                with s.block("while (_bits != 0)"):
                    s.line(f"{events}[{slot} * {self.N} + {count}[{slot}]++] = "
                           f"_w * 32u + (uint32_t)__builtin_ctz(_bits);")
                    s.line("_bits &= _bits - 1u;")
        return str(s)

    def record_bit(self, s, array):
        if self.warp_recording:
            # a flag per recording buffer; the warp writes whole words (warp_record_writes)
            flags = [flag for flag, a in self.warp_records if a == array]
            if not flags:
                flags = [f"_record{len(self.warp_records)}"]
                self.warp_records.append((flags[0], array))
            s.line(f"{flags[0]} = true;")
            return
        s.line(self.target.atomic_or(f"{array}[{recording_row(self.plan)} * {self.words} + "
                                     f"_id / 32u]",
                                     "1u << (_id % 32u)"))

    def warp_record_writes(self, base: str) -> str:
        """Each recording flag gathered across the warp into the word of neurons
        ``base`` .. ``base`` + 31, written whole: no atomics and no clearing beforehand."""
        s = CodeStream()
        for flag, _ in self.warp_records:
            s.line(f"const uint32_t {flag}Word = __ballot_sync(0xffffffffu, {flag});")
        with s.block("if ((threadIdx.x % 32u) == 0u)"):
            for flag, array in self.warp_records:
                s.line(f"{array}[{recording_row(self.plan)} * {self.words} + {base} / 32u] = "
                       f"{flag}Word;")
        return str(s) if self.warp_records else ""

    def copy_spike_times(self, s):
        for name, needed in (("sT", self.nplan.needs_st), ("prevST", self.nplan.needs_prev_st)):
            if needed:
                a = self.arr(self.ng.name, name)
                s.line(f"{a}[_writeOffset + _id] = {a}[_readOffset + _id];")

    def postsynaptic_model(self, loads, s, stores, i, sg):
        """PSM ``i``: its state read into locals (``loads``), its code (``s``) and the state
        written back (``stores``)."""
        splan = self.plan.synapses[sg.name]
        ps = sg.ps_initialiser.snippet
        in_syn = f"_linSyn{i}"
        out_post = self.arr(sg.name, "outPost", field=f"inSyn{i}")
        loads.line(f"{self.scalar.c_name} {in_syn} = {out_post}[_id];")
        if (sg.name, "denDelay") in self.plan.arrays:
            den = self.arr(sg.name, "denDelay", field=f"denDelay{i}")
            ptr = self.arr(sg.name, "denDelayPtr", field=f"denDelayPtr{i}")
            # read once per step: inside the loop the compiler must re-load it after every
            # store, since the ring could alias it
            self.step_constants.append(f"const uint32_t _denDelaySlot{i} = {ptr}[0];")
            cell = f"{den}[_denDelaySlot{i} * {self.N} + _id]"
            loads.line(f"const {self.scalar.c_name} _denDelay{i} = {cell};")
            s.line(f"{in_syn} += _denDelay{i};")
            stores.line(f"{cell} = 0;")
        for var in ps.get_vars():
            arr = self.arr(sg.name, f"ps_{var.name}", field=f"ps{i}_{var.name}")
            loads.line(f"{self.f.var_type(var).c_name} _lps{i}_{var.name} = "
                       f"{arr}[{self.psm_var_index(sg, var, 'prev')}];")
        with s.block():
            env = self.common_env(splan.psm_sim is not None and splan.psm_sim.uses_rng)
            env.add_variable("inSyn", self.scalar, c_text=in_syn)
            env.add_function("injectCurrent", [(None, [self.scalar], False)],
                             f"{self.input_target(sg.post_target_var)} += $(0)")
            for var in ps.get_vars():
                ro = access_mode_of(var.access) == VarAccessMode.READ_ONLY
                env.add_variable(var.name, self.f.var_type(var), read_only=ro,
                                 c_text=f"_lps{i}_{var.name}")
            self.neuron_var_refs_env(env, sg.ps_neuron_var_refs)
            self.f.add_params(env, ps, sg.ps_initialiser.params, sg.ps_dynamic_params,
                              owner=sg.name, prefix=f"ps{i}_", arrays=param_arrays.POSTSYNAPTIC)
            self.run_code(s, splan.psm_sim, env,
                          f"postsynaptic model '{model_name(ps)}' sim_code")
        for var in ps.get_vars():
            queued = self.psm_var_queued(sg, var)
            # a queued variable is carried into the new slot even when the PSM cannot write it
            if access_mode_of(var.access) != VarAccessMode.READ_ONLY or queued:
                arr = self.arr(sg.name, f"ps_{var.name}", field=f"ps{i}_{var.name}")
                stores.line(f"{arr}[{self.psm_var_index(sg, var, 'cur')}] = "
                            f"_lps{i}_{var.name};")
        stores.line(f"{out_post}[_id] = {in_syn};")

    def psm_var_queued(self, sg, var) -> bool:
        """Whether PSM variable ``var`` has the delay slots of this group."""
        return self.plan.psm_var_slots(sg, var.name) > 1

    def psm_var_index(self, sg, var, which: str) -> str:
        """Index of PSM variable ``var``: a queued one is read from the slot the last update
        wrote ('prev') and written to this step's slot ('cur'), as delayed neuron vars are."""
        if not self.psm_var_queued(sg, var):
            return "_id"
        return self._index(self.slot_offset(which))

    def current_source(self, loads, s, stores, i, cs):
        """Current source ``i``: state into locals (``loads``), code (``s``), write-back
        (``stores``), as for postsynaptic models."""
        code = self.plan.current_source_code[cs.name]
        for var in cs.model.get_vars():
            arr = self.arr(cs.name, var.name, field=f"cs{i}_{var.name}")
            loads.line(f"{self.f.var_type(var).c_name} _lcs{i}_{var.name} = {arr}[_id];")
        with s.block():
            env = self.common_env(code is not None and code.uses_rng)
            env.add_function("injectCurrent", [(None, [self.scalar], False)],
                             f"{self.input_target(cs.target_var)} += $(0)")
            for var in cs.model.get_vars():
                ro = access_mode_of(var.access) == VarAccessMode.READ_ONLY
                env.add_variable(var.name, self.f.var_type(var), read_only=ro,
                                 c_text=f"_lcs{i}_{var.name}")
            self.neuron_var_refs_env(env, cs.neuron_var_refs)
            self.f.add_params(env, cs.model, cs.params, cs.dynamic_params, owner=cs.name,
                              prefix=f"cs{i}_")
            self.run_code(s, code, env, f"current source model '{model_name(cs.model)}' injection_code")
        for var in cs.model.get_vars():
            if access_mode_of(var.access) != VarAccessMode.READ_ONLY:
                arr = self.arr(cs.name, var.name, field=f"cs{i}_{var.name}")
                stores.line(f"{arr}[_id] = _lcs{i}_{var.name};")

    # -------------------------------------------------------------- WU pre/post code
    def weight_update_sides(self):
        """(synapse group, side) pairs whose WU model has per-neuron state or code here."""
        for side, groups in (("pre", self.ng.out_syn), ("post", self.ng.in_syn)):
            for sg in groups:
                wu = sg.wu_initialiser.snippet
                variables = wu.get_pre_vars() if side == "pre" else wu.get_post_vars()
                codes = self.plan.synapses[sg.name].codes
                if self.plan.wu_owner_of(side, sg) != sg.name:
                    continue                  # fused: the owning group's code runs once
                if variables or f"{side}_spike_code" in codes or f"{side}_dynamics_code" in codes:
                    yield sg, side

    def wu_vars_delayed(self, sg, side) -> bool:
        if self.d == 1:
            return False
        if side == "pre":
            return sg.axonal_delay_steps > 0
        return sg.back_prop_delay_steps > 0 or self.plan.synapses[sg.name].delayed_post_reads

    def wu_var_text(self, sg, side, var) -> str:
        index = (self.ng.out_syn if side == "pre" else self.ng.in_syn).index(sg)
        arr = self.arr(sg.name, var.name, field=f"wu{side}{index}_{var.name}")
        offset = "_writeOffset" if self.wu_vars_delayed(sg, side) else "0"
        return f"{arr}[{self._index(offset)}]"

    def advance_wu_vars(self, s, sg, side):
        """Delayed WU pre/post vars: carry the previous slot's values into the new slot."""
        if not self.wu_vars_delayed(sg, side):
            return
        wu = sg.wu_initialiser.snippet
        index = (self.ng.out_syn if side == "pre" else self.ng.in_syn).index(sg)
        for var in (wu.get_pre_vars() if side == "pre" else wu.get_post_vars()):
            arr = self.arr(sg.name, var.name, field=f"wu{side}{index}_{var.name}")
            s.line(f"{arr}[_writeOffset + _id] = {arr}[_readOffset + _id];")

    def weight_update_code(self, s, sg, side, kind):
        """WU ``<side>_spike_code`` or ``<side>_dynamics_code`` for this neuron."""
        role = f"{side}_{kind}_code"
        code = self.plan.synapses[sg.name].codes.get(role)
        if code is None:
            return
        wu = sg.wu_initialiser.snippet
        index = (self.ng.out_syn if side == "pre" else self.ng.in_syn).index(sg)
        env = self.common_env(False)
        for var in (wu.get_pre_vars() if side == "pre" else wu.get_post_vars()):
            ro = access_mode_of(var.access) == VarAccessMode.READ_ONLY
            env.add_variable(var.name, self.f.var_type(var), read_only=ro,
                             c_text=self.wu_var_text(sg, side, var))
        self.neuron_var_refs_env(env, sg.wu_pre_var_refs if side == "pre"
                                 else sg.wu_post_var_refs)
        self.f.add_params(env, wu, sg.wu_initialiser.params, sg.wu_dynamic_params,
                          owner=sg.name, prefix=f"wu{side}{index}_")
        if self.nplan.needs_st:
            env.add_variable(f"st_{side}", self.time, read_only=True, c_text="_lst")
        with s.block():
            self.run_code(s, code, env, f"weight update model '{model_name(wu)}' {role}")

    def spike_like_event(self, s, sg, side):
        splan = self.plan.synapses[sg.name]
        code = splan.codes[f"{side}_event_threshold_condition_code"]
        wu = sg.wu_initialiser.snippet
        k = self.event_key(sg, side)
        env = self.common_env(False)
        variables = wu.get_pre_vars() if side == "pre" else wu.get_post_vars()
        for var in variables:
            env.add_variable(var.name, self.f.var_type(var), read_only=True,
                             c_text=self.wu_var_text(sg, side, var))
        refs = sg.wu_pre_var_refs if side == "pre" else sg.wu_post_var_refs
        self.neuron_var_refs_env(env, refs)
        self.f.add_params(env, wu, sg.wu_initialiser.params, sg.wu_dynamic_params,
                          owner=sg.name, prefix=f"{k}_wu_")
        queued = self.event_queued(sg, side)
        off = self.slot_offset("cur") if queued else "0"
        roff = self.slot_offset("prev") if queued else "0"
        set_arr = self.arr(sg.name, f"{side}SET", field=f"{k}_SET")
        prev_arr = self.arr(sg.name, f"{side}PrevSET", field=f"{k}_PrevSET")
        env.add_variable("set", self.time, read_only=True, c_text=f"{set_arr}[{self._index(roff)}]")
        env.add_variable("prev_set", self.time, read_only=True,
                         c_text=f"{prev_arr}[{self._index(roff)}]")
        text = code.print(env, self.target.dialect)
        with s.block(f"if ({text})"):
            cnt = self.arr(sg.name, f"{side}SpkCntEvent", field=f"{k}_SpkCntEvent")
            lst = self.arr(sg.name, f"{side}SpkEvent", field=f"{k}_SpkEvent")
            flags = self._flags(sg.name, f"{side}SpkEventFlags", f"{k}_SpkEventFlags")
            slot = self.event_slot(sg, side)
            if self.staged:
                cnt = self.arr(sg.name, f"{side}SpkCntEventNext", field=f"{k}_SpkCntEventNext")
                slot = "0"
            s.line(self.target.append_to_list(cnt, slot, lst, off, "_id", flags=flags))
            s.line(f"{set_arr}[{self._index(off)}] = _t;")
            if (sg.name, f"{side}RecordSpkEvent") in self.plan.arrays:
                self.record_bit(s, self.arr(sg.name, f"{side}RecordSpkEvent",
                                            field=f"{k}_RecordSpkEvent"))
        if queued:
            with s.block("else"):
                s.line(f"{set_arr}[_writeOffset + _id] = {set_arr}[_readOffset + _id];")
                s.line(f"{prev_arr}[_writeOffset + _id] = {prev_arr}[_readOffset + _id];")


def _has_element(var) -> bool:
    """False for variables with one value per batch (READ_ONLY_SHARED_NEURON)."""
    from ..model.enums import VarAccessDim, get_var_access_dim
    return bool(int(get_var_access_dim(var.access)) & int(VarAccessDim.ELEMENT))


