"""Whole PyGeNN scripts on ``backend="cuda"``, end to end, on a fake CUDA device.

``test_cuda_runtime_fake_device.py`` drives ``CudaRuntime`` directly; this file goes through the
public API a script uses (``GeNNModel(..., backend="cuda")``, ``build``, ``load``, the groups'
views, ``push_to_device``/``pull_from_device``, ``step_time``, recordings, custom updates,
``unload``), so the interface layer (pygenn/_src/interface/lifecycle.py, arrays.py, groups.py)
working on CUDA arrays is covered in CI without a GPU.

What is real: the backend registry, code generation, the NVRTC compile of the CUDA source (the
cubin the runtime loads is NVRTC's), the g++ build of custom connectivity host code and
everything in the runtime. What is fake: the driver (``_fake_cuda_driver.FakeCuda``: device
memory is numpy buffers, kernels are recorded no-ops) and the two driver queries ``compile``
makes (the device's compute capability and the driver version).

Kernels do nothing here, so only what does not depend on them running is checked: the shapes,
dtypes and delay behaviour of every view against the same model on ``single_threaded_cpu``,
host-provided values reaching device memory and the views, push/pull round trips, stepping and
time, dynamic parameters, custom update launches, recording buffers written by hand, and
unload/load.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from pygenn import (CustomUpdateVarAccess, GeNNModel, VarAccessMode,
                    create_current_source_model, create_custom_connectivity_update_model,
                    create_custom_update_model, create_postsynaptic_model,
                    create_var_ref, create_weight_update_model, create_wu_var_ref, init_postsynaptic,
                    init_sparse_connectivity, init_var, init_weight_update)
from pygenn._src.backends import registry
from pygenn._src.build import nvrtc
from pygenn._src.interface import backends as interface_backends
from pygenn._src.runtime import cuda_driver, cuda_runtime

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _fake_cuda_driver import FakeCuda  # noqa: E402

_SCRIPT = HERE.parent / "golden" / "regenerate.py"
_spec = importlib.util.spec_from_file_location("golden_regenerate_fake_interface", _SCRIPT)
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

BACKENDS = ("single_threaded_cpu", "cuda")
RECORDING_STEPS = 10


# ---------------------------------------------------------------------- the fake GPU
class _FakeDevice:
    """What ``CudaBackend.compile`` asks the driver: an sm_80 GPU."""

    def __init__(self, ordinal: int = 0):
        self.ordinal = ordinal
        self.compute_capability = (8, 0)
        self.multiprocessor_count = 4


class FakeGpu:
    """The fixture's handle: one ``FakeCuda`` per model (kept over unload/load)."""

    def __init__(self):
        self.fakes: dict = {}
        self.runtimes: list = []

    def fake(self, model) -> FakeCuda:
        return self.fakes[model.name]

    def read(self, model, wrapper) -> np.ndarray:
        """The device memory behind ``wrapper``, found through ``__cuda_array_interface__``."""
        interface = wrapper.__cuda_array_interface__
        shape = interface["shape"]
        count = int(np.prod(shape)) if shape else 1
        return self.fake(model).read(interface["data"][0], np.dtype(interface["typestr"]),
                                     count).reshape(shape)

    def write(self, model, wrapper, values) -> None:
        interface = wrapper.__cuda_array_interface__
        self.fake(model).write(interface["data"][0],
                               np.asarray(values, dtype=np.dtype(interface["typestr"])))

    def array(self, model, group, name):
        """A runtime array no wrapper shows (spike queue pointer, row lengths, recordings):
        what a kernel would write, the test writes there."""
        return model._runtime.get_array(group, name)


