"""Printer: typed AST -> C/C++/CUDA source text.

Identifiers print as the ``c_text`` their environment gives them; locals declared in the code
string print through ``CDialect.local_name`` so they can never collide with generated names.
The user's statement structure is kept; bodies of if/loops are always braced.
"""
from __future__ import annotations

import re
import struct

from . import ast
from .environment import Environment
from .limits import with_headroom
from .scanner import decode_string_literal
from .tokens import TokenType
from .types import (Bool, Double, Float, Int64, NumericType, PointerType, common_type,
                    promote)
from .typing_rules import binary_result, resolve_type_spec

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

    # -- debug checks --------------------------------------------------------------------------
    # A dialect whose ``checks`` is true is asked for checked spellings of array accesses and
    # integer divisions (pygenn's debug builds, codegen/dialect.py); None prints plain C.
    checks = False

    def checked_element(self, env, context, bounds, array: str, index: str) -> str | None:
        """C text for element ``index`` of ``array`` (an lvalue) with ``bounds`` checked."""
        return None

    def checked_division(self, env, context, op: str, operand_type, left: str, right: str,
                         assign: bool = False) -> str | None:
        """C text for integer ``left op right`` (``op`` is '/' or '%', computed in
        ``operand_type``), or for ``left op= right`` with ``assign``, checked for a zero
        divisor."""
        return None


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


def _is_comma(node: ast.Expr) -> bool:
    return isinstance(node, ast.BinaryExpr) and node.op.type is T.COMMA


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


# Bytes that print as themselves inside a C string literal: printable ASCII except the quote and
# the backslash (and '?', handled separately: '??' followed by certain characters is a trigraph
# in older C/C++ dialects)
_PLAIN_BYTES = frozenset(range(0x20, 0x7F)) - {ord('"'), ord("\\"), ord("?")}
_NAMED_ESCAPES = {ord("\n"): "\\n", ord("\t"): "\\t", ord('"'): '\\"', ord("\\"): "\\\\"}


def c_string_literal(data: bytes) -> str:
    """A C string literal standing for exactly ``data``, in printable ASCII.

    Everything else is escaped (octal escapes always take three digits, so a following digit
    can never extend one), which is what makes printed literals safe: none can end early,
    contain a line break or splice a line for the C preprocessor.
    """
    parts = []
    for index, byte in enumerate(data):
        if byte in _PLAIN_BYTES:
            parts.append(chr(byte))
        elif byte in _NAMED_ESCAPES:
            parts.append(_NAMED_ESCAPES[byte])
        elif byte == ord("?"):
            parts.append("\\?" if index > 0 and data[index - 1] == ord("?") else "?")
        else:
            parts.append(f"\\{byte:03o}")
    return '"' + "".join(parts) + '"'


def _number_text(lexeme: str, precision) -> str:
    """A float literal without suffix, with a digit on both sides of the point; "0.0" for one
    too small for ``precision`` (C rounds it to zero, but NVRTC rejects it as out of range)."""
    text = lexeme.rstrip("fFdD")
    if text.startswith("."):
        text = "0" + text
    mantissa, _, exponent = text.lower().partition("e")
    value = float(text)
    if any(c in "123456789" for c in mantissa) and (
            value if precision == Double
            else struct.unpack("f", struct.pack("f", value))[0]) == 0.0:
        return "0.0"
    if mantissa.endswith("."):
        text = mantissa + "0" + ("e" + exponent if exponent else "")
    return text


_DIVISIONS = {T.SLASH: "/", T.PERCENT: "%", T.SLASH_EQUAL: "/", T.PERCENT_EQUAL: "%"}


def _is_integer(type) -> bool:
    return isinstance(type, NumericType) and type.is_integer


def _ungrouped(node: ast.Expr) -> ast.Expr:
    while isinstance(node, ast.GroupingExpr):
        node = node.inner
    return node


_RELATIONAL = frozenset({T.LESS, T.LESS_EQUAL, T.GREATER, T.GREATER_EQUAL, T.EQUAL_EQUAL,
                         T.NOT_EQUAL})


