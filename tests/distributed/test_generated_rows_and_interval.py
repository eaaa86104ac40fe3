"""Row lengths of FixedNumberTotalWithReplacement per synapse group, and the exchange interval.

Row lengths are drawn on the host at load (``interface.lifecycle._fill_generated_egps``) from a
generator keyed by the seed and the group's name: a group's connectivity must not depend on
which other groups the model has, or a rank that builds only some of them would connect them
differently from one process. The exchange interval (``exchange.exchange_interval``) is worked
out from the whole model's plan, without building.
"""
import numpy as np
import pytest

import distributed_network as net
from pygenn import GeNNModel, init_postsynaptic, init_sparse_connectivity, init_weight_update
from pygenn._src.codegen.plan import ModelPlan
from pygenn._src.distributed import exchange as ex

LIF = net.LIF


def _rows(tmp_path, name: str, seed: int, other_group_first: bool) -> tuple:
    model = GeNNModel("float", name, backend="single_threaded_cpu")
    model.seed = seed
    initial = {"V": -60.0, "RefracTime": 0.0}
    pre = model.add_neuron_population("pre", 50, "LIF", LIF, initial)
    post = model.add_neuron_population("post", 40, "LIF", LIF, initial)

    def total(group_name: str, num: int):
        model.add_synapse_population(
            group_name, "SPARSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 1.0}),
            init_postsynaptic("DeltaCurr"),
            init_sparse_connectivity("FixedNumberTotalWithReplacement", {"num": num}))

    if other_group_first:
        total("other", 700)
    total("compared", 500)
    model.build(str(tmp_path))
    model.load()
    sg = model.synapse_populations["compared"]
    sg.pull_connectivity_from_device()
    return sg.get_sparse_pre_inds().copy(), sg.get_sparse_post_inds().copy()


def test_rows_do_not_depend_on_other_groups(tmp_path):
    alone = _rows(tmp_path / "a", "rows_alone", 99, False)
    after_other = _rows(tmp_path / "b", "rows_after_other", 99, True)
    assert len(alone[0]) == 500
    np.testing.assert_array_equal(alone[0], after_other[0])
    np.testing.assert_array_equal(alone[1], after_other[1])


def test_seed_zero_rows_stay_random(tmp_path):
    first = _rows(tmp_path / "a", "rows_random", 0, False)
    second = _rows(tmp_path / "b", "rows_random", 0, False)
    assert not np.array_equal(np.bincount(first[0], minlength=50),
                              np.bincount(second[0], minlength=50))


def _pair(model, delay: int) -> None:
    initial = {"V": -60.0, "RefracTime": 0.0}
    pre = model.add_neuron_population("pre", 10, "LIF", LIF, initial)
    post = model.add_neuron_population("post", 10, "LIF", LIF, initial)
    sg = model.add_synapse_population(
        "pre_post", "SPARSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 1.0}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedProbability", {"prob": 0.5}))
    sg.axonal_delay_steps = delay


def _interval(describe, ranks: dict) -> int:
    model = GeNNModel("float", "interval_check", backend="single_threaded_cpu")
    describe(model)
    model.finalize_checks()
    return ex.exchange_interval(model, ModelPlan(model, "single_threaded_cpu"), ranks)


@pytest.mark.parametrize("network,ranks,expected", [
    # delays 0 (inh -> exc) and 1 (exc -> inh) cross ranks
    (net.describe, {"poisson": 0, "exc": 0, "inh": 1, "out": 1}, 1),
    # delays 0 to 3 cross, and poisson_out_prev reads prev_st_pre with poisson's largest delay
    (net.describe, {"poisson": 0, "exc": 0, "inh": 0, "out": 1}, 1),
    (net.describe_delayed, {"poisson": 0, "exc": 0, "inh": 1, "out": 1}, 3),
    # one group, delay 4
    (lambda m: _pair(m, 4), {"pre": 0, "post": 1}, 5),
    # nothing crosses
    (net.describe_delayed, {"poisson": 0, "exc": 0, "inh": 0, "out": 0}, 1),
    # prev_st_pre with its source's largest delay crosses: every step
    (lambda m: net.describe_delayed(m, quirk=True),
     {"poisson": 0, "exc": 0, "inh": 1, "out": 1}, 1),
    # the same group on one rank: no effect
    (lambda m: net.describe_delayed(m, quirk=True),
     {"poisson": 1, "exc": 0, "inh": 0, "out": 1}, 3),
])
def test_exchange_interval(network, ranks, expected):
    assert _interval(network, ranks) == expected
