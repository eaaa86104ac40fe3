"""The examples run and do what they claim (small versions, every backend)."""
import importlib.util
import os
import sys

import numpy as np

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_superspike_loss_falls(backend, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example = _load("superspike_rates")
    monkeypatch.setattr(sys, "argv", ["superspike_rates.py", "--trials", "20",
                                      "--backend", backend])
    losses = example.main()
    assert np.mean(losses[-3:]) < 0.5 * np.mean(losses[:3])


def test_vogels_abbott_prints_rates_and_saves_its_plot(backend, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    example = _load("vogels_abbott")
    rates = example.main(["800", "--backend", backend, "--plot", "va.png"])
    assert set(rates) == {"E", "I"} and all(0 < rate < 200 for rate in rates.values())
    printed = capsys.readouterr().out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "pygenn[plot]" in printed
        return
    assert (tmp_path / "va.png").stat().st_size > 10000
    assert f"saved to {tmp_path / 'va.png'}" in printed
