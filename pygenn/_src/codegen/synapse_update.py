"""Generating synaptic code of one synapse group, backend-independent.

``SynapseUpdateGenerator`` provides the per-synapse bodies (user code printed in an environment with
``_id_pre``, ``_id_post`` and ``_id_syn`` defined) and the C expressions locating the spikes or
events each update iterates over. Backends build loops or thread mappings around them.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import param_arrays
from ..lang import types as T
from ..model.enums import SynapseMatrixConnectivity as Conn
from ..model.enums import VarAccessMode, access_mode_of
from . import weight_storage
from .environments import EnvFactory
from .fields import c_literal
from .stream import marker_text, model_name


@dataclass
class EventSource:
    """Where the events that trigger an update are: count[slot], list[offset + i]."""

    count: str
    events: str
    slot: str
    offset: str


class SynapseUpdateGenerator:
    def __init__(self, plan, splan, factory: EnvFactory, target):
        self.plan, self.splan, self.f, self.target = plan, splan, factory, target
        factory.batch_offsets = True      # runs once per batch (batching.py)
        self.sg = splan.group
        self.scalar = plan.precision
        self.time = plan.time_precision

    # ------------------------------------------------------------------ sizes
    @property
    def num_pre(self):
        return self.f.value("numSrcNeurons", T.Uint32, self.sg.src.num_neurons)

    @property
    def num_post(self):
        return self.f.value("numTrgNeurons", T.Uint32, self.sg.trg.num_neurons)

    @property
    def row_stride(self):
        return self.f.value("rowStride", T.Uint32, self.splan.row_stride)

    def arr(self, owner, name, field):
        spec = self.plan.arrays[(owner, name)]
        return self.f.array(field, spec.numeric_type, owner, name)

    # ------------------------------------------------------------------ delays
    def _slots(self, neuron):
        return self.plan.neurons[neuron.name].num_delay_slots

    def read_offset(self, side: str, delay: int, extra: int = 0, slotted: bool = True) -> str:
        """Element offset of the slot ``delay`` (+``extra``) steps behind the newest one."""
        neuron = self.sg.src if side == "pre" else self.sg.trg
        d = self._slots(neuron)
        if d == 1 or not slotted:
            return "0"
        ptr = self.arr(neuron.name, "spkQuePtr", f"{side}SpkQuePtr")
        n = self.num_pre if side == "pre" else self.num_post
        back = (delay + extra) % d
        return f"((({ptr}[0] + {d - back}u) % {d}u) * {n})"

    def spike_source(self, side: str, events: bool) -> EventSource:
        sg = self.sg
        neuron = sg.src if side == "pre" else sg.trg
        nplan = self.plan.neurons[neuron.name]
        delay = sg.axonal_delay_steps if side == "pre" else sg.back_prop_delay_steps
        n = self.num_pre if side == "pre" else self.num_post
        if events:
            queued = nplan.num_delay_slots > 1 and delay > 0
            count = self.arr(sg.name, f"{side}SpkCntEvent", f"{side}SpkCntEvent")
            lst = self.arr(sg.name, f"{side}SpkEvent", f"{side}SpkEvent")
        else:
            queued = nplan.spike_queue
            count = self.arr(neuron.name, "spkCnt", f"{side}SpkCnt")
            lst = self.arr(neuron.name, "spk", f"{side}Spk")
        if not queued:
            return EventSource(count, lst, "0", "0")
        ptr = self.arr(neuron.name, "spkQuePtr", f"{side}SpkQuePtr")
        d = nplan.num_delay_slots
        slot = f"(({ptr}[0] + {d - delay}u) % {d}u)"
        return EventSource(count, lst, slot, f"{slot} * {n}")

    # ------------------------------------------------------------------ environment
    def synaptic_env(self, role: str):
        sg, f = self.sg, self.f
        wu = sg.wu_initialiser.snippet
        env = f.root()
        conn = sg.matrix_type
        env.add_variable("id_pre", T.Uint32, read_only=True, c_text="_id_pre")
        env.add_variable("id_post", T.Uint32, read_only=True, c_text="_id_post")
        if conn & Conn.DENSE or conn & Conn.SPARSE:
            env.add_variable("id_syn", T.Uint32, read_only=True, c_text="_id_syn")
        env.add_variable("num_pre", T.Uint32, read_only=True, c_text=self.num_pre)
        env.add_variable("num_post", T.Uint32, read_only=True, c_text=self.num_post)
        f.add_time(env)
        weight_storage.add_synaptic_names(self, env)
        for var in wu.get_vars():
            ro = access_mode_of(var.access) == VarAccessMode.READ_ONLY
            special = weight_storage.weight_var(self, env, var)   # KERNEL / PROCEDURAL weights
            text, ro = special if special else (
                f"{self.arr(sg.name, var.name, var.name)}[_id_syn]", ro)
            env.add_variable(var.name, f.var_type(var), read_only=ro, c_text=text)
        pre_off = self.read_offset("pre", sg.axonal_delay_steps,
                                   slotted=sg.axonal_delay_steps > 0)
        pre_owner = self.plan.wu_owner_of("pre", sg)
        for var in wu.get_pre_vars():
            env.add_variable(var.name, f.var_type(var), read_only=True,
                             c_text=f"{self.arr(pre_owner, var.name, var.name)}"
                                    f"[{pre_off} + _id_pre]")
        self._add_post_values(env)
        src_plan = self.plan.neurons[sg.src.name]
        for name, ref in sg.wu_pre_var_refs.items():
            off = (self.read_offset("pre", sg.axonal_delay_steps)
                   if ref.var_name in src_plan.delayed_vars else "0")
            var = _find_var(sg.src.model, ref.var_name)
            a = self.arr(sg.src.name, ref.var_name, f"pre_{ref.var_name}")
            env.add_variable(name, f.var_type(var), read_only=True,
                             c_text=f"{a}[{off} + _id_pre]")
        f.add_params(env, wu, sg.wu_initialiser.params, sg.wu_dynamic_params, owner=sg.name,
                     prefix="wu_", arrays=param_arrays.MODEL)
        self._add_spike_times(env)
        self._add_outputs(env, role)
        return env

    def _add_post_values(self, env):
        """Post vars, post neuron var refs and PSM var refs: read-only, ``x[d]`` allowed."""
        sg, f = self.sg, self.f
        wu = sg.wu_initialiser.snippet
        trg_plan = self.plan.neurons[sg.trg.name]
        d = trg_plan.num_delay_slots
        post_delayed = sg.back_prop_delay_steps > 0 or self.splan.delayed_post_reads
        entries = []
        for var in wu.get_post_vars():
            entries.append((var.name, f.var_type(var),
                            self.arr(self.plan.wu_owner_of("post", sg), var.name, var.name),
                            post_delayed))
        for name, ref in sg.wu_post_var_refs.items():
            var = _find_var(sg.trg.model, ref.var_name)
            entries.append((name, f.var_type(var),
                            self.arr(sg.trg.name, ref.var_name, f"post_{ref.var_name}"),
                            ref.var_name in trg_plan.delayed_vars))
        for name, ref in sg.psm_var_refs.items():
            var = _find_var(sg.ps_initialiser.snippet, ref.var_name)
            owner = self.plan.psm_owner_of(sg)
            entries.append((name, f.var_type(var),
                            self.arr(owner, f"ps_{ref.var_name}", f"ps_{ref.var_name}"),
                            ref.var_name in self.splan.delayed_psm_vars))
        for name, vtype, array, delayed in entries:
            plain_off = (self.read_offset("post", sg.back_prop_delay_steps)
                         if delayed else "0")
            plain = f"{array}[{plain_off} + _id_post]"
            if delayed and d > 1:
                ptr = self.arr(sg.trg.name, "spkQuePtr", "postSpkQuePtr")
                delayed_text = (f"{array}[((({ptr}[0] + {d}u - ($(0))) % {d}u) * "
                                f"{self.num_post}) + _id_post]")
            else:
                delayed_text = plain
            env.add_delayed_variable(name, vtype, plain_c_text=plain,
                                     delayed_template=delayed_text)

    def _add_spike_times(self, env):
        sg = self.sg
        dt = self.plan.dt
        for side, neuron, delay in (("pre", sg.src, sg.axonal_delay_steps),
                                    ("post", sg.trg, sg.back_prop_delay_steps)):
            nplan = self.plan.neurons[neuron.name]
            shift = c_literal((delay + 1) * dt, self.time)
            off = self.read_offset(side, delay, slotted=nplan.spike_queue)
            prev_off = self.read_offset(side, delay, extra=1, slotted=nplan.spike_queue)
            idx = "_id_pre" if side == "pre" else "_id_post"
            if nplan.needs_st:
                a = self.arr(neuron.name, "sT", f"{side}ST")
                env.add_variable(f"st_{side}", self.time, read_only=True,
                                 c_text=f"({a}[{off} + {idx}] + {shift})")
            if nplan.needs_prev_st:
                a = self.arr(neuron.name, "prevST", f"{side}PrevST")
                # the spike before the one being delivered: one slot further back
                env.add_variable(f"prev_st_{side}", self.time, read_only=True,
                                 c_text=f"({a}[{prev_off} + {idx}] + {shift})")
            if (sg.name, f"{side}SET") in self.plan.arrays:
                queued = nplan.num_delay_slots > 1 and delay > 0
                eoff = self.read_offset(side, delay, slotted=queued)
                prev_eoff = self.read_offset(side, delay, extra=1, slotted=queued)
                a = self.arr(sg.name, f"{side}SET", f"{side}SET")
                p = self.arr(sg.name, f"{side}PrevSET", f"{side}PrevSET")
                env.add_variable(f"set_{side}", self.time, read_only=True,
                                 c_text=f"({a}[{eoff} + {idx}] + {shift})")
                env.add_variable(f"prev_set_{side}", self.time, read_only=True,
                                 c_text=f"({p}[{prev_eoff} + {idx}] + {shift})")

    def _add_outputs(self, env, role):
        sg = self.sg
        pre_triggered = role in ("pre_spike_syn_code", "pre_event_syn_code",
                                 "synapse_dynamics_code")
        if pre_triggered:
            out = self.arr(self.plan.psm_owner_of(sg), "outPost", "outPost")
            env.add_function("addToPost", [(None, [self.scalar], False)],
                             self.target.add_to(f"{out}[_id_post]", "$(0)"))
            den_owner = self.plan.dendritic_delay_owner(sg)
            if den_owner is not None:
                den = self.arr(den_owner, "denDelay", "denDelay")
                ptr = self.arr(den_owner, "denDelayPtr", "denDelayPtr")
                # a literal: groups with different ring depths get separate kernels, which
                # run side by side (faster on the microcircuit than one kernel with a field)
                m = sg.max_dendritic_delay_timesteps
                cell = f"{den}[((({ptr}[0] + ($(1))) % {m}u) * {self.num_post}) + _id_post]"
                env.add_function("addToPostDelay", [(None, [self.scalar, T.Uint32], False)],
                                 self.target.add_to(cell, "$(0)"))
        if (sg.name, "outPre") in self.plan.arrays:
            out_pre = self.arr(sg.name, "outPre", "outPre")
            env.add_function("addToPre", [(None, [self.scalar], False)],
                             self.target.add_to(f"{out_pre}[_id_pre]", "$(0)"))

    def event_phases(self, side: str):
        """(event source, per-synapse body) for ``side``'s spike-like-event code and then its
        spike code, each when the model has it (events before spikes, as in GeNN)."""
        for role, events in ((f"{side}_event_syn_code", True), (f"{side}_spike_syn_code", False)):
            if role in self.splan.codes:
                yield self.spike_source(side, events), self.body(role)

    def body(self, role: str) -> str:
        code = self.splan.codes[role]
        text = code.print(self.synaptic_env(role), self.target.dialect)
        model = self.sg.wu_initialiser.snippet
        name = marker_text(model_name(model))
        prelude = weight_storage.procedural_prelude(self)     # PROCEDURAL weights' values
        return (f"{prelude}// ---- weight update model '{name}' {role} ----\n{text}\n"
                f"// ---- end ----")


def _find_var(model, name):
    for var in model.get_vars():
        if var.name == name:
            return var
    raise KeyError(name)


def advance_dendritic_ring(splan, factory) -> str:
    """Once per step, after the neuron update: the group's dendritic delay ring moves on one
    slot (both backends)."""
    sg = splan.group
    ptr = factory.array("denDelayPtr", T.Uint32, sg.name, "denDelayPtr")
    return f"{ptr}[0] = ({ptr}[0] + 1u) % {sg.max_dendritic_delay_timesteps}u;\n"