@pytest.fixture
def gpu(monkeypatch):
    """Make ``backend="cuda"`` available and run it on a FakeCuda per model."""
    state = FakeGpu()
    monkeypatch.setattr(registry.CudaBackend, "available", staticmethod(lambda: True))
    # CudaBackend.compile runs for real (NVRTC, g++ for host code); only its two driver
    # queries are answered here
    monkeypatch.setattr(cuda_driver, "Device", _FakeDevice)
    monkeypatch.setattr(cuda_driver, "driver_version",
                        lambda: nvrtc.nvrtc_version()[0] * 1000 + 10 * nvrtc.nvrtc_version()[1])
    had_module = "pygenn.cuda_backend" in sys.modules
    module = importlib.import_module("pygenn.cuda_backend")
    monkeypatch.setitem(interface_backends.backend_modules, "cuda", module)

    queueing = cuda_runtime._QueueingStream
    bases = queueing.__bases__
    original = registry.CudaBackend.create_runtime

    def create_runtime(self, library, manifest, seed, preferences):
        fake = state.fakes.get(manifest.model_name)
        if fake is None:
            fake = FakeCuda(SimpleNamespace(manifest=manifest, sources=manifest.sources))
            state.fakes[manifest.model_name] = fake
        monkeypatch.setattr(cuda_runtime, "cu", fake.module)
        # the runtime's stream subclasses the driver's Stream (restored below)
        queueing.__bases__ = (fake.module.Stream,)
        runtime = original(self, library, manifest, seed, preferences)
        state.runtimes.append(runtime)
        return runtime

    monkeypatch.setattr(registry.CudaBackend, "create_runtime", create_runtime)
    try:
        yield state
    finally:
        for runtime in state.runtimes:      # while the fake is still in place
            runtime.stream.destroy()
        queueing.__bases__ = bases
        if not had_module:
            sys.modules.pop("pygenn.cuda_backend", None)
            if hasattr(sys.modules["pygenn"], "cuda_backend"):
                delattr(sys.modules["pygenn"], "cuda_backend")


# ---------------------------------------------------------------------- a model of this file
N_PRE, N_POST, BATCH = 20, 10, 4
PRE_IDS = np.array([3, 0, 7, 3, 19, 0, 12, 7, 3, 5, 19, 1])
POST_IDS = np.array([1, 9, 0, 4, 2, 3, 8, 5, 0, 6, 7, 2])
RING_PRE = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15])
RING_POST = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3])

TRACE_STDP = create_weight_update_model(
    "TraceSTDP", params=["tau", "scale"], vars=[("g", "scalar")],
    pre_vars=[("preTrace", "scalar")], post_vars=[("postTrace", "scalar")],
    pre_neuron_var_refs=[("V_pre", "scalar", VarAccessMode.READ_ONLY)],
    extra_global_params=[("gain", "scalar*")],
    pre_spike_syn_code="""
    addToPost(g * gain[id_post] * scale);
    g += postTrace * (t - st_pre) * 0.0 + V_pre * 0.0;""",
    post_spike_syn_code="g -= preTrace * scale;",
    pre_spike_code="preTrace += 1.0;",
    post_spike_code="postTrace += 1.0;",
    pre_dynamics_code="preTrace *= exp(-dt / tau);",
    post_dynamics_code="postTrace *= exp(-dt / tau);")

FILTER_PSM = create_postsynaptic_model(
    "FilterPSM", params=["tau"], vars=[("x", "scalar")],
    extra_global_params=[("bias", "scalar*")],
    sim_code="""
    injectCurrent(x + bias[id]);
    x = x * exp(-dt / tau) + inSyn;
    inSyn = 0.0;""")

NOISE_SOURCE = create_current_source_model(
    "TableSource", vars=[("amp", "scalar")], extra_global_params=[("table", "scalar*")],
    injection_code="injectCurrent(amp * table[id]);")

STATS = create_custom_update_model(
    "Stats", var_refs=[("v", "scalar", VarAccessMode.READ_ONLY)],
    vars=[("total", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_SUM),
          ("peak", "scalar", CustomUpdateVarAccess.REDUCE_BATCH_MAX)],
    update_code="total = v;\npeak = v;")

SCALE = create_custom_update_model(
    "Scale", params=["factor"], var_refs=[("g", "scalar")], update_code="g *= factor;")

TAG_ROWS = create_custom_connectivity_update_model(
    "TagRows", params=["threshold"], vars=[("tag", "scalar")], pre_vars=[("rowTag", "scalar")],
    post_vars=[("colTag", "scalar")], var_refs=[("w", "scalar")],
    row_update_code="""
    for_each_synapse {
        if (w < threshold) {
            remove_synapse();
        }
    }""")


