"""Numeric types of GeNNCode and of model variables.

``NumericType`` objects are the resolved types exposed as ``pygenn.types.Float`` etc.
``UnresolvedType`` holds a spelling such as ``"scalar"`` until the model precision is known.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class NumericType:
    """A resolved C numeric type (LP64 data model)."""

    name: str          # canonical spelling, also used in generated C ("uint32_t")
    rank: int          # C conversion rank used for promotion
    is_integer: bool
    is_signed: bool
    size: int          # bytes
    dtype: str = field(repr=False)  # numpy dtype string

    @property
    def c_name(self) -> str:
        return self.name

    @property
    def numpy_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    @property
    def lowest(self):
        """Lowest finite value (used for 'minus infinity' spike times and max reductions)."""
        if self.is_integer:
            return 0 if not self.is_signed else -(1 << (8 * self.size - 1))
        return float(np.finfo(self.numpy_dtype).min)

    @property
    def highest(self):
        if self.is_integer:
            bits = 8 * self.size - (1 if self.is_signed else 0)
            return (1 << bits) - 1
        return float(np.finfo(self.numpy_dtype).max)

    # GeNN's ResolvedType supports hashing, equality and copying
    def __eq__(self, other):
        return isinstance(other, NumericType) and other.name == self.name

    def __hash__(self):
        return hash(("NumericType", self.name))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __str__(self):
        return self.name


Bool = NumericType("bool", 0, True, False, 1, "bool")
Int8 = NumericType("int8_t", 10, True, True, 1, "int8")
Uint8 = NumericType("uint8_t", 10, True, False, 1, "uint8")
Int16 = NumericType("int16_t", 20, True, True, 2, "int16")
Uint16 = NumericType("uint16_t", 20, True, False, 2, "uint16")
Int32 = NumericType("int32_t", 30, True, True, 4, "int32")
Uint32 = NumericType("uint32_t", 30, True, False, 4, "uint32")
Int64 = NumericType("int64_t", 40, True, True, 8, "int64")
Uint64 = NumericType("uint64_t", 40, True, False, 8, "uint64")
Float = NumericType("float", 50, False, True, 4, "float32")
Double = NumericType("double", 60, False, True, 8, "float64")

ALL_NUMERIC_TYPES = (Bool, Int8, Uint8, Int16, Uint16, Int32, Uint32, Int64, Uint64, Float, Double)

# Every accepted spelling, as a set of words (order of words does not matter in C)
_SPECIFIERS: dict[frozenset, NumericType | str] = {}


def _add(spellings: str, result):
    for spelling in spellings.split("|"):
        words = spelling.split()
        key = frozenset((w, words.count(w)) for w in words)
        _SPECIFIERS[key] = result


_add("bool", Bool)
_add("char|int8_t", Int8)
_add("unsigned char|uint8_t", Uint8)
_add("short|short int|signed short|signed short int|int16_t", Int16)
_add("unsigned short|unsigned short int|uint16_t", Uint16)
_add("int|signed|signed int|int32_t", Int32)
_add("unsigned|unsigned int|uint32_t", Uint32)
_add("long|long int|signed long|signed long int|long long|long long int|int64_t", Int64)
_add("unsigned long|unsigned long int|unsigned long long int|uint64_t|size_t", Uint64)
_add("float", Float)
_add("double", Double)
_add("scalar", "scalar")
_add("timepoint", "timepoint")

TYPE_SPECIFIER_KEYWORDS = frozenset(
    "char short int long float double signed unsigned bool uint8_t int8_t uint16_t int16_t "
    "uint32_t int32_t uint64_t int64_t size_t scalar timepoint".split())


def lookup_specifiers(words) -> NumericType | str | None:
    """Map type-specifier words to a NumericType, 'scalar'/'timepoint', or None if unknown."""
    words = list(words)
    return _SPECIFIERS.get(frozenset((w, words.count(w)) for w in words))


def parse_type_spelling(spelling: str) -> NumericType | str:
    """Parse a type string such as ``"unsigned int"`` or ``"scalar"``.

    Returns a NumericType, or the strings ``"scalar"``/``"timepoint"`` which depend on the model.
    ``const`` qualifiers are ignored. Raises RuntimeError for unknown spellings.
    """
    words = [w for w in spelling.replace("*", " ").split() if w != "const"]
    result = lookup_specifiers(words)
    if result is None:
        raise RuntimeError(f"Unknown numeric type specifier '{spelling.strip()}'")
    return result


def type_from_numpy(dtype) -> NumericType:
    dtype = np.dtype(dtype)
    for t in ALL_NUMERIC_TYPES:
        if t.numpy_dtype == dtype:
            return t
    raise TypeError(f"numpy dtype {dtype} has no GeNN equivalent")


class UnresolvedType:
    """A type as the user wrote it: a spelling (``"scalar"``) or a resolved NumericType.

    Equality compares the written spelling (GeNN compares unresolved spellings); use
    ``resolve`` to compare resolved types.
    """

    def __init__(self, value):
        if isinstance(value, UnresolvedType):
            value = value.value
        if isinstance(value, str):
            value = " ".join(value.split())
            parse_type_spelling(value)  # validate early
        elif not isinstance(value, NumericType):
            raise TypeError(f"a type must be a string or a pygenn.types type, not {value!r}")
        self.value = value

    def resolve(self, context) -> NumericType:
        """Resolve with a context mapping 'scalar' and 'timepoint' to NumericTypes."""
        if isinstance(self.value, NumericType):
            return self.value
        result = parse_type_spelling(self.value)
        if isinstance(result, str):
            return context[result]
        return result

    @property
    def is_scalar_dependent(self) -> bool:
        return isinstance(self.value, str) and parse_type_spelling(self.value) in ("scalar",
                                                                                  "timepoint")

    def __eq__(self, other):
        if isinstance(other, UnresolvedType):
            return self.value == other.value if type(self.value) is type(other.value) else False
        return NotImplemented

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return f"UnresolvedType({self.value!r})"

    def __str__(self):
        return str(self.value)


def resolve_precision(value, what="precision") -> NumericType:
    """Resolve a model precision given as a string or NumericType; must be floating point."""
    if isinstance(value, UnresolvedType):
        value = value.value
    if isinstance(value, str):
        result = parse_type_spelling(value)
        if isinstance(result, str):
            raise RuntimeError(f"'{value}' cannot be used as the model's {what}")
        value = result
    if not isinstance(value, NumericType):
        raise TypeError(f"{what} must be a type string such as 'float' or a pygenn.types type, "
                        f"not {value!r}")
    if value.is_integer:
        raise RuntimeError(f"Only floating point types can be used for {what} "
                           f"(got '{value.name}'); use 'float' or 'double'")
    return value


# ---------------------------------------------------------------------------------------------
# Added for the GeNNCode front end: pointer, function and void types, C conversion rules
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointerType:
    """A pointer to ``pointee`` (a NumericType or another PointerType).

    ``pointee_const`` says whether the pointed-at values are read-only (``const float *``).
    Constness of the pointer itself is a property of the variable holding it, not of the type.
    """

    pointee: object
    pointee_const: bool = False

    @property
    def name(self) -> str:
        return ("const " if self.pointee_const else "") + type_name(self.pointee) + "*"

    c_name = name

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class FunctionType:
    """The type of a built-in or model-provided function (one overload)."""

    return_type: object
    arg_types: tuple
    variadic: bool = False

    @property
    def name(self) -> str:
        args = [type_name(a) for a in self.arg_types] + (["..."] if self.variadic else [])
        return f"{type_name(self.return_type)}({', '.join(args)})"

    def __str__(self):
        return self.name


class VoidType:
    """Result type of functions that return nothing (``addToPost``, ``assert``)."""

    name = c_name = "void"

    def __repr__(self):
        return "Void"

    def __str__(self):
        return "void"


Void = VoidType()

@dataclass(frozen=True)
class StringLiteralType(PointerType):
    """The type of string literals: C++'s ``const char*``.

    C++ keeps ``char`` apart from ``int8_t`` (``signed char``), so a literal converts to no
    ``int8_t`` pointer; this type is equal only to itself (dataclass equality compares classes)
    and ``typing_rules.same_pointee`` keeps it apart from ``const int8_t*``.
    """

    @property
    def name(self) -> str:
        return "const char*"

    c_name = name


# String literals are pointers to read-only chars; reading one gives an int8 value
StringType = StringLiteralType(Int8, pointee_const=True)


def type_name(t) -> str:
    """The C spelling of a NumericType, PointerType, FunctionType or Void."""
    return t.name


def is_numeric(t) -> bool:
    return isinstance(t, NumericType)


def is_integral(t) -> bool:
    return isinstance(t, NumericType) and t.is_integer


def is_scalar_type(t) -> bool:
    """'Scalar' in the C sense: usable as a condition (numeric or pointer)."""
    return isinstance(t, (NumericType, PointerType))


def promote(t: NumericType) -> NumericType:
    """C integer promotion: integers ranked below int (bool included) become int32."""
    if t.is_integer and t.rank < Int32.rank:
        return Int32
    return t


_UNSIGNED_OF = {Int8: Uint8, Int16: Uint16, Int32: Uint32, Int64: Uint64}


def common_type(a: NumericType, b: NumericType) -> NumericType:
    """C's usual arithmetic conversions (LP64)."""
    if Double in (a, b):
        return Double
    if Float in (a, b):
        return Float
    a, b = promote(a), promote(b)
    if a == b:
        return a
    if a.is_signed == b.is_signed:
        return a if a.rank > b.rank else b
    signed, unsigned = (a, b) if a.is_signed else (b, a)
    if unsigned.rank >= signed.rank:
        return unsigned
    if signed.size > unsigned.size:
        return signed
    return _UNSIGNED_OF[signed]
