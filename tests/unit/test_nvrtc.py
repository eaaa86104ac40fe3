"""NVRTC compiler driver: compiling, compile errors, the cubin cache and target choice.

NVRTC needs no GPU, so these run wherever cuda-bindings and the NVRTC wheel are installed.
"""
from __future__ import annotations

import pytest

from pygenn._src.build import cache, nvrtc
from pygenn._src.codegen.rng import rng_source
from pygenn._src.errors import BuildError

pytestmark = pytest.mark.skipif(not nvrtc.available(),
                                reason="NVRTC (cuda-bindings + nvidia-cuda-nvrtc) not installed")

KERNEL = """\
extern "C" __global__ void scale(float* x, float factor, uint32_t n)
{
    const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        x[i] *= factor;
    }
}
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets its own cache directory and a clean memory of failed builds."""
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    cache.forget_failed_builds()
    yield tmp_path / "cache"
    cache.forget_failed_builds()


def test_version_and_archs():
    major, minor = nvrtc.nvrtc_version()
    assert major >= 12 and minor >= 0
    archs = nvrtc.supported_archs()
    assert 80 in archs and archs == sorted(archs)


def test_compile_gives_a_cubin():
    cubin = nvrtc.compile_cuda(nvrtc.nvrtc_prelude() + KERNEL, "scale_model", "sm_80")
    assert cubin.startswith(b"\x7fELF")


def test_compute_target_gives_nul_terminated_ptx():
    ptx = nvrtc.compile_cuda(nvrtc.nvrtc_prelude() + KERNEL, "scale_model", "compute_80")
    assert ptx.endswith(b"\0")
    assert b".entry scale" in ptx


def test_standard_headers_are_missing_so_the_prelude_is_needed():
    with pytest.raises(BuildError, match=r'could not open source file "cstdint"'):
        nvrtc.compile_cuda("#include <cstdint>\n" + KERNEL, "with_includes", "sm_80")


def test_prelude_defines_types_limits_and_special_values():
    source = nvrtc.nvrtc_prelude() + """\
extern "C" __device__ float g_inf = INFINITY;        // constant expressions, usable in
extern "C" __device__ double g_huge = HUGE_VAL;      // static initialisers too
static_assert(sizeof(int8_t) == 1 && sizeof(uint16_t) == 2 && sizeof(int32_t) == 4, "");
static_assert(sizeof(uint64_t) == 8 && sizeof(int64_t) == 8 && sizeof(uintptr_t) == 8, "");
static_assert(UINT64_MAX == UINT64_C(18446744073709551615), "");
static_assert(INT64_MIN < INT64_C(-9223372036854775807), "");
static_assert(INT32_MAX == 2147483647 && UINT8_MAX == 255 && INT8_MIN == -128, "");
extern "C" __global__ void special(float* f, double* d)
{
    f[0] = NAN; f[1] = -INFINITY; f[2] = FLT_MAX; f[3] = FLT_EPSILON; f[4] = HUGE_VALF;
    d[0] = DBL_MAX; d[1] = DBL_MIN; d[2] = DBL_EPSILON + sqrt(d[3]) + expf(f[5]);
    f[6] = isnan(f[0]) ? 1.0f : 0.0f;
}
"""
    assert nvrtc.compile_cuda(source, "prelude", "sm_80").startswith(b"\x7fELF")


def test_prelude_works_with_the_rng_library():
    assert "#define GENN_HAVE_STDINT_TYPES" in nvrtc.nvrtc_prelude()
    source = nvrtc.nvrtc_prelude() + rng_source("cuda") + """\
extern "C" __global__ void draw(float* out)
{
    GeNNRNG rng;
    genn_rng_init(&rng, 1234u, 0u, threadIdx.x, 0u);
    out[threadIdx.x] = genn_rng_uniform_f(&rng);
}
"""
    assert nvrtc.compile_cuda(source, "rng", "sm_80").startswith(b"\x7fELF")


def test_prelude_may_follow_other_definitions_of_the_same_names():
    # e.g. a backend prelude that already typedefs the integers and defines INFINITY
    earlier = ("#define GENN_HAVE_STDINT_TYPES\ntypedef unsigned int uint32_t;\n"
               "typedef unsigned long long uint64_t;\n#define INFINITY __int_as_float(0x7f800000)\n")
    source = earlier + nvrtc.nvrtc_prelude() + "extern \"C\" __global__ void k(uint32_t* p) {}\n"
    assert nvrtc.compile_cuda(source, "twice", "sm_80")


def test_compile_error_has_model_line_and_log(tmp_path):
    source_path = tmp_path / "broken_CODE" / "broken.cu"
    source = nvrtc.nvrtc_prelude() + 'extern "C" __global__ void k(float* x)\n{\n' \
        '    x[0] = undefined_thing;\n}\n'
    line = source.splitlines().index("    x[0] = undefined_thing;") + 1
    with pytest.raises(BuildError, match=r"failed to compile the CUDA code of model 'broken'") \
            as info:
        nvrtc.compile_cuda(source, "broken", "sm_80", source_path=source_path)
    message = str(info.value)
    assert f"{source_path}({line}): error" in message
    assert 'identifier "undefined_thing" is undefined' in message
    assert f"generated source {source_path}" in message
    assert info.value.source_path == str(source_path)
    assert "--gpu-architecture=sm_80" in info.value.command
    assert "undefined_thing" in info.value.output


