"""Built-in weight update models.

One zero-argument function per built-in returning the same object on every call,
e.g. ``weight_update_models.STDP()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.weight_update_models import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