def delays(backend: str = "single_threaded_cpu") -> GeNNModel:
    """Batch size 4, delays on both sides, every kind of variable and EGP, hand-made SPARSE
    connectivity with array values, current sources, custom updates with a batch reduction
    and a custom connectivity update with its own variables."""
    model = GeNNModel("float", "fake_interface_delays", backend=backend)
    model.dt = 0.1
    model.seed = 77
    model.batch_size = BATCH
    rng = np.random.default_rng(11)
    pre = golden._lif(model, "Pre", N_PRE, offset=1.5)
    post = golden._lif(model, "Post", N_POST)
    pre.vars["RefracTime"].set_init_values(np.linspace(0.0, 1.9, N_PRE))
    pre.set_param_dynamic("Ioffset")
    pre.spike_recording_enabled = True
    post.spike_recording_enabled = True
    synapses = model.add_synapse_population(
        "PrePost", "SPARSE", pre, post,
        init_weight_update(TRACE_STDP, {"tau": 20.0, "scale": 0.01},
                           {"g": rng.uniform(0.0, 1.0, len(PRE_IDS))},
                           {"preTrace": np.arange(N_PRE, dtype=np.float32)},
                           {"postTrace": init_var("Uniform", {"min": 0.0, "max": 1.0})},
                           pre_var_refs={"V_pre": create_var_ref(pre, "V")}),
        init_postsynaptic(FILTER_PSM, {"tau": 5.0}, {"x": np.linspace(-1.0, 1.0, N_POST)}))
    synapses.set_sparse_connections(PRE_IDS, POST_IDS)
    synapses.axonal_delay_steps = 3
    synapses.back_prop_delay_steps = 2
    synapses.set_wu_param_dynamic("scale")
    synapses.extra_global_params["gain"].set_init_values(np.linspace(0.5, 1.5, N_POST))
    synapses.psm_extra_global_params["bias"].set_init_values(np.full(N_POST, 0.25))
    source = model.add_current_source("Table", NOISE_SOURCE, post, {},
                                      {"amp": np.arange(N_POST, dtype=np.float32) / 10})
    source.extra_global_params["table"].set_init_values(np.linspace(1.0, 2.0, N_POST))
    model.add_current_source("Drive", "DC", pre, {"amp": 0.5})
    model.add_custom_update("Stats", "Reduce", STATS, {}, {"total": 0.0, "peak": 0.0},
                            {"v": create_var_ref(post, "V")})
    model.add_custom_update("ScaleG", "Plasticity", SCALE, {"factor": 0.99}, {},
                            {"g": create_wu_var_ref(synapses, "g")})
    ring = model.add_synapse_population(
        "Ring", "SPARSE", pre, post,
        init_weight_update("StaticPulse", {}, {"g": np.linspace(0.0, 1.2, len(RING_PRE))}),
        init_postsynaptic("DeltaCurr"))
    ring.set_sparse_connections(RING_PRE, RING_POST)
    ring.max_connections = 4
    model.add_custom_connectivity_update(
        "Tag", "Rewire", ring, TAG_ROWS, {"threshold": 0.05},
        {"tag": 1.0}, {"rowTag": np.arange(N_PRE, dtype=np.float32)}, {"colTag": 2.0},
        {"w": create_wu_var_ref(ring, "g")})
    return model


BUILDERS = {**golden.MODELS, "delays": delays}


# ---------------------------------------------------------------------- helpers
def make(builder, backend: str, path: Path) -> GeNNModel:
    """``builder``'s model on ``backend``, built in ``path`` and loaded."""
    model = builder()
    model.backend_name = backend
    model.show_progress = False
    model.build(str(path / backend))
    model.load(RECORDING_STEPS if model._recording_in_use() else None)
    return model


def both(name: str, path: Path) -> tuple:
    builder = BUILDERS[name]
    return make(builder, "single_threaded_cpu", path), make(builder, "cuda", path)


def wrappers(model):
    """``label -> wrapper`` of every array wrapper of every group, as scripts reach them."""
    found = {}
    for kind in ("neuron_populations", "synapse_populations", "current_sources",
                 "custom_updates", "custom_connectivity_updates"):
        for group in getattr(model, kind).values():
            for collection in ("vars", "pre_vars", "post_vars", "psm_vars",
                               "extra_global_params", "psm_extra_global_params",
                               "connectivity_extra_global_params"):
                for name, wrapper in getattr(group, collection, {}).items():
                    found[(group.name, collection, name)] = wrapper
                    for egp_name, egp in getattr(wrapper, "extra_global_params", {}).items():
                        found[(group.name, collection, name, egp_name)] = egp
            for single in ("spike_times", "prev_spike_times", "out_post"):
                wrapper = getattr(group, single, None)
                if wrapper is not None:
                    found[(group.name, single)] = wrapper
    return found


def _is_sparse(wrapper) -> bool:
    sg = getattr(wrapper.group, "synapse_group", None)
    return bool(sg is not None and sg.is_sparse and type(wrapper).__name__ == "SynapseVariable")


def raw_view(wrapper):
    """The whole host view (padded rows of SPARSE variables included), or None."""
    try:
        return wrapper._require_view()
    except RuntimeError:
        return None


