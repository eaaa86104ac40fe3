"""Built-in neuron models.

One zero-argument function per built-in returning the same object on every call,
e.g. ``neuron_models.TraubMiles()``.
"""
from ._src.model.builtin.accessors import export_builtins
from ._src.model.builtin.neuron_models import BUILTINS

__all__ = export_builtins(globals(), BUILTINS)
