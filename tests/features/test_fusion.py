"""fuse_postsynaptic_models / fuse_pre_post_weight_update_models: same results, GeNN's views."""
import numpy as np
import pytest

from pygenn import (GeNNModel, create_neuron_model, create_weight_update_model,
                    init_postsynaptic, init_sparse_connectivity, init_weight_update)

source = create_neuron_model("source", vars=[("phase", "uint32_t")],
                             threshold_condition_code="((uint32_t)t + phase) % 4 == 0")
sink = create_neuron_model("sink", vars=[("I", "scalar")], sim_code="I = Isyn;")
trace = create_weight_update_model(
    "trace", pre_vars=[("x", "scalar")], pre_spike_code="x += 1.0;",
    pre_dynamics_code="x *= 0.5;", pre_spike_syn_code="addToPost(x);")


def _run(backend, tmp_path, fuse, psm):
    model = GeNNModel("double", f"fusion_{fuse}_{psm}", backend=backend)
    model.dt = 1.0
    model.seed = 11
    model.fuse_postsynaptic_models = fuse
    model.fuse_pre_post_weight_update_models = fuse
    post = model.add_neuron_population("post", 20, sink, {}, {"I": 0.0})
    groups = []
    for i in range(3):
        pre = model.add_neuron_population(f"pre{i}", 10, source, {},
                                          {"phase": np.arange(10, dtype=np.uint32) + i})
        psm_init = (init_postsynaptic("ExpCurr", {"tau": 4.0}) if psm == "ExpCurr"
                    else init_postsynaptic("DeltaCurr"))
        for j in range(2):     # two groups from the same source: their WU pre code can fuse
            groups.append(model.add_synapse_population(
                f"syn{i}{j}", "SPARSE", pre, post, init_weight_update(trace, {}, {}, {"x": 0.0}),
                psm_init, init_sparse_connectivity("FixedProbability", {"prob": 0.4})))
    model.build(path_to_model=str(tmp_path))
    model.load()
    inputs = []
    for _ in range(20):
        model.step_time()
        post.vars["I"].pull_from_device()
        inputs.append(post.vars["I"].values.copy())
    return np.array(inputs), groups


@pytest.mark.parametrize("psm", ["DeltaCurr", "ExpCurr"])
def test_fused_and_unfused_models_agree(backend, tmp_path, psm):
    unfused, plain = _run(backend, tmp_path, False, psm)
    fused, fused_groups = _run(backend, tmp_path, True, psm)
    assert np.abs(unfused).sum() > 0
    if psm == "DeltaCurr":
        # sums of exactly representable trace values: identical to the last bit
        np.testing.assert_array_equal(fused, unfused)
    else:
        np.testing.assert_allclose(fused, unfused, rtol=1e-12)
    # what GeNN shows for fused groups: no out_post and no PSM / WU pre variables
    assert all(sg.out_post is not None for sg in plain)
    assert all(sg.out_post is None for sg in fused_groups)
    assert all(sg.pre_vars["x"]._view is None for sg in fused_groups)
    plain[0].pre_vars["x"].pull_from_device()
    assert plain[0].pre_vars["x"].values.shape == (10,)
