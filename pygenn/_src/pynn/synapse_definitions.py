"""GeNN weight update models behind PyNN's synapse types, and the mapping of delays to steps.

A projection is simulated by SPARSE GeNN synapse groups (one per pair of underlying
populations) whose postsynaptic model is ``DeltaCurr`` aimed at the target cell's excitatory
or inhibitory input variable: the synaptic dynamics (exponential or alpha currents or
conductances) live in the neuron model, as in NEST, so every projection onto a population
shares them.

Delays (NEST's convention): a spike reported at ``T`` with delay ``d`` changes the synaptic
state at ``T + d``. In GeNN a spike emitted in step ``k`` (reported at ``(k+1) dt``) reaches
the synapse after ``axonal_delay_steps + 1`` steps and a dendritic delay of ``j`` steps adds
``j`` more; the neuron adds it to its synaptic state at the end of that step. So a delay of
``D = round(d/dt)`` steps needs ``axonal + 1 + dendritic = D``.
"""
from dataclasses import dataclass

import numpy as np

from ..model.enums import VarAccess
from ..model.factories import create_weight_update_model


@dataclass(frozen=True)
class DelaySteps:
    """How a projection's delays are split between GeNN's delay mechanisms.

    Attributes
    ----------
    axonal : int
        ``axonal_delay_steps`` of the synapse group.
    back_propagation : int
        ``back_prop_delay_steps`` (when plasticity sees postsynaptic spikes late).
    dendritic : ndarray of int or None
        Per-synapse dendritic delay in steps (``addToPostDelay``), or None when all zero.
    """
    axonal: int
    back_propagation: int
    dendritic: object

    @property
    def max_dendritic(self) -> int:
        return 0 if self.dendritic is None else int(self.dendritic.max(initial=0))


def delay_steps_of(delays_ms, dt):
    """Whole steps of each delay; a delay below one step is one step."""
    steps = np.rint(np.asarray(delays_ms, dtype=float) / dt).astype(np.int64)
    return np.maximum(steps, 1)


def static_delay_steps(delays_ms, dt) -> DelaySteps:
    """Axonal delay for the shortest delay, dendritic delays for the rest."""
    steps = delay_steps_of(delays_ms, dt)
    shortest = int(steps.min()) if steps.size else 1
    dendritic = steps - shortest
    return DelaySteps(axonal=shortest - 1, back_propagation=0,
                      dendritic=dendritic if dendritic.any() else None)


def plastic_delay_steps(delays_ms, dt, dendritic_fraction) -> DelaySteps:
    """Delays for STDP: the rule sees the pre spike ``(1-f) d`` and the post spike ``f d`` late.

    The pair timing is exact for the shortest delay of the projection (when
    ``dendritic_fraction`` is 0 it is one step off); longer delays are delivered on time but
    their plasticity uses the shortest delay's timing.
    """
    steps = delay_steps_of(delays_ms, dt)
    shortest = int(steps.min()) if steps.size else 1
    dendritic_part = round(dendritic_fraction * shortest)
    axonal_part = shortest - dendritic_part
    axonal = max(axonal_part - 1, 0)
    back_propagation = max(axonal + dendritic_part - axonal_part, 0)
    dendritic = steps - 1 - axonal
    return DelaySteps(axonal=axonal, back_propagation=back_propagation,
                      dendritic=dendritic if dendritic.any() else None)


def delay_type_for(max_steps: int) -> str:
    """Smallest unsigned GeNN type holding dendritic delays up to ``max_steps``."""
    return "uint8_t" if max_steps < 256 else "uint16_t"


# ---------------------------------------------------------------------------- static
_static_models = {}


def static_synapse_model(delay_type=None):
    """Fixed weight ``g``; with ``delay_type`` a per-synapse dendritic delay ``d``."""
    if delay_type not in _static_models:
        if delay_type is None:
            _static_models[None] = create_weight_update_model(
                "PyNN_StaticSynapse", vars=[("g", "scalar", VarAccess.READ_ONLY)],
                pre_spike_syn_code="addToPost(g);")
        else:
            _static_models[delay_type] = create_weight_update_model(
                f"PyNN_StaticSynapseDelayed_{delay_type}",
                vars=[("g", "scalar", VarAccess.READ_ONLY),
                      ("d", delay_type, VarAccess.READ_ONLY)],
                pre_spike_syn_code="addToPostDelay(g, d);")
    return _static_models[delay_type]


# ---------------------------------------------------------------------------- STDP
# Spike-pair rule with all-to-all pairing through traces (as NEST's stdp_synapse): each pre
# spike adds 1 to a presynaptic trace decaying with tau_plus, each post spike 1 to a
# postsynaptic trace decaying with tau_minus. A pre spike depresses by A_minus w_max times the
# post trace, a post spike potentiates by A_plus w_max times the pre trace (additive weight
# dependence), and the weight stays within [w_min, w_max].
_TRACE_UPDATE = "{trace} = ({trace} * exp(-(t - {spike_time}) / {tau})) + 1.0;"

_STDP_PRE_SPIKE_SYN = """
{deliver}
const scalar sincePost = t - st_post;
if (sincePost > 0.0) {{
    g = fmax(Wmin, g - (DepressionStep * postTrace * exp(-sincePost / tauMinus)));
}}
"""

_STDP_POST_SPIKE_SYN = """
const scalar sincePre = t - st_pre;
if (sincePre > 0.0) {
    g = fmin(Wmax, g + (PotentiationStep * preTrace * exp(-sincePre / tauPlus)));
}
"""

STDP_PARAMETERS = ["tauPlus", "tauMinus", "Wmin", "Wmax", "PotentiationStep",
                   "DepressionStep"]
_stdp_models = {}


def stdp_additive_model(delay_type=None):
    """Additive spike-pair STDP; with ``delay_type`` a per-synapse dendritic delay ``d``."""
    if delay_type not in _stdp_models:
        weight_vars = [("g", "scalar")]
        deliver = "addToPost(g);"
        if delay_type is not None:
            weight_vars.append(("d", delay_type, VarAccess.READ_ONLY))
            deliver = "addToPostDelay(g, d);"
        _stdp_models[delay_type] = create_weight_update_model(
            f"PyNN_STDPAdditive_{delay_type or 'nodelay'}",
            params=STDP_PARAMETERS,
            vars=weight_vars,
            pre_vars=[("preTrace", "scalar")],
            post_vars=[("postTrace", "scalar")],
            pre_spike_code=_TRACE_UPDATE.format(trace="preTrace", spike_time="st_pre",
                                                tau="tauPlus"),
            post_spike_code=_TRACE_UPDATE.format(trace="postTrace", spike_time="st_post",
                                                 tau="tauMinus"),
            pre_spike_syn_code=_STDP_PRE_SPIKE_SYN.format(deliver=deliver),
            post_spike_syn_code=_STDP_POST_SPIKE_SYN)
    return _stdp_models[delay_type]


def stdp_parameters(native):
    """GeNN parameters of the STDP model from the (homogeneous) native PyNN parameters."""
    return {"tauPlus": native["tau_plus"], "tauMinus": native["tau_minus"],
            "Wmin": native["w_min"], "Wmax": native["w_max"],
            "PotentiationStep": native["A_plus"] * native["w_max"],
            "DepressionStep": native["A_minus"] * native["w_max"]}
