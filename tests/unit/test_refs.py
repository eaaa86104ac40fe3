"""Variable and EGP reference constructors (``create_*var_ref``, ``create_*egp_ref``)."""
import pytest

from pygenn import (CustomUpdateVarAccess, VarAccessDim,
                    create_custom_update_model, create_den_delay_var_ref, create_egp_ref,
                    create_out_post_var_ref, create_post_var_ref, create_pre_var_ref,
                    create_prev_spike_time_var_ref, create_psm_egp_ref, create_psm_var_ref,
                    create_spike_time_var_ref, create_src_spike_count_var_ref, create_var_ref,
                    create_weight_update_model, create_wu_egp_ref, create_wu_post_var_ref,
                    create_wu_pre_var_ref, create_wu_var_ref, init_postsynaptic,
                    init_weight_update)
from pygenn._src.model.refs import EGPReference, VarReference, WUVarReference

import _spec_fixtures as fx

EB = VarAccessDim.ELEMENT | VarAccessDim.BATCH


@pytest.fixture
def net():
    m = fx.model()
    pre, post = fx.neuron_pair(m, 4, 3)
    wu = init_weight_update(fx.WU_PLAST, {}, {"g": 0.0}, {"x": 0.0}, {"y": 0.0},
                            pre_var_refs={"Vpre": "V"}, post_var_refs={"Vpost": "V"})
    sg = m.add_synapse_population("S", "SPARSE", pre, post, wu,
                                  init_postsynaptic(fx.PSM_WITH_VAR, {}, {"z": 0.0}))
    return m, pre, post, sg


def test_neuron_var_ref(net):
    _, pre, _, _ = net
    ref = create_var_ref(pre, "U")
    assert isinstance(ref, VarReference)
    assert (ref.group, ref.var_name, ref.kind) == (pre, "U", "neuron")
    assert str(ref.type) == "scalar" and ref.dims == VarAccessDim.ELEMENT
    assert ref.size == 4 and ref.synapse_group is None
    assert create_var_ref(pre, "S").dims == VarAccessDim.BATCH


def test_current_source_and_custom_update_var_refs(net):
    m, pre, _, _ = net
    cs = m.add_current_source("CS", "PoissonExp", pre,
                              {"weight": 1.0, "tauSyn": 1.0, "rate": 1.0}, {"current": 0.0})
    ref = create_var_ref(cs, "current")
    assert ref.kind == "current_source" and ref.size == 4 and ref.dims == EB
    model = create_custom_update_model(
        "C", vars=[("a", "scalar"), ("s", "scalar", CustomUpdateVarAccess.READ_ONLY_SHARED)],
        var_refs=[("X", "scalar")])
    cu = m.add_custom_update("CU", "G", model, {}, {"a": 0.0, "s": 0.0},
                             {"X": create_var_ref(pre, "V")})
    assert create_var_ref(cu, "a").kind == "custom_update"
    assert create_var_ref(cu, "a").dims == EB
    assert create_var_ref(cu, "s").dims == VarAccessDim.ELEMENT  # batch removed
    assert create_var_ref(cu, "a").size == 4


def test_synapse_group_owned_refs(net):
    _, pre, post, sg = net
    psm = create_psm_var_ref(sg, "z")
    pre_ref, post_ref = create_wu_pre_var_ref(sg, "x"), create_wu_post_var_ref(sg, "y")
    assert (psm.kind, psm.group, psm.size, psm.synapse_group) == ("psm", sg, 3, sg)
    assert (pre_ref.kind, pre_ref.size) == ("wu_pre", 4)
    assert (post_ref.kind, post_ref.size) == ("wu_post", 3)
    out = create_out_post_var_ref(sg)
    assert (out.kind, str(out.type), out.dims, out.size) == ("out_post", "scalar", EB, 3)
    count = create_src_spike_count_var_ref(sg)
    assert (count.kind, str(count.type), count.dims) == ("src_spike_count", "uint32_t",
                                                         VarAccessDim.BATCH)


def test_spike_time_refs(net):
    _, pre, _, _ = net
    st, prev = create_spike_time_var_ref(pre), create_prev_spike_time_var_ref(pre)
    assert (st.kind, str(st.type), st.dims, st.size) == ("spike_time", "timepoint", EB, 4)
    assert (prev.kind, str(prev.type)) == ("prev_spike_time", "timepoint")


