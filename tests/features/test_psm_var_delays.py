"""Delayed postsynaptic-model variables.

A PSM variable that weight-update synapse code reads through ``psm_var_refs`` is queued on the
target group's delay slots when the group has a back-prop delay or reads it as ``s[d]``: the
PSM (run in the neuron update) writes this step's slot, a plain read gives the value from
``back_prop_delay_steps`` steps further back, ``s[d]`` the value from ``d`` steps further back.

Every expectation comes from ``_written``: with dt = 1 the PSM below stores
``s = step + 100 * id + 1000 * batch`` in the neuron update of ``step``, and synapse code in step
``k`` reading with lag ``L`` sees what neuron update ``k - 1 - L`` wrote (the initial value
before step 0).
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pygenn import (VarAccessMode, create_custom_update_model, create_neuron_model,
                    create_postsynaptic_model, create_psm_var_ref, create_weight_update_model,
                    init_postsynaptic, init_weight_update)

N = 5
INIT = -1.0
RO = VarAccessMode.READ_ONLY

EMPTY = create_neuron_model("Empty")
ALWAYS = create_neuron_model("Always", threshold_condition_code="true")
# `other` is never referenced by synapse code, so it is never queued
CLOCK_PSM = create_postsynaptic_model(
    "ClockPSM", vars=[("s", "scalar"), ("other", "scalar")],
    sim_code="s = t + 100.0 * (scalar)id + 1000.0 * (scalar)batch;\n"
             "other = t;\n"
             "injectCurrent(inSyn);\n"
             "inSyn = 0.0;")
PLAIN_READ = create_weight_update_model(
    "PlainRead", vars=[("w", "scalar")], psm_var_refs=[("s", "scalar", RO)],
    synapse_dynamics_code="w = s;")
SUBSCRIPT_READ = create_weight_update_model(
    "SubscriptRead",
    vars=[("r0", "scalar"), ("r1", "scalar"), ("r3", "scalar"), ("rd", "scalar"),
          ("p", "scalar"), ("d", "unsigned int")],
    psm_var_refs=[("s", "scalar", RO)],
    synapse_dynamics_code="r0 = s[0]; r1 = s[1]; r3 = s[3]; rd = s[d];",
    pre_spike_syn_code="p = s;")         # another code string may read it without [ ]


def _written(step, batch=0, n=N):
    """``s`` of every target neuron as the PSM wrote it in neuron update ``step``."""
    if step < 0:
        return np.full(n, INIT)
    return step + 100.0 * np.arange(n) + 1000.0 * batch


def _read(k, lag, batch=0, n=N):
    """What synapse code in step ``k`` reads with a delay of ``lag`` steps."""
    return _written(k - 1 - lag, batch, n)


def _psm():
    return init_postsynaptic(CLOCK_PSM, {}, {"s": INIT, "other": INIT})


def _plain_group(model, name, pre, post, back_prop):
    sg = model.add_synapse_population(
        name, "DENSE", pre, post,
        init_weight_update(PLAIN_READ, {}, {"w": INIT}, psm_var_refs={"s": "s"}), _psm())
    sg.back_prop_delay_steps = back_prop
    return sg


def _slot_history(view, pointer, slots):
    """Slots of ``view`` (slot axis first) from the newest to the oldest."""
    return np.stack([view[(pointer - j) % slots] for j in range(slots)])


# --------------------------------------------------------------------- plain reads
@pytest.mark.parametrize("back_prop", [1, 3])
def test_plain_read_comes_from_the_back_prop_delayed_slot(make_model, back_prop):
    model = make_model()
    pre = model.add_neuron_population("Pre", 1, EMPTY)
    post = model.add_neuron_population("Post", N, EMPTY)
    sg = _plain_group(model, "S", pre, post, back_prop)
    model.build_load()
    for k in range(10):
        model.step_time()
        sg.vars["w"].pull_from_device()
        assert_allclose(sg.vars["w"].values, _read(k, back_prop), err_msg=f"step {k}")

    slots = back_prop + 1
    s = sg.psm_vars["s"]
    s.pull_from_device()
    assert s.view.shape == (slots, N)
    assert_allclose(s.current_view, _written(9))
    pointer = model._runtime.get_delay_pointer(post)
    assert_allclose(_slot_history(s.view, pointer, slots),
                    np.stack([_written(9 - j) for j in range(slots)]))
    # a PSM variable no synapse code reads keeps one copy
    sg.psm_vars["other"].pull_from_device()
    assert sg.psm_vars["other"].view.shape == (N,)
    assert_allclose(sg.psm_vars["other"].values, np.full(N, 9.0))


def test_large_spiking_target(make_model):
    """A target big enough for the threaded neuron update, with a threshold (the CPU
    backends' split state/spike passes)."""
    n = 2500
    model = make_model()
    pre = model.add_neuron_population("Pre", 1, EMPTY)
    post = model.add_neuron_population("Post", n, ALWAYS)
    post.spike_recording_enabled = True
    sg = _plain_group(model, "S", pre, post, 2)
    model.build_load(num_recording_timesteps=6)
    for _ in range(6):
        model.step_time()
    sg.vars["w"].pull_from_device()
    assert_allclose(sg.vars["w"].values, _read(5, 2, n=n))
    sg.psm_vars["s"].pull_from_device()
    assert_allclose(sg.psm_vars["s"].current_view, _written(5, n=n))
    model.pull_recording_buffers_from_device()
    times, _ids = post.spike_recording_data[0]
    assert len(times) == 6 * n


def test_undelayed_reference_keeps_one_copy(make_model):
    model = make_model()
    pre = model.add_neuron_population("Pre", 1, EMPTY)
    post = model.add_neuron_population("Post", N, EMPTY)
    sg = _plain_group(model, "S", pre, post, 0)
    model.build_load()
    for k in range(4):
        model.step_time()
        sg.vars["w"].pull_from_device()
        assert_allclose(sg.vars["w"].values, _read(k, 0))
    assert sg.psm_vars["s"].view.shape == (N,)


# --------------------------------------------------------------------- s[d]
@pytest.mark.parametrize("back_prop", [0, 2])
def test_subscript_reads_d_steps_back(make_model, back_prop):
    model = make_model()
    pre = model.add_neuron_population("Pre", 1, ALWAYS)
    post = model.add_neuron_population("Post", N, EMPTY)
    d = np.array([0, 1, 2, 3, 2], dtype=np.uint32)       # a per-synapse delay
    init = {name: INIT for name in ("r0", "r1", "r3", "rd", "p")}
    sg = model.add_synapse_population(
        "S", "DENSE", pre, post,
        init_weight_update(SUBSCRIPT_READ, {}, {**init, "d": d}, psm_var_refs={"s": "s"}),
        _psm())
    sg.max_dendritic_delay_timesteps = 3
    sg.back_prop_delay_steps = back_prop
    model.build_load()
    for k in range(9):
        model.step_time()
        for name in ("r0", "r1", "r3", "rd", "p"):
            sg.vars[name].pull_from_device()
        values = {name: sg.vars[name].values for name in ("r0", "r1", "r3", "rd", "p")}
        assert_allclose(values["r0"], _read(k, 0), err_msg=f"step {k}")
        assert_allclose(values["r1"], _read(k, 1), err_msg=f"step {k}")
        assert_allclose(values["r3"], _read(k, 3), err_msg=f"step {k}")
        expected_rd = [_read(k, int(d[j]))[j] for j in range(N)]
        assert_allclose(values["rd"], expected_rd, err_msg=f"step {k}")
        # Pre spikes every step; a spike is delivered in the step after it
        expected_p = _read(k, back_prop) if k >= 1 else np.full(N, INIT)
        assert_allclose(values["p"], expected_p, err_msg=f"step {k}")
    slots = 1 + max(back_prop, 3)
    assert sg.psm_vars["s"].view.shape == (slots, N)


# --------------------------------------------------------------------- custom updates
def test_custom_updates_act_on_the_current_slot_or_broadcast(make_model):
    model = make_model()
    pre = model.add_neuron_population("Pre", 1, EMPTY)
    post = model.add_neuron_population("Post", N, EMPTY)
    back_prop = 2
    sg = _plain_group(model, "S", pre, post, back_prop)
    bump = create_custom_update_model("Bump", var_refs=[("s", "scalar")],
                                      update_code="s += 0.5;")
    bcast = create_custom_update_model(
        "Bcast", var_refs=[("s", "scalar", VarAccessMode.BROADCAST)],
        update_code="s = 7.0 + (scalar)id;")
    copy = create_custom_update_model("Copy", vars=[("c", "scalar")],
                                      var_refs=[("s", "scalar", RO)], update_code="c = s;")
    ref = create_psm_var_ref(sg, "s")
    model.add_custom_update("Bump", "Bump", bump, {}, {}, {"s": ref})
    model.add_custom_update("Bcast", "Bcast", bcast, {}, {}, {"s": create_psm_var_ref(sg, "s")})
    cu_copy = model.add_custom_update("Copy", "Copy", copy, {}, {"c": 0.0},
                                      {"s": create_psm_var_ref(sg, "s")})
    model.build_load()
    for _ in range(5):                    # steps 0..4
        model.step_time()
    s = sg.psm_vars["s"]
    slots = back_prop + 1

    model.custom_update("Copy")           # reads the slot written last
    cu_copy.vars["c"].pull_from_device()
    assert_allclose(cu_copy.vars["c"].values, _written(4))

    s.pull_from_device()
    before = s.view.copy()
    model.custom_update("Bump")           # READ_WRITE: only the current slot changes
    s.pull_from_device()
    pointer = model._runtime.get_delay_pointer(post)
    expected = before.copy()
    expected[pointer] += 0.5
    assert_allclose(s.view, expected)
    assert_allclose(s.current_view, _written(4) + 0.5)

    for _ in range(3):                    # steps 5..7: step 7 reads what step 4 wrote
        model.step_time()
    sg.vars["w"].pull_from_device()
    assert_allclose(sg.vars["w"].values, _written(4) + 0.5)

    model.custom_update("Bcast")          # BROADCAST: every slot
    s.pull_from_device()
    assert_allclose(s.view, np.tile(7.0 + np.arange(N), (slots, 1)))
    model.step_time()                     # step 8 reads the (overwritten) slot of step 5
    sg.vars["w"].pull_from_device()
    assert_allclose(sg.vars["w"].values, 7.0 + np.arange(N))


def test_custom_update_refuses_psm_vars_delayed_on_two_groups(make_model):
    model = make_model()
    pre = model.add_neuron_population("Pre", 1, EMPTY)
    post_a = model.add_neuron_population("PostA", N, EMPTY)
    post_b = model.add_neuron_population("PostB", N, EMPTY)
    sg_a = _plain_group(model, "A", pre, post_a, 1)
    sg_b = _plain_group(model, "B", pre, post_b, 1)
    both = create_custom_update_model("Both", var_refs=[("a", "scalar"), ("b", "scalar")],
                                      update_code="a += b;")
    model.add_custom_update("Both", "Both", both, {}, {},
                            {"a": create_psm_var_ref(sg_a, "s"),
                             "b": create_psm_var_ref(sg_b, "s")})
    with pytest.raises(RuntimeError, match="same delayed neuron group"):
        model.build_load()


# --------------------------------------------------------------------- batching
def test_batched_delayed_psm_vars(make_model):
    model = make_model()
    model.batch_size = B = 2
    pre = model.add_neuron_population("Pre", 1, EMPTY)
    post = model.add_neuron_population("Post", N, EMPTY)
    back_prop = 2
    sg = _plain_group(model, "S", pre, post, back_prop)
    bump = create_custom_update_model("Bump", var_refs=[("s", "scalar")],
                                      update_code="s += 0.5;")
    model.add_custom_update("Bump", "Bump", bump, {}, {}, {"s": create_psm_var_ref(sg, "s")})
    model.build_load()
    for k in range(7):
        model.step_time()
        sg.vars["w"].pull_from_device()
        assert sg.vars["w"].values.shape == (B, N)
        for b in range(B):
            assert_allclose(sg.vars["w"].values[b], _read(k, back_prop, b),
                            err_msg=f"step {k} batch {b}")
    s = sg.psm_vars["s"]
    s.pull_from_device()
    slots = back_prop + 1
    assert s.view.shape == (B, slots, N)
    pointer = model._runtime.get_delay_pointer(post)
    for b in range(B):
        assert_allclose(s.current_view[b], _written(6, b))
        assert_allclose(_slot_history(s.view[b], pointer, slots),
                        np.stack([_written(6 - j, b) for j in range(slots)]))
    before = s.view.copy()
    model.custom_update("Bump")            # the current slot of every batch
    s.pull_from_device()
    expected = before.copy()
    expected[:, pointer] += 0.5
    assert_allclose(s.view, expected)


# --------------------------------------------------------------------- fusion
def test_queued_psms_are_not_fused(make_model):
    """With fuse_postsynaptic_models, identical PSMs fuse unless their variables are queued
    (GeNN then keeps the group's own, slotted state)."""
    model = make_model()
    model.fuse_postsynaptic_models = True
    pre = model.add_neuron_population("Pre", 1, EMPTY)
    post = model.add_neuron_population("Post", N, EMPTY)
    reader = _plain_group(model, "Reader", pre, post, 2)
    quiet = [model.add_synapse_population(
        f"Quiet{i}", "DENSE", pre, post, init_weight_update("StaticPulse", {}, {"g": 1.0}),
        _psm()) for i in range(2)]
    model.build_load()
    for k in range(6):
        model.step_time()
        reader.vars["w"].pull_from_device()
        assert_allclose(reader.vars["w"].values, _read(k, 2))
    plan = model._generated.plan
    assert plan.psm_owner_of(reader) == "Reader" and "Reader" not in plan.fused_psms
    assert {plan.psm_owner_of(sg) for sg in quiet} == {"Quiet0"}
    assert reader.out_post is not None
    assert all(sg.out_post is None for sg in quiet)
    reader.psm_vars["s"].pull_from_device()
    assert reader.psm_vars["s"].view.shape == (3, N)
    assert_array_equal(reader.psm_vars["s"].current_view, _written(5))
