"""A tiny indentation-aware text builder for generated C/C++/CUDA."""
from __future__ import annotations

from contextlib import contextmanager


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
        """Paste printed user code, marked with where it came from."""
        self.line(f"// ---- {origin} ----")
        self.lines(text)
        self.line(f"// ---- end {origin} ----")

    def __str__(self) -> str:
        return "\n".join(self._lines) + "\n"
