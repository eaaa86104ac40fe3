"""GeNN neuron models behind PyNN's standard cell types.

Every PyNN cell type is simulated by one GeNN neuron model, described here by a
:class:`NeuronDefinition`. PyNN parameters never become GeNN parameters: they are turned, in
NumPy, into per-neuron *coefficients* (read-only GeNN variables such as ``exp(-dt/tau_m)``).
Heterogeneous parameters and ``Population.set()`` between runs therefore need no rebuild.

Conventions, chosen to match NEST (PyNN's reference backend):

* the neuron update of step ``k`` advances the state from ``k*dt`` to ``(k+1)*dt``; a spike
  found there is reported at ``(k+1)*dt``;
* the membrane is integrated with the synaptic state at the start of the step (exactly, for
  current-based synapses); synaptic input delivered in a step is added to the synaptic state at
  the end of that step, so it first moves the membrane in the next step;
* the refractory period lasts ``round(tau_refrac/dt)`` steps, during which ``v`` is clamped at
  ``v_reset`` while the synaptic state keeps evolving.

Units are PyNN's: mV, nA, nF, ms, uS (uS x mV = nA, nA / nF = mV/ms), so no scaling is needed.
"""
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..model.enums import VarAccess
from ..model.factories import create_neuron_model

# inputs every cell model receives from its incoming projections (see synapse_definitions)
EXCITATORY_INPUT = "InExc"
INHIBITORY_INPUT = "InInh"
_SYNAPTIC_INPUTS = [(EXCITATORY_INPUT, "scalar", 0.0), (INHIBITORY_INPUT, "scalar", 0.0)]


@dataclass
class NeuronDefinition:
    """How one PyNN cell type is simulated by GeNN.

    Attributes
    ----------
    name : str
        GeNN model class name.
    state_vars : list of (str, str)
        Read-write GeNN variables and their types.
    initial_values : dict
        PyNN initial-value name (``v``, ``isyn_exc``, ...) -> GeNN state variable.
    internal_state : dict
        GeNN state variable -> initial value, for state PyNN does not expose.
    coefficients : callable
        ``f(parameters, dt) -> {name: ndarray}``: the read-only per-neuron variables, from the
        PyNN parameters (a dict of equal-length arrays).
    coefficient_types : dict
        Coefficient name -> GeNN type; coefficients not listed are ``scalar``.
    recordables : dict
        PyNN recordable (other than ``spikes``) -> GeNN state variable.
    sim_code, threshold_code, reset_code : str
        GeNN code strings.
    receives_synaptic_input : bool
        Whether the model has the excitatory and inhibitory input variables.
    """
    name: str
    state_vars: list
    initial_values: dict
    internal_state: dict
    coefficients: Callable
    coefficient_names: list
    sim_code: str = ""
    threshold_code: str = ""
    reset_code: str = ""
    coefficient_types: dict = field(default_factory=dict)
    recordables: dict = field(default_factory=dict)
    extra_global_params: list = field(default_factory=list)
    receives_synaptic_input: bool = True
    _genn_model: object = field(default=None, repr=False)

    def genn_model(self):
        """The GeNN neuron model (created once)."""
        if self._genn_model is None:
            coefficient_vars = [(name, self.coefficient_types.get(name, "scalar"),
                                 VarAccess.READ_ONLY) for name in self.coefficient_names]
            self._genn_model = create_neuron_model(
                self.name,
                vars=list(self.state_vars) + coefficient_vars,
                sim_code=self.sim_code,
                threshold_condition_code=self.threshold_code,
                reset_code=self.reset_code,
                extra_global_params=self.extra_global_params or None,
                additional_input_vars=_SYNAPTIC_INPUTS if self.receives_synaptic_input
                else None)
        return self._genn_model

    def coefficient_values(self, parameters, dt):
        """Coefficient arrays for the given PyNN parameters (dict name -> array)."""
        values = self.coefficients({name: np.asarray(value, dtype=float)
                                    for name, value in parameters.items()
                                    if name != "spike_times"}, dt)
        missing = set(self.coefficient_names) - set(values)
        if missing:
            raise RuntimeError(f"pygenn.pynn bug: {self.name} lacks coefficients {missing}")
        return values