def describe(wrapper):
    """What a script sees of a wrapper without reading values kernels would compute."""
    view = raw_view(wrapper)
    if view is None:
        return None
    if _is_sparse(wrapper):
        # the number of synapses is the device's (kernels build it here: they do not run)
        # unless the connections were given by hand
        current = None
        sg = wrapper.group.synapse_group
        values = wrapper.values if sg.connections_set else None
        sparse = None if values is None else (values.shape, values.dtype)
    elif hasattr(wrapper, "current_view"):
        current = wrapper.current_view
        current = (current.shape, current.dtype, np.shares_memory(current, view))
        sparse = None
    else:       # spike times, out_post: a plain Array
        current, sparse = None, None
    return view.shape, view.dtype, current, sparse, wrapper._delay_group is not None


def user_views(model) -> dict:
    """Every wrapper a script can read or write (host-visible, not procedural)."""
    return {label: w for label, w in wrappers(model).items() if raw_view(w) is not None}


def random_like(view: np.ndarray, rng) -> np.ndarray:
    if view.dtype == np.bool_:
        return rng.integers(0, 2, view.shape).astype(bool)
    if np.issubdtype(view.dtype, np.integer):
        info = np.iinfo(view.dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), view.shape,
                            dtype=view.dtype)
    return rng.uniform(-5.0, 5.0, view.shape).astype(view.dtype)


def device_timestep(fake) -> int:
    return int(fake.read_global("_deviceTimestep", np.uint64)[0])


# ---------------------------------------------------------------------- the backend itself
def test_cuda_backend_is_chosen_and_compiled_by_nvrtc(gpu, tmp_path):
    from pygenn.genn_model import backend_modules
    assert "cuda" in backend_modules
    model = GeNNModel("float", "fake_interface_chosen", backend="cuda")
    assert model.backend_name == "cuda"
    model.dt = 0.1
    golden._lif(model, "Pop", 33, offset=2.0)
    model.build(str(tmp_path))
    model.load()
    fake = gpu.fake(model)
    # the cubin NVRTC made is what the driver loaded
    assert len(fake.loaded_images) == 1 and fake.loaded_images[0][:4] == b"\x7fELF"
    assert (tmp_path / "fake_interface_chosen_CODE" / "runner.cu").exists()
    pop = model.neuron_populations["Pop"]
    assert pop.vars["V"].__cuda_array_interface__["shape"] == (33,)
    assert fake.devices and fake.devices[0].current
    init = [k.name for k in model._manifest.kernels["init"]]
    assert [launch.name for launch in fake.launches] == init


# ---------------------------------------------------------------------- (1) views
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_views_match_the_cpu_backend(gpu, tmp_path, name):
    """Every wrapper's view shape, dtype and current_view (delay slot) behaviour is the
    same on CUDA as on the CPU; device memory backs each one with the view's shape."""
    cpu, cuda = both(name, tmp_path)
    cpu_wrappers, cuda_wrappers = wrappers(cpu), wrappers(cuda)
    assert set(cpu_wrappers) == set(cuda_wrappers)
    # not a comparison of nothing: most wrappers have views on both backends
    shown = [label for label, w in cuda_wrappers.items() if describe(w) is not None]
    assert shown
    for label, wrapper in cuda_wrappers.items():
        assert describe(wrapper) == describe(cpu_wrappers[label]), label
        if raw_view(wrapper) is not None:
            interface = wrapper.__cuda_array_interface__
            assert interface["shape"] == raw_view(wrapper).shape, label
            assert np.dtype(interface["typestr"]) == wrapper.dtype, label
    # the spike recording properties answer the same way
    for pop_name, pop in cuda.neuron_populations.items():
        assert pop.spike_recording_enabled == cpu.neuron_populations[pop_name] \
            .spike_recording_enabled
    cpu.unload()
    cuda.unload()


def test_current_view_follows_the_device_spike_queue(gpu, tmp_path):
    model = make(delays, "cuda", tmp_path)
    fake = gpu.fake(model)
    delayed = {label: w for label, w in user_views(model).items()
               if w._delay_group is not None and hasattr(w, "current_view")}
    # delayed: Pre's V (read with the axonal delay), the pre/post traces, spike times
    assert ("Pre", "vars", "V") in delayed
    assert ("PrePost", "pre_vars", "preTrace") in delayed
    assert ("PrePost", "post_vars", "postTrace") in delayed
    # spike times (a plain Array: no current_view) have the spike queue's slots
    spike_times = model.neuron_populations["Pre"].spike_times
    assert spike_times.view.shape == (BATCH, 4, N_PRE) and spike_times._delay_group is not None
    for label, wrapper in delayed.items():
        view = wrapper.view
        group = wrapper._delay_group
        slots = view.shape[1] if view.ndim == 3 else view.shape[0]
        pointer = gpu.array(model, group, "spkQuePtr")
        for slot in (slots - 1, 1):
            fake.write(pointer.device_pointer, np.array([slot], dtype=np.uint32))
            current = wrapper.current_view
            expected = view[:, slot] if view.ndim == 3 else view[slot]
            assert current.shape == expected.shape, label
            assert current.__array_interface__["data"] == \
                expected.__array_interface__["data"], label
        fake.write(pointer.device_pointer, np.array([0], dtype=np.uint32))
    # undelayed: current_view is the view
    v = model.neuron_populations["Post"].vars["V"]
    assert v.current_view is v.view
    model.unload()


