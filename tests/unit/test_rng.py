"""The counter-based RNG: Philox known answers, C against NumPy, and each distribution's law."""
from __future__ import annotations

import ctypes
import shutil
import subprocess

import numpy as np
import pytest
from scipy import stats

from pygenn._src.build import cache, toolchain
from pygenn._src.codegen import rng_numpy
from pygenn._src.codegen.rng import STEP_BITS, STREAM_BITS, WORDS_PER_DRAW, rng_source
from pygenn._src.codegen.rng_numpy import RngStreams, philox4x32_10

# Random123's known-answer vectors for Philox4x32-10: (counter, key, output)
KNOWN_ANSWERS = [
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([0xFFFFFFFF] * 4, [0xFFFFFFFF] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    ([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0],
     [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]),
]

# draw kinds of the C harness; the fixed-cost ones append the next raw word after their draws
KINDS = ["u32", "uniform_f", "uniform_d", "normal_f", "normal_d", "exponential_f",
         "exponential_d", "log_normal_f", "log_normal_d", "gamma_f", "gamma_d", "binomial_f",
         "binomial_d"]

HARNESS = r"""
extern "C" void kat(const uint32_t* ctr, const uint32_t* key, uint32_t* out)
{
    philox4x32_10(ctr, key, out);
}

static double draw_one(GeNNRNG* rng, int kind, double a, double b)
{
    switch (kind) {
    case 0: return genn_rng_next_u32(rng);
    case 1: return genn_rng_uniform_f(rng);
    case 2: return genn_rng_uniform_d(rng);
    case 3: return genn_rng_normal_f(rng);
    case 4: return genn_rng_normal_d(rng);
    case 5: return genn_rng_exponential_f(rng);
    case 6: return genn_rng_exponential_d(rng);
    case 7: return genn_rng_log_normal_f(rng, (float)a, (float)b);
    case 8: return genn_rng_log_normal_d(rng, a, b);
    case 9: return genn_rng_gamma_f(rng, (float)a);
    case 10: return genn_rng_gamma_d(rng, a);
    case 11: return genn_rng_binomial_f(rng, (uint32_t)a, (float)b);
    default: return genn_rng_binomial_d(rng, (uint32_t)a, b);
    }
}

// out[e * (count + 1) + i]: draw i of element e's stream, then the next raw word
extern "C" void draw(int kind, uint64_t seed, uint32_t stream, const uint32_t* elements,
                     uint32_t num_elements, uint64_t step, uint32_t count, double a, double b,
                     double* out)
{
    for (uint32_t e = 0; e < num_elements; e++) {
        GeNNRNG rng;
        genn_rng_init(&rng, seed, stream, elements[e], step);
        double* row = out + (size_t)e * (count + 1);
        for (uint32_t i = 0; i < count; i++) {
            row[i] = draw_one(&rng, kind, a, b);
        }
        row[count] = genn_rng_next_u32(&rng);
    }
}
"""

HAVE_CXX = any(shutil.which(name) for name in toolchain.CANDIDATE_COMPILERS)


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    """The RNG (CPU dialect) plus HARNESS, compiled through the build cache in a private dir."""
    if not HAVE_CXX:
        pytest.skip("no C++ compiler installed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.CACHE_DIR_ENV, str(tmp_path_factory.mktemp("rng_cache")))
        path = cache.build_cached_library({"rng_harness.cc": rng_source("cpu") + HARNESS},
                                          name="rng_harness")
    library = ctypes.CDLL(str(path))
    library.draw.argtypes = [ctypes.c_int, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_void_p,
                             ctypes.c_uint32, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_double,
                             ctypes.c_double, ctypes.c_void_p]
    library.kat.argtypes = [ctypes.c_void_p] * 3
    return library


def c_draw(library, kind: str, count: int, elements=(0,), seed=1234, stream=0, step=0,
           a=0.0, b=0.0) -> tuple[np.ndarray, np.ndarray]:
    """(draws (elements, count), the raw word after them (elements,)) from the C harness."""
    elements = np.ascontiguousarray(elements, dtype=np.uint32)
    out = np.empty((len(elements), count + 1))
    library.draw(KINDS.index(kind), seed, stream, elements.ctypes.data, len(elements), step,
                 count, a, b, out.ctypes.data)
    return out[:, :count], out[:, count].astype(np.uint32)


def samples(library, kind: str, a=0.0, b=0.0, size=200_000) -> np.ndarray:
    """``size`` draws from 1000 element streams of one step."""
    draws, _ = c_draw(library, kind, size // 1000, elements=np.arange(1000), seed=20240611,
                      stream=3, step=17, a=a, b=b)
    return draws.ravel()


# ---- Philox ----

@pytest.mark.parametrize("ctr, key, expected", KNOWN_ANSWERS)
def test_numpy_philox_known_answers(ctr, key, expected):
    np.testing.assert_array_equal(philox4x32_10(np.array(ctr), np.array(key)), expected)


@pytest.mark.parametrize("ctr, key, expected", KNOWN_ANSWERS)
def test_c_philox_known_answers(harness, ctr, key, expected):
    out = np.zeros(4, dtype=np.uint32)
    harness.kat(np.array(ctr, dtype=np.uint32).ctypes.data,
                np.array(key, dtype=np.uint32).ctypes.data, out.ctypes.data)
    np.testing.assert_array_equal(out, expected)


def test_numpy_philox_is_vectorised():
    ctrs = np.array([k[0] for k in KNOWN_ANSWERS])
    keys = np.array([k[1] for k in KNOWN_ANSWERS])
    np.testing.assert_array_equal(philox4x32_10(ctrs, keys), [k[2] for k in KNOWN_ANSWERS])


# ---- stream layout ----

def test_stream_counter_layout():
    ctr = rng_numpy.stream_counter(stream=0xABCDEF, elements=[7], step=(0x5A << 32) | 0x1234,
                                   block=9)
    np.testing.assert_array_equal(ctr, [[7, 0x1234, 0x5A | (0xABCDEF << 8), 9]])
    assert STEP_BITS + STREAM_BITS == 64


def test_streams_with_different_names_differ():
    names = [(1, 0, 0, 0), (2, 0, 0, 0), (1, 1, 0, 0), (1, 0, 1, 0), (1, 0, 0, 1),
             (1, 0, 0, 1 << 32), (1, 1 << 23, 0, 0)]
    words = {tuple(RngStreams(seed, stream, [element], step).next_u32(4)[0])
             for seed, stream, element, step in names}
    assert len(words) == len(names)


def test_numpy_streams_continue_across_blocks():
    whole = RngStreams(5, 1, [3, 4], 2).next_u32(11)
    pieces = RngStreams(5, 1, [3, 4], 2)
    np.testing.assert_array_equal(np.hstack([pieces.next_u32(3), pieces.next_u32(6),
                                             pieces.next_u32(2)]), whole)
    assert pieces.position == 11


def test_numpy_draws_consume_documented_word_counts():
    for kind in ("uniform_f", "uniform_d", "normal_f", "normal_d", "exponential_f",
                 "exponential_d"):
        streams = RngStreams(1, 0, [0])
        getattr(streams, kind)(3)
        assert streams.position == 3 * WORDS_PER_DRAW[kind], kind


def test_numpy_uniform_float_matches_bit_recipe():
    streams = RngStreams(9, 0, [0])
    words = RngStreams(9, 0, [0]).next_u32(100)
    expected = (words >> 8).astype(np.float64) / 2**24
    np.testing.assert_array_equal(streams.uniform_f(100).astype(np.float64), expected)


# ---- C against NumPy ----

STREAM_NAMES = dict(seed=(1 << 40) + 123, stream=5, step=(1 << 33) + 17,
                    elements=[0, 1, 7, 0xFFFFFFFF])


def numpy_streams() -> RngStreams:
    return RngStreams(STREAM_NAMES["seed"], STREAM_NAMES["stream"], STREAM_NAMES["elements"],
                      STREAM_NAMES["step"])


def test_c_and_numpy_raw_words_are_identical(harness):
    draws, _ = c_draw(harness, "u32", 1000, **STREAM_NAMES)
    np.testing.assert_array_equal(draws.astype(np.uint32), numpy_streams().next_u32(1000))


@pytest.mark.parametrize("kind", ["uniform_f", "uniform_d"])
def test_c_and_numpy_uniforms_are_bit_identical(harness, kind):
    draws, after = c_draw(harness, kind, 1000, **STREAM_NAMES)
    streams = numpy_streams()
    np.testing.assert_array_equal(draws, getattr(streams, kind)(1000).astype(np.float64))
    np.testing.assert_array_equal(after, streams.next_u32(1)[:, 0])


@pytest.mark.parametrize("kind, atol", [("normal_f", 2e-6), ("normal_d", 1e-13),
                                        ("exponential_f", 2e-6), ("exponential_d", 1e-13)])
def test_c_and_numpy_transformed_draws_agree(harness, kind, atol):
    draws, after = c_draw(harness, kind, 1000, **STREAM_NAMES)
    streams = numpy_streams()
    expected = getattr(streams, kind)(1000).astype(np.float64)
    np.testing.assert_allclose(draws, expected, rtol=4 * atol, atol=atol)
    np.testing.assert_array_equal(after, streams.next_u32(1)[:, 0])


@pytest.mark.parametrize("kind", ["log_normal_f", "log_normal_d"])
def test_c_log_normal_consumes_one_normal(harness, kind):
    _, after = c_draw(harness, kind, 10, a=0.5, b=0.25, **STREAM_NAMES)
    streams = numpy_streams()
    streams.next_u32(10 * WORDS_PER_DRAW[kind])
    np.testing.assert_array_equal(after, streams.next_u32(1)[:, 0])


# ---- distributions ----

def assert_moments(sample, mean, variance, sigmas=5.0):
    """Sample mean and variance within ``sigmas`` standard errors of the true ones."""
    n = len(sample)
    assert abs(sample.mean() - mean) < sigmas * np.sqrt(variance / n)
    # standard error of the variance, from the sample's fourth central moment
    fourth = np.mean((sample - sample.mean()) ** 4)
    assert abs(sample.var() - variance) < sigmas * np.sqrt((fourth - variance**2) / n)


def assert_ks(sample, distribution):
    assert stats.kstest(sample, distribution.cdf).pvalue > 1e-3


@pytest.mark.parametrize("suffix", ["_f", "_d"])
def test_uniform_distribution(harness, suffix):
    sample = samples(harness, "uniform" + suffix)
    assert sample.min() >= 0.0 and sample.max() < 1.0
    assert_moments(sample, 0.5, 1 / 12)
    assert_ks(sample, stats.uniform())


@pytest.mark.parametrize("suffix", ["_f", "_d"])
def test_normal_distribution(harness, suffix):
    sample = samples(harness, "normal" + suffix)
    assert_moments(sample, 0.0, 1.0)
    assert_ks(sample, stats.norm())


@pytest.mark.parametrize("suffix", ["_f", "_d"])
def test_exponential_distribution(harness, suffix):
    sample = samples(harness, "exponential" + suffix)
    assert sample.min() >= 0.0
    assert_moments(sample, 1.0, 1.0)
    assert_ks(sample, stats.expon())


@pytest.mark.parametrize("suffix", ["_f", "_d"])
def test_log_normal_distribution(harness, suffix):
    mean, sd = 0.5, 0.4
    sample = samples(harness, "log_normal" + suffix, a=mean, b=sd)
    law = stats.lognorm(s=sd, scale=np.exp(mean))
    assert_moments(sample, law.mean(), law.var())
    assert_ks(sample, law)


@pytest.mark.parametrize("suffix", ["_f", "_d"])
@pytest.mark.parametrize("alpha", [0.5, 3.0, 40.0])
def test_gamma_distribution(harness, suffix, alpha):
    sample = samples(harness, "gamma" + suffix, a=alpha)
    assert sample.min() > 0.0
    assert_moments(sample, alpha, alpha)
    assert_ks(sample, stats.gamma(alpha))


@pytest.mark.parametrize("alpha", [0.0, -1.0, float("nan")])
def test_gamma_of_degenerate_shape_is_zero(harness, alpha):
    draws, _ = c_draw(harness, "gamma_d", 3, a=alpha)
    np.testing.assert_array_equal(draws, 0.0)


def pooled_bin_starts(expected: np.ndarray, minimum: float = 5.0) -> np.ndarray:
    """Starts of runs of consecutive outcomes that each expect at least ``minimum`` counts."""
    starts, total = [0], 0.0
    for outcome, count in enumerate(expected[:-1]):
        total += count
        if total >= minimum:
            starts.append(outcome + 1)
            total = 0.0
    if expected[starts[-1]:].sum() < minimum and len(starts) > 1:
        starts.pop()  # fold a thin last run into the one before
    return np.array(starts)


def assert_binomial_chi_square(sample, n, p):
    """Pearson chi-square against the binomial pmf over pooled bins."""
    counts = np.bincount(sample.astype(np.int64), minlength=n + 1)
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * len(sample)
    starts = pooled_bin_starts(expected)
    observed_bins = np.add.reduceat(counts, starts)
    expected_bins = np.add.reduceat(expected, starts)
    statistic = np.sum((observed_bins - expected_bins) ** 2 / expected_bins)
    assert len(starts) > 5
    assert stats.chi2.sf(statistic, len(starts) - 1) > 1e-3


@pytest.mark.parametrize("suffix", ["_f", "_d"])
@pytest.mark.parametrize("n, p", [(20, 0.3), (1000, 0.005), (50, 0.9), (100_000, 0.3),
                                  (100_000, 0.8), (40, 0.5)])
def test_binomial_distribution(harness, suffix, n, p):
    p = float(np.float32(p)) if suffix == "_f" else p
    sample = samples(harness, "binomial" + suffix, a=n, b=p, size=100_000)
    assert sample.min() >= 0 and sample.max() <= n
    assert_moments(sample, n * p, n * p * (1 - p))
    assert_binomial_chi_square(sample, n, p)


def test_binomial_with_a_million_trials(harness):
    n, p = 1_000_000, 0.37
    sample = samples(harness, "binomial_d", a=n, b=p, size=100_000)
    assert_moments(sample, n * p, n * p * (1 - p))
    assert_binomial_chi_square(sample, n, p)


@pytest.mark.parametrize("n, p, expected", [(0, 0.5, 0), (10, 0.0, 0), (10, 1.0, 10),
                                            (10, -0.5, 0), (10, 2.0, 10),
                                            (10, float("nan"), 0)])
def test_binomial_edge_cases(harness, n, p, expected):
    draws, _ = c_draw(harness, "binomial_d", 5, a=n, b=p)
    np.testing.assert_array_equal(draws, expected)


# ---- the generated source ----

def test_rng_source_rejects_unknown_dialect():
    with pytest.raises(ValueError, match="Unknown RNG dialect 'opencl': use one of cpu, cuda"):
        rng_source("opencl")


def test_rng_source_dialect_qualifiers():
    cpu, cuda = rng_source("cpu"), rng_source("cuda")
    assert "static inline uint32_t genn_rng_next_u32(GeNNRNG* rng)" in cpu
    assert "__device__ __forceinline__ uint32_t genn_rng_next_u32(GeNNRNG* rng)" in cuda
    assert "__umulhi" in cuda and "__umulhi" not in cpu and "__device__" not in cpu
    for suffix in ("_f", "_d"):
        for name in ("uniform", "normal", "exponential", "log_normal", "gamma", "binomial"):
            assert f"genn_rng_{name}{suffix}(GeNNRNG* rng" in cpu


@pytest.mark.skipif(not HAVE_CXX, reason="no C++ compiler installed")
def test_cpu_source_compiles_cleanly_with_warnings_on(tmp_path):
    source = tmp_path / "rng.cc"
    source.write_text(rng_source("cpu") + rng_source("cpu"))  # pasted twice: guarded
    command = [*toolchain.find_cxx().command, "-std=c++17", "-Wall", "-Wextra", "-Werror",
               "-fsyntax-only", str(source)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


CUDA_KERNEL = r"""
extern "C" __global__ void draw_all(unsigned int* words, float* floats, double* doubles)
{
    GeNNRNG rng;
    genn_rng_init(&rng, 42ull, 1u, threadIdx.x, 7ull);
    words[threadIdx.x] = genn_rng_next_u32(&rng) + genn_rng_binomial_f(&rng, 100000u, 0.3f);
    floats[threadIdx.x] = genn_rng_uniform_f(&rng) + genn_rng_normal_f(&rng)
        + genn_rng_exponential_f(&rng) + genn_rng_log_normal_f(&rng, 0.0f, 1.0f)
        + genn_rng_gamma_f(&rng, 0.5f);
    doubles[threadIdx.x] = genn_rng_uniform_d(&rng) + genn_rng_normal_d(&rng)
        + genn_rng_exponential_d(&rng) + genn_rng_log_normal_d(&rng, 0.0, 1.0)
        + genn_rng_gamma_d(&rng, 3.0) + genn_rng_binomial_d(&rng, 10u, 0.2);
}
"""


def test_cuda_source_compiles_with_nvrtc():
    nvrtc = pytest.importorskip("cuda.bindings.nvrtc")
    source = (rng_source("cuda") + CUDA_KERNEL).encode()
    err, program = nvrtc.nvrtcCreateProgram(source, b"rng.cu", 0, [], [])
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS
    options = [b"--std=c++17"]
    (err,) = nvrtc.nvrtcCompileProgram(program, len(options), options)
    _, size = nvrtc.nvrtcGetProgramLogSize(program)
    log = b" " * size
    nvrtc.nvrtcGetProgramLog(program, log)
    assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS, log.decode(errors="replace")


def test_cuda_source_compiles_with_nvcc(tmp_path):
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("nvcc is not installed")
    source = tmp_path / "rng.cu"
    source.write_text(rng_source("cuda") + CUDA_KERNEL)
    result = subprocess.run([nvcc, "-std=c++17", "-ptx", str(source), "-o",
                             str(tmp_path / "rng.ptx")], capture_output=True, text=True)
    if result.returncode != 0 and "draw_all" not in result.stderr + result.stdout and \
            "rng.cu" not in result.stderr + result.stdout:
        pytest.skip(f"nvcc does not work here: {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr
    assert "draw_all" in (tmp_path / "rng.ptx").read_text()


# ---- CUDA against NumPy (needs cuda-bindings and a GPU) ----

CUDA_DRAW_KERNEL = r"""
extern "C" __global__ void draw_streams(int kind, unsigned long long seed, unsigned int stream,
                                        unsigned long long step, unsigned int count,
                                        unsigned int num_elements, double* out)
{
    const unsigned int element = blockIdx.x * blockDim.x + threadIdx.x;
    if (element >= num_elements) {
        return;
    }
    GeNNRNG rng;
    genn_rng_init(&rng, seed, stream, element, step);
    for (unsigned int i = 0; i < count; i++) {
        double value;
        switch (kind) {
        case 0: value = genn_rng_next_u32(&rng); break;
        case 1: value = genn_rng_uniform_f(&rng); break;
        case 2: value = genn_rng_uniform_d(&rng); break;
        case 3: value = genn_rng_normal_f(&rng); break;
        default: value = genn_rng_normal_d(&rng); break;
        }
        out[(size_t)element * count + i] = value;
    }
}
"""


def _checked(result):
    """Unpack a cuda-bindings (error, *values) tuple, failing the test on an error."""
    error, *values = result
    assert int(error) == 0, f"CUDA call failed: {error}"
    return values[0] if len(values) == 1 else values


def _nvrtc_ptx(nvrtc, source: str) -> bytes:
    program = _checked(nvrtc.nvrtcCreateProgram(source.encode(), b"draw.cu", 0, [], []))
    options = [b"--std=c++17", b"--gpu-architecture=compute_80"]
    (error,) = nvrtc.nvrtcCompileProgram(program, len(options), options)
    log = b" " * _checked(nvrtc.nvrtcGetProgramLogSize(program))
    nvrtc.nvrtcGetProgramLog(program, log)
    assert int(error) == 0, log.decode(errors="replace")
    ptx = b" " * _checked(nvrtc.nvrtcGetPTXSize(program))
    _checked(nvrtc.nvrtcGetPTX(program, ptx))
    return ptx


def _cuda_draws(driver, ptx: bytes, kind: int, seed: int, stream: int, step: int, count: int,
                num_elements: int) -> np.ndarray:
    module = _checked(driver.cuModuleLoadData(ptx))
    function = _checked(driver.cuModuleGetFunction(module, b"draw_streams"))
    out = np.zeros((num_elements, count))
    device_out = _checked(driver.cuMemAlloc(out.nbytes))
    values = [np.array([kind], np.int32), np.array([seed], np.uint64),
              np.array([stream], np.uint32), np.array([step], np.uint64),
              np.array([count], np.uint32), np.array([num_elements], np.uint32),
              np.array([int(device_out)], np.uint64)]
    pointers = np.array([value.ctypes.data for value in values], dtype=np.uint64)
    _checked(driver.cuLaunchKernel(function, (num_elements + 63) // 64, 1, 1, 64, 1, 1, 0, 0,
                                   pointers.ctypes.data, 0))
    _checked(driver.cuMemcpyDtoH(out.ctypes.data, device_out, out.nbytes))
    _checked(driver.cuMemFree(device_out))
    _checked(driver.cuModuleUnload(module))
    return out


@pytest.fixture(scope="module")
def cuda_context():
    driver = pytest.importorskip("cuda.bindings.driver")
    nvrtc = pytest.importorskip("cuda.bindings.nvrtc")
    try:
        (error,) = driver.cuInit(0)
    except Exception as exc:  # cuda-bindings installed but no NVIDIA driver library here
        pytest.skip(f"no CUDA driver: {exc}")
    if int(error) != 0 or _checked(driver.cuDeviceGetCount()) == 0:
        pytest.skip("no CUDA device")
    device = _checked(driver.cuDeviceGet(0))
    context = _checked(driver.cuDevicePrimaryCtxRetain(device))
    _checked(driver.cuCtxSetCurrent(context))
    yield driver, _nvrtc_ptx(nvrtc, rng_source("cuda") + CUDA_DRAW_KERNEL)
    driver.cuDevicePrimaryCtxRelease(device)


@pytest.mark.cuda
@pytest.mark.parametrize("kind, name, atol", [(0, "next_u32", 0.0), (1, "uniform_f", 0.0),
                                              (2, "uniform_d", 0.0), (3, "normal_f", 2e-6),
                                              (4, "normal_d", 1e-13)])
def test_cuda_and_numpy_streams_agree(cuda_context, kind, name, atol):
    driver, ptx = cuda_context
    names = dict(seed=(1 << 40) + 123, stream=5, step=(1 << 33) + 17)
    draws = _cuda_draws(driver, ptx, kind, count=1000, num_elements=300, **names)
    expected = getattr(RngStreams(names["seed"], names["stream"], np.arange(300),
                                  names["step"]), name)(1000).astype(np.float64)
    if atol == 0.0:
        np.testing.assert_array_equal(draws, expected)
    else:
        np.testing.assert_allclose(draws, expected, rtol=4 * atol, atol=atol)
