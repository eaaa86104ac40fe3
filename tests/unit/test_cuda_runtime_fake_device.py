"""The CUDA runtime's Python code, run without a GPU against a fake of the CUDA driver layer.

``CudaRuntime`` (pygenn/_src/runtime/cuda_runtime.py, on ``RuntimeBase`` in base.py) is created
from a generated model's ``RuntimeManifest`` exactly as on a GPU; only the driver module ``cu``
(and the cubin read) is replaced by ``_fake_cuda_driver.FakeCuda``, whose device memory is numpy
buffers, whose module variables are sized from the manifest and whose kernels are recorded
no-ops checked against their manifest records. So a misspelt driver call, a wrong manifest
attribute, a struct table written wrongly, a launch shape that disagrees with its block-start
table, a synchronisation inside a graph capture or a queued step that never reaches the device
fails here, in CI, instead of on the first GPU run.

Custom connectivity host code is real: it is compiled for the CPU (g++) and runs against the
runtime's host copies, with its push/pull calls going through the fake device memory.
"""
from __future__ import annotations

import ctypes
import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from pygenn import (GeNNModel, VarLocation, create_neuron_model, create_wu_var_ref,
                    init_postsynaptic, init_sparse_connectivity, init_var, init_weight_update)
from pygenn._src import contract
from pygenn._src.backends.cuda import generate_cuda
from pygenn._src.codegen.plan import ModelPlan
from pygenn._src.runtime import cuda_runtime

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _fake_cuda_driver import (FakeCuda, FakeDeviceError, all_kernels,  # noqa: E402
                               declared_arrays, declared_kernels, declared_scalars)

_SCRIPT = HERE.parent / "golden" / "regenerate.py"
_spec = importlib.util.spec_from_file_location("golden_regenerate_fake_cuda", _SCRIPT)
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

CUBIN = b"\x7fELF fake cubin"


# ---------------------------------------------------------------------- models of this file
TABLE_NEURON = create_neuron_model(
    "TableNeuron", params=["Ioffset"], vars=[("V", "scalar")],
    extra_global_params=[("table", "scalar*")],
    sim_code="V = table[id] + Ioffset;", threshold_condition_code="V > 1.0",
    reset_code="V = 0.0;")


def egp_zero_copy() -> GeNNModel:
    """An EGP that code reads, a zero-copy variable and a dynamic parameter."""
    model = GeNNModel("float", "fake_egp_zero_copy", backend="single_threaded_cpu")
    model.dt = 0.1
    pop = model.add_neuron_population("Table", 50, TABLE_NEURON, {"Ioffset": 0.5}, {"V": 0.0})
    pop.set_param_dynamic("Ioffset")
    pop.set_var_location("V", VarLocation.HOST_DEVICE_ZERO_COPY)
    pop.spike_recording_enabled = True
    return model


def stdp_rewire() -> GeNNModel:
    """Custom connectivity updates (host code and row code) on SPARSE STDP synapses: their
    column structure (colLength/remap) is rebuilt after the rows change."""
    model = GeNNModel("float", "fake_stdp_rewire", backend="single_threaded_cpu")
    model.dt = 0.1
    pre = golden._lif(model, "Pre", 40, offset=1.5)
    post = golden._lif(model, "Post", 30)
    synapses = model.add_synapse_population(
        "PrePost", "SPARSE", pre, post,
        init_weight_update("STDP", {"tauPlus": 20.0, "tauMinus": 20.0, "Aplus": 0.01,
                                    "Aminus": 0.012, "Wmin": 0.0, "Wmax": 1.0},
                           {"g": init_var("Uniform", {"min": 0.0, "max": 1.0})}),
        init_postsynaptic("DeltaCurr"),
        init_sparse_connectivity("FixedNumberPostWithReplacement", {"num": 6}))
    synapses.max_connections = 10
    model.add_custom_connectivity_update("Prune", "Rewire", synapses, golden.PRUNE,
                                         {"threshold": 0.1}, {}, {}, {},
                                         {"g": create_wu_var_ref(synapses, "g")})
    model.add_custom_connectivity_update("Grow", "Grow", synapses, golden.GROW, {"weight": 0.5},
                                         {}, {"rowSize": 0.0}, {},
                                         {"g": create_wu_var_ref(synapses, "g")})
    return model


