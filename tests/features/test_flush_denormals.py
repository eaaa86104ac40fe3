"""The ``flush_denormals`` preference: model code treats subnormal numbers as zero (default), or
keeps IEEE gradual underflow (``flush_denormals=False``), and the Python process's own
floating-point mode is never changed.

References are NumPy float32 arithmetic, which always has gradual underflow: with the preference
off the model must match it bit for bit; with it on, every value NumPy gives as subnormal must be
exactly 0 and every other value must match.
"""
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pygenn import GeNNModel, create_neuron_model, create_var_ref, create_custom_update_model

# 4,096 neurons: on multi_threaded_cpu the update runs on OpenMP worker threads too, each with
# its own control word
NUM_NEURONS = 4096
DECAY = 0.9
START = 1e-36          # float32: normal; 0.9**k takes it below 1.2e-38 after ~43 steps
SUBNORMAL = 1e-39      # a subnormal float32 start value: read as 0 with the preference on
NUM_STEPS = 60
SMALLEST_NORMAL = np.finfo(np.float32).tiny

decaying = create_neuron_model(
    "decaying",
    params=["decay"],
    vars=[("x", "scalar"), ("y", "scalar"), ("z", "scalar")],
    # y + x * 0 is y unless subnormal inputs are read as zero (denormals-are-zero); the
    # compiler may not fold it (x * 0 is not 0 for infinite x)
    sim_code="x *= decay;\ny = y + x * 0.0;",
    # a threshold: the update then runs as a vectorised state pass (codegen/neuron_split.py)
    threshold_condition_code="x > 1.0")

halving = create_custom_update_model(
    "halving", var_refs=[("z", "scalar")], update_code="z = z * 0.5;")


CPU_BACKENDS = ["single_threaded_cpu", "multi_threaded_cpu"]


def _reference(steps):
    """(x, y) after each of ``steps`` steps in NumPy float32 (gradual underflow)."""
    x, y = np.float32(START), np.float32(SUBNORMAL)
    xs, ys = [], []
    for _ in range(steps):
        x = x * np.float32(DECAY)
        y = y + x * np.float32(0.0)
        xs.append(x)
        ys.append(y)
    return np.array(xs, dtype=np.float32), np.array(ys, dtype=np.float32)


def _flushed(values):
    """What flush-to-zero gives for values computed with gradual underflow from normal inputs
    that stay normal until the first subnormal result (then 0 times anything stays 0)."""
    out = values.copy()
    first = np.flatnonzero(np.abs(out) < SMALLEST_NORMAL)
    if len(first):
        out[first[0]:] = 0.0
    return out


def _run(backend, tmp_path, flush, name):
    kwargs = {} if flush is None else {"flush_denormals": flush}
    model = GeNNModel("float", name, backend=backend, **kwargs)
    model.dt = 1.0
    pop = model.add_neuron_population("pop", NUM_NEURONS, decaying, {"decay": DECAY},
                                      {"x": START, "y": SUBNORMAL, "z": 1e-37})
    model.add_custom_update("halve", "halve", halving, {}, {},
                            {"z": create_var_ref(pop, "z")})
    model.build(path_to_model=str(tmp_path))
    model.load()
    xs, ys = [], []
    for _ in range(NUM_STEPS):
        model.step_time()
        pop.vars["x"].pull_from_device()
        pop.vars["y"].pull_from_device()
        xs.append(pop.vars["x"].values.copy())
        ys.append(pop.vars["y"].values.copy())
    zs = []
    for _ in range(8):                 # 1e-37 / 2**k: subnormal from k = 4
        model.custom_update("halve")
        pop.vars["z"].pull_from_device()
        zs.append(pop.vars["z"].values.copy())
    # the Python process still has gradual underflow: numpy gives a subnormal, not 0
    assert np.float32(SUBNORMAL) * np.float32(1.0) != 0.0
    assert np.float64(1e-310) * 1.0 != 0.0
    model.unload()
    return np.array(xs), np.array(ys), np.array(zs)


def _z_reference():
    z = np.float32(1e-37)
    zs = []
    for _ in range(8):
        z = z * np.float32(0.5)
        zs.append(z)
    return np.array(zs, dtype=np.float32)


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_subnormals_flushed_by_default(backend, tmp_path):
    xs, ys, zs = _run(backend, tmp_path, None, f"ftz_on_{backend}")
    ref_x, ref_y = _reference(NUM_STEPS)
    assert (np.abs(ref_x[-1]) < SMALLEST_NORMAL) and ref_x[-1] != 0     # the test is meaningful
    assert_array_equal(xs, np.repeat(_flushed(ref_x)[:, None], NUM_NEURONS, axis=1))
    assert xs[-1].max() == 0.0
    # denormals-are-zero: a subnormal input is read as 0
    assert_array_equal(ys, np.zeros_like(ys))
    # custom updates flush too
    assert_array_equal(zs, np.repeat(_flushed(_z_reference())[:, None], NUM_NEURONS, axis=1))


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_gradual_underflow_when_turned_off(backend, tmp_path):
    # a flushing model first, in the same process: OpenMP's worker threads must not keep its
    # control word for the next model
    _run(backend, tmp_path, True, f"ftz_before_off_{backend}")
    xs, ys, zs = _run(backend, tmp_path, False, f"ftz_off_{backend}")
    ref_x, ref_y = _reference(NUM_STEPS)
    assert_array_equal(xs, np.repeat(ref_x[:, None], NUM_NEURONS, axis=1))
    assert xs[-1, 0] != 0.0 and abs(xs[-1, 0]) < SMALLEST_NORMAL         # subnormal
    assert_array_equal(ys, np.repeat(ref_y[:, None], NUM_NEURONS, axis=1))
    assert_array_equal(zs, np.repeat(_z_reference()[:, None], NUM_NEURONS, axis=1))


def test_preference_default_and_nvrtc_option():
    """--ftz=true goes to NVRTC exactly when the preference is on (no GPU needed)."""
    from pygenn._src.backends.registry import CudaBackend

    on = CudaBackend().make_preferences({})
    assert on.flush_denormals is True
    assert "--ftz=true" in CudaBackend.nvrtc_options(on)
    assert "--ftz=false" not in CudaBackend.nvrtc_options(on)
    off = CudaBackend().make_preferences({"flush_denormals": False})
    assert "--ftz=true" not in CudaBackend.nvrtc_options(off)
    assert "--ftz=false" in CudaBackend.nvrtc_options(off)
    line_info = CudaBackend().make_preferences({"generate_line_info": True})
    assert CudaBackend.nvrtc_options(line_info) == ["-lineinfo", "--ftz=true"]
