"""Typing rules of GeNNCode: literals, promotions, overloads, const, pointers."""
from __future__ import annotations

import pytest

from pygenn._src.lang import Environment, find_identifiers, parse_statements, scan
from pygenn._src.lang.types import (Bool, Double, Float, Int8, Int16, Int32, Int64,
                                    PointerType, Uint8, Uint16, Uint32, Uint64, Void,
                                    common_type, promote)
from test_lang_helpers import CONTEXT, make_env, statements, type_of


@pytest.mark.parametrize("scalar", [Float, Double])
@pytest.mark.parametrize("code, expected", [
    ("0.5", "scalar"), ("1.5f", Float), ("1.5d", Double), (".5", "scalar"), ("1", Int32),
    ("1u", Uint32), ("0xFFu", Uint32), ("true", Bool), ("V * 0.5", "scalar"),
    ("V * 2", "scalar"), ("1 + 0.5", "scalar"), ("1.5f * 2.0d", Double), ("V * 1.5f", "scalar"),
    ("dt", "scalar"), ("gennrand_uniform()", "scalar"), ("gennrand()", Uint32),
    ("gennrand_binomial(10u, 0.5)", Uint32), ("addToPost(1.0)", Void),
])
def test_literal_and_variable_types(scalar, code, expected):
    expected = scalar if expected == "scalar" else expected
    assert type_of(code, make_env(scalar)) == expected


def test_scalar_literal_keeps_float_precision():
    # The unsuffixed literal follows the model precision, so float stays float
    assert type_of("V * 0.5", make_env(Float)) == Float
    assert type_of("1.5f * 0.5", make_env(Double)) == Double


@pytest.mark.parametrize("cast, expected", [
    ("(bool)1", Int32), ("(char)1", Int32), ("(unsigned char)1", Int32),
    ("(short)1", Int32), ("(uint16_t)1", Int32), ("(int)1", Int32), ("(unsigned)1", Uint32),
    ("(long)1", Int64), ("(uint64_t)1", Uint64),
])
def test_integer_promotion_of_unary_minus(cast, expected):
    assert type_of("-" + cast) == expected


@pytest.mark.parametrize("left, right, expected", [
    ("(char)1", "(char)1", Int32),
    ("(uint8_t)1", "(int16_t)1", Int32),
    ("1", "1u", Uint32),
    ("(long)1", "1u", Int64),
    ("(long)1", "(uint64_t)1", Uint64),
    ("(unsigned)1", "(long)1", Int64),
    ("(uint64_t)1", "(int)1", Uint64),
    ("(int)1", "1.5f", Float),
    ("1.5f", "1.5d", Double),
    ("(uint64_t)1", "1.5f", Float),
])
def test_usual_arithmetic_conversions(left, right, expected):
    assert type_of(f"{left} + {right}") == expected
    assert type_of(f"{right} * {left}") == expected


def test_integer_promotion_helpers():
    assert promote(Bool) == Int32 and promote(Uint16) == Int32 and promote(Int8) == Int32
    assert promote(Uint32) == Uint32 and promote(Uint8) == Int32 and promote(Int16) == Int32
    assert promote(Float) == Float
    # same rank, mixed sign -> unsigned; wider signed holds all of a narrower unsigned
    assert common_type(Int32, Uint32) == Uint32 and common_type(Int64, Uint32) == Int64
    assert common_type(Int64, Uint64) == Uint64 and common_type(Int16, Uint8) == Int32


def test_shift_takes_promoted_left_type():
    assert type_of("(uint8_t)1 << 3u") == Int32
    assert type_of("1u << (long)3") == Uint32
    assert type_of("(long)1 >> 3") == Int64


def test_bitwise_takes_common_type():
    assert type_of("flags & 1") == Uint32
    assert type_of("count ^ (long)1") == Int64


def test_relational_result_is_common_type_quirk():
    # GeNN types comparisons as the operands' common type, not int
    assert type_of("V > 0.0") == Float
    assert type_of("count == 1u") == Uint32
    assert type_of("1.5d < 1") == Double


def test_logical_and_not_give_int32():
    assert type_of("V > 0.0 && count") == Int32
    assert type_of("V || egp") == Int32
    assert type_of("!V") == Int32
    assert type_of("!egp") == Int32


def test_conditional_takes_common_type():
    assert type_of("count ? 1 : 2.5f") == Float
    assert type_of("V ? 1u : 2") == Uint32
    assert type_of("count ? egp : egp") == PointerType(Float)


def test_assignment_and_increment_types():
    assert type_of("count = 2.5") == Int32
    assert type_of("V += 1") == Float
    assert type_of("count++") == Int32
    assert type_of("--V") == Float


def test_comma_takes_right_type():
    assert type_of("V, count") == Int32


