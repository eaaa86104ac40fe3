"""Soundness of the GeNNCode front end (issue 12): what it accepts means the same in C++, and
nothing a user writes can inject C++. Rejections are located errors (line, column, caret)."""
from __future__ import annotations

import re
import sys

import pytest

from pygenn._src.errors import CodeParseError, CodeScanError, CodeTypeError
from pygenn._src.lang import scan
from pygenn._src.lang.limits import MAX_NESTING, MAX_TREE_DEPTH
from pygenn._src.lang.printer import c_string_literal
from pygenn._src.lang.scanner import decode_string_literal
from pygenn._src.lang.types import Int64, Uint32
from test_lang_helpers import CONTEXT, expression, printed, printed_expression, statements
from test_lang_helpers import type_of

SCAN, PARSE, TYPE = CodeScanError, CodeParseError, CodeTypeError


def assert_located(error, line: int, column: int):
    message = str(error)
    assert f"line {line}, column {column}" in message, message
    assert re.search(r"\n    " + " " * (column - 1) + r"\^", message), message


# ============================================================================ string literals
def test_escaped_quote_does_not_end_a_literal():
    # the old scanner ended the literal at the escaped quote: one call for the front end, two
    # statements for g++. Now both read one literal, then an unknown function.
    tokens = [t.lexeme for t in scan('printf("\\", "); system(c); //");', CONTEXT)]
    assert tokens[:3] == ["printf", "(", '"\\", "']
    with pytest.raises(TYPE, match="Undefined identifier 'c'"):
        statements('printf("\\", "); system(c); //");')


@pytest.mark.parametrize("code, message, line, column", [
    ('printf("\\", ");\r#define exp(x) 42.0f\r//"); V = exp(1.0);', "Carriage return", 1, 16),
    ('printf("\r#include </etc/passwd>\r");', r"Control character \\r in a string literal",
     1, 9),
    ('printf("a\\\nb");', "Backslash at the end of a line in a string literal", 1, 10),
    ('printf("\\q");', r"Unknown escape sequence '\\q'", 1, 9),
    ('printf("\\777");', "out of range", 1, 9),
    ('printf("\\x100");', "out of range", 1, 9),
    ('printf("\\x");', "must be followed by hexadecimal digits", 1, 9),
    ('printf("\\u00e9");', "Universal character names", 1, 9),
    ('printf("a\x00b");', "Control character U\\+0000", 1, 10),
    ('printf("\ud800");', "lone UTF-16 surrogate", 1, 9),
])
def test_dangerous_string_literals_are_located_errors(code, message, line, column):
    with pytest.raises(SCAN, match=message) as info:
        scan(code, CONTEXT)
    assert_located(info.value, line, column)
    assert "\r" not in str(info.value) and "\0" not in str(info.value)


def test_escapes_decode_as_in_c():
    assert decode_string_literal('"%f\\n\\t\\"q\\"\\\\\\?\\0\\x41\\101\\7"') == \
        b'%f\n\t"q"\\?\x00AA\x07'
    assert decode_string_literal('"\u00b5"') == "\u00b5".encode("utf-8")
    assert decode_string_literal('"\\1234"') == b"S4"      # octal escapes take 3 digits
    with pytest.raises(ValueError, match="Unknown escape"):
        decode_string_literal('"\\q"')


def test_printed_literals_are_canonical_and_re_scan_identically():
    every_byte = bytes(range(256))
    text = c_string_literal(every_byte)
    assert decode_string_literal(text) == every_byte
    assert all(0x20 <= ord(c) < 0x7F for c in text)
    assert "??" not in text                                 # no trigraph can form
    assert printed('printf("%d\\n\\t\\"\\x41 ??= \u00b5", count);') == \
        'printf("%d\\n\\t\\"A ?\\?= \\302\\265", count);'