BUILDERS = {**golden.MODELS, "egp_zero_copy": egp_zero_copy, "stdp_rewire": stdp_rewire}
STEPPED = ["lif_poisson_sparse", "batch_reduction", "custom_connectivity", "spike_events",
           "procedural", "stdp_dense", "dendritic_delay", "egp_zero_copy", "stdp_rewire"]


def generate(name: str, timing: bool = False):
    model = BUILDERS[name]()
    model.timing_enabled = timing
    model.finalize_checks()
    return generate_cuda(ModelPlan(model, "cuda"))


@pytest.fixture
def fake_runtime(monkeypatch):
    """``make(generated, **fake options) -> (runtime, fake)``: a CudaRuntime on a FakeCuda."""
    made = []
    queueing = cuda_runtime._QueueingStream
    bases = queueing.__bases__

    def make(generated, seed=1, **options):
        fake = FakeCuda(generated, **options)
        monkeypatch.setattr(cuda_runtime, "cu", fake.module)
        monkeypatch.setattr(cuda_runtime, "read_verified",
                            lambda path: CUBIN if path.name == "unused.cubin" else None)
        # the runtime's stream subclasses the driver's Stream: give it the fake's as its base
        # (restored below: monkeypatch cannot undo a __bases__ assignment)
        queueing.__bases__ = (fake.module.Stream,)
        runtime = cuda_runtime.CudaRuntime("unused.cubin", generated.manifest, seed=seed)
        made.append(runtime)
        return runtime, fake

    try:
        yield make
    finally:
        for runtime in made:       # while the fake is still in place
            runtime.stream.destroy()
        queueing.__bases__ = bases


def step_kernel_names(manifest) -> list:
    return [k.name for k in manifest.kernels.get("step", [])]


