"""GeNNModel / ModelSpec: constructor, model-level properties and lifecycle preconditions."""
import numpy as np
import pytest

from pygenn import GeNNModel, ModelSpec, PlogSeverity, VarLocation, types
from pygenn._src.interface import lifecycle

import _spec_fixtures as fx


def test_constructor_defaults():
    m = GeNNModel()
    assert m.name == "GeNNModel"
    assert m.precision == types.Float and m.time_precision == types.Float
    assert m.dt == 0.5 and m.batch_size == 1 and m.seed == 0
    assert m.timing_enabled is False
    assert m._built is False and m._loaded is False and m._runtime is None
    assert m.neuron_populations == {} and m.synapse_populations == {}
    assert m.current_sources == {} and m.custom_updates == {}
    assert m.custom_connectivity_updates == {}
    assert m.t == 0.0 and m.timestep == 0


def test_positional_precision_and_name():
    m = GeNNModel("double", "my_model")
    assert m.precision == types.Double and m.name == "my_model"
    assert m.time_precision == types.Double


def test_time_precision_independent_of_precision():
    m = GeNNModel(types.Float, time_precision="double")
    assert m.precision == types.Float and m.time_precision == types.Double


@pytest.mark.parametrize("precision", ["int", types.Int32])
def test_integer_precision_rejected(precision):
    with pytest.raises(RuntimeError, match="Only floating point types can be used for precision"):
        GeNNModel(precision)


def test_integer_time_precision_rejected():
    with pytest.raises(RuntimeError, match="Only floating point types can be used for time "
                                           "precision"):
        GeNNModel("float", time_precision="uint32_t")


def test_genn_types_map_to_numpy():
    m = GeNNModel()
    assert m.genn_types[types.Float] is np.float32
    assert m.genn_types[types.Uint8] is np.uint8
    assert m.genn_types[types.Bool] is np.bool_
    assert len(m.genn_types) == 11


def test_default_backend_is_first_backend_module():
    from pygenn.genn_model import backend_modules
    assert GeNNModel().backend_name == next(iter(backend_modules))


def test_default_backend_without_gpu_is_single_threaded_cpu():
    """GeNN's default where there is no GPU (multi_threaded_cpu is chosen by name)."""
    from pygenn.genn_model import backend_modules
    if "cuda" in backend_modules:
        pytest.skip("a GPU is present: cuda is the default")
    assert GeNNModel().backend_name == "single_threaded_cpu"


def _lif_model(**kwargs):
    m = GeNNModel("double", **kwargs)
    m.dt = 1.0
    pop = m.add_neuron_population(
        "P", 1, "LIF", {"C": 1.0, "TauM": 20.0, "Vrest": -70.0, "Vreset": -70.0,
                        "Vthresh": -50.0, "Ioffset": 0.5, "TauRefrac": 2.0},
        {"V": -70.0, "RefracTime": 0.0})
    return m, pop


def _v_after(model, pop, tmp_path, steps=10):
    model.build(str(tmp_path))
    model.load()
    for _ in range(steps):
        model.step_time()
    pop.vars["V"].pull_from_device()
    return float(pop.vars["V"].values[0])


def _lif_v(steps=10):
    """LIF below threshold, exact exponential integration: V -> Vrest + I R (1 - e^-t/tau)."""
    return -70.0 + 0.5 * 20.0 * (1.0 - np.exp(-steps / 20.0))


def test_backend_registered_under_own_key_is_used(tmp_path, monkeypatch):
    """Programs add keys to backend_modules (backend_modules["CUDA"] = pygenn.cuda_backend);
    GeNN builds with the module registered under the key."""
    import pygenn
    from pygenn.genn_model import backend_modules
    monkeypatch.setitem(backend_modules, "MyCPU", pygenn.single_threaded_cpu_backend)
    m, pop = _lif_model(model_name="alias_backend", backend="MyCPU")
    assert m.backend_name == "MyCPU"
    assert np.isclose(_v_after(m, pop, tmp_path), _lif_v())


