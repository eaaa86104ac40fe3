"""The host C++ compiler and the flags the CPU backend compiles generated code with.

The compiler is the ``CXX`` environment variable if set (it may hold a launcher, e.g.
``"ccache g++"``), else the first of ``g++``, ``c++``, ``clang++`` found on ``PATH``. Its path and
version string are part of every build key, so changing compilers never reuses a stale binary.
"""
from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass

CANDIDATE_COMPILERS = ("g++", "c++", "clang++")

# Reproducible by default: no -march=native (a cached binary may move between hosts sharing a
# home directory) and no FMA contraction (results then match the NumPy references bit for bit).
# -fopenmp-simd honours `#pragma omp simd` (the neuron update's state pass, codegen/
# neuron_split.py) without OpenMP threads; -fno-trapping-math lets GCC if-convert user code's
# branches (evaluate both sides, select) so such loops vectorise: it gives up floating-point
# exception traps, which nothing enables, and changes no result.
BASE_FLAGS = ("-fPIC", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd")
DEFAULT_OPT_FLAGS = ("-O2", "-ffp-contract=off")
OPTIMIZE_FLAGS = ("-O3", "-ffast-math")
DEBUG_FLAGS = ("-O0", "-g", "-ffp-contract=off")
# Flags that change what the linker must do, so they are passed on when linking too (so are
# -fsanitize=... flags: they link the sanitizer runtimes, build/sanitizers.py)
_LINK_RELEVANT_FLAGS = ("-fopenmp", "-pthread", "-g")

_INSTALL_HINT = ("Install a C++ compiler (e.g. `apt-get install g++` on Debian/Ubuntu, "
                 "`dnf install gcc-c++` on Fedora, Xcode command line tools on macOS), or set "
                 "the CXX environment variable to the compiler to use.")


@dataclass(frozen=True)
class Toolchain:
    """A C++ compiler: the command that runs it, its resolved path and version string."""

    command: tuple[str, ...]
    path: str
    version: str

    @property
    def identity(self) -> str:
        """What distinguishes this compiler's output from another's (part of the build key)."""
        return f"{' '.join(self.command)}|{self.path}|{self.version}"


def find_cxx() -> Toolchain:
    """The host C++ compiler (``CXX``, else g++, c++, clang++); RuntimeError if there is none."""
    override = os.environ.get("CXX", "").strip()
    if override:
        command = tuple(shlex.split(override))
        if shutil.which(command[0]) is None:
            raise RuntimeError(f"The C++ compiler named by the CXX environment variable "
                               f"('{override}') was not found. Fix CXX or unset it. "
                               + _INSTALL_HINT)
        return _probe(command)
    for name in CANDIDATE_COMPILERS:
        if shutil.which(name) is not None:
            return _probe((name,))
    raise RuntimeError("No C++ compiler found (looked for "
                       + ", ".join(CANDIDATE_COMPILERS) + " on PATH). pygenn compiles the code "
                       "it generates for the CPU backend with it. " + _INSTALL_HINT)


@functools.cache
def _probe(command: tuple[str, ...]) -> Toolchain:
    """Resolve the compiler's path and ask it for its version (cached per process)."""
    compiler = command[-1] if len(command) > 1 and shutil.which(command[-1]) else command[0]
    path = os.path.realpath(shutil.which(compiler) or compiler)
    try:
        result = subprocess.run([*command, "--version"], capture_output=True, text=True,
                                timeout=60, check=False)
    except OSError as error:
        raise RuntimeError(f"Could not run the C++ compiler '{' '.join(command)}': {error}. "
                           + _INSTALL_HINT) from error
    if result.returncode != 0:
        raise RuntimeError(f"The C++ compiler '{' '.join(command)}' failed to report its "
                           f"version (exit code {result.returncode}): "
                           f"{(result.stderr or result.stdout).strip()[:500]}")
    first_line = (result.stdout or result.stderr).strip().splitlines()
    return Toolchain(command, path, first_line[0] if first_line else "unknown version")


def cpu_flags(optimize_code: bool = False, debug_code: bool = False) -> list[str]:
    """Compile flags for the CPU backend's generated code.

    ``optimize_code`` trades bit-reproducibility for speed (``-O3 -ffast-math``);
    ``debug_code`` compiles without optimisation and with debug symbols and wins over it.
    """
    if debug_code:
        return [*DEBUG_FLAGS, *BASE_FLAGS]
    if optimize_code:
        return [*OPTIMIZE_FLAGS, *BASE_FLAGS]
    return [*DEFAULT_OPT_FLAGS, *BASE_FLAGS]


def link_flags(compile_flags: list[str]) -> list[str]:
    """Flags to link a shared library from objects compiled with ``compile_flags``.

    ``-ffast-math`` is deliberately not passed to the link: some GCC versions then link
    crtfastmath.o, which flushes denormals to zero for the whole Python process on load.
    """
    return ["-shared", *(flag for flag in compile_flags if flag in _LINK_RELEVANT_FLAGS
                         or flag.startswith(("-fsanitize=", "-fno-sanitize=")))]
