"""Built-in current source models.

One zero-argument function per built-in returning the same object on every call,
e.g. ``current_source_models.PoissonExp()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.current_source_models import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
