"""Every synapse matrix type (``SynapseMatrixType``) on every backend, against NumPy.

Conservation: a spike source with a known pattern drives one target per matrix type through the
same connectivity; targets sum their input (``S += Isyn``), so after the run ``S`` must equal
spike counts @ weight matrix. Convolutions (Toeplitz ``Conv2D``/``AvgPoolConv2D``, sparse
``Conv2D`` with kernel weights, PROCEDURAL_KERNELG) are compared with a NumPy 'same'
cross-correlation of the spiking input image.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pygenn import (create_neuron_model, create_sparse_connect_init_snippet,
                    create_var_init_snippet, create_weight_update_model, init_postsynaptic,
                    init_sparse_connectivity, init_toeplitz_connectivity, init_var,
                    init_weight_update)

ACC = create_neuron_model("Acc", vars=[("S", "scalar")], sim_code="S += Isyn;")
STEPS = 12

# Deterministic connectivity without random numbers: i -> j where (7i + 3j) % 5 == 0
PATTERN = create_sparse_connect_init_snippet(
    "Pattern",
    row_build_code="""
        for (unsigned int j = 0; j < num_post; j++) {
            if (((id_pre * 7u) + (j * 3u)) % 5u == 0u) {
                addSynapse(j + id_post_begin);
            }
        }
        """,
    calc_max_row_len_func=lambda num_pre, num_post, pars: num_post)


def _pattern_mask(num_pre, num_post):
    i, j = np.meshgrid(np.arange(num_pre), np.arange(num_post), indexing="ij")
    return ((7 * i + 3 * j) % 5 == 0)


def _spike_source(model, spikes, name="Pre"):
    """SpikeSourceArray population; ``spikes[i]`` are neuron i's (sorted) spike times."""
    counts = np.array([len(s) for s in spikes])
    end = np.cumsum(counts)
    pre = model.add_neuron_population(name, len(spikes), "SpikeSourceArray", {},
                                      {"startSpike": end - counts, "endSpike": end})
    times = np.concatenate([np.asarray(s, dtype=float) for s in spikes] + [np.zeros(1)])
    pre.extra_global_params["spikeTimes"].set_init_values(times)
    return pre


def _pattern_spikes(num_pre):
    """Neuron i spikes (i % 3) + 1 times in the first steps (all delivered within STEPS)."""
    return [list(float(t) for t in range((i % 3) + 1)) for i in range(num_pre)], \
        np.array([(i % 3) + 1 for i in range(num_pre)], dtype=float)


def _target(model, name, num):
    return model.add_neuron_population(name, num, ACC, {}, {"S": 0.0})


def _run(model, steps=STEPS):
    for _ in range(steps):
        model.step_time()


def _summed(pop):
    pop.vars["S"].pull_from_device()
    return np.array(pop.vars["S"].view, dtype=float).copy()


def _static(g=None):
    if g is None:
        return init_weight_update("StaticPulseConstantWeight", {"g": 1.0})
    return init_weight_update("StaticPulse", {}, {"g": g})


# ------------------------------------------------------------------------ conservation
def test_conservation_every_matrix_type(make_model):
    num_pre, num_post = 20, 70          # BITMASK rows span three 32-bit words
    mask = _pattern_mask(num_pre, num_post)
    spikes, counts = _pattern_spikes(num_pre)
    model = make_model()
    pre = _spike_source(model, spikes)
    delta = init_postsynaptic("DeltaCurr")
    targets = {}

    def add(name, matrix_type, wu, conn=None):
        targets[name] = _target(model, f"T{name}", num_post)
        args = (name, matrix_type, pre, targets[name], wu, delta)
        return model.add_synapse_population(*args, conn) if conn else \
            model.add_synapse_population(*args)

    add("Dense", "DENSE", _static(mask.astype(float).ravel()))
    manual = add("Manual", "SPARSE", _static(1.0))
    pre_inds, post_inds = np.nonzero(mask)
    manual.set_sparse_connections(pre_inds, post_inds)
    add("Bitmask", "BITMASK", _static(), init_sparse_connectivity(PATTERN, {}))
    add("Procedural", "PROCEDURAL", _static(1.0), init_sparse_connectivity(PATTERN, {}))
    # same structure, different constant: shares the generated code (merged group)
    add("Procedural3", "PROCEDURAL", _static(3.0), init_sparse_connectivity(PATTERN, {}))
    add("ProceduralConst", "PROCEDURAL", _static(), init_sparse_connectivity(PATTERN, {}))
    add("Snippet", "SPARSE", _static(1.0), init_sparse_connectivity(PATTERN, {}))
    model.build_load()
    _run(model)
    expected = counts @ mask.astype(float)
    assert expected.sum() > 0
    for name, pop in targets.items():
        scale = 3.0 if name == "Procedural3" else 1.0
        assert_allclose(_summed(pop), scale * expected, err_msg=name)


