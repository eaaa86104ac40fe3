"""Rejected programs: every error message of the front end, with its line, column and caret."""
from __future__ import annotations

import re

import pytest

from pygenn._src.errors import CodeParseError, CodeScanError, CodeTypeError
from pygenn._src.lang import Environment, ForEachSynapse
from test_lang_helpers import expression, make_env, statements

SCAN, PARSE, TYPE = CodeScanError, CodeParseError, CodeTypeError

# (code, error class, key message, line, column)
REJECTED_STATEMENTS = [
    # -- scan errors ---------------------------------------------------------------------------
    ("V = 1 # 2;", SCAN, r"Unexpected character '#'", 1, 7),
    ("V = 'a';", SCAN, r"Unexpected character '''", 1, 5),
    ("V = $x;", SCAN, r"Unexpected character '\$'", 1, 5),
    ("V = 1;\nV @= 2;", SCAN, r"Unexpected character '@'", 2, 3),
    ("V = a \\ b;", SCAN, r"Unexpected character '\\'", 1, 7),
    ("scalar _x = 1.0;", SCAN, r"Unexpected character '_' \(identifiers must start with a "
                               r"letter\)", 1, 8),
    ("V = 017;", SCAN, r"Octal literals are not supported", 1, 5),
    ('printf("abc);', SCAN, r"Unterminated string", 1, 8),
    ("V = 1; /* never closed", SCAN, r"Unterminated block comment", 1, 8),
    ("V = 1e+;", SCAN, r"Malformed exponent", 1, 5),
    ("V = 0x1.8p3;", SCAN, r"hexadecimal floats are not supported", 1, 5),
    ("V = 0x;", SCAN, r"Malformed hexadecimal literal", 1, 5),
    # -- parse errors --------------------------------------------------------------------------
    ("V = 1\nU = 2;", PARSE, r"Expect ';' after expression", 2, 1),
    ("V = 1 +;", PARSE, r"Expect expression", 1, 8),
    ("V = (1 + 2;", PARSE, r"Expect '\)' after expression", 1, 11),
    ("return V;", PARSE, r"'return' is not supported in GeNN code strings", 1, 1),
    ("goto end;", PARSE, r"'goto' is not supported", 1, 1),
    ("V = sizeof(V);", PARSE, r"'sizeof' is not supported", 1, 5),
    ("scalar x = 1.0", PARSE, r"Expect ';' after variable declaration", 1, 15),
    ("scalar = 1.0;", PARSE, r"Expect variable name", 1, 8),
    ("if V > 1) V = 0;", PARSE, r"Expect '\(' after 'if'", 1, 4),
    ("while (V > 1 V = 0;", PARSE, r"Expect '\)' after 'while' condition", 1, 14),
    ("do V = 0; (V > 1);", PARSE, r"Expect 'while' after 'do' body", 1, 11),
    ("switch (count) count = 1;", PARSE, r"Expect '\{' after switch condition", 1, 16),
    ("switch (count) { case 1 count = 2; }", PARSE, r"Expect ':' after 'case'", 1, 25),
    ("V = egp[1;", PARSE, r"Expect '\]' after subscript index", 1, 10),
    ("V = exp(1.0;", PARSE, r"Expect '\)' after arguments", 1, 12),
    ("V = count ? 1.0;", PARSE, r"Expect ':' in conditional expression", 1, 16),
    ("U = &V;", PARSE, r"The address-of operator '&' is not supported", 1, 5),
    ("unsigned long long x = 1;", PARSE, r"Unknown numeric type specifier "
                                         r"'unsigned long long'", 1, 1),
    ("if (V > 1) scalar x = 1.0;", PARSE, r"Expect statement \(put declarations inside", 1, 12),
    ("V = 1.0 ><= 2;", PARSE, r"Expect expression", 1, 10),
    ("V = 5L;", PARSE, r"Expect ';' after expression", 1, 6),
    ("V = x.y;", PARSE, r"Expect ';' after expression", 1, 6),
    # -- type errors ---------------------------------------------------------------------------
    ("V = Vrst;", TYPE, r"Undefined identifier 'Vrst'\. Did you mean 'Vrest'\?", 1, 5),
    ("V = expp(1.0);", TYPE, r"Undefined identifier 'expp'\. Did you mean 'exp'\?", 1, 5),
    ("Vrest = 1.0;", TYPE, r"Assignment of read-only variable 'Vrest'", 1, 7),
    ("Vrest++;", TYPE, r"Assignment of read-only variable 'Vrest'", 1, 6),
    ("--dt;", TYPE, r"Assignment of read-only variable 'dt'", 1, 1),
    ("table[0] = 3;", TYPE, r"Assignment of read-only variable 'table'", 1, 10),
    ("const scalar k = 1.0; k += 1.0;", TYPE, r"Assignment of read-only variable 'k'", 1, 25),
    ("Vpost = 1.0;", TYPE, r"Assignment of read-only variable 'Vpost'", 1, 7),
    ("V + 1.0 = 2.0;", TYPE, r"Expression is not assignable", 1, 9),
    ("V = V % 2;", TYPE, r"Invalid operand types 'float' and 'int32_t' for operator '%'", 1, 7),
    ("count = count << 1.0;", TYPE, r"Invalid operand types 'int32_t' and 'float' for "
                                    r"operator '<<'", 1, 15),
    ("V ^= 1;", TYPE, r"Invalid operand types 'float' and 'int32_t' for operator '\^=' "
                      r"\(it needs integer operands\)", 1, 3),
    ("count %= 2.0;", TYPE, r"Invalid operand types 'int32_t' and 'float' for operator '%='",
     1, 7),
    ("V = ~V;", TYPE, r"Invalid operand type 'float' for unary operator '~'", 1, 5),
    ("V = *V;", TYPE, r"Invalid operand type 'float' for unary operator '\*'", 1, 5),
    ("V = egp * 2;", TYPE, r"Invalid operand types 'float\*' and 'int32_t' for operator '\*'",
     1, 9),
    ("V = egp + 1.0;", TYPE, r"Invalid operand types 'float\*' and 'float'", 1, 9),
    ("V = exp(1.0, 2.0);", TYPE, r"No viable function candidates for 'exp' \(arguments: "
                                 r"float, float", 1, 5),
    ("V = hypot(1.0);", TYPE, r"No viable function candidates for 'hypot'", 1, 5),
    ("V = gennrand_uniform(1.0);", TYPE, r"No viable function candidates for "
                                         r"'gennrand_uniform'", 1, 5),
    ('printf(V);', TYPE, r"No viable function candidates for 'printf'", 1, 1),
    ("V = V(1.0);", TYPE, r"Called object is not a function", 1, 10),
    ("V = exp;", TYPE, r"Function 'exp' must be called", 1, 5),
    ("V = V[0];", TYPE, r"Subscripted object is not a pointer: 'V' has type 'float'", 1, 8),
    ("V = egp[1.5];", TYPE, r"Invalid subscript index type 'float'", 1, 12),
    ("V = Vpost[V];", TYPE, r"Invalid subscript index type 'float'", 1, 12),
    ("break;", TYPE, r"Statement not within loop or switch", 1, 1),
    ("if (V > 0) { continue; }", TYPE, r"Statement not within loop: 'continue'", 1, 14),
    ("switch (count) { default: continue; }", TYPE, r"Statement not within loop", 1, 27),
    ("case 1: V = 0;", TYPE, r"Statement not within switch statement", 1, 1),
    ("for_each_synapse { V = 0; }", TYPE, r"'for_each_synapse' is not supported in this "
                                          r"context", 1, 1),
    ("scalar x = 1.0;\nscalar x = 2.0;", TYPE, r"Redeclaration of variable 'x'", 2, 8),
    ("int a = 1, a = 2;", TYPE, r"Redeclaration of variable 'a'", 1, 12),
    ("V = reduced;", TYPE, r"Write-only variable 'reduced' cannot be read", 1, 5),
    ("reduced += 1.0;", TYPE, r"Invalid operator for assignment of write-only variable "
                              r"'reduced'", 1, 9),
    ("reduced++;", TYPE, r"Invalid operator for assignment of write-only variable", 1, 8),
    ("V = exp(reduced);", TYPE, r"Write-only variable 'reduced' cannot be read", 1, 9),
    ("if (reduced) V = 0;", TYPE, r"Write-only variable 'reduced' cannot be read", 1, 5),
    ("scalar y = reduced;", TYPE, r"Write-only variable 'reduced' cannot be read", 1, 12),
    ("V = egp[count = reduced];", TYPE, r"Write-only variable 'reduced' cannot be read", 1, 17),
    ("if (egp) V = 0; scalar *p = table;", TYPE, r"Invalid operand types 'float\*' and "
                                                r"'const int32_t\*' in initialisation of 'p'",
     1, 25),
    ("const scalar *p = egp; scalar *q = p;", TYPE, r"Invalid operand types 'float\*' and "
                                                    r"'const float\*' in initialisation", 1, 32),
    ("const scalar c;", TYPE, r"Const variable 'c' must be initialised", 1, 14),
    ("V = (int*)egp;", TYPE, r"Invalid cast from 'float\*' to 'int32_t\*'", 1, 6),
    ("V = (scalar)egp;", TYPE, r"Invalid cast from 'float\*' to 'float'", 1, 6),
    ("scalar *p = (scalar*)table;", TYPE, r"Invalid cast from 'const int32_t\*' to 'float\*'",
     1, 14),
    ("switch (V) { default: break; }", TYPE, r"Invalid switch condition type 'float'", 1, 1),
    ("switch (count) { case 1.5: break; }", TYPE, r"Invalid case value type 'float'", 1, 18),
    ("if (addToPost(1.0)) V = 0;", TYPE, r"Invalid condition expression type 'void'", 1, 1),
    ("while (addToPost(1.0)) {}", TYPE, r"Invalid condition expression type 'void'", 1, 1),
    ("V = count ? egp : 1.0;", TYPE, r"Invalid operand types 'float\*' and 'float' to "
                                     r"conditional", 1, 11),
    ("V = addToPost(1.0) + 1.0;", TYPE, r"Invalid operand types 'void' and 'float'", 1, 20),
    ("egp = egp + 1;", TYPE, r"Assignment of read-only variable 'egp'", 1, 5),
    ("scalar *p = egp; p *= 2;", TYPE, r"Invalid operand types 'float\*' and 'int32_t' for "
                                      r"operator '\*='", 1, 20),
    ("exp = 1.0;", TYPE, r"Cannot assign to function 'exp'", 1, 5),
    ("{ scalar z = 1.0; } V = z;", TYPE, r"Undefined identifier 'z'", 1, 25),
    ("V = !addToPost(1.0);", TYPE, r"Invalid operand type 'void' for unary operator '!'", 1, 5),
    ("V = V && addToPost(1.0);", TYPE, r"Invalid operand types 'float' and 'void' for "
                                       r"operator '&&'", 1, 7),
]


