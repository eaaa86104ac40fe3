"""The C dialect generated code uses: user locals get a ``u_`` prefix.

Every name the code generator itself introduces starts with ``_`` (``_id``, ``_t``, ``_group``),
and user identifiers start with a letter, so prefixing user locals with ``u_`` keeps the two sets
of names apart even when a user declares a local called ``id`` or ``t``.
"""
from __future__ import annotations

from ..lang import CDialect


class GeneratedCodeDialect(CDialect):
    def local_name(self, name: str) -> str:
        return "u_" + name
