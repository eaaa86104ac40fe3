"""Small model builders and a fake runtime shared by the test_spec_* / test_arrays tests."""
from __future__ import annotations

import numpy as np

from pygenn import (  # noqa: F401 - re-exported for the tests
                    GeNNModel, create_current_source_model,
                    create_custom_connectivity_update_model,
                    create_custom_update_model, create_neuron_model, create_postsynaptic_model,
                    create_weight_update_model, init_postsynaptic, init_sparse_connectivity,
                    init_weight_update)
from pygenn import VarAccess, VarAccessMode

LIF_PARAMS = {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0, "Vthresh": -50.0,
              "Ioffset": 0.0, "TauRefrac": 2.0}
LIF_VARS = {"V": -70.0, "RefracTime": 0.0}

NEURON = create_neuron_model(
    "TestNeuron", params=["a"], vars=[("V", "scalar"), ("U", "scalar", VarAccess.READ_ONLY),
                                      ("S", "scalar", VarAccess.READ_ONLY_SHARED_NEURON)],
    sim_code="V += a * dt;", threshold_condition_code="V > 1.0", reset_code="V = 0.0;",
    extra_global_params=[("e", "scalar*")],
    additional_input_vars=[("Iextra", "scalar", 0.0)])


def model(**kwargs) -> GeNNModel:
    return GeNNModel("float", "test_model", **kwargs)


def neuron_pair(m, n_pre=4, n_post=3):
    pre = m.add_neuron_population("Pre", n_pre, NEURON, {"a": 1.0}, {"V": 0.0, "U": 0.0,
                                                                      "S": 0.0})
    post = m.add_neuron_population("Post", n_post, NEURON, {"a": 1.0}, {"V": 0.0, "U": 0.0,
                                                                         "S": 0.0})
    return pre, post


def static_pulse(g=1.0):
    return init_weight_update("StaticPulse", {}, {"g": g})


def delta():
    return init_postsynaptic("DeltaCurr")


def dense(m, name="S", pre=None, post=None, wu=None, ps=None):
    if pre is None:
        pre, post = neuron_pair(m)
    return m.add_synapse_population(name, "DENSE", pre, post, wu or static_pulse(),
                                    ps or delta())


def sparse(m, name="S", pre=None, post=None, wu=None):
    if pre is None:
        pre, post = neuron_pair(m)
    return m.add_synapse_population(name, "SPARSE", pre, post, wu or static_pulse(), delta())


SCALE = create_custom_update_model("Scale", params=["f"], var_refs=[("X", "scalar")],
                                   update_code="X *= f;")
WU_PLAST = create_weight_update_model(
    "Plast", vars=[("g", "scalar")], pre_vars=[("x", "scalar")], post_vars=[("y", "scalar")],
    pre_neuron_var_refs=[("Vpre", "scalar", VarAccessMode.READ_ONLY)],
    post_neuron_var_refs=[("Vpost", "scalar", VarAccessMode.READ_ONLY)],
    pre_spike_syn_code="addToPost(g);", extra_global_params=[("w", "scalar*")])
PSM_WITH_VAR = create_postsynaptic_model("PsmVar", vars=[("z", "scalar")],
                                         sim_code="injectCurrent(inSyn); inSyn = 0.0;")
CCU = create_custom_connectivity_update_model(
    "Ccu", vars=[("c", "scalar")], pre_vars=[("p", "scalar")], post_vars=[("q", "scalar")],
    var_refs=[("g", "scalar")], pre_var_refs=[("vp", "scalar", VarAccessMode.READ_ONLY)],
    row_update_code="")


# ---------------------------------------------------------------------------- fake runtime
class FakeArray:
    """What the runtime gives wrappers: a flat host view plus push/pull counters."""

    def __init__(self, values, device_pointer=None, host=True):
        self.host_view = np.asarray(values).ravel() if host else None
        self.device_pointer = device_pointer
        self.pushes = 0
        self.pulls = 0

    def push_to_device(self):
        self.pushes += 1

    def pull_from_device(self):
        self.pulls += 1


class FakeRuntime:
    def __init__(self):
        self.delay_pointers = {}
        self.row_lengths = {}
        self.row_strides = {}
        self.arrays = {}
        self.dynamic = []
        self.timestep = 0
        self.t = 0.0

    def get_delay_pointer(self, ng):
        return self.delay_pointers.get(ng.name, 0)

    def get_row_lengths(self, sg):
        return self.row_lengths[sg.name]

    def get_row_stride(self, sg):
        return self.row_strides[sg.name]

    def get_array(self, group, name):
        return self.arrays[(group.name, name)]

    def set_dynamic_param_value(self, group, name, value):
        self.dynamic.append((group.name, name, value))

    def get_recorded_spikes(self, group):
        return [("spikes", group.name)]

    def get_recorded_pre_spike_events(self, group):
        return [("pre_events", group.name)]

    def get_recorded_post_spike_events(self, group):
        return [("post_events", group.name)]


def fake_load(m) -> FakeRuntime:
    """Mark the model built and loaded with a fake runtime (no compiler)."""
    runtime = FakeRuntime()
    m._built = True
    m._loaded = True
    m._runtime = runtime
    return runtime
