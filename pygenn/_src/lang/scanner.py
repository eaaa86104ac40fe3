"""Scanner: GeNNCode text -> tokens.

Follows GeNN's lexical rules (SPEC 9.1) plus the agreed superset: ``/=``, ``>>``, ``>>=``,
``/* block comments */`` and float literals that start with a dot (``.5``).
"""
from __future__ import annotations

import dataclasses

from ..errors import CodeContext, CodeScanError, Diagnostic
from .tokens import KEYWORDS, OPERATORS, Token, TokenList, TokenType
from .types import TYPE_SPECIFIER_KEYWORDS

_WHITESPACE = " \t\r\n"
_HEX_DIGITS = "0123456789abcdefABCDEF"


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

    # -- main loop -----------------------------------------------------------------------------
    def run(self) -> None:
        while self.pos < len(self.source):
            self.scan_token()
        self.tokens.append(Token(TokenType.END_OF_FILE, "", self.line,
                                 self.column_of(self.pos)))

    def scan_token(self) -> None:
        char = self.peek()
        if char in _WHITESPACE:
            self.advance()
        elif char == "/" and self.peek(1) == "/":
            self.skip_line_comment()
        elif char == "/" and self.peek(1) == "*":
            self.skip_block_comment()
        elif char.isdigit() or (char == "." and self.peek(1).isdigit()):
            self.scan_number()
        elif char.isascii() and char.isalpha():
            self.scan_word()
        elif char == '"':
            self.scan_string()
        elif not self.scan_operator():
            line, column = self.line, self.column_of(self.pos)
            self.advance()
            hint = " (identifiers must start with a letter)" if char == "_" else ""
            self.error(f"Unexpected character '{char}'{hint}", line, column, char)

    def skip_line_comment(self) -> None:
        while self.pos < len(self.source) and self.peek() != "\n":
            self.advance()

    def skip_block_comment(self) -> None:
        line, column = self.line, self.column_of(self.pos)
        end = self.source.find("*/", self.pos + 2)
        if end < 0:
            self.error("Unterminated block comment (add '*/')", line, column, "/*")
            end = len(self.source) - 2
        while self.pos < end + 2:
            self.advance()

    def scan_operator(self) -> bool:
        line, column, start = self.line, self.column_of(self.pos), self.pos
        for spelling, token_type in OPERATORS:
            if self.source.startswith(spelling, self.pos):
                self.pos += len(spelling)
                self.add(token_type, start, line, column)
                return True
        return False

    def scan_word(self) -> None:
        line, column, start = self.line, self.column_of(self.pos), self.pos
        while self.peek() and (self.peek().isascii() and (self.peek().isalnum()
                                                          or self.peek() == "_")):
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

    def scan_string(self) -> None:
        # No escape processing: the next '"' ends the literal (as in GeNN)
        line, column, start = self.line, self.column_of(self.pos), self.pos
        self.advance()
        while self.peek() and self.peek() not in '"\n':
            self.advance()
        if self.peek() != '"':
            self.error("Unterminated string (add the closing '\"')", line, column, '"')
            return
        self.advance()
        self.add(TokenType.STRING, start, line, column)

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
        self.add(self.number_suffix(is_float, start, line, column), start, line, column)

    def take_digits(self) -> None:
        while self.peek().isdigit():
            self.advance()

    def take_exponent(self) -> bool:
        self.advance()
        if self.peek() in ("+", "-"):
            self.advance()
        if not self.peek().isdigit():
            return False
        self.take_digits()
        return True

    def number_suffix(self, is_float: bool, start: int, line: int, column: int) -> TokenType:
        suffix = self.peek().lower()
        if is_float and suffix in ("f", "d"):
            self.advance()
            return TokenType.FLOAT_NUMBER if suffix == "f" else TokenType.DOUBLE_NUMBER
        if not is_float and suffix == "u":
            self.advance()
            return TokenType.UINT32_NUMBER
        if is_float:
            return TokenType.SCALAR_NUMBER
        return TokenType.INT32_NUMBER

    def scan_hex(self, start: int, line: int, column: int) -> None:
        self.advance()
        self.advance()
        while self.peek() and self.peek() in _HEX_DIGITS:
            self.advance()
        if self.pos - start == 2 or self.peek() in (".", "p", "P"):
            self.error("Malformed hexadecimal literal (hexadecimal floats are not supported)",
                       line, column, self.source[start:self.pos + 1])
            return
        token_type = TokenType.INT32_NUMBER
        if self.peek() in ("u", "U"):
            self.advance()
            token_type = TokenType.UINT32_NUMBER
        self.add(token_type, start, line, column)


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
