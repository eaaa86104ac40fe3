"""One model over 1, 2 and 3 ranks (processes on this machine): identical results.

The reference is a plain GeNNModel, for the basic network (spikes exchanged every step) and the
delayed one (every 3 steps blocking, every 2 overlapped with the next steps' computation;
``distributed_network.describe_delayed``). Each distributed run spawns its ranks with
``pygenn.distributed.run_ranks``; every rank gathers every population's recorded spikes, so
every rank's spike trains must equal the reference exactly, as must the plastic weights and
final voltages read on the rank that simulates them.
"""
import numpy as np
import pytest

import distributed_network as net
from pygenn.distributed import run_ranks

# explicit assignments chosen so that every kind of synapse group crosses ranks somewhere:
# delays 0-3, SPARSE/DENSE/PROCEDURAL, STDP (st_pre), prev_st_pre with the largest delay
PARTITIONS = [
    (2, {"poisson": 0, "exc": 0, "inh": 1, "out": 1}),
    (2, None),                                                # the default (balanced)
    (3, {"poisson": 1, "exc": 0, "inh": 1, "out": 2}),
    (3, {"poisson": 2, "exc": 0, "inh": 1, "out": 2}),
]


# the delayed network: every partition has cross-rank groups, all with delays >= 2 steps
DELAYED_PARTITIONS = [
    (2, {"poisson": 0, "exc": 0, "inh": 1, "out": 1}),
    (2, None),
    (3, {"poisson": 2, "exc": 0, "inh": 1, "out": 2}),
    (3, {"poisson": 1, "exc": 0, "inh": 2, "out": 1}),
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return net.run_one_rank(str(tmp_path_factory.mktemp("one_rank")))


@pytest.fixture(scope="module")
def delayed_reference(tmp_path_factory):
    return net.run_one_rank(str(tmp_path_factory.mktemp("one_rank_delayed")), "delayed")


def _same_spikes(a: dict, b: dict) -> dict:
    return {name: (np.array_equal(a[name][0], b[name][0])
                   and np.array_equal(a[name][1], b[name][1])) for name in a}


@pytest.mark.parametrize("num_ranks,partition", PARTITIONS)
def test_identical_to_one_rank(reference, tmp_path, num_ranks, partition):
    results = _check_run(reference, tmp_path, num_ranks, partition, "single_threaded_cpu")
    # a delay-0 group crosses ranks: every step reads the step just taken, nothing overlaps
    assert [(r["exchange_every"], r["exchange_lag"]) for r in results] == [(1, 0)] * num_ranks


def test_multi_threaded_ranks_identical_to_one_rank(reference, tmp_path):
    _check_run(reference, tmp_path, 2, PARTITIONS[0][1], "multi_threaded_cpu")


@pytest.mark.parametrize("num_ranks,partition", DELAYED_PARTITIONS)
def test_exchange_every_min_delay_steps_identical(delayed_reference, tmp_path, num_ranks,
                                                  partition):
    results = _check_run(delayed_reference, tmp_path, num_ranks, partition,
                         "single_threaded_cpu", "delayed", overlap=False)
    # smallest cross-rank axonal delay 2 steps: a spike of step k is first read in step k + 3
    assert [r["exchange_interval"] for r in results] == [3] * num_ranks
    assert [r["exchange_lag"] for r in results] == [0] * num_ranks
    assert [r["num_exchanges"] for r in results] == [net.NUM_STEPS // 3] * num_ranks


@pytest.mark.parametrize("num_ranks,partition", DELAYED_PARTITIONS)
def test_overlapped_exchanges_identical(delayed_reference, tmp_path, num_ranks, partition):
    """Exchanges every 2 steps, each waited for only before the step that first reads it on
    that rank: the next step (or two) computes meanwhile, and nothing changes."""
    results = _check_run(delayed_reference, tmp_path, num_ranks, partition,
                         "single_threaded_cpu", "delayed", overlap=True)
    assert [r["exchange_interval"] for r in results] == [3] * num_ranks
    assert [r["exchange_every"] for r in results] == [2] * num_ranks
    assert [r["num_exchanges"] for r in results] == [net.NUM_STEPS // 2] * num_ranks
    assert all(r["exchange_lag"] >= 1 for r in results)
    if partition == {"poisson": 0, "exc": 0, "inh": 1, "out": 1}:
        # rank 0 reads remote spikes only through inh_exc (delay 3): it waits a step later
        # than rank 1, so two exchanges are in flight when it waits for the older one
        assert [r["exchange_lag"] for r in results] == [2, 1]


def test_overlapped_exchanges_multi_threaded(delayed_reference, tmp_path):
    results = _check_run(delayed_reference, tmp_path, 2, DELAYED_PARTITIONS[0][1],
                         "multi_threaded_cpu", "delayed", overlap=True)
    assert results[0]["num_exchanges"] == net.NUM_STEPS // 2
    results = _check_run(delayed_reference, tmp_path, 2, DELAYED_PARTITIONS[0][1],
                         "multi_threaded_cpu", "delayed", overlap=False)
    assert results[0]["num_exchanges"] == net.NUM_STEPS // 3


@pytest.mark.parametrize("num_ranks,partition", [
    (2, {"poisson": 0, "exc": 0, "inh": 1, "out": 1}),
    (3, {"poisson": 2, "exc": 0, "inh": 1, "out": 2}),
])
def test_overlapped_exchanges_longer_delays(tmp_path, num_ranks, partition):
    """Delays 5-7 between populations: batches of 5 steps, written as late as the slots allow
    (whole batches of prev-spike-time bookkeeping redone after the steps that followed)."""
    reference = net.run_one_rank(str(tmp_path / "one"), "delayed_longer")
    for overlap in (True, False):
        results = _check_run(reference, tmp_path / f"ranks{overlap}", num_ranks, partition,
                             "single_threaded_cpu", "delayed_longer", overlap=overlap)
        assert results[0]["exchange_interval"] == 6
        assert results[0]["exchange_every"] == (5 if overlap else 6)
        assert all((r["exchange_lag"] >= 1) == overlap for r in results)


def test_fixed_number_total_groups_on_different_ranks(delayed_reference, tmp_path):
    """FixedNumberTotalWithReplacement rows are drawn per synapse group: the two groups'
    connectivity, built on different ranks, equals one process's."""
    partition = {"poisson": 0, "exc": 0, "inh": 1, "out": 1}
    results = _check_run(delayed_reference, tmp_path, 2, partition, "single_threaded_cpu",
                         "delayed")
    owners = {"exc_inh": partition["inh"], "inh_exc": partition["exc"]}
    assert set(owners.values()) == {0, 1}
    for name, owner in owners.items():
        pre, post = results[owner]["connectivity"][name]
        ref_pre, ref_post = delayed_reference["connectivity"][name]
        assert len(ref_pre) == {"exc_inh": 1500, "inh_exc": 1200}[name]
        np.testing.assert_array_equal(pre, ref_pre)
        np.testing.assert_array_equal(post, ref_post)


def test_newest_slot_prev_spike_time_exchanges_every_step(tmp_path):
    """A cross-rank group reading prev_st_pre with its source's largest delay reads the newest
    queue slot (GeNN's quirk): it needs every step's spikes at once, so the exchange stays
    every step and blocking (overlap asked for), and the results stay identical."""
    reference = net.run_one_rank(str(tmp_path / "one"), "delayed_quirk")
    results = _check_run(reference, tmp_path / "ranks", 2,
                         {"poisson": 0, "exc": 0, "inh": 1, "out": 1},
                         "single_threaded_cpu", "delayed_quirk")
    assert results[0]["exchange_interval"] == 1
    assert results[0]["num_exchanges"] == net.NUM_STEPS
    assert [r["exchange_lag"] for r in results] == [0, 0]


def _check_run(reference, tmp_path, num_ranks, partition, backend, network="basic",
               overlap=True):
    results = run_ranks(net.run_rank, num_ranks, str(tmp_path), partition, backend, network,
                        overlap, timeout=300)
    assert [r["rank"] for r in results] == list(range(num_ranks))
    assert len({r["pid"] for r in results}) == num_ranks
    assignment = results[0]["partition"]
    assert all(r["partition"] == assignment for r in results)
    if partition is not None:
        assert assignment == partition
    assert set(assignment.values()) == set(range(num_ranks))
    assert sum(len(t) for t, _ in reference["spikes"].values()) > 1000
    for result in results:
        assert _same_spikes(reference["spikes"], result["spikes"]) == {
            name: True for name in reference["spikes"]}
    owner_of_out = assignment["out"]
    owner = results[owner_of_out]
    np.testing.assert_array_equal(owner["stdp_g"], reference["stdp_g"])
    np.testing.assert_array_equal(owner["out_V"], reference["out_V"])
    # plasticity did something, so identical weights mean something
    assert not np.all(reference["stdp_g"] == 0.5)
    for result in results:
        expected = {name for name, rank in assignment.items() if rank != result["rank"]}
        assert set(result["remote_errors"]) == expected
        for name, message in result["remote_errors"].items():
            assert f"simulated by rank {assignment[name]}" in message
    return results