def test_den_delay_ref():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    wu = create_weight_update_model("Den", vars=[("g", "scalar")],
                                    pre_spike_syn_code="addToPostDelay(g, 1);")
    sg = fx.dense(m, "D", pre, post, wu=init_weight_update(wu, {}, {"g": 1.0}))
    ref = create_den_delay_var_ref(sg)
    assert (ref.kind, str(ref.type), ref.group) == ("den_delay", "scalar", sg)
    plain = fx.dense(m, "P", pre, post)
    with pytest.raises(RuntimeError, match="Synapse group 'P' does not have dendritic delay "
                                           "buffer"):
        create_den_delay_var_ref(plain)


def test_ccu_pre_post_and_wu_refs_drop_batch(net):
    m, pre, _, sg = net
    ccu = m.add_custom_connectivity_update(
        "CCU", "G", sg, fx.CCU, {}, {"c": 0.0}, {"p": 0.0}, {"q": 0.0},
        {"g": create_wu_var_ref(sg, "g")}, {"vp": create_var_ref(pre, "U")})
    p, q = create_pre_var_ref(ccu, "p"), create_post_var_ref(ccu, "q")
    assert (p.kind, p.dims, p.size) == ("ccu_pre", VarAccessDim.ELEMENT, 4)
    assert (q.kind, q.size) == ("ccu_post", 3)
    c = create_wu_var_ref(ccu, "c")
    assert isinstance(c, WUVarReference)
    assert (c.kind, c.dims, c.synapse_group) == ("ccu", VarAccessDim.ELEMENT, sg)


def test_wu_var_refs(net):
    m, _, _, sg = net
    ref = create_wu_var_ref(sg, "g")
    assert (ref.kind, ref.group, ref.synapse_group, ref.dims) == ("wu", sg, sg, EB)
    assert ref.transpose_group is None and ref.transpose_var_name == ""
    cu = m.add_custom_update("CU", "G", create_custom_update_model(
        "C", vars=[("a", "scalar")], var_refs=[("X", "scalar")]), {}, {"a": 0.0}, {"X": ref})
    cu_ref = create_wu_var_ref(cu, "a")
    assert (cu_ref.kind, cu_ref.synapse_group, cu_ref.dims) == ("custom_update", sg, EB)


