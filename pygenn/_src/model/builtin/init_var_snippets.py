"""Built-in variable initialisation snippets, written with the public factory."""
from __future__ import annotations

from ..factories import create_var_init_snippet
from .stats import ieee_divide


def _uninitialised():
    return create_var_init_snippet("Uninitialised")


def _constant():
    return create_var_init_snippet(
        "Constant",
        params=["constant"],
        var_init_code="value = constant;")


def _kernel():
    return create_var_init_snippet(
        "Kernel",
        extra_global_params=[("kernel", "scalar*")],
        var_init_code="value = kernel[id_kernel];")


def _uniform():
    return create_var_init_snippet(
        "Uniform",
        params=["min", "max"],
        var_init_code="""
            const scalar scale = max - min;
            value = min + (gennrand_uniform() * scale);
            """)


def _normal():
    return create_var_init_snippet(
        "Normal",
        params=["mean", "sd"],
        var_init_code="value = mean + (gennrand_normal() * sd);")


def _normal_clipped():
    return create_var_init_snippet(
        "NormalClipped",
        params=["mean", "sd", "min", "max"],
        var_init_code="""
            scalar normal;
            do {
                normal = mean + (gennrand_normal() * sd);
            } while (normal > max || normal < min);
            value = normal;
            """)


def _per_timestep(name: str):
    return lambda pars, dt: ieee_divide(pars[name], dt)


def _normal_clipped_delay():
    # Delays given in ms are drawn in timesteps and rounded to whole steps
    return create_var_init_snippet(
        "NormalClippedDelay",
        params=["mean", "sd", "min", "max"],
        derived_params=[(name + "Timestep", _per_timestep(name))
                        for name in ("mean", "sd", "min", "max")],
        var_init_code="""
            scalar normal;
            do {
                normal = meanTimestep + (gennrand_normal() * sdTimestep);
            } while (normal > maxTimestep || normal < minTimestep);
            value = rint(normal);
            """)


def _exponential():
    # 'lambda' scales a unit-mean exponential, i.e. it is the mean, not the rate (as in GeNN)
    return create_var_init_snippet(
        "Exponential",
        params=["lambda"],
        var_init_code="value = lambda * gennrand_exponential();")


def _gamma():
    return create_var_init_snippet(
        "Gamma",
        params=["a", "b"],
        var_init_code="value = b * gennrand_gamma(a);")


def _binomial():
    return create_var_init_snippet(
        "Binomial",
        params=["n", "p"],
        var_init_code="value = gennrand_binomial((unsigned int)n, p);")


BUILTINS = {snippet.name: snippet for snippet in (
    _uninitialised(), _constant(), _kernel(), _uniform(), _normal(), _normal_clipped(),
    _normal_clipped_delay(), _exponential(), _gamma(), _binomial())}
