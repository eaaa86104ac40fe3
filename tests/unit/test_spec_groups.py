"""Group objects created by add_*: the attributes code generation reads, and their setters."""
import numpy as np

from pygenn import (CurrentSource, CustomConnectivityUpdate, CustomUpdate, CustomUpdateWU,
                    NeuronGroup, ParallelismHint, SynapseGroup, SynapseMatrixType, VarLocation,
                    create_var_ref, create_wu_var_ref, init_sparse_connectivity,
                    init_toeplitz_connectivity, init_var, init_weight_update)
from pygenn._src.model.init import VarInit

import _spec_fixtures as fx


def test_neuron_group_core_attributes():
    m = fx.model()
    ng = m.add_neuron_population("Pop", 5, "LIF", fx.LIF_PARAMS,
                                 {"V": init_var("Uniform", {"min": -70.0, "max": -60.0}),
                                  "RefracTime": None})
    assert isinstance(ng, NeuronGroup) and m.neuron_populations["Pop"] is ng
    assert ng.name == "Pop" and ng.num_neurons == 5 and ng._model is m
    assert ng.model.name == "LIF"
    assert ng.params["TauM"].value == 20.0
    assert isinstance(ng.var_initialisers["V"], VarInit)
    assert ng.var_initialisers["RefracTime"] is None
    assert ng.dynamic_params == set()
    assert ng.in_syn == [] and ng.out_syn == [] and ng.current_sources == []
    assert not ng.spike_recording_enabled and not ng.spike_event_recording_enabled
    assert not ng.recording_zero_copy_enabled
    assert ng.spike_time_location == VarLocation.HOST_DEVICE


def test_numbers_become_constant_var_inits_and_sequences_arrays():
    m = fx.model()
    ng = m.add_neuron_population("Pop", 3, "LIF", fx.LIF_PARAMS,
                                 {"V": -65.0, "RefracTime": [0.0, 1.0, 2.0]})
    assert ng.var_initialisers["V"].is_constant
    assert ng.var_initialisers["V"].constant_value == -65.0
    np.testing.assert_array_equal(ng.var_initialisers["RefracTime"], [0.0, 1.0, 2.0])