# ---------------------------------------------------------------------------- helpers
def exponential_decay(tau, dt):
    """``exp(-dt/tau)``, the one-step decay factor of a time constant."""
    return np.exp(-dt / tau)


def exponential_mean(tau, dt):
    """Mean over one step of a unit exponential decay, ``tau (1 - exp(-dt/tau)) / dt``."""
    return tau * -np.expm1(-dt / tau) / dt


def refractory_steps(tau_refrac, dt):
    """Number of whole steps the membrane is clamped after a spike."""
    return np.rint(np.asarray(tau_refrac) / dt).astype(np.int32)


def exponential_current_propagator(tau_m, tau_syn, cm, dt):
    """Membrane change after one step caused by a unit exponentially decaying current.

    Exact solution of ``cm dv/dt = -cm v/tau_m + exp(-t/tau_syn)`` from ``v(0) = 0``
    (NEST's ``P21``); the limit ``dt/cm exp(-dt/tau_m)`` where ``tau_syn == tau_m``.
    """
    tau_m, tau_syn, cm = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                               for x in (tau_m, tau_syn, cm)))
    equal = np.isclose(tau_m, tau_syn, rtol=1e-9, atol=0.0)
    tau_syn = np.where(equal, tau_m * 2.0, tau_syn)  # any value: replaced below
    exact = (tau_m * tau_syn / (cm * (tau_syn - tau_m))
             * (np.exp(-dt / tau_syn) - np.exp(-dt / tau_m)))
    return np.where(equal, dt / cm * np.exp(-dt / tau_m), exact)


def alpha_current_propagator(tau_m, tau_syn, cm, dt):
    """Membrane change after one step caused by a current ``t exp(-t/tau_syn)``.

    With ``k = 1/tau_m - 1/tau_syn``: ``(dt e_s - (e_s - e_m)/k) / (cm k)``, whose limit for
    ``k -> 0`` is ``dt^2 e_m / (2 cm)`` (``e_s``, ``e_m``: one-step decays).
    """
    tau_m, tau_syn, cm = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                               for x in (tau_m, tau_syn, cm)))
    k = 1.0 / tau_m - 1.0 / tau_syn
    small = np.abs(k * dt) < 1e-6
    safe_k = np.where(small, 1.0, k)
    e_s, e_m = np.exp(-dt / tau_syn), np.exp(-dt / tau_m)
    exact = (dt * e_s - (e_s - e_m) / safe_k) / (cm * safe_k)
    return np.where(small, dt * dt * e_m / (2.0 * cm), exact)


def _membrane_coefficients(p, dt):
    """Coefficients shared by the leaky integrate-and-fire cells."""
    return {"VRest": p["v_rest"], "VReset": p["v_reset"], "VThresh": p["v_thresh"],
            "IOffset": p["i_offset"], "RefracCount": refractory_steps(p["tau_refrac"], dt)}


_MEMBRANE_COEFFICIENTS = ["VRest", "VReset", "VThresh", "IOffset", "RefracCount"]
_INTEGER_COEFFICIENTS = {"RefracCount": "int"}
_THRESHOLD = "RefracSteps <= 0 && V >= VThresh"
_RESET = "V = VReset;\nRefracSteps = RefracCount;"


# ---------------------------------------------------------------------------- current based
# Exact integration (as NEST's iaf_psc_exp / iaf_psc_alpha): the synaptic currents at the start
# of the step are propagated analytically; Isyn (current sources) and i_offset are held
# constant over the step.
_IF_CURR_EXP_SIM = """
if (RefracSteps <= 0) {
    const scalar vInf = VRest + RMembrane * (IOffset + Isyn);
    V = vInf + (V - vInf) * DecayMembrane + ISynExc * PropExc + ISynInh * PropInh;
}
else {
    RefracSteps -= 1;
}
ISynExc = (ISynExc * DecayExc) + InExc;
ISynInh = (ISynInh * DecayInh) + InInh;
"""


