"""AST of GeNNCode.

Nodes are dataclasses with ``Expr``/``Stmt`` suffixes. They are not frozen: the type checker
annotates every expression in place (``expr.type``) and calls with the overload it chose
(``CallExpr.signature``), which the printer and code generator then read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .tokens import Token


@dataclass(eq=False)
class TypeSpec:
    """A type as written in a declaration or cast: ``const scalar * const`` etc.

    ``pointer_consts`` has one entry per ``*``: whether that pointer level is const.
    """

    token: Token                      # first token of the type (for error locations)
    words: tuple                      # specifier words, e.g. ("unsigned", "int")
    const: bool = False               # const on the base (pointed-at) numeric type
    pointer_consts: tuple = ()

    @property
    def spelling(self) -> str:
        text = ("const " if self.const else "") + " ".join(self.words)
        for is_const in self.pointer_consts:
            text += "*" + (" const" if is_const else "")
        return text


# -- expressions -------------------------------------------------------------------------------
@dataclass(eq=False)
class Expr:
    """Base of all expressions; ``type`` is filled in by the type checker."""

    type: object = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class LiteralExpr(Expr):
    token: Token


@dataclass(eq=False)
class IdentifierExpr(Expr):
    name: Token


@dataclass(eq=False)
class GroupingExpr(Expr):
    inner: Expr
    open_paren: Token


@dataclass(eq=False)
class UnaryExpr(Expr):
    op: Token
    operand: Expr


@dataclass(eq=False)
class PrefixIncDecExpr(Expr):
    op: Token
    target: Expr


@dataclass(eq=False)
class PostfixIncDecExpr(Expr):
    target: Expr
    op: Token


@dataclass(eq=False)
class BinaryExpr(Expr):
    """Arithmetic, bitwise, relational, equality and comma operators."""

    left: Expr
    op: Token
    right: Expr


@dataclass(eq=False)
class LogicalExpr(Expr):
    """``&&`` and ``||`` (short-circuit, result int32)."""

    left: Expr
    op: Token
    right: Expr


@dataclass(eq=False)
class AssignmentExpr(Expr):
    target: Expr
    op: Token
    value: Expr


@dataclass(eq=False)
class ConditionalExpr(Expr):
    condition: Expr
    question: Token
    if_true: Expr
    if_false: Expr


@dataclass(eq=False)
class CastExpr(Expr):
    type_spec: TypeSpec
    operand: Expr
    closing_paren: Token


@dataclass(eq=False)
class CallExpr(Expr):
    callee: Expr
    arguments: list
    closing_paren: Token
    signature: object = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class SubscriptExpr(Expr):
    array: Expr
    index: Expr
    closing_bracket: Token


# -- statements --------------------------------------------------------------------------------
@dataclass(eq=False)
class Stmt:
    """Base of all statements."""


@dataclass(eq=False)
class ExpressionStmt(Stmt):
    """``expr;`` or, with ``expression`` None, the empty statement ``;``."""

    expression: Optional[Expr]
    semicolon: Token


@dataclass(eq=False)
class Declarator:
    name: Token
    initialiser: Optional[Expr] = None


@dataclass(eq=False)
class VarDeclarationStmt(Stmt):
    type_spec: TypeSpec
    declarators: list


@dataclass(eq=False)
class CompoundStmt(Stmt):
    statements: list
    open_brace: Token


@dataclass(eq=False)
class IfStmt(Stmt):
    keyword: Token
    condition: Expr
    then_branch: Stmt
    else_branch: Optional[Stmt] = None


@dataclass(eq=False)
class WhileStmt(Stmt):
    keyword: Token
    condition: Expr
    body: Stmt


@dataclass(eq=False)
class DoWhileStmt(Stmt):
    body: Stmt
    keyword: Token                    # the 'while'
    condition: Expr


@dataclass(eq=False)
class ForStmt(Stmt):
    keyword: Token
    initialiser: Optional[Stmt]       # VarDeclarationStmt or ExpressionStmt
    condition: Optional[Expr]
    increment: Optional[Expr]
    body: Stmt


@dataclass(eq=False)
class ForEachSynapseStmt(Stmt):
    keyword: Token
    body: Stmt


@dataclass(eq=False)
class SwitchStmt(Stmt):
    keyword: Token
    condition: Expr
    body: Stmt


@dataclass(eq=False)
class LabelledStmt(Stmt):
    """``case value: body`` or (value None) ``default: body``."""

    keyword: Token
    value: Optional[Expr]
    body: Stmt


@dataclass(eq=False)
class BreakStmt(Stmt):
    keyword: Token


@dataclass(eq=False)
class ContinueStmt(Stmt):
    keyword: Token


class StatementList(list):
    """A parsed statement list; remembers its source text for error excerpts."""

    def __init__(self, statements=(), source: str = ""):
        super().__init__(statements)
        self.source = source


def children(node) -> list:
    """The direct child nodes (expressions, statements) of a node, in source order."""
    result = []
    for value in vars(node).values():
        if isinstance(value, (Expr, Stmt)):
            result.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Declarator):
                    if item.initialiser is not None:
                        result.append(item.initialiser)
                elif isinstance(item, (Expr, Stmt)):
                    result.append(item)
    return result
