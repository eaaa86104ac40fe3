"""Partitioning, and what cannot cross ranks (checked at build, before anything compiles).

These run in one process: a stand-in transport plays rank ``rank`` of ``size`` ranks that all
describe the same model (its collectives return this rank's data for every rank).
"""
import pytest

import distributed_network as net
from pygenn import (GeNNModel, create_custom_update_model, create_var_ref,
                    create_weight_update_model, init_postsynaptic, init_sparse_connectivity,
                    init_weight_update)
from pygenn.distributed import DistributedGeNNModel, DistributionError, Transport
from pygenn.distributed import assign_partition
from pygenn._src.distributed import requested

LIF = net.LIF


class Mirror(Transport):
    """Rank ``rank`` of ``size`` ranks that all say what this one says."""

    name = "mirror"

    def __init__(self, rank=0, size=2):
        self.rank, self.size = rank, size

    def allgather(self, data):
        return [bytes(data)] * self.size

    def broadcast(self, obj, root=0):
        return obj


def _model(size=2, rank=0, partition=None, **kwargs):
    return GeNNModel("float", "dist_check", backend="single_threaded_cpu",
                     distribution=Mirror(rank, size), partition=partition, **kwargs)


def _two_pops(model, n_pre=10, n_post=10):
    pre = model.add_neuron_population("pre", n_pre, "LIF", LIF, {"V": -60.0, "RefracTime": 0.0})
    post = model.add_neuron_population("post", n_post, "LIF", LIF,
                                       {"V": -60.0, "RefracTime": 0.0})
    return pre, post


# ---------------------------------------------------------------------- choosing the class
def test_plain_model_unless_a_distribution_is_named(monkeypatch):
    for variable in ("PYGENN_DISTRIBUTION", "PYGENN_NUM_RANKS"):
        monkeypatch.delenv(variable, raising=False)
    assert type(GeNNModel("float", "plain")) is GeNNModel
    assert not requested({})
    assert isinstance(GeNNModel("float", "d", distribution="single"), DistributedGeNNModel)
    monkeypatch.setenv("PYGENN_DISTRIBUTION", "single")
    model = GeNNModel("float", "d")
    assert isinstance(model, DistributedGeNNModel) and model.num_ranks == 1


def test_unknown_distribution():
    with pytest.raises(ValueError, match="unknown distribution 'nccl'"):
        GeNNModel("float", "d", distribution="nccl")


def test_local_distribution_needs_the_launcher(monkeypatch):
    for variable in ("PYGENN_RANK", "PYGENN_NUM_RANKS", "PYGENN_DIST_ADDRESS",
                     "PYGENN_DIST_AUTHKEY"):
        monkeypatch.delenv(variable, raising=False)
    from pygenn._src.distributed import transport
    monkeypatch.setattr(transport, "_PROCESS_TRANSPORTS", {})
    with pytest.raises(RuntimeError, match="python -m pygenn.distributed"):
        GeNNModel("float", "d", distribution="local")


# ---------------------------------------------------------------------- partition
def test_default_partition_balances_and_is_deterministic():
    model = GeNNModel("float", "p")
    sizes = {"a": 1000, "b": 900, "c": 500, "d": 400, "e": 100}
    for name, size in sizes.items():
        model.add_neuron_population(name, size, "LIF", LIF, {"V": -60.0, "RefracTime": 0.0})
    ranks = assign_partition(model, 2)
    assert ranks == assign_partition(model, 2)
    load = [sum(sizes[n] for n, r in ranks.items() if r == rank) for rank in range(2)]
    assert abs(load[0] - load[1]) <= 100
    assert set(assign_partition(model, 5).values()) == set(range(5))


def test_partition_counts_synapses_of_the_target():
    model = GeNNModel("float", "p")
    pre, post = _two_pops(model, 100, 100)
    model.add_neuron_population("other", 150, "LIF", LIF, {"V": -60.0, "RefracTime": 0.0})
    model.add_synapse_population("dense", "DENSE", pre, post,
                                 init_weight_update("StaticPulse", {}, {"g": 0.1}),
                                 init_postsynaptic("DeltaCurr"))
    ranks = assign_partition(model, 2)
    # post carries 10,000 synapses: it gets a rank to itself
    assert ranks["pre"] == ranks["other"] != ranks["post"]


def test_explicit_partition_is_kept_and_checked():
    model = GeNNModel("float", "p")
    pre, post = _two_pops(model)
    assert assign_partition(model, 2, {"pre": 1, post: 0}) == {"pre": 1, "post": 0}
    with pytest.raises(ValueError, match="'nope', which is not a neuron population"):
        assign_partition(model, 2, {"nope": 0})
    with pytest.raises(ValueError, match="rank 2, but ranks are 0 to 1"):
        assign_partition(model, 2, {"pre": 2})


def test_partition_after_build_and_seed_shared():
    model = _model(partition={"pre": 0, "post": 1})
    pre, post = _two_pops(model)
    model.add_synapse_population("s", "DENSE", pre, post,
                                 init_weight_update("StaticPulse", {}, {"g": 0.1}),
                                 init_postsynaptic("DeltaCurr"))
    with pytest.raises(RuntimeError, match="decided at build"):
        _ = model.partition
    model.build(str(_tmp()), never_rebuild=True)
    assert model.partition == {"pre": 0, "post": 1}
    assert model.is_local(pre) and not model.is_local("post") and not model.is_local("s")
    assert model.seed != 0          # seed 0: one random seed, broadcast from rank 0