def c_type(node: ast.Expr):
    """The type C++ gives the printed ``node``, where it differs from the type checker's.

    GeNN types a comparison as its operands' common type (a quirk pygenn keeps) and
    ``!``/``&&``/``||`` as int; C++ makes all of them ``bool``, and the difference reaches every
    arithmetic expression built on one. Values agree (C++'s are GeNN's observable ones); overload
    resolution does not, so library calls convert arguments by this type.
    """
    node = _ungrouped(node)
    if isinstance(node, ast.LogicalExpr) or (
            isinstance(node, ast.UnaryExpr) and node.op.type is T.NOT):
        return Bool
    if isinstance(node, ast.BinaryExpr):
        if node.op.type is T.COMMA:
            return c_type(node.right)
        if node.op.type in _RELATIONAL:
            return Bool
        left, right = c_type(node.left), c_type(node.right)
        if not (isinstance(left, NumericType) and isinstance(right, NumericType)):
            return node.type
        if node.op.type in (T.SHIFT_LEFT, T.SHIFT_RIGHT):
            return promote(left)
        return common_type(left, right)
    if isinstance(node, ast.UnaryExpr) and node.op.type in (T.PLUS, T.MINUS, T.TILDE):
        operand = c_type(node.operand)
        return promote(operand) if isinstance(operand, NumericType) else node.type
    if isinstance(node, ast.ConditionalExpr):
        if_true, if_false = c_type(node.if_true), c_type(node.if_false)
        if if_true == if_false:
            return if_true
        if isinstance(if_true, NumericType) and isinstance(if_false, NumericType):
            return common_type(if_true, if_false)
    return node.type


