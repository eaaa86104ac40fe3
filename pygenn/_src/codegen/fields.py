"""Struct fields of merged groups, and C spellings of values.

Generated code reaches every per-population quantity through ``group->field``. While the code of one
population is generated, ``GroupFields`` records each field it uses together with what fills it for
that population (an array of the runtime, or a value). Populations whose generated text is identical
are then *merged*: one function serves them all, looping over an array of their structs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..lang.types import NumericType
from ..model.values import exact_integer

# Array keys name runtime arrays: (owner group name, array name)
ArrayKey = tuple


@dataclass(frozen=True)
class Field:
    name: str
    c_type: str                  # C type of the field ("float*", "uint32_t")
    kind: str                    # "array", "value" or "size" (an array's element count)
    numeric_type: NumericType | None = None  # element type of arrays / type of values

    @property
    def numpy_dtype(self):
        return np.dtype(np.uint64) if self.kind == "array" else self.numeric_type.numpy_dtype

    @property
    def sort_key(self):
        # 8-byte members first so C and numpy agree on padding trivially
        return (-self.numpy_dtype.itemsize, self.name)


class GroupFields:
    """Records the struct fields one population's code uses and their bindings."""

    def __init__(self, pointer: str = "_group"):
        self.pointer = pointer
        self.fields: dict[str, Field] = {}
        self.bindings: dict[str, object] = {}
        # debug builds: the value field that holds each check site's number
        # (codegen/debug_checks.py)
        self.site_fields: dict = {}

    def array(self, name: str, element_type: NumericType, key: ArrayKey) -> str:
        """A pointer field bound to runtime array ``key``; returns the C text to use."""
        self._add(Field(name, f"{element_type.c_name}*", "array", element_type), key)
        return f"{self.pointer}->{name}"

    def size(self, name: str, binding) -> str:
        """A field the runtime fills with an array's element count (debug builds: an EGP's
        size is known only at load); ``binding`` is a ``debug_checks.ArraySize``."""
        from ..lang.types import Uint64
        self._add(Field(name, Uint64.c_name, "size", Uint64), binding)
        return f"{self.pointer}->{name}"

    def value(self, name: str, value_type: NumericType, value) -> str:
        """A value field (e.g. a parameter that differs between merged populations)."""
        self._add(Field(name, value_type.c_name, "value", value_type), value)
        return f"{self.pointer}->{name}"

    def _add(self, f: Field, binding) -> None:
        old = self.fields.get(f.name)
        if old is not None and (old != f or self.bindings[f.name] != binding):
            raise AssertionError(f"field '{f.name}' bound twice differently")
        self.fields[f.name] = f
        self.bindings[f.name] = binding


@dataclass
class MergedGroup:
    """Populations sharing one generated function (same code text, same fields)."""

    kind: str                        # "NeuronUpdate", "PresynapticUpdate", ...
    index: int
    code: str                        # body text of the archetype
    members: list = field(default_factory=list)          # group objects
    member_fields: list = field(default_factory=list)    # GroupFields per member

    @property
    def struct_name(self) -> str:
        return f"Merged{self.kind}Group{self.index}"

    @property
    def array_name(self) -> str:
        return f"merged{self.kind}Group{self.index}"

    @property
    def fields(self) -> list[Field]:
        return sorted(self.member_fields[0].fields.values(), key=lambda f: f.sort_key)

    def struct_definition(self) -> str:
        body = "".join(f"    {f.c_type} {f.name};\n" for f in self.fields)
        if not self.fields:
            body = "    char unused;\n"
        return f"struct {self.struct_name} {{\n{body}}};\n"

    def numpy_dtype(self) -> np.dtype:
        if not self.fields:
            return np.dtype([("unused", np.int8)], align=True)
        return np.dtype([(f.name, f.numpy_dtype) for f in self.fields], align=True)


def merge_by_code(kind: str, generated: list[tuple[object, str, GroupFields]]) -> list[MergedGroup]:
    """Group (population, code, fields) triples whose code and field layout are identical."""
    merged: dict[tuple, MergedGroup] = {}
    for group, code, fields in generated:
        layout = tuple(sorted((f.name, f.c_type, f.kind) for f in fields.fields.values()))
        key = (code, layout)
        if key not in merged:
            merged[key] = MergedGroup(kind, len(merged), code)
        merged[key].members.append(group)
        merged[key].member_fields.append(fields)
    return list(merged.values())


def c_literal(value, numeric_type: NumericType) -> str:
    """C spelling of a constant of the given type.

    Integers must be exactly representable in the type (a ValueError says why not: C would wrap
    or truncate silently); floating-point values are rounded to the type first, so a double too
    large for ``float`` prints as ``INFINITY`` like C's conversion, never as ``inf``.
    """
    if numeric_type.is_integer:
        return _c_integer_literal(value, numeric_type)
    v = float(value)
    if numeric_type.name == "float":
        with np.errstate(over="ignore"):
            v = float(np.float32(v))
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "(-INFINITY)" if v < 0 else "INFINITY"
    suffix = "f" if numeric_type.name == "float" else ""
    text = repr(v)
    if "e" not in text and "." not in text:
        text += ".0"
    text = f"{text}{suffix}"
    return f"({text})" if text.startswith("-") else text


def _c_integer_literal(value, numeric_type: NumericType) -> str:
    v = exact_integer(value, numeric_type, "a constant in generated code")
    if numeric_type.name == "bool":
        return "true" if v else "false"
    if numeric_type.is_signed:
        if numeric_type.size == 8 and v == -(1 << 63):
            return "(INT64_C(-9223372036854775807) - 1)"  # the literal itself overflows
        if numeric_type.size == 4 and v == -(1 << 31):
            return "(-2147483647 - 1)"        # 2147483648 alone is a long, not an int
        text = str(v) if numeric_type.size < 8 else f"INT64_C({v})"
        return f"({text})" if v < 0 else text
    return f"{v}u" if numeric_type.size < 8 else f"UINT64_C({v})"