# ---------------------------------------------------------------------- (2) values at load
def test_host_values_reach_device_memory_and_views(gpu, tmp_path):
    cpu, cuda = both("delays", tmp_path)
    given = {
        ("Pre", "vars", "RefracTime"): np.linspace(0.0, 1.9, N_PRE),
        ("PrePost", "pre_vars", "preTrace"): np.arange(N_PRE),
        ("PrePost", "psm_vars", "x"): np.linspace(-1.0, 1.0, N_POST),
        ("PrePost", "extra_global_params", "gain"): np.linspace(0.5, 1.5, N_POST),
        ("PrePost", "psm_extra_global_params", "bias"): np.full(N_POST, 0.25),
        ("Table", "vars", "amp"): np.arange(N_POST) / 10,
        ("Table", "extra_global_params", "table"): np.linspace(1.0, 2.0, N_POST),
        ("Tag", "pre_vars", "rowTag"): np.arange(N_PRE),
    }
    cpu_wrappers, cuda_wrappers = wrappers(cpu), wrappers(cuda)
    for label, values in given.items():
        wrapper = cuda_wrappers[label]
        view = wrapper.view
        # broadcast over batches and delay slots as on the CPU
        np.testing.assert_array_equal(view, cpu_wrappers[label].view, err_msg=str(label))
        np.testing.assert_allclose(np.broadcast_to(values, view.shape), view, rtol=1e-6,
                                   err_msg=str(label))
        np.testing.assert_array_equal(gpu.read(cuda, wrapper), view, err_msg=str(label))

    # SPARSE values given in connection order
    rng = np.random.default_rng(11)
    g = rng.uniform(0.0, 1.0, len(PRE_IDS)).astype(np.float32)
    for model in (cpu, cuda):
        synapses = model.synapse_populations["PrePost"]
        np.testing.assert_array_equal(synapses.vars["g"].values,
                                      np.broadcast_to(g, (BATCH, len(g))))
        np.testing.assert_array_equal(synapses.get_sparse_pre_inds(), PRE_IDS)
        np.testing.assert_array_equal(synapses.get_sparse_post_inds(), POST_IDS)
        ring = model.synapse_populations["Ring"]
        # StaticPulse's read-only weights are shared by the batches
        np.testing.assert_allclose(ring.vars["g"].values,
                                   np.linspace(0.0, 1.2, len(RING_PRE)), rtol=1e-6)
    # the padded rows on the device are the host's, row lengths and indices too
    g_cuda = cuda.synapse_populations["PrePost"].vars["g"]
    np.testing.assert_array_equal(gpu.read(cuda, g_cuda), raw_view(g_cuda))
    np.testing.assert_array_equal(raw_view(g_cuda), raw_view(cpu.synapse_populations["PrePost"]
                                                             .vars["g"]))
    fake = gpu.fake(cuda)
    for sg_name, pre_ids, post_ids in (("PrePost", PRE_IDS, POST_IDS),
                                       ("Ring", RING_PRE, RING_POST)):
        row_length = gpu.array(cuda, sg_name, "rowLength")
        lengths = fake.read(row_length.device_pointer, np.uint32, N_PRE)
        np.testing.assert_array_equal(lengths, np.bincount(pre_ids, minlength=N_PRE))
        stride = cuda._runtime.get_row_stride(sg_name)
        ind = fake.read(gpu.array(cuda, sg_name, "ind").device_pointer, np.uint32,
                        N_PRE * stride).reshape(N_PRE, stride)
        for row in range(N_PRE):
            assert sorted(ind[row, :lengths[row]]) == sorted(post_ids[pre_ids == row]), row
    cpu.unload()
    cuda.unload()


def test_replaced_host_values_after_build_reach_the_device(gpu, tmp_path):
    """set_init_values with other host values between build and load."""
    model = delays("cuda")
    model.build(str(tmp_path))
    refrac = model.neuron_populations["Pre"].vars["RefracTime"]
    refrac.set_init_values(np.full(N_PRE, 1.25))
    model.load(RECORDING_STEPS)
    assert np.all(refrac.view == 1.25)
    assert np.all(gpu.read(model, refrac) == 1.25)
    model.unload()


