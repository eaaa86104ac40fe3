"""Built-in postsynaptic models.

One zero-argument function per built-in returning the same object on every call,
e.g. ``postsynaptic_models.ExpCond()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.postsynaptic_models import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
