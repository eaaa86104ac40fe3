"""The C dialect generated code uses: user locals get a ``u_`` prefix.

Every name the code generator itself introduces starts with ``_`` (``_id``, ``_t``, ``_group``),
and user identifiers start with a letter, so prefixing user locals with ``u_`` keeps the two sets
of names apart even when a user declares a local called ``id`` or ``t``.

With ``checks`` (debug builds of the CPU backends) array subscripts and integer divisions are
printed through the helpers of ``debug_checks.DEBUG_PRELUDE``.
"""
from __future__ import annotations

from ..lang import CDialect


class GeneratedCodeDialect(CDialect):
    def __init__(self, checks: bool = False):
        self.checks = checks

    def local_name(self, name: str) -> str:
        return "u_" + name

    def checked_element(self, env, context, bounds, array: str, index: str) -> str | None:
        sites = env.find_check_sites()
        if not self.checks or sites is None or context is None:
            return None
        site = sites.site(context, bounds.label)
        return f"(*pygenn_element({array}, {index}, {bounds.size_text()}, {site}))"

    def checked_division(self, env, context, op: str, operand_type, left: str, right: str,
                         assign: bool = False) -> str | None:
        sites = env.find_check_sites()
        if not self.checks or sites is None or context is None:
            return None
        site = sites.site(context, f"'{op}'")
        helper = ("pygenn_div" if op == "/" else "pygenn_mod") + ("_assign" if assign else "")
        # the operands convert to the type C would compute in (the template argument)
        return f"{helper}<{self.type_name(operand_type)}>({left}, {right}, {site})"
