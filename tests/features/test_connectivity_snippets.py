"""Built-in sparse connectivity snippets: statistics of the generated connectivity.

Connectivity is built on the device at ``load()``, pulled back and read through
``get_sparse_pre_inds`` / ``get_sparse_post_inds``; row lengths, column counts, totals and
structural properties are compared with theory at a fixed seed.
"""
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pygenn import (create_neuron_model, init_postsynaptic, init_sparse_connectivity,
                    init_weight_update)

stats = pytest.importorskip("scipy.stats")

P_MIN = 1e-3


def _connect(make_model, num_pre, num_post, snippet, params, seed=2468, autapse_pop=False):
    model = make_model(precision="float", seed=seed)
    empty = create_neuron_model("Empty")
    pre = model.add_neuron_population("Pre", num_pre, empty, {}, {})
    post = pre if autapse_pop else model.add_neuron_population("Post", num_post, empty, {}, {})
    sg = model.add_synapse_population(
        "Syn", "SPARSE", pre, post,
        init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity(snippet, params))
    model.build_load()
    sg.pull_connectivity_from_device()
    pre_inds = np.asarray(sg.get_sparse_pre_inds(), dtype=np.int64)
    post_inds = np.asarray(sg.get_sparse_post_inds(), dtype=np.int64)
    assert pre_inds.shape == post_inds.shape
    # row-major listing, indices in range
    assert np.all(np.diff(pre_inds) >= 0)
    if len(pre_inds):
        assert pre_inds.min() >= 0 and pre_inds.max() < num_pre
        assert post_inds.min() >= 0 and post_inds.max() < (num_pre if autapse_pop else num_post)
    return pre_inds, post_inds


def _chi2_pvalue(observed, expected):
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    obs_p, exp_p, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected):
        acc_o += o; acc_e += e
        if acc_e >= 5.0:
            obs_p.append(acc_o); exp_p.append(acc_e); acc_o = acc_e = 0.0
    if acc_e > 0.0 or acc_o > 0.0:
        obs_p[-1] += acc_o; exp_p[-1] += acc_e
    obs_p, exp_p = np.array(obs_p), np.array(exp_p)
    chi2 = np.sum((obs_p - exp_p) ** 2 / exp_p)
    return stats.chi2.sf(chi2, len(obs_p) - 1)


def _check_binomial_counts(counts, n, p):
    """``counts`` are i.i.d. Binomial(n, p): mean, variance and histogram chi-square."""
    counts = np.asarray(counts)
    dist = stats.binom(n, p)
    m, v = dist.mean(), dist.var()
    k = len(counts)
    assert abs(counts.mean() - m) < 5 * np.sqrt(v / k), (counts.mean(), m)
    # variance of the sample variance ~ v^2 (2/(k-1) + excess_kurtosis/k)
    kurt = float(dist.stats(moments="k"))
    assert abs(counts.var(ddof=1) - v) < 5 * v * np.sqrt(2.0 / (k - 1) + max(kurt, 0) / k), \
        (counts.var(ddof=1), v)
    support = np.arange(0, n + 1)
    hist = np.bincount(counts, minlength=n + 1)
    assert _chi2_pvalue(hist, dist.pmf(support) * k) > P_MIN


def _check_uniform_multinomial(counts):
    """``counts`` of a multinomial with equal cell probabilities."""
    counts = np.asarray(counts, dtype=np.float64)
    exp = counts.sum() / len(counts)
    chi2 = np.sum((counts - exp) ** 2 / exp)
    assert stats.chi2.sf(chi2, len(counts) - 1) > P_MIN, chi2


def test_one_to_one(make_model):
    n = 777
    pre, post = _connect(make_model, n, n, "OneToOne", {})
    assert_array_equal(pre, np.arange(n))
    assert_array_equal(post, np.arange(n))


@pytest.mark.parametrize("prob", [0.02, 0.1, 0.5])
def test_fixed_probability(make_model, prob):
    num_pre, num_post = 1000, 800
    pre, post = _connect(make_model, num_pre, num_post, "FixedProbability", {"prob": prob})
    rows = np.bincount(pre, minlength=num_pre)
    cols = np.bincount(post, minlength=num_post)
    _check_binomial_counts(rows, num_post, prob)
    _check_binomial_counts(cols, num_pre, prob)
    # no duplicate synapses; within a row, targets strictly ascending (geometric skipping)
    key = pre * num_post + post
    assert len(np.unique(key)) == len(key)
    same_row = np.diff(pre) == 0
    assert np.all(np.diff(post)[same_row] > 0)


def test_fixed_probability_one_is_all_to_all(make_model):
    num_pre, num_post = 30, 40
    pre, post = _connect(make_model, num_pre, num_post, "FixedProbability", {"prob": 1.0})
    assert_array_equal(pre, np.repeat(np.arange(num_pre), num_post))
    assert_array_equal(post, np.tile(np.arange(num_post), num_pre))


def test_fixed_probability_allows_autapses(make_model):
    n, prob = 600, 0.5
    pre, post = _connect(make_model, n, n, "FixedProbability", {"prob": prob}, autapse_pop=True)
    diag = np.sum(pre == post)
    m, s = n * prob, np.sqrt(n * prob * (1 - prob))
    assert abs(diag - m) < 5 * s


