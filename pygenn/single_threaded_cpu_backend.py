"""The single-threaded CPU backend (always available)."""
from ._src.backends.registry import CpuBackend as _CpuBackend

Preferences = _CpuBackend.Preferences
AVAILABLE = True


def _create_backend(model, output_path, log_level, preferences):
    return _CpuBackend()