def test_user_call_site_points_at_this_file():
    m = fx.model()
    ng = m.add_neuron_population("Pop", 3, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    assert ng.user_call_site.startswith(__file__.rstrip("c"))
    line = int(ng.user_call_site.rsplit(":", 1)[1])
    assert line == test_user_call_site_points_at_this_file.__code__.co_firstlineno + 2


def test_param_dynamic_and_var_locations():
    m = fx.model()
    ng = m.add_neuron_population("Pop", 3, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    ng.set_param_dynamic("Ioffset")
    assert ng.dynamic_params == {"Ioffset"}
    ng.set_param_dynamic("Ioffset", False)
    assert ng.dynamic_params == set()
    ng.set_var_location("V", VarLocation.DEVICE)
    assert ng.get_var_location("V") == VarLocation.DEVICE
    assert ng.var_location("RefracTime") == VarLocation.HOST_DEVICE


def test_synapse_group_core_attributes_and_wiring():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.dense(m, pre=pre, post=post)
    assert isinstance(sg, SynapseGroup)
    assert sg.matrix_type == SynapseMatrixType.DENSE
    assert sg.src is pre and sg.trg is post
    assert pre.out_syn == [sg] and post.in_syn == [sg]
    assert sg.wu_initialiser.snippet.name == "StaticPulse"
    assert sg.ps_initialiser.snippet.name == "DeltaCurr"
    assert sg.sparse_connectivity_initialiser is None
    assert sg.toeplitz_connectivity_initialiser is None
    assert sg.wu_var_initialisers["g"].constant_value == 1.0
    assert sg.axonal_delay_steps == 0 and sg.back_prop_delay_steps == 0
    assert sg.max_dendritic_delay_timesteps == 1
    assert sg.post_target_var == "Isyn" and sg.pre_target_var == "Isyn"
    assert sg.parallelism_hint == ParallelismHint.POSTSYNAPTIC
    assert sg.num_threads_per_spike == 1
    assert sg.kernel_size == []
    assert sg.weight_update_var_size == 12
    assert sg.wu_dynamic_params == set() and sg.ps_dynamic_params == set()


def test_sparse_max_connections_from_snippet_and_settable():
    m = fx.model()
    pre, post = fx.neuron_pair(m, 4, 3)
    sg = m.add_synapse_population("S", "SPARSE", pre, post, fx.static_pulse(), fx.delta(),
                                  init_sparse_connectivity("OneToOne"))
    assert sg.max_connections == 1 and sg.max_source_connections == 1
    assert sg.weight_update_var_size == 4
    sg.max_connections = 3
    sg.max_source_connections = 5
    assert sg.max_connections == 3 and sg.max_source_connections == 5
    plain = fx.sparse(m, "S2", pre, post)
    assert plain.max_connections == 3 and plain.max_source_connections == 4


def test_synapse_setters():
    m = fx.model()
    sg = fx.sparse(m)
    sg.axonal_delay_steps = 3
    sg.back_prop_delay_steps = 2
    sg.max_dendritic_delay_timesteps = 5
    sg.post_target_var = "Iextra"
    sg.pre_target_var = "Iextra"
    sg.parallelism_hint = "PRESYNAPTIC"
    sg.num_threads_per_spike = 4
    sg.narrow_sparse_ind_enabled = True
    sg.output_location = VarLocation.DEVICE
    sg.set_wu_var_location("g", VarLocation.DEVICE)
    assert (sg.axonal_delay_steps, sg.back_prop_delay_steps) == (3, 2)
    assert sg.max_dendritic_delay_timesteps == 5 and sg.max_dendritic_delay_set
    assert sg.post_target_var == "Iextra" and sg.pre_target_var == "Iextra"
    assert sg.parallelism_hint == ParallelismHint.PRESYNAPTIC
    assert sg.num_threads_per_spike == 4 and sg.narrow_sparse_ind_enabled
    assert sg.output_location == VarLocation.DEVICE
    assert sg.get_wu_var_location("g") == VarLocation.DEVICE
    assert sg.src._num_delay_slots == 4 and sg.trg._num_delay_slots == 3


def test_ps_var_location_is_the_psm_location():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = m.add_synapse_population("S", "DENSE", pre, post,
                                  init_weight_update("StaticPulse", {}, {"g": 1.0}),
                                  fx.init_postsynaptic(fx.PSM_WITH_VAR, {}, {"z": 0.0}))
    sg.set_ps_var_location("z", VarLocation.DEVICE)
    assert sg.get_ps_var_location("z") == VarLocation.DEVICE
    assert sg.get_wu_var_location("g") == VarLocation.HOST_DEVICE


def test_wu_and_ps_dynamic_params():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = m.add_synapse_population(
        "S", "DENSE", pre, post, init_weight_update("StaticPulseConstantWeight", {"g": 1.0}),
        fx.init_postsynaptic("ExpCurr", {"tau": 5.0}))
    sg.set_wu_param_dynamic("g")
    sg.set_ps_param_dynamic("tau")
    assert sg.wu_dynamic_params == {"g"} and sg.ps_dynamic_params == {"tau"}
    assert sg.params["g"].value == 1.0 and sg.ps_params["tau"].value == 5.0


def test_toeplitz_kernel_size_and_var_size():
    m = fx.model()
    pre = m.add_neuron_population("Pre", 16, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    post = m.add_neuron_population("Post", 16, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    conv = {"conv_kh": 3, "conv_kw": 3, "conv_ih": 4, "conv_iw": 4, "conv_ic": 1,
            "conv_oh": 4, "conv_ow": 4, "conv_oc": 1}
    sg = m.add_synapse_population("S", "TOEPLITZ", pre, post, fx.static_pulse(), fx.delta(),
                                  init_toeplitz_connectivity("Conv2D", conv))
    assert sg.kernel_size == [3, 3, 1, 1]
    assert sg.weight_update_var_size == 9
    assert sg.max_connections == 9


def test_current_source_attributes():
    m = fx.model()
    ng = m.add_neuron_population("Pop", 3, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    cs = m.add_current_source("CS", "DC", ng, {"amp": 0.5})
    assert isinstance(cs, CurrentSource) and m.current_sources["CS"] is cs
    assert cs.trg_pop is ng and cs.target_pop is ng and ng.current_sources == [cs]
    assert cs.target_var == "Isyn" and cs.params["amp"].value == 0.5
    assert cs.neuron_var_refs == {} and cs.var_initialisers == {}


def test_current_source_target_var_and_refs():
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    from pygenn import create_current_source_model
    model = create_current_source_model("Ref", vars=[("c", "scalar")],
                                        neuron_var_refs=[("V", "scalar")],
                                        injection_code="injectCurrent(V);")
    cs = m.add_current_source("CS", model, pre, {}, {"c": 0.0}, {"V": "V"})
    cs.target_var = "Iextra"
    assert cs.target_var == "Iextra"
    assert cs.neuron_var_refs["V"].group is pre and cs.neuron_var_refs["V"].kind == "neuron"


def test_custom_update_neuron_shaped():
    m = fx.model()
    pre, _ = fx.neuron_pair(m)
    cu = m.add_custom_update("CU", "Group", fx.SCALE, {"f": 2.0}, {},
                             {"X": create_var_ref(pre, "V")})
    assert isinstance(cu, CustomUpdate) and m.custom_updates["CU"] is cu
    assert cu.update_group_name == "Group" and cu.num_neurons == 4
    assert int(cu.dims) == 192 and cu._dims == cu.dims
    assert cu.var_refs["X"].var_name == "V" and cu.egp_refs == {}


def test_custom_update_wu():
    m = fx.model()
    sg = fx.dense(m)
    cu = m.add_custom_update("CU", "Group", fx.SCALE, {"f": 2.0}, {},
                             {"X": create_wu_var_ref(sg, "g")})
    assert isinstance(cu, CustomUpdateWU) and cu.synapse_group is sg
    assert int(cu.dims) == 64  # StaticPulse's g is READ_ONLY: element only


def test_custom_connectivity_update():
    m = fx.model()
    pre, post = fx.neuron_pair(m)
    sg = fx.sparse(m, pre=pre, post=post)
    ccu = m.add_custom_connectivity_update(
        "CCU", "Conn", sg, fx.CCU, {}, {"c": 0.0}, {"p": 0.0}, {"q": 0.0},
        {"g": create_wu_var_ref(sg, "g")}, {"vp": create_var_ref(pre, "U")})
    assert isinstance(ccu, CustomConnectivityUpdate)
    assert m.custom_connectivity_updates["CCU"] is ccu and ccu.synapse_group is sg
    assert set(ccu.pre_var_initialisers) == {"p"} and set(ccu.post_var_initialisers) == {"q"}
    ccu.set_pre_var_location("p", VarLocation.DEVICE)
    assert ccu.get_pre_var_location("p") == VarLocation.DEVICE
    assert ccu.get_post_var_location("q") == VarLocation.HOST_DEVICE


def test_source_and_target_by_name():
    m = fx.model()
    fx.neuron_pair(m)
    sg = m.add_synapse_population("S", "DENSE", "Pre", "Post", fx.static_pulse(), fx.delta())
    assert sg.src.name == "Pre" and sg.trg.name == "Post"
