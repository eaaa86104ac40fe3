"""Scanner: GeNNCode text -> tokens.

Follows GeNN's lexical rules plus the agreed superset: ``/=``, ``>>``, ``>>=``,
``/* block comments */`` and float literals that start with a dot (``.5``).

What the scanner accepts must mean the same to the C/C++ compiler that finally sees the printed
code, so where GeNN passes text through verbatim this scanner is stricter:

* string literals follow C's escape rules (``\\n``, ``\\"``, ``\\x41`` ...); the printer
  re-escapes every literal, so no literal can end early or contain a raw line break in C;
* digits and identifiers are ASCII only (``str.isdigit`` also accepts e.g. Arabic-Indic digits);
* integer literals must fit their C type (an unsuffixed decimal literal above INT32_MAX would be
  a 64-bit ``long`` in C, not an ``int``);
* control characters, a carriage return not followed by a line feed and a backslash that would
  continue a line (C joins the next line onto it) are errors wherever they occur.
"""
from __future__ import annotations

import dataclasses
import string

from ..errors import MAX_DIAGNOSTICS, CodeContext, CodeScanError, Diagnostic
from .tokens import KEYWORDS, OPERATORS, Token, TokenList, TokenType
from .types import TYPE_SPECIFIER_KEYWORDS

_DIGITS = frozenset(string.digits)
_HEX_DIGITS = frozenset(string.hexdigits)
_OCTAL_DIGITS = frozenset(string.octdigits)
_IDENTIFIER_START = frozenset(string.ascii_letters)
_IDENTIFIER_CHARS = _IDENTIFIER_START | _DIGITS | {"_"}
_BLANKS = frozenset(" \t\n")
# OPERATORS (longest first) grouped by their first character
_OPERATORS_BY_FIRST_CHAR: dict[str, list] = {}
for _spelling, _token_type in OPERATORS:
    _OPERATORS_BY_FIRST_CHAR.setdefault(_spelling[0], []).append((_spelling, _token_type))

INT32_MAX = (1 << 31) - 1
UINT32_MAX = (1 << 32) - 1

# Escape sequences with one character after the backslash, and the byte each one stands for
_SIMPLE_ESCAPES = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92,
                   '"': 34, "'": 39, "?": 63}


def is_control(char: str) -> bool:
    """C0 control characters and DEL; tab and line feed are ordinary whitespace."""
    code = ord(char)
    return (code < 0x20 and char not in "\t\n") or code == 0x7F


def describe_char(char: str) -> str:
    """A printable spelling of one character for error messages (``\\r``, ``U+0000``)."""
    if char == "\r":
        return "\\r"
    if is_control(char) or not char.isprintable():
        return f"U+{ord(char):04X}"
    return char