def test_transpose_ref():
    m = fx.model()
    a = m.add_neuron_population("A", 3, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    b = m.add_neuron_population("B", 2, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    wu = create_weight_update_model("W", vars=[("g", "scalar")],
                                    pre_spike_syn_code="addToPost(g);")
    fwd = fx.dense(m, "Fwd", a, b, wu=init_weight_update(wu, {}, {"g": 0.0}))
    back = fx.dense(m, "Back", b, a, wu=init_weight_update(wu, {}, {"g": 0.0}))
    ref = create_wu_var_ref(fwd, "g", back, "g")
    assert ref.transpose_group is back and ref.transpose_var_name == "g"
    assert str(ref.transpose_type) == "scalar" and ref.transpose_dims == EB
    same = fx.dense(m, "Same", a, b, wu=init_weight_update(wu, {}, {"g": 0.0}))
    with pytest.raises(RuntimeError, match="sizes do not transpose: Synapse group 'Fwd' is 3x2 "
                                           "but Synapse group 'Same' is 3x2"):
        create_wu_var_ref(fwd, "g", same, "g")
    sparse_back = fx.sparse(m, "SparseBack", b, a, wu=init_weight_update(wu, {}, {"g": 0.0}))
    with pytest.raises(RuntimeError, match="transposes are only supported between DENSE synapse "
                                           "groups, but Synapse group 'SparseBack' is SPARSE"):
        create_wu_var_ref(fwd, "g", sparse_back, "g")
    with pytest.raises(RuntimeError, match="Variable 'h' not found in Synapse group 'Back'"):
        create_wu_var_ref(fwd, "g", back, "h")


def test_transpose_types_and_batching_must_match():
    m = fx.model()
    a = m.add_neuron_population("A", 3, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    b = m.add_neuron_population("B", 2, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    wu = create_weight_update_model("W", vars=[("g", "scalar")])
    ints = create_weight_update_model("I", vars=[("g", "int")])
    fwd = fx.dense(m, "Fwd", a, b, wu=init_weight_update(wu, {}, {"g": 0.0}))
    back_int = fx.dense(m, "BackInt", b, a, wu=init_weight_update(ints, {}, {"g": 0}))
    with pytest.raises(RuntimeError, match="types differ \\('scalar' and 'int'\\)"):
        create_wu_var_ref(fwd, "g", back_int, "g")
    back_ro = fx.dense(m, "BackRO", b, a)  # StaticPulse g is READ_ONLY: not batched
    with pytest.raises(RuntimeError, match="one variable is batched and the other is not"):
        create_wu_var_ref(fwd, "g", back_ro, "g")


def test_wu_refs_need_individual_or_kernel_weights():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = m.add_synapse_population("S", "DENSE_PROCEDURALG", pre, post, fx.static_pulse(),
                                  fx.delta())
    with pytest.raises(RuntimeError, match="only synapse groups with INDIVIDUAL or KERNEL "
                                           "weights store per-synapse variables \\(this one is "
                                           "DENSE_PROCEDURALG\\)"):
        create_wu_var_ref(sg, "g")


@pytest.mark.parametrize("create, group_index, name, message", [
    (create_var_ref, 1, "W", "Variable 'W' not found in Neuron group 'Pre' \\(model "
                             "TestNeuron\\)"),
    (create_psm_var_ref, 3, "y", "Variable 'y' not found in Synapse group 'S' postsynaptic "
                                 "model"),
    (create_wu_pre_var_ref, 3, "y", "Variable 'y' not found in Synapse group 'S' weight update "
                                    "model presynaptic variables"),
    (create_wu_post_var_ref, 3, "x", "Variable 'x' not found .* postsynaptic variables"),
    (create_wu_var_ref, 3, "gg", "Variable 'gg' not found .* Did you mean 'g'"),
    (create_egp_ref, 1, "f", "Extra global parameter 'f' not found in Neuron group 'Pre'"),
    (create_wu_egp_ref, 3, "v", "Extra global parameter 'v' not found in Synapse group 'S' "
                                "weight update model"),
    (create_psm_egp_ref, 3, "w", "Extra global parameter 'w' not found .* postsynaptic model"),
])
def test_unknown_names(net, create, group_index, name, message):
    with pytest.raises(RuntimeError, match=message):
        create(net[group_index], name)


@pytest.mark.parametrize("create, group_index, message", [
    (create_var_ref, 3, "create_var_ref cannot reference Synapse group 'S'; use "
                        "create_wu_var_ref"),
    (create_wu_var_ref, 1, "create_wu_var_ref cannot reference Neuron group 'Pre', which is "
                           "neuron-shaped"),
    (create_psm_var_ref, 1, "create_psm_var_ref needs a synapse group"),
    (create_egp_ref, 3, "create_egp_ref cannot reference Synapse group 'S'; use "
                        "create_wu_egp_ref"),
    (create_pre_var_ref, 3, "create_pre_var_ref needs a custom connectivity update"),
])
def test_wrong_group_kinds(net, create, group_index, message):
    with pytest.raises(TypeError, match=message):
        create(net[group_index], "x")


def test_wrong_group_kind_for_group_only_refs():
    with pytest.raises(TypeError, match="create_spike_time_var_ref needs a neuron group"):
        create_spike_time_var_ref("Pop")
    with pytest.raises(TypeError, match="create_out_post_var_ref needs a synapse group"):
        create_out_post_var_ref("S")
    with pytest.raises(TypeError, match="create_wu_var_ref needs a synapse group, custom WU "
                                        "update or custom connectivity update"):
        create_wu_var_ref(3, "g")
    with pytest.raises(TypeError, match="create_egp_ref needs a neuron group"):
        create_egp_ref(3, "e")


def test_egp_refs(net):
    m, pre, _, sg = net
    ref = create_egp_ref(pre, "e")
    assert isinstance(ref, EGPReference)
    assert (ref.kind, ref.group, ref.egp_name, str(ref.type)) == ("neuron", pre, "e", "scalar")
    wu_ref = create_wu_egp_ref(sg, "w")
    assert (wu_ref.kind, wu_ref.group) == ("wu", sg)
    cs = m.add_current_source("CS", fx.create_current_source_model(
        "E", extra_global_params=[("k", "int*")]), pre)
    assert create_egp_ref(cs, "k").kind == "current_source"
    assert str(create_egp_ref(cs, "k").type) == "int"