def _if_curr_exp_coefficients(p, dt):
    values = _membrane_coefficients(p, dt)
    values.update(
        RMembrane=p["tau_m"] / p["cm"], DecayMembrane=exponential_decay(p["tau_m"], dt),
        PropExc=exponential_current_propagator(p["tau_m"], p["tau_syn_E"], p["cm"], dt),
        PropInh=exponential_current_propagator(p["tau_m"], p["tau_syn_I"], p["cm"], dt),
        DecayExc=exponential_decay(p["tau_syn_E"], dt),
        DecayInh=exponential_decay(p["tau_syn_I"], dt))
    return values


IF_CURR_EXP = NeuronDefinition(
    name="PyNN_IF_curr_exp",
    state_vars=[("V", "scalar"), ("ISynExc", "scalar"), ("ISynInh", "scalar"),
                ("RefracSteps", "int")],
    initial_values={"v": "V", "isyn_exc": "ISynExc", "isyn_inh": "ISynInh"},
    internal_state={"RefracSteps": 0},
    coefficients=_if_curr_exp_coefficients,
    coefficient_names=_MEMBRANE_COEFFICIENTS + ["RMembrane", "DecayMembrane", "PropExc",
                                                "PropInh", "DecayExc", "DecayInh"],
    coefficient_types=_INTEGER_COEFFICIENTS,
    recordables={"v": "V", "isyn_exc": "ISynExc", "isyn_inh": "ISynInh"},
    sim_code=_IF_CURR_EXP_SIM, threshold_code=_THRESHOLD, reset_code=_RESET)

# alpha current I(t) = w e/tau t exp(-t/tau) (peak w at t = tau): I' = -I/tau + Y, Y' = -Y/tau,
# a spike of weight w adds w e/tau to Y
_IF_CURR_ALPHA_SIM = """
if (RefracSteps <= 0) {
    const scalar vInf = VRest + RMembrane * (IOffset + Isyn);
    V = vInf + (V - vInf) * DecayMembrane
        + ISynExc * PropExc + YExc * PropYExc + ISynInh * PropInh + YInh * PropYInh;
}
else {
    RefracSteps -= 1;
}
ISynExc = (ISynExc + YExc * dt) * DecayExc;
ISynInh = (ISynInh + YInh * dt) * DecayInh;
YExc = (YExc * DecayExc) + (InExc * JumpExc);
YInh = (YInh * DecayInh) + (InInh * JumpInh);
"""


def _if_curr_alpha_coefficients(p, dt):
    values = _membrane_coefficients(p, dt)
    values.update(
        RMembrane=p["tau_m"] / p["cm"], DecayMembrane=exponential_decay(p["tau_m"], dt),
        PropExc=exponential_current_propagator(p["tau_m"], p["tau_syn_E"], p["cm"], dt),
        PropInh=exponential_current_propagator(p["tau_m"], p["tau_syn_I"], p["cm"], dt),
        PropYExc=alpha_current_propagator(p["tau_m"], p["tau_syn_E"], p["cm"], dt),
        PropYInh=alpha_current_propagator(p["tau_m"], p["tau_syn_I"], p["cm"], dt),
        DecayExc=exponential_decay(p["tau_syn_E"], dt),
        DecayInh=exponential_decay(p["tau_syn_I"], dt),
        JumpExc=np.e / p["tau_syn_E"], JumpInh=np.e / p["tau_syn_I"])
    return values