class _Scanner:
    """Walks the source once, appending tokens and collecting every error."""

    def __init__(self, source: str):
        self.source = source
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.tokens: list[Token] = []
        self.errors: list[Diagnostic] = []

    # -- helpers -------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.source[index] if index < len(self.source) else ""

    def column_of(self, pos: int) -> int:
        return pos - self.line_start + 1

    def advance(self) -> str:
        char = self.source[self.pos]
        self.pos += 1
        if char == "\n":
            self.line += 1
            self.line_start = self.pos
        return char

    def add(self, token_type: TokenType, start: int, line: int, column: int):
        self.tokens.append(Token(token_type, self.source[start:self.pos], line, column))

    def error(self, message: str, line: int, column: int, lexeme: str = ""):
        self.errors.append(Diagnostic(line, column, message, lexeme))

    def error_at(self, pos: int, message: str, lexeme: str = ""):
        """An error at ``pos`` on the current line."""
        self.error(message, self.line, self.column_of(pos), lexeme)

    # -- main loop -----------------------------------------------------------------------------
    def run(self) -> None:
        while self.pos < len(self.source) and len(self.errors) < MAX_DIAGNOSTICS:
            self.scan_token()
        self.tokens.append(Token(TokenType.END_OF_FILE, "", self.line,
                                 self.column_of(self.pos)))

    def scan_token(self) -> None:
        char = self.peek()
        if char in _BLANKS:
            self.advance()
        elif char == "\r":
            self.check_carriage_return(self.pos)
            self.advance()
        elif char == "/" and self.peek(1) == "/":
            self.skip_line_comment()
        elif char == "/" and self.peek(1) == "*":
            self.skip_block_comment()
        elif char in _DIGITS or (char == "." and self.peek(1) in _DIGITS):
            self.scan_number()
        elif char in _IDENTIFIER_START:
            self.scan_word()
        elif char == '"':
            self.scan_string()
        elif not self.scan_operator():
            self.unexpected_character(char)

    def unexpected_character(self, char: str) -> None:
        line, column = self.line, self.column_of(self.pos)
        self.advance()
        if char == "_":
            hint = " (identifiers must start with a letter)"
        elif is_control(char):
            hint = " (control characters may only appear as escapes in string literals)"
        elif not char.isascii():
            hint = " (code strings are ASCII outside string literals and comments)"
        else:
            hint = ""
        self.error(f"Unexpected character '{describe_char(char)}'{hint}", line, column, char)

    def check_carriage_return(self, pos: int) -> None:
        # C compilers end a line at a lone CR; GeNNCode counts lines by LF only
        if self.source[pos + 1:pos + 2] != "\n":
            self.error_at(pos, "Carriage return (\\r) without a following line feed: C would "
                               "end the line here; use '\\n' or '\\r\\n' line endings", "\r")

    # -- comments ------------------------------------------------------------------------------
    def skip_line_comment(self) -> None:
        start = self.pos
        end = self.source.find("\n", start)
        end = len(self.source) if end < 0 else end
        self.check_comment_text(start, end, block=False)
        # A trailing backslash makes C continue the comment onto the next line
        text = self.source[start:self.pos].rstrip(" \t\r")
        if text.endswith("\\") and self.pos < len(self.source):
            self.error_at(start + len(text) - 1,
                          "Backslash at the end of a '//' comment: C would continue the comment "
                          "onto the next line; remove it", "\\")

    def skip_block_comment(self) -> None:
        line, column = self.line, self.column_of(self.pos)
        start = self.pos
        end = self.source.find("*/", self.pos + 2)
        if end < 0:
            self.error("Unterminated block comment (add '*/')", line, column, "/*")
            end = len(self.source) - 2
        self.check_comment_text(start, end + 2, block=True)

    def check_comment_text(self, start: int, end: int, block: bool) -> None:
        """Walk a comment up to ``end``, rejecting control characters and line splices."""
        while self.pos < end:
            char = self.peek()
            if char == "\r":
                self.check_carriage_return(self.pos)
            elif is_control(char):
                self.error_at(self.pos, f"Control character {describe_char(char)} in a "
                                        f"comment", char)
            elif char == "\\" and block and self.splices_line(self.pos):
                # '*\' + newline + '/' would end the comment early in C
                self.error_at(self.pos, "Backslash at the end of a line in a comment: C would "
                                        "join the next line onto it; remove it", "\\")
            self.advance()

    def splices_line(self, pos: int) -> bool:
        """Whether the backslash at ``pos`` is followed only by blanks up to a line end."""
        rest = pos + 1
        while rest < len(self.source) and self.source[rest] in " \t":
            rest += 1
        return self.source[rest:rest + 1] == "\n" or self.source[rest:rest + 2] == "\r\n"

    # -- words and operators -------------------------------------------------------------------
    def scan_operator(self) -> bool:
        line, column, start = self.line, self.column_of(self.pos), self.pos
        for spelling, token_type in _OPERATORS_BY_FIRST_CHAR.get(self.peek(), ()):
            if self.source.startswith(spelling, self.pos):
                self.pos += len(spelling)
                self.add(token_type, start, line, column)
                return True
        return False

    def scan_word(self) -> None:
        line, column, start = self.line, self.column_of(self.pos), self.pos
        while self.peek() and self.peek() in _IDENTIFIER_CHARS:
            self.advance()
        word = self.source[start:self.pos]
        if word in KEYWORDS:
            token_type = KEYWORDS[word]
        elif word in TYPE_SPECIFIER_KEYWORDS:
            token_type = TokenType.TYPE_SPECIFIER
        elif word in ("true", "false"):
            token_type = TokenType.BOOLEAN
        else:
            token_type = TokenType.IDENTIFIER
        self.add(token_type, start, line, column)

    # -- string literals -----------------------------------------------------------------------
    def scan_string(self) -> None:
        line, column, start = self.line, self.column_of(self.pos), self.pos
        errors_before = len(self.errors)
        self.advance()
        while self.peek() != '"':
            char = self.peek()
            if char == "\\" and self.peek(1) in ("\n", "\r"):
                self.error_at(self.pos, "Backslash at the end of a line in a string literal: C "
                                        "would join the next line onto it; write '\\n' for a "
                                        "line break", "\\")
                self.advance()          # go on as C would: the literal continues
                for line_end in ("\r", "\n"):
                    if self.peek() == line_end:
                        self.advance()
                continue
            if char in ("", "\n"):
                self.error("Unterminated string (add the closing '\"')", line, column, '"')
                return
            if char == "\\":
                self.advance()          # an escaped character never ends the literal
            self.advance()
        self.advance()
        if len(self.errors) == errors_before:
            self.check_string_contents(self.source[start:self.pos], line, column)
        self.add(TokenType.STRING, start, line, column)

    def check_string_contents(self, lexeme: str, line: int, column: int) -> None:
        def report(offset: int, message: str, text: str) -> None:
            self.error(message, line, column + offset, text)

        decode_string_literal(lexeme, report)

    # -- numbers -------------------------------------------------------------------------------
    def scan_number(self) -> None:
        line, column, start = self.line, self.column_of(self.pos), self.pos
        if self.peek() == "0" and self.peek(1) in ("x", "X"):
            self.scan_hex(start, line, column)
            return
        self.take_digits()
        is_float = False
        if self.peek() == ".":
            is_float = True
            self.advance()
            self.take_digits()
        if self.peek() in ("e", "E"):
            is_float = True
            if not self.take_exponent():
                self.error("Malformed exponent in number: 'e' must be followed by digits",
                           line, column, self.source[start:self.pos])
                return
        digits = self.source[start:self.pos]
        if not is_float and len(digits) > 1 and digits[0] == "0":
            self.error("Octal literals are not supported: remove the leading zero",
                       line, column, digits)
            return
        token_type = self.number_suffix(is_float)
        if not is_float:
            token_type = self.integer_type(int(digits), token_type, False, line, column, start)
        if token_type is not None:
            self.add(token_type, start, line, column)

    def take_digits(self) -> None:
        while self.peek() and self.peek() in _DIGITS:
            self.advance()

    def take_exponent(self) -> bool:
        self.advance()
        if self.peek() in ("+", "-"):
            self.advance()
        if not (self.peek() and self.peek() in _DIGITS):
            return False
        self.take_digits()
        return True

    def number_suffix(self, is_float: bool) -> TokenType:
        suffix = self.peek()
        if is_float and suffix in ("f", "F", "d", "D"):
            self.advance()
            return TokenType.FLOAT_NUMBER if suffix in "fF" else TokenType.DOUBLE_NUMBER
        if not is_float and suffix in ("u", "U"):
            self.advance()
            return TokenType.UINT32_NUMBER
        if is_float:
            return TokenType.SCALAR_NUMBER
        return TokenType.INT32_NUMBER

    def integer_type(self, value: int, token_type: TokenType, is_hex: bool, line: int,
                     column: int, start: int) -> TokenType | None:
        """The literal's type as C gives it, or None (error) if GeNNCode has no such type.

        C types an unsuffixed decimal literal above INT32_MAX as a 64-bit ``long``; an
        unsuffixed hexadecimal one up to UINT32_MAX as ``unsigned int``.
        """
        lexeme = self.source[start:self.pos]
        if token_type is TokenType.INT32_NUMBER and value > INT32_MAX:
            if is_hex and value <= UINT32_MAX:
                return TokenType.UINT32_NUMBER
            if value <= UINT32_MAX:
                self.error(f"Integer literal {lexeme} does not fit in int32_t (at most "
                           f"{INT32_MAX}); add a 'u' suffix to make it uint32_t", line, column,
                           lexeme)
                return None
        if value > UINT32_MAX:
            self.error(f"Integer literal {lexeme} does not fit in 32 bits (at most {UINT32_MAX}"
                       f" with a 'u' suffix); write it as a floating-point literal or compute "
                       f"it", line, column, lexeme)
            return None
        return token_type

    def scan_hex(self, start: int, line: int, column: int) -> None:
        self.advance()
        self.advance()
        while self.peek() and self.peek() in _HEX_DIGITS:
            self.advance()
        if self.pos - start == 2 or self.peek() in (".", "p", "P"):
            self.error("Malformed hexadecimal literal (hexadecimal floats are not supported)",
                       line, column, self.source[start:self.pos + 1])
            return
        value = int(self.source[start + 2:self.pos], 16)
        token_type = TokenType.INT32_NUMBER
        if self.peek() in ("u", "U"):
            self.advance()
            token_type = TokenType.UINT32_NUMBER
        token_type = self.integer_type(value, token_type, True, line, column, start)
        if token_type is not None:
            self.add(token_type, start, line, column)