NEEDS_EGP = create_sparse_connect_init_snippet(
    "NeedsEGP", extra_global_params=[("targets", "unsigned int*")],
    row_build_code="addSynapse(targets[id_pre]);",
    calc_max_row_len_func=lambda num_pre, num_post, pars: 1)


@pytest.mark.parametrize("snippet", ["OneToOne", "Pattern", "NeedsEGP"])
def test_manual_rows_replace_a_connectivity_snippet(make_model, snippet):
    """set_sparse_connections on a group that also has a connectivity initialiser: the manual
    rows replace the snippet's (GeNN), longer rows than the snippet's bound included, and the
    snippet's EGPs are not needed. Expected delivery: counts @ manual mask, weights in the
    order given."""
    num_pre, num_post = 6, 5
    spikes, counts = _pattern_spikes(num_pre)
    rng = np.random.default_rng(11)
    mask = rng.random((num_pre, num_post)) < 0.5
    mask[0] = True                      # a row longer than OneToOne's / NeedsEGP's bound
    pre_inds, post_inds = np.nonzero(mask)
    order = rng.permutation(len(pre_inds))
    pre_inds, post_inds = pre_inds[order], post_inds[order]
    g = rng.uniform(0.5, 2.0, len(pre_inds))
    model = make_model()
    pre = _spike_source(model, spikes)
    post = _target(model, "Post", num_post)
    init = {"OneToOne": init_sparse_connectivity("OneToOne"),
            "Pattern": init_sparse_connectivity(PATTERN, {}),
            "NeedsEGP": init_sparse_connectivity(NEEDS_EGP, {})}[snippet]
    sg = model.add_synapse_population("S", "SPARSE", pre, post, _static(g),
                                      init_postsynaptic("DeltaCurr"), init)
    sg.set_sparse_connections(pre_inds, post_inds)
    model.build_load()
    _run(model)
    weights = np.zeros((num_pre, num_post))
    weights[pre_inds, post_inds] = g
    assert_allclose(_summed(post), counts @ weights)
    sg.vars["g"].pull_from_device()
    assert_array_equal(sg.get_sparse_pre_inds(), pre_inds)
    assert_array_equal(sg.get_sparse_post_inds(), post_inds)
    assert_allclose(sg.vars["g"].values, g)


def test_conservation_with_axonal_delay_and_events(make_model):
    """PROCEDURAL and BITMASK through a delayed spike queue, TOEPLITZ-free event code."""
    num_pre, num_post = 12, 9
    mask = _pattern_mask(num_pre, num_post)
    spikes, counts = _pattern_spikes(num_pre)
    model = make_model()
    pre = _spike_source(model, spikes)
    delta = init_postsynaptic("DeltaCurr")
    pops = {}
    for name, matrix_type, wu in (("Proc", "PROCEDURAL", _static(2.0)),
                                  ("Bits", "BITMASK", _static())):
        pops[name] = _target(model, f"T{name}", num_post)
        sg = model.add_synapse_population(name, matrix_type, pre, pops[name], wu, delta,
                                          init_sparse_connectivity(PATTERN, {}))
        sg.axonal_delay_steps = 3
    model.build_load()
    _run(model, STEPS + 4)
    expected = counts @ mask.astype(float)
    assert_allclose(_summed(pops["Proc"]), 2.0 * expected)
    assert_allclose(_summed(pops["Bits"]), expected)


