"""benchmarks/suite.py at tiny scale: every workload builds, runs and reports a figure."""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUITE = os.path.join(ROOT, "benchmarks", "suite.py")
FIGURE = re.compile(r"^\s*(\S+): +(\S+) s per biological s", re.MULTILINE)


def _workloads():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import suite
    finally:
        sys.path.pop(0)
    return list(suite.WORKLOADS)


def _run(tmp_path, *args, timeout=120):
    env = dict(os.environ)
    env.setdefault("PYGENN_CACHE_DIR", str(tmp_path / "cache"))
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, SUITE, "--scale", "tiny", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_tiny_suite_reports_every_workload(tmp_path):
    results = tmp_path / "results.jsonl"
    out = _run(tmp_path, "--backend", "single_threaded_cpu", "--repeats", "1",
               "--results", str(results))
    figures = dict(FIGURE.findall(out))
    expected = [("eventprop_b32" if name == "eventprop" else name) for name in _workloads()]
    assert sorted(figures) == sorted(expected), out
    for name, value in figures.items():
        assert math.isfinite(float(value)) and float(value) > 0.0, (name, out)
    entries = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(e["workload"] for e in entries) == sorted(expected)
    assert all(e["backend"] == "single_threaded_cpu" and e["scale"] == "tiny" for e in entries)
    # the per-phase split comes from timing_enabled in the same model on the CPU
    eventprop = next(e for e in entries if e["workload"] == "eventprop_b32")["figures"]
    assert eventprop["neuron_update_time"] > 0.0
    assert "custom_update_GradientReduce_time" in eventprop
    # a second run compares itself with the first
    out = _run(tmp_path, "--backend", "single_threaded_cpu", "--repeats", "1",
               "--only", "lif_1000", "--results", str(results))
    assert "previous (" in out, out


def test_tiny_suite_cuda_compiles_with_nvrtc(tmp_path):
    from pygenn._src.build import nvrtc
    if not nvrtc.available():
        pytest.skip("NVRTC not installed")
    out = _run(tmp_path, "--compile-cuda")
    assert out.count("compiled with NVRTC") == len(_workloads()), out
