"""Built-in weight update models, written with the public factory."""
from __future__ import annotations

from ..enums import VarAccess, VarAccessMode
from ..factories import create_weight_update_model


def _static_pulse():
    return create_weight_update_model(
        "StaticPulse",
        vars=[("g", "scalar", VarAccess.READ_ONLY)],
        pre_spike_syn_code="addToPost(g);")


def _static_pulse_constant_weight():
    return create_weight_update_model(
        "StaticPulseConstantWeight",
        params=["g"],
        pre_spike_syn_code="addToPost(g);")


def _static_pulse_dendritic_delay():
    return create_weight_update_model(
        "StaticPulseDendriticDelay",
        vars=[("g", "scalar", VarAccess.READ_ONLY), ("d", "uint8_t", VarAccess.READ_ONLY)],
        pre_spike_syn_code="addToPostDelay(g, d);")


def _static_graded():
    # GeNN 5.4 names 'V_pre' here, which does not exist; the intended (and our) meaning is the
    # presynaptic membrane voltage, reached through the 'V' reference
    return create_weight_update_model(
        "StaticGraded",
        params=["Epre", "Vslope"],
        vars=[("g", "scalar", VarAccess.READ_ONLY)],
        pre_neuron_var_refs=[("V", "scalar", VarAccessMode.READ_ONLY)],
        pre_event_threshold_condition_code="V > Epre",
        pre_event_syn_code="addToPost(fmax(0.0, g * tanh((V - Epre) / Vslope) * dt));")


# Nearest-spike STDP through the last pre/post spike times; 'dt' here is a local time
# difference that shadows the timestep, as in GeNN's model
_STDP_DEPRESSION = """
    addToPost(g);
    const scalar dt = t - st_post;
    if (dt > 0.0) {
        const scalar newWeight = g - (Aminus * exp(-dt / tauMinus));
        g = fmin(Wmax, fmax(Wmin, newWeight));
    }
    """

_STDP_POTENTIATION = """
    const scalar dt = t - st_pre;
    if (dt > 0.0) {
        const scalar newWeight = g + (Aplus * exp(-dt / tauPlus));
        g = fmin(Wmax, fmax(Wmin, newWeight));
    }
    """


def _stdp():
    return create_weight_update_model(
        "STDP",
        params=["tauPlus", "tauMinus", "Aplus", "Aminus", "Wmin", "Wmax"],
        vars=[("g", "scalar")],
        pre_spike_syn_code=_STDP_DEPRESSION,
        post_spike_syn_code=_STDP_POTENTIATION)


BUILTINS = {model.name: model for model in (
    _static_pulse(), _static_pulse_constant_weight(), _static_pulse_dendritic_delay(),
    _static_graded(), _stdp())}