# ------------------------------------------------------------------------ PROCEDURAL vs SPARSE
def _fixed_probability_model(make_model, matrix_type, num_pre, num_post, prob):
    model = make_model(seed=97531)
    spikes = [[0.0] if i % 4 else [0.0, 2.0] for i in range(num_pre)]
    pre = _spike_source(model, spikes)
    post = _target(model, "Post", num_post)
    sg = model.add_synapse_population(
        "Syn", matrix_type, pre, post,
        init_weight_update("StaticPulse", {}, {"g": init_var("Uniform", {"min": 0.5,
                                                                         "max": 1.5})}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedProbability", {"prob": prob}))
    counts = np.array([len(s) for s in spikes], dtype=float)
    return model, sg, post, counts


def test_procedural_reproduces_sparse_twin(make_model):
    num_pre, num_post, prob = 60, 80, 0.1
    sparse_model, sg, sparse_post, counts = _fixed_probability_model(
        make_model, "SPARSE", num_pre, num_post, prob)
    sparse_model.build_load()
    sg.pull_connectivity_from_device()
    sg.vars["g"].pull_from_device()
    weights = np.zeros((num_pre, num_post))
    pre_inds = np.asarray(sg.get_sparse_pre_inds())
    post_inds = np.asarray(sg.get_sparse_post_inds())
    weights[pre_inds, post_inds] = np.asarray(sg.vars["g"].values)
    _run(sparse_model)
    expected = counts @ weights
    assert_allclose(_summed(sparse_post), expected)

    proc_model, _, proc_post, _ = _fixed_probability_model(
        make_model, "PROCEDURAL", num_pre, num_post, prob)
    proc_model.build_load()
    _run(proc_model)
    procedural = _summed(proc_post)
    # the same seed, group and stream: identical rows and weights, so identical input
    assert_allclose(procedural, expected, rtol=1e-12)
    # connectivity statistics: mean row length close to num_post * prob
    row_lengths = np.bincount(pre_inds, minlength=num_pre)
    assert abs(row_lengths.mean() - num_post * prob) < 4 * np.sqrt(num_post * prob / num_pre)


def test_procedural_seed_changes_connectivity(make_model):
    a, _, post_a, _ = _fixed_probability_model(make_model, "PROCEDURAL", 30, 40, 0.2)
    a.build_load()
    _run(a)
    b, _, post_b, _ = _fixed_probability_model(make_model, "PROCEDURAL", 30, 40, 0.2)
    b.seed = 13579
    b.build_load()
    _run(b)
    assert not np.allclose(_summed(post_a), _summed(post_b))


# ------------------------------------------------------------------------ DENSE_PROCEDURALG
WEIGHT_PATTERN = create_var_init_snippet(
    "WeightPattern", params=["scale"],
    var_init_code="value = scale * ((scalar)((id_pre * 3u + id_post) % 7u) - 3.0);")


def test_dense_proceduralg_matches_dense(make_model):
    num_pre, num_post = 10, 14
    spikes, counts = _pattern_spikes(num_pre)
    model = make_model()
    pre = _spike_source(model, spikes)
    pops = {}
    for matrix_type in ("DENSE", "DENSE_PROCEDURALG"):
        pops[matrix_type] = _target(model, f"T{matrix_type}", num_post)
        model.add_synapse_population(
            matrix_type, matrix_type, pre, pops[matrix_type],
            init_weight_update("StaticPulse", {},
                               {"g": init_var(WEIGHT_PATTERN, {"scale": 0.5})}),
            init_postsynaptic("DeltaCurr"))
    model.build_load()
    _run(model)
    i, j = np.meshgrid(np.arange(num_pre), np.arange(num_post), indexing="ij")
    weights = 0.5 * (((3 * i + j) % 7) - 3.0)
    expected = counts @ weights
    assert_array_equal(_summed(pops["DENSE"]), _summed(pops["DENSE_PROCEDURALG"]))
    assert_allclose(_summed(pops["DENSE_PROCEDURALG"]), expected)


# ------------------------------------------------------------------------ convolutions
def _same_correlation(image, kernel):
    """out[r, c, o] = sum_{a, b, i} kernel[a, b, i, o] * image[r + a - kh//2, c + b - kw//2, i].

    A 'same' cross-correlation with zero padding; equivalently a convolution with the flipped
    kernel, which is what GeNN's Toeplitz snippets compute (they add synapses with the flipped
    kernel indices kh-1-kernRow, kw-1-kernCol).
    """
    h, w, _ = image.shape
    kh, kw, _, oc = kernel.shape
    padded = np.zeros((h + kh - 1, w + kw - 1, image.shape[2]))
    padded[kh // 2:kh // 2 + h, kw // 2:kw // 2 + w] = image
    out = np.zeros((h, w, oc))
    for a in range(kh):
        for b in range(kw):
            out += np.einsum("rci,io->rco", padded[a:a + h, b:b + w], kernel[a, b])
    return out


SOBEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def _image(h=8, w=8, c=1, seed=3):
    image = (np.random.default_rng(seed).random((h, w, c)) < 0.4).astype(float)
    image[2:6, 3] = 1.0
    return image


def _image_source(model, image):
    flat = image.reshape(-1)          # (row, col, channel), channel fastest
    return _spike_source(model, [[0.0] if v else [] for v in flat])


def test_sobel_toeplitz_sparse_and_procedural_kernel(make_model):
    image = _image()
    kernel = SOBEL.reshape(3, 3, 1, 1)
    expected = _same_correlation(image, kernel).reshape(-1)
    # the hand-written formula for the Sobel case: sum_{a,b} K[a,b] in[r+a-1, c+b-1]
    padded = np.pad(image[:, :, 0], 1)
    manual = sum(SOBEL[a, b] * padded[a:a + 8, b:b + 8] for a in range(3) for b in range(3))
    assert_allclose(expected, manual.reshape(-1))

    model = make_model()
    pre = _image_source(model, image)
    delta = init_postsynaptic("DeltaCurr")
    toeplitz = {"conv_kh": 3, "conv_kw": 3, "conv_ih": 8, "conv_iw": 8, "conv_ic": 1,
                "conv_oh": 8, "conv_ow": 8, "conv_oc": 1}
    sparse = {"conv_kh": 3, "conv_kw": 3, "conv_sh": 1, "conv_sw": 1, "conv_padh": 1,
              "conv_padw": 1, "conv_ih": 8, "conv_iw": 8, "conv_ic": 1, "conv_oh": 8,
              "conv_ow": 8, "conv_oc": 1}
    pops = {name: _target(model, f"T{name}", 64)
            for name in ("Toeplitz", "SparseKernel", "ProcKernelG", "ProcKernelInit")}
    tsg = model.add_synapse_population("Toeplitz", "TOEPLITZ", pre, pops["Toeplitz"],
                                       _static(SOBEL.ravel()), delta,
                                       init_toeplitz_connectivity("Conv2D", toeplitz))
    ssg = model.add_synapse_population(
        "SparseKernel", "SPARSE", pre, pops["SparseKernel"],
        init_weight_update("StaticPulse", {}, {"g": init_var("Kernel")}), delta,
        init_sparse_connectivity("Conv2D", sparse))
    ssg.vars["g"].extra_global_params["kernel"].set_init_values(SOBEL.ravel())
    model.add_synapse_population("ProcKernelG", "PROCEDURAL_KERNELG", pre, pops["ProcKernelG"],
                                 _static(SOBEL.ravel()), delta,
                                 init_sparse_connectivity("Conv2D", sparse))
    psg = model.add_synapse_population(
        "ProcKernelInit", "PROCEDURAL", pre, pops["ProcKernelInit"],
        init_weight_update("StaticPulse", {}, {"g": init_var("Kernel")}), delta,
        init_sparse_connectivity("Conv2D", sparse))
    psg.vars["g"].extra_global_params["kernel"].set_init_values(SOBEL.ravel())
    model.build_load()
    # KERNEL weights are stored as prod(kernel_size) entries, not one per synapse
    tsg.vars["g"].pull_from_device()
    assert tsg.vars["g"].view.shape == (9,)
    assert_allclose(tsg.vars["g"].view, SOBEL.ravel())
    _run(model, 3)
    for name, pop in pops.items():
        assert_allclose(_summed(pop), expected, err_msg=name)


def test_toeplitz_conv2d_multichannel(make_model):
    image = _image(6, 7, 2, seed=5)
    rng = np.random.default_rng(11)
    kernel = rng.integers(-3, 4, size=(3, 3, 2, 3)).astype(float)
    expected = _same_correlation(image, kernel).reshape(-1)
    model = make_model()
    pre = _image_source(model, image)
    post = _target(model, "Post", 6 * 7 * 3)
    model.add_synapse_population(
        "Conv", "TOEPLITZ", pre, post, _static(kernel.ravel()), init_postsynaptic("DeltaCurr"),
        init_toeplitz_connectivity("Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 6,
                                              "conv_iw": 7, "conv_ic": 2, "conv_oh": 6,
                                              "conv_ow": 7, "conv_oc": 3}))
    model.build_load()
    _run(model, 3)
    assert_allclose(_summed(post), expected)


def test_toeplitz_avg_pool_conv2d(make_model):
    """Sum-pool 2x2 (stride 2, no 1/4 scaling, as GeNN's AvgPoolConv2D) then a 3x3 'same'
    convolution."""
    image = _image(8, 8, 1, seed=7)
    rng = np.random.default_rng(17)
    kernel = rng.integers(-2, 3, size=(3, 3, 1, 2)).astype(float)
    pooled = image.reshape(4, 2, 4, 2, 1).sum(axis=(1, 3))
    expected = _same_correlation(pooled, kernel).reshape(-1)
    model = make_model()
    pre = _image_source(model, image)
    post = _target(model, "Post", 4 * 4 * 2)
    model.add_synapse_population(
        "Pool", "TOEPLITZ", pre, post, _static(kernel.ravel()), init_postsynaptic("DeltaCurr"),
        init_toeplitz_connectivity("AvgPoolConv2D", {
            "conv_kh": 3, "conv_kw": 3, "pool_kh": 2, "pool_kw": 2, "pool_sh": 2, "pool_sw": 2,
            "pool_ih": 8, "pool_iw": 8, "pool_ic": 1, "conv_oh": 4, "conv_ow": 4,
            "conv_oc": 2}))
    model.build_load()
    _run(model, 3)
    assert_allclose(_summed(post), expected)


def test_sparse_kernel_init_stores_per_synapse_values(make_model):
    """SPARSE + Kernel init: per-synapse storage filled from each synapse's kernel index."""
    image = np.ones((4, 4, 1))
    model = make_model()
    pre = _image_source(model, image)
    post = _target(model, "Post", 16)
    sparse = {"conv_kh": 3, "conv_kw": 3, "conv_sh": 1, "conv_sw": 1, "conv_padh": 1,
              "conv_padw": 1, "conv_ih": 4, "conv_iw": 4, "conv_ic": 1, "conv_oh": 4,
              "conv_ow": 4, "conv_oc": 1}
    sg = model.add_synapse_population(
        "Syn", "SPARSE", pre, post,
        init_weight_update("StaticPulse", {}, {"g": init_var("Kernel")}),
        init_postsynaptic("DeltaCurr"), init_sparse_connectivity("Conv2D", sparse))
    kernel = np.arange(9, dtype=float) + 1.0
    sg.vars["g"].extra_global_params["kernel"].set_init_values(kernel)
    model.build_load()
    sg.pull_connectivity_from_device()
    sg.vars["g"].pull_from_device()
    pre_inds = np.asarray(sg.get_sparse_pre_inds())
    post_inds = np.asarray(sg.get_sparse_post_inds())
    g = np.asarray(sg.vars["g"].values)
    in_r, in_c = pre_inds // 4, pre_inds % 4
    out_r, out_c = post_inds // 4, post_inds % 4
    k_index = (in_r + 1 - out_r) * 3 + (in_c + 1 - out_c)
    assert_allclose(g, kernel[k_index])


def test_toeplitz_kernel_variable_with_init_snippet(make_model):
    """KERNEL variables initialised on the device with id_kernel (Kernel snippet)."""
    model = make_model()
    image = _image(5, 5, 1, seed=2)
    pre = _image_source(model, image)
    post = _target(model, "Post", 25)
    sg = model.add_synapse_population(
        "Conv", "TOEPLITZ", pre, post,
        init_weight_update("StaticPulse", {}, {"g": init_var("Kernel")}),
        init_postsynaptic("DeltaCurr"),
        init_toeplitz_connectivity("Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 5,
                                              "conv_iw": 5, "conv_ic": 1, "conv_oh": 5,
                                              "conv_ow": 5, "conv_oc": 1}))
    sg.vars["g"].extra_global_params["kernel"].set_init_values(SOBEL.T.ravel())
    model.build_load()
    sg.vars["g"].pull_from_device()
    assert_allclose(sg.vars["g"].view, SOBEL.T.ravel())
    _run(model, 3)
    expected = _same_correlation(image, SOBEL.T.reshape(3, 3, 1, 1)).reshape(-1)
    assert_allclose(_summed(post), expected)


def test_kernel_weights_atomic_add(make_model):
    """RW KERNEL variables are read-only in synaptic code but take ``atomic_add_<var>``."""
    counter = create_weight_update_model("Count", vars=[("g", "scalar")],
                                         pre_spike_syn_code="atomic_add_g(1.0);")
    model = make_model()
    pre = _image_source(model, np.ones((5, 5, 1)))
    post = _target(model, "Post", 25)
    sg = model.add_synapse_population(
        "Conv", "TOEPLITZ", pre, post, init_weight_update(counter, {}, {"g": 0.0}),
        init_postsynaptic("DeltaCurr"),
        init_toeplitz_connectivity("Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 5,
                                              "conv_iw": 5, "conv_ic": 1, "conv_oh": 5,
                                              "conv_ow": 5, "conv_oc": 1}))
    model.build_load()
    _run(model, 2)
    sg.vars["g"].pull_from_device()
    # kernel entry (a, b) is used once per output (r, c) whose input (r+a-1, c+b-1) exists
    valid = np.array([5 - abs(a - 1) for a in range(3)], dtype=float)
    assert_allclose(sg.vars["g"].view, np.outer(valid, valid).ravel())


