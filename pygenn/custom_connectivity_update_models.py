"""Built-in custom connectivity update models: there are none (as in GeNN)."""
from ._src.model.builtin.accessors import export_builtins

__all__ = export_builtins(globals(), {})
