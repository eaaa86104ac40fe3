"""Compile generated CUDA C++ to a cubin with NVRTC, through the build cache.

NVRTC (``cuda.bindings.nvrtc``, from the ``cuda`` extra: ``pip install pygenn[cuda]``) is
imported lazily, so pygenn imports without it. It runs without a GPU, so CI can at least
compile the generated CUDA code.

NVRTC ships no C/C++ standard headers: ``#include <cstdint>`` (or ``<cmath>``, ``<climits>``)
fails with "could not open source file". Generated code therefore starts with
``nvrtc_prelude()`` instead of includes. The CUDA math functions (``sqrtf``, ``exp``, ``fmin``,
``isnan`` ...) and ``size_t``/``ptrdiff_t`` are built into NVRTC and need nothing.

Targets. ``choose_target`` gives ``"sm_XY"`` (a cubin of SASS for the GPU) whenever NVRTC
knows an architecture of the GPU's major version no newer than the GPU; for a GPU newer than
anything NVRTC knows it gives ``"compute_XY"`` and ``compile_cuda`` then returns NUL-terminated
PTX, which ``cuda_driver.Module.load`` accepts as well (the driver compiles it on load).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import BuildError

# Kernels use C++17; no fused multiply-add so results match the CPU backend bit for bit where
# the arithmetic allows; -default-device makes unqualified functions (support code) device code.
BASE_OPTIONS = ("-std=c++17", "--fmad=false", "-default-device")
DEFAULT_ARCH = "sm_80"
LOG_TAIL_LINES = 60

_nvrtc_module = None


def _nvrtc():
    """The ``cuda.bindings.nvrtc`` module (imported on first use)."""
    global _nvrtc_module
    if _nvrtc_module is None:
        try:
            from cuda.bindings import nvrtc
        except ImportError as error:
            raise BuildError("NVRTC is not available: the package 'cuda-bindings' could not be "
                             f"imported ({error}). Install it with: pip install "
                             "'cuda-bindings>=12.0' nvidia-cuda-nvrtc (or pygenn[cuda])") from None
        _nvrtc_module = nvrtc
    return _nvrtc_module


def _check(call: str, result) -> None:
    """Raise a BuildError if the nvrtcResult ``result`` of ``call`` is not success."""
    if int(result) != 0:
        nvrtc = _nvrtc()
        _, text = nvrtc.nvrtcGetErrorString(result)
        name = getattr(result, "name", str(result))
        raise BuildError(f"{call} failed: {name} ({int(result)}): {text.decode(errors='replace')}")


def available() -> bool:
    """Whether NVRTC can be imported and loaded (its shared library found)."""
    try:
        nvrtc_version()
    except Exception:  # ImportError, BuildError, or the library loader's own error
        return False
    return True


def nvrtc_version() -> tuple[int, int]:
    """NVRTC's (major, minor) version, e.g. (13, 0)."""
    result, major, minor = _nvrtc().nvrtcVersion()
    _check("nvrtcVersion", result)
    return int(major), int(minor)


def supported_archs() -> list[int]:
    """The compute capabilities NVRTC can compile for, as ints (75, 80, ... 120), ascending."""
    result, archs = _nvrtc().nvrtcGetSupportedArchs()
    _check("nvrtcGetSupportedArchs", result)
    return sorted(int(a) for a in archs)


