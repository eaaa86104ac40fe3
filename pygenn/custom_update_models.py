"""Built-in custom update models.

One zero-argument function per built-in returning the same object on every call,
e.g. ``custom_update_models.Transpose()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.custom_update_models import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
