"""Array / variable wrappers against a fake runtime: views, delay slots, sparse order."""
import numpy as np
import pytest

from pygenn import VarLocation, init_var
from pygenn._src.model.init import VarInit
from pygenn.model_preprocessor import (ExtraGlobalParameter, SynapseVariable, Variable)

import _spec_fixtures as fx


def _lif(m, n=3, **vars):
    return m.add_neuron_population("Pop", n, "LIF", fx.LIF_PARAMS, {**fx.LIF_VARS, **vars})


# ============================================================================ before load
def test_wrappers_exist_before_build():
    m = fx.model()
    ng = _lif(m)
    assert isinstance(ng.vars["V"], Variable) and ng.vars["V"]._view is None
    assert ng.vars["V"]._array is None
    sg = fx.dense(m, pre=ng, post=ng)
    assert isinstance(sg.vars["g"], SynapseVariable)
    assert sg.pre_vars == {} and sg.post_vars == {} and sg.psm_vars == {}
    assert sg.connectivity_extra_global_params == {} and sg.psm_extra_global_params == {}
    assert ng.spike_times is None and sg.out_post is None


def test_set_init_values_updates_group_initialisers():
    m = fx.model()
    ng = _lif(m)
    var = ng.vars["V"]
    var.set_init_values([1.0, 2.0, 3.0])
    assert var.init_required
    np.testing.assert_array_equal(ng.var_initialisers["V"], [1.0, 2.0, 3.0])
    var.set_init_values(-60.0)
    assert not var.init_required and ng.var_initialisers["V"].constant_value == -60.0
    var.set_init_values(None)
    assert ng.var_initialisers["V"] is None
    snippet_init = init_var("Uniform", {"min": 0.0, "max": 1.0})
    var.set_init_values(snippet_init)
    assert ng.var_initialisers["V"] is snippet_init and var.init_values is snippet_init


def test_set_values_is_deprecated_alias():
    var = _lif(fx.model()).vars["V"]
    with pytest.warns(FutureWarning, match="4.9.0"):
        var.set_values([0.0, 0.0, 0.0])
    assert var.init_required


def test_var_init_snippet_egps_exposed():
    m = fx.model()
    sg = m.add_synapse_population(
        "S", "SPARSE", _lif(m), m.add_neuron_population("B", 2, "LIF", fx.LIF_PARAMS,
                                                        fx.LIF_VARS),
        fx.init_weight_update("StaticPulse", {}, {"g": init_var("Kernel")}), fx.delta(),
        fx.init_sparse_connectivity("Conv2D", {
            "conv_kh": 1, "conv_kw": 1, "conv_sh": 1, "conv_sw": 1, "conv_padh": 0,
            "conv_padw": 0, "conv_ih": 1, "conv_iw": 3, "conv_ic": 1, "conv_oh": 1,
            "conv_ow": 3, "conv_oc": 1}))
    egp = sg.vars["g"].extra_global_params["kernel"]
    assert isinstance(egp, ExtraGlobalParameter)
    egp.set_init_values([0.5])
    np.testing.assert_array_equal(egp.init_values, [0.5])
    assert egp.init_values.dtype == np.float32


def test_init_values_after_build():
    m = fx.model()
    ng = _lif(m, V=[1.0, 2.0, 3.0])
    m._built = True
    ng.vars["V"].set_init_values([4.0, 5.0, 6.0])
    np.testing.assert_array_equal(ng.var_initialisers["V"], [4.0, 5.0, 6.0])
    with pytest.raises(RuntimeError, match="variable 'V' of Neuron group 'Pop': after build only "
                                           "host-provided initial values can be replaced"):
        ng.vars["V"].set_init_values(0.0)