def assert_located(error, line: int, column: int):
    """The message names line and column and shows a caret under that column."""
    message = str(error)
    assert f"line {line}, column {column}" in message
    assert re.search(r"\n    " + " " * (column - 1) + r"\^", message), message


@pytest.mark.parametrize("code, error, key, line, column", REJECTED_STATEMENTS,
                         ids=[case[0][:40] for case in REJECTED_STATEMENTS])
def test_rejected_statements(code, error, key, line, column):
    with pytest.raises(error, match=key) as info:
        statements(code)
    assert_located(info.value, line, column)
    assert isinstance(info.value, RuntimeError)


REJECTED_EXPRESSIONS = [
    ("V >= 1.0;", PARSE, r"Expect end of expression", 1, 9),
    ("V >= 1.0 V", PARSE, r"Expect end of expression", 1, 10),
    ("()", PARSE, r"Expect expression", 1, 2),
    ("V >= Vthresh", TYPE, r"Undefined identifier 'Vthresh'", 1, 6),
    ("addToPost(V)", TYPE, r"Invalid condition expression type 'void'", 1, 1),
]


@pytest.mark.parametrize("code, error, key, line, column", REJECTED_EXPRESSIONS)
def test_rejected_expressions(code, error, key, line, column):
    with pytest.raises(error, match=key) as info:
        expression(code)
    assert_located(info.value, line, column)


