"""Import an optional dependency, or say which pygenn extra installs it."""
from __future__ import annotations

import importlib


def import_optional(module: str, extra: str, purpose: str, package: str | None = None):
    """``importlib.import_module(module)``; an ImportError names the extra that installs it.

    Parameters
    ----------
    module : str
        Module to import ("matplotlib.pyplot").
    extra : str
        pygenn's optional-dependency group that installs it ("plot").
    purpose : str
        What needs it, for the message ("pygenn.plot").
    package : str, optional
        Name of the package on PyPI; default the top-level module name.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        package = package or module.split(".")[0]
        raise ImportError(
            f"{purpose} needs {package}, which is not installed (or failed to import: "
            f"{error}). Install pygenn's '{extra}' extra: pip install \"pygenn[{extra}]\" "
            f"(from a checkout: pip install \".[{extra}]\"), or pip install {package}",
            name=module) from error