# ---------------------------------------------------------------------- (3) push / pull
@pytest.mark.parametrize("name", ["delays", "batch_reduction", "conductance_current_source",
                                  "custom_connectivity", "toeplitz_conv", "dendritic_delay"])
def test_push_and_pull_round_trip_through_device_memory(gpu, tmp_path, name):
    model = make(BUILDERS[name], "cuda", tmp_path)
    rng = np.random.default_rng(5)
    views = user_views(model)
    assert views
    for label, wrapper in views.items():
        view = raw_view(wrapper)
        x = random_like(view, rng)
        view[...] = x
        wrapper.push_to_device()
        np.testing.assert_array_equal(gpu.read(model, wrapper), x, err_msg=str(label))
        view[...] = 0
        wrapper.pull_from_device()
        np.testing.assert_array_equal(raw_view(wrapper), x, err_msg=str(label))
    # SPARSE values through .values, in connection order
    for sg in model.synapse_populations.values():
        if sg.is_sparse and "g" in sg.vars and raw_view(sg.vars["g"]) is not None:
            count = len(sg.get_sparse_pre_inds())
            values = rng.uniform(0, 1, sg.vars["g"].values.shape).astype(np.float32)
            assert values.shape[-1] == count
            sg.vars["g"].values = values
            sg.vars["g"].push_to_device()
            sg.vars["g"].values = np.zeros_like(values)
            sg.vars["g"].pull_from_device()
            np.testing.assert_array_equal(sg.vars["g"].values, values)
    model.unload()


def test_sparse_connectivity_pulled_and_pushed(gpu, tmp_path):
    """Connectivity the device built (written here as InitSparse would) is seen after
    pull_connectivity_from_device; push_connectivity_to_device puts the host's back."""
    model = make(golden.custom_connectivity, "cuda", tmp_path)
    fake = gpu.fake(model)
    sg = model.synapse_populations["PrePost"]
    stride = model._runtime.get_row_stride(sg)
    rng = np.random.default_rng(3)
    lengths = rng.integers(0, stride + 1, 40).astype(np.uint32)
    ind = rng.integers(0, 40, (40, stride)).astype(np.uint32)
    row_length, ind_array = gpu.array(model, sg, "rowLength"), gpu.array(model, sg, "ind")
    fake.write(row_length.device_pointer, lengths)
    fake.write(ind_array.device_pointer, ind)
    sg.pull_connectivity_from_device()
    pre = sg.get_sparse_pre_inds()
    post = sg.get_sparse_post_inds()
    np.testing.assert_array_equal(pre, np.repeat(np.arange(40), lengths))
    np.testing.assert_array_equal(post, np.concatenate([ind[i, :n] for i, n in
                                                        enumerate(lengths)]))
    assert sg.vars["g"].values.shape == (int(lengths.sum()),)
    # the device loses it; the host copy goes back
    fake.write(row_length.device_pointer, np.zeros(40, dtype=np.uint32))
    sg.push_connectivity_to_device()
    np.testing.assert_array_equal(fake.read(row_length.device_pointer, np.uint32, 40), lengths)
    sg.pull_connectivity_from_device()
    np.testing.assert_array_equal(sg.get_sparse_pre_inds(), pre)
    np.testing.assert_array_equal(sg.get_sparse_post_inds(), post)
    model.unload()


