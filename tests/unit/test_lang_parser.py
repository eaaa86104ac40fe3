"""Parser: every statement and expression form produces the expected AST."""
from __future__ import annotations

import pytest

from pygenn._src.lang import ast, parse_expression, parse_statements, scan
from test_lang_helpers import CONTEXT


def parse(code):
    return parse_statements(scan(code, CONTEXT), CONTEXT)


def parse_expr(code):
    return parse_expression(scan(code, CONTEXT), CONTEXT)


def shape(expr) -> str:
    """A fully parenthesised rendering of an expression tree (independent of the printer)."""
    if isinstance(expr, ast.LiteralExpr):
        return expr.token.lexeme
    if isinstance(expr, ast.IdentifierExpr):
        return expr.name.lexeme
    if isinstance(expr, ast.GroupingExpr):
        return shape(expr.inner)
    if isinstance(expr, (ast.BinaryExpr, ast.LogicalExpr)):
        return f"({shape(expr.left)} {expr.op.lexeme} {shape(expr.right)})"
    if isinstance(expr, ast.AssignmentExpr):
        return f"({shape(expr.target)} {expr.op.lexeme} {shape(expr.value)})"
    if isinstance(expr, ast.UnaryExpr):
        return f"({expr.op.lexeme}{shape(expr.operand)})"
    if isinstance(expr, ast.PrefixIncDecExpr):
        return f"({expr.op.lexeme}{shape(expr.target)})"
    if isinstance(expr, ast.PostfixIncDecExpr):
        return f"({shape(expr.target)}{expr.op.lexeme})"
    if isinstance(expr, ast.ConditionalExpr):
        return f"({shape(expr.condition)} ? {shape(expr.if_true)} : {shape(expr.if_false)})"
    if isinstance(expr, ast.CastExpr):
        return f"(<{expr.type_spec.spelling}>{shape(expr.operand)})"
    if isinstance(expr, ast.CallExpr):
        return f"{shape(expr.callee)}({', '.join(shape(a) for a in expr.arguments)})"
    if isinstance(expr, ast.SubscriptExpr):
        return f"{shape(expr.array)}[{shape(expr.index)}]"
    raise AssertionError(type(expr))


@pytest.mark.parametrize("code, expected", [
    ("a + b * c", "(a + (b * c))"),
    ("a - b - c", "((a - b) - c)"),
    ("a / b % c", "((a / b) % c)"),
    ("a << 1 + b", "(a << (1 + b))"),
    ("a >> b < c", "((a >> b) < c)"),
    ("a < b == c > d", "((a < b) == (c > d))"),
    ("a & b ^ c | d", "(((a & b) ^ c) | d)"),
    ("a | b && c || d", "(((a | b) && c) || d)"),
    ("a || b ? c : d ? e : f", "((a || b) ? c : (d ? e : f))"),
    ("a = b = c", "(a = (b = c))"),
    ("a += b, c -= d", "((a += b) , (c -= d))"),
    ("a *= b /= c %= d", "(a *= (b /= (c %= d)))"),
    ("a &= b |= c ^= d <<= e >>= f", "(a &= (b |= (c ^= (d <<= (e >>= f)))))"),
    ("-a * !b", "((-a) * (!b))"),
    ("~+a", "(~(+a))"),
    ("*p + 1", "((*p) + 1)"),
    ("++a + b--", "((++a) + (b--))"),
    ("--a[i]", "(--a[i])"),
    ("(scalar)a * b", "((<scalar>a) * b)"),
    ("(unsigned int)-a", "(<unsigned int>(-a))"),
    ("(const scalar*)p", "(<const scalar*>p)"),
    ("(a + b) * c", "((a + b) * c)"),
    ("f(a, b + 1)[2]", "f(a, (b + 1))[2]"),
    ("f()", "f()"),
    ("g(h(1), (x, y))", "g(h(1), (x , y))"),
    ("a ? b = 1 : c", "(a ? (b = 1) : c)"),
    ("1.5f + .5 + 2u + 0x10 + true", "((((1.5f + .5) + 2u) + 0x10) + true)"),
])
def test_expression_precedence(code, expected):
    assert shape(parse_expr(code)) == expected


