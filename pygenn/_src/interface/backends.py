"""``backend_modules``: the backends that work here, as GeNN's module dict."""
from __future__ import annotations

import importlib
from collections import OrderedDict


def _load_backend_modules():
    modules = OrderedDict()
    # GeNN's order: a GPU first, then single_threaded_cpu. The multi-threaded CPU backend is
    # listed (and tested) but not the default: with other processes busy on the cores its
    # per-step thread hand-offs can make it slower than one thread, and GeNN users expect
    # single_threaded_cpu without a GPU (results are identical either way)
    for name in ("cuda", "hip", "single_threaded_cpu", "multi_threaded_cpu"):
        try:
            module = importlib.import_module(f"pygenn.{name}_backend")
        except ImportError:
            continue
        if getattr(module, "AVAILABLE", True):
            modules[name] = module
    return modules


backend_modules = _load_backend_modules()


def backend_for(key: str):
    """The backend object that ``backend_modules[key]`` creates.

    ``backend_modules`` is the one registry: programs may add their own keys
    (``backend_modules["CUDA"] = pygenn.cuda_backend``), and a model built with that key uses
    the module registered under it, as in GeNN. Every backend module declares GeNN's
    ``_create_backend(model, output_path, log_level, preferences)``.
    """
    try:
        module = backend_modules[key]
    except KeyError:
        raise KeyError(f"Backend '{key}' is not in pygenn.genn_model.backend_modules; "
                       f"available: {', '.join(backend_modules)}") from None
    return module._create_backend(None, None, None, None)