def test_procedural_weights_have_no_storage(make_model):
    model, pre, post = _pair(make_model)
    sg = model.add_synapse_population("Syn", "PROCEDURAL", pre, post, _static(1.0),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity(PATTERN, {}))
    model.build_load()
    with pytest.raises(RuntimeError, match="PROCEDURAL synapse group 'Syn' recomputes 'g' "
                                           "from its init snippet"):
        _ = sg.vars["g"].view


# ------------------------------------------------------------------------ refused combinations
def _pair(make_model):
    model = make_model()
    empty = create_neuron_model("Empty")
    return (model, model.add_neuron_population("Pre", 4, empty, {}, {}),
            model.add_neuron_population("Post", 5, empty, {}, {}))


def test_bitmask_with_per_synapse_variables_refused(make_model):
    model, pre, post = _pair(make_model)
    model.add_synapse_population("Syn", "BITMASK", pre, post, _static(1.0),
                                 init_postsynaptic("DeltaCurr"),
                                 init_sparse_connectivity(PATTERN, {}))
    with pytest.raises(NotImplementedError,
                       match="Synapse group 'Syn': BITMASK connectivity stores no per-synapse "
                             "variables.*StaticPulseConstantWeight"):
        model.build_load()


def test_bitmask_without_build_code_refused(make_model):
    model, pre, post = _pair(make_model)
    model.add_synapse_population("Syn", "BITMASK", pre, post, _static(),
                                 init_postsynaptic("DeltaCurr"))
    with pytest.raises(NotImplementedError,
                       match="Synapse group 'Syn': BITMASK connectivity can only be initialised "
                             "from a sparse connectivity snippet"):
        model.build_load()


