"""A tiny indentation-aware text builder for generated C/C++/CUDA."""
from __future__ import annotations

import re
from contextlib import contextmanager

from ..contract import MARKER_TAG

# What a user-code marker comment may contain. Origins are built from validated names, but a
# comment must never carry a line break, a backslash (which continues a '//' comment onto the
# next line) or '?' (trigraphs), whatever a name holds.
_UNSAFE_IN_MARKER = re.compile(r"[^A-Za-z0-9_ '.,:()-]")
_MARKER_LENGTH = 200
_MARKER_TAG = MARKER_TAG


def marker_text(origin: str) -> str:
    """``origin`` made safe to put in a ``//`` comment (unsafe characters become '_')."""
    return _UNSAFE_IN_MARKER.sub("_", str(origin))[:_MARKER_LENGTH]


class CodeStream:
    """Collects lines of generated code; ``block()`` opens a ``{ ... }`` scope and indents."""

    def __init__(self, indent: str = "    "):
        self._lines: list[str] = []
        self._level = 0
        self._indent = indent

    def line(self, text: str = "") -> None:
        """Append one line, or several if ``text`` contains newlines (each indented)."""
        for part in text.split("\n"):
            self._lines.append(self._indent * self._level + part if part.strip() else "")

    def lines(self, text: str) -> None:
        self.line(text.rstrip("\n"))

    @contextmanager
    def block(self, header: str = "", trailer: str = ""):
        self.line(f"{header} {{" if header else "{")
        self._level += 1
        try:
            yield self
        finally:
            self._level -= 1
            self.line("}" + trailer)

    @contextmanager
    def indented(self):
        self._level += 1
        try:
            yield self
        finally:
            self._level -= 1

    def user_code(self, origin: str, text: str) -> None:
        """Paste printed user code, marked with where it came from (``user_code_origin``
        finds the mark again, to name the code string a compiler error points into)."""
        origin = marker_text(origin)
        self.line(f"// ---- {origin} ---- {_MARKER_TAG}")
        self.lines(text)
        self.line(f"// ---- end {origin} ---- {_MARKER_TAG}")

    def __str__(self) -> str:
        return "\n".join(self._lines) + "\n"


def model_name(model) -> str:
    """The class name of a model, which marks its pasted code (population names would stop
    merging)."""
    return getattr(model, "name", type(model).__name__)