def test_preference_the_backend_lacks_is_ignored_with_a_warning(tmp_path):
    """GeNN ignores preferences of other backends (scripts pass CUDA block sizes and run on a
    CPU); pygenn warns, naming the preference, and builds."""
    m, pop = _lif_model(model_name="foreign_pref", backend="single_threaded_cpu",
                        manual_block_sizes=[64] * 12, not_a_preference_anywhere=1)
    with pytest.warns(UserWarning) as record:
        v = _v_after(m, pop, tmp_path)
    messages = " ".join(str(w.message) for w in record)
    assert "'manual_block_sizes'" in messages and "'not_a_preference_anywhere'" in messages
    assert np.isclose(v, _lif_v())


def test_unknown_backend_raises_key_error():
    with pytest.raises(KeyError, match="Backend 'opencl' is not available"):
        GeNNModel(backend="opencl")


def test_backend_name_cannot_change_after_build():
    m = GeNNModel()
    m._built = True
    with pytest.raises(Exception, match="GeNN model already built"):
        m.backend_name = "single_threaded_cpu"


def test_preference_kwargs_stored_with_camel_case_aliases():
    m = GeNNModel(generateLineInfo=True, manual_device_id=0)
    assert m._preference_kwargs == {"generate_line_info": True, "manual_device_id": 0}


def test_log_levels_set_loggers():
    import logging
    GeNNModel(genn_log_level=PlogSeverity.DEBUG, backend_log_level=PlogSeverity.INFO)
    assert logging.getLogger("pygenn").level == logging.DEBUG
    GeNNModel()
    assert logging.getLogger("pygenn").level == logging.WARNING


def test_arbitrary_attributes_allowed():
    m = GeNNModel()
    m.timing = True
    m.narrow_sparse_ind_enabled = True
    assert m.timing is True


def test_dt_deprecated_alias():
    m = GeNNModel()
    with pytest.warns(FutureWarning, match="4.9.0"):
        m.dT = 0.1
    with pytest.warns(FutureWarning):
        assert m.dT == pytest.approx(0.1)
    assert m.dt == pytest.approx(0.1)


@pytest.mark.parametrize("attribute, value, message", [
    ("dt", 0.0, "dt must be a positive number"),
    ("batch_size", 0, "batch_size must be a positive integer"),
    ("seed", -1, "seed must be a non-negative integer"),
])
def test_model_setting_validation(attribute, value, message):
    with pytest.raises(ValueError, match=message):
        setattr(GeNNModel(), attribute, value)


@pytest.mark.parametrize("attribute", ["default_var_location",
                                       "default_sparse_connectivity_location",
                                       "default_narrow_sparse_ind_enabled",
                                       "fuse_postsynaptic_models",
                                       "fuse_pre_post_weight_update_models"])
def test_write_only_properties(attribute):
    m = GeNNModel()
    value = VarLocation.DEVICE if "location" in attribute else True
    setattr(m, attribute, value)
    with pytest.raises(AttributeError):
        getattr(m, attribute)


