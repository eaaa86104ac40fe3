"""Evaluating integer constant expressions (``case`` labels) the way a C++ compiler must.

A ``case`` label that C++ would not accept as a constant (a variable, a division by zero, a
signed overflow, a shift by the width of the type or more, ...) is reported here with its
location instead of reaching the C++ compiler. Values are computed in the types the type
checker annotated on the tree (C's usual arithmetic conversions).
"""
from __future__ import annotations

from . import ast
from .tokens import Token, TokenType
from .types import NumericType, common_type, promote

T = TokenType


class NotConstant(Exception):
    """The expression is not an integer constant expression; ``token`` says where."""

    def __init__(self, token: Token, message: str):
        super().__init__(message)
        self.token = token
        self.message = message


def value_range(type_: NumericType) -> tuple[int, int]:
    """Smallest and largest value of an integer type."""
    if type_.name == "bool":
        return 0, 1
    bits = 8 * type_.size
    if type_.is_signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def convert(value: int, type_: NumericType) -> int:
    """``value`` converted to the integer ``type_`` (modular, as C++ converts integers)."""
    if type_.name == "bool":
        return int(value != 0)
    bits = 8 * type_.size
    value &= (1 << bits) - 1
    if type_.is_signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def integer_literal_value(lexeme: str) -> int:
    text = lexeme.rstrip("uU")
    return int(text, 16) if text[:2] in ("0x", "0X") else int(text)


class _Evaluator:
    def value(self, expr: ast.Expr) -> int:
        method = getattr(self, "eval_" + type(expr).__name__, None)
        if method is None:
            raise NotConstant(_token_of(expr), "Case labels must be integer constant "
                                               "expressions: integer literals combined with "
                                               "operators and casts")
        return method(expr)

    @staticmethod
    def integer_type(expr: ast.Expr) -> NumericType:
        type_ = expr.type
        if not (isinstance(type_, NumericType) and type_.is_integer):
            raise NotConstant(_token_of(expr), "Case labels must be integer constant "
                                               "expressions (no floating-point values)")
        return type_

    @staticmethod
    def checked(value: int, type_: NumericType, token: Token) -> int:
        """The result of signed arithmetic must fit; unsigned arithmetic wraps."""
        if type_.is_signed:
            low, high = value_range(type_)
            if not low <= value <= high:
                raise NotConstant(token, f"Overflow in constant expression: the result does "
                                         f"not fit in {type_.name}")
            return value
        return convert(value, type_)

    def eval_LiteralExpr(self, expr: ast.LiteralExpr) -> int:
        self.integer_type(expr)
        if expr.token.type is T.BOOLEAN:
            return int(expr.token.lexeme == "true")
        return integer_literal_value(expr.token.lexeme)

    def eval_GroupingExpr(self, expr: ast.GroupingExpr) -> int:
        return self.value(expr.inner)

    def eval_CastExpr(self, expr: ast.CastExpr) -> int:
        self.integer_type(expr.operand)
        return convert(self.value(expr.operand), self.integer_type(expr))

    def eval_UnaryExpr(self, expr: ast.UnaryExpr) -> int:
        result_type = self.integer_type(expr)
        operand = convert(self.value(expr.operand), promote(self.integer_type(expr.operand)))
        op = expr.op.type
        if op is T.NOT:
            return int(operand == 0)
        if op is T.PLUS:
            return operand
        if op is T.MINUS:
            return self.checked(-operand, result_type, expr.op)
        if op is T.TILDE:
            return convert(~operand, result_type)
        raise NotConstant(expr.op, "Case labels must be integer constant expressions")

    def eval_LogicalExpr(self, expr: ast.LogicalExpr) -> int:
        left, right = self.value(expr.left), self.value(expr.right)
        if expr.op.type is T.AMPERSAND_AMPERSAND:
            return int(bool(left) and bool(right))
        return int(bool(left) or bool(right))

    def eval_ConditionalExpr(self, expr: ast.ConditionalExpr) -> int:
        condition = self.value(expr.condition)
        if_true, if_false = self.value(expr.if_true), self.value(expr.if_false)
        return convert(if_true if condition else if_false, self.integer_type(expr))

    def eval_BinaryExpr(self, expr: ast.BinaryExpr) -> int:
        op = expr.op.type
        if op is T.COMMA:
            raise NotConstant(expr.op, "Case labels must be integer constant expressions "
                                       "(no comma operator)")
        left_type, right_type = self.integer_type(expr.left), self.integer_type(expr.right)
        left, right = self.value(expr.left), self.value(expr.right)
        if op in (T.SHIFT_LEFT, T.SHIFT_RIGHT):
            return self.shift(expr, convert(left, promote(left_type)), promote(left_type),
                              convert(right, promote(right_type)))
        common = common_type(left_type, right_type)
        left, right = convert(left, common), convert(right, common)
        relations = {T.LESS: left < right, T.GREATER: left > right, T.LESS_EQUAL: left <= right,
                     T.GREATER_EQUAL: left >= right, T.EQUAL_EQUAL: left == right,
                     T.NOT_EQUAL: left != right}
        if op in relations:
            return int(relations[op])
        return self.arithmetic(expr, op, left, right, common)

    def arithmetic(self, expr, op, left: int, right: int, type_: NumericType) -> int:
        if op in (T.SLASH, T.PERCENT):
            if right == 0:
                raise NotConstant(expr.op, "Division by zero in a constant expression")
            quotient = abs(left) // abs(right) * (1 if (left < 0) == (right < 0) else -1)
            if op is T.SLASH:
                return self.checked(quotient, type_, expr.op)
            self.checked(quotient, type_, expr.op)       # INT_MIN % -1 overflows too
            return left - quotient * right
        results = {T.PLUS: lambda: left + right, T.MINUS: lambda: left - right,
                   T.STAR: lambda: left * right, T.AMPERSAND: lambda: left & right,
                   T.PIPE: lambda: left | right, T.CARET: lambda: left ^ right}
        return self.checked(results[op](), type_, expr.op)

    def shift(self, expr, left: int, left_type: NumericType, right: int) -> int:
        bits = 8 * left_type.size
        if not 0 <= right < bits:
            raise NotConstant(expr.op, f"Shift by {right} in a constant expression (the "
                                       f"shift must be from 0 to {bits - 1})")
        if expr.op.type is T.SHIFT_RIGHT:
            return left >> right
        if left < 0:
            raise NotConstant(expr.op, "Left shift of a negative value in a constant "
                                       "expression")
        shifted = left << right
        if shifted >> bits:             # must fit the unsigned type of the same width (C++17)
            raise NotConstant(expr.op, f"Overflow in constant expression: the result does "
                                       f"not fit in {left_type.name}")
        return convert(shifted, left_type)


def _token_of(expr) -> Token:
    for value in vars(expr).values():
        if isinstance(value, Token):
            return value
        if isinstance(value, ast.TypeSpec):
            return value.token
    for child in ast.children(expr):
        return _token_of(child)
    raise AssertionError("expression without tokens")


def constant_value(expr: ast.Expr) -> int:
    """Value of a type-checked integer constant expression; raises ``NotConstant``."""
    return _Evaluator().value(expr)
