"""How the multi-threaded CPU backend's OpenMP threads wait, and how many there may be.

GNU OpenMP (libgomp) lets a thread that has finished its part of a parallel region spin for a
while before it sleeps, so the next region starts without waking it. By default it spins for
about 300,000 rounds (around a millisecond): on a machine whose cores other processes use,
those spins take the cores from them and from the model's own threads, and a step of a few
microseconds becomes milliseconds. libgomp reads its wait settings once, when it is loaded
into the process; so before the first multi-threaded model library is loaded (it loads
libgomp) ``openmp_environment`` sets a short spin (``GOMP_SPINCOUNT``, long enough to bridge
the gap between the parallel regions of one step and of consecutive steps on an idle machine,
short enough that a thread gives its core back within some tens of microseconds) and restores
the environment right after, so child processes do not inherit it. If libgomp was already
loaded (another library uses OpenMP) its settings stay as they are. Settings the user made
(``OMP_WAIT_POLICY``, ``GOMP_SPINCOUNT``) are always kept.

Whatever the wait policy, the step's team size adapts at run time (``pygenn_tune_begin`` in
the generated code): when other processes keep the cores busy the step runs on fewer threads.
"""
from __future__ import annotations

import contextlib
import os

#: GOMP_SPINCOUNT pygenn sets when the user has not chosen a wait policy: spin rounds (one
#: ``pause`` instruction each, some nanoseconds to tens of nanoseconds) before a thread sleeps
SPIN_COUNT = "300"
_USER_SETTINGS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity mask), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def libgomp_loaded() -> bool:
    """Whether GNU OpenMP's runtime is already mapped into this process (Linux); True where
    that cannot be told, so nothing is changed."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return any("libgomp" in line for line in maps)
    except OSError:
        return True


@contextlib.contextmanager
def openmp_environment():
    """Load a multi-threaded model library inside this block: libgomp, if this loads it,
    starts with pygenn's short spin-wait unless the user chose a wait policy."""
    if any(name in os.environ for name in _USER_SETTINGS) or libgomp_loaded():
        yield
        return
    os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    try:
        yield
    finally:
        # libgomp has read it by now; child processes should not inherit it
        os.environ.pop("GOMP_SPINCOUNT", None)
