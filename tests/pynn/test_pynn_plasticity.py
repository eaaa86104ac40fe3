"""STDPMechanism (SpikePairRule + AdditiveWeightDependence) on pygenn.pynn."""
import numpy as np
import pytest

pytest.importorskip("pyNN")

PRE_TIMES = [10.0, 50.0, 90.0]
A_PLUS, A_MINUS, TAU, W_MAX, W0, DELAY = 0.01, 0.012, 20.0, 1.0, 0.5, 1.0


def _run_pairing(sim, offsets, w_min=0.0, w_max=W_MAX, w0=W0):
    """Pre spikes at PRE_TIMES; the post cell is driven to fire ``offset`` ms after each."""
    sim.setup(timestep=0.1)
    n = len(offsets)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=PRE_TIMES))
    # the driven cell fires 0.4 ms after its drive arrives (1.5 ms after the drive spike)
    drive = sim.Population(n, sim.SpikeSourceArray(spike_times=[
        [t + offset - 1.5 for t in PRE_TIMES if t + offset - 1.5 > 0] for offset in offsets]))
    post = sim.Population(n, sim.IF_curr_exp(tau_refrac=2.0, tau_syn_E=0.5))
    sim.Projection(drive, post, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=60.0, delay=1.0))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=TAU, tau_minus=TAU, A_plus=A_PLUS,
                                            A_minus=A_MINUS),
        weight_dependence=sim.AdditiveWeightDependence(w_min=w_min, w_max=w_max),
        weight=w0, delay=DELAY)
    projection = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    post.record("spikes")
    sim.run(150.0)
    weights = np.diag(projection.get("weight", format="array"))
    post_times = [np.asarray(train.magnitude) for train in
                  post.get_data().segments[0].spiketrains]
    return weights, post_times, projection


def _all_pairs_weight(post_times, w0=W0):
    """Additive all-to-all spike-pair rule; the post spike reaches the synapse DELAY late."""
    weight = w0
    for t_post in post_times:
        for t_pre in PRE_TIMES:
            lag = t_post + DELAY - t_pre
            if lag > 0:
                weight += A_PLUS * W_MAX * np.exp(-lag / TAU)
            elif lag < 0:
                weight -= A_MINUS * W_MAX * np.exp(lag / TAU)
    return weight


def test_pre_before_post_potentiates_and_post_before_pre_depresses(sim):
    offsets = [-15.0, -5.0, -2.0, 2.0, 5.0, 15.0]
    weights, post_times, _ = _run_pairing(sim, offsets)
    for offset, weight, times in zip(offsets, weights, post_times):
        assert len(times) >= 2
        if offset < 0:
            assert weight < W0
        else:
            assert weight > W0
        assert weight == pytest.approx(_all_pairs_weight(times), abs=1e-9)


def test_weights_stay_within_bounds(sim):
    weights, _, _ = _run_pairing(sim, [-2.0, 2.0], w_min=0.49, w_max=0.505, w0=0.5)
    assert weights[0] == pytest.approx(0.49)
    assert weights[1] == pytest.approx(0.505)


def test_plastic_weights_return_to_initial_values_on_reset(sim):
    weights, _, projection = _run_pairing(sim, [2.0, 3.0])
    assert weights[0] > W0
    sim.reset()
    assert projection.get("weight", format="list", with_address=False)[0] == pytest.approx(W0)
