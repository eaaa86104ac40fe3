"""Built-in postsynaptic models, written with the public factory."""
from __future__ import annotations

import math

from ..enums import VarAccessMode
from ..factories import create_postsynaptic_model
from .stats import ieee_divide


def _exp_decay(pars, dt):
    return math.exp(ieee_divide(-dt, pars["tau"]))


def _exp_curr_init(pars, dt):
    # Scales the input so that its integral over time is independent of dt
    return ieee_divide(pars["tau"] * (1.0 - _exp_decay(pars, dt)), dt)


def _delta_curr():
    return create_postsynaptic_model(
        "DeltaCurr",
        sim_code="""
            injectCurrent(inSyn);
            inSyn = 0.0;
            """)


def _exp_curr():
    return create_postsynaptic_model(
        "ExpCurr",
        params=["tau"],
        derived_params=[("expDecay", _exp_decay), ("init", _exp_curr_init)],
        sim_code="""
            injectCurrent(init * inSyn);
            inSyn *= expDecay;
            """)


def _exp_cond():
    return create_postsynaptic_model(
        "ExpCond",
        params=["tau", "E"],
        derived_params=[("expDecay", _exp_decay)],
        neuron_var_refs=[("V", "scalar", VarAccessMode.READ_ONLY)],
        sim_code="""
            injectCurrent(inSyn * (E - V));
            inSyn *= expDecay;
            """)


BUILTINS = {model.name: model for model in (_delta_curr(), _exp_curr(), _exp_cond())}
