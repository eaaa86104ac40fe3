"""Progress bars (issue 15 item 2): long builds and step_time(n) show one on a terminal only.

The end-to-end cases run a child process whose stderr is a pseudo-terminal (or a pipe) and read
what it wrote there; the 2 s delay is set to 0 in the child so a short run counts as long.
The in-process cases check the bar's logic with a fake terminal (a StringIO).
"""
from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pygenn._src.build import toolchain
from pygenn._src.interface import progress, stepping

try:
    import fcntl
    import pty
    import termios
except ImportError:         # not POSIX
    pty = None

REPO_ROOT = Path(__file__).resolve().parents[2]

needs_compiler_and_pty = pytest.mark.skipif(
    not any(shutil.which(c) for c in toolchain.CANDIDATE_COMPILERS) or pty is None,
    reason="needs a C++ compiler and pseudo-terminals")

CHILD = """
import sys
sys.path.insert(0, {repo!r})
{before}
from pygenn._src.interface import progress
progress.DELAY_SECONDS = {delay!r}
from pygenn import GeNNModel, create_neuron_model

model = GeNNModel("double", "progress_child", backend="single_threaded_cpu")
counter = create_neuron_model("Counter", vars=[("count", "unsigned int")],
                              sim_code="count += 1;")
model.add_neuron_population("Pop", 4, counter, {{}}, {{"count": 0}})
{configure}
model.build({work!r})
model.load()
model.step_time({steps})
print("stepped", model.timestep)
"""


def run_child(tmp_path, *, terminal=True, delay=0.0, steps=20000, before="", configure="",
              env=None) -> tuple[str, str]:
    """Run CHILD; returns (stdout, stderr) with stderr a 100x24 pseudo-terminal or a pipe."""
    script = CHILD.format(repo=str(REPO_ROOT), before=before, delay=delay, configure=configure,
                          work=str(tmp_path), steps=steps)
    child_env = dict(os.environ)
    child_env.pop(progress.ENV_VAR, None)
    child_env.update(env or {})
    if not terminal:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120, env=child_env, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout, done.stderr
    leader, follower = pty.openpty()
    # a terminal of size 0 x 0 (what a fresh pty reports) makes tqdm draw nothing
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=follower, env=child_env)
    os.close(follower)
    written = bytearray()
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:           # EIO: the child closed the terminal
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(leader)
    stdout = child.stdout.read().decode()
    child.stdout.close()
    assert child.wait(timeout=120) == 0, written.decode(errors="replace")[-3000:]
    return stdout, written.decode(errors="replace")


# ----------------------------------------------------------------------------- child processes
@needs_compiler_and_pty
def test_a_long_run_on_a_terminal_shows_a_bar(tmp_path):
    pytest.importorskip("tqdm")
    stdout, terminal = run_child(tmp_path)
    assert "stepped 20000" in stdout
    assert "step_time: 100%" in terminal and "20.0k/20.0k" in terminal
    assert "build progress_child: 100%" in terminal and "3/3 phases" in terminal


@needs_compiler_and_pty
def test_no_bar_when_stderr_is_a_pipe(tmp_path):
    pytest.importorskip("tqdm")
    stdout, stderr = run_child(tmp_path, terminal=False)
    assert "stepped 20000" in stdout
    assert "step_time" not in stderr and "%|" not in stderr and "phases" not in stderr


@needs_compiler_and_pty
@pytest.mark.parametrize("how", ["environment", "attribute", "no tqdm", "short run"])
def test_no_bar_on_a_terminal_when_turned_off_or_short(tmp_path, how):
    options = {
        "environment": dict(env={progress.ENV_VAR: "0"}),
        "attribute": dict(configure="model.show_progress = False"),
        "no tqdm": dict(before="sys.modules['tqdm'] = None  # as if not installed"),
        "short run": dict(delay=30.0),
    }[how]
    stdout, terminal = run_child(tmp_path, **options)
    assert "stepped 20000" in stdout
    assert "%|" not in terminal and "step_time" not in terminal and "phases" not in terminal


# ----------------------------------------------------------------------------- in process
def fake_terminal(monkeypatch) -> io.StringIO:
    """From now on stderr is a StringIO that bars may draw on.

    Called in the test itself: pytest's output capture sets sys.stderr again when the test
    phase starts, over anything a fixture put there.
    """
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(progress, "bars_allowed", lambda stream=None: True)
    return stream


class FakeRuntime:
    STEPS_PER_GRAPH = 1

    def __init__(self):
        self.timestep = 0

    def step_times(self, count):
        self.timestep += count


def test_bar_appears_only_after_the_delay(monkeypatch):
    terminal = fake_terminal(monkeypatch)
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.2)
    with progress.DelayedBar(100, "work", "item") as bar:
        bar.advance(10)
        assert not bar.shown and terminal.getvalue() == ""
        time.sleep(0.25)
        bar.advance(10)
        assert bar.shown
        bar.advance(80)
    assert "work: 100%" in terminal.getvalue()


def test_short_work_writes_nothing(monkeypatch):
    terminal = fake_terminal(monkeypatch)
    stepping.run_steps(FakeRuntime(), 1000)
    with progress.BuildProgress("quick") as build:
        for phase in progress.BUILD_PHASES:
            build.begin(phase)
    assert terminal.getvalue() == ""


def test_run_steps_counts_every_chunk(monkeypatch):
    terminal = fake_terminal(monkeypatch)
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    runtime = FakeRuntime()
    stepping.run_steps(runtime, 12345)
    assert runtime.timestep == 12345
    assert "12.3k/12.3k" in terminal.getvalue().splitlines()[-1]


def test_run_steps_honours_show_progress(monkeypatch):
    terminal = fake_terminal(monkeypatch)
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    stepping.run_steps(FakeRuntime(), 500, show_progress=False)
    assert terminal.getvalue() == ""


def test_build_bar_shows_during_one_long_phase(monkeypatch):
    """A compile that takes long draws the bar (and its current phase) before it ends."""
    terminal = fake_terminal(monkeypatch)
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.05)
    monkeypatch.setattr(progress, "TICK_SECONDS", 0.02)
    with progress.BuildProgress("slow") as build:
        build.begin("plan")
        build.begin("generate")
        build.begin("compile")
        time.sleep(0.2)
        during = terminal.getvalue()
    assert "2/3 phases" in during and "compile" in during
    assert "3/3 phases" in terminal.getvalue() and "done" in terminal.getvalue()


def test_a_failed_build_leaves_its_bar_where_it_stopped(monkeypatch):
    terminal = fake_terminal(monkeypatch)
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    with pytest.raises(RuntimeError):
        with progress.BuildProgress("broken") as build:
            build.begin("plan")
            build.begin("generate")
            raise RuntimeError("generation failed")
    assert "3/3" not in terminal.getvalue()


@pytest.mark.parametrize("value, allowed", [("0", False), ("off", False), ("False", False),
                                            ("1", True), ("", True)])
def test_environment_variable(monkeypatch, value, allowed):
    pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv(progress.ENV_VAR, value)
    assert progress.bars_allowed(Terminal()) is allowed
    assert progress.bars_allowed(io.StringIO()) is False


def test_importing_pygenn_imports_no_optional_dependency():
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO_ROOT)!r})
        import pygenn, pygenn.plot, pygenn.io
        loaded = [m for m in ("tqdm", "matplotlib", "neo", "pynwb") if m in sys.modules]
        print(",".join(loaded))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