# ============================================================================ other lexical rules
@pytest.mark.parametrize("code, message, column", [
    ("V = 1\u0660;", "Unexpected character '\u0660'", 6),          # Arabic-Indic zero
    ("V = \u0661;", "Unexpected character '\u0661'", 5),
    ("V\u00e9 = 1.0;", "Unexpected character '\u00e9'", 2),
    ("V = 1.0;\x0b", "Unexpected character 'U\\+000B'", 9),
    ("V = 1.0; \x00", "Unexpected character 'U\\+0000'", 10),
    ("V = 1.0;\r U = 1.0;", "Carriage return", 9),
    ("V = 1.0; // note \\\nU = 2.0;", "Backslash at the end of a '//' comment", 18),
    ("V = 1.0; /* a *\\\n/ U = 2.0; */", "Backslash at the end of a line in a comment", 16),
    ("V = 1.0; // bell \x07", "Control character U\\+0007 in a comment", 18),
])
def test_lexical_traps_are_located_errors(code, message, column):
    with pytest.raises(SCAN, match=message) as info:
        scan(code, CONTEXT)
    assert_located(info.value, 1, column)


def test_crlf_line_endings_and_unicode_comments_are_fine():
    assert printed("V = 1.0;\r\n// \u00b5s, \u00e9t\u00e9\r\nU = 2.0;\r\n") == \
        "group->V[id] = 1.0f;\nU = 2.0f;"


@pytest.mark.parametrize("code, message", [
    ("V = 2147483648;", "does not fit in int32_t"),
    ("V = 4294967296u;", "does not fit in 32 bits"),
    ("V = 0x100000000;", "does not fit in 32 bits"),
])
def test_integer_literals_must_fit_their_type(code, message):
    with pytest.raises(SCAN, match=message) as info:
        scan(code, CONTEXT)
    assert_located(info.value, 1, 5)


def test_integer_literals_take_the_type_c_gives_them():
    # an unsuffixed hexadecimal literal above INT32_MAX is an unsigned int in C
    assert type_of("0xFFFFFFFF") == Uint32
    assert type_of("0x7FFFFFFF").name == "int32_t"
    assert type_of("4294967295u") == Uint32


def test_float_literals_must_be_finite_in_their_type():
    with pytest.raises(TYPE, match="too large for float") as info:
        statements("V = 1e39;")                       # scalar is float here
    assert_located(info.value, 1, 5)
    with pytest.raises(TYPE, match="too large for double"):
        statements("V = 1e999d;")
    assert printed("V = 3.4e38f;") == "group->V[id] = 3.4e38f;"


# ============================================================================ C++ meaning
def test_min_max_abs_compute_in_the_type_the_checker_chose():
    assert printed("V = min(V, 1);") == "group->V[id] = min(group->V[id], (float)1);"
    assert printed("flags = max(flags, 2);") == "flags = max(flags, (uint32_t)2);"
    # C's abs() takes an int; the 64-bit one is llabs
    assert printed("count = abs(count);") == "count = abs(count);"
    assert printed("V = abs((long)count);") == \
        "group->V[id] = ((int64_t)llabs((int64_t)count));"


def test_integer_arguments_of_math_functions_are_converted():
    assert printed("V = sqrt(2);") == "group->V[id] = sqrt((double)2);"
    # the checker picks pow(float, float); C++ would pick pow(double, double) for (float, int)
    assert printed("V = pow(V, 2);") == "group->V[id] = pow(group->V[id], (float)2);"


@pytest.mark.parametrize("code, expected", [
    # GeNN types a comparison as its operands' type; C++ makes it bool (ambiguous to CUDA's
    # overloads, no std::min(float, bool)): arguments take the chosen overload's type
    ("V = exp(V > 1.0);", "group->V[id] = exp((float)(group->V[id] > 1.0f));"),
    ("V = min(V, V != 0.5);", "group->V[id] = min(group->V[id], (float)(group->V[id] != 0.5f));"),
    # ... and so does arithmetic on one (bool + int is int in C++)
    ("V = fmax(V, (V > 1.0) + 1);",
     "group->V[id] = fmax(group->V[id], (float)((group->V[id] > 1.0f) + 1));"),
    ("count = max(!count, 3);", "count = max((int32_t)(!count), 3);"),
    ("V = fmin(V, count ? V > 1.0 : V < 0.0);",
     "group->V[id] = fmin(group->V[id], (float)(count ? group->V[id] > 1.0f : "
     "group->V[id] < 0.0f));"),
])
def test_call_arguments_take_the_type_cpp_gives_them(code, expected):
    assert printed(code) == expected


