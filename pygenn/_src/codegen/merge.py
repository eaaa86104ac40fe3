"""Merging populations whose generated code is identical, so one function serves them all.

Code is generated twice. The first pass prints every per-population constant as a struct field, so
populations that differ only in sizes or parameter values produce identical text and are merged. The
second pass prints the constants on which all members of a merged group agree as literals.
"""
from __future__ import annotations

from .environments import EnvFactory
from .fields import GroupFields, MergedGroup, merge_by_code

# Fields that must stay per-population even when equal (they identify the population)
ALWAYS_FIELDS = frozenset({"rngStream"})


def generate_merged(plan, kind: str, groups, generate) -> list[MergedGroup]:
    """Generate ``generate(group, factory) -> str`` for each group and merge identical results."""
    first = []
    for group in groups:
        fields = GroupFields()
        first.append((group, generate(group, EnvFactory(plan, fields)), fields))
    result = []
    for index, merged in enumerate(merge_by_code(kind, first)):
        literal = _agreed_values(merged)
        members, member_fields, code = [], [], None
        for group in merged.members:
            fields = GroupFields()
            text = generate(group, EnvFactory(plan, fields, literal))
            code = text if code is None else code
            members.append(group)
            member_fields.append(fields)
        result.append(MergedGroup(kind, index, code, members, member_fields))
    return result


def _agreed_values(merged: MergedGroup) -> frozenset:
    first = merged.member_fields[0]
    agreed = set()
    for name, field in first.fields.items():
        if field.kind != "value" or name in ALWAYS_FIELDS:
            continue
        if all(mf.bindings[name] == first.bindings[name] for mf in merged.member_fields):
            agreed.add(name)
    return frozenset(agreed)
