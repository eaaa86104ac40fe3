"""The built-in functions of code strings (C maths; ``gennrand_*`` where an RNG exists), as data.

Each row is ``(names, return type, argument types, variadic)``. The placeholder ``"F"`` stands for
both ``float`` and ``double``: such a row gives one overload per floating type, double first so
that an integer argument (a tie between the two) picks the double overload, as C's implicit
conversion would.
Integer-only ``abs`` stays so: C's ``abs`` truncates a floating argument
(``abs(-1.5)`` is 1; ``fabs`` is the floating one).
"""
from __future__ import annotations

from .types import (Bool, Double, Float, FunctionType, Int32, Int64, PointerType, StringType,
                    Uint32, Uint64, Void)

_ONE_ARG = ("cos sin tan acos asin atan cosh sinh tanh acosh asinh atanh exp expm1 exp2 log "
            "log1p log2 log10 sqrt cbrt ceil floor round rint trunc nearbyint fabs erf erfc "
            "tgamma lgamma")
_TWO_ARGS = "atan2 pow fmod nextafter remainder fdim fmax fmin copysign hypot"

# C's <math.h> declares only the double versions in the global namespace: a C++ backend that
# prints these calls unqualified brings <cmath>'s float and integer overloads in with
# ``using std::name;`` (see ``CPP_USING_DECLARATIONS``), so exp(float) computes in float, as the
# type checker says and as CUDA's overloads do.
CMATH_FUNCTIONS = tuple((_ONE_ARG + " " + _TWO_ARGS + " fma scalbn ldexp ilogb").split())
CPP_USING_DECLARATIONS = "\n".join(
    "using " + "; using ".join(f"std::{n}" for n in CMATH_FUNCTIONS[i:i + 6]) + ";"
    for i in range(0, len(CMATH_FUNCTIONS), 6))

STANDARD_LIBRARY = (
    (_ONE_ARG, "F", ("F",), False),
    (_TWO_ARGS, "F", ("F", "F"), False),
    ("fma", "F", ("F", "F", "F"), False),
    ("scalbn ldexp", "F", ("F", Int32), False),
    ("ilogb", Int32, ("F",), False),
    ("min max", Int32, (Int32, Int32), False),
    ("min max", Int64, (Int64, Int64), False),
    ("min max", Uint32, (Uint32, Uint32), False),
    ("min max", Uint64, (Uint64, Uint64), False),
    # C++'s min/max are templates: GeNN types floating arguments as int, which is not what
    # std::min computes (the printer converts arguments to the overload chosen here)
    ("min max", "F", ("F", "F"), False),
    ("abs", Int32, (Int32,), False),
    ("abs", Int64, (Int64,), False),
    ("printf", Int32, (StringType,), True),
    ("assert", Void, (Bool,), False),
    ("clz", Int32, (Uint32,), False),
    ("atomic_or", Void, (PointerType(Uint32), Uint32), False),
)


def _expand(return_type, arg_types, variadic) -> list[FunctionType]:
    """One FunctionType per floating type if the row uses the "F" placeholder."""
    if "F" not in (return_type, *arg_types):
        return [FunctionType(return_type, tuple(arg_types), variadic)]
    return [FunctionType(t if return_type == "F" else return_type,
                         tuple(t if a == "F" else a for a in arg_types), variadic)
            for t in (Double, Float)]


def _build_table() -> dict[str, list[FunctionType]]:
    table: dict[str, list[FunctionType]] = {}
    for names, return_type, arg_types, variadic in STANDARD_LIBRARY:
        for name in names.split():
            table.setdefault(name, []).extend(_expand(return_type, arg_types, variadic))
    return table


STANDARD_FUNCTIONS: dict[str, list[FunctionType]] = _build_table()


def rng_function_signatures(scalar_type) -> dict[str, list[tuple]]:
    """Signatures of the random-number functions (``gennrand*``) for a model precision.

    Returns ``{name: [(return_type, [arg types], variadic)]}``, the form
    ``Environment.add_function`` takes; code generation adds them where an RNG exists.
    """
    return {
        "gennrand": [(Uint32, [], False)],
        "gennrand_uniform": [(scalar_type, [], False)],
        "gennrand_normal": [(scalar_type, [], False)],
        "gennrand_exponential": [(scalar_type, [], False)],
        "gennrand_log_normal": [(scalar_type, [scalar_type, scalar_type], False)],
        "gennrand_gamma": [(scalar_type, [scalar_type], False)],
        "gennrand_binomial": [(Uint32, [Uint32, scalar_type], False)],
    }