DYNAMICS = create_weight_update_model(
    "Dyn", params=["g"], pre_spike_syn_code="addToPost(g);",
    synapse_dynamics_code="addToPost(g * 0.0);")
POST_EVENT = create_weight_update_model(
    "PostEvent", params=["g"], pre_spike_syn_code="addToPost(g);",
    post_event_threshold_condition_code="true", post_event_syn_code="addToPre(g);")


@pytest.mark.parametrize("matrix_type, wu, role", [
    ("BITMASK", DYNAMICS, "synapse_dynamics_code"),
    ("BITMASK", POST_EVENT, "post_event_syn_code"),
    ("PROCEDURAL", POST_EVENT, "post_event_syn_code"),
])
def test_unsupported_synaptic_code_refused(make_model, matrix_type, wu, role):
    model, pre, post = _pair(make_model)
    model.add_synapse_population("Syn", matrix_type, pre, post,
                                 init_weight_update(wu, {"g": 1.0}),
                                 init_postsynaptic("DeltaCurr"),
                                 init_sparse_connectivity(PATTERN, {}))
    with pytest.raises(NotImplementedError,
                       match=f"Synapse group 'Syn': {matrix_type} connectivity does not support "
                             f"{role}.*use DENSE or SPARSE"):
        model.build_load()


