"""Descriptor records used inside models: parameters, variables, references, EGPs."""
from __future__ import annotations

import numbers

from ..lang.types import UnresolvedType
from .enums import CustomUpdateVarAccess, VarAccess, VarAccessMode


class NumericValue:
    """A parameter value (``.value`` is a Python int or float)."""

    def __init__(self, value):
        if isinstance(value, NumericValue):
            value = value.value
        if isinstance(value, bool) or not isinstance(value, numbers.Number):
            raise TypeError(f"a numeric value is required, not {value!r}")
        self.value = int(value) if isinstance(value, numbers.Integral) else float(value)

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __eq__(self, other):
        if isinstance(other, NumericValue):
            return self.value == other.value
        if isinstance(other, numbers.Number):
            return self.value == other
        return NotImplemented

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return f"NumericValue({self.value!r})"


class _Named:
    __slots__ = ()

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __hash__(self):
        return hash((type(self).__name__, self.name))


class Param(_Named):
    __slots__ = ("name", "type")

    def __init__(self, name: str, type="scalar"):
        self.name = name
        self.type = UnresolvedType(type)


class DerivedParam(_Named):
    __slots__ = ("name", "func", "type")

    def __init__(self, name: str, func, type="scalar"):
        self.name = name
        self.func = func
        self.type = UnresolvedType(type)


class EGP(_Named):
    """An extra global parameter: an array whose element type is ``type``."""

    __slots__ = ("name", "type")

    def __init__(self, name: str, type):
        self.name = name
        self.type = UnresolvedType(type)


class ParamVal(_Named):
    __slots__ = ("name", "type", "value")

    def __init__(self, name: str, type, value):
        self.name = name
        self.type = UnresolvedType(type)
        self.value = NumericValue(value)


class Var(_Named):
    __slots__ = ("name", "type", "access")

    def __init__(self, name: str, type, access=VarAccess.READ_WRITE):
        self.name = name
        self.type = UnresolvedType(type)
        if not isinstance(access, VarAccess):
            raise TypeError(f"variable '{name}': access must be a VarAccess, not {access!r}")
        self.access = access


class CustomUpdateVar(_Named):
    __slots__ = ("name", "type", "access")

    def __init__(self, name: str, type, access=CustomUpdateVarAccess.READ_WRITE):
        self.name = name
        self.type = UnresolvedType(type)
        if not isinstance(access, CustomUpdateVarAccess):
            raise TypeError(f"custom update variable '{name}': access must be a "
                            f"CustomUpdateVarAccess, not {access!r}")
        self.access = access


class VarRef(_Named):
    __slots__ = ("name", "type", "access")

    def __init__(self, name: str, type, access=VarAccessMode.READ_WRITE):
        self.name = name
        self.type = UnresolvedType(type)
        if not isinstance(access, VarAccessMode):
            raise TypeError(f"variable reference '{name}': access must be a VarAccessMode, "
                            f"not {access!r}")
        self.access = access


class EGPRef(_Named):
    __slots__ = ("name", "type")

    def __init__(self, name: str, type):
        self.name = name
        self.type = UnresolvedType(type)


class AdditionalInputVar(_Named):
    """An extra per-neuron input accumulator, reset to ``value`` at the start of each step."""

    __slots__ = ("name", "type", "value")

    def __init__(self, name: str, type, value):
        self.name = name
        self.type = UnresolvedType(type)
        self.value = NumericValue(value)
