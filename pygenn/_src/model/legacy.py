"""Upgrade of GeNN 4 ``$(...)`` code-string syntax to GeNN 5 code.

GeNN 4 wrote every model name as ``$(name)`` and every special function as
``$(function, arg, ...)``. GeNN 5 uses plain identifiers and calls. We rewrite both with a small
bracket-matching pass (rather than regular expressions) so that arguments may themselves contain
parentheses or further ``$(...)`` terms, e.g. ``$(addToInSyn, $(g) * exp(-$(d)))``.
"""
from __future__ import annotations

import textwrap
import warnings

# Legacy names that were functions without arguments: they become calls
NULLARY_FUNCTIONS = ("gennrand_uniform", "gennrand_normal", "gennrand_exponential")

# Legacy functions with arguments, and their GeNN 5 names
RENAMED_FUNCTIONS = {
    "gennrand_log_normal": "gennrand_log_normal",
    "gennrand_gamma": "gennrand_gamma",
    "gennrand_binomial": "gennrand_binomial",
    "addToPre": "addToPre",
    "addToInSyn": "addToPost",
    "addToInSynDelay": "addToPostDelay",
    "addSynapse": "addSynapse",
}

# Legacy spike-time names
RENAMED_VARIABLES = {
    "sT_pre": "st_pre", "sT_post": "st_post",
    "seT_pre": "set_pre", "seT_post": "set_post",
    "prev_sT_pre": "prev_st_pre", "prev_sT_post": "prev_st_post",
    "prev_seT_pre": "prev_set_pre", "prev_seT_post": "prev_set_post",
}

REMOVED = ("endRow", "endCol")


class _Term:
    """One ``$(name[, args])`` occurrence: its span in the text, name and raw argument texts."""

    def __init__(self, start: int, end: int, name: str, args: list[str] | None):
        self.start, self.end, self.name, self.args = start, end, name, args


def _find_closing(code: str, open_index: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``open_index``, or -1."""
    depth = 0
    for i in range(open_index, len(code)):
        if code[i] == "(":
            depth += 1
        elif code[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _split_arguments(text: str) -> list[str]:
    """Split on commas that are not nested inside parentheses."""
    args, depth, current = [], 0, []
    for char in text:
        if char == "," and depth == 0:
            args.append("".join(current))
            current = []
            continue
        depth += (char == "(") - (char == ")")
        current.append(char)
    args.append("".join(current))
    return args


def _parse_term(code: str, start: int) -> _Term | None:
    """Parse the ``$(`` term starting at ``start``; None if it is not well formed."""
    close = _find_closing(code, start + 1)
    if close < 0:
        return None
    parts = _split_arguments(code[start + 2:close])
    name = parts[0].strip()
    if not name.isidentifier():
        return None
    args = [a.strip() for a in parts[1:]] if len(parts) > 1 else None
    return _Term(start, close + 1, name, args)


def _replacement(term: _Term, where: str) -> str:
    if term.name in REMOVED:
        raise RuntimeError(
            f"$({term.name}) in {where} is no longer supported: GeNN 5 row/column build code "
            f"must end the row itself, e.g. by leaving its loop with 'break' instead of calling "
            f"$({term.name})")
    args = [upgrade_legacy_syntax(a, where) for a in term.args or ()]
    if term.name in NULLARY_FUNCTIONS and term.args is None:
        return term.name + "()"
    if term.name in RENAMED_VARIABLES and term.args is None:
        return RENAMED_VARIABLES[term.name]
    if term.args is None:
        return term.name
    return RENAMED_FUNCTIONS.get(term.name, term.name) + "(" + ", ".join(args) + ")"


def upgrade_legacy_syntax(code: str, where: str = "code string") -> str:
    """Rewrite every ``$(...)`` term of ``code`` (no warning is issued here).

    Raises RuntimeError for ``$(endRow)``/``$(endCol)``; ``where`` names the code string.
    """
    pieces, position = [], 0
    while True:
        start = code.find("$(", position)
        if start < 0:
            break
        term = _parse_term(code, start)
        if term is None:
            # Leave malformed text alone: the scanner reports '$' with a line and column
            pieces.append(code[position:start + 2])
            position = start + 2
            continue
        pieces.append(code[position:start])
        pieces.append(_replacement(term, where))
        position = term.end
    pieces.append(code[position:])
    return "".join(pieces)


def has_legacy_syntax(code: str) -> bool:
    return "$(" in code


def upgrade_code_string(code, where: str) -> str:
    """Prepare a user code string: legacy ``$()`` upgrade (with a FutureWarning), then dedent.

    ``None`` means "no code" and becomes ``""``. ``where`` describes the code string for messages,
    e.g. ``"sim_code of neuron model 'LIF'"``.
    """
    if code is None:
        return ""
    if not isinstance(code, str):
        raise TypeError(f"{where} must be a string, not {type(code).__name__}")
    if has_legacy_syntax(code):
        upgraded = upgrade_legacy_syntax(code, where)
        if upgraded != code:
            warnings.warn(
                f"Legacy $() syntax in {where} has been automatically removed; write plain "
                f"names (e.g. 'V' instead of '$(V)') and calls (e.g. 'addToPost(g)' instead of "
                f"'$(addToInSyn, $(g))') to silence this warning", FutureWarning, stacklevel=4)
        code = upgraded
    return textwrap.dedent(code)
