"""Tokens of GeNNCode: token kinds and the token record the scanner produces."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class TokenType(Enum):
    """Kinds of token. Punctuators carry their spelling as value."""

    # Punctuators and operators
    LEFT_PAREN = "("
    RIGHT_PAREN = ")"
    LEFT_BRACE = "{"
    RIGHT_BRACE = "}"
    LEFT_SQUARE = "["
    RIGHT_SQUARE = "]"
    COMMA = ","
    SEMICOLON = ";"
    COLON = ":"
    QUESTION = "?"
    TILDE = "~"
    DOT = "."
    NOT = "!"
    NOT_EQUAL = "!="
    EQUAL = "="
    EQUAL_EQUAL = "=="
    STAR = "*"
    STAR_EQUAL = "*="
    SLASH = "/"
    SLASH_EQUAL = "/="
    PERCENT = "%"
    PERCENT_EQUAL = "%="
    CARET = "^"
    CARET_EQUAL = "^="
    LESS = "<"
    LESS_EQUAL = "<="
    SHIFT_LEFT = "<<"
    SHIFT_LEFT_EQUAL = "<<="
    GREATER = ">"
    GREATER_EQUAL = ">="
    SHIFT_RIGHT = ">>"
    SHIFT_RIGHT_EQUAL = ">>="
    PLUS = "+"
    PLUS_EQUAL = "+="
    PLUS_PLUS = "++"
    MINUS = "-"
    MINUS_EQUAL = "-="
    MINUS_MINUS = "--"
    AMPERSAND = "&"
    AMPERSAND_EQUAL = "&="
    AMPERSAND_AMPERSAND = "&&"
    PIPE = "|"
    PIPE_EQUAL = "|="
    PIPE_PIPE = "||"

    # Literals
    IDENTIFIER = "identifier"
    INT32_NUMBER = "int32 literal"
    UINT32_NUMBER = "uint32 literal"
    FLOAT_NUMBER = "float literal"
    DOUBLE_NUMBER = "double literal"
    SCALAR_NUMBER = "scalar literal"
    BOOLEAN = "boolean literal"
    STRING = "string literal"

    # Type words
    TYPE_SPECIFIER = "type specifier"
    TYPE_QUALIFIER = "const"

    # Keywords
    DO = "do"
    ELSE = "else"
    FOR = "for"
    FOR_EACH_SYNAPSE = "for_each_synapse"
    IF = "if"
    WHILE = "while"
    SWITCH = "switch"
    CASE = "case"
    DEFAULT = "default"
    BREAK = "break"
    CONTINUE = "continue"

    END_OF_FILE = "end of code"


KEYWORDS = {t.value: t for t in (
    TokenType.DO, TokenType.ELSE, TokenType.FOR, TokenType.FOR_EACH_SYNAPSE, TokenType.IF,
    TokenType.WHILE, TokenType.SWITCH, TokenType.CASE, TokenType.DEFAULT, TokenType.BREAK,
    TokenType.CONTINUE, TokenType.TYPE_QUALIFIER)}

# Operator spellings, longest first so the scanner can take the longest match
OPERATORS = sorted(
    ((t.value, t) for t in TokenType
     if not t.value[0].isalpha() and t.value != "end of code"),
    key=lambda item: -len(item[0]))

ASSIGNMENT_OPERATORS = frozenset({
    TokenType.EQUAL, TokenType.STAR_EQUAL, TokenType.SLASH_EQUAL, TokenType.PERCENT_EQUAL,
    TokenType.PLUS_EQUAL, TokenType.MINUS_EQUAL, TokenType.AMPERSAND_EQUAL, TokenType.CARET_EQUAL,
    TokenType.PIPE_EQUAL, TokenType.SHIFT_LEFT_EQUAL, TokenType.SHIFT_RIGHT_EQUAL})

NUMBER_TYPES = frozenset({
    TokenType.INT32_NUMBER, TokenType.UINT32_NUMBER, TokenType.FLOAT_NUMBER,
    TokenType.DOUBLE_NUMBER, TokenType.SCALAR_NUMBER})


@dataclass(frozen=True)
class Token:
    """One token: its kind, the exact text, and its 1-based line and column."""

    type: TokenType
    lexeme: str
    line: int
    column: int


class TokenList(list):
    """The scanner's result: a list of tokens that remembers the source it came from.

    The source lets later stages show the offending line under an error message.
    """

    def __init__(self, tokens=(), source: str = ""):
        super().__init__(tokens)
        self.source = source
