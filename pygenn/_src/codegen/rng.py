"""The counter-based random number library pasted into generated C++ and CUDA code.

One generator, Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
SC'11), serves both backends, so the CPU and the GPU draw the same words for the same seed, and
any thread can start any stream without per-thread state.

Stream layout. A stream is named by ``(seed, stream, element, step)`` and is read through
``GeNNRNG``. The Philox key is the 64-bit ``seed``; the 128-bit counter is::

    ctr[0] = element                                  (32 bits: neuron, synapse or row index)
    ctr[1] = step bits 0..31
    ctr[2] = step bits 32..39 | stream << 8           (step: 40 bits; stream: 24 bits)
    ctr[3] = block                                    (32 bits, counts blocks of 4 words)

so two streams that differ in any of the four names never share a counter, and one stream holds
2^32 blocks of four words. ``stream`` distinguishes the users of the generator (a population's
simulation code, a variable's initialisation, ...); ``element`` is the thread's index. Indices
beyond 32 bits (huge dense synapse matrices) must be split by the caller, e.g. row as
``element`` and column as ``step`` during initialisation. Out-of-range bits are dropped.

Every draw consumes a fixed number of words (listed in ``WORDS_PER_DRAW``) except the rejection
samplers (gamma, large-mean binomial), so simple draws stay aligned across CPU, CUDA and the NumPy
reference in ``rng_numpy.py``.
"""
from __future__ import annotations

import math
from string import Template

from .rng_numpy import PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, STEP_BITS, STREAM_BITS

__all__ = ["rng_source", "STEP_BITS", "STREAM_BITS", "WORDS_PER_DRAW", "DIALECTS"]

DIALECTS = ("cpu", "cuda")

# 32-bit words consumed by one draw of each fixed-cost distribution (suffix _f / _d)
WORDS_PER_DRAW = {
    "u32": 1, "uniform_f": 1, "uniform_d": 2, "normal_f": 2, "normal_d": 4,
    "exponential_f": 1, "exponential_d": 2, "log_normal_f": 2, "log_normal_d": 4,
}

_QUALIFIERS = {"cpu": "static inline", "cuda": "__device__ __forceinline__"}

_CPU_PRELUDE = """\
#include <cstdint>
#include <cmath>
"""

# NVRTC has no standard headers; a backend that provides its own integer types defines
# GENN_HAVE_STDINT_TYPES before pasting this source.
_CUDA_PRELUDE = """\
#if defined(__CUDACC_RTC__) && !defined(GENN_HAVE_STDINT_TYPES)
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#elif !defined(__CUDACC_RTC__)
#include <cstdint>
#endif
"""

_MULHILO = {
    "cpu": """\
    const uint64_t product = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(product >> 32);
    *lo = (uint32_t)product;""",
    "cuda": """\
    *hi = __umulhi(a, b);
    *lo = a * b;""",
}

_UNROLL = {"cpu": "", "cuda": "    #pragma unroll\n"}

_CORE = Template("""\
// ---- Philox4x32-10 counter-based generator (Salmon et al., SC'11) ----
$Q void genn_mulhilo32(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo)
{
$mulhilo
}

$Q void philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
${unroll}    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += ${W0}u;
            k1 += ${W1}u;
        }
        uint32_t hi0, lo0, hi1, lo1;
        genn_mulhilo32(${M0}u, c0, &hi0, &lo0);
        genn_mulhilo32(${M1}u, c2, &hi1, &lo1);
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

// One stream (seed, stream, element, step); see pygenn/_src/codegen/rng.py for the layout
typedef struct GeNNRNG {
    uint32_t ctr[4];
    uint32_t key[2];
    uint32_t buf[4];
    uint32_t pos;
} GeNNRNG;

$Q void genn_rng_init(GeNNRNG* rng, uint64_t seed, uint32_t stream, uint32_t element,
                      uint64_t step)
{
    rng->key[0] = (uint32_t)seed;
    rng->key[1] = (uint32_t)(seed >> 32);
    rng->ctr[0] = element;
    rng->ctr[1] = (uint32_t)step;
    rng->ctr[2] = ((uint32_t)(step >> 32) & ${step_hi_mask}u) | (stream << ${step_hi_bits});
    rng->ctr[3] = 0u;
    rng->pos = 4u;
}

$Q uint32_t genn_rng_next_u32(GeNNRNG* rng)
{
    if (rng->pos >= 4u) {
        philox4x32_10(rng->ctr, rng->key, rng->buf);
        rng->ctr[3]++;
        rng->pos = 0u;
    }
    // constant indices only: a run-time index would move the buffer to (slow) local memory
    const uint32_t pos = rng->pos++;
    return pos == 0u ? rng->buf[0] : pos == 1u ? rng->buf[1] : pos == 2u ? rng->buf[2]
        : rng->buf[3];
}

// Uniform in [0, 1): float takes the top 24 bits of one word, double 53 bits of two
$Q float genn_rng_uniform_f(GeNNRNG* rng)
{
    return (float)(genn_rng_next_u32(rng) >> 8) * 5.9604644775390625e-08f;
}

$Q double genn_rng_uniform_d(GeNNRNG* rng)
{
    // two statements: the order of the draws must not be left to the compiler
    const uint32_t high = genn_rng_next_u32(rng) >> 5;
    const uint32_t low = genn_rng_next_u32(rng) >> 6;
    return ((double)high * 67108864.0 + (double)low) * 1.1102230246251565e-16;
}
""")