def test_declaration_with_several_declarators():
    (stmt,) = parse("const scalar a = 1.0, b, c = a + 1;")
    assert isinstance(stmt, ast.VarDeclarationStmt)
    assert stmt.type_spec.const and stmt.type_spec.words == ("scalar",)
    assert [d.name.lexeme for d in stmt.declarators] == ["a", "b", "c"]
    assert stmt.declarators[1].initialiser is None
    assert shape(stmt.declarators[2].initialiser) == "(a + 1)"


def test_pointer_declarations():
    (stmt,) = parse("const scalar * const * p = q;")
    assert stmt.type_spec.pointer_consts == (True, False)
    assert stmt.type_spec.spelling == "const scalar* const*"
    (stmt,) = parse("unsigned long int x;")
    assert stmt.type_spec.words == ("unsigned", "long", "int")


def test_if_else_chain():
    (stmt,) = parse("if (a) b = 1; else if (c) { b = 2; } else ;")
    assert isinstance(stmt, ast.IfStmt)
    assert isinstance(stmt.then_branch, ast.ExpressionStmt)
    assert isinstance(stmt.else_branch, ast.IfStmt)
    assert isinstance(stmt.else_branch.then_branch, ast.CompoundStmt)
    empty = stmt.else_branch.else_branch
    assert isinstance(empty, ast.ExpressionStmt) and empty.expression is None


def test_dangling_else_binds_to_nearest_if():
    (stmt,) = parse("if (a) if (b) x = 1; else x = 2;")
    assert stmt.else_branch is None
    assert stmt.then_branch.else_branch is not None


def test_loops():
    while_stmt, do_stmt = parse("while (i < 3) i++; do { i--; } while (i > 0);")
    assert isinstance(while_stmt, ast.WhileStmt) and shape(while_stmt.condition) == "(i < 3)"
    assert isinstance(do_stmt, ast.DoWhileStmt) and isinstance(do_stmt.body, ast.CompoundStmt)


@pytest.mark.parametrize("code, init_type", [
    ("for (int i = 0; i < 3; i++) x += i;", ast.VarDeclarationStmt),
    ("for (i = 0; i < 3; i++) x += i;", ast.ExpressionStmt),
    ("for (; i < 3; i++) x += i;", type(None)),
])
def test_for_initialiser_kinds(code, init_type):
    (stmt,) = parse(code)
    assert isinstance(stmt, ast.ForStmt) and isinstance(stmt.initialiser, init_type)
    assert shape(stmt.condition) == "(i < 3)" and shape(stmt.increment) == "(i++)"


def test_for_with_empty_clauses():
    (stmt,) = parse("for (;;) break;")
    assert stmt.initialiser is None and stmt.condition is None and stmt.increment is None
    assert isinstance(stmt.body, ast.BreakStmt)


def test_switch_case_default():
    (stmt,) = parse("switch (x) { case 1: case 2: y = 1; break; default: continue; }")
    assert isinstance(stmt, ast.SwitchStmt)
    first, brk, default = stmt.body.statements
    assert isinstance(first, ast.LabelledStmt) and shape(first.value) == "1"
    assert isinstance(first.body, ast.LabelledStmt) and shape(first.body.value) == "2"
    assert isinstance(brk, ast.BreakStmt)
    assert default.value is None and isinstance(default.body, ast.ContinueStmt)


def test_compound_and_empty_statements():
    compound, empty = parse("{ scalar x = 1.0; { x = 2.0; } } ;")
    assert isinstance(compound, ast.CompoundStmt) and len(compound.statements) == 2
    assert isinstance(empty, ast.ExpressionStmt) and empty.expression is None


def test_for_each_synapse():
    (stmt,) = parse("for_each_synapse { if (id_post == 3) remove_synapse(); }")
    assert isinstance(stmt, ast.ForEachSynapseStmt)
    assert isinstance(stmt.body, ast.CompoundStmt)


def test_statement_list_remembers_source():
    assert parse("x = 1;").source == "x = 1;"


def test_expression_remembers_source():
    assert parse_expr("V > 1").source == "V > 1"