def expected_block_starts(kernel, multiprocessor_count) -> list:
    starts = [0]
    for elements in kernel.member_elements:
        blocks = -(-elements // cuda_runtime.BLOCK_SIZE)
        starts.append(starts[-1] + max(1, min(blocks, multiprocessor_count * 16)))
    return starts


def check_struct_tables(runtime, fake):
    """Every merged group's table in device memory holds its members' bindings."""
    for struct in runtime.manifest.structs:
        table = fake.struct_table(struct)
        assert len(table) == len(struct.members)
        for row, bindings in zip(table, struct.bindings):
            for field, binding in bindings.items():
                if binding.kind == "array":
                    array = runtime.arrays.get(binding.array)
                    expected = array.device_pointer if array is not None else 0
                elif binding.kind == "size":
                    array = runtime.arrays.get(binding.array)
                    expected = (len(array.host_view) // binding.batches
                                if array is not None else 0)
                else:
                    expected = np.array(binding.value, dtype=table.dtype[field])
                assert row[field] == expected, (struct.array_name, field, binding)


def check_steps_launched(fake, manifest, launches):
    """``launches`` are whole steps: each every step kernel once, waves in order, StepEnd
    last with its fixed shape."""
    names = step_kernel_names(manifest)
    wave_index = {}
    for kernel in manifest.kernels["step"]:
        wave_index.setdefault(kernel.wave, len(wave_index))
    waves = {k.name: wave_index[k.wave] for k in manifest.kernels["step"]}
    assert len(launches) % len(names) == 0
    for i in range(0, len(launches), len(names)):
        step = launches[i:i + len(names)]
        assert Counter(launch.name for launch in step) == Counter(names)
        order = [waves[launch.name] for launch in step]
        assert order == sorted(order), [launch.name for launch in step]
        assert step[-1].name == "StepEnd"
        end = next(k for k in manifest.kernels["step"] if k.name == "StepEnd")
        assert (step[-1].grid, step[-1].block) == (tuple(end.grid), tuple(end.block))


def device_timestep(fake) -> int:
    return int(fake.read_global("_deviceTimestep", np.uint64)[0])


# ---------------------------------------------------------------------- the manifest itself
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_manifest_names_what_the_source_declares(name):
    """Struct tables, block-start tables, scalars and kernels the manifest names exist in the
    generated source with the sizes the runtime will use."""
    generated = generate(name)
    manifest, source = generated.manifest, generated.sources["runner.cu"]
    arrays, scalars = declared_arrays(source), declared_scalars(source)
    assert {"_seed", "_deviceTimestep", "_numRecordingTimesteps", "_initError"} <= scalars
    for struct in manifest.structs:
        assert arrays.get(struct.array_name) == len(struct.members), struct.array_name
        assert len(struct.bindings) == len(struct.members)
        for bindings in struct.bindings:
            assert set(bindings) <= {f for f, _ in struct.fields}
    kernels = list(all_kernels(manifest))
    assert {k.name for k in kernels} <= declared_kernels(source)
    tables = {f"{k.name}_blockStart": len(k.member_elements) + 1 for k in kernels
              if k.grid is None and not k.single_thread}
    assert {n: c for n, c in arrays.items() if n.endswith("_blockStart")} == tables
    assert [k.name for k in manifest.kernels["step"]][-1] == "StepEnd"


# ---------------------------------------------------------------------- the whole life
@pytest.mark.parametrize("name", STEPPED)
def test_allocate_initialise_step_and_free(fake_runtime, name):
    generated = generate(name)
    manifest = generated.manifest
    runtime, fake = fake_runtime(generated, seed=1)
    assert fake.loaded_images == [CUBIN]
    assert fake.devices and fake.devices[0].current
    assert int(fake.read_global("_seed", np.uint64)[0]) == 1
    assert device_timestep(fake) == 0
    # every packed kernel's block starts were written before anything else
    for kernel in all_kernels(manifest):
        if kernel.grid is None and not kernel.single_thread:
            assert fake.read_global(f"{kernel.name}_blockStart", np.uint32).tolist() == \
                expected_block_starts(kernel, fake.multiprocessor_count), kernel.name

    recording = 10 if manifest.uses_recording() else None
    runtime.allocate(recording)
    if recording:
        assert int(fake.read_global("_numRecordingTimesteps", np.uint32)[0]) == recording
    for key, record in manifest.arrays.items():
        if record.egp:
            assert key not in runtime.arrays
            continue
        array = runtime.arrays[key]
        count = record.count * (recording if record.per_recording_step else 1)
        assert array.count == count and array.nbytes == count * record.numpy_dtype.itemsize
        if count:   # filled: no garbage left in device memory, the host copy agrees
            device = fake.read(array.device_pointer, record.numpy_dtype, count)
            assert np.all(device == np.array(record.fill, dtype=record.numpy_dtype)), key
            if array.host_view is not None:
                assert np.array_equal(array.host_view, device), key
    check_struct_tables(runtime, fake)
    for record in manifest.arrays.values():    # EGPs: allocated, then the tables rebound
        if record.egp:
            runtime.allocate_egp(record.owner, record.name, 4)
    check_struct_tables(runtime, fake)

    runtime.initialize()
    init = [k.name for k in manifest.kernels.get("init", [])]
    assert [launch.name for launch in fake.launches] == init
    del fake.launches[:]
    runtime.initialize_sparse()
    assert [launch.name for launch in fake.launches] == \
        [k.name for k in manifest.kernels.get("init_sparse", []) + manifest.kernels["columns"]]
    del fake.launches[:]
    runtime.timestep = 0

    steps = len(step_kernel_names(manifest))
    for _ in range(250):
        runtime.step_time()
    assert runtime.timestep == 250 and runtime.t == pytest.approx(250 * manifest.dt)
    if not runtime._zero_copy:
        # queued: two whole graphs of 100 steps went out, 50 steps wait on the host
        assert fake.graph_launches == 2 and len(fake.launches) == 200 * steps
        assert all(launch.from_graph for launch in fake.launches)
    runtime.synchronize()
    assert device_timestep(fake) == 250
    assert len(fake.launches) == 250 * steps
    check_steps_launched(fake, manifest, fake.launches)

    runtime.step_times(1000)
    runtime.synchronize()
    assert runtime.timestep == device_timestep(fake) == 1250
    check_steps_launched(fake, manifest, fake.launches)
    assert fake.captures == 2                         # one 100-step graph, one 1-step graph
    assert fake.event_syncs > 0                       # the host waited for old marks
    assert len(runtime._in_flight) == 0

    # the setter: queued steps reach the device first, then the new timestep
    for _ in range(3):
        runtime.step_time()
    runtime.timestep = 100
    runtime.step_time()
    runtime.synchronize()
    assert runtime.timestep == device_timestep(fake) == 101
    assert len(fake.launches) == 1254 * steps

    assert runtime.get_time("neuron_update") == 0.0        # timing not enabled
    # rebinding drops the graphs: the next steps are captured again
    runtime.bind()
    check_struct_tables(runtime, fake)
    runtime.step_times(101)
    runtime.synchronize()
    assert fake.captures == 4
    assert device_timestep(fake) == 202

    runtime.free()
    assert runtime.arrays == {} and fake.live() == []


def test_run_ahead_is_bounded(fake_runtime):
    runtime, fake = fake_runtime(generate("procedural"))
    runtime.allocate(None)
    runtime.initialize()
    runtime.initialize_sparse()
    runtime.step_times(2000)
    # 20 graphs launched; the host waited for the oldest marks to keep at most 300 ahead
    assert fake.graph_launches == 20
    assert sum(n for n, _ in runtime._in_flight) <= runtime.MAX_STEPS_AHEAD
    assert fake.event_syncs == 20 - runtime.MAX_STEPS_AHEAD // runtime.STEPS_PER_GRAPH
    assert device_timestep(fake) == 2000           # the fake runs kernels at once
    runtime.synchronize()
    assert not runtime._in_flight


@pytest.mark.parametrize("capability, programmatic", [((8, 0), False), ((9, 0), True)])
def test_programmatic_launches_follow_lone_kernels(fake_runtime, capability, programmatic):
    generated = generate("lif_poisson_sparse")
    runtime, fake = fake_runtime(generated, compute_capability=capability)
    runtime.allocate(10)
    runtime.step_times(100)         # one graph of 100 steps
    assert fake.captures == 1
    flags = Counter((launch.name, launch.programmatic) for launch in fake.launches)
    # PresynapticUpdate0 is alone in the step's first wave: it follows the previous step's
    # StepEnd (a lone kernel) in every step but the graph's first; the neuron wave has two
    # kernels (parallel branches with ordinary dependencies) and StepEnd follows their join
    assert flags[("PresynapticUpdate0", True)] == (99 if programmatic else 0)
    assert flags[("PresynapticUpdate0", False)] == (1 if programmatic else 100)
    for name in ("NeuronUpdate0", "NeuronUpdate1", "StepEnd"):
        assert flags[(name, False)] == 100
    # the two-kernel wave ran on two streams
    streams = {launch.name: launch.stream for launch in fake.launches}
    assert streams["NeuronUpdate0"] is not streams["NeuronUpdate1"]
    assert streams["StepEnd"] is runtime.stream


# ---------------------------------------------------------------------- queries
def test_recorded_spikes_decode_the_device_buffer(fake_runtime):
    generated = generate("lif_poisson_sparse")
    runtime, fake = fake_runtime(generated)
    runtime.allocate(10)
    runtime.initialize()
    runtime.initialize_sparse()
    group = SimpleNamespace(name="Excitatory", num_neurons=80)
    with pytest.raises(RuntimeError, match="once buffer is full"):
        runtime.get_recorded_spikes(group)
    runtime.step_times(25)
    array = runtime.get_array("Excitatory", "recordSpk")
    words = np.zeros((10, 3), dtype=np.uint32)
    rng = np.random.default_rng(7)
    expected = []
    for row in range(10):
        ids = sorted(rng.choice(80, size=row % 5, replace=False).tolist())
        for i in ids:
            words[row, i // 32] |= np.uint32(1 << (i % 32))
        # GeNN's order: word by word, descending bits within a word
        for word in range(3):
            expected += [((15 + row) * 0.1, i) for i in sorted(
                (i for i in ids if i // 32 == word), reverse=True)]
    fake.write(array.device_pointer, words)
    runtime.pull_recording_buffers_from_device()
    assert runtime.timestep == 25
    [(times, ids)] = runtime.get_recorded_spikes(group)
    assert ids.tolist() == [i for _, i in expected]
    np.testing.assert_allclose(times, [t for t, _ in expected])
    assert times.dtype == np.float64 and ids.dtype == np.int32
    with pytest.raises(RuntimeError, match="Spike recording is not enabled"):
        runtime.get_recorded_spikes(SimpleNamespace(name="InputExcitatory", num_neurons=1))


def test_recording_buffers_are_pinned_and_pulled_with_one_wait(fake_runtime):
    """Recording buffers' host copies are pinned memory: every buffer's copy is queued on the
    stream and the pull waits once, after which every host copy holds the device's data."""
    generated = generate("spike_events")
    runtime, fake = fake_runtime(generated)
    runtime.allocate(10)
    runtime.initialize()
    runtime.initialize_sparse()
    runtime.step_times(10)
    recording = {key: array for key, array in runtime.arrays.items()
                 if array.record.per_recording_step}
    assert len(recording) >= 1                  # spike-like events
    for array in recording.values():
        assert array._pinned is not None and array.host_view.base is not None
    rng = np.random.default_rng(3)
    written = {}
    for key, array in recording.items():
        written[key] = rng.integers(0, 2**32, size=array.count, dtype=np.uint32)
        fake.write(array.device_pointer, written[key])
    syncs = fake.stream_syncs
    runtime.pull_recording_buffers_from_device()
    assert fake.stream_syncs == syncs + 1       # one wait for all the buffers
    for key, array in recording.items():
        np.testing.assert_array_equal(array.host_view, written[key])
    runtime.free()
    assert not fake.pinned                      # pinned host memory given back


def test_delay_pointer_row_lengths_and_copies(fake_runtime):
    generated = generate("lif_poisson_sparse")
    runtime, fake = fake_runtime(generated)
    runtime.allocate(10)
    runtime.initialize()
    row_lengths = (np.arange(100) % 7).astype(np.uint32)

    def init_sparse(fake_):          # what InitSparse0 writes
        fake_.write(runtime.get_array("InputExcitatory", "rowLength").device_pointer,
                    row_lengths)
    fake.on_kernel["InitSparse0"] = init_sparse
    runtime.initialize_sparse()
    # initialize_sparse pulled every host copy
    assert np.array_equal(runtime.get_row_lengths("InputExcitatory"), row_lengths)
    assert runtime.get_row_stride("InputExcitatory") == generated.manifest.row_strides[
        "InputExcitatory"]
    # the spike queue pointer is read from the device
    assert runtime.get_delay_pointer("Input") == 0
    fake.write(runtime.get_array("Input", "spkQuePtr").device_pointer,
               np.array([4], dtype=np.uint32))
    assert runtime.get_delay_pointer("Input") == 4
    assert runtime.get_delay_pointer("Excitatory") == 0         # no spike queue
    # push and pull round trip through device memory, slices too
    v = runtime.get_array("Excitatory", "V")
    v.host_view[:] = np.linspace(-70, -50, 80, dtype=np.float32)
    v.push_to_device()
    assert np.array_equal(fake.read(v.device_pointer, np.float32, 80), v.host_view)
    pushed = v.host_view.copy()
    v.host_view[:] = 0
    v.pull_from_device()
    assert np.array_equal(v.host_view, pushed)
    v.host_view[10:20] = 1.0
    v.push_slice_1d_to_device(10, 10)
    assert np.all(fake.read(v.device_pointer, np.float32, 80)[10:20] == 1.0)
    fake.write(v.device_pointer + 4 * 30, np.full(5, 2.0, dtype=np.float32))
    v.pull_slice_1d_from_device(30, 5)
    assert np.all(v.host_view[30:35] == 2.0) and v.host_view[35] == pushed[35]
    runtime.free()
    assert fake.live() == []


def test_egps_bind_once_deferred_dynamic_params_and_zero_copy(fake_runtime):
    generated = generate("egp_zero_copy")
    manifest = generated.manifest
    runtime, fake = fake_runtime(generated)
    runtime.allocate(4)
    egp = next(r for r in manifest.arrays.values() if r.egp)
    assert egp.required and egp.key not in runtime.arrays
    struct, member, field = next(
        (s, i, f) for s in manifest.structs for i, b in enumerate(s.bindings)
        for f, binding in b.items() if binding.kind == "array" and binding.array == egp.key)
    assert fake.struct_table(struct)[member][field] == 0
    with runtime.binding_deferred():
        array = runtime.allocate_egp(egp.owner, egp.name, 50)
        assert fake.struct_table(struct)[member][field] == 0        # not rebound yet
    assert fake.struct_table(struct)[member][field] == array.device_pointer
    check_struct_tables(runtime, fake)
    array.free()     # (allocate_egp drops an array it replaces without freeing it)
    again = runtime.allocate_egp(egp.owner, egp.name, 60)       # outside: rebound at once
    assert fake.struct_table(struct)[member][field] == again.device_pointer != 0

    # a dynamic parameter's value reaches device memory
    runtime.set_dynamic_param_value("Table", "Ioffset", 2.25)
    dynamic = next(a for (owner, n), a in runtime.arrays.items()
                   if owner == "Table" and n.endswith("Ioffset"))
    assert fake.read(dynamic.device_pointer, dynamic.record.numpy_dtype, 1)[0] == 2.25
    with pytest.raises(RuntimeError, match="is not dynamic"):
        runtime.set_dynamic_param_value("Table", "Vthresh", 1.0)

    # zero-copy: the host view is the memory the device sees, and every step is launched
    v = runtime.get_array("Table", "V")
    assert v.zero_copy and runtime._zero_copy
    v.host_view[:] = 3.5
    assert np.all(fake.read(v.device_pointer, np.float32, 50) == 3.5)
    runtime.initialize()
    runtime.initialize_sparse()
    for step in range(1, 6):
        runtime.step_time()
        assert device_timestep(fake) == step
    runtime.step_times(150)
    assert device_timestep(fake) == 155 and fake.captures == 2
    runtime.free()
    assert fake.live() == [] and not fake.mapped


def test_init_error_is_raised_and_cleared(fake_runtime):
    generated = generate("custom_connectivity")
    runtime, fake = fake_runtime(generated)
    runtime.allocate(None)
    fake.on_kernel["Init1"] = lambda f: f.write_global(
        "_initError", np.array([contract.ROW_FULL], dtype=np.int32))
    with pytest.raises(RuntimeError) as error:
        runtime.initialize()
    assert str(error.value) == contract.init_error_message(contract.ROW_FULL)
    assert int(fake.read_global("_initError", np.int32)[0]) == 0
    del fake.on_kernel["Init1"]
    runtime.initialize()


# ---------------------------------------------------------------------- update groups
def test_custom_updates_run_after_queued_steps(fake_runtime):
    generated = generate("batch_reduction")
    manifest = generated.manifest
    runtime, fake = fake_runtime(generated)
    runtime.allocate(None)
    runtime.initialize()
    runtime.initialize_sparse()
    del fake.launches[:]
    assert runtime.update_group_names() == ["Plasticity", "Reduce"]
    runtime.step_times(3)
    runtime.custom_update("Reduce")
    names = [launch.name for launch in fake.launches]
    steps = len(step_kernel_names(manifest))
    assert names[3 * steps:] == [k.name for k in manifest.custom_update_kernels["Reduce"]]
    check_steps_launched(fake, manifest, fake.launches[:3 * steps])
    runtime.custom_update("Plasticity")
    assert fake.launches[-1].name == manifest.custom_update_kernels["Plasticity"][-1].name
    assert device_timestep(fake) == 3
    # the step graph is still valid: more steps reuse it
    runtime.step_times(2)
    runtime.synchronize()
    assert device_timestep(fake) == 5 and fake.captures == 1
    with pytest.raises(IndexError, match="No custom update group 'Nope'"):
        runtime.custom_update("Nope")
    assert runtime.get_custom_update_time("Reduce") == 0.0
    assert runtime.get_custom_update_time("Reduce", "transpose") == 0.0
    with pytest.raises(ValueError):
        runtime.get_custom_update_time("Reduce", "bogus")
    with pytest.raises(RuntimeError, match="customUpdateNopeTime"):
        runtime.get_custom_update_time("Nope")


def _host_library(generated) -> str:
    from pygenn._src.build import toolchain
    from pygenn._src.build.cache import build_cached_library
    try:
        toolchain.find_cxx()
    except Exception as error:         # noqa: BLE001 (any missing compiler)
        pytest.skip(f"no C++ compiler for the host code: {error}")
    return str(build_cached_library({"ccu_host.cc": generated.sources["ccu_host.cc"]},
                                    name=f"{generated.manifest.model_name}_ccu_host",
                                    flags=toolchain.cpu_flags()))


@pytest.mark.parametrize("name", ["custom_connectivity", "stdp_rewire"])
def test_custom_connectivity_host_code_rows_and_columns(fake_runtime, name):
    pre = 40                        # presynaptic neurons of both models
    generated = generate(name)
    manifest = generated.manifest
    manifest.host_library = _host_library(generated)
    runtime, fake = fake_runtime(generated, seed=5)
    runtime.allocate(None)
    runtime.initialize()
    row_lengths = ((np.arange(pre) * 3) % 11).astype(np.uint32)
    fake.on_kernel["InitSparse0"] = lambda f: f.write(
        runtime.get_array("PrePost", "rowLength").device_pointer, row_lengths)
    runtime.initialize_sparse()
    assert np.array_equal(runtime.get_row_lengths("PrePost"), row_lengths)
    columns = [k.name for k in manifest.kernels["columns"]]
    assert bool(columns) == (name == "stdp_rewire")
    for _ in range(4):
        runtime.step_time()         # queued, not launched yet
    del fake.launches[:]

    # the device changed the rows since: the host code pulls them, then pushes rowSize
    row_lengths = (np.arange(pre) % 5).astype(np.uint32)
    fake.write(runtime.get_array("PrePost", "rowLength").device_pointer, row_lengths)
    if columns:
        fake.write(runtime.get_array("PrePost", "colLength").device_pointer,
                   np.full(30, 9, dtype=np.uint32))
    runtime.custom_update("Grow")
    row_size = runtime.get_array("Grow", "rowSize")
    assert np.array_equal(fake.read(row_size.device_pointer, np.float32, pre),
                          row_lengths.astype(np.float32))
    assert ctypes.c_uint64.in_dll(runtime._host, "_seed").value == 5
    launched = [launch.name for launch in fake.launches]
    steps = len(step_kernel_names(manifest))
    assert launched[:4 * steps].count("StepEnd") == 4          # queued steps went first
    rows = [k.name for k in manifest.custom_connectivity_kernels["Grow"]]
    assert launched[4 * steps:] == rows + columns
    if columns:     # the column lengths were cleared before the column kernels rebuilt them
        assert np.all(fake.read(runtime.get_array("PrePost", "colLength").device_pointer,
                                np.uint32, 30) == 0)
    assert runtime.get_custom_update_time("Grow", "host") > 0.0
    assert runtime.get_custom_update_time("Grow", "remap") >= 0.0
    assert runtime.get_custom_update_time("Grow") == 0.0        # no custom update code

    # a full row reported by the row code
    rewire = manifest.custom_connectivity_kernels["Rewire"][-1].name
    fake.on_kernel[rewire] = lambda f: f.write_global(
        "_initError", np.array([contract.ROW_FULL], dtype=np.int32))
    with pytest.raises(RuntimeError, match="add_synapse was called on a full row"):
        runtime.custom_update("Rewire")
    assert int(fake.read_global("_initError", np.int32)[0]) == 0
    del fake.on_kernel[rewire]
    runtime.custom_update("Rewire")
    runtime.free()
    assert fake.live() == []


def test_host_code_without_a_library_says_so(fake_runtime):
    generated = generate("custom_connectivity")
    generated.manifest.host_library = None
    runtime, _ = fake_runtime(generated)
    runtime.allocate(None)
    with pytest.raises(RuntimeError, match="host update code was not compiled"):
        runtime.custom_update("Grow")


# ---------------------------------------------------------------------- timing
def test_timing_launches_phase_by_phase(fake_runtime):
    generated = generate("lif_poisson_sparse", timing=True)
    manifest = generated.manifest
    assert manifest.timing
    runtime, fake = fake_runtime(generated)
    runtime.allocate(10)
    runtime.initialize()
    runtime.initialize_sparse()
    # the fake clock: one millisecond per kernel
    assert runtime.get_time("init") == pytest.approx(len(manifest.kernels["init"]) / 1000)
    assert runtime.get_time("init_sparse") == pytest.approx(
        (len(manifest.kernels["init_sparse"]) + len(manifest.kernels["columns"])) / 1000)
    runtime.step_times(5)
    runtime.step_time()
    assert fake.captures == 0 and fake.graph_launches == 0
    assert runtime.timestep == device_timestep(fake) == 6
    check_steps_launched(fake, manifest, fake.launches[-6 * len(manifest.kernels["step"]):])
    phases = Counter(k.phase for k in manifest.kernels["step"])
    for phase in ("neuron_update", "presynaptic_update", "postsynaptic_update",
                  "synapse_dynamics"):
        assert runtime.get_time(phase) == pytest.approx(6 * phases[phase] / 1000), phase
    totals = runtime.profile_kernels(steps=3)
    assert totals == {k.name: pytest.approx(3 / 1000) for k in manifest.kernels["step"]}
    assert runtime.timestep == device_timestep(fake) == 9


def test_timing_custom_updates(fake_runtime):
    generated = generate("batch_reduction", timing=True)
    manifest = generated.manifest
    runtime, fake = fake_runtime(generated)
    runtime.allocate(None)
    runtime.initialize()
    runtime.step_time()
    runtime.custom_update("Reduce")
    runtime.custom_update("Reduce")
    assert runtime.get_custom_update_time("Reduce") == pytest.approx(
        2 * len(manifest.custom_update_kernels["Reduce"]) / 1000)
    assert runtime.get_custom_update_time("Plasticity") == 0.0
    assert runtime.get_custom_update_time("Reduce", "transpose") == 0.0


# ---------------------------------------------------------------------- the fake itself
def test_the_fake_refuses_what_a_gpu_would(fake_runtime):
    runtime, fake = fake_runtime(generate("procedural"))
    runtime.allocate(None)
    array = runtime.get_array("Pre", "V")
    with pytest.raises(FakeDeviceError, match="run past the end"):
        fake.module.memcpy_htod(array.device_pointer, np.zeros(201, dtype=np.float32))
    runtime.stream.begin_capture()
    with pytest.raises(FakeDeviceError, match="INVALIDATED"):
        runtime.stream.synchronize()
    runtime.stream.end_capture()
    with pytest.raises(AttributeError):
        fake.module.memcpy_dtod      # noqa: B018 (the runtime may use only what exists)


@pytest.mark.parametrize("name", ["lif_poisson_sparse", "batch_reduction", "stdp_rewire"])
def test_a_manifest_read_back_from_json_runs_the_same(fake_runtime, name):
    """``never_rebuild`` loads the manifest stored as JSON: lists must come back as the
    tuples the runtime and the launch shapes use."""
    from pygenn._src.manifest import RuntimeManifest
    generated = generate(name)
    original = generated.manifest
    generated.manifest = RuntimeManifest.from_json(original.to_json(), generated.sources)
    assert generated.manifest == original
    runtime, fake = fake_runtime(generated)
    runtime.allocate(5 if generated.manifest.uses_recording() else None)
    check_struct_tables(runtime, fake)
    runtime.initialize()
    runtime.initialize_sparse()
    runtime.step_times(120)
    for group in runtime.manifest.custom_update_groups:
        runtime.custom_update(group)
    runtime.synchronize()
    assert device_timestep(fake) == 120
    check_steps_launched(fake, generated.manifest, [
        launch for launch in fake.launches if launch.from_graph])
