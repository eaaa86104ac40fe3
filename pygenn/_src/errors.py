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
        return lines[line - 1].rstrip("\r") if 1 <= line <= len(lines) else ""


def _visible(text: str) -> str:
    """``text`` with control and other unprintable characters shown as '?', one for one, so a
    caret drawn under it still lines up (an error message must not carry a raw CR or NUL)."""
    return "".join(c if c.isprintable() or c == "\t" else "?" for c in text)


# A code string stops being scanned or parsed after this many errors (a pasted binary file
# or a runaway mistake would otherwise give thousands)
MAX_DIAGNOSTICS = 25
# Source lines longer than this are shown as a window around the error's column
_EXCERPT_WIDTH = 120


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a code string (1-based line and column; column 0 = unknown)."""

    line: int
    column: int
    message: str
    lexeme: str = ""

    def format(self, context: CodeContext) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        lexeme = _visible(self.lexeme[:_EXCERPT_WIDTH])
        at = f" at '{lexeme}'" if self.lexeme else ""
        text = f"  {where}: error{at}: {_visible(self.message)}"
        source_line, caret_column = _excerpt(_visible(context.line_text(self.line)),
                                             self.column)
        if source_line:
            text += "\n    " + source_line
            if self.column:
                width = max(1, min(len(self.lexeme), len(source_line) - caret_column + 1))
                text += "\n    " + " " * (caret_column - 1) + "^" * width
        return text


def _excerpt(line: str, column: int) -> tuple[str, int]:
    """A long ``line`` cut to a window around ``column``; the column within the window."""
    if len(line) <= _EXCERPT_WIDTH:
        return line, column
    start = max(0, min(column - 1 - _EXCERPT_WIDTH // 2, len(line) - _EXCERPT_WIDTH))
    window = line[start:start + _EXCERPT_WIDTH]
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + _EXCERPT_WIDTH < len(line) else ""
    return prefix + window + suffix, column - start + len(prefix)


class CodeStringError(RuntimeError):
    """A user code string could not be scanned, parsed or type-checked."""

    kind = "Code string"

    def __init__(self, context: CodeContext, diagnostics: list[Diagnostic]):
        self.context = context
        self.diagnostics = list(diagnostics)
        role = f" (code string '{context.role}')" if context.role else ""
        lines = [f"{self.kind} error {context.description}{role}:"]
        lines += [d.format(context) for d in self.diagnostics[:MAX_DIAGNOSTICS]]
        if len(self.diagnostics) >= MAX_DIAGNOSTICS:
            lines.append(f"  (stopped after {MAX_DIAGNOSTICS} errors)")
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


class InvalidNameError(ValueError, RuntimeError):
    """A name pygenn cannot use: names become part of generated C++ code and of file paths.

    A ``ValueError`` (a bad argument) that is also a ``RuntimeError``, the type GeNN raises for
    invalid names, so existing ``except RuntimeError`` code keeps working.
    """


class InvalidNameTypeError(TypeError, ValueError):
    """A name that is not a string (also a ``ValueError``, like ``InvalidNameError``)."""


class BuildError(RuntimeError):
    """Compiling generated code failed; carries the command, return code and compiler output."""

    def __init__(self, message: str, command=None, returncode=None, output: str = "",
                 source_path: str | None = None):
        self.command = command
        self.returncode = returncode
        self.output = output
        self.source_path = source_path
        super().__init__(message)


class GeneratedCodeError(BuildError):
    """The C++ compiler (or NVRTC) rejected code pygenn generated: a bug in pygenn.

    The message explains that and names the code strings whose pasted code the compiler's
    errors point into (``code_strings``); the compiler's own log is only appended to it, and is
    kept whole in ``compiler_log`` (also ``output``).
    """

    def __init__(self, message: str, command=None, returncode=None, output: str = "",
                 source_path: str | None = None, code_strings=()):
        self.compiler_log = output
        self.code_strings = list(code_strings)
        super().__init__(message, command=command, returncode=returncode, output=output,
                         source_path=source_path)


class DebugCheckError(RuntimeError):
    """A check of a debug build (``debug_code=True``) failed while user code ran.

    ``group`` is the population whose code it was, ``code_string`` the code string (GeNN's
    wording, e.g. "Neuron group 'pop' sim code") and ``role`` its keyword (``sim_code``),
    ``problem`` one of "index out of bounds", "division by zero", "division overflow",
    ``subject`` what was checked ("extra global parameter 'x'", "'/'"), ``value`` the index
    or the dividend, ``size`` the array's element count, ``count`` how many checks failed in
    the same native call (only the first is described).
    """

    def __init__(self, message: str, *, group: str = "", code_string: str = "",
                 role: str = "", problem: str = "", subject: str = "", value=None,
                 size=None, count: int = 1):
        self.group, self.code_string, self.role = group, code_string, role
        self.problem, self.subject, self.value, self.size = problem, subject, value, size
        self.count = count
        super().__init__(message)


class SanitizerError(RuntimeError):
    """UndefinedBehaviorSanitizer reported undefined behaviour in generated code (a model
    library built with it: ``debug_code=True`` or ``PYGENN_SANITIZE``). ``report`` is the
    sanitizer's own line; ``code_string`` the code string it points into, if any."""

    def __init__(self, message: str, *, report: str = "", code_string: str | None = None,
                 count: int = 1):
        self.report, self.code_string, self.count = report, code_string, count
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
