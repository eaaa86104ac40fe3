"""The backend-independent plan of a model: parsed code, delay slots, and every array it needs.

``ModelPlan`` is built once per ``build()`` from the frozen model description. It decides what
GeNN decides at finalisation: how many delay slots each neuron group has, which variables are
delayed, whether spike times and spike queues are needed, and the storage of every array.

The plan side of codegen (this module, ``custom_update_plan``, ``custom_connectivity_plan``,
``matrix_types_plan``, ``target``) never imports a generator; generators import the plan. What
differs between backends the plan reads from the backend's declared ``Target`` (``target.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import param_arrays
from ..lang import types as T
from ..model.enums import (SynapseMatrixConnectivity as Conn, SynapseMatrixWeight as Weight,
                           VarAccessDim, VarLocation, get_var_access_dim)
from ..model.code_roles import SYNAPTIC_ROLES, WU_CODE_ROLES
from ..model.init import VarInit
from .code_strings import ParsedCode, parse_code
from .custom_connectivity_plan import plan_custom_connectivity_updates
from .custom_update_plan import plan_custom_updates
from .debug_checks import DebugSites
from .matrix_types_plan import check_supported, register_matrix_arrays
from .target import target_for


@dataclass
class ArraySpec:
    """One block of memory the runtime allocates (host copy and/or device copy)."""

    key: tuple                     # (owner group name, array name)
    numeric_type: T.NumericType
    count: int                     # elements (per recording timestep if per_recording_step)
    location: VarLocation = VarLocation.HOST_DEVICE
    per_recording_step: bool = False
    egp: bool = False              # sized at load from the user's init values
    egp_name: str = ""             # an EGP's name in its snippet's code
    for_init: bool = False         # read by initialisation code (must exist before init runs)
    fill: object = 0               # initial contents after allocation


def device_initialised(initialiser) -> bool:
    """True for initialisers the generated code runs (numbers and VarInits); the others
    (arrays, None) are filled from the host at load."""
    return initialiser is not None and not isinstance(initialiser, np.ndarray) and hasattr(
        initialiser, "snippet")


def _constant_init(initialiser) -> bool:
    """True for a constant ``init_var`` (or a number, which the model made one)."""
    return isinstance(initialiser, VarInit) and initialiser.is_constant


def _var_dims(var) -> VarAccessDim:
    return get_var_access_dim(var.access)


@dataclass
class NeuronPlan:
    group: object
    sim: ParsedCode | None = None
    threshold: ParsedCode | None = None
    reset: ParsedCode | None = None
    num_delay_slots: int = 1
    spike_queue: bool = False
    delayed_vars: set = field(default_factory=set)
    needs_st: bool = False
    needs_prev_st: bool = False
    uses_rng: bool = False

    @property
    def name(self):
        return self.group.name


@dataclass
class SynapsePlan:
    group: object
    codes: dict = field(default_factory=dict)    # role -> ParsedCode
    psm_sim: ParsedCode | None = None
    row_stride: int = 0
    col_stride: int = 0                          # SPARSE with postsynaptic learning
    delayed_post_reads: bool = False             # any `x[d]` in synaptic code
    # PSM vars that synaptic code reads through psm_var_refs with a delay: stored with the
    # target group's delay slots, like delayed WU post vars
    delayed_psm_vars: set = field(default_factory=set)

    @property
    def name(self):
        return self.group.name

    def code(self, role):
        return self.codes.get(role)

    @property
    def connectivity_snippet(self):
        """The sparse connectivity snippet whose code builds this group's rows at
        initialisation, or None: also None when ``set_sparse_connections`` gave the rows,
        which then replace what the snippet would build (GeNN copies them over its rows)."""
        sg = self.group
        init = sg.sparse_connectivity_initialiser
        if init is None or sg.connections_set:
            return None
        snippet = init.snippet
        if not ((snippet.get_row_build_code() or "").strip()
                or (snippet.get_col_build_code() or "").strip()):
            return None
        return snippet


class ModelPlan:
    """Everything code generation and the runtime need to know about one model.

    Parameters
    ----------
    model : ModelSpec
        The model description (frozen for the build).
    backend_name : str
        The backend the model is built for: its registered ``Target`` (``target_for``) says
        what the plan must provide for it (staged spike counts, scratch arrays ...).
    debug_code : bool
        Debug build: user code's subscripts and divisions are checked where the target's
        dialect prints checks.
    """

    def __init__(self, model, backend_name: str, debug_code: bool = False):
        self.model = model
        self.backend_name = backend_name
        self.target = target_for(backend_name)
        # debug builds check user code's array subscripts and integer divisions where the
        # backend's dialect prints checks (codegen/debug_checks.py); the table of check sites
        self.debug_code = bool(debug_code)
        self.debug_sites = DebugSites()
        self.precision = model.precision
        self.time_precision = model.time_precision
        self.type_context = {"scalar": self.precision, "timepoint": self.time_precision}
        self.dt = float(model.dt)
        self.batch_size = int(model.batch_size)
        # neurons updated by several host threads (the multi-threaded CPU backend)
        self.threaded_neuron_update = self.target.parallel and self.batch_size == 1
        # GPU: the neuron update counts a step's spikes and events into a staging counter
        # that a small kernel publishes after it (with the queue pointer's advance), so no
        # kernel is needed between the synaptic phases and the neuron update
        self.staged_spike_counts = self.target.staged_spike_counts
        self.arrays: dict[tuple, ArraySpec] = {}
        self.neurons = {n: NeuronPlan(g) for n, g in model.neuron_populations.items()}
        self.synapses = {n: SynapsePlan(g) for n, g in model.synapse_populations.items()}
        self.current_sources = dict(model.current_sources)
        self._parse_all()
        self._plan_psm_var_queues()          # before fusion: queued PSMs are never fused
        self.psm_owner, self.fused_psms = self._plan_psm_fusion()
        self.wu_owner, self.fused_wu = self._plan_wu_fusion()
        self._plan_delays()
        self._plan_spike_times()
        self._register_arrays()
        self.custom_updates = plan_custom_updates(self)
        self.custom_connectivity_updates = plan_custom_connectivity_updates(self)
        check_supported(self)

    # ---------------------------------------------------------------- parsing
    def _parse_all(self):
        for plan in self.neurons.values():
            ng, m = plan.group, plan.group.model
            desc = f"Neuron group '{ng.name}'"
            plan.sim = parse_code(m.get_sim_code(), f"{desc} sim code", "sim_code", ng.name)
            plan.threshold = parse_code(m.get_threshold_condition_code(),
                                        f"{desc} threshold condition code",
                                        "threshold_condition_code", ng.name, expression=True)
            plan.reset = parse_code(m.get_reset_code(), f"{desc} reset code", "reset_code",
                                    ng.name)
        for plan in self.synapses.values():
            sg = plan.group
            wu = sg.wu_initialiser.snippet
            for role in WU_CODE_ROLES:
                parsed = parse_code(getattr(wu, role.getter)(),
                                    f"Synapse group '{sg.name}' {role.wording}", role.name,
                                    sg.name, expression=role.expression)
                if parsed is not None:
                    plan.codes[role.name] = parsed
            plan.psm_sim = parse_code(sg.ps_initialiser.snippet.get_sim_code(),
                                      f"Synapse group '{sg.name}' postsynaptic model apply sim code",
                                      "sim_code", sg.name)
        self.current_source_code = {
            name: parse_code(cs.model.get_injection_code(),
                             f"Current source '{name}' injection code", "injection_code", name)
            for name, cs in self.current_sources.items()}

    # ---------------------------------------------------------------- fusion
    def _plan_psm_fusion(self):
        """With ``fuse_postsynaptic_models``, identical PSMs onto one neuron group share one
        ``outPost`` and PSM state, owned by the first of them, as in GeNN. Returns the owner of
        every group's PSM and the set of groups flagged fused."""
        owner = {name: name for name in self.synapses}
        fused = set()
        if not self.model._fuse_postsynaptic_models:
            return owner, fused
        for nplan in self.neurons.values():
            representatives = {}
            for sg in nplan.group.in_syn:
                key = self._psm_fusion_key(sg)
                if key is None:
                    continue
                owner[sg.name] = representatives.setdefault(key, sg.name)
                fused.add(sg.name)
        return owner, fused

    def _psm_fusion_key(self, sg):
        ps = sg.ps_initialiser.snippet
        splan = self.synapses[sg.name]
        if ps.get_extra_global_params() or sg.ps_dynamic_params:
            return None
        if splan.delayed_psm_vars:
            # GeNN does not fuse a PSM whose variables are queued for delayed reads: the
            # group keeps its own (slotted) state
            return None
        # groups with dendritic delays share the owner's ring buffer: same depth needed
        dendritic = (sg.max_dendritic_delay_timesteps
                     if any(c.uses_name("addToPostDelay") for c in splan.codes.values()) else None)
        values = []
        for var in ps.get_vars():
            init = sg.ps_var_initialisers.get(var.name)
            if not _constant_init(init):
                return None
            values.append((var.name, init.constant_value))
        params = tuple(sorted((k, v.value) for k, v in sg.ps_initialiser.params.items()))
        refs = tuple(sorted((k, r.var_name) for k, r in sg.ps_neuron_var_refs.items()))
        return (id(ps), params, tuple(values), sg.post_target_var, refs, dendritic)

    def _plan_wu_fusion(self):
        """With ``fuse_pre_post_weight_update_models``, identical WU presynaptic (resp.
        postsynaptic) state and code on one neuron group is kept and run once, owned by the
        first group. Keys: (side, synapse group name)."""
        owner = {(side, name): name for name in self.synapses for side in ("pre", "post")}
        fused = set()
        if not self.model._fuse_pre_post_weight_update_models:
            return owner, fused
        for nplan in self.neurons.values():
            for side, groups in (("pre", nplan.group.out_syn), ("post", nplan.group.in_syn)):
                representatives = {}
                for sg in groups:
                    key = self._wu_fusion_key(sg, side)
                    if key is None:
                        continue
                    owner[(side, sg.name)] = representatives.setdefault(key, sg.name)
                    fused.add((side, sg.name))
        return owner, fused

    def _wu_fusion_key(self, sg, side):
        wu = sg.wu_initialiser.snippet
        codes = self.synapses[sg.name].codes
        variables = wu.get_pre_vars() if side == "pre" else wu.get_post_vars()
        side_codes = tuple(codes[r].context.source for r in
                           (f"{side}_spike_code", f"{side}_dynamics_code") if r in codes)
        if not variables and not side_codes:
            return None
        if wu.get_extra_global_params() or sg.wu_dynamic_params:
            return None
        if f"{side}_event_threshold_condition_code" in codes:
            return None
        inits = sg.wu_pre_var_initialisers if side == "pre" else sg.wu_post_var_initialisers
        values = []
        for var in variables:
            init = inits.get(var.name)
            if not _constant_init(init):
                return None
            values.append((var.name, init.constant_value))
        refs = sg.wu_pre_var_refs if side == "pre" else sg.wu_post_var_refs
        delay = sg.axonal_delay_steps if side == "pre" else sg.back_prop_delay_steps
        params = tuple(sorted((k, v.value) for k, v in sg.wu_initialiser.params.items()))
        return (id(wu), params, tuple(values), side_codes, delay,
                tuple(sorted((k, r.var_name) for k, r in refs.items())),
                self.synapses[sg.name].delayed_post_reads if side == "post" else False)

    def wu_owner_of(self, side: str, sg) -> str:
        return self.wu_owner[(side, sg.name)]

    def psm_owner_of(self, sg) -> str:
        return self.psm_owner[sg.name]

    def dendritic_delay_owner(self, sg):
        """The group whose ``denDelay`` ring ``sg`` adds to (its PSM owner), or None."""
        owner = self.psm_owner[sg.name]
        return owner if (owner, "denDelay") in self.arrays else None

    def owns_psm(self, sg) -> bool:
        return self.psm_owner[sg.name] == sg.name

    # ---------------------------------------------------------------- delays
    def _plan_psm_var_queues(self):
        for splan in self.synapses.values():
            splan.delayed_psm_vars = self._psm_vars_read_delayed(splan)

    @staticmethod
    def _psm_vars_read_delayed(splan: SynapsePlan) -> set:
        """PSM vars that synaptic code reads from the past: through a psm_var_ref that the
        code uses at all when the group has a back-prop delay, or with a ``[d]`` subscript
        (GeNN queues a PSM var only when a synaptic reference needs it)."""
        sg = splan.group
        synaptic = [code for role, code in splan.codes.items() if role in SYNAPTIC_ROLES]
        queued = set()
        for name, ref in sg.psm_var_refs.items():
            if sg.back_prop_delay_steps > 0:
                needed = any(code.uses_name(name) for code in synaptic)
            else:
                needed = any(code.uses_name(name, "subscript") for code in synaptic)
            if needed:
                queued.add(ref.var_name)
        return queued

    def psm_var_slots(self, sg, var_name: str) -> int:
        """Delay slots PSM variable ``var_name`` of ``sg`` is stored with (1: not queued)."""
        if var_name not in self.synapses[sg.name].delayed_psm_vars:
            return 1
        return self.neurons[sg.trg.name].num_delay_slots

    def _post_names_read_delayed(self, plan: SynapsePlan) -> bool:
        sg = plan.group
        names = [v.name for v in sg.wu_initialiser.snippet.get_post_vars()]
        names += list(sg.wu_post_var_refs) + list(sg.psm_var_refs)
        return any(code.uses_name(n, "subscript") for role, code in plan.codes.items()
                   if role in SYNAPTIC_ROLES for n in names)

    def _plan_delays(self):
        for plan in self.synapses.values():
            plan.delayed_post_reads = self._post_names_read_delayed(plan)
        for nplan in self.neurons.values():
            ng = nplan.group
            slots = 0
            for sg in ng.out_syn:
                slots = max(slots, sg.axonal_delay_steps)
            for sg in ng.in_syn:
                slots = max(slots, sg.back_prop_delay_steps)
                if self.synapses[sg.name].delayed_post_reads:
                    slots = max(slots, sg.max_dendritic_delay_timesteps)
            # GeNN's layout: 1 + the largest delay, whatever the code reads. A group whose
            # delay is that largest one and reads prev_st_pre/prev_st_post (or the event
            # forms) therefore gets the newest slot for them, as in GeNN (a quirk: the
            # README's "Differences from GeNN 5.4")
            # a rank of a distributed model keeps the slots and queue the whole model gives
            # the population, some of whose synapse groups live elsewhere (_src/distributed)
            slots = max(slots, ng._distributed_delay_slots - 1)
            nplan.num_delay_slots = slots + 1
            if nplan.num_delay_slots > 1:
                nplan.spike_queue = ng._distributed_spike_queue or (
                    any(sg.axonal_delay_steps > 0 and "pre_spike_syn_code" in
                        self.synapses[sg.name].codes for sg in ng.out_syn)
                    or any(sg.back_prop_delay_steps > 0 and "post_spike_syn_code" in
                           self.synapses[sg.name].codes for sg in ng.in_syn))
                for sg in ng.out_syn:
                    nplan.delayed_vars.update(r.var_name for r in sg.wu_pre_var_refs.values())
                for sg in ng.in_syn:
                    nplan.delayed_vars.update(r.var_name for r in sg.wu_post_var_refs.values())

    def _plan_spike_times(self):
        for nplan in self.neurons.values():
            ng = nplan.group
            codes = [c for c in (nplan.sim, nplan.threshold, nplan.reset) if c]
            nplan.needs_st = any(c.uses_name("st") for c in codes)
            for sg in ng.out_syn:
                for code in self.synapses[sg.name].codes.values():
                    nplan.needs_st |= code.uses_name("st_pre")
                    nplan.needs_prev_st |= code.uses_name("prev_st_pre")
            for sg in ng.in_syn:
                for code in self.synapses[sg.name].codes.values():
                    nplan.needs_st |= code.uses_name("st_post")
                    nplan.needs_prev_st |= code.uses_name("prev_st_post")
            cs_codes = [self.current_source_code[cs.name] for cs in ng.current_sources]
            psm_codes = [self.synapses[sg.name].psm_sim for sg in ng.in_syn]
            nplan.uses_rng = any(c is not None and c.uses_rng
                                 for c in codes + cs_codes + psm_codes)

    def code_texts(self, owner: str) -> list:
        """Every code string of the models and snippets a population uses (for checks)."""
        group = (self.model.neuron_populations.get(owner) or self.model.synapse_populations.get(
            owner) or self.model.current_sources.get(owner)
            or self.model.custom_updates.get(owner)
            or self.model.custom_connectivity_updates.get(owner))
        return [code for snippet in group.code_snippets()
                for code in snippet.code_strings().values() if code]

    # ---------------------------------------------------------------- arrays
    # populations smaller than this are updated by one thread even on the multi-threaded
    # backend: waking threads would cost more than it saves
    MIN_THREADED_NEURONS = 2048

    def splits_spike_pass(self, nplan) -> bool:
        """Whether this neuron group's update runs as a state pass plus a spike pass
        (``neuron_split.py``): where the target splits and the group has a threshold, but no
        spike-like events (those are appended inside the neuron loop: it stays whole)."""
        if not self.target.split_spike_pass or nplan.threshold is None:
            return False
        ng = nplan.group
        return not any(f"{side}_event_threshold_condition_code" in self.synapses[sg.name].codes
                       for side, groups in (("pre", ng.out_syn), ("post", ng.in_syn))
                       for sg in groups)

    def _register_spike_bytes(self, nplan) -> None:
        """The spike-byte scratch array, padded to whole 32-neuron words: the spike pass reads
        32 bytes at a time and the padding, never written, stays zero."""
        n = nplan.group.num_neurons
        self.add_array(nplan.group.name, "spkByte", T.Uint8, math.ceil(n / 32) * 32)

    def threaded(self, neuron_group) -> bool:
        """Whether this population's neuron update runs on several host threads."""
        return (self.threaded_neuron_update
                and neuron_group.num_neurons >= self.MIN_THREADED_NEURONS)

    def add_array(self, owner: str, name: str, numeric_type, count: int, resize=False,
                  **kwargs) -> ArraySpec:
        """Register an array; ``resize`` replaces an existing one on purpose (a larger size)."""
        spec = ArraySpec((owner, name), numeric_type, int(count), **kwargs)
        old = self.arrays.get(spec.key)
        if old is not None and old != spec and not resize:
            # e.g. a variable 'dyn_g' beside a dynamic parameter 'g', or 'ps_x' beside a
            # postsynaptic variable 'x': two different things would share one array
            raise ValueError(f"'{owner}' needs two different arrays named '{name}' (one of "
                             f"its variables, parameters or extra global parameters is named "
                             f"like another one's storage); rename it")
        self.arrays[spec.key] = spec
        return spec

    def batched(self, dims) -> int:
        return self.batch_size if (int(dims) & int(VarAccessDim.BATCH)) else 1

    def var_count(self, var, num_elements: int, slots: int = 1) -> int:
        dims = _var_dims(var)
        elements = num_elements if int(dims) & int(VarAccessDim.ELEMENT) else 1
        return self.batched(dims) * slots * elements

    def _register_arrays(self):
        lowest_time = self.time_precision.lowest
        for nplan in self.neurons.values():
            ng, n, d = nplan.group, nplan.group.num_neurons, nplan.num_delay_slots
            for var in ng.model.get_vars():
                slots = d if var.name in nplan.delayed_vars else 1
                self.add_array(ng.name, var.name, var.type.resolve(self.type_context),
                               self.var_count(var, n, slots), location=ng.get_var_location(var.name))
            queue = d if nplan.spike_queue else 1
            self.add_array(ng.name, "spkCnt", T.Uint32, queue * self.batch_size)
            self.add_array(ng.name, "spk", T.Uint32, queue * n * self.batch_size)
            if self.staged_spike_counts:
                self.add_array(ng.name, "spkCntNext", T.Uint32, self.batch_size)
            if d > 1:
                self.add_array(ng.name, "spkQuePtr", T.Uint32, 1)
            if nplan.needs_st:
                self.add_array(ng.name, "sT", self.time_precision, queue * n * self.batch_size,
                               location=ng.spike_time_location, fill=lowest_time)
            if nplan.needs_prev_st:
                self.add_array(ng.name, "prevST", self.time_precision,
                               queue * n * self.batch_size,
                               location=ng.prev_spike_time_location, fill=lowest_time)
            if self.splits_spike_pass(nplan):
                # CPU: spike bytes of the state pass, listed by the spike pass (neuron_split.py)
                self._register_spike_bytes(nplan)
            elif self.threaded(ng):
                # per-neuron spike flags, listed in id order after the parallel loop
                self.add_array(ng.name, "spkFlags", T.Uint32, math.ceil(n / 32))
            if ng.spike_recording_enabled:
                self.add_array(ng.name, "recordSpk", T.Uint32,
                               math.ceil(n / 32) * self.batch_size, per_recording_step=True)
            self._register_params_and_egps(ng.name, ng.model, ng.dynamic_params,
                                           ng.params, param_arrays.MODEL)
            self._register_init_egps(ng.name, ng.var_initialisers)
        for cs in self.current_sources.values():
            for var in cs.model.get_vars():
                self.add_array(cs.name, var.name, var.type.resolve(self.type_context),
                               self.var_count(var, cs.trg_pop.num_neurons),
                               location=cs.get_var_location(var.name))
            self._register_params_and_egps(cs.name, cs.model, cs.dynamic_params, cs.params,
                                           param_arrays.MODEL)
            self._register_init_egps(cs.name, cs.var_initialisers)
        for splan in self.synapses.values():
            self._register_synapse_arrays(splan)

    def _register_init_egps(self, owner: str, initialisers: dict):
        """EGPs of variable init snippets (GeNN names them '<egp><var>')."""
        for var_name, init in initialisers.items():
            if not isinstance(init, VarInit):      # a value: no snippet, no EGPs
                continue
            for egp in init.snippet.get_extra_global_params():
                self.add_array(owner, param_arrays.var_init(var_name).egp(egp.name),
                               egp.type.resolve(self.type_context), 0, egp=True,
                               egp_name=egp.name, for_init=True)

    @staticmethod
    def _sparse_index_type(sg):
        """uint8/uint16 postsynaptic indices for small targets when narrow indices are on."""
        if sg.narrow_sparse_ind_enabled:
            if sg.trg.num_neurons <= 0xFF:
                return T.Uint8
            if sg.trg.num_neurons <= 0xFFFF:
                return T.Uint16
        return T.Uint32

    @staticmethod
    def _column_stride(sg) -> int:
        """Longest column: exact for manual connectivity, else the snippet's bound."""
        if sg.connections_set:
            counts = np.bincount(np.asarray(sg.post_indices, dtype=np.int64),
                                 minlength=sg.trg.num_neurons)
            return max(int(counts.max(initial=0)), 1)
        return max(int(sg.max_source_connections), 1)

    def _register_params_and_egps(self, owner, model, dynamic, params,
                                  arrays: param_arrays.ParamArrays):
        """Dynamic-parameter and EGP arrays of ``model``, named by ``arrays``."""
        for p in model.get_params():
            if p.name in dynamic:
                self.add_array(owner, arrays.dynamic(p.name), p.type.resolve(self.type_context),
                               1, fill=params[p.name].value)
        for egp in model.get_extra_global_params():
            self.add_array(owner, arrays.egp(egp.name), egp.type.resolve(self.type_context), 0,
                           egp=True, egp_name=egp.name)

    def _register_synapse_arrays(self, splan: SynapsePlan):
        sg = splan.group
        src, trg = sg.src, sg.trg
        nsrc, ntrg = src.num_neurons, trg.num_neurons
        wu, ps = sg.wu_initialiser.snippet, sg.ps_initialiser.snippet
        scalar = self.precision
        owns_psm = self.owns_psm(sg)
        if owns_psm:
            self.add_array(sg.name, "outPost", scalar, ntrg * self.batch_size,
                           location=sg.output_location)
        if any(c.uses_name("addToPre") for c in splan.codes.values()):
            self.add_array(sg.name, "outPre", scalar, nsrc * self.batch_size,
                           location=sg.output_location)
        if owns_psm and any(c.uses_name("addToPostDelay") for c in splan.codes.values()):
            self.add_array(sg.name, "denDelay", scalar,
                           sg.max_dendritic_delay_timesteps * ntrg * self.batch_size,
                           location=sg.dendritic_delay_location)
            # the ring advances at the end of each step (with the timestep), so it starts on
            # the slot the first step uses; GeNN advances it at the start of each step
            self.add_array(sg.name, "denDelayPtr", T.Uint32, 1,
                           fill=1 % sg.max_dendritic_delay_timesteps)
        conn = sg.matrix_type
        if conn & Conn.SPARSE:
            splan.row_stride = int(sg.max_connections)
            index_type = self._sparse_index_type(sg)
            self.add_array(sg.name, "rowLength", T.Uint32, nsrc,
                           location=sg.sparse_connectivity_location)
            self.add_array(sg.name, "ind", index_type, nsrc * splan.row_stride,
                           location=sg.sparse_connectivity_location)
            num_synapses = nsrc * splan.row_stride
            if any(role in splan.codes for role in ("post_spike_syn_code",
                                                     "post_event_syn_code")):
                # column structure for postsynaptic learning: per target, its synapses' indices
                splan.col_stride = self._column_stride(sg)
                self.add_array(sg.name, "colLength", T.Uint32, ntrg,
                               location=sg.sparse_connectivity_location)
                self.add_array(sg.name, "remap", T.Uint32, ntrg * splan.col_stride,
                               location=sg.sparse_connectivity_location)
        elif conn & Conn.DENSE:
            splan.row_stride = ntrg
            num_synapses = nsrc * ntrg
        elif conn & Conn.BITMASK:
            splan.row_stride = ntrg
            # rows padded to whole 32-bit words (matrix_types.py documents the layout)
            self.add_array(sg.name, "gp", T.Uint32, nsrc * max(1, math.ceil(ntrg / 32)),
                           location=sg.sparse_connectivity_location)
            num_synapses = 0
        else:
            num_synapses = 0
        register_matrix_arrays(self, splan)
        if sg.matrix_type & Weight.INDIVIDUAL:
            for var in wu.get_vars():
                self.add_array(sg.name, var.name, var.type.resolve(self.type_context),
                               self.var_count(var, num_synapses),
                               location=sg.get_wu_var_location(var.name))
        elif sg.matrix_type & Weight.KERNEL:
            kernel = math.prod(sg.kernel_size)
            for var in wu.get_vars():
                self.add_array(sg.name, var.name, var.type.resolve(self.type_context),
                               self.var_count(var, kernel),
                               location=sg.get_wu_var_location(var.name))
        src_d = self.neurons[src.name].num_delay_slots
        trg_d = self.neurons[trg.name].num_delay_slots
        owns_pre = self.wu_owner_of("pre", sg) == sg.name
        owns_post = self.wu_owner_of("post", sg) == sg.name
        for var in (wu.get_pre_vars() if owns_pre else []):
            slots = src_d if sg.axonal_delay_steps > 0 else 1
            self.add_array(sg.name, var.name, var.type.resolve(self.type_context),
                           self.var_count(var, nsrc, slots),
                           location=sg.get_wu_pre_var_location(var.name))
        for var in (wu.get_post_vars() if owns_post else []):
            delayed = sg.back_prop_delay_steps > 0 or splan.delayed_post_reads
            self.add_array(sg.name, var.name, var.type.resolve(self.type_context),
                           self.var_count(var, ntrg, trg_d if delayed else 1),
                           location=sg.get_wu_post_var_location(var.name))
        for var in (ps.get_vars() if owns_psm else []):
            self.add_array(sg.name, f"ps_{var.name}", var.type.resolve(self.type_context),
                           self.var_count(var, ntrg, self.psm_var_slots(sg, var.name)),
                           location=sg.get_ps_var_location(var.name))
        self._register_params_and_egps(sg.name, wu, sg.wu_dynamic_params,
                                       sg.wu_initialiser.params, param_arrays.MODEL)
        self._register_params_and_egps(sg.name, ps, sg.ps_dynamic_params,
                                       sg.ps_initialiser.params, param_arrays.POSTSYNAPTIC)
        for side, neuron in (("pre", src), ("post", trg)):
            if f"{side}_event_threshold_condition_code" in splan.codes:
                d = self.neurons[neuron.name].num_delay_slots
                delay = sg.axonal_delay_steps if side == "pre" else sg.back_prop_delay_steps
                queue = d if delay > 0 else 1
                n = neuron.num_neurons
                self.add_array(sg.name, f"{side}SpkCntEvent", T.Uint32, queue * self.batch_size)
                if self.staged_spike_counts:
                    self.add_array(sg.name, f"{side}SpkCntEventNext", T.Uint32, self.batch_size)
                if self.threaded(neuron):
                    self.add_array(sg.name, f"{side}SpkEventFlags", T.Uint32, math.ceil(n / 32))
                self.add_array(sg.name, f"{side}SpkEvent", T.Uint32, queue * n * self.batch_size)
                self.add_array(sg.name, f"{side}SET", self.time_precision,
                               queue * n * self.batch_size, fill=self.time_precision.lowest)
                self.add_array(sg.name, f"{side}PrevSET", self.time_precision,
                               queue * n * self.batch_size, fill=self.time_precision.lowest)
                if neuron.spike_event_recording_enabled:
                    self.add_array(sg.name, f"{side}RecordSpkEvent", T.Uint32,
                                   math.ceil(n / 32) * self.batch_size, per_recording_step=True)
        for initialisers in (sg.wu_var_initialisers, sg.wu_pre_var_initialisers,
                             sg.wu_post_var_initialisers, sg.ps_var_initialisers):
            self._register_init_egps(sg.name, initialisers)
        # sparse connectivity is built by initialisation, Toeplitz rows in every update
        # (not when set_sparse_connections replaced what the snippet would build)
        sparse_init = (sg.sparse_connectivity_initialiser
                       if splan.connectivity_snippet is not None else None)
        for init, arrays, for_init in ((sparse_init, param_arrays.SPARSE_CONNECTIVITY, True),
                                       (sg.toeplitz_connectivity_initialiser,
                                        param_arrays.TOEPLITZ_CONNECTIVITY, False)):
            for egp in (init.snippet.get_extra_global_params() if init is not None else []):
                self.add_array(sg.name, arrays.egp(egp.name),
                               egp.type.resolve(self.type_context), 0, egp=True,
                               egp_name=egp.name, for_init=for_init)