@pytest.mark.parametrize("call, expected", [
    ("sin(1.0f)", Float), ("sin(1.0d)", Double), ("sin(V)", Float), ("exp(1)", Double),
    ("pow(1.0f, 2.0f)", Float), ("pow(1.0d, 2.0f)", Double), ("pow(1.0f, 2)", Float),
    ("fmax(1.0d, 2)", Double), ("ldexp(1.0f, 3)", Float), ("ilogb(2.0f)", Int32),
    ("min(1, 2)", Int32), ("min(1u, 2u)", Uint32), ("max((long)1, 2)", Int64),
    ("max((uint64_t)1, 2u)", Uint64), ("min((char)1, (char)2)", Int32),
    # pygenn gives min/max float overloads: C++'s std::min computes in the floating type
    # (GeNN types this call as int)
    ("min(1.5, 2.5)", Float),
    ("abs(-1)", Int32), ("abs((long)-1)", Int64), ("hypot(3.0f, 4.0f)", Float),
    ("fma(1.0f, 2.0f, 3.0f)", Float), ("clz(flags)", Int32), ('printf("%d %f", 1, V)', Int32),
    ("gennrand_log_normal(0.0, 1.0)", Float), ("gennrand_gamma(2)", Float),
])
def test_overload_resolution(call, expected):
    assert type_of(call) == expected


def test_overload_ranks_compare_lexicographically():
    # GeNN compares per-argument ranks left to right: (exact, conversion) beats
    # (promotion, exact), so pow(float, double) statically picks the float overload
    assert type_of("pow(1.0f, 2.0d)") == Float


def test_overload_resolution_in_double_model():
    env = make_env(Double)
    assert type_of("exp(V)", env) == Double
    assert type_of("exp(1.0f)", env) == Float


def test_call_annotates_chosen_signature():
    stmts, _ = statements("V = pow(1.0f, 2);")
    call = stmts[0].expression.value
    assert call.signature.arg_types == (Float, Float)


def test_const_rules():
    # const locals can be read, pointers to const can move, const pointers cannot
    statements("const scalar k = 2.0; V = k * V;")
    statements("const scalar *p = egp; p++; p += 2; V = *p + p[1];")
    statements("scalar * const q = egp; *q = 1.0; q[1] = 2.0;")
    statements("const int *t = table; count = t[0];")
    statements("V = count ? Vrest : V;")


def test_pointer_rules():
    assert type_of("egp + 1") == PointerType(Float)
    assert type_of("1 + egp") == PointerType(Float)
    assert type_of("egp - 1u") == PointerType(Float)
    # a pointer difference is C++'s ptrdiff_t, 64 bits under LP64 (GeNN types it int32)
    assert type_of("egp - egp") == Int64
    assert type_of("*egp") == Float
    assert type_of("egp[2]") == Float
    assert type_of("table[2]") == Int32
    assert type_of("(const scalar*)egp") == PointerType(Float, pointee_const=True)
    statements("scalar *p = egp; const scalar *c = p; p = egp + 3; p -= 1; *p = 2.0;")


def test_strings_and_atomic_or():
    env = make_env()
    env.add_array("words", Uint32)
    statements('printf("id %u\\n", id); atomic_or(words + 1, 4u);', env)


def test_write_only_rules():
    statements("reduced = V;")
    statements("reduced = V * 2.0; reduced = 3;")


def test_delayed_variable():
    assert type_of("Vpost") == Float
    assert type_of("Vpost[2u]") == Float
    assert type_of("Vpost[count]") == Float


def test_types_are_annotated_on_every_expression():
    stmts, _ = statements("count = (int)(V * 2.0) + 1;")
    assignment = stmts[0].expression
    assert assignment.value.type == Int32
    assert assignment.value.left.type == Int32
    assert assignment.value.left.operand.type == Float


def test_top_level_locals_are_visible_to_later_code():
    env = make_env()
    statements("scalar tmp = V * 2.0;", env)
    assert env.lookup("tmp").is_local
    assert type_of("tmp > 1.0", env) == Float
    # Nested declarations stay in their own scope
    statements("{ scalar inner = 1.0; }", env)
    assert env.lookup("inner") is None


def test_locals_may_shadow_environment_names():
    env = make_env()
    statements("scalar dt = 0.5; { int V = 1; count = V; }", env)
    assert env.lookup("dt").is_local


def test_environment_resolves_type_spellings():
    env = Environment(type_context={"scalar": Double})
    env.add_variable("a", "scalar")
    env.add_variable("b", "unsigned int")
    env.add_function("f", [("scalar", ["timepoint"], False)])
    assert env.lookup("a").type == Double and env.lookup("b").type == Uint32
    assert env.lookup("f").signatures[0].arg_types == (Double,)
    assert env.child().type_context["scalar"] == Double


def test_find_identifiers():
    stmts = parse_statements(scan(
        "V += Isyn * dt; x = gennrand_uniform(); if (V > Vpost[2]) U = egp[id]; egp[0] = 1;"
        "count++; reduced = 2;", CONTEXT), CONTEXT)
    uses = find_identifiers(stmts)
    assert uses["V"] == {"plain", "write"}
    assert uses["Isyn"] == {"plain"} and uses["dt"] == {"plain"}
    assert uses["x"] == {"write"}
    assert uses["gennrand_uniform"] == {"call"}
    assert uses["Vpost"] == {"subscript"}
    assert uses["egp"] == {"subscript", "write"}
    assert uses["count"] == {"plain", "write"}
    assert uses["reduced"] == {"write"}
    assert "U" in uses and uses["U"] == {"write"}
