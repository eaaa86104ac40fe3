"""The CUDA backend: NVIDIA GPUs, compiled with NVRTC from pip (no CUDA toolkit needed).

Importable only where it works: ``pip install pygenn[cuda]`` and an NVIDIA GPU with its driver.
"""
from ._src.backends.registry import CudaBackend as _CudaBackend
from ._src.model.cuda_enums import BlockSizeSelect, DeviceSelect  # noqa: F401

if not _CudaBackend.available():
    raise ImportError("the cuda backend needs the 'cuda' extra (pip install pygenn[cuda]) and an "
                      "NVIDIA GPU with a working driver")

Preferences = _CudaBackend.Preferences
AVAILABLE = True


def _create_backend(model, output_path, log_level, preferences):
    return _CudaBackend()
