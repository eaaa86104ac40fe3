"""Built-in neuron models, written with the public factory."""
from __future__ import annotations

import math

from ..enums import VarAccess
from ..factories import create_neuron_model
from .stats import ieee_divide


def _rulkov_map():
    return create_neuron_model(
        "RulkovMap",
        params=["Vspike", "alpha", "y", "beta"],
        vars=[("V", "scalar"), ("preV", "scalar")],
        derived_params=[
            ("ip0", lambda pars, dt: pars["Vspike"] * pars["Vspike"] * pars["alpha"]),
            ("ip1", lambda pars, dt: pars["Vspike"] * pars["y"]),
            ("ip2", lambda pars, dt: pars["Vspike"] * pars["alpha"] + pars["Vspike"] * pars["y"]),
        ],
        sim_code="""
            if (V <= 0.0) {
                preV = V;
                V = (ip0 / ((Vspike - V) - (beta * Isyn))) + ip1;
            }
            else if (V < ip2 && preV <= 0.0) {
                preV = V;
                V = ip2;
            }
            else {
                preV = V;
                V = -Vspike;
            }
            """,
        threshold_condition_code="V >= ip2")


# Izhikevich's two half-steps of the membrane equation, then the recovery variable; the
# reset happens at the start of the step after the spike (V was clamped to 30 then)
_IZHIKEVICH_SIM_CODE = """
    if (V >= 30.0) {
        V = c;
        U += d;
    }
    V += 0.5 * ((0.04 * V * V) + (5.0 * V) + 140.0 - U + Isyn) * dt;
    V += 0.5 * ((0.04 * V * V) + (5.0 * V) + 140.0 - U + Isyn) * dt;
    U += a * ((b * V) - U) * dt;
    if (V > 30.0) {
        V = 30.0;
    }
    """


def _izhikevich():
    return create_neuron_model(
        "Izhikevich",
        params=["a", "b", "c", "d"],
        vars=[("V", "scalar"), ("U", "scalar")],
        sim_code=_IZHIKEVICH_SIM_CODE,
        threshold_condition_code="V >= 29.99")


def _izhikevich_variable():
    return create_neuron_model(
        "IzhikevichVariable",
        vars=[("V", "scalar"), ("U", "scalar"),
              ("a", "scalar", VarAccess.READ_ONLY), ("b", "scalar", VarAccess.READ_ONLY),
              ("c", "scalar", VarAccess.READ_ONLY), ("d", "scalar", VarAccess.READ_ONLY)],
        sim_code=_IZHIKEVICH_SIM_CODE,
        threshold_condition_code="V >= 29.99")


def _lif():
    return create_neuron_model(
        "LIF",
        params=["C", "TauM", "Vrest", "Vreset", "Vthresh", "Ioffset", "TauRefrac"],
        vars=[("V", "scalar"), ("RefracTime", "scalar")],
        derived_params=[
            ("ExpTC", lambda pars, dt: math.exp(ieee_divide(-dt, pars["TauM"]))),
            ("Rmembrane", lambda pars, dt: ieee_divide(pars["TauM"], pars["C"])),
        ],
        sim_code="""
            if (RefracTime <= 0.0) {
                const scalar alpha = ((Isyn + Ioffset) * Rmembrane) + Vrest;
                V = alpha - (ExpTC * (alpha - V));
            }
            else {
                RefracTime -= dt;
            }
            """,
        threshold_condition_code="RefracTime <= 0.0 && V >= Vthresh",
        reset_code="""
            V = Vreset;
            RefracTime = TauRefrac;
            """)


def _spike_source_array():
    return create_neuron_model(
        "SpikeSourceArray",
        vars=[("startSpike", "unsigned int"),
              ("endSpike", "unsigned int", VarAccess.READ_ONLY_DUPLICATE)],
        extra_global_params=[("spikeTimes", "scalar*")],
        threshold_condition_code="startSpike != endSpike && t >= spikeTimes[startSpike]",
        reset_code="startSpike++;")


def _poisson():
    return create_neuron_model(
        "Poisson",
        params=["rate"],
        vars=[("timeStepToSpike", "scalar")],
        derived_params=[("isi", lambda pars, dt: ieee_divide(1000.0, pars["rate"] * dt))],
        sim_code="""
            if (timeStepToSpike <= 0.0) {
                timeStepToSpike += isi * gennrand_exponential();
            }
            timeStepToSpike -= 1.0;
            """,
        threshold_condition_code="timeStepToSpike <= 0.0")


def _traub_miles():
    # 25 forward-Euler substeps; the rate functions have removable singularities where
    # their limits are used instead of 0/0
    return create_neuron_model(
        "TraubMiles",
        params=["gNa", "ENa", "gK", "EK", "gl", "El", "C"],
        vars=[("V", "scalar"), ("m", "scalar"), ("h", "scalar"), ("n", "scalar")],
        sim_code="""
            const scalar mdt = dt / 25.0;
            for (int mt = 0; mt < 25; mt++) {
                const scalar Imem = -((m * m * m * h * gNa * (V - ENa))
                                      + (n * n * n * n * gK * (V - EK))
                                      + (gl * (V - El))
                                      - Isyn);
                scalar alpha;
                scalar beta;
                if (V == -52.0) {
                    alpha = 1.28;
                }
                else {
                    alpha = 0.32 * (-52.0 - V) / (exp((-52.0 - V) / 4.0) - 1.0);
                }
                if (V == -25.0) {
                    beta = 1.4;
                }
                else {
                    beta = 0.28 * (V + 25.0) / (exp((V + 25.0) / 5.0) - 1.0);
                }
                m += ((alpha * (1.0 - m)) - (beta * m)) * mdt;
                alpha = 0.128 * exp((-48.0 - V) / 18.0);
                beta = 4.0 / (exp((-25.0 - V) / 5.0) + 1.0);
                h += ((alpha * (1.0 - h)) - (beta * h)) * mdt;
                if (V == -50.0) {
                    alpha = 0.16;
                }
                else {
                    alpha = 0.032 * (-50.0 - V) / (exp((-50.0 - V) / 5.0) - 1.0);
                }
                beta = 0.5 * exp((-55.0 - V) / 40.0);
                n += ((alpha * (1.0 - n)) - (beta * n)) * mdt;
                V += (Imem / C) * mdt;
            }
            """,
        threshold_condition_code="V >= 0.0")


BUILTINS = {model.name: model for model in (
    _rulkov_map(), _izhikevich(), _izhikevich_variable(), _lif(), _spike_source_array(),
    _poisson(), _traub_miles())}
