"""Parsing user code strings once, with the context their errors must name."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import CodeContext
from .. import lang

RNG_FUNCTIONS = ("gennrand", "gennrand_uniform", "gennrand_normal", "gennrand_exponential",
                 "gennrand_log_normal", "gennrand_gamma", "gennrand_binomial")


@dataclass
class ParsedCode:
    """A parsed code string: its AST, the identifiers it uses and where it came from."""

    ast: object
    uses: dict
    context: CodeContext
    is_expression: bool

    def uses_name(self, name: str, how: str | None = None) -> bool:
        kinds = self.uses.get(name)
        return bool(kinds) and (how is None or how in kinds)

    @property
    def uses_rng(self) -> bool:
        return any(self.uses_name(n) for n in RNG_FUNCTIONS)

    def print(self, env, dialect) -> str:
        """Type-check against ``env`` (raising CodeTypeError) and return the C text."""
        if self.is_expression:
            lang.check_expression(self.ast, env, self.context)
            return lang.print_expression(self.ast, env, dialect, self.context)
        lang.check_statements(self.ast, env, self.context)
        return lang.print_statements(self.ast, env, dialect, self.context)


# (code, is expression) -> (ast, identifiers): a model often repeats one code string in
# hundreds of groups. Only successful parses are kept, so an error always names the group
# whose code it is. Sharing an AST is safe: type checking annotates it and printing reads
# the annotations within one ParsedCode.print call.
_PARSED: dict = {}
_PARSED_LIMIT = 4096


def parse_code(code: str, description: str, role: str, group: str,
               expression: bool = False) -> ParsedCode | None:
    """Scan and parse ``code``; None for empty code. Errors name ``description`` and ``role``."""
    if code is None or not code.strip():
        return None
    context = CodeContext(description=description, source=code, role=role, group=group)
    cached = _PARSED.get((code, expression))
    if cached is None:
        tokens = lang.scan(code, context)
        ast = (lang.parse_expression(tokens, context) if expression
               else lang.parse_statements(tokens, context))
        cached = (ast, lang.find_identifiers(ast))
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[(code, expression)] = cached
    ast, uses = cached
    return ParsedCode(ast, uses, context, expression)