@pytest.mark.parametrize("prob", [0.05, 0.3])
def test_fixed_probability_no_autapse(make_model, prob):
    n = 600
    pre, post = _connect(make_model, n, n, "FixedProbabilityNoAutapse", {"prob": prob},
                         autapse_pop=True)
    assert not np.any(pre == post)
    rows = np.bincount(pre, minlength=n)
    cols = np.bincount(post, minlength=n)
    _check_binomial_counts(rows, n - 1, prob)
    _check_binomial_counts(cols, n - 1, prob)
    key = pre * n + post
    assert len(np.unique(key)) == len(key)
    # neighbours of the diagonal are connected at the normal rate (the gap is redrawn, not shifted)
    near = np.sum(post == pre + 1) + np.sum(post == pre - 1)
    m = 2 * (n - 1) * prob
    assert abs(near - m) < 5 * np.sqrt(m * (1 - prob))


def test_fixed_number_post_with_replacement(make_model):
    num_pre, num_post, num = 500, 100, 20
    pre, post = _connect(make_model, num_pre, num_post, "FixedNumberPostWithReplacement",
                         {"num": num})
    rows = np.bincount(pre, minlength=num_pre)
    assert_array_equal(rows, np.full(num_pre, num))
    # within a row, targets are sorted (order statistics)
    same_row = np.diff(pre) == 0
    assert np.all(np.diff(post)[same_row] >= 0)
    cols = np.bincount(post, minlength=num_post)
    assert cols.sum() == num_pre * num
    _check_uniform_multinomial(cols)
    # with replacement: expected number of distinct targets per row
    distinct = np.array([len(np.unique(post[pre == i])) for i in range(num_pre)])
    exp_distinct = num_post * (1.0 - (1.0 - 1.0 / num_post) ** num)
    assert distinct.max() <= num
    assert np.any(distinct < num), "no repeated targets at all: not sampling with replacement"
    assert abs(distinct.mean() - exp_distinct) < 5 * distinct.std() / np.sqrt(num_pre) + 1e-9


def test_fixed_number_post_with_replacement_uniform_within_row(make_model):
    # one presynaptic neuron drawing many targets: each target's count ~ multinomial(num, 1/num_post)
    num_pre, num_post, num = 1, 50, 5000
    pre, post = _connect(make_model, num_pre, num_post, "FixedNumberPostWithReplacement",
                         {"num": num})
    assert len(post) == num
    assert np.all(np.diff(post) >= 0)
    _check_uniform_multinomial(np.bincount(post, minlength=num_post))


def test_fixed_number_total_with_replacement(make_model):
    num_pre, num_post, num = 200, 300, 5000
    pre, post = _connect(make_model, num_pre, num_post, "FixedNumberTotalWithReplacement",
                         {"num": num})
    assert len(pre) == num
    rows = np.bincount(pre, minlength=num_pre)
    cols = np.bincount(post, minlength=num_post)
    assert rows.sum() == num and cols.sum() == num
    _check_uniform_multinomial(rows)
    _check_uniform_multinomial(cols)
    # marginal of a multinomial cell: Binomial(num, 1/num_pre); mean exact, variance close
    v = num * (1.0 / num_pre) * (1.0 - 1.0 / num_pre)
    assert abs(rows.var(ddof=1) - v) < 5 * v * np.sqrt(2.0 / (num_pre - 1))
    same_row = np.diff(pre) == 0
    assert np.all(np.diff(post)[same_row] >= 0)


def test_fixed_number_pre_with_replacement(make_model):
    num_pre, num_post, num = 400, 300, 10
    pre, post = _connect(make_model, num_pre, num_post, "FixedNumberPreWithReplacement",
                         {"num": num})
    cols = np.bincount(post, minlength=num_post)
    assert_array_equal(cols, np.full(num_post, num))
    assert len(pre) == num_post * num
    rows = np.bincount(pre, minlength=num_pre)
    _check_uniform_multinomial(rows)
    v = num * num_post * (1.0 / num_pre) * (1.0 - 1.0 / num_pre)
    assert abs(rows.var(ddof=1) - v) < 5 * v * np.sqrt(2.0 / (num_pre - 1))
    # with replacement: some (pre, post) pairs should repeat; expected number of duplicates per column
    distinct = np.array([len(np.unique(pre[post == j])) for j in range(num_post)])
    exp_distinct = num_pre * (1.0 - (1.0 - 1.0 / num_pre) ** num)
    assert abs(distinct.mean() - exp_distinct) < 5 * distinct.std() / np.sqrt(num_post) + 1e-9


def test_connectivity_seed_reproducible(make_model):
    a = _connect(make_model, 200, 200, "FixedProbability", {"prob": 0.1}, seed=5)
    b = _connect(make_model, 200, 200, "FixedProbability", {"prob": 0.1}, seed=5)
    c = _connect(make_model, 200, 200, "FixedProbability", {"prob": 0.1}, seed=6)
    assert_array_equal(a[0], b[0]); assert_array_equal(a[1], b[1])
    assert not (len(a[0]) == len(c[0]) and np.array_equal(a[1], c[1]))