def test_default_var_location_applies_to_later_groups():
    m = fx.model()
    before = m.add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    m.default_var_location = VarLocation.DEVICE
    after = m.add_neuron_population("B", 2, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    assert before.get_var_location("V") == VarLocation.HOST_DEVICE
    assert after.get_var_location("V") == VarLocation.DEVICE
    assert after.spike_time_location == VarLocation.DEVICE


def test_default_sparse_location_and_narrow_indices():
    m = fx.model()
    m.default_sparse_connectivity_location = "DEVICE"
    m.default_narrow_sparse_ind_enabled = True
    sg = fx.sparse(m)
    assert sg.sparse_connectivity_location == VarLocation.DEVICE
    assert sg.narrow_sparse_ind_enabled is True


def test_num_neurons_sums_populations():
    m = fx.model()
    fx.neuron_pair(m, 4, 3)
    assert m.num_neurons == 7


def test_model_spec_is_usable_on_its_own():
    spec = ModelSpec("plain")
    ng = spec.add_neuron_population("A", 3, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    assert spec.neuron_populations == {"A": ng}
    assert not hasattr(ng, "vars")  # Python wrappers belong to GeNNModel's groups


# ---------------------------------------------------------------------------- lifecycle
@pytest.mark.parametrize("call, message", [
    (lambda m: m.load(), "GeNN model has not been built"),
    (lambda m: m.step_time(), "GeNN model has to be loaded before stepping"),
    (lambda m: m.custom_update("G"), "loaded before performing custom update"),
    (lambda m: m.unload(), "GeNN model has not been loaded"),
    (lambda m: m.pull_recording_buffers_from_device(), "loaded before pulling recording"),
    (lambda m: setattr(m, "timestep", 0), "loaded before setting timestep"),
])
def test_lifecycle_preconditions(call, message):
    with pytest.raises(Exception, match=message):
        call(GeNNModel())


def test_add_after_build_raises():
    m = fx.model()
    m._built = True
    with pytest.raises(Exception, match="GeNN model already built"):
        m.add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    with pytest.raises(Exception, match="GeNN model already built"):
        m.add_custom_update("C", "G", fx.SCALE, {"f": 1.0}, {}, {})
    with pytest.raises(Exception, match="GeNN model already built"):
        m.build()


@pytest.fixture
def fake_lifecycle(monkeypatch):
    calls = []
    monkeypatch.setattr(lifecycle, "build", lambda *a: calls.append(("build",) + a))

    def load(model, n):
        calls.append(("load", model, n))
        model._runtime = fx.FakeRuntime()

    monkeypatch.setattr(lifecycle, "load", load)
    monkeypatch.setattr(lifecycle, "unload", lambda model: calls.append(("unload", model)))
    return calls


def test_build_load_unload_delegate(fake_lifecycle):
    m = fx.model()
    m.build("/tmp/somewhere", always_rebuild=True)
    assert fake_lifecycle[0][:5] == ("build", m, "/tmp/somewhere", True, False)
    assert type(fake_lifecycle[0][5]).__name__ == "BuildProgress"    # told of each phase
    assert m._built
    m.load()
    assert m._loaded and fake_lifecycle[1] == ("load", m, None)
    with pytest.raises(Exception, match="GeNN model already loaded"):
        m.load()
    m.unload()
    assert m._loaded is False and m._runtime is None
    m.load()  # reloading is allowed
    assert m._loaded


def test_recording_needs_num_recording_timesteps(fake_lifecycle):
    m = fx.model()
    ng = m.add_neuron_population("A", 2, "LIF", fx.LIF_PARAMS, fx.LIF_VARS)
    ng.spike_recording_enabled = True
    m.build()
    with pytest.raises(Exception, match="Cannot use recording system without passing number "
                                        "of recording timesteps"):
        m.load()
    m.load(num_recording_timesteps=10)
    assert fake_lifecycle[-1] == ("load", m, 10)


def test_pull_recording_without_recording_raises(fake_lifecycle):
    m = fx.model()
    m.build()
    m.load(num_recording_timesteps=5)
    with pytest.raises(Exception, match="Cannot pull recording buffer if recording system is "
                                        "not in use"):
        m.pull_recording_buffers_from_device()


class _TimedRuntime(fx.FakeRuntime):
    def __init__(self):
        super().__init__()
        self.steps = 0
        self.updates = []

    def step_time(self):
        self.steps += 1
        self.timestep += 1
        self.t = self.timestep * 0.5

    def custom_update(self, name):
        self.updates.append(name)

    def get_time(self, name):
        return {"neuron_update": 1.5, "init": 2.5}.get(name, 0.25)

    def get_custom_update_time(self, name, kind):
        return (name, kind)

    def pull_recording_buffers_from_device(self):
        self.updates.append("pulled")


def test_runtime_backed_members():
    m = fx.model()
    assert m.neuron_update_time == 0.0 and m.get_custom_update_time("G") == 0.0
    runtime = _TimedRuntime()
    m._built, m._loaded, m._runtime = True, True, runtime
    m.step_time()
    m.step_time()
    assert m.timestep == 2 and m.t == 1.0
    m.timestep = 0
    assert runtime.timestep == 0
    m.custom_update("Reset")
    assert runtime.updates == ["Reset"]
    assert m.neuron_update_time == 1.5 and m.init_time == 2.5
    assert m.synapse_dynamics_time == 0.25 and m.init_sparse_time == 0.25
    assert m.presynaptic_update_time == 0.25 and m.postsynaptic_update_time == 0.25
    assert m.get_custom_update_time("G") == ("G", "update")
    assert m.get_custom_update_transpose_time("G") == ("G", "transpose")
    assert m.get_custom_update_remap_time("G") == ("G", "remap")
    assert m.get_custom_update_host_time("G") == ("G", "host")
