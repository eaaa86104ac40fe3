"""Built-in sparse connectivity initialisation snippets.

One zero-argument function per built-in returning the same object on every call,
e.g. ``init_sparse_connectivity_snippets.Conv2D()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.init_sparse_connectivity_snippets import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
