"""Built-in neuron models simulated end to end and compared with NumPy re-computations.

Each test reads the state variables after every step and checks the whole trajectory, plus the
recorded spikes, against an independent NumPy implementation of GeNN 5's equations run in the same
(double) precision. Step order, as in GeNN: Isyn is gathered (here: from a DC current source),
sim code runs, then the threshold is evaluated and, if true, the reset code.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

RTOL = 1e-9


def _simulate(model, pop, var_names, num_steps):
    """Build, load, step ``num_steps`` times recording ``var_names`` after every step."""
    pop.spike_recording_enabled = True
    model.build_load(num_recording_timesteps=num_steps)
    traj = {v: [] for v in var_names}
    while model.timestep < num_steps:
        model.step_time()
        for v in var_names:
            pop.vars[v].pull_from_device()
            traj[v].append(pop.vars[v].values.copy())
    model.pull_recording_buffers_from_device()
    times, ids = pop.spike_recording_data[0]
    return {v: np.array(t) for v, t in traj.items()}, _sorted_spikes(times, ids)


def _sorted_spikes(times, ids):
    times = np.asarray(times, dtype=np.float64)
    ids = np.asarray(ids, dtype=np.int64)
    order = np.lexsort((ids, times))
    return times[order], ids[order]


def _spikes_from_mask(mask, dt):
    """(steps, N) boolean spike mask -> sorted (times, ids)."""
    steps, ids = np.nonzero(mask)
    return _sorted_spikes(steps * dt, ids)


def _assert_spikes(actual, expected):
    assert len(expected[0]) > 0, "reference produced no spikes; test setup is too weak"
    assert_array_equal(actual[1], expected[1])
    assert_allclose(actual[0], expected[0], rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# LIF
# ---------------------------------------------------------------------------------------------
def test_lif_trajectory_and_spikes(make_model):
    dt, steps, n = 0.5, 200, 16
    p = {"C": 0.5, "TauM": 20.0, "Vrest": -70.0, "Vreset": -65.0, "Vthresh": -51.0,
         "Ioffset": 0.8, "TauRefrac": 3.0}
    v0 = np.linspace(-70.0, -50.5, n)            # last neurons start above threshold
    r0 = np.zeros(n)
    r0[::4] = 1.7                                # some start refractory
    amp = 0.3

    model = make_model(dt=dt)
    pop = model.add_neuron_population("P", n, "LIF", p, {"V": v0, "RefracTime": r0})
    model.add_current_source("CS", "DC", pop, {"amp": amp})
    traj, spikes = _simulate(model, pop, ["V", "RefracTime"], steps)

    exp_tc = np.exp(-dt / p["TauM"])
    r_mem = p["TauM"] / p["C"]
    V, R = v0.copy(), r0.copy()
    ref_v, ref_r, mask = [], [], []
    for _ in range(steps):
        isyn = amp
        free = R <= 0.0
        alpha = ((isyn + p["Ioffset"]) * r_mem) + p["Vrest"]
        V = np.where(free, alpha - exp_tc * (alpha - V), V)
        R = np.where(free, R, R - dt)
        spk = (R <= 0.0) & (V >= p["Vthresh"])
        V = np.where(spk, p["Vreset"], V)
        R = np.where(spk, p["TauRefrac"], R)
        ref_v.append(V.copy()); ref_r.append(R.copy()); mask.append(spk)
    assert_allclose(traj["V"], np.array(ref_v), rtol=RTOL, atol=1e-9)
    assert_allclose(traj["RefracTime"], np.array(ref_r), rtol=RTOL, atol=1e-9)
    _assert_spikes(spikes, _spikes_from_mask(np.array(mask), dt))


# ---------------------------------------------------------------------------------------------
# Izhikevich / IzhikevichVariable
# ---------------------------------------------------------------------------------------------
def _izhikevich_reference(v0, u0, a, b, c, d, isyn, dt, steps):
    V, U = v0.astype(np.float64).copy(), u0.astype(np.float64).copy()
    ref_v, ref_u, mask = [], [], []
    for _ in range(steps):
        fired = V >= 30.0
        V = np.where(fired, c, V)
        U = np.where(fired, U + d, U)
        V = V + 0.5 * (0.04 * V * V + 5.0 * V + 140.0 - U + isyn) * dt
        V = V + 0.5 * (0.04 * V * V + 5.0 * V + 140.0 - U + isyn) * dt
        U = U + a * (b * V - U) * dt
        V = np.minimum(V, 30.0)
        mask.append(V >= 29.99)
        ref_v.append(V.copy()); ref_u.append(U.copy())
    return np.array(ref_v), np.array(ref_u), np.array(mask)


def test_izhikevich_trajectory_and_spikes(make_model):
    dt, steps, n = 0.5, 300, 12
    p = {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0}
    v0 = np.linspace(-75.0, 35.0, n)             # includes neurons starting above 30 (reset first)
    u0 = np.linspace(-16.0, -10.0, n)
    amp = 10.0

    model = make_model(dt=dt)
    pop = model.add_neuron_population("P", n, "Izhikevich", p, {"V": v0, "U": u0})
    model.add_current_source("CS", "DC", pop, {"amp": amp})
    traj, spikes = _simulate(model, pop, ["V", "U"], steps)

    ref_v, ref_u, mask = _izhikevich_reference(v0, u0, p["a"], p["b"], p["c"], p["d"],
                                               amp, dt, steps)
    assert_allclose(traj["V"], ref_v, rtol=RTOL, atol=1e-8)
    assert_allclose(traj["U"], ref_u, rtol=RTOL, atol=1e-8)
    _assert_spikes(spikes, _spikes_from_mask(mask, dt))


def test_izhikevich_variable_trajectory_and_spikes(make_model):
    dt, steps = 0.5, 300
    # regular spiking, intrinsically bursting, chattering, fast spiking, low-threshold spiking
    a = np.array([0.02, 0.02, 0.02, 0.1, 0.02])
    b = np.array([0.2, 0.2, 0.2, 0.2, 0.25])
    c = np.array([-65.0, -55.0, -50.0, -65.0, -65.0])
    d = np.array([8.0, 4.0, 2.0, 2.0, 2.0])
    n = len(a)
    v0 = np.full(n, -65.0)
    u0 = b * v0
    amp = 12.0

    model = make_model(dt=dt)
    pop = model.add_neuron_population("P", n, "IzhikevichVariable", {},
                                      {"V": v0, "U": u0, "a": a, "b": b, "c": c, "d": d})
    model.add_current_source("CS", "DC", pop, {"amp": amp})
    traj, spikes = _simulate(model, pop, ["V", "U", "a", "b", "c", "d"], steps)

    ref_v, ref_u, mask = _izhikevich_reference(v0, u0, a, b, c, d, amp, dt, steps)
    assert_allclose(traj["V"], ref_v, rtol=RTOL, atol=1e-8)
    assert_allclose(traj["U"], ref_u, rtol=RTOL, atol=1e-8)
    for name, val in (("a", a), ("b", b), ("c", c), ("d", d)):   # READ_ONLY params untouched
        assert_array_equal(traj[name], np.broadcast_to(val, (steps, n)))
    _assert_spikes(spikes, _spikes_from_mask(mask, dt))
    # different parameter sets give different spike trains
    counts = np.bincount(spikes[1], minlength=n)
    assert len(set(counts.tolist())) > 1


# ---------------------------------------------------------------------------------------------
# RulkovMap
# ---------------------------------------------------------------------------------------------
def test_rulkov_map_trajectory_and_spikes(make_model):
    dt, steps, n = 0.5, 200, 10
    p = {"Vspike": 60.0, "alpha": 3.0, "y": -2.468, "beta": 2.64}
    v0 = np.concatenate([np.linspace(-60.0, -1.0, n - 3), [10.0, 31.0, 40.0]])
    pv0 = np.concatenate([np.full(n - 3, -60.0), [-5.0, 5.0, -5.0]])
    amp = 1.5

    model = make_model(dt=dt)
    pop = model.add_neuron_population("P", n, "RulkovMap", p, {"V": v0, "preV": pv0})
    model.add_current_source("CS", "DC", pop, {"amp": amp})
    traj, spikes = _simulate(model, pop, ["V", "preV"], steps)

    vs, al, y, beta = p["Vspike"], p["alpha"], p["y"], p["beta"]
    ip0, ip1, ip2 = vs * vs * al, vs * y, vs * al + vs * y
    V, PV = v0.copy(), pv0.copy()
    ref_v, ref_p, mask = [], [], []
    for _ in range(steps):
        new_v = np.empty(n)
        for i in range(n):
            if V[i] <= 0.0:
                new_v[i] = ip0 / (vs - V[i] - beta * amp) + ip1
            elif V[i] < ip2 and PV[i] <= 0.0:
                new_v[i] = ip2
            else:
                new_v[i] = -vs
        PV, V = V.copy(), new_v
        ref_v.append(V.copy()); ref_p.append(PV.copy()); mask.append(V >= ip2)
    assert_allclose(traj["V"], np.array(ref_v), rtol=RTOL, atol=1e-9)
    assert_allclose(traj["preV"], np.array(ref_p), rtol=RTOL, atol=1e-9)
    _assert_spikes(spikes, _spikes_from_mask(np.array(mask), dt))


# ---------------------------------------------------------------------------------------------
# TraubMiles
# ---------------------------------------------------------------------------------------------
def test_traub_miles_trajectory_and_spikes(make_model):
    dt, steps = 0.1, 200
    p = {"gNa": 7.15, "ENa": 50.0, "gK": 1.43, "EK": -95.0, "gl": 0.02672, "El": -63.563,
         "C": 0.143}
    # includes the removable singularities V = -52, -25, -50 at the very first substep
    v0 = np.array([-60.0, -52.0, -25.0, -50.0, -64.0, -70.0])
    n = len(v0)
    m0 = np.full(n, 0.0529324)
    h0 = np.full(n, 0.3176767)
    n0 = np.full(n, 0.5961207)
    amp = 0.15

    model = make_model(dt=dt)
    pop = model.add_neuron_population("P", n, "TraubMiles", p,
                                      {"V": v0, "m": m0, "h": h0, "n": n0})
    model.add_current_source("CS", "DC", pop, {"amp": amp})
    traj, spikes = _simulate(model, pop, ["V", "m", "h", "n"], steps)

    def am(v):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = 0.32 * (-52.0 - v) / (np.exp((-52.0 - v) / 4.0) - 1.0)
        return np.where(v == -52.0, 1.28, r)

    def bm(v):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = 0.28 * (v + 25.0) / (np.exp((v + 25.0) / 5.0) - 1.0)
        return np.where(v == -25.0, 1.4, r)

    def an(v):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = 0.032 * (-50.0 - v) / (np.exp((-50.0 - v) / 5.0) - 1.0)
        return np.where(v == -50.0, 0.16, r)

    V, M, H, N = v0.copy(), m0.copy(), h0.copy(), n0.copy()
    hs = dt / 25.0
    ref = {"V": [], "m": [], "h": [], "n": []}
    mask = []
    for _ in range(steps):
        for _sub in range(25):
            imem = -(M * M * M * H * p["gNa"] * (V - p["ENa"]) + N * N * N * N * p["gK"] * (V - p["EK"])
                     + p["gl"] * (V - p["El"]) - amp)
            a, b = am(V), bm(V)
            M = M + (a * (1.0 - M) - b * M) * hs
            a, b = 0.128 * np.exp((-48.0 - V) / 18.0), 4.0 / (np.exp((-25.0 - V) / 5.0) + 1.0)
            H = H + (a * (1.0 - H) - b * H) * hs
            a, b = an(V), 0.5 * np.exp((-55.0 - V) / 40.0)
            N = N + (a * (1.0 - N) - b * N) * hs
            V = V + imem / p["C"] * hs
        for k, val in (("V", V), ("m", M), ("h", H), ("n", N)):
            ref[k].append(val.copy())
        mask.append(V >= 0.0)
    assert np.all(np.isfinite(traj["V"]))
    for k in ref:
        assert_allclose(traj[k], np.array(ref[k]), rtol=1e-7, atol=1e-9, err_msg=k)
    _assert_spikes(spikes, _spikes_from_mask(np.array(mask), dt))


# ---------------------------------------------------------------------------------------------
# SpikeSourceArray
# ---------------------------------------------------------------------------------------------
def test_spike_source_array_spike_times(make_model):
    dt, steps = 1.0, 120
    # per neuron spike times (ms); neuron 2 has two spikes in the same step and neuron 3 a burst of
    # three "late" spikes that come out on successive steps; neuron 4 has none.
    per_neuron = [
        [0.0, 10.0, 50.0, 119.0],
        [5.0, 6.0, 7.0],
        [20.0, 20.0, 30.0],
        [40.0, 40.0, 40.0, 100.5],
        [],
        [3.5, 77.0, 200.0],     # 3.5 -> first step with t >= 3.5 is t = 4; 200 never reached
    ]
    n = len(per_neuron)
    counts = np.array([len(x) for x in per_neuron])
    end = np.cumsum(counts)
    start = end - counts
    times = np.concatenate([np.asarray(x, dtype=np.float64) for x in per_neuron])

    model = make_model(dt=dt)
    pop = model.add_neuron_population("P", n, "SpikeSourceArray", {},
                                      {"startSpike": start, "endSpike": end})
    pop.extra_global_params["spikeTimes"].set_init_values(times)
    traj, spikes = _simulate(model, pop, ["startSpike"], steps)

    S = start.copy()
    ref_start, mask = [], []
    for k in range(steps):
        t = k * dt
        spk = np.array([S[i] != end[i] and t >= times[S[i]] for i in range(n)])
        S = S + spk
        ref_start.append(S.copy()); mask.append(spk)
    assert_array_equal(traj["startSpike"], np.array(ref_start))
    _assert_spikes(spikes, _spikes_from_mask(np.array(mask), dt))
    # explicit expectation for the "late" spikes of neurons 2 and 3
    exp_times = {2: [20.0, 21.0, 30.0], 3: [40.0, 41.0, 42.0, 101.0], 5: [4.0, 77.0]}
    for i, tt in exp_times.items():
        assert_allclose(spikes[0][spikes[1] == i], tt)


# ---------------------------------------------------------------------------------------------
# Poisson
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [20.0, 100.0])
def test_poisson_rate_statistics(make_model, rate):
    dt, steps, n = 1.0, 1000, 2000
    model = make_model(precision="float", dt=dt, seed=7)
    pop = model.add_neuron_population("P", n, "Poisson", {"rate": rate}, {"timeStepToSpike": 0.0})
    pop.spike_recording_enabled = True
    model.build_load(num_recording_timesteps=steps)
    while model.timestep < steps:
        model.step_time()
    model.pull_recording_buffers_from_device()
    times, ids = pop.spike_recording_data[0]

    # at most one spike per neuron per step
    assert len(np.unique(np.round(times / dt).astype(np.int64) * n + ids)) == len(ids)
    counts = np.bincount(ids, minlength=n)
    isi_steps = 1000.0 / (rate * dt)
    # renewal process with exponential intervals (mean isi_steps): per-neuron count ~ Poisson
    lam = steps / isi_steps
    se = np.sqrt(lam / n)
    assert abs(counts.mean() - lam) < 5 * se, (counts.mean(), lam)
    fano = counts.var() / counts.mean()
    assert abs(fano - 1.0) < 5 * np.sqrt(2.0 / n), fano
    # all neurons fire (none stuck) and the pooled rate in Hz matches
    assert np.all(counts > 0)
    assert_allclose(len(ids) / (n * steps * dt / 1000.0), rate, rtol=5 * se / lam)
    # first spike: step k with k = ceil(X) - 1, X ~ isi_steps * Exp(1) (timeStepToSpike starts at 0)
    # so P(first spike step <= k) = 1 - exp(-(k + 1) / isi_steps)
    first = np.full(n, np.inf)
    np.minimum.at(first, ids, np.round(times / dt))
    for k in (0, 4, 19, 99):
        p_exp = 1.0 - np.exp(-(k + 1) / isi_steps)
        frac = np.mean(first <= k)
        assert abs(frac - p_exp) < 5 * np.sqrt(p_exp * (1 - p_exp) / n) + 1e-12, (k, frac, p_exp)