def test_compile_error_without_path_names_the_model_file():
    with pytest.raises(BuildError, match=r"(?s)in memory.*oops\.cu\(1\): error"):
        nvrtc.compile_cuda("this is not C++", "oops", "sm_80")


def test_long_compile_log_keeps_its_tail():
    body = "".join(f"    x[{i}] = missing_{i};\n" for i in range(100))
    source = 'extern "C" __global__ void k(float* x)\n{\n' + body + "}\n"
    with pytest.raises(BuildError) as info:
        nvrtc.compile_cuda(source, "many_errors", "sm_80")
    message = str(info.value)
    assert "earlier lines of the log left out" in message
    assert "missing_99" in message and "missing_0;" not in message
    assert "missing_0;" in info.value.output  # the whole log stays on the error


def test_options_are_passed_on():
    source = 'extern "C" __global__ void k(int* x) { x[0] = GENN_TEST_VALUE; }\n'
    assert nvrtc.compile_cuda(source, "defined", "sm_80", ["-DGENN_TEST_VALUE=3"])
    with pytest.raises(BuildError, match="GENN_TEST_VALUE"):
        nvrtc.compile_cuda(source, "undefined", "sm_80")


def test_cached_cubin_is_built_once(monkeypatch, private_cache):
    calls = []
    real_compile = nvrtc.compile_cuda

    def counting_compile(*args, **kwargs):
        calls.append(args)
        return real_compile(*args, **kwargs)

    monkeypatch.setattr(nvrtc, "compile_cuda", counting_compile)
    source = nvrtc.nvrtc_prelude() + KERNEL
    first = nvrtc.build_cached_cubin(source, "cached_model", "sm_80")
    second = nvrtc.build_cached_cubin(source, "cached_model", "sm_80")
    assert first == second and len(calls) == 1
    assert first.name == "cached_model.cubin" and first.read_bytes().startswith(b"\x7fELF")
    assert first.parent.parent == private_cache
    assert (first.parent / cache.MANIFEST_NAME).is_file()
    assert (first.parent / "cached_model.cu").read_text() == source


def test_cache_key_covers_arch_and_options():
    source = nvrtc.nvrtc_prelude() + KERNEL
    paths = {nvrtc.build_cached_cubin(source, "m", "sm_80"),
             nvrtc.build_cached_cubin(source, "m", "sm_90"),
             nvrtc.build_cached_cubin(source, "m", "sm_80", ["-lineinfo"]),
             nvrtc.build_cached_cubin(source + "\n", "m", "sm_80")}
    assert len(paths) == 4


def test_cached_build_failure_points_at_kept_source(private_cache):
    with pytest.raises(BuildError, match="model 'bad_model'") as info:
        nvrtc.build_cached_cubin("not C++ at all", "bad_model", "sm_80")
    source_path = info.value.source_path
    assert source_path.startswith(str(private_cache / "failed"))
    assert source_path.endswith("bad_model.cu")
    assert f"{source_path}(1): error" in str(info.value)
    with open(source_path) as kept:
        assert kept.read() == "not C++ at all"


@pytest.fixture
def fake_nvrtc(monkeypatch):
    """NVRTC 13.0 supporting a fixed set of architectures."""
    monkeypatch.setattr(nvrtc, "nvrtc_version", lambda: (13, 0))
    monkeypatch.setattr(nvrtc, "supported_archs",
                        lambda: [75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121])


@pytest.mark.parametrize("capability, driver, target", [
    (None, None, "sm_80"),
    (None, 13000, "sm_80"),
    ((9, 0), 13000, "sm_90"),
    ((8, 9), None, "sm_89"),
    ((8, 6), 13020, "sm_86"),
    ((9, 1), 13000, "sm_90"),        # newer minor version of a known major: same-major SASS
    ((10, 1), 13000, "sm_100"),
    ((12, 1), 13000, "sm_121"),
    ((15, 0), 13000, "compute_121"),  # unknown major: PTX the driver compiles
])
def test_choose_target(fake_nvrtc, capability, driver, target):
    assert nvrtc.choose_target(capability, driver) == target


def test_choose_target_rejects_gpus_older_than_nvrtc_supports(fake_nvrtc):
    with pytest.raises(BuildError, match=r"compute capability 7\.0 is older than any "
                                         r"architecture NVRTC 13\.0 supports"):
        nvrtc.choose_target((7, 0), 13000)


def test_choose_target_rejects_a_driver_of_an_older_major_version(fake_nvrtc):
    with pytest.raises(BuildError, match=r"NVRTC 13\.0 makes code for CUDA 13 drivers, but the "
                                         r"installed driver supports CUDA 12\.8"):
        nvrtc.choose_target((9, 0), 12080)


def test_choose_target_needs_a_new_enough_driver_for_ptx(monkeypatch, fake_nvrtc):
    monkeypatch.setattr(nvrtc, "nvrtc_version", lambda: (13, 5))
    with pytest.raises(BuildError, match=r"too old to compile NVRTC 13\.5's PTX"):
        nvrtc.choose_target((15, 0), 13000)
    assert nvrtc.choose_target((15, 0), 13050) == "compute_121"


def test_choose_target_with_the_real_nvrtc():
    major = nvrtc.nvrtc_version()[0]
    assert nvrtc.choose_target((9, 0), major * 1000) == "sm_90"
    assert nvrtc.choose_target(None, None) == "sm_80"