def test_egp_set_init_values_needs_iterable():
    egp = fx.dense(fx.model(), wu=fx.init_weight_update(fx.WU_PLAST, {}, {"g": 0.0},
                                                        {"x": 0.0}, {"y": 0.0},
                                                        pre_var_refs={"Vpre": "V"},
                                                        post_var_refs={"Vpost": "V"})
                   ).extra_global_params["w"]
    with pytest.raises(ValueError, match="extra global parameter 'w' of Synapse group 'S': "
                                         "extra global parameters are arrays"):
        egp.set_init_values(3.0)
    egp.set_init_values(range(4))
    np.testing.assert_array_equal(egp.init_values, [0, 1, 2, 3])


def test_reading_before_load_raises():
    var = _lif(fx.model()).vars["V"]
    with pytest.raises(RuntimeError, match="variable 'V' of Neuron group 'Pop' has no memory "
                                           "yet: call model.load\\(\\) first"):
        _ = var.view
    with pytest.raises(RuntimeError, match="call model.load"):
        var.push_to_device()


# ============================================================================ loaded
def test_view_values_and_push_pull():
    m = fx.model()
    ng = _lif(m)
    fx.fake_load(m)
    array = fx.FakeArray(np.zeros(3, dtype=np.float32))
    var = ng.vars["V"]
    var.set_array(array, view_shape=(3,))
    var.values = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(array.host_view, [1.0, 2.0, 3.0])
    copy = var.values
    copy[0] = 99.0
    assert var.view[0] == 1.0  # values is a copy, view is live
    var.view[1] = 7.0
    assert array.host_view[1] == 7.0
    np.testing.assert_array_equal(var.current_values, [1.0, 7.0, 3.0])
    var.push_to_device()
    var.pull_from_device()
    assert (array.pushes, array.pulls) == (1, 1)


def test_batched_view_shape():
    m = fx.model()
    ng = _lif(m)
    fx.fake_load(m)
    array = fx.FakeArray(np.arange(6, dtype=np.float32))
    ng.vars["V"].set_array(array, view_shape=(2, 3))
    np.testing.assert_array_equal(ng.vars["V"].view, [[0, 1, 2], [3, 4, 5]])


@pytest.mark.parametrize("batched", [False, True])
def test_delayed_variable_current_view_follows_delay_pointer(batched):
    m = fx.model()
    ng = _lif(m)
    runtime = fx.fake_load(m)
    shape = (2, 4, 3) if batched else (4, 3)
    array = fx.FakeArray(np.arange(np.prod(shape), dtype=np.float32))
    var = ng.vars["V"]
    var.set_array(array, view_shape=shape, delay_group=ng)
    full = np.arange(np.prod(shape)).reshape(shape)
    for slot in (0, 2, 3):
        runtime.delay_pointers["Pop"] = slot
        expected = full[:, slot] if batched else full[slot]
        np.testing.assert_array_equal(var.current_view, expected)
        np.testing.assert_array_equal(var.current_values, expected)
    assert var.view.shape == shape


def test_device_only_variable_has_no_view():
    m = fx.model()
    ng = _lif(m)
    ng.set_var_location("V", VarLocation.DEVICE)
    fx.fake_load(m)
    ng.vars["V"].set_array(fx.FakeArray([0.0], host=False))
    assert ng.vars["V"]._view is None
    with pytest.raises(RuntimeError, match="variable 'V' of Neuron group 'Pop' has no host "
                                           "copy: its location is VarLocation.DEVICE"):
        _ = ng.vars["V"].values


def test_unload_drops_runtime_references():
    m = fx.model()
    ng = _lif(m)
    fx.fake_load(m)
    ng.vars["V"].set_array(fx.FakeArray(np.zeros(3)), view_shape=(3,))
    ng._unload()
    assert ng.vars["V"]._view is None and ng.vars["V"]._array is None


def test_cuda_array_interface():
    m = fx.model()
    ng = _lif(m)
    fx.fake_load(m)
    var = ng.vars["V"]
    var.set_array(fx.FakeArray(np.zeros(3, dtype=np.float32), device_pointer=1234),
                  view_shape=(3,))
    assert var.__cuda_array_interface__ == {"data": (1234, False), "shape": (3,),
                                            "strides": None, "typestr": "<f4", "version": 3}
    var.set_array(fx.FakeArray(np.zeros(3, dtype=np.float32)), view_shape=(3,))
    with pytest.raises(RuntimeError, match="has no CUDA device memory"):
        _ = var.__cuda_array_interface__


