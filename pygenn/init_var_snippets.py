"""Built-in variable initialisation snippets.

One zero-argument function per built-in returning the same object on every call,
e.g. ``init_var_snippets.Binomial()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.init_var_snippets import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
