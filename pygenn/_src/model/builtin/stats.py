"""Numerical helpers for the built-in snippets' host-side functions.

``binomial_inverse_cdf`` sizes sparse connectivity (maximum row/column lengths). It must stay
accurate for quantiles very close to 1 (0.9999 ** (1 / num_pre)) and for millions of trials, so
instead of summing the distribution from 0 it evaluates the probability mass function with
Loader's saddle-point formula (C. Loader, "Fast and accurate computation of binomial
probabilities", 2000) on a window around the mean that a Bernstein tail bound shows to hold all
the mass that can matter, and accumulates the relevant tail from its small end.
"""
from __future__ import annotations

import math

import numpy as np

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

# Tail mass we may ignore, relative to the tail being searched for
_NEGLIGIBLE = 1e-12

# Relative slack when comparing with the requested tail: the quantile itself is only known to
# rounding, and exact ties (e.g. P(X <= 0) = 0.9 for n=1, p=0.1) must resolve to the smaller k
_TIE_SLACK = 1e-9

# Number of probabilities evaluated at once (keeps memory bounded for huge n)
_CHUNK = 1 << 20


def ieee_divide(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` with IEEE results (inf, nan) instead of ZeroDivisionError.

    Derived parameters are computed in C++ by GeNN, where e.g. a zero rate gives an infinite
    inter-spike interval rather than an exception.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(numerator) / np.float64(denominator))


def ieee_log1p(value: float) -> float:
    """``log1p`` returning -inf at -1 (and nan below) instead of raising."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.log1p(np.float64(value)))


def _stirling_error(k: np.ndarray) -> np.ndarray:
    """log(k!) - log(sqrt(2 pi k) (k/e)^k) for integers k >= 1, accurate to rounding."""
    k = np.asarray(k, dtype=np.float64)
    result = np.empty_like(k)
    small = k <= 15
    for value in np.unique(k[small]):
        result[k == value] = (math.lgamma(value + 1.0) - (value + 0.5) * math.log(value)
                              + value - _LOG_SQRT_2PI)
    big = ~small
    inv2 = 1.0 / (k[big] * k[big])
    # Asymptotic series 1/12k - 1/360k^3 + 1/1260k^5 - 1/1680k^7 + 1/1188k^9
    series = (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - inv2 / 1188) * inv2)
                          * inv2) * inv2) / k[big]
    result[big] = series
    return result


def _deviance(x: np.ndarray, mean: float) -> np.ndarray:
    """x log(x/mean) + mean - x, without cancellation when x is close to mean."""
    d = x - mean
    return x * np.log1p(d / mean) - d


def _binomial_log_pmf(k: np.ndarray, n: int, p: float) -> np.ndarray:
    """log P(X = k) for X ~ Binomial(n, p), 0 < p < 1, by Loader's saddle-point formula."""
    k = np.asarray(k, dtype=np.float64)
    q = 1.0 - p
    result = np.empty_like(k)
    at_zero, at_n = k == 0, k == n
    result[at_zero] = n * math.log1p(-p)
    result[at_n] = n * math.log(p)
    inner = ~(at_zero | at_n)
    ki = k[inner]
    result[inner] = (_stirling_error(np.array([float(n)]))[0] - _stirling_error(ki)
                     - _stirling_error(n - ki) - _deviance(ki, n * p) - _deviance(n - ki, n * q)
                     + 0.5 * np.log(n / (2.0 * math.pi * ki * (n - ki))))
    return result


def _tail_halfwidth(variance: float, tail: float) -> float:
    """Distance from the mean beyond which less than ``tail * _NEGLIGIBLE`` mass lies.

    Bernstein's inequality for a sum of Bernoulli variables: P(|X - mean| >= t) <=
    2 exp(-t^2 / (2 (variance + t/3))); solve for t.
    """
    log_bound = -math.log(max(tail, 1e-300) * _NEGLIGIBLE / 2.0)
    return log_bound / 3.0 + math.sqrt(log_bound ** 2 / 9.0 + 2.0 * log_bound * variance) + 1.0


def binomial_inverse_cdf(quantile: float, n: int, p: float) -> int:
    """Smallest k with P(X <= k) >= quantile for X ~ Binomial(n, p).

    Matches ``scipy.stats.binom.ppf`` for 0 < quantile <= 1 and returns 0 for quantile 0.
    """
    if not 0.0 <= quantile <= 1.0 or math.isnan(quantile):
        raise ValueError(f"binomial_inverse_cdf: quantile must be in [0, 1], not {quantile}")
    if not 0.0 <= p <= 1.0 or math.isnan(p):
        raise ValueError(f"binomial_inverse_cdf: probability must be in [0, 1], not {p}")
    n = int(n)
    if n < 0:
        raise ValueError(f"binomial_inverse_cdf: number of trials must be >= 0, not {n}")
    if n == 0 or p == 0.0 or quantile == 0.0:
        return 0
    if p == 1.0 or quantile == 1.0:
        return n
    if quantile >= 0.5:
        return _search_upper_tail(1.0 - quantile, n, p)
    return _search_lower_tail(quantile, n, p)


def _window(n: int, p: float, tail: float) -> tuple[int, int, int]:
    mean = n * p
    halfwidth = _tail_halfwidth(n * p * (1.0 - p), tail)
    low = max(0, math.floor(mean - halfwidth))
    high = min(n, math.ceil(mean + halfwidth))
    return low, high, math.floor(mean)


def _probabilities(bottom: int, top: int, n: int, p: float):
    ks = np.arange(bottom, top + 1, dtype=np.float64)
    return ks, np.exp(_binomial_log_pmf(ks, n, p))


def _search_upper_tail(tail: float, n: int, p: float) -> int:
    """Smallest k with P(X > k) <= tail, summing P from the top of the window down.

    Mass above the window is negligible by construction; the answer is at or above the
    median (>= floor(mean) - 1) because tail <= 1/2.
    """
    low, high, mean = _window(n, p, tail)
    start = max(low, mean - 1)
    beyond = 0.0  # P(X > top of the current chunk)
    top = high
    while top >= start:
        bottom = max(start, top - _CHUNK + 1)
        ks, pmf = _probabilities(bottom, top, n, p)
        # above[i] = P(X > ks[i]), accumulated from the small end for accuracy
        above = beyond + np.concatenate((np.cumsum(pmf[::-1])[::-1][1:], [0.0]))
        exceeded = np.nonzero(above > tail * (1.0 + _TIE_SLACK))[0]
        if exceeded.size:
            return int(ks[exceeded[-1]]) + 1
        beyond = above[0] + pmf[0]
        top = bottom - 1
    return start


def _search_lower_tail(quantile: float, n: int, p: float) -> int:
    """Smallest k with P(X <= k) >= quantile, summing P from the bottom of the window up."""
    low, high, mean = _window(n, p, quantile)
    stop = min(high, mean + 2)  # the answer is at or below the median
    below = 0.0  # P(X < bottom of the current chunk)
    bottom = low
    while bottom <= stop:
        top = min(stop, bottom + _CHUNK - 1)
        ks, pmf = _probabilities(bottom, top, n, p)
        cdf = below + np.cumsum(pmf)
        reached = np.nonzero(cdf >= quantile * (1.0 - _TIE_SLACK))[0]
        if reached.size:
            return int(ks[reached[0]])
        below = cdf[-1]
        bottom = top + 1
    return stop
