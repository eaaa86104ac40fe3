"""Many steps in one ``step_time(n)`` call, stoppable with Ctrl-C at a step boundary.

A step runs in native code with the GIL released, and Python only runs its SIGINT handler between
bytecodes, so a KeyboardInterrupt raised by the default handler could land between a step and the
bookkeeping that counts it. While ``run_steps`` runs, SIGINT only sets a flag; the steps go in
chunks of about ``CHUNK_SECONDS`` and the flag is checked between chunks, where the model's state
and its timestep agree. A SIGINT that arrives during one long native call is seen when the call
returns, at the next chunk boundary.
"""
from __future__ import annotations

import contextlib
import numbers
import signal
import threading
import time

from .progress import DelayedBar

#: the largest timestep the native step counter (uint64) holds
MAX_TIMESTEP = (1 << 64) - 1
#: aim for chunks of this many seconds: short enough for Ctrl-C to feel immediate, long enough
#: that the per-chunk overhead is negligible
CHUNK_SECONDS = 0.05


def check_num_steps(num_steps, timestep: int) -> int:
    """``num_steps`` as an int: a whole number >= 0 that keeps the step counter in range."""
    if isinstance(num_steps, bool) or not isinstance(num_steps, numbers.Integral):
        raise TypeError(f"num_steps must be a non-negative integer (a whole number of "
                        f"steps), not {num_steps!r}")
    num_steps = int(num_steps)
    if num_steps < 0:
        raise ValueError(f"num_steps must be a non-negative integer, not {num_steps}")
    if timestep + num_steps > MAX_TIMESTEP:
        raise ValueError(f"step_time({num_steps}) would take the timestep past "
                         f"{MAX_TIMESTEP} (2**64 - 1), the largest the step counter holds; "
                         f"run fewer steps")
    return num_steps


def check_timestep(value) -> int:
    """A value for ``GeNNModel.timestep``: a whole number from 0 to ``MAX_TIMESTEP``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"timestep must be a whole number of steps (an int), not {value!r}")
    value = int(value)
    if not 0 <= value <= MAX_TIMESTEP:
        raise ValueError(f"timestep must be from 0 to {MAX_TIMESTEP}, not {value}")
    return value


def run_steps(runtime, num_steps: int, show_progress: bool = True) -> None:
    """Advance ``runtime`` by ``num_steps``; Ctrl-C raises KeyboardInterrupt between steps.

    Chunks are whole multiples of the runtime's ``STEPS_PER_GRAPH`` (CUDA launches that many
    steps as one graph), except the last. A run that lasts longer than
    ``progress.DELAY_SECONDS`` shows a progress bar (see ``progress.py``), updated per chunk.
    """
    granularity = max(1, int(getattr(runtime, "STEPS_PER_GRAPH", 1)))
    chunk = granularity
    done = 0
    bar = DelayedBar(num_steps, "step_time", "step", enabled=show_progress)
    with sigint_deferred() as sigint, bar:
        while done < num_steps:
            count = min(chunk, num_steps - done)
            start = time.perf_counter()
            runtime.step_times(count)
            done += count
            bar.advance(count)
            if sigint.received:
                raise KeyboardInterrupt(
                    f"step_time({num_steps}) interrupted after {done} steps: the model is at "
                    f"timestep {runtime.timestep} and its state is that of the end of that "
                    f"step, so it can be stepped on")
            chunk = _next_chunk(chunk, count, time.perf_counter() - start, granularity)


def _next_chunk(chunk: int, count: int, seconds: float, granularity: int) -> int:
    """About CHUNK_SECONDS worth of steps at the rate just measured (growing at most 4x)."""
    if seconds <= 0:
        wanted = chunk * 4
    else:
        wanted = int(CHUNK_SECONDS * count / seconds)
    wanted = max(granularity, min(wanted, chunk * 4))
    return wanted - wanted % granularity


class _SigintFlag:
    received = False


@contextlib.contextmanager
def sigint_deferred():
    """While inside, SIGINT sets ``.received`` instead of raising KeyboardInterrupt.

    Only when Python's default handler is installed and this is the main thread (the only one
    that receives signals); a handler of the user's own is left alone.
    """
    flag = _SigintFlag()
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield flag
        return

    def note(signum, frame):
        flag.received = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