def test_message_names_context_and_role():
    with pytest.raises(CodeTypeError, match=r"^Type error Neuron group 'Pop' sim code "
                                            r"\(code string 'sim_code'\):"):
        statements("V = W;")
    with pytest.raises(CodeParseError, match=r"^Parse error Neuron group 'Pop' sim code"):
        statements("V = ;")


def test_all_parse_errors_are_collected():
    with pytest.raises(CodeParseError) as info:
        statements("V = ;\nU = 1 +;\nscalar x = 1.0\ncount = 2;")
    lines = [d.line for d in info.value.diagnostics]
    assert lines == [1, 2, 4]
    assert [d.message for d in info.value.diagnostics] == [
        "Expect expression", "Expect expression", "Expect ';' after variable declaration"]


def test_type_check_stops_at_first_error():
    with pytest.raises(CodeTypeError) as info:
        statements("V = W;\nU = X;")
    assert len(info.value.diagnostics) == 1
    assert "'W'" in info.value.diagnostics[0].message


def test_undefined_identifier_lists_valid_names():
    with pytest.raises(CodeTypeError, match=r"Valid names: .*'Vrest'"):
        statements("V = Vrst;")


def test_for_each_synapse_body_scope_does_not_leak():
    env = make_env()

    def body_env(outer):
        inner = outer.child()
        inner.add_variable("id_post", "uint32_t", read_only=True)
        return inner

    env.for_each_synapse = ForEachSynapse(body_env, lambda body: body)
    with pytest.raises(CodeTypeError, match=r"Undefined identifier 'id_post'"):
        statements("for_each_synapse { count = id_post; } count = id_post;", env)


def test_sim_code_locals_clash_with_reset_code_locals():
    env = make_env()
    statements("scalar tmp = 1.0;", env)
    with pytest.raises(CodeTypeError, match=r"Redeclaration of variable 'tmp'"):
        statements("scalar tmp = 2.0;", env)


def test_root_environment_without_variables_gives_plain_hint():
    with pytest.raises(CodeTypeError, match=r"Undefined identifier 'q'"):
        statements("q = 1;", Environment())


def test_recovery_keeps_closing_braces_for_their_compound():
    with pytest.raises(CodeParseError) as info:
        statements("if (V > 0.0) { V = ; } else { U = 1 }\ncount = ;")
    assert [(d.line, d.column, d.message) for d in info.value.diagnostics] == [
        (1, 20, "Expect expression"), (1, 37, "Expect ';' after expression"),
        (2, 9, "Expect expression")]


def test_unclosed_compound_statement():
    with pytest.raises(CodeParseError, match=r"Expect '\}' after compound statement"):
        statements("{ V = 1.0;")