def choose_target(compute_capability: tuple[int, int] | None,
                  driver_version: int | None) -> str:
    """The ``--gpu-architecture`` for a GPU of ``compute_capability`` under ``driver_version``.

    ``None`` compute capability (no GPU, e.g. CI) gives ``"sm_80"``. Otherwise the newest
    architecture NVRTC supports of the GPU's major version and no newer than the GPU
    (``sm_XY`` SASS runs on any GPU of the same major version and at least that minor one).
    A GPU newer than any such architecture gets PTX for NVRTC's newest one (``compute_XY``),
    which needs a driver at least as new as NVRTC. ``driver_version`` is ``cuDriverGetVersion``'s
    number (13000 for 13.0); ``None`` skips the driver checks.
    """
    if compute_capability is None:
        return DEFAULT_ARCH
    major, minor = (int(v) for v in compute_capability)
    wanted = major * 10 + minor
    archs = supported_archs()
    _check_driver_major(driver_version)
    same_major = [a for a in archs if a // 10 == major and a <= wanted]
    if same_major:
        return f"sm_{same_major[-1]}"
    if wanted < archs[0]:
        raise BuildError(
            f"The GPU's compute capability {major}.{minor} is older than any architecture "
            f"NVRTC {_version_text()} supports (sm_{archs[0]} to sm_{archs[-1]}); install an "
            f"older NVRTC that still supports it (e.g. nvidia-cuda-nvrtc-cu12)")
    _check_driver_runs_ptx(driver_version)
    return f"compute_{archs[-1]}"


def _version_text() -> str:
    return "%d.%d" % nvrtc_version()


def _check_driver_major(driver_version: int | None) -> None:
    """Code from NVRTC of a newer major CUDA version than the driver's does not load."""
    if driver_version is None:
        return
    nvrtc_major = nvrtc_version()[0]
    if driver_version // 1000 < nvrtc_major:
        raise BuildError(
            f"NVRTC {_version_text()} makes code for CUDA {nvrtc_major} drivers, but the "
            f"installed driver supports CUDA {driver_version // 1000}.{driver_version % 1000 // 10}"
            f"; update the NVIDIA driver, or install the NVRTC of the driver's CUDA version "
            f"(e.g. pip install 'cuda-bindings<{nvrtc_major}' nvidia-cuda-nvrtc-cu"
            f"{driver_version // 1000})")


def _check_driver_runs_ptx(driver_version: int | None) -> None:
    """PTX is compiled by the driver when loaded, which needs a driver as new as NVRTC."""
    if driver_version is None:
        return
    major, minor = nvrtc_version()
    if driver_version < major * 1000 + minor * 10:
        raise BuildError(
            f"This GPU is newer than any architecture NVRTC {major}.{minor} can make a cubin "
            f"for, and the driver (CUDA {driver_version // 1000}.{driver_version % 1000 // 10}) "
            f"is too old to compile NVRTC {major}.{minor}'s PTX; install a newer "
            f"nvidia-cuda-nvrtc that supports this GPU")


def ftz_option(flush_denormals: bool) -> str:
    """The NVRTC option for the ``flush_denormals`` preference: ``--ftz=true`` flushes
    single-precision subnormal results and inputs to zero (as the CPU backends' MXCSR / FPCR
    setting does); NVRTC's default is ``--ftz=false``."""
    return "--ftz=true" if flush_denormals else "--ftz=false"


def compile_cuda(source: str, name: str, arch: str, options=(), *,
                 source_path: str | os.PathLike | None = None) -> bytes:
    """Compile CUDA C++ ``source`` of model ``name`` for ``arch``; the cubin's bytes.

    ``arch`` is ``"sm_XY"`` (returns a cubin) or ``"compute_XY"`` (returns NUL-terminated PTX).
    The options are ``BASE_OPTIONS``, ``--gpu-architecture=<arch>`` and then ``options``.
    ``source_path`` (where the caller wrote ``source``) names the program, so NVRTC's messages
    point at that file. A failed compilation raises ``BuildError`` with the log's last lines.
    """
    nvrtc = _nvrtc()
    all_options = [*BASE_OPTIONS, f"--gpu-architecture={arch}", *options]
    program_name = str(source_path) if source_path else f"{name}.cu"
    result, program = nvrtc.nvrtcCreateProgram(source.encode(), program_name.encode(), 0, [], [])
    _check("nvrtcCreateProgram", result)
    try:
        result, = nvrtc.nvrtcCompileProgram(program, len(all_options),
                                            [o.encode() for o in all_options])
        if int(result) != 0:
            raise _compile_error(program, result, name, arch, all_options, source_path,
                                 {program_name: source})
        if arch.startswith("compute_"):
            return _program_output(program, "PTX")
        return _program_output(program, "CUBIN")
    finally:
        nvrtc.nvrtcDestroyProgram(program)


def _program_output(program, kind: str) -> bytes:
    """The compiled program's ``kind`` ("CUBIN" or "PTX") as bytes."""
    nvrtc = _nvrtc()
    result, size = getattr(nvrtc, f"nvrtcGet{kind}Size")(program)
    _check(f"nvrtcGet{kind}Size", result)
    buffer = b" " * size
    result, = getattr(nvrtc, f"nvrtcGet{kind}")(program, buffer)
    _check(f"nvrtcGet{kind}", result)
    return buffer


def _program_log(program) -> str:
    nvrtc = _nvrtc()
    result, size = nvrtc.nvrtcGetProgramLogSize(program)
    if int(result) != 0 or size <= 1:
        return ""
    buffer = b" " * size
    nvrtc.nvrtcGetProgramLog(program, buffer)
    return buffer.rstrip(b"\0").decode(errors="replace").rstrip()


def _compile_error(program, result, name: str, arch: str, options: list[str],
                   source_path, sources: dict) -> BuildError:
    """The error for a failed nvrtcCompileProgram: a pygenn bug (see
    ``compile.generated_code_error``), naming the model, file, result and code strings."""
    from .compile import generated_code_error

    log = _program_log(program)
    where = f"generated source {source_path}" if source_path else "generated source (in memory)"
    return generated_code_error(
        f"NVRTC {_version_text()} failed to compile the CUDA code of model '{name}' for {arch} "
        f"({getattr(result, 'name', result)}); {where}", log, source_path,
        sources=sources, command=["nvrtc", *options], returncode=int(result),
        compiler="NVRTC", tail_lines=LOG_TAIL_LINES)


def build_cached_cubin(source: str, name: str, arch: str, options=()) -> Path:
    """Compile ``source`` through the build cache; the path of the cached ``<name>.cubin``.

    The key covers the source, NVRTC's version, ``arch`` and the options. The entry also holds
    the source as ``<name>.cu`` (the file compile errors point at). ``compute_`` targets store
    PTX under the same name; ``Module.load`` takes either.
    """
    from . import cache

    options = list(options)
    file_stem = _file_stem(name)
    sources = {f"{file_stem}.cu": source}
    toolchain_id = "nvrtc-%d.%d" % nvrtc_version()
    flags = [*BASE_OPTIONS, f"--gpu-architecture={arch}", *options]
    key = cache.build_key(sources, toolchain_id, flags, extra="cuda-cubin")

    def build(build_dir: Path) -> Path:
        source_path = build_dir / f"{file_stem}.cu"
        source_path.write_text(source, encoding="utf-8")
        image = compile_cuda(source, name, arch, options, source_path=source_path)
        cubin_path = build_dir / f"{file_stem}.cubin"
        cubin_path.write_bytes(image)
        return cubin_path

    return cache.library_path(cache.get_or_build(key, sources, build, name=name))


def _file_stem(name: str) -> str:
    """``name`` made safe as a file name (model names are normally C identifiers already)."""
    stem = "".join(c if c.isalnum() or c in "_-." else "_" for c in name).strip(".")
    return stem or "model"


def nvrtc_prelude() -> str:
    """What generated CUDA code pastes at its top instead of ``#include``s under NVRTC.

    Fixed-width integers (the same types as ``codegen/rng.py`` uses; it skips its own
    definitions because ``GENN_HAVE_STDINT_TYPES`` is defined), their limits and literal macros,
    ``INFINITY``/``NAN``/``HUGE_VAL(F)`` and the ``FLT_``/``DBL_`` limits. Every macro is guarded,
    so pasting it next to other definitions of the same names is harmless.
    """
    return _PRELUDE


_PRELUDE = """\
// ---- NVRTC prelude: NVRTC has no standard headers (<cstdint>, <cmath>, <cfloat>) ----
#ifndef GENN_HAVE_STDINT_TYPES
#define GENN_HAVE_STDINT_TYPES
typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef long long intptr_t;
typedef unsigned long long uintptr_t;
#endif
#ifndef INT64_C
#define INT8_C(x) (x)
#define INT16_C(x) (x)
#define INT32_C(x) (x)
#define INT64_C(x) (x ## LL)
#define UINT8_C(x) (x ## U)
#define UINT16_C(x) (x ## U)
#define UINT32_C(x) (x ## U)
#define UINT64_C(x) (x ## ULL)
#endif
#ifndef INT64_MAX
#define INT8_MIN (-128)
#define INT8_MAX 127
#define UINT8_MAX 255
#define INT16_MIN (-32767 - 1)
#define INT16_MAX 32767
#define UINT16_MAX 65535
#define INT32_MIN (-2147483647 - 1)
#define INT32_MAX 2147483647
#define UINT32_MAX 4294967295U
#define INT64_MIN (-9223372036854775807LL - 1)
#define INT64_MAX 9223372036854775807LL
#define UINT64_MAX 18446744073709551615ULL
#endif
// Bit patterns of IEEE values; __builtin_bit_cast keeps them constant expressions
#if defined(__has_builtin)
#if __has_builtin(__builtin_bit_cast)
#define GENN_FLOAT_FROM_BITS(bits) __builtin_bit_cast(float, (uint32_t)(bits))
#define GENN_DOUBLE_FROM_BITS(bits) __builtin_bit_cast(double, (uint64_t)(bits))
#endif
#endif
#ifndef GENN_FLOAT_FROM_BITS
#define GENN_FLOAT_FROM_BITS(bits) __int_as_float((int)(bits))
#define GENN_DOUBLE_FROM_BITS(bits) __longlong_as_double((long long)(bits))
#endif
#ifndef INFINITY
#define INFINITY GENN_FLOAT_FROM_BITS(0x7f800000U)
#endif
#ifndef NAN
#define NAN GENN_FLOAT_FROM_BITS(0x7fc00000U)
#endif
#ifndef HUGE_VALF
#define HUGE_VALF INFINITY
#endif
#ifndef HUGE_VAL
#define HUGE_VAL GENN_DOUBLE_FROM_BITS(0x7ff0000000000000ULL)
#endif
#ifndef FLT_MAX
#define FLT_MAX 0x1.fffffep+127F
#define FLT_MIN 0x1p-126F
#define FLT_EPSILON 0x1p-23F
#define DBL_MAX 0x1.fffffffffffffp+1023
#define DBL_MIN 0x1p-1022
#define DBL_EPSILON 0x1p-52
#endif
"""