def test_sparse_push_with_columns_rebuilds_them(gpu, tmp_path):
    """STDP on SPARSE synapses keeps a column index: pushing connectivity runs its kernels."""
    model = GeNNModel("float", "fake_interface_columns", backend="cuda")
    model.dt = 0.1
    pre = golden._lif(model, "Pre", 30, offset=1.5)
    post = golden._lif(model, "Post", 20)
    sg = model.add_synapse_population(
        "PrePost", "SPARSE", pre, post,
        init_weight_update("STDP", {"tauPlus": 20.0, "tauMinus": 20.0, "Aplus": 0.01,
                                    "Aminus": 0.012, "Wmin": 0.0, "Wmax": 1.0}, {"g": 0.5}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedProbability", {"prob": 0.2}))
    model.build(str(tmp_path))
    model.load()
    fake = gpu.fake(model)
    columns = [k.name for k in model._manifest.kernels["columns"]]
    assert columns
    del fake.launches[:]
    sg.pull_connectivity_from_device()
    sg.push_connectivity_to_device()
    assert [launch.name for launch in fake.launches] == columns
    model.unload()


# ---------------------------------------------------------------------- (4) running
def test_stepping_time_dynamic_params_and_custom_updates(gpu, tmp_path):
    model = make(delays, "cuda", tmp_path)
    fake = gpu.fake(model)
    manifest = model._manifest
    steps = [k.name for k in manifest.kernels["step"]]
    assert model.timestep == 0 and model.t == 0.0
    del fake.launches[:]
    model.step_time()
    model.step_time()
    assert model.timestep == 2 and model.t == pytest.approx(0.2)
    model.step_time(250)
    assert model.timestep == 252 and model.t == pytest.approx(25.2)
    # pulling anything lets the queued steps reach the device first
    model.neuron_populations["Pre"].vars["V"].pull_from_device()
    assert device_timestep(fake) == 252
    assert Counter(launch.name for launch in fake.launches) == Counter(steps * 252)
    model.step_time(0)
    assert model.timestep == 252
    model.timestep = 10
    model.neuron_populations["Pre"].vars["V"].pull_from_device()
    assert model.timestep == 10 and device_timestep(fake) == 10

    # dynamic parameters reach device memory
    pre, synapses = model.neuron_populations["Pre"], model.synapse_populations["PrePost"]
    pre.set_dynamic_param_value("Ioffset", 2.5)
    synapses.set_dynamic_param_value("scale", 0.125)
    for group, name, value in ((pre, "Ioffset", 2.5), (synapses, "scale", 0.125)):
        arrays = [a for (owner, key), a in model._runtime.arrays.items()
                  if owner == group.name and key.endswith(name) and key != name]
        assert len(arrays) == 1, (group.name, name)
        array = arrays[0]
        assert fake.read(array.device_pointer, array.record.numpy_dtype, 1)[0] == value
    with pytest.raises(RuntimeError, match="is not dynamic"):
        pre.set_dynamic_param_value("Vthresh", 1.0)

    # custom updates launch their group's kernels, after the queued steps
    for group in ("Reduce", "Plasticity", "Rewire"):
        model.step_time()
        del fake.launches[:]
        model.custom_update(group)
        expected = [k.name for k in manifest.custom_update_kernels.get(group, [])] + \
            [k.name for k in manifest.custom_connectivity_kernels.get(group, [])]
        assert expected
        launched = [launch.name for launch in fake.launches]
        assert sorted(launched[:len(steps)]) == sorted(steps), group
        assert launched[len(steps):] == expected, group
    with pytest.raises(IndexError, match="No custom update group"):
        model.custom_update("Nope")
    model.unload()


def test_custom_connectivity_host_code_on_the_fake_device(gpu, tmp_path):
    """The host code (compiled with g++ by CudaBackend.compile) pulls row lengths from the
    device and pushes rowSize."""
    model = make(golden.custom_connectivity, "cuda", tmp_path)
    fake = gpu.fake(model)
    lengths = (np.arange(40) % 9).astype(np.uint32)
    fake.write(gpu.array(model, "PrePost", "rowLength").device_pointer, lengths)
    model.custom_update("Grow")
    grow = model.custom_connectivity_updates["Grow"]
    np.testing.assert_array_equal(gpu.read(model, grow.pre_vars["rowSize"]),
                                  lengths.astype(np.float32))
    grow.pre_vars["rowSize"].pull_from_device()
    np.testing.assert_array_equal(grow.pre_vars["rowSize"].view, lengths)
    assert model.get_custom_update_host_time("Grow") > 0.0
    model.unload()


def test_spike_recording_from_the_device_buffer(gpu, tmp_path):
    model = make(delays, "cuda", tmp_path)
    fake = gpu.fake(model)
    pre = model.neuron_populations["Pre"]
    model.step_time(RECORDING_STEPS + 5)
    words = np.zeros((RECORDING_STEPS, BATCH, 1), dtype=np.uint32)
    expected = {b: [] for b in range(BATCH)}
    for row in range(RECORDING_STEPS):
        for batch in range(BATCH):
            ids = sorted({(row * 3 + batch * 5) % N_PRE, (row + batch) % N_PRE}, reverse=True)
            for i in ids:
                words[row, batch, 0] |= np.uint32(1 << i)
            expected[batch] += [((5 + row) * 0.1, i) for i in ids]
    fake.write(gpu.array(model, pre, "recordSpk").device_pointer, words)
    model.pull_recording_buffers_from_device()
    data = pre.spike_recording_data
    assert len(data) == BATCH
    for batch, (times, ids) in enumerate(data):
        assert ids.tolist() == [i for _, i in expected[batch]]
        np.testing.assert_allclose(times, [t for t, _ in expected[batch]])
    # Post records too; nothing written there
    assert all(len(ids) == 0 for _, ids in model.neuron_populations["Post"]
               .spike_recording_data)
    model.unload()


def test_unload_then_load_again(gpu, tmp_path):
    model = make(delays, "cuda", tmp_path)
    fake = gpu.fake(model)
    v = model.neuron_populations["Pre"].vars["V"]
    model.step_time(7)
    model.unload()
    assert model.timestep == 0
    with pytest.raises(RuntimeError, match="load"):
        v.view  # noqa: B018
    model.load(RECORDING_STEPS)
    assert model.timestep == 0
    assert len(fake.loaded_images) == 2
    # host values are given again, views are back, stepping works
    refrac = model.neuron_populations["Pre"].vars["RefracTime"]
    np.testing.assert_allclose(refrac.view, np.broadcast_to(np.linspace(0.0, 1.9, N_PRE),
                                                            refrac.view.shape), rtol=1e-6)
    np.testing.assert_array_equal(gpu.read(model, refrac), refrac.view)
    np.testing.assert_array_equal(model.synapse_populations["PrePost"].get_sparse_post_inds(),
                                  POST_IDS)
    v.view[...] = 1.5
    v.push_to_device()
    assert np.all(gpu.read(model, v) == 1.5)
    model.step_time(3)
    v.pull_from_device()
    assert device_timestep(fake) == 3 and model.timestep == 3
    model.unload()


def test_unload_frees_device_memory(gpu, tmp_path):
    model = make(delays, "cuda", tmp_path)
    fake = gpu.fake(model)
    assert fake.live()
    model.unload()
    # every device allocation and pinned recording buffer is given back
    assert not fake.live() and not fake.pinned and not fake.mapped


def test_device_only_and_zero_copy_locations(gpu, tmp_path):
    """VarLocation.DEVICE: no host view (a clear error); HOST_DEVICE_ZERO_COPY: the view is
    the memory the device reads, push and pull need no copy."""
    from pygenn import VarLocation
    model = GeNNModel("float", "fake_interface_locations", backend="cuda")
    model.dt = 0.1
    pop = golden._lif(model, "Pop", 40, offset=2.0)
    pop.set_var_location("RefracTime", VarLocation.DEVICE)
    pop.set_var_location("V", VarLocation.HOST_DEVICE_ZERO_COPY)
    model.build(str(tmp_path))
    model.load()
    refrac, v = pop.vars["RefracTime"], pop.vars["V"]
    with pytest.raises(RuntimeError, match="VarLocation.DEVICE"):
        refrac.view  # noqa: B018
    with pytest.raises(RuntimeError, match="no host copy"):
        refrac.push_to_device()
    assert refrac.__cuda_array_interface__["shape"] == (40,)
    v.view[:] = np.arange(40)
    np.testing.assert_array_equal(gpu.read(model, v), np.arange(40))
    v.push_to_device()
    v.pull_from_device()
    np.testing.assert_array_equal(v.view, np.arange(40))
    fake = gpu.fake(model)
    model.step_time()           # zero-copy models launch every step at once
    assert device_timestep(fake) == 1
    model.unload()


def test_never_rebuild_loads_the_recorded_cuda_build(gpu, tmp_path, monkeypatch):
    """A second process of a parallel run: the same script with never_rebuild=True loads the
    recorded CUDA build (cubin, host library, manifest) without planning or generating; its
    wrappers and the values given at construction are the first build's."""
    first = make(delays, "cuda", tmp_path)
    expected = {label: describe(w) for label, w in wrappers(first).items()}
    refrac = first.neuron_populations["Pre"].vars["RefracTime"].view.copy()
    first.unload()

    from pygenn._src.codegen import plan as plan_module

    def no_planning(*args, **kwargs):
        raise AssertionError("never_rebuild planned the model again")
    monkeypatch.setattr(plan_module, "ModelPlan", no_planning)
    again = delays("cuda")
    again.show_progress = False
    again.build(str(tmp_path / "cuda"), never_rebuild=True)
    assert again._generated is None and again._manifest.backend == "cuda"
    again.load(RECORDING_STEPS)
    assert {label: describe(w) for label, w in wrappers(again).items()} == expected
    view = again.neuron_populations["Pre"].vars["RefracTime"]
    np.testing.assert_array_equal(view.view, refrac)
    np.testing.assert_array_equal(gpu.read(again, view), refrac)
    again.step_time(5)
    assert again.timestep == 5 and device_timestep(gpu.fake(again)) == 5
    again.unload()
