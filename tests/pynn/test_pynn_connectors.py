"""Connectors of pygenn.pynn: connection structure against NumPy, and what GeNN simulates."""
import numpy as np
import pytest

pytest.importorskip("pyNN")


def _pairs(projection):
    return sorted((int(i), int(j)) for i, j, _ in
                  projection.get("weight", format="list", with_address=True))


def _genn_pairs(projection):
    """(pre, post) of every synapse GeNN holds for a projection between two Populations."""
    pairs = []
    for group, _ in projection.genn_parts:
        group.pull_connectivity_from_device()
        pairs += zip(group.get_sparse_pre_inds(), group.get_sparse_post_inds())
    return sorted((int(i), int(j)) for i, j in pairs)


def _network(sim, n_pre=20, n_post=15):
    sim.setup()
    pre = sim.Population(n_pre, sim.SpikeSourcePoisson(rate=10.0))
    post = sim.Population(n_post, sim.IF_curr_exp())
    return pre, post


def test_all_to_all(sim):
    pre, post = _network(sim)
    projection = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    recurrent = sim.Projection(post, post, sim.AllToAllConnector(allow_self_connections=False),
                               sim.StaticSynapse(weight=0.1))
    assert len(projection) == 20 * 15
    assert _pairs(projection) == [(i, j) for i in range(20) for j in range(15)]
    assert _pairs(recurrent) == [(i, j) for i in range(15) for j in range(15) if i != j]
    sim.run(1.0)
    assert _genn_pairs(projection) == _pairs(projection)
    assert _genn_pairs(recurrent) == _pairs(recurrent)


def test_one_to_one(sim):
    pre, post = _network(sim, 15, 15)
    projection = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1))
    assert _pairs(projection) == [(i, i) for i in range(15)]
    sim.run(1.0)
    assert _genn_pairs(projection) == _pairs(projection)


def test_fixed_probability_matches_numpy_draws(sim):
    pre, post = _network(sim, 60, 50)
    p, seed = 0.2, 42
    projection = sim.Projection(pre, post, sim.FixedProbabilityConnector(
        p, rng=sim.NumpyRNG(seed=seed)), sim.StaticSynapse(weight=0.1))
    # PyNN draws one uniform number per potential connection, column (post neuron) by column
    draws = np.random.RandomState(seed)
    expected = sorted((int(i), j) for j in range(50)
                      for i in np.flatnonzero(draws.uniform(0.0, 1.0, 60) < p))
    assert _pairs(projection) == expected
    sim.run(1.0)
    assert _genn_pairs(projection) == expected


def test_fixed_number_pre(sim):
    pre, post = _network(sim, 30, 25)
    projection = sim.Projection(pre, post, sim.FixedNumberPreConnector(
        7, rng=sim.NumpyRNG(seed=3)), sim.StaticSynapse(weight=0.1))
    pairs = np.array(_pairs(projection))
    np.testing.assert_array_equal(np.bincount(pairs[:, 1], minlength=25), 7)
    assert len({tuple(pair) for pair in pairs}) == len(pairs)  # without replacement
    sim.run(1.0)
    assert _genn_pairs(projection) == [tuple(pair) for pair in pairs.tolist()]


def test_from_list_keeps_weights_and_delays(sim):
    sim.setup()
    sources = sim.Population(3, sim.SpikeSourceArray(spike_times=[[2.0], [3.0], [4.0]]))
    cells = sim.Population(4, sim.IF_curr_exp(tau_syn_E=5.0))
    connections = [(2, 0, 0.5, 1.0), (0, 1, 0.25, 2.5), (1, 3, 1.0, 0.1), (0, 3, 0.75, 4.0),
                   (2, 2, 0.3, 1.7)]
    projection = sim.Projection(sources, cells, sim.FromListConnector(connections),
                                sim.StaticSynapse())
    cells.record("isyn_exc")
    sim.run(12.0)
    got = sorted(projection.get(["weight", "delay"], format="list"))
    np.testing.assert_allclose(np.array(got), np.array(sorted(connections)))
    # each input reaches its target's synaptic current at spike time + delay
    isyn = cells.get_data().segments[0].filter(name="isyn_exc")[0]
    times = np.asarray(isyn.times)
    first_input = {target: times[np.flatnonzero(np.asarray(isyn)[:, target] > 0)[0]]
                   for target in range(4)}
    expected = {0: 4.0 + 1.0, 1: 2.0 + 2.5, 2: 4.0 + 1.7, 3: 3.0 + 0.1}
    for target, arrival in expected.items():
        assert first_input[target] == pytest.approx(arrival)
    # the jump of a single input is its weight
    assert np.asarray(isyn)[:, 0].max() == pytest.approx(0.5)


def test_projection_between_views_and_assemblies(sim):
    sim.setup()
    a = sim.Population(6, sim.SpikeSourcePoisson(rate=10.0))
    b = sim.Population(5, sim.IF_curr_exp())
    c = sim.Population(4, sim.IF_curr_alpha())
    both = b + c  # an Assembly of two populations
    # (PyNN orders an Assembly's receptor types arbitrarily: name the receptor)
    projection = sim.Projection(a[1:4], both, sim.AllToAllConnector(),
                                sim.StaticSynapse(weight=0.01), receptor_type="excitatory")
    assert len(projection) == 3 * 9
    sim.run(1.0)
    held = {}
    for group, _ in projection.genn_parts:
        group.pull_connectivity_from_device()
        held[group.trg.name] = sorted(zip(group.get_sparse_pre_inds(),
                                          group.get_sparse_post_inds()))
    assert held[b.genn_name] == [(i, j) for i in (1, 2, 3) for j in range(5)]
    assert held[c.genn_name] == [(i, j) for i in (1, 2, 3) for j in range(4)]


def test_get_weights_as_array_with_multapses(sim):
    pre, post = _network(sim, 3, 2)
    projection = sim.Projection(pre, post, sim.FromListConnector(
        [(0, 0, 0.1, 1.0), (0, 0, 0.2, 1.0), (2, 1, 0.4, 1.0)]), sim.StaticSynapse())
    weights = projection.get("weight", format="array")
    assert weights[0, 0] == pytest.approx(0.3)
    assert weights[2, 1] == pytest.approx(0.4)
    assert np.isnan(weights[1, 0])


def test_native_all_to_all_draws_like_pynn_generic_connector(sim):
    from pyNN import connectors as generic
    pre, post = _network(sim, 7, 5)

    def weights(connector):
        rng = sim.NumpyRNG(seed=11)
        synapse = sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.1, 0.2), rng=rng),
                                    delay=0.5)
        projection = sim.Projection(pre, post, connector, synapse)
        return projection.get("weight", format="array")

    np.testing.assert_array_equal(weights(sim.AllToAllConnector()),
                                  weights(generic.AllToAllConnector()))


def test_distance_dependent_weights(sim):
    pre, post = _network(sim, 6, 4)  # both on a line: cell i at x = i
    projection = sim.Projection(pre, post, sim.AllToAllConnector(),
                                sim.StaticSynapse(weight="0.1 + 0.01 * d"))
    expected = 0.1 + 0.01 * np.abs(np.arange(6)[:, None] - np.arange(4)[None, :])
    np.testing.assert_allclose(projection.get("weight", format="array"), expected)
