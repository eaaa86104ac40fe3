"""Scanner: token kinds, literal typing, positions, the agreed superset and scan errors."""
from __future__ import annotations

import pytest

from pygenn._src.errors import CodeScanError
from pygenn._src.lang import TokenType, scan
from test_lang_helpers import CONTEXT

T = TokenType


def kinds(code):
    return [t.type for t in scan(code, CONTEXT)][:-1]


def lexemes(code):
    return [t.lexeme for t in scan(code, CONTEXT)][:-1]


@pytest.mark.parametrize("code, expected", [
    ("5", T.INT32_NUMBER), ("5u", T.UINT32_NUMBER), ("5U", T.UINT32_NUMBER),
    ("0", T.INT32_NUMBER), ("0xFF", T.INT32_NUMBER), ("0xFFu", T.UINT32_NUMBER),
    ("1.5", T.SCALAR_NUMBER), ("1.", T.SCALAR_NUMBER), ("1e3", T.SCALAR_NUMBER),
    ("1.5e-3", T.SCALAR_NUMBER), ("1E+2", T.SCALAR_NUMBER), (".5", T.SCALAR_NUMBER),
    ("1.5f", T.FLOAT_NUMBER), ("1.5F", T.FLOAT_NUMBER), ("2e3f", T.FLOAT_NUMBER),
    ("1.5d", T.DOUBLE_NUMBER), ("1.5D", T.DOUBLE_NUMBER), (".25d", T.DOUBLE_NUMBER),
    ("0.5", T.SCALAR_NUMBER), ("true", T.BOOLEAN), ("false", T.BOOLEAN),
    ('"hi %d\\n"', T.STRING),
])
def test_literal_kinds(code, expected):
    assert kinds(code) == [expected]


def test_long_suffix_is_a_separate_identifier():
    # GeNN has no L suffix: '5L' is the number 5 followed by the identifier L
    assert kinds("5L") == [T.INT32_NUMBER, T.IDENTIFIER]


@pytest.mark.parametrize("word, expected", [
    ("const", T.TYPE_QUALIFIER), ("scalar", T.TYPE_SPECIFIER), ("uint32_t", T.TYPE_SPECIFIER),
    ("unsigned", T.TYPE_SPECIFIER), ("timepoint", T.TYPE_SPECIFIER), ("if", T.IF),
    ("else", T.ELSE), ("for", T.FOR), ("for_each_synapse", T.FOR_EACH_SYNAPSE),
    ("while", T.WHILE), ("do", T.DO), ("switch", T.SWITCH), ("case", T.CASE),
    ("default", T.DEFAULT), ("break", T.BREAK), ("continue", T.CONTINUE),
    ("V_post2", T.IDENTIFIER), ("return", T.IDENTIFIER),
])
def test_words(word, expected):
    assert kinds(word) == [expected]


def test_operators_take_longest_match():
    code = "<<= >>= << >> <= >= == != += -= *= /= %= &= |= ^= ++ -- && || < > = ! ~ ? : ."
    assert lexemes(code) == code.split()
    assert kinds("a/=b") == [T.IDENTIFIER, T.SLASH_EQUAL, T.IDENTIFIER]
    assert kinds("a>>=2") == [T.IDENTIFIER, T.SHIFT_RIGHT_EQUAL, T.INT32_NUMBER]
    assert kinds("a+++b") == [T.IDENTIFIER, T.PLUS_PLUS, T.PLUS, T.IDENTIFIER]


def test_comments_are_skipped():
    assert lexemes("a // line comment\n/* block\ncomment */ b") == ["a", "b"]
    assert lexemes("a/**/b") == ["a", "b"]


def test_lines_and_columns():
    tokens = scan("x = 1;\n  y += 2.5f;", CONTEXT)
    positions = [(t.lexeme, t.line, t.column) for t in tokens]
    assert positions[:4] == [("x", 1, 1), ("=", 1, 3), ("1", 1, 5), (";", 1, 6)]
    assert positions[4:8] == [("y", 2, 3), ("+=", 2, 5), ("2.5f", 2, 8), (";", 2, 12)]
    assert tokens[-1].type is T.END_OF_FILE


def test_block_comment_keeps_line_count():
    tokens = scan("/* one\ntwo\n*/ z", CONTEXT)
    assert (tokens[0].lexeme, tokens[0].line, tokens[0].column) == ("z", 3, 4)


def test_string_is_verbatim():
    assert lexemes('printf("%d\\n", x)')[2] == '"%d\\n"'


def test_token_list_remembers_source():
    assert scan("a;", CONTEXT).source == "a;"


def test_all_scan_errors_are_reported_together():
    with pytest.raises(CodeScanError) as info:
        scan("a = 012;\nb = c @ d;", CONTEXT)
    message = str(info.value)
    assert message.startswith("Error scanning Neuron group 'Pop' sim code")
    assert "line 1, column 5" in message and "Octal" in message
    assert "line 2, column 7" in message and "Unexpected character '@'" in message
    assert len(info.value.diagnostics) == 2
    assert isinstance(info.value, RuntimeError)