def test_literals_too_small_for_their_type_are_zero():
    # C rounds them to zero; NVRTC rejects them as out of range
    assert printed("V = 1e-50;") == "group->V[id] = 0.0f;"
    assert printed("V = 1e-40;") == "group->V[id] = 1e-40f;"         # subnormal: kept
    assert printed("V = 1e-400d;") == "group->V[id] = 0.0;"
    assert printed("V = 1e-50d;") == "group->V[id] = 1e-50;"


def test_commas_never_split_a_macro_argument():
    assert printed("assert(count ? 1, 2 : 3);") == "assert((bool)(count ? (1, 2) : 3));"
    assert printed("V = egp[count, 1];") == "group->V[id] = group->egp[(count, 1)];"


def test_string_literals_are_const_char_not_int8():
    with pytest.raises(TYPE, match="'const int8_t\\*' and 'const char\\*'"):
        statements('const int8_t *p = "abc";')
    assert type_of('*"abc"').name == "int8_t"
    assert printed('printf("abc" + 1);') == 'printf("abc" + 1);'


def test_pointer_difference_is_64_bit():
    assert type_of("egp - egp") == Int64


@pytest.mark.parametrize("code, message, line, column", [
    ("bool b = true; b++;", "Invalid operand type 'bool' for '\\+\\+'", 1, 17),
    ("for (int i = 0; i < 2; i++) { int i = 1; }", "Redeclaration of variable 'i'", 1, 35),
    ("switch (count) { case 0: V = 1.0; int z = 1; case 1: break; }",
     "Jump to 'case' label skips the initialisation of 'z'", 1, 46),
    ("switch (count) { case 0: { V = 1.0; } const int z = 1; default: ; }",
     "skips the initialisation of 'z'", 1, 56),
    ("switch (count) { case 1: break; case 1: break; }", "Duplicate case value 1", 1, 33),
    ("switch (count) { case -1: break; case (int)4294967295u: break; }",
     "Duplicate case value -1", 1, 34),
    ("switch (count) { default: break; default: break; }", "Multiple default labels", 1, 34),
    ("switch (count) { case 4294967295u: break; }", "does not fit in the switch condition",
     1, 18),
    ("switch (flags) { case -1: break; }", "does not fit in the switch condition", 1, 18),
    ("switch (count) { case count: break; }", "integer constant expressions", 1, 23),
    ("switch (count) { case 1.5: break; }", "Invalid case value type", 1, 18),
    ("switch (count) { case 1 / 0: break; }", "Division by zero", 1, 25),
    ("switch (count) { case 2147483647 + 1: break; }", "Overflow in constant expression",
     1, 34),
    ("switch (count) { case 1 << 32: break; }", "Shift by 32", 1, 25),
    ("switch (count) { case -1 << 1: break; }", "Left shift of a negative value", 1, 26),
    ("switch (count) { case 2 << 31: break; }", "Overflow", 1, 25),
    ("switch (count) { case (1, 2): break; }", "no comma operator", 1, 25),
])
def test_what_cpp_rejects_is_a_located_error(code, message, line, column):
    with pytest.raises(TYPE, match=message) as info:
        statements(code)
    assert_located(info.value, line, column)


def test_constant_case_labels_that_cpp_accepts():
    code = ("switch (count) { case 1 << 31: break; case -2147483647 - 1 + 1: break; "
            "case (int)4294967295u: break; case 0x7FFFFFFF: break; case (1 ? 2 : 3) * 4: break; "
            "case !0 + ~0 + -(-5): break; case { V = 1.0; } default: break; }")
    with pytest.raises(PARSE):
        statements(code)                              # 'case {' is a parse error
    statements(code.replace("case { V = 1.0; } ", ""))
    statements("switch ((uint8_t)count) { case 300: break; case true: break; }")
    statements("switch (count) { case 0: { int z = 1; V = z; } case 1: break; }")
    statements("switch (count) { case 0: V = 1.0; int z; case 1: z = 2; }")  # no initialiser


