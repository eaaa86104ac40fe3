"""Values and names users give that generated code cannot take as they are.

Two kinds of checks, each raising with a message that names the quantity and what to pass:

* numbers for integer-typed quantities (parameters, initial values, extra global parameters)
  must be exactly representable: C and numpy would otherwise wrap ``-1`` to ``4294967295``,
  truncate ``1.7`` to ``1`` or turn ``nan`` into an arbitrary integer, silently;
* model items must not be named like the arrays pygenn keeps per group (``spk``, ``sT``, ...):
  such a variable would share its storage with the spike queue and break loading.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..lang.types import NumericType, UnresolvedType

# Arrays the plan registers for a group besides its model's own (codegen/plan.py, neuron_split.py,
# matrix_types.py, custom_update_plan.py): a model item with one of these names would be keyed
# ``(group, name)`` like them and share their storage.
_EVENT_ARRAYS = ("SpkCntEvent", "SpkCntEventNext", "SpkEventFlags", "SpkEvent", "SET",
                 "PrevSET", "RecordSpkEvent")
INTERNAL_ARRAY_NAMES = frozenset(
    ["spkCnt", "spk", "spkCntNext", "spkQuePtr", "sT", "prevST", "spkFlags", "recordSpk",
     "spkByte", "outPost", "outPre", "denDelay", "denDelayPtr", "rowLength", "ind", "colLength",
     "remap", "gp", "kernelInd"]
    + [f"{side}{name}" for side in ("pre", "post") for name in _EVENT_ARRAYS])


def check_not_internal_name(name: str, what: str, where: str) -> None:
    """Refuse a model item named like one of the arrays pygenn keeps for every group."""
    if name in INTERNAL_ARRAY_NAMES:
        raise RuntimeError(f"{what} name '{name}' of {where} is the name of an array pygenn "
                           f"keeps for each population (spike queues, recording buffers, sparse "
                           f"connectivity); rename it, e.g. to '{name}_'")


# ---------------------------------------------------------------------------- integer values
def integer_type(declared_type) -> NumericType | None:
    """The integer (or bool) type a declaration names, or None for floating-point types.

    ``scalar`` and ``timepoint`` are floating point whatever the model's precision.
    """
    try:
        unresolved = UnresolvedType(declared_type)
    except (TypeError, RuntimeError):
        return None
    if unresolved.is_scalar_dependent:
        return None
    resolved = unresolved.resolve({})
    return resolved if resolved.is_integer else None


def _range(numeric_type: NumericType) -> tuple[int, int]:
    if numeric_type.name == "bool":
        return 0, 1
    return numeric_type.lowest, numeric_type.highest


def _not_representable(value, numeric_type: NumericType, what: str) -> ValueError:
    low, high = _range(numeric_type)
    return ValueError(f"{what} has type {numeric_type.name}, which cannot hold {value!r} "
                      f"exactly (it takes whole numbers from {low} to {high}); pass a whole "
                      f"number in that range")


def exact_integer(value, numeric_type: NumericType, what: str) -> int:
    """``value`` as a Python int if ``numeric_type`` holds it exactly; else ValueError."""
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if isinstance(value, complex):
        raise TypeError(f"{what} must be a real number, not {value!r}")
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) \
            and float(value) == math.floor(value):
        number = int(value)
    else:
        raise _not_representable(value, numeric_type, what)
    low, high = _range(numeric_type)
    if not low <= number <= high:
        raise _not_representable(value, numeric_type, what)
    return number


def check_real(value, what: str) -> None:
    """Complex numbers have no C counterpart here (numpy would drop the imaginary part)."""
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{what} must be a real number, not {value!r}")


def check_param_value(value, declared_type, what: str) -> None:
    """An integer-typed parameter must be given a value its type holds exactly."""
    check_real(value, what)
    numeric_type = integer_type(declared_type)
    if numeric_type is not None:
        exact_integer(value, numeric_type, what)


def check_array_values(array, numeric_type: NumericType | None, what: str) -> None:
    """Every element of ``array`` must be exactly representable in ``numeric_type``.

    ``numeric_type`` None (or a floating-point type) only refuses complex values: converting
    doubles to float is what C does too.
    """
    array = np.asarray(array)
    if np.iscomplexobj(array):
        raise TypeError(f"{what}: values must be real numbers, not complex")
    if numeric_type is None or not numeric_type.is_integer or array.size == 0:
        return
    if array.dtype == np.bool_:
        return
    low, high = _range(numeric_type)
    if np.issubdtype(array.dtype, np.integer):
        bad = (array < low) | (array > high)
    else:
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(array) | (array != np.floor(array)) | (array < low) \
                | (array > high)
    if np.any(bad):
        first = array.ravel()[int(np.argmax(bad.ravel()))]
        count = int(np.count_nonzero(bad))
        raise ValueError(f"{what} has type {numeric_type.name}, which cannot hold "
                         f"{first.item()!r} exactly ({count} of {array.size} values are not whole "
                         f"numbers from {low} to {high}); pass whole numbers in that range")


def check_init_values(init, declared_type, what: str) -> None:
    """A variable's initialiser (constant VarInit, host values or snippet) against its type."""
    if init is None:
        return
    if isinstance(init, np.ndarray):
        check_array_values(init, integer_type(declared_type), what)
        return
    constant = getattr(init, "constant_value", None) if getattr(init, "is_constant", False) \
        else None
    if constant is not None:
        check_param_value(constant, declared_type, what)
