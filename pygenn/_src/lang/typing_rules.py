"""Pure typing rules of GeNNCode: what operators, assignments, casts and calls accept.

Each function takes resolved types and returns a result type, or None when the combination is
invalid (the checker turns None into an error message naming the types).
"""
from __future__ import annotations

from .tokens import TokenType
from .types import (Int32, Int64, NumericType, PointerType, StringLiteralType, common_type,
                    is_integral, is_numeric, lookup_specifiers, promote)

T = TokenType

INTEGER_OPERATORS = frozenset({T.PERCENT, T.SHIFT_LEFT, T.SHIFT_RIGHT, T.CARET, T.AMPERSAND,
                               T.PIPE})
INTEGER_ASSIGNMENTS = frozenset({T.PERCENT_EQUAL, T.SHIFT_LEFT_EQUAL, T.SHIFT_RIGHT_EQUAL,
                                 T.CARET_EQUAL, T.AMPERSAND_EQUAL, T.PIPE_EQUAL})


def resolve_type_spec(spec, type_context) -> tuple:
    """(type, read_only) of a written type such as ``const scalar * const``.

    ``read_only`` is the constness of the declared variable itself (the last pointer level, or
    the base type when there is no pointer).
    """
    base = lookup_specifiers(spec.words)
    if isinstance(base, str):
        base = type_context[base]
    result, pointee_const = base, spec.const
    for level_const in spec.pointer_consts:
        result, pointee_const = PointerType(result, pointee_const), level_const
    return result, pointee_const


def same_pointee(a, b) -> bool:
    """Whether two pointer types point to the same value type (ignoring const)."""
    if isinstance(a, StringLiteralType) != isinstance(b, StringLiteralType):
        return False            # const char* and const int8_t* are distinct in C++
    if isinstance(a, PointerType) and isinstance(b, PointerType):
        return same_pointee(a.pointee, b.pointee)
    return a == b


def keeps_const(source, target) -> bool:
    """Whether converting pointer ``source`` to ``target`` drops no ``const`` at any level."""
    if isinstance(source, PointerType) and isinstance(target, PointerType):
        if source.pointee_const and not target.pointee_const:
            return False
        return keeps_const(source.pointee, target.pointee)
    return True


def pointer_conversion_ok(source, target) -> bool:
    return same_pointee(source, target) and keeps_const(source, target)


def assignment_result(target, op: TokenType, value) -> bool:
    """Whether ``target op value`` is valid (``=`` or a compound assignment)."""
    if is_numeric(target) and is_numeric(value):
        if op in INTEGER_ASSIGNMENTS:
            return target.is_integer and value.is_integer
        return True
    if isinstance(target, PointerType) and isinstance(value, PointerType):
        return op is T.EQUAL and pointer_conversion_ok(value, target)
    if isinstance(target, PointerType) and is_integral(value):
        return op in (T.PLUS_EQUAL, T.MINUS_EQUAL)
    return False


def binary_result(left, op: TokenType, right):
    """Result type of ``left op right`` (arithmetic, bitwise, relational, equality)."""
    if is_numeric(left) and is_numeric(right):
        if op in INTEGER_OPERATORS:
            if not (left.is_integer and right.is_integer):
                return None
            if op in (T.SHIFT_LEFT, T.SHIFT_RIGHT):
                return promote(left)
        # GeNN types relational/equality results as the operands' common type (C says int)
        return common_type(left, right)
    if isinstance(left, PointerType) and isinstance(right, PointerType):
        # the difference is a ptrdiff_t, 64 bits wide under LP64 (GeNN says int32)
        return Int64 if op is T.MINUS and left == right else None
    if isinstance(left, PointerType) and is_integral(right):
        return left if op in (T.PLUS, T.MINUS) else None
    if is_integral(left) and isinstance(right, PointerType):
        return right if op is T.PLUS else None
    return None


def cast_result(source, target) -> bool:
    if is_numeric(source) and is_numeric(target):
        return True
    if isinstance(source, PointerType) and isinstance(target, PointerType):
        return pointer_conversion_ok(source, target)
    return False


def conversion_rank(argument, parameter):
    """C++-like rank of passing ``argument`` for ``parameter``: 0 exact, 1 promotion,
    2 conversion, None impossible."""
    if is_numeric(argument) and is_numeric(parameter):
        if argument == parameter:
            return 0
        if parameter.name == "int32_t" and argument.is_integer and argument.rank < Int32.rank:
            return 1
        if parameter.name == "double" and argument.name == "float":
            return 1
        return 2
    if isinstance(argument, PointerType) and isinstance(parameter, PointerType):
        return 0 if pointer_conversion_ok(argument, parameter) else None
    return None


def argument_ranks(function_type, arguments):
    """Per-argument ranks of a call against one overload, or None if it is not viable."""
    count = len(function_type.arg_types)
    if len(arguments) < count or (len(arguments) > count and not function_type.variadic):
        return None
    ranks = []
    for argument, parameter in zip(arguments, function_type.arg_types):
        rank = conversion_rank(argument, parameter)
        if rank is None:
            return None
        ranks.append(rank)
    # Extra variadic arguments may be any value (printf's format arguments)
    if any(not isinstance(a, (NumericType, PointerType)) for a in arguments[count:]):
        return None
    return ranks


def best_overload(signatures, arguments):
    """The best viable overload (lexicographically lowest ranks; first listed wins ties)."""
    viable = []
    for order, function_type in enumerate(signatures):
        ranks = argument_ranks(function_type, arguments)
        if ranks is not None:
            viable.append((ranks, order, function_type))
    if not viable:
        return None
    return min(viable, key=lambda item: (item[0], item[1]))[2]