# ============================================================================ nesting
def test_nesting_up_to_the_limit_is_accepted():
    inner = "(" * (MAX_NESTING - 2) + "V" + ")" * (MAX_NESTING - 2)
    assert printed(f"U = {inner};").startswith("U = ((((")
    statements("if (V > 0.0) " * (MAX_NESTING - 1) + "V = 1.0;")


@pytest.mark.parametrize("code", [
    "V = " + "(" * 100 + "V" + ")" * 100 + ";",
    "V = " + "(" * 10000 + "V" + ")" * 10000 + ";",
    "V = " + "-" * 5000 + "V;",
    "V = " + "- " * 20000 + "V;",
    "V = " + "(scalar)" * 20000 + "V;",
    "V = " + "exp(" * 300 + "V" + ")" * 300 + ";",
    "if (V > 0.0) " * 300 + "V = 1.0;",
    "{" * 3000 + "}" * 3000,
    "V = " * 3000 + "1.0;",
    "count = " + "count ? " * 3000 + "1" + " : 2" * 3000 + ";",
])
def test_deep_nesting_is_a_located_error_not_a_recursion_error(code):
    with pytest.raises(PARSE, match="nested too deeply") as info:
        statements(code)
    assert info.value.diagnostics[0].line == 1 and info.value.diagnostics[0].column > 1


def test_long_operator_chains_are_a_located_error():
    with pytest.raises(PARSE, match=f"more than {MAX_TREE_DEPTH} levels"):
        statements("V = " + " + ".join(["U"] * (MAX_TREE_DEPTH + 5)) + ";")
    assert printed("V = " + " + ".join(["U"] * (MAX_TREE_DEPTH - 10)) + ";").count("+") == \
        MAX_TREE_DEPTH - 11
    with pytest.raises(PARSE, match="levels"):
        expression(" || ".join(["V > 1.0"] * (MAX_TREE_DEPTH + 5)))


def test_long_else_if_chains_are_not_deep():
    code = "if (count == 0) { V = 0.0; }" + " else if (count == 1) { V = 1.0; }" * 5000
    text = printed(code)
    assert text.count("} else if (count == 1) {") == 5000


def test_front_end_works_near_the_recursion_limit():
    # a caller already deep in its own stack still gets its code checked
    def nested(depth):
        if depth:
            return nested(depth - 1)
        return printed("V = " + "(" * 50 + "U" + ")" * 50 + ";")
    limit = sys.getrecursionlimit()
    assert nested(limit - 100).startswith("group->V[id]")
    assert sys.getrecursionlimit() == limit


def test_deep_threshold_condition_prints():
    assert printed_expression("(" * 50 + "V > 1.0" + ")" * 50).count("(") == 50


# ============================================================================ error reports
def test_runaway_errors_stop_and_long_lines_are_cut():
    with pytest.raises(PARSE) as info:
        statements("V = (scalar)" + "(scalar)" * 5000 + ");")
    message = str(info.value)
    assert len(message) < 25 * 400 and "stopped after 25 errors" in message
    with pytest.raises(SCAN) as info:
        scan("V = 1;" + " @" * 10000, CONTEXT)
    assert len(info.value.diagnostics) == 25 and "stopped after 25 errors" in str(info.value)
    assert len(str(info.value)) < 25 * 400


def test_unicode_space_is_not_empty_code():
    from pygenn import GeNNModel, create_neuron_model
    model = GeNNModel("float", "m")
    neuron = create_neuron_model("N", vars=[("V", "scalar")], sim_code="\u2028")
    with pytest.raises(SCAN, match="U\\+2028"):
        model.add_neuron_population("P", 1, neuron, {}, {"V": 0.0})
