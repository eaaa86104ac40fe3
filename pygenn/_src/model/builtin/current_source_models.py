"""Built-in current source models, written with the public factory."""
from __future__ import annotations

import math

from ..factories import create_current_source_model
from .stats import ieee_divide


def _dc():
    return create_current_source_model(
        "DC",
        params=["amp"],
        injection_code="injectCurrent(amp);")


def _gaussian_noise():
    return create_current_source_model(
        "GaussianNoise",
        params=["mean", "sd"],
        injection_code="injectCurrent(mean + (gennrand_normal() * sd));")


def _poisson_exp_decay(pars, dt):
    return math.exp(ieee_divide(-dt, pars["tauSyn"]))


def _poisson_exp():
    # Knuth's method: the number of Poisson(rate * dt) input spikes this step is one less than
    # the number of uniforms whose running product first falls to exp(-rate * dt) or below
    return create_current_source_model(
        "PoissonExp",
        params=["weight", "tauSyn", "rate"],
        vars=[("current", "scalar")],
        derived_params=[
            ("ExpDecay", _poisson_exp_decay),
            ("Init", lambda pars, dt: ieee_divide(
                pars["weight"] * (1.0 - _poisson_exp_decay(pars, dt)) * pars["tauSyn"], dt)),
            ("ExpMinusLambda", lambda pars, dt: math.exp(-(pars["rate"] / 1000.0) * dt)),
        ],
        injection_code="""
            scalar p = 1.0;
            unsigned int numUniforms = 0;
            do {
                numUniforms++;
                p *= gennrand_uniform();
            } while (p > ExpMinusLambda);
            current += Init * (scalar)(numUniforms - 1);
            injectCurrent(current);
            current *= ExpDecay;
            """)


BUILTINS = {model.name: model for model in (_dc(), _gaussian_noise(), _poisson_exp())}
