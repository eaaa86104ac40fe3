"""Built-in variable initialisation snippets: distribution of initialised values.

Each snippet initialises a variable of 20000 neurons of a custom (do-nothing) neuron model; the
values read back after ``load()`` are compared with scipy.stats distributions (mean, variance and a
KS test, or a chi-square test for discrete outcomes) at a fixed seed.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pygenn import create_neuron_model, init_var

stats = pytest.importorskip("scipy.stats")

N = 20000
P_MIN = 1e-3   # fixed seed, so deterministic; a correct generator fails this 0.1 % of seeds


def _init_values(make_model, snippet, params, precision="float", dt=1.0, var_type="scalar",
                 seed=4321):
    model = make_model(precision=precision, dt=dt, seed=seed)
    holder = create_neuron_model("Holder", vars=[("x", var_type)])
    pop = model.add_neuron_population("P", N, holder, {}, {"x": init_var(snippet, params)})
    model.build_load()
    pop.vars["x"].pull_from_device()
    return pop.vars["x"].values.astype(np.float64)


def _check_moments(x, dist):
    mean, var, _skew, kurt = (float(v) for v in dist.stats(moments="mvsk"))
    se_mean = np.sqrt(var / len(x))
    se_var = var * np.sqrt((kurt + 2.0) / len(x))
    assert abs(x.mean() - mean) < 5 * se_mean, (x.mean(), mean)
    assert abs(x.var(ddof=1) - var) < 5 * se_var, (x.var(ddof=1), var)


def _check_continuous(x, dist):
    assert np.all(np.isfinite(x))
    _check_moments(x, dist)
    res = stats.kstest(x, dist.cdf)
    assert res.pvalue > P_MIN, res


def _check_discrete(x, support, probs):
    """Chi-square goodness of fit of integer-valued ``x`` over ``support`` (pooled tails)."""
    assert_array_equal(x, np.round(x))
    assert np.all(np.isin(x, support)), np.setdiff1d(np.unique(x), support)
    probs = np.asarray(probs, dtype=np.float64)
    assert_allclose(probs.sum(), 1.0, atol=1e-9)
    observed = np.array([np.sum(x == s) for s in support], dtype=np.float64)
    expected = probs * len(x)
    # pool bins with expected count < 5 into their neighbours
    obs_p, exp_p, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected):
        acc_o += o; acc_e += e
        if acc_e >= 5.0:
            obs_p.append(acc_o); exp_p.append(acc_e); acc_o = acc_e = 0.0
    if acc_e > 0.0:
        obs_p[-1] += acc_o; exp_p[-1] += acc_e
    chi2 = np.sum((np.array(obs_p) - np.array(exp_p)) ** 2 / np.array(exp_p))
    pvalue = stats.chi2.sf(chi2, len(obs_p) - 1)
    assert pvalue > P_MIN, (chi2, len(obs_p), pvalue)


def test_constant(make_model):
    x = _init_values(make_model, "Constant", {"constant": -3.25}, precision="double")
    assert_array_equal(x, np.full(N, -3.25))


def test_plain_number_is_constant(make_model):
    model = make_model()
    holder = create_neuron_model("Holder", vars=[("x", "scalar"), ("y", "int")])
    pop = model.add_neuron_population("P", 50, holder, {}, {"x": 0.75, "y": -7})
    model.build_load()
    pop.vars["x"].pull_from_device(); pop.vars["y"].pull_from_device()
    assert_array_equal(pop.vars["x"].values, np.full(50, 0.75, dtype=np.float32))
    assert_array_equal(pop.vars["y"].values, np.full(50, -7))


@pytest.mark.parametrize("precision", ["float", "double"])
def test_uniform(make_model, precision):
    x = _init_values(make_model, "Uniform", {"min": -2.0, "max": 3.0}, precision=precision)
    assert x.min() >= -2.0 and x.max() <= 3.0
    _check_continuous(x, stats.uniform(loc=-2.0, scale=5.0))


@pytest.mark.parametrize("precision", ["float", "double"])
def test_normal(make_model, precision):
    x = _init_values(make_model, "Normal", {"mean": 1.5, "sd": 2.0}, precision=precision)
    _check_continuous(x, stats.norm(loc=1.5, scale=2.0))


def test_normal_clipped(make_model):
    mean, sd, lo, hi = 0.5, 1.0, 0.0, 2.5
    x = _init_values(make_model, "NormalClipped", {"mean": mean, "sd": sd, "min": lo, "max": hi})
    assert x.min() >= lo and x.max() <= hi
    _check_continuous(x, stats.truncnorm((lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd))


def test_normal_clipped_delay(make_model):
    # params in ms, dt = 0.5 -> timestep units: mean 10, sd 4, range [2, 20]
    dt = 0.5
    mean, sd, lo, hi = 5.0, 2.0, 1.0, 10.0
    x = _init_values(make_model, "NormalClippedDelay", {"mean": mean, "sd": sd, "min": lo, "max": hi},
                     dt=dt)
    m, s, a, b = mean / dt, sd / dt, lo / dt, hi / dt
    tn = stats.truncnorm((a - m) / s, (b - m) / s, loc=m, scale=s)
    support = np.arange(int(a), int(b) + 1)
    edges_lo = np.maximum(support - 0.5, a)
    edges_hi = np.minimum(support + 0.5, b)
    probs = tn.cdf(edges_hi) - tn.cdf(edges_lo)
    _check_discrete(x, support, probs)
    assert abs(x.mean() - tn.mean()) < 5 * tn.std() / np.sqrt(N)


def test_normal_clipped_delay_integer_var(make_model):
    dt = 1.0
    x = _init_values(make_model, "NormalClippedDelay",
                     {"mean": 6.0, "sd": 2.0, "min": 1.0, "max": 12.0}, dt=dt, var_type="uint8_t")
    assert x.min() >= 1 and x.max() <= 12
    tn = stats.truncnorm(-2.5, 3.0, loc=6.0, scale=2.0)
    support = np.arange(1, 13)
    probs = tn.cdf(np.minimum(support + 0.5, 12.0)) - tn.cdf(np.maximum(support - 0.5, 1.0))
    _check_discrete(x, support, probs)


def test_exponential(make_model):
    # 'lambda' acts as the scale (mean), not a rate
    x = _init_values(make_model, "Exponential", {"lambda": 2.5})
    assert x.min() >= 0.0
    _check_continuous(x, stats.expon(scale=2.5))


@pytest.mark.parametrize("a, b", [(2.0, 1.5), (0.5, 3.0), (9.0, 0.25)])
def test_gamma(make_model, a, b):
    x = _init_values(make_model, "Gamma", {"a": a, "b": b}, precision="double")
    assert x.min() >= 0.0
    _check_continuous(x, stats.gamma(a, scale=b))


@pytest.mark.parametrize("n, p", [(20, 0.3), (10, 0.95), (500, 0.4)])
def test_binomial(make_model, n, p):
    x = _init_values(make_model, "Binomial", {"n": float(n), "p": p}, var_type="unsigned int")
    dist = stats.binom(n, p)
    support = np.arange(0, n + 1)
    _check_discrete(x, support, dist.pmf(support))
    _check_moments(x, dist)


def test_seed_reproducible_and_seed_sensitive(make_model):
    x1 = _init_values(make_model, "Normal", {"mean": 0.0, "sd": 1.0}, seed=11)
    x2 = _init_values(make_model, "Normal", {"mean": 0.0, "sd": 1.0}, seed=11)
    x3 = _init_values(make_model, "Normal", {"mean": 0.0, "sd": 1.0}, seed=12)
    assert_array_equal(x1, x2)
    assert not np.array_equal(x1, x3)
