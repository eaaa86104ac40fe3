"""Shared fixtures for the end-to-end behaviour tests (build + load + simulate)."""
import itertools

import pytest

from pygenn import GeNNModel
from pygenn.genn_model import backend_modules

_BACKENDS = list(backend_modules.keys())


@pytest.fixture(scope="session")
def _genn_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pygenn_cache")


@pytest.fixture(autouse=True)
def _pygenn_cache(monkeypatch, _genn_cache_dir):
    """Point pygenn's compilation cache at a per-session temporary directory."""
    monkeypatch.setenv("PYGENN_CACHE_DIR", str(_genn_cache_dir))


@pytest.fixture(params=_BACKENDS)
def backend(request):
    """Name of every backend in ``pygenn.genn_model.backend_modules``."""
    return request.param


_counter = itertools.count()


@pytest.fixture
def make_model(backend, tmp_path):
    """Factory: ``make_model(precision="double", dt=1.0, seed=1234)`` -> GeNNModel on ``backend``.

    The returned model has an extra helper ``model.build_load(num_recording_timesteps=None)``
    that builds under ``tmp_path`` and loads it.
    """
    def factory(precision="double", dt=1.0, seed=1234, name=None):
        if name is None:
            name = f"feat{next(_counter)}"
        model = GeNNModel(precision, name, backend=backend)
        model.dt = dt
        model.seed = seed

        def build_load(num_recording_timesteps=None):
            model.build(path_to_model=str(tmp_path))
            model.load(num_recording_timesteps=num_recording_timesteps)

        model.build_load = build_load
        return model

    return factory


def _nvrtc_without_gpu() -> bool:
    """True where NVRTC can compile CUDA but the cuda backend cannot run (e.g. CI)."""
    if "cuda" in _BACKENDS:
        return False
    try:
        from pygenn._src.build import nvrtc
        return nvrtc.available()
    except Exception:
        return False


def _asan_preloaded() -> bool:
    """True in the sanitizer run of .ci/run: NVRTC cannot load its builtins library there
    (ASan's dlopen interceptor hides NVRTC's own folder from it); the main run covers CUDA."""
    from pygenn._src.build import sanitizers
    return sanitizers.asan_runtime_loaded()


_COMPILE_CUDA_TOO = _nvrtc_without_gpu() and not _asan_preloaded()


@pytest.fixture(autouse=True)
def _compile_generated_cuda_too(monkeypatch):
    """Without a GPU, every feature-test model's generated CUDA is still compiled with NVRTC.

    That keeps the CUDA code generator honest in CI, where only the CPU backend can run.
    """
    if not _COMPILE_CUDA_TOO:
        yield
        return
    from pygenn._src.backends.cuda import generate_cuda
    from pygenn._src.build import nvrtc
    from pygenn._src.codegen.plan import ModelPlan
    from pygenn._src.interface import lifecycle

    cpu_build = lifecycle.build

    def build_and_compile_cuda(model, *args, **kwargs):
        cpu_build(model, *args, **kwargs)
        generated = generate_cuda(ModelPlan(model, "cuda"))
        nvrtc.build_cached_cubin(generated.sources["runner.cu"], model.name, "sm_80")

    monkeypatch.setattr(lifecycle, "build", build_and_compile_cuda)
    yield