def _tmp():
    import tempfile
    return tempfile.mkdtemp(prefix="pygenn-dist-test-")


# ---------------------------------------------------------------------- what cannot cross ranks
def _cross(wu_init, *, partition=None, extra=None, **kwargs):
    """Build rank 0 of a 2-rank model whose synapse group 'syn' goes from rank 0 to rank 1."""
    model = _model(partition=partition or {"pre": 0, "post": 1}, **kwargs)
    pre, post = _two_pops(model)
    model.add_synapse_population("syn", "SPARSE", pre, post, wu_init,
                                 init_postsynaptic("DeltaCurr"),
                                 init_sparse_connectivity("FixedProbability", {"prob": 0.5}))
    if extra is not None:
        extra(model, pre, post)
    model.build(_tmp(), never_rebuild=True)
    return model


@pytest.mark.parametrize("what,kwargs,message", [
    ("pre_spike_code", dict(pre_vars=[("x", "scalar")], pre_spike_code="x += 1.0;",
                            pre_spike_syn_code="addToPost(g * x);"), "runs pre_spike_code"),
    ("pre_dynamics_code", dict(pre_vars=[("x", "scalar")], pre_dynamics_code="x *= 0.9;",
                               pre_spike_syn_code="addToPost(g * x);"),
     "runs pre_dynamics_code"),
    ("events", dict(pre_event_threshold_condition_code="V_pre > -55.0",
                    pre_event_syn_code="addToPost(g);",
                    pre_neuron_var_refs=[("V_pre", "scalar")]),
     "spike-like events"),
    ("addToPre", dict(pre_spike_syn_code="addToPost(g); addToPre(g);"), "calls addToPre"),
])
def test_source_side_code_across_ranks_is_refused(what, kwargs, message):
    model_kwargs = dict(kwargs)
    refs = {}
    if "pre_neuron_var_refs" in model_kwargs:
        refs = {"V_pre": "V"}
    wu = create_weight_update_model(f"WU_{what}", vars=[("g", "scalar")], **model_kwargs)
    pre_vars = {"x": 1.0} if "pre_vars" in kwargs else {}
    init = init_weight_update(wu, {}, {"g": 0.1}, pre_vars, {}, refs)
    with pytest.raises(DistributionError) as error:
        _cross(init)
    text = str(error.value)
    assert "Synapse group 'syn' connects Neuron group 'pre' (rank 0)" in text
    assert message in text and "partition=" in text
    # both populations on one rank: fine
    _cross(init, partition={"pre": 1, "post": 1})


def test_presynaptic_variable_references_across_ranks_are_refused():
    wu = create_weight_update_model("ReadsV", vars=[("g", "scalar")],
                                    pre_neuron_var_refs=[("V_pre", "scalar")],
                                    synapse_dynamics_code="addToPost(g * V_pre);")
    with pytest.raises(DistributionError, match="presynaptic variable references \\(V_pre\\)"):
        _cross(init_weight_update(wu, {}, {"g": 0.1}, {}, {}, {"V_pre": "V"}))


def test_custom_update_spanning_ranks_is_refused():
    model_cu = create_custom_update_model("Sum", var_refs=[("a", "scalar"), ("b", "scalar")],
                                          update_code="a = b;")

    def add_update(model, pre, post):
        model.add_custom_update("copy", "Copy", model_cu, {}, {},
                                {"a": create_var_ref(pre, "V"), "b": create_var_ref(post, "V")})

    with pytest.raises(DistributionError, match="Custom update 'copy' references groups on "
                                                "different ranks"):
        _cross(init_weight_update("StaticPulse", {}, {"g": 0.1}), extra=add_update)


def test_batched_models_are_refused():
    def batch(model, pre, post):
        model.batch_size = 2

    with pytest.raises(DistributionError, match="batch_size 2"):
        _cross(init_weight_update("StaticPulse", {}, {"g": 0.1}), extra=batch)


def test_supported_cross_rank_group_builds():
    # rank 0 simulates 'pre' only: 'syn' lives with its target on rank 1
    model = _cross(init_weight_update("STDP", net.STDP, {"g": 0.5}))
    assert set(model._local.neuron_groups) == {"pre"} and not model._local.synapse_groups
    assert not model._local.proxies
    # rank 1 simulates 'post' and 'syn', which reads 'pre' through a proxy of the same size
    model = _cross(init_weight_update("STDP", net.STDP, {"g": 0.5}), rank=1)
    assert set(model._local.synapse_groups) == {"syn"}
    proxy = model._local.proxies["pre"]
    assert proxy.num_neurons == 10 and proxy is not model.neuron_populations["pre"]
    # outside build and load the script sees its own objects again
    assert model.synapse_populations["syn"].src is model.neuron_populations["pre"]
    assert set(model.neuron_populations) == {"pre", "post"}


def test_ranks_must_describe_the_same_model():
    class Disagreeing(Mirror):
        def allgather(self, data):
            return [bytes(data), bytes(data) + b"x"]

    model = GeNNModel("float", "d", backend="single_threaded_cpu", distribution=Disagreeing())
    _two_pops(model)
    with pytest.raises(RuntimeError, match="ranks \\[1\\] describe a different model"):
        model.build(_tmp(), never_rebuild=True)
