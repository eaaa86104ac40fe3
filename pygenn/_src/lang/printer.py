"""Printer: typed AST -> C/C++/CUDA source text.

Identifiers print as the ``c_text`` their environment gives them; locals declared in the code
string print through ``CDialect.local_name`` so they can never collide with generated names.
The user's statement structure is kept; bodies of if/loops are always braced.
"""
from __future__ import annotations

import re

from . import ast
from .environment import Environment
from .tokens import TokenType
from .types import Double, Float
from .typing_rules import resolve_type_spec

T = TokenType
_TEMPLATE_ARG = re.compile(r"\$\((\d+|@)\)")


class CDialect:
    """Spellings the C-family backends may override (the CUDA backend subclasses this)."""

    indent = "    "

    def float_literal(self, text: str, type) -> str:
        """``text`` is the literal without suffix, e.g. "0.5"; ``type`` is Float or Double."""
        return text + "f" if type == Float else text

    def function_name(self, name: str) -> str:
        return name

    def local_name(self, name: str) -> str:
        """Code-string locals get a '_' prefix: user identifiers cannot start with one."""
        return "_" + name

    def type_name(self, type) -> str:
        return type.c_name


def needs_parens(text: str) -> bool:
    """Whether substituted C text must be parenthesised to keep its meaning inside an
    expression (it has an operator outside brackets; '->' and '.' do not count)."""
    depth = 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and char in "+-*/%<>=!&|^?:,~ ":
            if char == "-" and text[i + 1:i + 2] == ">":
                continue
            if char == ">" and text[i - 1:i] == "-":
                continue
            return True
    return False


def _wrap(text: str) -> str:
    return f"({text})" if needs_parens(text) else text


def expand_template(template: str, arguments: list) -> str:
    """Replace ``$(n)`` with argument n (parenthesised if needed) and ``$(@)`` with all."""
    def substitute(match):
        key = match.group(1)
        if key == "@":
            return ", ".join(arguments)
        index = int(key)
        if index >= len(arguments):
            raise ValueError(f"template '{template}' uses argument {index} but the call has "
                             f"only {len(arguments)}")
        return _wrap(arguments[index])
    return _TEMPLATE_ARG.sub(substitute, template)


def _number_text(lexeme: str) -> str:
    """A float literal without suffix, with a digit on both sides of the point."""
    text = lexeme.rstrip("fFdD")
    if text.startswith("."):
        text = "0" + text
    mantissa, _, exponent = text.lower().partition("e")
    if mantissa.endswith("."):
        text = mantissa + "0" + ("e" + exponent if exponent else "")
    return text


