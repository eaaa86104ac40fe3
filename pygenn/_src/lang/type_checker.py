"""Type checker: checks a parsed code string against an Environment and annotates types.

Checking stops at the first error (as GeNN does) and raises ``CodeTypeError`` with the line,
column and a caret. Typing rules themselves live in typing_rules.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CodeContext, CodeTypeError, Diagnostic, did_you_mean
from . import ast
from .constants import NotConstant, constant_value, value_range
from .environment import Environment
from .limits import with_headroom
from .scanner import with_source
from .stdlib import STANDARD_FUNCTIONS
from .tokens import Token, TokenType
from .types import (Bool, Double, Float, Int32, PointerType, StringType, Uint32, is_integral,
                    is_numeric, is_scalar_type, promote, type_name)
from .typing_rules import (INTEGER_ASSIGNMENTS, assignment_result, best_overload,
                           binary_result, cast_result, resolve_type_spec)

T = TokenType

_LITERAL_TYPES = {T.INT32_NUMBER: Int32, T.UINT32_NUMBER: Uint32, T.FLOAT_NUMBER: Float,
                  T.DOUBLE_NUMBER: Double, T.BOOLEAN: Bool, T.STRING: StringType}

# A literal at least this large rounds to infinity as a float (FLT_MAX plus half an ulp)
_FLOAT_OVERFLOW = 2.0 ** 128 - 2.0 ** 103


class _Failure(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _names(types) -> str:
    return ", ".join(type_name(t) for t in types) or "no arguments"


class _ExpressionChecker:
    """Types expressions in one scope; the statement checker swaps ``env`` as scopes change."""

    def __init__(self, env: Environment):
        self.env = env

    def fail(self, token: Token, message: str):
        raise _Failure(Diagnostic(token.line, token.column, message, token.lexeme))

    def evaluate(self, expr: ast.Expr):
        """Type of ``expr`` read as a value (annotated on the node)."""
        method = getattr(self, "visit_" + type(expr).__name__)
        expr.type = method(expr)
        return expr.type

    # -- primary -------------------------------------------------------------------------------
    def visit_LiteralExpr(self, expr: ast.LiteralExpr):
        if expr.token.type is T.SCALAR_NUMBER:
            literal_type = self.env.type_context["scalar"]
        else:
            literal_type = _LITERAL_TYPES[expr.token.type]
        if literal_type in (Float, Double):
            self.check_float_range(expr.token, literal_type)
        return literal_type

    def check_float_range(self, token: Token, literal_type) -> None:
        # C++ compilers only warn, and the value becomes infinity
        magnitude = abs(float(token.lexeme.rstrip("fFdD")))
        limit = _FLOAT_OVERFLOW if literal_type == Float else float("inf")
        if magnitude >= limit:
            self.fail(token, f"Floating-point literal {token.lexeme} is too large for "
                             f"{type_name(literal_type)}")

    def lookup(self, name: Token):
        symbol = self.env.lookup(name.lexeme)
        if symbol is None:
            hint = did_you_mean(name.lexeme, self.env.visible_names())
            if "Did you mean" not in hint:
                stdlib_hint = did_you_mean(name.lexeme, STANDARD_FUNCTIONS)
                hint = stdlib_hint.split(" Valid names")[0] if "Did you" in stdlib_hint else hint
            self.fail(name, f"Undefined identifier '{name.lexeme}'.{hint}")
        return symbol

    def visit_IdentifierExpr(self, expr: ast.IdentifierExpr):
        symbol = self.lookup(expr.name)
        if symbol.kind == "function":
            self.fail(expr.name, f"Function '{symbol.name}' must be called: "
                                 f"write '{symbol.name}(...)'")
        if symbol.write_only:
            self.fail(expr.name, f"Write-only variable '{symbol.name}' cannot be read "
                                 f"(it can only be assigned with '=')")
        return symbol.type

    def visit_GroupingExpr(self, expr: ast.GroupingExpr):
        return self.evaluate(expr.inner)

    # -- operators -----------------------------------------------------------------------------
    def visit_UnaryExpr(self, expr: ast.UnaryExpr):
        operand = self.evaluate(expr.operand)
        op = expr.op.type
        if op is T.STAR:
            if isinstance(operand, PointerType):
                return operand.pointee
        elif op is T.NOT:
            if is_scalar_type(operand):
                return Int32
        elif is_numeric(operand) and (op is not T.TILDE or operand.is_integer):
            return promote(operand)
        self.fail(expr.op, f"Invalid operand type '{type_name(operand)}' for unary operator "
                           f"'{expr.op.lexeme}'")

    def visit_BinaryExpr(self, expr: ast.BinaryExpr):
        left = self.evaluate(expr.left)
        right = self.evaluate(expr.right)
        if expr.op.type is T.COMMA:
            return right
        result = binary_result(left, expr.op.type, right)
        if result is None:
            self.fail(expr.op, _invalid_operands(left, right, expr.op))
        return result

    def visit_LogicalExpr(self, expr: ast.LogicalExpr):
        left = self.evaluate(expr.left)
        right = self.evaluate(expr.right)
        if not (is_scalar_type(left) and is_scalar_type(right)):
            self.fail(expr.op, _invalid_operands(left, right, expr.op))
        return Int32

    def visit_ConditionalExpr(self, expr: ast.ConditionalExpr):
        self.check_condition(expr.condition, expr.question)
        if_true = self.evaluate(expr.if_true)
        if_false = self.evaluate(expr.if_false)
        if is_numeric(if_true) and is_numeric(if_false):
            return binary_result(if_true, T.PLUS, if_false)
        if isinstance(if_true, PointerType) and if_true == if_false:
            return if_true
        self.fail(expr.question, f"Invalid operand types '{type_name(if_true)}' and "
                                 f"'{type_name(if_false)}' to conditional")

    def visit_CastExpr(self, expr: ast.CastExpr):
        operand = self.evaluate(expr.operand)
        target, _ = resolve_type_spec(expr.type_spec, self.env.type_context)
        if not cast_result(operand, target):
            self.fail(expr.type_spec.token, f"Invalid cast from '{type_name(operand)}' to "
                                            f"'{type_name(target)}'")
        return target

    # -- assignment ----------------------------------------------------------------------------
    def visit_AssignmentExpr(self, expr: ast.AssignmentExpr):
        target = self.check_assignable(expr.target, expr.op)
        value = self.evaluate(expr.value)
        if not assignment_result(target, expr.op.type, value):
            reason = " (it needs integer operands)" if expr.op.type in INTEGER_ASSIGNMENTS else ""
            self.fail(expr.op, _invalid_operands(target, value, expr.op) + reason)
        return target

    def visit_PrefixIncDecExpr(self, expr: ast.PrefixIncDecExpr):
        return self.check_inc_dec(expr.target, expr.op)

    def visit_PostfixIncDecExpr(self, expr: ast.PostfixIncDecExpr):
        return self.check_inc_dec(expr.target, expr.op)

    def check_inc_dec(self, target_expr: ast.Expr, op: Token):
        target = self.check_assignable(target_expr, op)
        if not is_scalar_type(target) or target == Bool:
            # C++17 forbids ++ and -- on bool
            self.fail(op, f"Invalid operand type '{type_name(target)}' for '{op.lexeme}'")
        return target

    def check_assignable(self, target: ast.Expr, op: Token):
        """Type of an assignment/increment target after checking it may be written."""
        inner = target
        while isinstance(inner, ast.GroupingExpr):
            inner = inner.inner
        if isinstance(inner, ast.IdentifierExpr):
            return self.check_assignable_name(target, inner, op)
        if isinstance(inner, ast.SubscriptExpr) or (isinstance(inner, ast.UnaryExpr)
                                                    and inner.op.type is T.STAR):
            pointer_expr = inner.array if isinstance(inner, ast.SubscriptExpr) else inner.operand
            value_type = self.evaluate(target)
            pointer = pointer_expr.type
            if not isinstance(pointer, PointerType) or pointer.pointee_const:
                self.fail(op, f"Assignment of read-only variable '{_describe(pointer_expr)}'")
            return value_type
        self.fail(op, f"Expression is not assignable: the left of '{op.lexeme}' must be a "
                      f"variable or an array element")

    def check_assignable_name(self, target: ast.Expr, name: ast.IdentifierExpr, op: Token):
        symbol = self.lookup(name.name)
        if symbol.kind == "function":
            self.fail(op, f"Cannot assign to function '{symbol.name}'")
        if symbol.read_only:
            self.fail(op, f"Assignment of read-only variable '{symbol.name}'")
        if symbol.write_only:
            if op.type is not T.EQUAL:
                self.fail(op, f"Invalid operator for assignment of write-only variable "
                              f"'{symbol.name}': only '=' may be used")
            for node in (target, name):
                node.type = symbol.type
            return symbol.type
        return self.evaluate(target)

    # -- postfix -------------------------------------------------------------------------------
    def visit_CallExpr(self, expr: ast.CallExpr):
        arguments = [self.evaluate(a) for a in expr.arguments]
        callee = expr.callee
        symbol = None
        if isinstance(callee, ast.IdentifierExpr):
            symbol = self.lookup(callee.name)
        if symbol is None or symbol.kind != "function":
            if symbol is None:
                self.evaluate(callee)
            self.fail(expr.closing_paren, "Called object is not a function")
        chosen = best_overload(symbol.signatures, arguments)
        if chosen is None:
            candidates = "; ".join(type_name(s) for s in symbol.signatures)
            self.fail(callee.name, f"No viable function candidates for '{symbol.name}' "
                                   f"(arguments: {_names(arguments)}; candidates: {candidates})")
        callee.type = chosen
        expr.signature = chosen
        return chosen.return_type

    def visit_SubscriptExpr(self, expr: ast.SubscriptExpr):
        index = self.evaluate(expr.index)
        if not is_integral(index):
            self.fail(expr.closing_bracket, f"Invalid subscript index type '{type_name(index)}' "
                                            f"(must be an integer)")
        array = expr.array
        if isinstance(array, ast.IdentifierExpr):
            symbol = self.lookup(array.name)
            if symbol.kind == "delayed":
                array.type = symbol.type
                return symbol.type
        array_type = self.evaluate(array)
        if not isinstance(array_type, PointerType):
            self.fail(expr.closing_bracket, f"Subscripted object is not a pointer: "
                                            f"'{_describe(array)}' has type "
                                            f"'{type_name(array_type)}'")
        return array_type.pointee

    def check_condition(self, condition: ast.Expr, token: Token):
        condition_type = self.evaluate(condition)
        if not is_scalar_type(condition_type):
            self.fail(token, f"Invalid condition expression type '{type_name(condition_type)}'")


def _describe(expr: ast.Expr) -> str:
    while isinstance(expr, ast.GroupingExpr):
        expr = expr.inner
    if isinstance(expr, ast.IdentifierExpr):
        return expr.name.lexeme
    return "expression"


def _invalid_operands(left, right, op: Token) -> str:
    return (f"Invalid operand types '{type_name(left)}' and '{type_name(right)}' for operator "
            f"'{op.lexeme}'")


@dataclass
class _Switch:
    """What the checker knows about the switch statement it is inside."""

    condition_type: object
    values: dict = field(default_factory=dict)     # case value -> its label's token
    default: Token | None = None
    # One list per block entered since the switch began: names declared there with an
    # initialiser, which a jump to a later label would skip (C++ forbids that)
    blocks: list = field(default_factory=list)


class _StatementChecker(_ExpressionChecker):
    """Checks statements, tracking scopes and the loops/switches break/continue are inside."""

    def __init__(self, env: Environment):
        super().__init__(env)
        self.loop_depth = 0
        self.switches: list[_Switch] = []

    def check(self, stmt: ast.Stmt) -> None:
        getattr(self, "visit_" + type(stmt).__name__)(stmt)

    def in_scope(self, env: Environment, statements) -> None:
        outer, self.env = self.env, env
        self.enter_block()
        try:
            for stmt in statements:
                self.check(stmt)
        finally:
            self.leave_block()
            self.env = outer

    def enter_block(self, initialised=()) -> None:
        if self.switches:
            self.switches[-1].blocks.append(list(initialised))

    def leave_block(self) -> None:
        if self.switches:
            self.switches[-1].blocks.pop()

    def in_loop(self, body: ast.Stmt) -> None:
        self.loop_depth += 1
        try:
            self.check(body)
        finally:
            self.loop_depth -= 1

    def visit_ExpressionStmt(self, stmt: ast.ExpressionStmt):
        if stmt.expression is not None:
            self.evaluate(stmt.expression)

    def visit_VarDeclarationStmt(self, stmt: ast.VarDeclarationStmt):
        declared, read_only = resolve_type_spec(stmt.type_spec, self.env.type_context)
        for declarator in stmt.declarators:
            name = declarator.name
            if not self.env.define_local(name.lexeme, declared, read_only=read_only):
                self.fail(name, f"Redeclaration of variable '{name.lexeme}'")
            if declarator.initialiser is None:
                if read_only:
                    self.fail(name, f"Const variable '{name.lexeme}' must be initialised")
                continue
            if self.switches and self.switches[-1].blocks:
                self.switches[-1].blocks[-1].append(name.lexeme)
            value = self.evaluate(declarator.initialiser)
            if not assignment_result(declared, T.EQUAL, value):
                self.fail(name, f"Invalid operand types '{type_name(declared)}' and "
                                f"'{type_name(value)}' in initialisation of '{name.lexeme}'")

    def visit_CompoundStmt(self, stmt: ast.CompoundStmt):
        self.in_scope(self.env.child(), stmt.statements)

    def visit_IfStmt(self, stmt: ast.IfStmt):
        # 'else if' chains are followed in a loop (a long chain is not deep nesting)
        while True:
            self.check_condition(stmt.condition, stmt.keyword)
            self.check(stmt.then_branch)
            if not isinstance(stmt.else_branch, ast.IfStmt):
                break
            stmt = stmt.else_branch
        if stmt.else_branch is not None:
            self.check(stmt.else_branch)

    def visit_WhileStmt(self, stmt: ast.WhileStmt):
        self.check_condition(stmt.condition, stmt.keyword)
        self.in_loop(stmt.body)

    def visit_DoWhileStmt(self, stmt: ast.DoWhileStmt):
        self.in_loop(stmt.body)
        self.check_condition(stmt.condition, stmt.keyword)

    def visit_ForStmt(self, stmt: ast.ForStmt):
        outer, self.env = self.env, self.env.child()
        self.enter_block()
        try:
            if stmt.initialiser is not None:
                self.check(stmt.initialiser)
                self.check_for_body_declarations(stmt)
            if stmt.condition is not None:
                self.check_condition(stmt.condition, stmt.keyword)
            if stmt.increment is not None:
                self.evaluate(stmt.increment)
            self.in_loop(stmt.body)
        finally:
            self.leave_block()
            self.env = outer

    def check_for_body_declarations(self, stmt: ast.ForStmt) -> None:
        """C++ (unlike C) forbids redeclaring a for-initialiser's name in the body's braces."""
        if not (isinstance(stmt.initialiser, ast.VarDeclarationStmt)
                and isinstance(stmt.body, ast.CompoundStmt)):
            return
        loop_names = {d.name.lexeme for d in stmt.initialiser.declarators}
        for inner in stmt.body.statements:
            if isinstance(inner, ast.VarDeclarationStmt):
                for declarator in inner.declarators:
                    if declarator.name.lexeme in loop_names:
                        self.fail(declarator.name, f"Redeclaration of variable "
                                                   f"'{declarator.name.lexeme}' (declared by "
                                                   f"the enclosing 'for'; C++ forbids this)")

    def visit_ForEachSynapseStmt(self, stmt: ast.ForEachSynapseStmt):
        handler = self.env.find_for_each_synapse()
        if handler is None:
            self.fail(stmt.keyword, "'for_each_synapse' is not supported in this context "
                                    "(only in custom connectivity row updates and Toeplitz "
                                    "diagonal build code)")
        outer, self.env = self.env, handler.make_environment(self.env)
        # the generated loop declares its own variables: no case label may jump into it
        self.enter_block(["the for_each_synapse loop variables"])
        try:
            self.in_loop(stmt.body)
        finally:
            self.leave_block()
            self.env = outer

    def visit_SwitchStmt(self, stmt: ast.SwitchStmt):
        condition = self.evaluate(stmt.condition)
        if not is_integral(condition):
            self.fail(stmt.keyword, f"Invalid switch condition type '{type_name(condition)}' "
                                    f"(must be an integer)")
        self.switches.append(_Switch(promote(condition)))
        try:
            self.check(stmt.body)
        finally:
            self.switches.pop()

    def visit_LabelledStmt(self, stmt: ast.LabelledStmt):
        if not self.switches:
            self.fail(stmt.keyword, "Statement not within switch statement")
        switch = self.switches[-1]
        self.check_label_jump(stmt.keyword, switch)
        if stmt.value is None:
            if switch.default is not None:
                self.fail(stmt.keyword, f"Multiple default labels in one switch (the first "
                                        f"is on line {switch.default.line})")
            switch.default = stmt.keyword
        else:
            value = self.evaluate(stmt.value)
            if not is_integral(value):
                self.fail(stmt.keyword, f"Invalid case value type '{type_name(value)}' "
                                        f"(must be an integer)")
            self.check_case_value(stmt, switch)
        self.check(stmt.body)

    def check_label_jump(self, keyword: Token, switch: _Switch) -> None:
        for names in switch.blocks:
            if names:
                self.fail(keyword, f"Jump to '{keyword.lexeme}' label skips the initialisation "
                                   f"of {_quoted(names[0])} (C++ forbids this): put the "
                                   f"statements of the previous label in braces {{ }}")

    def check_case_value(self, stmt: ast.LabelledStmt, switch: _Switch) -> None:
        """The value must be a constant that fits the (promoted) condition type, once."""
        try:
            value = constant_value(stmt.value)
        except NotConstant as error:
            self.fail(error.token, error.message)
        low, high = value_range(switch.condition_type)
        if not low <= value <= high:
            self.fail(stmt.keyword, f"Case value {value} does not fit in the switch condition's "
                                    f"type '{type_name(switch.condition_type)}'")
        if value in switch.values:
            self.fail(stmt.keyword, f"Duplicate case value {value} (also on line "
                                    f"{switch.values[value].line})")
        switch.values[value] = stmt.keyword

    def visit_BreakStmt(self, stmt: ast.BreakStmt):
        if self.loop_depth == 0 and not self.switches:
            self.fail(stmt.keyword, "Statement not within loop or switch: 'break'")

    def visit_ContinueStmt(self, stmt: ast.ContinueStmt):
        if self.loop_depth == 0:
            self.fail(stmt.keyword, "Statement not within loop: 'continue'")


def _quoted(name: str) -> str:
    return f"'{name}'" if name.isidentifier() else name


def _raise(failure: _Failure, context: CodeContext, source: str):
    raise CodeTypeError(with_source(context, source), [failure.diagnostic]) from None


@with_headroom
def check_statements(statements, env: Environment, context: CodeContext) -> None:
    """Type-check a statement list in ``env``, annotating types on the AST in place.

    Declarations at the top level are defined in ``env`` itself, so code checked later with the
    same environment (threshold after sim code) sees them. Raises ``CodeTypeError`` at the first
    error.
    """
    checker = _StatementChecker(env)
    try:
        for stmt in statements:
            checker.check(stmt)
    except _Failure as failure:
        _raise(failure, context, getattr(statements, "source", ""))


@with_headroom
def check_expression(expr: ast.Expr, env: Environment, context: CodeContext) -> None:
    """Type-check a single expression (threshold conditions); it must be usable as a condition."""
    checker = _ExpressionChecker(env)
    try:
        result = checker.evaluate(expr)
        if not is_scalar_type(result):
            first = _first_token(expr)
            checker.fail(first, f"Invalid condition expression type '{type_name(result)}'")
    except _Failure as failure:
        _raise(failure, context, getattr(expr, "source", ""))


def _first_token(expr) -> Token:
    for value in vars(expr).values():
        if isinstance(value, Token):
            return value
        if isinstance(value, ast.Expr):
            return _first_token(value)
    raise AssertionError("expression without tokens")
