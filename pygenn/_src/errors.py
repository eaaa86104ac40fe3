"""Exceptions raised by pygenn and the diagnostic record that code-string errors carry.

All errors keep GeNN's builtin base types (``RuntimeError`` for code-string and build problems) so
that existing ``except RuntimeError`` code keeps working, while their messages carry every detail a
person needs to act: which population, which code string, line, column and a caret.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeContext:
    """Where a code string comes from.

    ``description`` follows GeNN's wording ("Neuron group 'Pop' sim code"); ``role`` is the
    keyword the user wrote the code under (``sim_code``, ``threshold_condition_code`` ...).
    """

    description: str
    source: str = ""
    role: str = ""
    group: str = ""

    def line_text(self, line: int) -> str:
        lines = self.source.split("\n")
        return lines[line - 1] if 1 <= line <= len(lines) else ""


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a code string (1-based line and column; column 0 = unknown)."""

    line: int
    column: int
    message: str
    lexeme: str = ""

    def format(self, context: CodeContext) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        at = f" at '{self.lexeme}'" if self.lexeme else ""
        text = f"  {where}: error{at}: {self.message}"
        source_line = context.line_text(self.line)
        if source_line:
            text += "\n    " + source_line
            if self.column:
                width = max(1, len(self.lexeme))
                text += "\n    " + " " * (self.column - 1) + "^" * width
        return text


class CodeStringError(RuntimeError):
    """A user code string could not be scanned, parsed or type-checked."""

    kind = "Code string"

    def __init__(self, context: CodeContext, diagnostics: list[Diagnostic]):
        self.context = context
        self.diagnostics = list(diagnostics)
        role = f" (code string '{context.role}')" if context.role else ""
        lines = [f"{self.kind} error {context.description}{role}:"]
        lines += [d.format(context) for d in self.diagnostics]
        super().__init__("\n".join(lines))


class CodeScanError(CodeStringError):
    kind = "Scan"

    def __init__(self, context: CodeContext, diagnostics: list[Diagnostic]):
        # GeNN's wording is "Error scanning <context>"; keep it as the first words
        super().__init__(context, diagnostics)
        self.args = ("Error scanning " + str(self.args[0]).split(" error ", 1)[1],)


class CodeParseError(CodeStringError):
    kind = "Parse"


class CodeTypeError(CodeStringError):
    kind = "Type"


class BuildError(RuntimeError):
    """Compiling generated code failed; carries the command, return code and compiler output."""

    def __init__(self, message: str, command=None, returncode=None, output: str = "",
                 source_path: str | None = None):
        self.command = command
        self.returncode = returncode
        self.output = output
        self.source_path = source_path
        super().__init__(message)


class CudaDriverError(RuntimeError):
    """A CUDA driver API call failed (names the call and the CUresult)."""


def did_you_mean(name: str, candidates) -> str:
    """A 'did you mean' hint listing close matches and all valid names."""
    import difflib

    candidates = list(candidates)
    if not candidates:
        return " (this model has none)"
    close = difflib.get_close_matches(name, candidates, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"{hint} Valid names: {', '.join(repr(c) for c in candidates)}."
