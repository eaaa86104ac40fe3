"""Standard cell types of pygenn.pynn against analytic or NumPy expectations.

Times follow NEST: a step covers (t, t + dt], a spike found in it is reported at t + dt, and
input with delay d from a spike reported at T changes the synaptic state at T + d.
"""
import math

import numpy as np
import pytest

pytest.importorskip("pyNN")

DT = 0.1


def _v_trace(population):
    return population.get_data().segments[0].filter(name="v")[0]


def _spike_times(population):
    return [np.asarray(train.magnitude) for train in
            population.get_data().segments[0].spiketrains]


def test_if_curr_exp_constant_current_fires_with_the_lif_period(sim):
    # v(t) = v_inf - (v_inf - v0) exp(-t/tau_m); exact integration crosses threshold in the
    # first step whose end is past the analytic crossing time
    sim.setup(timestep=DT)
    i_offset = np.array([0.8, 1.0, 1.6])
    cells = sim.Population(3, sim.IF_curr_exp(
        tau_m=20.0, cm=1.0, v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, tau_refrac=2.0,
        i_offset=i_offset))
    cells.initialize(v=-65.0)
    cells.record("spikes")
    sim.run(200.0)
    for current, times in zip(i_offset, _spike_times(cells)):
        v_inf = -65.0 + 20.0 * current
        first_steps = math.ceil(20.0 * math.log((v_inf + 65.0) / (v_inf + 50.0)) / DT - 1e-9)
        later_steps = math.ceil(20.0 * math.log((v_inf + 70.0) / (v_inf + 50.0)) / DT - 1e-9)
        interval = (later_steps + round(2.0 / DT)) * DT
        expected = first_steps * DT + interval * np.arange(len(times))
        assert len(times) == int((200.0 - first_steps * DT) // interval) + 1
        np.testing.assert_allclose(times, expected, atol=1e-9)


def _single_input(sim, celltype, weight, spike_time=5.0, delay=1.0, record=("v",)):
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[spike_time]))
    cells = sim.Population(2, celltype)
    sim.Projection(source, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=weight, delay=delay), receptor_type="excitatory")
    cells.record(list(record))
    return cells


def test_if_curr_exp_psp_is_the_exact_exponential_current_response(sim):
    sim.setup(timestep=DT)
    tau_m, tau_s, cm, w = 20.0, 3.0, 0.5, 2.0
    cells = _single_input(sim, sim.IF_curr_exp(tau_m=tau_m, tau_syn_E=tau_s, cm=cm,
                                                v_rest=-65.0, v_thresh=0.0), w)
    cells.initialize(v=-65.0)
    sim.run(40.0)
    v = _v_trace(cells)
    t = np.asarray(v.times) - 6.0  # spike at 5 ms, delay 1 ms
    expected = -65.0 + np.where(
        t > 0, w / cm * tau_m * tau_s / (tau_s - tau_m)
        * (np.exp(-t / tau_s) - np.exp(-t / tau_m)), 0.0)
    np.testing.assert_allclose(np.asarray(v)[:, 0], expected, atol=1e-9)
    assert str(v.units.dimensionality) == "mV"


def test_if_curr_alpha_psp_is_the_exact_alpha_current_response(sim):
    sim.setup(timestep=DT)
    tau_m, tau_s, cm, w = 10.0, 2.0, 1.0, 1.5
    cells = _single_input(sim, sim.IF_curr_alpha(tau_m=tau_m, tau_syn_E=tau_s, cm=cm,
                                                  v_rest=-70.0, v_thresh=0.0),
                          w, record=("v", "isyn_exc"))
    cells.initialize(v=-70.0)
    sim.run(40.0)
    segment = cells.get_data().segments[0]
    t = np.asarray(segment.filter(name="v")[0].times) - 6.0
    k = 1.0 / tau_m - 1.0 / tau_s
    a = w * math.e / tau_s
    psp = a / cm * (np.exp(-t / tau_s) * (t / k - 1.0 / k**2) + np.exp(-t / tau_m) / k**2)
    expected_v = -70.0 + np.where(t > 0, psp, 0.0)
    expected_i = np.where(t > 0, a * t * np.exp(-t / tau_s), 0.0)
    np.testing.assert_allclose(np.asarray(segment.filter(name="v")[0])[:, 0], expected_v,
                               atol=1e-9)
    np.testing.assert_allclose(np.asarray(segment.filter(name="isyn_exc")[0])[:, 0],
                               expected_i, atol=1e-9)
    assert np.asarray(segment.filter(name="isyn_exc")[0]).max() == pytest.approx(w, rel=1e-3)


def test_if_cond_exp_membrane_relaxes_towards_rest_plus_offset(sim):
    sim.setup(timestep=DT)
    cm, tau_m, i_offset = 0.5, 15.0, 0.2
    cells = sim.Population(2, sim.IF_cond_exp(cm=cm, tau_m=tau_m, v_rest=-60.0,
                                              v_thresh=0.0, i_offset=i_offset))
    cells.initialize(v=[-80.0, -40.0])
    cells.record("v")
    sim.run(50.0)
    v = _v_trace(cells)
    t = np.asarray(v.times)[:, None]
    v_inf = -60.0 + i_offset * tau_m / cm
    expected = v_inf + (np.array([-80.0, -40.0]) - v_inf) * np.exp(-t / tau_m)
    np.testing.assert_allclose(np.asarray(v), expected, atol=1e-9)