class _Printer:
    def __init__(self, env: Environment, dialect: CDialect):
        self.env = env
        self.dialect = dialect

    # -- expressions ---------------------------------------------------------------------------
    def expr(self, node: ast.Expr, top: bool = False) -> str:
        if isinstance(node, ast.CallExpr):
            return self.call(node, top)
        return getattr(self, "print_" + type(node).__name__)(node)

    def print_LiteralExpr(self, node: ast.LiteralExpr) -> str:
        token = node.token
        if token.type is T.SCALAR_NUMBER:
            precision = node.type if node.type is not None else self.env.type_context["scalar"]
            return self.dialect.float_literal(_number_text(token.lexeme), precision)
        if token.type in (T.FLOAT_NUMBER, T.DOUBLE_NUMBER):
            precision = Float if token.type is T.FLOAT_NUMBER else Double
            return self.dialect.float_literal(_number_text(token.lexeme), precision)
        return token.lexeme

    def print_IdentifierExpr(self, node: ast.IdentifierExpr) -> str:
        name = node.name.lexeme
        symbol = self.env.lookup(name)
        if symbol is None:
            return name
        if symbol.is_local:
            return self.dialect.local_name(name)
        if symbol.kind == "function":
            return self.dialect.function_name(name)
        return _wrap(symbol.c_text) if symbol.c_text else name

    def print_GroupingExpr(self, node: ast.GroupingExpr) -> str:
        return f"({self.expr(node.inner)})"

    def print_UnaryExpr(self, node: ast.UnaryExpr) -> str:
        operand = self.expr(node.operand)
        op = node.op.lexeme
        # Keep '- -x' from becoming the decrement '--x'
        separator = " " if operand[:1] == op and op in "+-" else ""
        return f"{op}{separator}{operand}"

    def print_PrefixIncDecExpr(self, node: ast.PrefixIncDecExpr) -> str:
        return f"{node.op.lexeme}{self.expr(node.target)}"

    def print_PostfixIncDecExpr(self, node: ast.PostfixIncDecExpr) -> str:
        return f"{self.expr(node.target)}{node.op.lexeme}"

    def print_BinaryExpr(self, node: ast.BinaryExpr) -> str:
        if node.op.type is T.COMMA:
            return f"{self.expr(node.left)}, {self.expr(node.right)}"
        return f"{self.expr(node.left)} {node.op.lexeme} {self.expr(node.right)}"

    print_LogicalExpr = print_BinaryExpr

    def print_AssignmentExpr(self, node: ast.AssignmentExpr) -> str:
        return f"{self.expr(node.target)} {node.op.lexeme} {self.expr(node.value)}"

    def print_ConditionalExpr(self, node: ast.ConditionalExpr) -> str:
        return (f"{self.expr(node.condition)} ? {self.expr(node.if_true)} : "
                f"{self.expr(node.if_false)}")

    def print_CastExpr(self, node: ast.CastExpr) -> str:
        return f"({self.type_text(node.type_spec)}){self.expr(node.operand)}"

    def call(self, node: ast.CallExpr, top: bool) -> str:
        arguments = [self.expr(a) for a in node.arguments]
        symbol = None
        if isinstance(node.callee, ast.IdentifierExpr):
            symbol = self.env.lookup(node.callee.name.lexeme)
        if symbol is not None and symbol.kind == "function" and symbol.template is not None:
            text = expand_template(symbol.template, arguments)
            return text if top else _wrap(text)
        return f"{self.expr(node.callee)}({', '.join(arguments)})"

    def print_SubscriptExpr(self, node: ast.SubscriptExpr) -> str:
        index = self.expr(node.index)
        if isinstance(node.array, ast.IdentifierExpr):
            symbol = self.env.lookup(node.array.name.lexeme)
            if symbol is not None and symbol.kind == "delayed":
                return _wrap(expand_template(symbol.delayed_template, [index]))
        return f"{self.expr(node.array)}[{index}]"

    # -- types ---------------------------------------------------------------------------------
    def base_type_text(self, spec: ast.TypeSpec) -> str:
        base, _ = resolve_type_spec(ast.TypeSpec(spec.token, spec.words), self.env.type_context)
        return ("const " if spec.const else "") + self.dialect.type_name(base)

    @staticmethod
    def pointer_text(spec: ast.TypeSpec) -> str:
        return "".join("*" + (" const " if const else "") for const in spec.pointer_consts)

    def type_text(self, spec: ast.TypeSpec) -> str:
        return (self.base_type_text(spec) + self.pointer_text(spec)).rstrip()