@pytest.mark.parametrize("wu, role", [(DYNAMICS, "synapse_dynamics_code"),
                                      (POST_EVENT, "post_event_syn_code")])
def test_toeplitz_unsupported_synaptic_code_refused(make_model, wu, role):
    model = make_model()
    empty = create_neuron_model("Empty")
    pre = model.add_neuron_population("Pre", 16, empty, {}, {})
    post = model.add_neuron_population("Post", 16, empty, {}, {})
    model.add_synapse_population(
        "Syn", "TOEPLITZ", pre, post, init_weight_update(wu, {"g": 1.0}),
        init_postsynaptic("DeltaCurr"),
        init_toeplitz_connectivity("Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 4,
                                              "conv_iw": 4, "conv_ic": 1, "conv_oh": 4,
                                              "conv_ow": 4, "conv_oc": 1}))
    with pytest.raises(NotImplementedError,
                       match=f"Synapse group 'Syn': TOEPLITZ connectivity does not support "
                             f"{role}"):
        model.build_load()


def test_id_syn_undefined_for_toeplitz(make_model):
    """id_syn is not defined for TOEPLITZ (or BITMASK) groups: building fails naming it."""
    model = make_model()
    empty = create_neuron_model("Empty")
    pre = model.add_neuron_population("Pre", 16, empty, {}, {})
    post = model.add_neuron_population("Post", 16, empty, {}, {})
    uses_id_syn = create_weight_update_model("UsesIdSyn", vars=[("g", "scalar")],
                                             pre_spike_syn_code="addToPost(g * id_syn);")
    model.add_synapse_population(
        "Syn", "TOEPLITZ", pre, post, init_weight_update(uses_id_syn, {}, {"g": 1.0}),
        init_postsynaptic("DeltaCurr"),
        init_toeplitz_connectivity("Conv2D", {"conv_kh": 3, "conv_kw": 3, "conv_ih": 4,
                                              "conv_iw": 4, "conv_ic": 1, "conv_oh": 4,
                                              "conv_ow": 4, "conv_oc": 1}))
    with pytest.raises(Exception, match="id_syn"):
        model.build_load()