def test_if_cond_exp_conductance_psp_matches_an_ode_solution(sim):
    from scipy.integrate import solve_ivp
    sim.setup(timestep=DT)
    cm, tau_m, tau_s, w, e_rev = 1.0, 20.0, 5.0, 0.05, 0.0
    cells = _single_input(sim, sim.IF_cond_exp(cm=cm, tau_m=tau_m, tau_syn_E=tau_s,
                                                v_rest=-65.0, v_thresh=0.0, e_rev_E=e_rev),
                          w, record=("v", "gsyn_exc"))
    cells.initialize(v=-65.0)
    sim.run(40.0)
    segment = cells.get_data().segments[0]
    times = np.asarray(segment.filter(name="v")[0].times)

    def rhs(t, v):
        g = w * math.exp(-(t - 6.0) / tau_s) if t >= 6.0 else 0.0
        return [(cm / tau_m * (-65.0 - v[0]) + g * (e_rev - v[0])) / cm]

    solution = solve_ivp(rhs, (0.0, 40.0), [-65.0], t_eval=times, rtol=1e-10, atol=1e-10,
                         max_step=0.01)
    np.testing.assert_allclose(np.asarray(segment.filter(name="v")[0])[:, 0],
                               solution.y[0], atol=2e-3)
    gsyn = segment.filter(name="gsyn_exc")[0]
    expected_g = np.where(times >= 6.0 - 1e-9, w * np.exp(-(times - 6.0) / tau_s), 0.0)
    np.testing.assert_allclose(np.asarray(gsyn)[:, 0], expected_g, atol=1e-12)
    assert str(gsyn.units.dimensionality) == "uS"


def test_if_cond_alpha_conductance_has_alpha_shape_with_peak_weight(sim):
    sim.setup(timestep=DT)
    tau_s, w = 2.0, 0.02
    cells = _single_input(sim, sim.IF_cond_alpha(tau_syn_E=tau_s, v_thresh=0.0), w,
                          record=("v", "gsyn_exc"))
    sim.run(30.0)
    gsyn = cells.get_data().segments[0].filter(name="gsyn_exc")[0]
    t = np.asarray(gsyn.times) - 6.0
    expected = np.where(t > 0, w * math.e / tau_s * t * np.exp(-t / tau_s), 0.0)
    np.testing.assert_allclose(np.asarray(gsyn)[:, 0], expected, atol=1e-12)
    v = np.asarray(_v_trace(cells))[:, 0]
    assert v.max() > -65.0 + 0.1  # an excitatory conductance depolarises


def test_refractory_period_clamps_v_at_reset(sim):
    sim.setup(timestep=DT)
    cells = sim.Population(1, sim.IF_curr_exp(i_offset=2.0, tau_refrac=3.0, v_reset=-70.0))
    cells.record(["spikes", "v"])
    sim.run(50.0)
    first_spike = _spike_times(cells)[0][0]
    v = _v_trace(cells)
    t = np.asarray(v.times)
    clamped = (t >= first_spike - 1e-9) & (t <= first_spike + 3.0 + 1e-9)
    np.testing.assert_array_equal(np.asarray(v)[clamped, 0], -70.0)
    assert np.asarray(v)[np.searchsorted(t, first_spike + 3.0 + DT / 2), 0] > -70.0


def test_spike_source_array_emits_the_given_times(sim):
    sim.setup(timestep=DT)
    times = [[1.0, 2.5, 7.3], [], [0.4, 19.9]]
    sources = sim.Population(3, sim.SpikeSourceArray(spike_times=times))
    sources.record("spikes")
    sim.run(20.0)
    for expected, recorded in zip(times, _spike_times(sources)):
        np.testing.assert_allclose(recorded, expected, atol=1e-9)


def test_spike_source_array_times_can_change_between_runs(sim):
    sim.setup(timestep=DT)
    sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[3.0]))
    sources.record("spikes")
    sim.run(10.0)
    sources.set(spike_times=[3.0, 12.5])  # 3.0 is now in the past: ignored
    sim.run(10.0)
    for recorded in _spike_times(sources):
        np.testing.assert_allclose(recorded, [3.0, 12.5], atol=1e-9)


def test_spike_source_poisson_rate_and_active_window(sim):
    sim.setup(timestep=DT)
    rate, start, duration = 80.0, 100.0, 500.0
    sources = sim.Population(400, sim.SpikeSourcePoisson(rate=rate, start=start,
                                                         duration=duration))
    sources.record("spikes")
    sim.run(800.0)
    times = np.concatenate(_spike_times(sources))
    assert times.min() > start and times.max() <= start + duration + 1e-9
    expected = rate * duration / 1000.0 * 400
    assert abs(len(times) - expected) < 4 * math.sqrt(expected)