class _StatementPrinter(_Printer):
    """Prints statements as lines, mirroring the checker's scopes to resolve locals."""

    def lines(self, stmt: ast.Stmt) -> list[str]:
        return getattr(self, "print_" + type(stmt).__name__)(stmt)

    def indented(self, lines: list[str]) -> list[str]:
        return [self.dialect.indent + line if line else line for line in lines]

    def in_scope(self, env: Environment, statements) -> list[str]:
        outer, self.env = self.env, env
        try:
            return [line for stmt in statements for line in self.lines(stmt)]
        finally:
            self.env = outer

    def braced_body(self, body: ast.Stmt, opening: str, closing: str = "}") -> list[str]:
        """``opening {`` + the body's statements indented + ``closing``."""
        statements = body.statements if isinstance(body, ast.CompoundStmt) else [body]
        inner = self.in_scope(self.env.child(), statements)
        return [opening + " {"] + self.indented(inner) + [closing]

    def print_ExpressionStmt(self, stmt: ast.ExpressionStmt) -> list[str]:
        if stmt.expression is None:
            return [";"]
        return [self.expr(stmt.expression, top=True) + ";"]

    def print_VarDeclarationStmt(self, stmt: ast.VarDeclarationStmt) -> list[str]:
        declared, read_only = resolve_type_spec(stmt.type_spec, self.env.type_context)
        pointers = self.pointer_text(stmt.type_spec)
        parts = []
        for declarator in stmt.declarators:
            name = declarator.name.lexeme
            self.env.define_local(name, declared, read_only=read_only)
            text = pointers + self.dialect.local_name(name)
            if declarator.initialiser is not None:
                text += " = " + self.expr(declarator.initialiser)
            parts.append(text)
        return [f"{self.base_type_text(stmt.type_spec)} {', '.join(parts)};"]

    def print_CompoundStmt(self, stmt: ast.CompoundStmt) -> list[str]:
        inner = self.in_scope(self.env.child(), stmt.statements)
        return ["{"] + self.indented(inner) + ["}"]

    def print_IfStmt(self, stmt: ast.IfStmt) -> list[str]:
        lines = self.braced_body(stmt.then_branch, f"if ({self.expr(stmt.condition)})")
        branch = stmt.else_branch
        if isinstance(branch, ast.IfStmt):
            chained = self.print_IfStmt(branch)
            lines[-1] = "} else " + chained[0]
            lines += chained[1:]
        elif branch is not None:
            else_lines = self.braced_body(branch, "} else")
            lines = lines[:-1] + else_lines
        return lines

    def print_WhileStmt(self, stmt: ast.WhileStmt) -> list[str]:
        return self.braced_body(stmt.body, f"while ({self.expr(stmt.condition)})")

    def print_DoWhileStmt(self, stmt: ast.DoWhileStmt) -> list[str]:
        return self.braced_body(stmt.body, "do", f"}} while ({self.expr(stmt.condition)});")

    def print_ForStmt(self, stmt: ast.ForStmt) -> list[str]:
        outer, self.env = self.env, self.env.child()
        try:
            initialiser = ";" if stmt.initialiser is None else self.lines(stmt.initialiser)[0]
            condition = "" if stmt.condition is None else " " + self.expr(stmt.condition)
            increment = "" if stmt.increment is None else " " + self.expr(stmt.increment)
            return self.braced_body(stmt.body, f"for ({initialiser}{condition};{increment})")
        finally:
            self.env = outer

    def print_ForEachSynapseStmt(self, stmt: ast.ForEachSynapseStmt) -> list[str]:
        handler = self.env.find_for_each_synapse()
        if handler is None:
            raise ValueError("for_each_synapse printed in an environment without "
                             "for_each_synapse support (was the code type-checked?)")
        outer, self.env = self.env, handler.make_environment(self.env)
        try:
            body = self.braced_body(stmt.body, "")
        finally:
            self.env = outer
        body[0] = body[0].lstrip()
        return handler.render("\n".join(body)).split("\n")

    def print_SwitchStmt(self, stmt: ast.SwitchStmt) -> list[str]:
        return self.braced_body(stmt.body, f"switch ({self.expr(stmt.condition)})")

    def print_LabelledStmt(self, stmt: ast.LabelledStmt) -> list[str]:
        label = "default:" if stmt.value is None else f"case {self.expr(stmt.value)}:"
        return [label] + self.indented(self.lines(stmt.body))

    def print_BreakStmt(self, stmt: ast.BreakStmt) -> list[str]:
        return ["break;"]

    def print_ContinueStmt(self, stmt: ast.ContinueStmt) -> list[str]:
        return ["continue;"]


def print_statements(statements, env: Environment, dialect: CDialect | None = None) -> str:
    """C text of a (type-checked) statement list, one statement per line, 4-space indents."""
    printer = _StatementPrinter(env.child(), dialect or CDialect())
    return "\n".join(line for stmt in statements for line in printer.lines(stmt))


def print_expression(expr: ast.Expr, env: Environment, dialect: CDialect | None = None) -> str:
    """C text of a (type-checked) expression."""
    return _Printer(env, dialect or CDialect()).expr(expr, top=True)