_DISTRIBUTIONS = Template("""\
// ---- $T distributions ----
$Q $T genn_rng_normal$S(GeNNRNG* rng)
{
    // Box-Muller, cosine branch only: a fixed word count keeps all backends aligned
    const $T radius_u = 1.0$L - genn_rng_uniform$S(rng);
    const $T angle_u = genn_rng_uniform$S(rng);
    return $sqrt(-2.0$L * $log(radius_u)) * $cos(6.283185307179586$L * angle_u);
}

$Q $T genn_rng_exponential$S(GeNNRNG* rng)
{
    return -$log(1.0$L - genn_rng_uniform$S(rng));
}

$Q $T genn_rng_log_normal$S(GeNNRNG* rng, $T mean, $T sd)
{
    return $exp(mean + sd * genn_rng_normal$S(rng));
}

// Marsaglia & Tsang (2000) for shape >= 1
$Q $T genn_rng_gamma_large$S(GeNNRNG* rng, $T alpha)
{
    const $T d = alpha - (1.0$L / 3.0$L);
    const $T c = 1.0$L / $sqrt(9.0$L * d);
    for (;;) {
        $T x, v;
        do {
            x = genn_rng_normal$S(rng);
            v = 1.0$L + c * x;
        } while (v <= 0.0$L);
        v = v * v * v;
        const $T u = genn_rng_uniform$S(rng);
        const $T x2 = x * x;
        if (u < 1.0$L - 0.0331$L * x2 * x2) {
            return d * v;
        }
        if ($log(u) < 0.5$L * x2 + d * (1.0$L - v + $log(v))) {
            return d * v;
        }
    }
}

// Gamma(alpha, scale 1); alpha < 1 uses Gamma(alpha + 1) * U^(1 / alpha)
$Q $T genn_rng_gamma$S(GeNNRNG* rng, $T alpha)
{
    if (!(alpha > 0.0$L)) {
        return 0.0$L;  // degenerate (or NaN) shape: the rejection loop would never end
    }
    if (alpha < 1.0$L) {
        const $T g = genn_rng_gamma_large$S(rng, alpha + 1.0$L);
        const $T u = 1.0$L - genn_rng_uniform$S(rng);  // (0, 1] so the result stays > 0
        return g * $pow(u, 1.0$L / alpha);
    }
    return genn_rng_gamma_large$S(rng, alpha);
}
""")