def test_double_precision_dtype():
    m = fx.GeNNModel("double", "d")
    ng = m.add_neuron_population("Pop", 2, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    assert ng.vars["V"].dtype == np.float64
    assert ng._spike_times_wrapper.dtype == np.float64


def test_spike_times_and_out_post_when_attached():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.dense(m, pre=pre, post=post)
    fx.fake_load(m)
    pre._spike_times_wrapper.set_array(fx.FakeArray(np.zeros(4)), view_shape=(4,))
    sg._out_post_wrapper.set_array(fx.FakeArray(np.zeros(3)), view_shape=(1, 3))
    assert pre.spike_times.view.shape == (4,) and pre.prev_spike_times is None
    assert sg.out_post.view.shape == (1, 3)


# ============================================================================ sparse
def _sparse_loaded(pre_inds, post_inds, stride=4, batch=None):
    m = fx.model()
    sg = fx.sparse(m)  # Pre: 4 neurons, Post: 3 neurons
    sg.set_sparse_connections(pre_inds, post_inds)
    runtime = fx.fake_load(m)
    runtime.row_strides["S"] = stride
    size = 4 * stride * (batch or 1)
    array = fx.FakeArray(np.full(size, -1.0))
    sg.vars["g"].set_array(array, view_shape=(batch, 4 * stride) if batch else (4 * stride,))
    return m, sg, runtime, array


def test_set_sparse_connections_storage():
    m = fx.model()
    sg = fx.sparse(m)
    sg.set_sparse_connections([2, 0, 2, 1], [1, 2, 0, 0])
    np.testing.assert_array_equal(sg.synapse_order, [1, 3, 2, 0])
    np.testing.assert_array_equal(sg.row_lengths, [1, 1, 2, 0])
    assert sg.row_lengths.dtype == np.uint32
    np.testing.assert_array_equal(sg.ind, [2, 0, 0, 1])
    assert sg.max_connections == 2 and sg.connections_set


def test_sparse_values_in_user_order():
    pre, post = [2, 0, 2, 1], [1, 2, 0, 0]
    _, sg, _, array = _sparse_loaded(pre, post)
    sg.vars["g"].values = [10.0, 20.0, 30.0, 40.0]  # one per given connection
    storage = array.host_view.reshape(4, 4)
    # row-major sorted storage: row 0 -> (0,2)=20, row 1 -> (1,0)=40, row 2 -> (2,0)=30,(2,1)=10
    np.testing.assert_array_equal(storage[0, :1], [20.0])
    np.testing.assert_array_equal(storage[1, :1], [40.0])
    np.testing.assert_array_equal(storage[2, :2], [30.0, 10.0])
    assert np.all(storage[3] == -1.0) and np.all(storage[0, 1:] == -1.0)  # padding untouched
    np.testing.assert_array_equal(sg.vars["g"].values, [10.0, 20.0, 30.0, 40.0])
    np.testing.assert_array_equal(sg.get_sparse_pre_inds(), pre)
    np.testing.assert_array_equal(sg.get_sparse_post_inds(), post)
    np.testing.assert_array_equal(sg.vars["g"].current_values, [10.0, 20.0, 30.0, 40.0])


def test_sparse_batched_values():
    _, sg, _, array = _sparse_loaded([1, 0], [2, 1], stride=2, batch=2)
    sg.vars["g"].values = [[1.0, 2.0], [3.0, 4.0]]
    storage = array.host_view.reshape(2, 4, 2)
    assert storage[0, 1, 0] == 1.0 and storage[0, 0, 0] == 2.0
    assert storage[1, 1, 0] == 3.0 and storage[1, 0, 0] == 4.0
    np.testing.assert_array_equal(sg.vars["g"].values, [[1.0, 2.0], [3.0, 4.0]])


def test_sparse_view_raises():
    _, sg, _, _ = _sparse_loaded([0], [0])
    with pytest.raises(Exception, match="SPARSE synapse variables have padded rows"):
        _ = sg.vars["g"].view
    with pytest.raises(Exception, match="padded rows"):
        _ = sg.vars["g"].current_view


def test_snippet_connectivity_row_major_order():
    m = fx.model()
    sg = m.add_synapse_population("S", "SPARSE", *fx.neuron_pair(m), fx.static_pulse(),
                                  fx.delta(), fx.init_sparse_connectivity(
                                      "FixedProbability", {"prob": 0.5}))
    runtime = fx.fake_load(m)
    runtime.row_strides["S"] = 3
    runtime.row_lengths["S"] = np.array([2, 0, 1, 3], dtype=np.uint32)
    ind = np.array([0, 2, 9, 9, 9, 9, 1, 9, 9, 0, 1, 2], dtype=np.uint32)
    runtime.arrays[("S", "ind")] = fx.FakeArray(ind)
    g = np.arange(12, dtype=np.float32)
    sg.vars["g"].set_array(fx.FakeArray(g), view_shape=(12,))
    np.testing.assert_array_equal(sg.vars["g"].values, [0, 1, 6, 9, 10, 11])
    np.testing.assert_array_equal(sg.get_sparse_pre_inds(), [0, 0, 2, 3, 3, 3])
    np.testing.assert_array_equal(sg.get_sparse_post_inds(), [0, 2, 1, 0, 1, 2])


def test_custom_connectivity_update_switches_to_storage_order():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.sparse(m, pre=pre, post=post)
    sg.set_sparse_connections([1, 0], [0, 2])
    m.add_custom_connectivity_update("C", "G", sg, fx.create_custom_connectivity_update_model(
        "Empty", row_update_code=""))
    runtime = fx.fake_load(m)
    runtime.row_strides["S"] = 2
    runtime.row_lengths["S"] = np.array([1, 1, 0, 0], dtype=np.uint32)
    runtime.arrays[("S", "ind")] = fx.FakeArray(np.array([2, 9, 0, 9, 9, 9, 9, 9]))
    np.testing.assert_array_equal(sg.get_sparse_pre_inds(), [0, 1])
    np.testing.assert_array_equal(sg.get_sparse_post_inds(), [2, 0])


def test_connectivity_push_pull():
    m = fx.model()
    sg = fx.sparse(m)
    runtime = fx.fake_load(m)
    row, ind = fx.FakeArray(np.zeros(4)), fx.FakeArray(np.zeros(4))
    runtime.arrays.update({("S", "rowLength"): row, ("S", "ind"): ind})
    runtime.row_strides["S"] = 1
    sg.pull_connectivity_from_device()
    sg.push_connectivity_to_device()
    assert (row.pulls, row.pushes, ind.pulls, ind.pushes) == (1, 1, 1, 1)


@pytest.mark.parametrize("rows, targets, message", [
    ([2, 0, 0, 0], [0, 0, 0, 0], "row 0 has length 2 but max_connections is 1"),
    ([1, 1, 0, 0], [0, 3, 0, 0], "postsynaptic index 3 is out of range"),
])
def test_connectivity_push_is_validated(rows, targets, message):
    m = fx.model()
    sg = fx.sparse(m)
    runtime = fx.fake_load(m)
    row, ind = fx.FakeArray(np.array(rows)), fx.FakeArray(np.array(targets))
    runtime.arrays.update({("S", "rowLength"): row, ("S", "ind"): ind})
    runtime.row_strides["S"] = 1
    with pytest.raises(ValueError, match=message):
        sg.push_connectivity_to_device()
    assert row.pushes == ind.pushes == 0


def test_sparse_indices_without_loaded_model():
    sg = fx.sparse(fx.model())
    with pytest.raises(Exception, match="Problem accessing connectivity"):
        sg.get_sparse_pre_inds()


@pytest.mark.parametrize("pre, post, message", [
    ([0, 1], [0], "needs as many pre indices as post indices \\(got 2 and 1\\)"),
    ([0, 4], [0, 0], "pre_indices must lie in \\[0, 4\\) \\(the source has 4 neurons\\); "
                     "pre_indices\\[1\\] is 4"),
    ([0], [-1], "post_indices must lie in \\[0, 3\\)"),
    ([0.5], [0], "pre_indices must be integers"),
])
def test_set_sparse_connections_validation(pre, post, message):
    sg = fx.sparse(fx.model())
    with pytest.raises(ValueError, match=message):
        sg.set_sparse_connections(pre, post)
    assert not sg.connections_set and sg.row_lengths is None


def test_set_sparse_connections_needs_sparse_group_before_build():
    m = fx.model()
    with pytest.raises(Exception, match="set_sparse_connections is only possible for SPARSE "
                                        "synapse groups, not DENSE"):
        fx.dense(m).set_sparse_connections([0], [0])
    with pytest.raises(Exception, match="get_sparse_pre_inds is only possible for SPARSE"):
        m.synapse_populations["S"].get_sparse_pre_inds()
    pre, post = m.neuron_populations["Pre"], m.neuron_populations["Post"]
    generated = m.add_synapse_population("G", "SPARSE", pre, post, fx.static_pulse(),
                                         fx.delta(), fx.init_sparse_connectivity("OneToOne"))
    generated.set_sparse_connections([0, 0], [0, 1])   # GeNN: replaces the snippet's rows
    assert generated.connections_set and generated.max_connections == 2
    built = fx.model()
    late = fx.sparse(built)
    built._built = True
    with pytest.raises(RuntimeError, match="set_sparse_connections must be called before "
                                           "build"):
        late.set_sparse_connections([0], [0])


# ============================================================================ group Python API
def test_dynamic_param_value_goes_to_runtime():
    m = fx.model()
    ng = _lif(m)
    ng.set_param_dynamic("Ioffset")
    with pytest.raises(RuntimeError, match="the model is not loaded"):
        ng.set_dynamic_param_value("Ioffset", 1.0)
    runtime = fx.fake_load(m)
    ng.set_dynamic_param_value("Ioffset", 1.0)
    assert runtime.dynamic == [("Pop", "Ioffset", 1.0)]
    with pytest.raises(RuntimeError, match="parameter 'TauM' is not dynamic; call "
                                           "set_param_dynamic\\('TauM'\\)"):
        ng.set_dynamic_param_value("TauM", 1.0)


def test_synapse_dynamic_params_share_namespace():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = m.add_synapse_population(
        "S", "DENSE", pre, post, fx.init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
        fx.init_postsynaptic("ExpCurr", {"tau": 5.0}))
    sg.set_ps_param_dynamic("tau")
    runtime = fx.fake_load(m)
    sg.set_dynamic_param_value("tau", 2.0)
    assert runtime.dynamic == [("S", "tau", 2.0)]


def test_recording_data_comes_from_runtime():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.dense(m, pre=pre, post=post)
    fx.fake_load(m)
    assert pre.spike_recording_data == [("spikes", "Pre")]
    assert sg.pre_spike_event_recording_data == [("pre_events", "S")]
    assert sg.post_spike_event_recording_data == [("post_events", "S")]


def test_deprecated_forwarders():
    m = fx.model()
    ng = _lif(m)
    fx.fake_load(m)
    array = fx.FakeArray(np.array([1.0, 2.0, 3.0]))
    ng.vars["V"].set_array(array, view_shape=(3,))
    with pytest.warns(FutureWarning):
        ng.pull_var_from_device("V")
    with pytest.warns(FutureWarning):
        ng.push_var_to_device("V")
    with pytest.warns(FutureWarning):
        np.testing.assert_array_equal(ng.get_var_values("V"), [1.0, 2.0, 3.0])
    assert (array.pulls, array.pushes) == (1, 1)


def test_constant_var_init_object():
    assert isinstance(_lif(fx.model()).var_initialisers["V"], VarInit)
