"""One model over 1, 2 and 3 ranks (processes on this machine): identical results.

The reference is a plain GeNNModel. Each distributed run spawns its ranks with
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


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return net.run_one_rank(str(tmp_path_factory.mktemp("one_rank")))


def _same_spikes(a: dict, b: dict) -> dict:
    return {name: (np.array_equal(a[name][0], b[name][0])
                   and np.array_equal(a[name][1], b[name][1])) for name in a}


@pytest.mark.parametrize("num_ranks,partition", PARTITIONS)
def test_identical_to_one_rank(reference, tmp_path, num_ranks, partition):
    _check_run(reference, tmp_path, num_ranks, partition, "single_threaded_cpu")


def test_multi_threaded_ranks_identical_to_one_rank(reference, tmp_path):
    _check_run(reference, tmp_path, 2, PARTITIONS[0][1], "multi_threaded_cpu")


def _check_run(reference, tmp_path, num_ranks, partition, backend):
    results = run_ranks(net.run_rank, num_ranks, str(tmp_path), partition, backend,
                        timeout=300)
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
