"""Built-in Toeplitz connectivity initialisation snippets.

One zero-argument function per built-in returning the same object on every call,
e.g. ``init_toeplitz_connectivity_snippets.AvgPoolConv2D()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.init_toeplitz_connectivity_snippets import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
