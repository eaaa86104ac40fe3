"""Syntactic analyses of parsed code strings used by code generation."""
from __future__ import annotations

from . import ast
from .tokens import TokenType


def _target_name(expr: ast.Expr) -> ast.IdentifierExpr | None:
    while isinstance(expr, ast.GroupingExpr):
        expr = expr.inner
    if isinstance(expr, ast.SubscriptExpr):
        expr = expr.array
        while isinstance(expr, ast.GroupingExpr):
            expr = expr.inner
    return expr if isinstance(expr, ast.IdentifierExpr) else None


class _IdentifierUses:
    """Walks a tree with an explicit stack (deep trees must not exhaust Python's stack)."""

    def __init__(self):
        self.uses: dict[str, set[str]] = {}
        self.pending: list = []

    def add(self, name: str, use: str) -> None:
        self.uses.setdefault(name, set()).add(use)

    def walk(self, roots) -> None:
        self.pending.extend(reversed(list(roots)))
        while self.pending:
            self.visit(self.pending.pop())

    def visit(self, node) -> None:
        """Record what ``node`` itself says and queue the children still to visit."""
        if isinstance(node, ast.IdentifierExpr):
            self.add(node.name.lexeme, "plain")
            return
        if isinstance(node, ast.CallExpr) and isinstance(node.callee, ast.IdentifierExpr):
            self.add(node.callee.name.lexeme, "call")
            self.pending.extend(reversed(node.arguments))
            return
        if isinstance(node, ast.SubscriptExpr) and isinstance(node.array, ast.IdentifierExpr):
            self.add(node.array.name.lexeme, "subscript")
            self.pending.append(node.index)
            return
        if isinstance(node, (ast.AssignmentExpr, ast.PrefixIncDecExpr,
                             ast.PostfixIncDecExpr)) and self.visit_write(node):
            return
        self.pending.extend(reversed(ast.children(node)))

    def visit_write(self, node) -> bool:
        """Record a write; True if the node's children need no further visit."""
        target = _target_name(node.target)
        if target is not None:
            self.add(target.name.lexeme, "write")
        # A plain '=' to a plain name does not read it; everything else does (and the child
        # walk records that read as "plain" or "subscript")
        if (isinstance(node, ast.AssignmentExpr) and node.op.type is TokenType.EQUAL
                and isinstance(_strip(node.target), ast.IdentifierExpr)):
            self.pending.append(node.value)
            return True
        return False


def _strip(expr):
    while isinstance(expr, ast.GroupingExpr):
        expr = expr.inner
    return expr


def find_identifiers(tree) -> dict[str, set[str]]:
    """How each identifier is used in a statement list, statement or expression.

    Maps each name to a subset of {"plain", "subscript", "call", "write"}: "plain" is a read
    of the bare name, "subscript" a use as ``name[i]``, "call" a use as ``name(...)`` and
    "write" an assignment or increment of the name (or of an element of it).
    """
    finder = _IdentifierUses()
    finder.walk(tree if isinstance(tree, list) else [tree])
    return finder.uses