IF_CURR_ALPHA = NeuronDefinition(
    name="PyNN_IF_curr_alpha",
    state_vars=[("V", "scalar"), ("ISynExc", "scalar"), ("ISynInh", "scalar"),
                ("YExc", "scalar"), ("YInh", "scalar"), ("RefracSteps", "int")],
    initial_values={"v": "V", "isyn_exc": "ISynExc", "isyn_inh": "ISynInh"},
    internal_state={"RefracSteps": 0, "YExc": 0.0, "YInh": 0.0},
    coefficients=_if_curr_alpha_coefficients,
    coefficient_names=_MEMBRANE_COEFFICIENTS + [
        "RMembrane", "DecayMembrane", "PropExc", "PropInh", "PropYExc", "PropYInh",
        "DecayExc", "DecayInh", "JumpExc", "JumpInh"],
    coefficient_types=_INTEGER_COEFFICIENTS,
    recordables={"v": "V", "isyn_exc": "ISynExc", "isyn_inh": "ISynInh"},
    sim_code=_IF_CURR_ALPHA_SIM, threshold_code=_THRESHOLD, reset_code=_RESET)


# ---------------------------------------------------------------------------- conductance based
# Exponential Euler with the conductances averaged over the step: exact for constant
# conductances, and stable for any conductance (NEST integrates with adaptive RK45).
_COND_MEMBRANE = """
if (RefracSteps <= 0) {
    const scalar gTotal = GLeak + gExc + gInh;
    const scalar vInf = (GLeak * VRest + gExc * ERevExc + gInh * ERevInh + IOffset + Isyn)
                        / gTotal;
    V = vInf + (V - vInf) * exp(-dt * gTotal / Cm);
}
else {
    RefracSteps -= 1;
}
"""

_IF_COND_EXP_SIM = """
const scalar gExc = GSynExc * MeanExc;
const scalar gInh = GSynInh * MeanInh;
""" + _COND_MEMBRANE + """
GSynExc = (GSynExc * DecayExc) + InExc;
GSynInh = (GSynInh * DecayInh) + InInh;
"""


def _cond_coefficients(p, dt):
    values = _membrane_coefficients(p, dt)
    values.update(GLeak=p["cm"] / p["tau_m"], Cm=p["cm"], ERevExc=p["e_rev_E"],
                  ERevInh=p["e_rev_I"], DecayExc=exponential_decay(p["tau_syn_E"], dt),
                  DecayInh=exponential_decay(p["tau_syn_I"], dt))
    return values


_COND_COEFFICIENTS = _MEMBRANE_COEFFICIENTS + ["GLeak", "Cm", "ERevExc", "ERevInh",
                                               "DecayExc", "DecayInh"]


def _if_cond_exp_coefficients(p, dt):
    values = _cond_coefficients(p, dt)
    values.update(MeanExc=exponential_mean(p["tau_syn_E"], dt),
                  MeanInh=exponential_mean(p["tau_syn_I"], dt))
    return values


IF_COND_EXP = NeuronDefinition(
    name="PyNN_IF_cond_exp",
    state_vars=[("V", "scalar"), ("GSynExc", "scalar"), ("GSynInh", "scalar"),
                ("RefracSteps", "int")],
    initial_values={"v": "V", "gsyn_exc": "GSynExc", "gsyn_inh": "GSynInh"},
    internal_state={"RefracSteps": 0},
    coefficients=_if_cond_exp_coefficients,
    coefficient_names=_COND_COEFFICIENTS + ["MeanExc", "MeanInh"],
    coefficient_types=_INTEGER_COEFFICIENTS,
    recordables={"v": "V", "gsyn_exc": "GSynExc", "gsyn_inh": "GSynInh"},
    sim_code=_IF_COND_EXP_SIM, threshold_code=_THRESHOLD, reset_code=_RESET)