class _Printer:
    def __init__(self, env: Environment, dialect: CDialect, context=None):
        self.env = env
        self.dialect = dialect
        # the code string being printed (errors.CodeContext): debug checks name it
        self.context = context

    # -- expressions ---------------------------------------------------------------------------
    def expr(self, node: ast.Expr, top: bool = False) -> str:
        if isinstance(node, ast.CallExpr):
            return self.call(node, top)
        return getattr(self, "print_" + type(node).__name__)(node)

    def print_LiteralExpr(self, node: ast.LiteralExpr) -> str:
        token = node.token
        if token.type is T.SCALAR_NUMBER:
            precision = node.type if node.type is not None else self.env.type_context["scalar"]
            return self.dialect.float_literal(_number_text(token.lexeme, precision), precision)
        if token.type in (T.FLOAT_NUMBER, T.DOUBLE_NUMBER):
            precision = Float if token.type is T.FLOAT_NUMBER else Double
            return self.dialect.float_literal(_number_text(token.lexeme, precision), precision)
        if token.type is T.STRING:
            return c_string_literal(decode_string_literal(token.lexeme))
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
        if node.op.type is T.STAR and self.dialect.checks:
            checked = self.checked_element(node.operand, None)
            if checked is not None:
                return checked
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
        left, right = self.expr(node.left), self.expr(node.right)
        if self.dialect.checks and node.op.type in _DIVISIONS and _is_integer(node.type):
            checked = self.dialect.checked_division(self.env, self.context,
                                                    _DIVISIONS[node.op.type], node.type,
                                                    left, right)
            if checked is not None:
                return checked
        return f"{left} {node.op.lexeme} {right}"

    print_LogicalExpr = print_BinaryExpr

    def print_AssignmentExpr(self, node: ast.AssignmentExpr) -> str:
        target, value = self.expr(node.target), self.expr(node.value)
        if self.dialect.checks and node.op.type in _DIVISIONS:
            op = _DIVISIONS[node.op.type]
            # C computes `a /= b` as `a = a / b`: in the operands' common type
            operand_type = binary_result(node.target.type, T.SLASH, node.value.type)
            if _is_integer(operand_type):
                checked = self.dialect.checked_division(self.env, self.context, op,
                                                        operand_type, target, value,
                                                        assign=True)
                if checked is not None:
                    return checked
        return f"{target} {node.op.lexeme} {value}"

    def print_ConditionalExpr(self, node: ast.ConditionalExpr) -> str:
        if_true = self.expr(node.if_true)
        if _is_comma(node.if_true):
            if_true = f"({if_true})"    # a bare comma would split a macro argument (assert)
        return f"{self.expr(node.condition)} ? {if_true} : {self.expr(node.if_false)}"

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
        if symbol is not None and symbol.kind == "function" and node.signature is not None:
            return self.library_call(node, symbol.name, arguments, top)
        return f"{self.expr(node.callee)}({', '.join(arguments)})"

    def library_call(self, node: ast.CallExpr, name: str, arguments: list, top: bool) -> str:
        """A call of a C function with every argument converted to the parameter type of the
        overload the type checker chose, where the two differ.

        C++ and CUDA resolve overloads by their own rules: ``fmax(float, double)`` and
        ``exp(bool)`` are ambiguous to CUDA's, ``min(float, int)`` matches no template and C's
        ``abs`` takes an int whatever it is given. Spelling the chosen parameter types out makes
        the call compute in the type the checker gave it, on every backend."""
        signature = node.signature
        converted = []
        for index, text in enumerate(arguments):
            parameter = (signature.arg_types[index] if index < len(signature.arg_types)
                         else None)
            given = c_type(node.arguments[index]) if index < len(node.arguments) else None
            if isinstance(parameter, NumericType) and given != parameter:
                text = f"({self.dialect.type_name(parameter)}){_wrap(text)}"
            converted.append(text)
        callee = self.dialect.function_name(name)
        if name == "abs" and signature.return_type == Int64:
            # C's abs() takes an int: the 64-bit one is llabs (long long, cast back to int64_t)
            text = f"({self.dialect.type_name(Int64)})llabs({', '.join(converted)})"
            return text if top else f"({text})"
        return f"{callee}({', '.join(converted)})"

    def print_SubscriptExpr(self, node: ast.SubscriptExpr) -> str:
        index = self.expr(node.index)
        if _is_comma(node.index):
            index = f"({index})"        # brackets do not protect a comma in a macro argument
        if isinstance(node.array, ast.IdentifierExpr):
            symbol = self.env.lookup(node.array.name.lexeme)
            if symbol is not None and symbol.kind == "delayed":
                return _wrap(expand_template(symbol.delayed_template, [index]))
        if self.dialect.checks:
            checked = self.checked_element(node.array, index)
            if checked is not None:
                return checked
        return f"{self.expr(node.array)}[{index}]"

    # -- debug checks --------------------------------------------------------------------------
    def checked_element(self, pointer: ast.Expr, index: str | None) -> str | None:
        """The dialect's checked spelling of ``pointer[index]`` (``*pointer`` if ``index`` is
        None) where ``pointer`` is an array with bounds, or one plus/minus an integer offset
        (``*(egp + i)``); None for any other pointer (a pointer local is not checked)."""
        base = self.array_base(pointer)
        if base is None:
            return None
        bounds, array, offset = base
        if offset is None:
            index = "0" if index is None else index
        elif index is not None:
            index = f"{offset} + ({self.dialect.type_name(Int64)}){_wrap(index)}"
        else:
            index = offset
        return self.dialect.checked_element(self.env, self.context, bounds, array, index)

    def array_base(self, node: ast.Expr):
        """(bounds, C text of the array, C text of the element offset or None) of a pointer
        expression that is an array with bounds plus or minus integers, else None."""
        node = _ungrouped(node)
        if isinstance(node, ast.IdentifierExpr):
            symbol = self.env.lookup(node.name.lexeme)
            if symbol is None or symbol.kind != "array" or symbol.bounds is None:
                return None
            return symbol.bounds, self.expr(node), None
        if not (isinstance(node, ast.BinaryExpr) and isinstance(node.type, PointerType)
                and node.op.type in (T.PLUS, T.MINUS)):
            return None
        pointer_left = isinstance(node.left.type, PointerType)
        pointer, offset = (node.left, node.right) if pointer_left else (node.right, node.left)
        base = self.array_base(pointer)
        if base is None:
            return None
        bounds, array, earlier = base
        sign = "-" if node.op.type is T.MINUS else ""
        term = f"{sign}({self.dialect.type_name(Int64)}){_wrap(self.expr(offset))}"
        return bounds, array, term if earlier is None else f"{earlier} + {term}"

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
        # 'else if' chains are followed in a loop (a long chain is not deep nesting)
        lines = self.braced_body(stmt.then_branch, f"if ({self.expr(stmt.condition)})")
        while isinstance(stmt.else_branch, ast.IfStmt):
            stmt = stmt.else_branch
            lines[-1:] = self.braced_body(stmt.then_branch,
                                          f"}} else if ({self.expr(stmt.condition)})")
        if stmt.else_branch is not None:
            lines[-1:] = self.braced_body(stmt.else_branch, "} else")
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


@with_headroom
def print_statements(statements, env: Environment, dialect: CDialect | None = None,
                     context=None) -> str:
    """C text of a (type-checked) statement list, one statement per line, 4-space indents.

    ``context`` (an ``errors.CodeContext``) says which code string this is, for the checks a
    debug dialect prints.
    """
    printer = _StatementPrinter(env.child(), dialect or CDialect(), context)
    return "\n".join(line for stmt in statements for line in printer.lines(stmt))


@with_headroom
def print_expression(expr: ast.Expr, env: Environment, dialect: CDialect | None = None,
                     context=None) -> str:
    """C text of a (type-checked) expression (``context`` as for ``print_statements``)."""
    return _Printer(env, dialect or CDialect(), context).expr(expr, top=True)
