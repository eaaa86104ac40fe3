"""Fixtures for the PyNN backend tests (skipped where PyNN is not installed)."""
import pytest

from pygenn.genn_model import backend_modules

# the CPU backend always; CUDA too where a GPU is usable
_BACKENDS = ["single_threaded_cpu"] + [name for name in ("cuda",) if name in backend_modules]


def _configured_pynn(tmp_path, monkeypatch, backend):
    pytest.importorskip("pyNN")
    from pygenn import pynn

    monkeypatch.setenv("PYGENN_CACHE_DIR", str(tmp_path.parent / "pygenn_pynn_cache"))
    original_setup = pynn.setup

    def setup(timestep=0.1, min_delay="auto", **kwargs):
        kwargs.setdefault("backend", backend)
        kwargs.setdefault("precision", "double")
        kwargs.setdefault("rng_seed", 1234)
        kwargs.setdefault("build_dir", str(tmp_path))
        return original_setup(timestep=timestep, min_delay=min_delay, **kwargs)

    monkeypatch.setattr(pynn, "setup", setup)
    return pynn


@pytest.fixture(params=_BACKENDS)
def sim(request, tmp_path, monkeypatch):
    """``pygenn.pynn`` whose ``setup()`` defaults to the test backend (every backend here).

    The tests call ``sim.setup(**kwargs)`` themselves; the defaults are double precision, a
    fixed seed and code generated under ``tmp_path``.
    """
    yield _configured_pynn(tmp_path, monkeypatch, request.param)
    from pygenn import pynn
    pynn.end()


@pytest.fixture
def cpu_sim(tmp_path, monkeypatch):
    """As ``sim``, on the single-threaded CPU backend only."""
    yield _configured_pynn(tmp_path, monkeypatch, "single_threaded_cpu")
    from pygenn import pynn
    pynn.end()
