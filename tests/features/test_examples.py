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