def decode_string_literal(lexeme: str, report=None) -> bytes:
    """The bytes a C string literal ``lexeme`` (with its quotes) stands for, without the NUL.

    Characters are UTF-8 encoded, escapes follow C. ``report(offset, message, text)`` is
    called for each problem (offset from the opening quote); without it a ValueError is raised.
    """
    def fail(offset: int, message: str, text: str) -> None:
        if report is None:
            raise ValueError(message)
        report(offset, message, text)

    body = lexeme[1:-1]
    result = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i = _decode_escape(body, i, result, fail)
            continue
        if is_control(char) and char != "\t":
            fail(i + 1, f"Control character {describe_char(char)} in a string literal: write "
                        f"it as an escape sequence such as '\\n' or '\\x1b'", char)
        elif 0xD800 <= ord(char) <= 0xDFFF:
            fail(i + 1, f"Invalid character {describe_char(char)} (a lone UTF-16 surrogate) in "
                        f"a string literal", char)
        else:
            result += char.encode("utf-8")
        i += 1
    return bytes(result)


def _decode_escape(body: str, i: int, result: bytearray, fail) -> int:
    """Decode the escape sequence at ``body[i]`` (a backslash) into ``result``; next index."""
    following = body[i + 1:i + 2]
    if following in _SIMPLE_ESCAPES:
        result.append(_SIMPLE_ESCAPES[following])
        return i + 2
    if following and following in _OCTAL_DIGITS:
        end = i + 1
        while end < min(i + 4, len(body)) and body[end] in _OCTAL_DIGITS:
            end += 1
        return _escaped_value(body, i, end, int(body[i + 1:end], 8), result, fail)
    if following == "x":
        end = i + 2
        while end < len(body) and body[end] in _HEX_DIGITS:
            end += 1
        if end == i + 2:
            fail(i + 1, "'\\x' must be followed by hexadecimal digits", "\\x")
            return end
        return _escaped_value(body, i, end, int(body[i + 2:end], 16), result, fail)
    if following in ("\r", "\n", ""):
        fail(i + 1, "Backslash at the end of a line in a string literal: C would join the next "
                    "line onto it; write '\\n' for a line break", "\\")
        return i + 1
    if following in ("u", "U"):
        fail(i + 1, "Universal character names (\\u, \\U) are not supported: write the "
                    "character itself", "\\" + following)
        return i + 2
    fail(i + 1, f"Unknown escape sequence '\\{describe_char(following)}' (C knows \\n \\t \\r "
                f"\\a \\b \\f \\v \\\\ \\\" \\' \\? \\ooo and \\xhh)", "\\" + following)
    return i + 2


def _escaped_value(body: str, i: int, end: int, value: int, result: bytearray, fail) -> int:
    if value > 0xFF:
        fail(i + 1, f"Escape sequence '{body[i:end]}' is out of range (at most \\377 or \\xff)",
             body[i:end])
    else:
        result.append(value)
    return end


def scan(code: str, context: CodeContext) -> TokenList:
    """Scan a code string into tokens (ending with an END_OF_FILE token).

    Raises ``CodeScanError`` ("Error scanning <description> ...") listing every scan error with
    its line, column and a caret under the offending text.
    """
    scanner = _Scanner(code)
    scanner.run()
    if scanner.errors:
        raise CodeScanError(with_source(context, code), scanner.errors)
    return TokenList(scanner.tokens, code)


def with_source(context: CodeContext, source: str) -> CodeContext:
    """The context with its source text filled in (so errors can show the offending line)."""
    if context.source or not source:
        return context
    return dataclasses.replace(context, source=source)
