"""Compiling CPU-backend libraries with sanitizers, and hearing what they find.

What works for a library that ctypes loads into an ordinary (uninstrumented) Python:

* **UndefinedBehaviorSanitizer** (``-fsanitize=undefined``): its runtime, ``libubsan``, is an
  ordinary shared library that the model library pulls in when it is loaded. Reports are
  printed and execution goes on (recoverable checks; ``-fsanitize-undefined-trap-on-error``
  would turn every finding into SIGILL, a crash). To turn findings into Python exceptions,
  pygenn builds a tiny *monitor* library that defines UBSan's report hook
  ``__ubsan_on_report`` and loads it once, globally (``RTLD_GLOBAL``), before any instrumented
  model library: ``libubsan`` then calls it for every report (UBSan reports one place once per
  loaded library). The runtime reads the monitor after every native call and raises
  ``SanitizerError`` (runtime/debug_checks.py). Building and loading the monitor is also the
  probe that the compiler can build UBSan libraries that load here; it runs once per process
  (the monitor itself is in the build cache). Statically linked runtimes (``-static-libubsan``)
  are not used: every model library would carry its own runtime copy.
* **AddressSanitizer** (``-fsanitize=address``) only works when its runtime is the first
  library of the process: ``LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++
  -print-file-name=libstdc++.so)"`` (libstdc++ as well, or ASan cannot intercept C++
  exceptions that extension modules throw), with ``ASAN_OPTIONS=detect_leaks=0`` (Python
  itself leaks by design). Loading an ASan library
  into a process without that preload makes the ASan runtime end the process, so pygenn only
  compiles with it where the runtime is already loaded, and refuses to load such a library
  anywhere else. ASan reports end the process with a report on stderr: a test run under it
  fails loudly.

Which sanitizers a build gets:

* ``debug_code=True``: ``undefined`` where the probe succeeds, and ``address`` too where the
  ASan runtime is preloaded; otherwise they are left out (logged), the checks pygenn generates
  itself (codegen/debug_checks.py) stay.
* The ``PYGENN_SANITIZE`` environment variable overrides that for every CPU-backend build,
  debug or not: a comma-separated list of ``address`` and ``undefined``, or ``none``. A
  sanitizer it asks for that cannot be used is an error, not a silent fallback (CI relies on
  it: see ``.ci/run``).
"""
from __future__ import annotations

import ctypes
import functools
import logging
import os

ENV_VAR = "PYGENN_SANITIZE"
KNOWN = ("address", "undefined")
# UBSan without its pointer checks (null, alignment, pointer-overflow): generated code reaches
# every array through a struct pointer, so they would check almost every line and make
# compiling four times slower, for pointers pygenn made itself (memory errors are ASan's and
# pygenn's own bounds checks' job); plus float-to-integer conversions that overflow, which
# GCC's `undefined` leaves out and user code easily does
FLAGS = {"address": ("-fsanitize=address", "-fno-omit-frame-pointer"),
         "undefined": ("-fsanitize=undefined,float-cast-overflow",
                       "-fno-sanitize=null,alignment,pointer-overflow")}
# libstdc++ too: ASan intercepts C++ exceptions only if libstdc++ is there when it starts
# (Python does not link it; extension modules that throw, e.g. matplotlib's, would abort)
PRELOAD_HINT = ('run Python with the ASan runtime preloaded: LD_PRELOAD="$(g++ '
                '-print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)" '
                'ASAN_OPTIONS=detect_leaks=0 python ...')

logger = logging.getLogger("pygenn")

# the monitor: UBSan calls __ubsan_on_report for every report; the first report since pygenn
# last looked is kept whole (model code may run on several OpenMP threads)
MONITOR_SOURCE = """\
// pygenn's UndefinedBehaviorSanitizer monitor (pygenn build/sanitizers.py)
#include <cstdio>
#include <cstring>
extern "C" {
void __ubsan_get_current_report_data(const char **kind, const char **message,
                                     const char **file, unsigned *line, unsigned *column,
                                     char **address);
unsigned long long pygenn_ubsan_reports = 0;
static char first_report[4096];
static char first_file[1024];
static unsigned first_line = 0;
void __ubsan_on_report(void) {
    const char *kind = "", *message = "", *file = "";
    unsigned line = 0, column = 0;
    char *address = nullptr;
    __ubsan_get_current_report_data(&kind, &message, &file, &line, &column, &address);
    if (__atomic_fetch_add(&pygenn_ubsan_reports, 1ull, __ATOMIC_RELAXED) == 0ull) {
        snprintf(first_report, sizeof first_report, "%s: %s (%s:%u:%u)", kind, message, file,
                 line, column);
        snprintf(first_file, sizeof first_file, "%s", file);
        first_line = line;
    }
}
// the first report since the last call (its text, file and line) and how many there were
unsigned long long pygenn_ubsan_take(char *report, size_t report_size, char *file,
                                     size_t file_size, unsigned *line) {
    const unsigned long long count = __atomic_exchange_n(&pygenn_ubsan_reports, 0ull,
                                                         __ATOMIC_ACQ_REL);
    snprintf(report, report_size, "%s", count ? first_report : "");
    snprintf(file, file_size, "%s", count ? first_file : "");
    *line = count ? first_line : 0u;
    return count;
}
}
"""


