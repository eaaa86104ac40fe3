"""Turn a table of built-ins into the functions of a public module (``neuron_models.LIF()``)."""
from __future__ import annotations

from ...errors import did_you_mean


def _accessor(name: str, model, module_name: str):
    def accessor():
        return model

    accessor.__name__ = accessor.__qualname__ = name
    accessor.__module__ = module_name
    accessor.__doc__ = f"The built-in {model.kind} '{name}' (the same object on every call)."
    return accessor


def export_builtins(namespace: dict, table: dict) -> list[str]:
    """Add one zero-argument function per built-in to a module's globals; return the names.

    Also installs a module ``__getattr__`` so that a misspelt name gets a 'did you mean'.
    """
    module_name = namespace["__name__"]
    for name, model in table.items():
        namespace[name] = _accessor(name, model, module_name)

    def __getattr__(name):
        raise AttributeError(f"module '{module_name}' has no built-in '{name}'."
                             + did_you_mean(name, table))

    namespace["__getattr__"] = __getattr__
    return list(table)