_BINOMIAL = Template("""\
// ---- binomial (computed in double for both variants) ----
// log(k!) - Stirling's approximation of it, exact for k < 10
$Q double genn_rng_stirling_tail(double k)
{
    if (k < 10.0) {
        switch ((int)k) {
$tail_cases
        }
    }
    const double x = k + 1.0;
    const double x2 = x * x;
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * x2)) / x2) / x;
}

// Inversion (mean n * p < 10, p <= 0.5): walk up the CDF from 0
$Q uint32_t genn_rng_binomial_inversion(GeNNRNG* rng, uint32_t n, double p)
{
    const double q = 1.0 - p;
    const double s = p / q;
    const double a = ((double)n + 1.0) * s;
    const double r0 = pow(q, (double)n);
    // beyond mean + 10 sd + 10 lies < 1e-20 of the mass; there rounding is all that is left
    const double mean = (double)n * p;
    const double limit = fmin((double)n, floor(mean + 10.0 * sqrt(mean * q) + 10.0));
    for (;;) {
        double u = genn_rng_uniform_d(rng);
        double r = r0;
        uint32_t x = 0u;
        while (u > r && (double)x < limit) {
            u -= r;
            x++;
            r *= a / (double)x - s;
        }
        if (u <= r) {
            return x;
        }
    }
}

// BTRS, transformed rejection with squeeze (Hormann 1993), for n * p >= 10, p <= 0.5
$Q uint32_t genn_rng_binomial_btrs(GeNNRNG* rng, uint32_t n, double p)
{
    const double nd = (double)n;
    const double q = 1.0 - p;
    const double spq = sqrt(nd * p * q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = nd * p + 0.5;
    const double v_r = 0.92 - 4.2 / b;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double r = p / q;
    const double m = floor((nd + 1.0) * p);
    for (;;) {
        const double u = genn_rng_uniform_d(rng) - 0.5;
        double v = genn_rng_uniform_d(rng);
        const double us = 0.5 - fabs(u);
        const double k = floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > nd) {
            continue;
        }
        if (us >= 0.07 && v <= v_r) {
            return (uint32_t)k;
        }
        // log(f(k) / f(m)) of the binomial pmf f, grouped so that large terms cancel early
        v = log(v * alpha / (a / (us * us) + b));
        const double bound = (m + 0.5) * log((m + 1.0) / (r * (nd - m + 1.0)))
                             + (nd + 1.0) * log((nd - m + 1.0) / (nd - k + 1.0))
                             + (k + 0.5) * log(r * (nd - k + 1.0) / (k + 1.0))
                             + genn_rng_stirling_tail(m) + genn_rng_stirling_tail(nd - m)
                             - genn_rng_stirling_tail(k) - genn_rng_stirling_tail(nd - k);
        if (v <= bound) {
            return (uint32_t)k;
        }
    }
}

$Q uint32_t genn_rng_binomial_d(GeNNRNG* rng, uint32_t n, double p)
{
    if (n == 0u || !(p > 0.0)) {
        return 0u;
    }
    if (p >= 1.0) {
        return n;
    }
    // both samplers want p <= 0.5; count failures instead of successes above it
    const int flip = p > 0.5;
    const double p_small = flip ? 1.0 - p : p;
    const uint32_t k = ((double)n * p_small < 10.0)
        ? genn_rng_binomial_inversion(rng, n, p_small)
        : genn_rng_binomial_btrs(rng, n, p_small);
    return flip ? n - k : k;
}

$Q uint32_t genn_rng_binomial_f(GeNNRNG* rng, uint32_t n, float p)
{
    return genn_rng_binomial_d(rng, n, (double)p);
}
""")

_PRECISIONS = {
    "float": {"T": "float", "S": "_f", "L": "f", "log": "logf", "exp": "expf",
              "sqrt": "sqrtf", "cos": "cosf", "pow": "powf"},
    "double": {"T": "double", "S": "_d", "L": "", "log": "log", "exp": "exp",
               "sqrt": "sqrt", "cos": "cos", "pow": "pow"},
}


def _stirling_tail_cases() -> str:
    """``case k: return <log(k!) - Stirling>;`` for k = 0..9, computed here rather than typed in."""
    half_log_two_pi = 0.5 * math.log(2.0 * math.pi)
    cases = []
    for k in range(10):
        stirling = (k + 0.5) * math.log(k + 1) - (k + 1) + half_log_two_pi
        cases.append(f"        case {k}: return {math.lgamma(k + 1) - stirling!r};")
    return "\n".join(cases)


def rng_source(dialect: str) -> str:
    """C source of the RNG library for ``dialect`` "cpu" (C++) or "cuda" (CUDA C++, NVRTC).

    Defines ``philox4x32_10``, the ``GeNNRNG`` stream struct with ``genn_rng_init`` and
    ``genn_rng_next_u32``, and ``genn_rng_<distribution>_f`` / ``_d`` for uniform, normal,
    exponential, log_normal(mean, sd), gamma(alpha) and binomial(n, p) (returns uint32_t).
    The text is guarded so it can be pasted into several files of one translation unit.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"Unknown RNG dialect '{dialect}': use one of {', '.join(DIALECTS)}")
    qualifier = _QUALIFIERS[dialect]
    core = _CORE.substitute(
        Q=qualifier, mulhilo=_MULHILO[dialect], unroll=_UNROLL[dialect],
        M0=hex(PHILOX_M0), M1=hex(PHILOX_M1), W0=hex(PHILOX_W0), W1=hex(PHILOX_W1),
        step_hi_mask=hex((1 << (STEP_BITS - 32)) - 1), step_hi_bits=STEP_BITS - 32)
    distributions = [_DISTRIBUTIONS.substitute(Q=qualifier, **_PRECISIONS[name])
                     for name in ("float", "double")]
    binomial = _BINOMIAL.substitute(Q=qualifier, tail_cases=_stirling_tail_cases())
    prelude = _CPU_PRELUDE if dialect == "cpu" else _CUDA_PRELUDE
    body = "\n".join([core, *distributions, binomial])
    header = (f"// pygenn counter-based RNG ({dialect} dialect), "
              f"generated by pygenn/_src/codegen/rng.py\n")
    return (f"{header}#ifndef PYGENN_RNG_INCLUDED\n#define PYGENN_RNG_INCLUDED\n"
            f"{prelude}\n{body}\n#endif  // PYGENN_RNG_INCLUDED\n")
