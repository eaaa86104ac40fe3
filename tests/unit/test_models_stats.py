"""binomial_inverse_cdf against scipy, and FixedNumberTotal row-length splitting."""
import numpy as np
import pytest

from pygenn._src.model.builtin.init_sparse_connectivity_snippets import (
    fixed_number_total_row_lengths)
from pygenn._src.model.builtin.stats import binomial_inverse_cdf, ieee_divide, ieee_log1p

binom = pytest.importorskip("scipy.stats").binom

TRIALS = [1, 2, 3, 7, 50, 1000, 10**5, 10**6, 10**8, 10**9]
PROBABILITIES = [1e-9, 1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.9, 0.999]


@pytest.mark.parametrize("n", TRIALS)
@pytest.mark.parametrize("p", PROBABILITIES)
def test_matches_scipy_ppf(n, p):
    # Random quantiles avoid exact ties, where scipy's rounding decides; the last three are
    # the quantiles connectivity bounds use (close to 1)
    quantiles = list(np.random.default_rng(n).uniform(0.0, 1.0, 4))
    quantiles += [0.9999, 0.9999 ** (1 / 1000), 0.9999 ** (1 / 10**6)]
    for quantile in quantiles:
        assert binomial_inverse_cdf(quantile, n, p) == binom.ppf(quantile, n, p)


def test_exact_ties_resolve_to_the_smaller_value():
    # P(X <= 0) = 0.9 exactly for n=1, p=0.1; P(X <= 1) = 0.9999 for n=2, p=0.01
    assert binomial_inverse_cdf(0.9, 1, 0.1) == 0
    assert binomial_inverse_cdf(0.9999, 2, 0.01) == 1


def test_huge_number_of_trials():
    quantile = 0.9999 ** (1 / 10**5)
    assert binomial_inverse_cdf(quantile, 10**12, 0.5) == binom.ppf(quantile, 10**12, 0.5)


@pytest.mark.parametrize("quantile, n, p, expected", [
    (0.0, 10, 0.5, 0), (1.0, 10, 0.5, 10), (0.5, 0, 0.5, 0), (0.7, 10, 0.0, 0),
    (0.7, 10, 1.0, 10)])
def test_edge_cases(quantile, n, p, expected):
    assert binomial_inverse_cdf(quantile, n, p) == expected


@pytest.mark.parametrize("args, message", [
    ((1.5, 10, 0.5), "quantile must be in \\[0, 1\\], not 1.5"),
    ((0.5, 10, -0.1), "probability must be in \\[0, 1\\], not -0.1"),
    ((0.5, -1, 0.5), "number of trials must be >= 0, not -1")])
def test_invalid_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        binomial_inverse_cdf(*args)


def test_ieee_helpers():
    assert ieee_divide(1.0, 0.0) == float("inf")
    assert ieee_divide(-1.0, 0.0) == float("-inf")
    assert ieee_log1p(-1.0) == float("-inf")
    assert ieee_divide(6.0, 3.0) == 2.0


@pytest.mark.parametrize("num, num_pre", [(0, 5), (1, 1), (1000, 7), (12345, 1000)])
def test_row_lengths_sum_to_num(num, num_pre):
    lengths = fixed_number_total_row_lengths(num, num_pre, np.random.default_rng(3))
    assert lengths.dtype == np.uint32 and lengths.shape == (num_pre,)
    assert int(lengths.sum()) == num


def test_row_lengths_are_uniform_multinomial():
    # Each row's length is Binomial(num, 1/num_pre): check mean and variance over many rows
    num, num_pre = 200_000, 2000
    lengths = fixed_number_total_row_lengths(num, num_pre, 1).astype(float)
    p = 1.0 / num_pre
    assert lengths.mean() == pytest.approx(num * p)
    assert lengths.var() == pytest.approx(num * p * (1 - p), rel=0.1)


def test_row_lengths_accept_seed_or_random_state():
    by_seed = fixed_number_total_row_lengths(100, 10, 5)
    by_state = fixed_number_total_row_lengths(100, 10, np.random.RandomState(5))
    assert by_seed.sum() == by_state.sum() == 100


def test_row_lengths_need_rows():
    with pytest.raises(ValueError, match="FixedNumberTotalWithReplacement needs at least one "
                                         "presynaptic neuron to place 5 synapses"):
        fixed_number_total_row_lengths(5, 0, 1)
