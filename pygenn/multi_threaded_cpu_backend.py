"""The multi-threaded CPU backend (pygenn's own; GeNN only has a single-threaded one).

The neuron update runs on OpenMP threads; results are identical to ``single_threaded_cpu``.
Importable where the machine has more than one core.
"""
from ._src.backends.registry import MultiThreadedCpuBackend as _Backend

if not _Backend.available():
    raise ImportError("the multi_threaded_cpu backend needs more than one CPU core")

Preferences = _Backend.Preferences
AVAILABLE = True


def _create_backend(model, output_path, log_level, preferences):
    return _Backend()
