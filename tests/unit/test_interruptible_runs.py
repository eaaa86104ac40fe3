"""Ctrl-C during step_time (issue 12 item 8): stops at a step boundary, state intact.

Each scenario runs in a child process of its own (the signal goes to that process's main thread,
and pytest or xdist may have handlers of their own here). A counter variable incremented once per
step shows whether the model's state and its timestep agree after the interrupt.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from pygenn._src.build import toolchain
from pygenn._src.interface import stepping

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not any(shutil.which(c) for c in toolchain.CANDIDATE_COMPILERS) or os.name == "nt",
    reason="needs a C++ compiler and POSIX signals")

PRELUDE = """
import json, os, signal, sys, threading, time
sys.path.insert(0, {repo!r})
from pygenn import GeNNModel, create_neuron_model

def counter_model(work, spin):
    # 'spin' iterations of busy work per step and neuron make one step slow
    # the CPU backend: its steps block the host (CUDA steps are queued, so a slow GPU step
    # never holds up the Python thread that the signal interrupts)
    model = GeNNModel("double", "interrupt_counter", backend="single_threaded_cpu")
    counter = create_neuron_model(
        "SlowCounter", params=[("spin", "int")],
        vars=[("count", "unsigned int"), ("x", "scalar")],
        sim_code="count += 1;\\nfor (int i = 0; i < spin; i++) {{ x += 1.0e-9; }}")
    model.add_neuron_population("Pop", 2, counter, {{"spin": spin}}, {{"count": 0, "x": 0.0}})
    model.build(work)
    model.load()
    return model

def interrupt_after(seconds):
    pid = os.getpid()
    threading.Timer(seconds, lambda: os.kill(pid, signal.SIGINT)).start()

def report(model, **extra):
    pop = model.neuron_populations["Pop"]
    pop.vars["count"].pull_from_device()
    print(json.dumps(dict(timestep=model.timestep, count=pop.vars["count"].values.tolist(),
                          **extra)))
"""


def run_script(body: str, tmp_path) -> dict:
    script = PRELUDE.format(repo=str(REPO_ROOT)) + textwrap.dedent(body).format(
        work=str(tmp_path))
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=120, env=dict(os.environ))
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_ctrl_c_stops_a_long_multi_step_call(tmp_path):
    result = run_script("""
        model = counter_model({work!r}, 0)
        interrupt_after(0.5)
        start = time.perf_counter()
        try:
            model.step_time(10 ** 15)
            outcome = "finished"
        except KeyboardInterrupt as error:
            outcome = str(error)
        latency = time.perf_counter() - start - 0.5
        stopped = model.timestep
        model.step_time(3)                  # the model can be stepped on
        report(model, outcome=outcome, stopped=stopped, latency=latency)
    """, tmp_path)
    assert "interrupted after" in result["outcome"]
    assert 0 < result["stopped"] < 10 ** 15
    assert result["latency"] < 1.5
    assert result["count"] == [result["timestep"]] * 2 == [result["stopped"] + 3] * 2


def test_ctrl_c_during_one_long_step_is_handled_at_its_end(tmp_path):
    result = run_script("""
        model = counter_model({work!r}, 20000000)     # one step takes tens of ms or more
        interrupt_after(0.3)
        try:
            model.step_time(1000)
            outcome = "finished"
        except KeyboardInterrupt as error:
            outcome = str(error)
        report(model, outcome=outcome)
    """, tmp_path)
    assert "interrupted after" in result["outcome"]
    assert 0 < result["timestep"] < 1000
    assert result["count"] == [result["timestep"]] * 2


def test_ctrl_c_between_single_steps_keeps_the_count(tmp_path):
    result = run_script("""
        model = counter_model({work!r}, 200000)
        interrupt_after(0.4)
        try:
            while True:
                model.step_time()
        except KeyboardInterrupt:
            pass
        report(model)
    """, tmp_path)
    assert result["timestep"] > 0
    assert result["count"] == [result["timestep"]] * 2


def test_sigint_handler_is_restored_after_the_run(tmp_path):
    result = run_script("""
        model = counter_model({work!r}, 0)
        before = signal.getsignal(signal.SIGINT)
        model.step_time(500)
        after = signal.getsignal(signal.SIGINT)
        report(model, restored=before is after is signal.default_int_handler)
    """, tmp_path)
    assert result["restored"] and result["count"] == [500, 500]


# ----------------------------------------------------------------------------- in process
class FakeRuntime:
    """Counts steps; ``fail_at`` raises inside a chunk like a failing native call would."""

    STEPS_PER_GRAPH = 1

    def __init__(self):
        self.timestep = 0
        self.calls = []

    def step_times(self, count):
        self.calls.append(count)
        self.timestep += count


def test_chunks_grow_towards_the_target_duration():
    runtime = FakeRuntime()
    stepping.run_steps(runtime, 100000)
    assert runtime.timestep == 100000 and sum(runtime.calls) == 100000
    assert runtime.calls[0] == 1
    assert all(b <= 4 * a for a, b in zip(runtime.calls, runtime.calls[1:-1]))


def test_chunks_are_whole_graphs_on_cuda():
    runtime = FakeRuntime()
    runtime.STEPS_PER_GRAPH = 100
    stepping.run_steps(runtime, 100050)
    assert all(count % 100 == 0 for count in runtime.calls[:-1])
    assert runtime.timestep == 100050


def test_a_flagged_sigint_raises_at_the_next_boundary():
    """A SIGINT that arrives inside a chunk is raised once the chunk has been counted."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    runtime = FakeRuntime()
    original = runtime.step_times

    def step_times(count):
        original(count)
        if runtime.timestep >= 7:
            signal.raise_signal(signal.SIGINT)

    runtime.step_times = step_times
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt, match="interrupted after"):
            stepping.run_steps(runtime, 10 ** 6)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert 7 <= runtime.timestep < 10 ** 6


@pytest.mark.parametrize("value, error", [(-1, ValueError), (1.5, TypeError), ("3", TypeError),
                                          (True, TypeError), (2 ** 64, ValueError),
                                          (None, TypeError)])
def test_absurd_step_counts_are_refused(value, error):
    with pytest.raises(error, match="num_steps|step counter"):
        stepping.check_num_steps(value, 0)


def test_step_count_near_the_counter_limit():
    assert stepping.check_num_steps(5, stepping.MAX_TIMESTEP - 5) == 5
    with pytest.raises(ValueError, match="2\\*\\*64 - 1"):
        stepping.check_num_steps(6, stepping.MAX_TIMESTEP - 5)