class UbsanMonitor:
    """The loaded monitor: how many UBSan reports there were, and the first one."""

    def __init__(self, lib):
        self.lib = lib
        self.counter = ctypes.c_ulonglong.in_dll(lib, "pygenn_ubsan_reports")
        self.lib.pygenn_ubsan_take.restype = ctypes.c_ulonglong
        self.lib.pygenn_ubsan_take.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                               ctypes.c_char_p, ctypes.c_size_t,
                                               ctypes.POINTER(ctypes.c_uint)]

    def take(self):
        """(count, first report, its file, its line) since the last call; count 0 if none."""
        report, file, line = (ctypes.create_string_buffer(4096),
                              ctypes.create_string_buffer(1024), ctypes.c_uint(0))
        count = self.lib.pygenn_ubsan_take(report, len(report), file, len(file),
                                           ctypes.byref(line))
        return (int(count), report.value.decode(errors="replace"),
                file.value.decode(errors="replace"), int(line.value))


def requested() -> tuple[str, ...] | None:
    """The sanitizers ``PYGENN_SANITIZE`` asks for (possibly none); None where it is unset."""
    value = os.environ.get(ENV_VAR)
    if value is None or not value.strip():
        return None
    names = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",")
                                if part.strip()))
    if names in (("none",), ("0",)):
        return ()
    unknown = [name for name in names if name not in KNOWN]
    if unknown:
        raise RuntimeError(f"{ENV_VAR}={value!r}: unknown sanitizer(s) "
                           f"{', '.join(map(repr, unknown))}; use a comma-separated list of "
                           f"{' and '.join(KNOWN)}, or 'none'")
    return names


def choose(debug_code: bool) -> tuple[str, ...]:
    """The sanitizers a CPU-backend build gets (see the module docstring)."""
    names = requested()
    if names is not None:
        for name in names:
            problem = _unusable(name)
            if problem:
                raise RuntimeError(f"{ENV_VAR} asks for the {name} sanitizer, but {problem}")
        return names
    if not debug_code:
        return ()
    chosen = []
    for name in KNOWN:
        problem = _unusable(name)
        if problem is None:
            chosen.append(name)
        elif name == "undefined":
            logger.warning("debug_code: building without UndefinedBehaviorSanitizer: %s",
                           problem)
    return tuple(chosen)


def compile_flags(names) -> list[str]:
    """Compiler (and linker) flags for sanitizers ``names``."""
    return [flag for name in names for flag in FLAGS[name]]


def prepare_load(names) -> UbsanMonitor | None:
    """Before loading a library built with ``names``: refuse what would end the process, and
    load the UBSan monitor first; the monitor (None without ``undefined``)."""
    if "address" in names and not asan_runtime_loaded():
        raise RuntimeError("This model library was built with AddressSanitizer, whose runtime "
                           "must be the first library of the process; " + PRELOAD_HINT
                           + " (or rebuild without it)")
    if "undefined" not in names:
        return None
    monitor = ubsan_monitor()
    if monitor is None:
        raise RuntimeError("This model library was built with UndefinedBehaviorSanitizer, "
                           "but pygenn's UBSan monitor cannot be built or loaded here")
    return monitor


def asan_runtime_loaded() -> bool:
    """Whether AddressSanitizer's runtime is in this process (preloaded)."""
    return hasattr(ctypes.CDLL(None), "__asan_init")


def _unusable(name: str) -> str | None:
    """Why sanitizer ``name`` cannot be used in this process, or None."""
    if name == "undefined":
        return None if ubsan_monitor() is not None else (
            "the C++ compiler cannot build a UBSan library that loads into Python "
            f"({_monitor_problem or 'unknown reason'})")
    if not asan_runtime_loaded():
        return "its runtime is not loaded; " + PRELOAD_HINT
    return _asan_probe()


_monitor_problem: str | None = None


@functools.cache
def ubsan_monitor() -> UbsanMonitor | None:
    """The UBSan monitor, built (through the build cache) and loaded once per process; None
    where that fails (the compiler or its UBSan runtime is missing or does not fit)."""
    global _monitor_problem
    from ..runtime.library import load_private_library
    from .cache import build_cached_library
    try:
        library = build_cached_library({"ubsan_monitor.cc": MONITOR_SOURCE},
                                       name="pygenn_ubsan_monitor",
                                       flags=["-fPIC", "-O2", *FLAGS["undefined"]])
        return UbsanMonitor(load_private_library(library, mode=ctypes.RTLD_GLOBAL))
    except Exception as error:  # noqa: BLE001 - a missing compiler, runtime or symbol: no UBSan
        _monitor_problem = _first_line(error)
        return None


@functools.cache
def _asan_probe() -> str | None:
    """None if the compiler builds ASan libraries that load into this (preloaded) process."""
    from ..runtime.library import load_private_library
    from .cache import build_cached_library
    try:
        library = build_cached_library(
            {"asan_probe.cc": 'extern "C" int pygenn_asan_probe(int x) { return x + 1; }\n'},
            name="pygenn_asan_probe", flags=["-fPIC", "-O1", *FLAGS["address"]])
        if load_private_library(library).pygenn_asan_probe(1) != 2:
            return "a probe library built with it computes wrong results"
    except Exception as error:  # noqa: BLE001 - any failure means: not usable here
        return f"a probe library built with it does not build or load ({_first_line(error)})"
    return None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__