# alpha conductance g(t) = w e/tau t exp(-t/tau); over a step g = (g0 + y0 t) exp(-t/tau)
_IF_COND_ALPHA_SIM = """
const scalar gExc = (GSynExc * MeanExc) + (YExc * MeanYExc);
const scalar gInh = (GSynInh * MeanInh) + (YInh * MeanYInh);
""" + _COND_MEMBRANE + """
GSynExc = (GSynExc + YExc * dt) * DecayExc;
GSynInh = (GSynInh + YInh * dt) * DecayInh;
YExc = (YExc * DecayExc) + (InExc * JumpExc);
YInh = (YInh * DecayInh) + (InInh * JumpInh);
"""


def alpha_mean(tau, dt):
    """Mean over one step of ``t exp(-t/tau)``: ``(tau^2 (1 - e) - tau dt e) / dt``."""
    decay = np.exp(-dt / tau)
    return (tau * tau * -np.expm1(-dt / tau) - tau * dt * decay) / dt


def _if_cond_alpha_coefficients(p, dt):
    values = _cond_coefficients(p, dt)
    values.update(MeanExc=exponential_mean(p["tau_syn_E"], dt),
                  MeanInh=exponential_mean(p["tau_syn_I"], dt),
                  MeanYExc=alpha_mean(p["tau_syn_E"], dt),
                  MeanYInh=alpha_mean(p["tau_syn_I"], dt),
                  JumpExc=np.e / p["tau_syn_E"], JumpInh=np.e / p["tau_syn_I"])
    return values


IF_COND_ALPHA = NeuronDefinition(
    name="PyNN_IF_cond_alpha",
    state_vars=[("V", "scalar"), ("GSynExc", "scalar"), ("GSynInh", "scalar"),
                ("YExc", "scalar"), ("YInh", "scalar"), ("RefracSteps", "int")],
    initial_values={"v": "V", "gsyn_exc": "GSynExc", "gsyn_inh": "GSynInh"},
    internal_state={"RefracSteps": 0, "YExc": 0.0, "YInh": 0.0},
    coefficients=_if_cond_alpha_coefficients,
    coefficient_names=_COND_COEFFICIENTS + ["MeanExc", "MeanInh", "MeanYExc", "MeanYInh",
                                            "JumpExc", "JumpInh"],
    coefficient_types=_INTEGER_COEFFICIENTS,
    recordables={"v": "V", "gsyn_exc": "GSynExc", "gsyn_inh": "GSynInh"},
    sim_code=_IF_COND_ALPHA_SIM, threshold_code=_THRESHOLD, reset_code=_RESET)


# ---------------------------------------------------------------------------- spike sources
# A step covers (t, t + dt]; a spike found in it is reported at t + dt. The source is active for
# report times in (start, start + duration], and fires in a step with probability rate * dt.
def _poisson_coefficients(p, dt):
    return {"SpikeProbability": np.clip(p["rate"] * dt / 1000.0, 0.0, 1.0),
            "TStart": p["start"], "TStop": p["start"] + p["duration"]}


SPIKE_SOURCE_POISSON = NeuronDefinition(
    name="PyNN_SpikeSourcePoisson",
    state_vars=[],
    initial_values={}, internal_state={},
    coefficients=_poisson_coefficients,
    coefficient_names=["SpikeProbability", "TStart", "TStop"],
    threshold_code=("t + (0.5 * dt) >= TStart && t + (0.5 * dt) < TStop "
                    "&& gennrand_uniform() < SpikeProbability"),
    receives_synaptic_input=False)

# spikeTimes holds every neuron's (sorted) spike times one after the other; a neuron emits the
# spike startSpike in the step whose report time t + dt is nearest to it (or later, if late).
SPIKE_SOURCE_ARRAY = NeuronDefinition(
    name="PyNN_SpikeSourceArray",
    state_vars=[("startSpike", "unsigned int"), ("endSpike", "unsigned int")],
    initial_values={}, internal_state={},
    coefficients=lambda p, dt: {},
    coefficient_names=[],
    threshold_code="startSpike != endSpike && t + (1.5 * dt) >= spikeTimes[startSpike]",
    reset_code="startSpike++;",
    extra_global_params=[("spikeTimes", "scalar*")],
    receives_synaptic_input=False)
