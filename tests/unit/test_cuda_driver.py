"""The checked CUDA driver wrapper: memory, modules, launches, graphs, events and its errors.

Everything but the import checks needs a GPU (and NVRTC, to make the test kernels).
"""
from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pygenn._src.build import nvrtc
from pygenn._src.errors import CudaDriverError
from pygenn._src.runtime import cuda_driver as cu

needs_gpu = pytest.mark.skipif(not (cu.available() and nvrtc.available()),
                               reason="needs an NVIDIA GPU, cuda-bindings and NVRTC")

KERNELS = """\
extern "C" __device__ uint32_t g_counter;
extern "C" __device__ float g_scale = 2.0f;

extern "C" __global__ void axpy(float a, const float* x, float* y, uint32_t n)
{
    const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] += a * x[i] * g_scale;
    }
}

extern "C" __global__ void increment(uint32_t* values)
{
    values[threadIdx.x] += 1;
    if (threadIdx.x == 0) {
        g_counter += 1;
    }
}

extern "C" __global__ void fill_u64(uint64_t* out, uint64_t value, double offset, uint32_t n)
{
    const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        out[i] = value + i + (uint64_t)offset;
    }
}

extern "C" __global__ void empty() {}
"""


def test_module_imports_and_answers_without_cuda_bindings():
    code = ("import sys; sys.modules['cuda'] = None\n"
            "from pygenn._src.runtime import cuda_driver as cu\n"
            "from pygenn._src.errors import CudaDriverError\n"
            "assert cu.available() is False\n"
            "try:\n    cu.mem_alloc(16)\nexcept CudaDriverError as e:\n    print(e)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[2])
    assert "pip install 'cuda-bindings>=12.0'" in result.stdout


def test_available_is_a_bool():
    assert cu.available() in (True, False)


@pytest.mark.skipif(cu.available(), reason="the driver is present here")
def test_missing_driver_is_a_driver_error():
    pytest.importorskip("cuda.bindings.driver")
    with pytest.raises(CudaDriverError, match=r"cuInit failed: the NVIDIA driver library"):
        cu.device_count()


@pytest.fixture(scope="module")
def device():
    dev = cu.Device(0)
    dev.make_current()
    return dev


@pytest.fixture(scope="module")
def module(device):
    target = nvrtc.choose_target(device.compute_capability, cu.driver_version())
    image = nvrtc.compile_cuda(nvrtc.nvrtc_prelude() + KERNELS, "driver_test", target)
    return cu.Module.load(image)


@pytest.fixture
def buffer():
    """Allocate device memory, freed after the test."""
    pointers = []

    def allocate(nbytes):
        pointers.append(cu.mem_alloc(nbytes))
        return pointers[-1]

    yield allocate
    for pointer in pointers:
        cu.mem_free(pointer)


@needs_gpu
def test_device_properties(device):
    assert cu.device_count() >= 1
    assert cu.driver_version() >= 12000
    assert device.name and device.ordinal == 0
    assert device.compute_capability >= (5, 0) and len(device.compute_capability) == 2
    assert device.total_memory > 2**30 and device.multiprocessor_count > 0
    device.make_current()  # a second call only sets the context again


@needs_gpu
def test_copy_round_trip(device, buffer):
    data = np.arange(1000, dtype=np.float64)
    pointer = buffer(data.nbytes)
    cu.memcpy_htod(pointer, data)
    back = np.zeros_like(data)
    cu.memcpy_dtoh(back, pointer)
    np.testing.assert_array_equal(back, data)
    part = np.zeros(10, dtype=np.float64)
    cu.memcpy_dtoh(part, pointer, nbytes=5 * 8)
    np.testing.assert_array_equal(part, [0, 1, 2, 3, 4, 0, 0, 0, 0, 0])


@needs_gpu
def test_async_copies_on_a_stream(device, buffer):
    stream = cu.Stream()
    data = np.arange(256, dtype=np.uint32)
    pointer = buffer(data.nbytes)
    cu.memcpy_htod(pointer, data, stream=stream)
    back = np.zeros_like(data)
    cu.memcpy_dtoh(back, pointer, stream=stream)
    stream.synchronize()
    np.testing.assert_array_equal(back, data)


@needs_gpu
def test_memset(device, buffer):
    pointer = buffer(64)
    cu.memset_d8(pointer, 0xAB, 64)
    back = np.zeros(64, dtype=np.uint8)
    cu.memcpy_dtoh(back, pointer)
    assert (back == 0xAB).all()
    cu.memset_d32(pointer, int(np.float32(1.5).view(np.uint32)), 8)
    words = np.zeros(16, dtype=np.float32)
    cu.memcpy_dtoh(words, pointer)
    np.testing.assert_array_equal(words[:8], 1.5)
    assert (words[8:].view(np.uint32) == 0xABABABAB).all()
    stream = cu.Stream()
    cu.memset_d32(pointer, -1, 16, stream=stream)
    cu.memset_d8(pointer, 0, 4, stream=stream)
    cu.memcpy_dtoh(words, pointer, stream=stream)
    stream.synchronize()
    assert list(words.view(np.uint32)[:2]) == [0, 0xFFFFFFFF]


@needs_gpu
def test_copy_checks_host_arrays(device, buffer):
    pointer = buffer(16)
    with pytest.raises(ValueError, match="holds 16 bytes"):
        cu.memcpy_htod(pointer, np.zeros(4, dtype=np.float32), nbytes=32)
    with pytest.raises(ValueError, match="C-contiguous"):
        cu.memcpy_dtoh(np.zeros((4, 4), dtype=np.float32)[:, 0], pointer)
    with pytest.raises(TypeError, match="NumPy array"):
        cu.memcpy_htod(pointer, b"abcd")


@needs_gpu
def test_zero_sized_allocation_and_copies(device):
    assert cu.mem_alloc(0) == 0
    cu.mem_free(0)
    cu.memcpy_htod(0, np.zeros(0, dtype=np.float32))


@needs_gpu
def test_launch_with_args(device, module, buffer):
    n = 1000
    x = np.arange(n, dtype=np.float32)
    y = np.ones(n, dtype=np.float32)
    x_ptr, y_ptr = buffer(x.nbytes), buffer(y.nbytes)
    cu.memcpy_htod(x_ptr, x)
    cu.memcpy_htod(y_ptr, y)
    axpy = module.function("axpy")
    assert module.function("axpy") is axpy
    args = [ctypes.c_float(0.5), ctypes.c_void_p(x_ptr), ctypes.c_void_p(y_ptr), ctypes.c_uint32(n)]
    axpy.launch(((n + 127) // 128,), (128,), args)
    back = np.zeros_like(y)
    cu.memcpy_dtoh(back, y_ptr)  # synchronous: waits for the kernel on the default stream
    np.testing.assert_allclose(back, 1 + 0.5 * x * 2.0)


@needs_gpu
def test_launch_with_64_bit_and_double_args_on_a_stream(device, module, buffer):
    n = 100
    out = buffer(n * 8)
    stream = cu.Stream()
    module.function("fill_u64").launch(1, 128, [ctypes.c_void_p(out), ctypes.c_uint64(2**40),
                                                ctypes.c_double(7.9), ctypes.c_uint32(n)],
                                       stream=stream)
    stream.synchronize()
    back = np.zeros(n, dtype=np.uint64)
    cu.memcpy_dtoh(back, out)
    np.testing.assert_array_equal(back, 2**40 + 7 + np.arange(n, dtype=np.uint64))


@needs_gpu
def test_packed_kernel_args_follow_value_changes(device, module, buffer):
    out = buffer(8)
    value = ctypes.c_uint64(5)
    args = cu.KernelArgs([ctypes.c_void_p(out), value, ctypes.c_double(0.0), ctypes.c_uint32(1)])
    fill = module.function("fill_u64")
    back = np.zeros(1, dtype=np.uint64)
    for expected in (5, 6, 7):
        value.value = expected
        fill.launch(1, 32, args)
        cu.memcpy_dtoh(back, out)
        assert back[0] == expected


@needs_gpu
def test_kernel_args_must_be_ctypes(device, module):
    with pytest.raises(TypeError, match=r"Kernel argument 1 is a int; pass ctypes values"):
        module.function("empty").launch(1, 1, [ctypes.c_uint32(1), 5])


@needs_gpu
def test_module_globals(device, module):
    pointer, size = module.global_address("g_scale")
    assert size == 4
    scale = np.zeros(1, dtype=np.float32)
    cu.memcpy_dtoh(scale, pointer)
    assert scale[0] == 2.0


@needs_gpu
def test_ptx_image_loads(device):
    archs = nvrtc.supported_archs()
    wanted = device.compute_capability[0] * 10 + device.compute_capability[1]
    arch = max(a for a in archs if a <= wanted)
    ptx = nvrtc.compile_cuda(nvrtc.nvrtc_prelude() + KERNELS, "ptx_test", f"compute_{arch}")
    loaded = cu.Module.load(ptx.rstrip(b"\0"))  # the terminator is added when missing
    loaded.function("empty").launch(1, 1, [])
    cu.synchronize()
    loaded.unload()


@needs_gpu
def test_max_potential_block_size(device, module):
    block = module.function("axpy").max_potential_block_size()
    assert 32 <= block <= 1024 and block % 32 == 0


@needs_gpu
def test_graph_of_four_launches_replayed(device, module, buffer):
    values = buffer(32 * 4)
    cu.memset_d32(values, 0, 32)
    counter, _ = module.global_address("g_counter")
    cu.memset_d32(counter, 0, 1)
    increment = module.function("increment")
    args = cu.KernelArgs([ctypes.c_void_p(values)])
    stream = cu.Stream()
    stream.begin_capture()
    for _ in range(4):
        increment.launch(1, 32, args, stream=stream)
    graph = stream.end_capture()
    graph_exec = graph.instantiate()
    for _ in range(1000):
        graph_exec.launch(stream)
    stream.synchronize()
    back = np.zeros(32, dtype=np.uint32)
    cu.memcpy_dtoh(back, values)
    assert (back == 4000).all()
    count = np.zeros(1, dtype=np.uint32)
    cu.memcpy_dtoh(count, counter)
    assert count[0] == 4000
    graph_exec.destroy()
    graph.destroy()
    graph_exec.destroy()  # idempotent


@needs_gpu
def test_graph_on_the_default_stream(device, module, buffer):
    values = buffer(4)
    cu.memset_d32(values, 0, 1)
    stream = cu.Stream()
    stream.begin_capture()
    module.function("increment").launch(1, 1, [ctypes.c_void_p(values)], stream=stream)
    graph_exec = stream.end_capture().instantiate()
    graph_exec.launch()
    graph_exec.launch(None)
    back = np.zeros(1, dtype=np.uint32)
    cu.memcpy_dtoh(back, values)
    assert back[0] == 2


@needs_gpu
def test_uncapturable_work_invalidates_the_capture(device, buffer):
    pointer = buffer(4)
    stream = cu.Stream()
    stream.begin_capture()
    errors = []
    for action in (lambda: cu.memset_d32(pointer, 0, 1),  # not on the capturing stream
                   stream.end_capture):                   # always ends the capture
        try:
            action()
            errors.append("")
        except CudaDriverError as error:
            errors.append(str(error))
    assert errors[0].startswith("cuMemsetD32 failed: CUDA_ERROR_STREAM_CAPTURE")
    assert errors[1].startswith("cuStreamEndCapture failed: CUDA_ERROR_STREAM_CAPTURE")
    assert "the capture was abandoned" in errors[1]


@needs_gpu
def test_events_time_work(device, module):
    stream = cu.Stream()
    start, end = cu.Event(), cu.Event()
    start.record(stream)
    empty = module.function("empty")
    for _ in range(10):
        empty.launch(1, 1, [], stream=stream)
    end.record(stream)
    end.synchronize()
    assert end.query()
    assert cu.Event.elapsed_ms(start, end) >= 0.0
    untimed = cu.Event(timing=False)
    untimed.record()
    untimed.synchronize()
    with pytest.raises(CudaDriverError, match=r"cuEventElapsedTime failed: CUDA_ERROR_\w+ "
                                              r"\(\d+\).*timing=False"):
        cu.Event.elapsed_ms(start, untimed)


@needs_gpu
def test_host_mapped_memory_is_shared_with_the_gpu(device, module):
    host, device_pointer = cu.mem_alloc_host_mapped(64 * 4)
    assert host.dtype == np.uint8 and host.nbytes == 256
    words = host.view(np.uint32)
    words[:] = np.arange(64)
    module.function("increment").launch(1, 64, [ctypes.c_void_p(device_pointer)])
    cu.synchronize()
    np.testing.assert_array_equal(words, np.arange(64) + 1)
    cu.mem_free_host(host)


@needs_gpu
def test_garbage_image_names_cuModuleLoadData(device):
    with pytest.raises(CudaDriverError, match=r"cuModuleLoadData failed: CUDA_ERROR_\w+ \(\d+\): "):
        cu.Module.load(b"garbage, neither a cubin nor PTX")


@needs_gpu
def test_missing_kernel_and_global_are_named(device, module):
    with pytest.raises(CudaDriverError, match=r"cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND "
                                              r"\(500\): .*kernel 'no_such_kernel'.*extern"):
        module.function("no_such_kernel")
    with pytest.raises(CudaDriverError, match=r"cuModuleGetGlobal failed: CUDA_ERROR_NOT_FOUND "
                                              r"\(500\): .*variable 'no_such_variable'"):
        module.global_address("no_such_variable")


@needs_gpu
def test_bad_launch_names_the_kernel(device, module):
    with pytest.raises(CudaDriverError, match=r"cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE "
                                              r"\(1\): .*kernel 'empty', grid \(1, 1, 1\), "
                                              r"block \(4096, 1, 1\)"):
        module.function("empty").launch(1, 4096, [])


@needs_gpu
def test_out_of_memory_names_the_size(device):
    with pytest.raises(CudaDriverError, match=r"cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY "
                                              r"\(2\): .*1125899906842624 bytes"):
        cu.mem_alloc(2**50)


@needs_gpu
def test_missing_device_is_named():
    with pytest.raises(CudaDriverError, match=r"There is no CUDA device 99"):
        cu.Device(99)
