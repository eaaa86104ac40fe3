"""``backend_modules``: the backends that work here, as GeNN's module dict (SPEC 1.3)."""
from __future__ import annotations

import importlib
from collections import OrderedDict


def _load_backend_modules():
    modules = OrderedDict()
    for name in ("cuda", "hip", "multi_threaded_cpu", "single_threaded_cpu"):
        try:
            module = importlib.import_module(f"pygenn.{name}_backend")
        except ImportError:
            continue
        if getattr(module, "AVAILABLE", True):
            modules[name] = module
    return modules


backend_modules = _load_backend_modules()
