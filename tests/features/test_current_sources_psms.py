"""Built-in current sources and postsynaptic models in small driven setups.

A custom "recorder" neuron model copies ``Isyn`` into a variable every step so the injected current
can be read back after each step and compared with a NumPy re-computation (or, for the noisy
sources, with the right distribution). Timing, as in GeNN: a presynaptic spike emitted in step k
is added to ``inSyn`` in the synapse update of step k+1 and the PSM injects it in that same step.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pygenn import create_neuron_model, init_postsynaptic, init_weight_update

stats = pytest.importorskip("scipy.stats")

P_MIN = 1e-3

RECORDER = dict(vars=[("I", "scalar")], sim_code="I = Isyn;")
# V leaks towards Isyn-driven values so that ExpCond sees a changing membrane potential
RECORDER_V = dict(vars=[("I", "scalar"), ("V", "scalar")],
                  sim_code="I = Isyn;\nV += 0.1 * (Isyn - 0.05 * (V + 60.0)) * dt;")


def _run_recorder(model, pop, steps, names=("I",), extra=None):
    model.build_load()
    out = {n: [] for n in names}
    extra_out = []
    while model.timestep < steps:
        model.step_time()
        for n in names:
            pop.vars[n].pull_from_device()
            out[n].append(pop.vars[n].values.copy())
        if extra is not None:
            extra_out.append(extra())
    return {n: np.array(v) for n, v in out.items()}, extra_out


# ---------------------------------------------------------------------------------------------
# Current sources
# ---------------------------------------------------------------------------------------------
def test_dc(make_model):
    model = make_model(dt=0.5)
    pop = model.add_neuron_population("P", 7, create_neuron_model("Rec", **RECORDER), {}, {"I": 0.0})
    model.add_current_source("CS", "DC", pop, {"amp": 0.7})
    rec, _ = _run_recorder(model, pop, 20)
    assert_allclose(rec["I"], np.full((20, 7), 0.7), rtol=1e-12)


def test_two_dc_sources_add(make_model):
    model = make_model()
    pop = model.add_neuron_population("P", 3, create_neuron_model("Rec", **RECORDER), {}, {"I": 0.0})
    model.add_current_source("CS1", "DC", pop, {"amp": 0.7})
    model.add_current_source("CS2", "DC", pop, {"amp": -2.0})
    rec, _ = _run_recorder(model, pop, 5)
    assert_allclose(rec["I"], np.full((5, 3), -1.3), rtol=1e-12)


def test_gaussian_noise(make_model):
    n, steps, mean, sd = 2000, 20, 1.0, 2.0
    model = make_model(seed=99)
    pop = model.add_neuron_population("P", n, create_neuron_model("Rec", **RECORDER), {}, {"I": 0.0})
    model.add_current_source("CS", "GaussianNoise", pop, {"mean": mean, "sd": sd})
    rec, _ = _run_recorder(model, pop, steps)
    x = rec["I"]
    flat = x.ravel()
    se = sd / np.sqrt(flat.size)
    assert abs(flat.mean() - mean) < 5 * se
    assert abs(flat.std(ddof=1) - sd) < 5 * sd / np.sqrt(2 * flat.size)
    assert stats.kstest(flat, stats.norm(loc=mean, scale=sd).cdf).pvalue > P_MIN
    # a fresh sample per neuron per step: no correlation across steps or between neighbours
    r_time = np.corrcoef(x[:-1].ravel(), x[1:].ravel())[0, 1]
    r_space = np.corrcoef(x[:, :-1].ravel(), x[:, 1:].ravel())[0, 1]
    lim = 5 / np.sqrt(flat.size)
    assert abs(r_time) < lim and abs(r_space) < lim
    # every neuron/step distinct
    assert len(np.unique(flat)) == flat.size


def test_poisson_exp(make_model):
    n, steps, dt = 500, 200, 1.0
    weight, tau, rate = 0.5, 5.0, 100.0
    model = make_model(dt=dt, seed=31)
    pop = model.add_neuron_population("P", n, create_neuron_model("Rec", **RECORDER), {}, {"I": 0.0})
    cs = model.add_current_source("CS", "PoissonExp", pop,
                                  {"weight": weight, "tauSyn": tau, "rate": rate}, {"current": 0.0})

    def read_current():
        cs.vars["current"].pull_from_device()
        return cs.vars["current"].values.copy()

    rec, cur = _run_recorder(model, pop, steps, extra=read_current)
    inj, cur = rec["I"], np.array(cur)
    decay = np.exp(-dt / tau)
    init = weight * (1.0 - np.exp(-dt / tau)) * tau / dt
    # after each step the stored current is the injected current times the decay
    assert_allclose(cur, inj * decay, rtol=1e-10, atol=1e-12)
    # recover the per-step number of Poisson events: inj[k] = cur[k-1] + init * count[k]
    prev = np.vstack([np.zeros((1, n)), cur[:-1]])
    counts_f = (inj - prev) / init
    counts = np.round(counts_f)
    assert_allclose(counts_f, counts, atol=1e-7)
    counts = counts.astype(np.int64)
    assert counts.min() >= 0
    lam = rate * dt / 1000.0
    dist = stats.poisson(lam)
    flat = counts.ravel()
    assert abs(flat.mean() - lam) < 5 * np.sqrt(lam / flat.size)
    hist = np.bincount(flat, minlength=4)
    k = np.arange(len(hist))
    exp = dist.pmf(k) * flat.size
    # pool the tail (k >= 2)
    obs = np.array([hist[0], hist[1], hist[2:].sum()])
    exp = np.array([exp[0], exp[1], flat.size - exp[0] - exp[1]])
    chi2 = np.sum((obs - exp) ** 2 / exp)
    assert stats.chi2.sf(chi2, 2) > P_MIN, (obs, exp)


# ---------------------------------------------------------------------------------------------
# Postsynaptic models
# ---------------------------------------------------------------------------------------------
SPIKES = [                      # per presynaptic neuron, spike times in ms (dt = 1)
    [2.0, 3.0, 10.0, 30.0],
    [3.0, 15.0, 16.0],
    [0.0, 10.0, 40.0, 41.0, 42.0],
]
N_PRE, N_POST, STEPS, DT = 3, 4, 60, 1.0
G = np.array([[0.5, -0.25, 1.0, 0.0],
              [2.0, 0.75, -1.5, 0.125],
              [0.3, 0.6, 0.9, -1.2]])


def _spike_source(model):
    counts = np.array([len(s) for s in SPIKES])
    end = np.cumsum(counts)
    pre = model.add_neuron_population("Pre", N_PRE, "SpikeSourceArray", {},
                                      {"startSpike": end - counts, "endSpike": end})
    pre.extra_global_params["spikeTimes"].set_init_values(np.concatenate(SPIKES))
    return pre


def _arrivals():
    """(STEPS, N_POST) summed weights added to inSyn in the synapse update of each step."""
    add = np.zeros((STEPS, N_POST))
    for i, times in enumerate(SPIKES):
        for t in times:
            k = int(round(t / DT))          # emitted in step k, delivered in step k + 1
            if k + 1 < STEPS:
                add[k + 1] += G[i]
    return add


def _psm_setup(make_model, psm, psm_params, psm_var_refs=None, recorder=RECORDER, post_vars=None):
    model = make_model(dt=DT)
    pre = _spike_source(model)
    post = model.add_neuron_population("Post", N_POST, create_neuron_model("Rec", **recorder), {},
                                       post_vars or {"I": 0.0})
    sg = model.add_synapse_population(
        "Syn", "DENSE", pre, post,
        init_weight_update("StaticPulse", {}, {"g": G.ravel()}),
        init_postsynaptic(psm, psm_params, {}, psm_var_refs or {}))
    return model, post, sg


def test_delta_curr(make_model):
    model, post, sg = _psm_setup(make_model, "DeltaCurr", {})
    rec, _ = _run_recorder(model, post, STEPS)
    add = _arrivals()
    assert_allclose(rec["I"], add, rtol=1e-12, atol=1e-12)
    assert np.count_nonzero(add) > 10


def _exp_curr_reference(tau):
    decay = np.exp(-DT / tau)
    init = tau * (1.0 - np.exp(-DT / tau)) / DT
    add = _arrivals()
    s = np.zeros(N_POST)
    ref_i, ref_s = [], []
    for k in range(STEPS):
        s = s + add[k]
        ref_i.append(init * s)
        s = s * decay
        ref_s.append(s.copy())
    return np.array(ref_i), np.array(ref_s)


def test_exp_curr(make_model):
    tau = 5.0
    model, post, sg = _psm_setup(make_model, "ExpCurr", {"tau": tau})
    rec, _ = _run_recorder(model, post, STEPS)
    ref_i, _ref_s = _exp_curr_reference(tau)
    assert_allclose(rec["I"], ref_i, rtol=1e-10, atol=1e-12)


def test_exp_curr_out_post(make_model):
    tau = 5.0
    model, post, sg = _psm_setup(make_model, "ExpCurr", {"tau": tau})
    model.build_load()
    assert sg.out_post is not None
    assert sg.out_post.view.shape == (1, N_POST)
    got = []
    while model.timestep < STEPS:
        model.step_time()
        sg.out_post.pull_from_device()
        got.append(sg.out_post.view[0].copy())
    _ref_i, ref_s = _exp_curr_reference(tau)
    assert_allclose(np.array(got), ref_s, rtol=1e-10, atol=1e-12)


def test_delta_curr_out_post_cleared(make_model):
    model, post, sg = _psm_setup(make_model, "DeltaCurr", {})
    model.build_load()
    assert sg.out_post is not None
    for _ in range(STEPS):
        model.step_time()
        sg.out_post.pull_from_device()
        assert_array_equal(sg.out_post.view, np.zeros((1, N_POST)))


@pytest.mark.parametrize("ref_kind", ["string", "var_ref"])
def test_exp_cond(make_model, ref_kind):
    tau, e_rev = 4.0, -10.0
    v0 = np.array([-70.0, -60.0, -50.0, 0.0])
    model = make_model(dt=DT)
    pre = _spike_source(model)
    post = model.add_neuron_population("Post", N_POST, create_neuron_model("RecV", **RECORDER_V),
                                       {}, {"I": 0.0, "V": v0})
    if ref_kind == "string":
        var_refs = {"V": "V"}
    else:
        from pygenn import create_var_ref
        var_refs = {"V": create_var_ref(post, "V")}
    model.add_synapse_population(
        "Syn", "DENSE", pre, post,
        init_weight_update("StaticPulse", {}, {"g": np.abs(G).ravel()}),
        init_postsynaptic("ExpCond", {"tau": tau, "E": e_rev}, {}, var_refs))
    rec, _ = _run_recorder(model, post, STEPS, names=("I", "V"))

    decay = np.exp(-DT / tau)
    add = np.zeros((STEPS, N_POST))
    for i, times in enumerate(SPIKES):
        for t in times:
            k = int(round(t / DT))
            if k + 1 < STEPS:
                add[k + 1] += np.abs(G[i])
    s, V = np.zeros(N_POST), v0.copy()
    ref_i, ref_v = [], []
    for k in range(STEPS):
        s = s + add[k]
        isyn = s * (e_rev - V)               # PSM reads V before the neuron's sim code
        s = s * decay
        V = V + 0.1 * (isyn - 0.05 * (V + 60.0)) * DT
        ref_i.append(isyn); ref_v.append(V.copy())
    assert_allclose(rec["I"], np.array(ref_i), rtol=1e-10, atol=1e-12)
    assert_allclose(rec["V"], np.array(ref_v), rtol=1e-10, atol=1e-12)


def test_psm_with_dc_and_sparse(make_model):
    """DeltaCurr on SPARSE one-to-one-ish connectivity plus a DC source: contributions add."""
    model = make_model(dt=DT)
    pre = _spike_source(model)
    post = model.add_neuron_population("Post", N_POST, create_neuron_model("Rec", **RECORDER), {},
                                       {"I": 0.0})
    sg = model.add_synapse_population(
        "Syn", "SPARSE", pre, post,
        init_weight_update("StaticPulse", {}, {"g": np.array([1.0, 2.0, 4.0, 8.0])}),
        init_postsynaptic("DeltaCurr"))
    sg.set_sparse_connections(np.array([0, 0, 1, 2]), np.array([0, 3, 1, 2]))
    model.add_current_source("CS", "DC", post, {"amp": 0.25})
    rec, _ = _run_recorder(model, post, STEPS)
    w = np.zeros((N_PRE, N_POST))
    w[0, 0], w[0, 3], w[1, 1], w[2, 2] = 1.0, 2.0, 4.0, 8.0
    ref = np.full((STEPS, N_POST), 0.25)
    for i, times in enumerate(SPIKES):
        for t in times:
            k = int(round(t / DT))
            if k + 1 < STEPS:
                ref[k + 1] += w[i]
    assert_allclose(rec["I"], ref, rtol=1e-12)
