"""The one checked wrapper over the CUDA driver API (``cuda.bindings.driver``).

Every call checks its ``CUresult`` and raises ``CudaDriverError`` with the call's name, the
result's name and code, the driver's description and, where one helps, what to do::

    cuModuleLoadData failed: CUDA_ERROR_INVALID_PTX (218): a PTX JIT compilation failed

Pointers (device and host) are plain Python ints. ``cuda.bindings`` is imported on first use, so
this module imports without it; ``available()`` says whether a GPU can be used at all.

Hot paths (``GraphExec.launch`` once per simulation step, ``Function.launch``) keep the
driver's handle objects and bound functions, so a call costs one driver call and one check.
"""
from __future__ import annotations

import ctypes

import numpy as np

from ..errors import CudaDriverError

_cu = None            # the cuda.bindings.driver module, once imported
_initialised = False  # cuInit has succeeded
_available = None     # cached answer of available()
_DEFAULT_STREAM = None
_primary_contexts: dict = {}  # ordinal -> retained primary CUcontext

# What to do about results that have an obvious remedy
_HINTS = {
    "CUDA_ERROR_INVALID_CONTEXT": "no CUDA context is current in this thread; call "
                                  "cuda_driver.Device(ordinal).make_current() first",
    "CUDA_ERROR_NO_BINARY_FOR_GPU": "the code was compiled for another GPU architecture; "
                                    "compile for build.nvrtc.choose_target(device."
                                    "compute_capability, driver_version())",
    "CUDA_ERROR_UNSUPPORTED_PTX_VERSION": "the PTX is newer than this driver; update the NVIDIA "
                                          "driver or compile with an NVRTC no newer than it",
    "CUDA_ERROR_OUT_OF_MEMORY": "the GPU's memory is full; free memory or simulate a smaller "
                                "model",
    "CUDA_ERROR_ILLEGAL_ADDRESS": "a kernel accessed memory it does not own; the CUDA context "
                                  "is unusable now and the process must be restarted",
    "CUDA_ERROR_LAUNCH_FAILED": "a kernel failed; the CUDA context is unusable now and the "
                                "process must be restarted",
    "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED": "this operation cannot be captured into a graph; "
                                             "do it before begin_capture() or after "
                                             "end_capture()",
    "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED": "an operation during capture could not be "
                                             "captured (e.g. a copy or memset without a stream, "
                                             "or a synchronize); the capture was abandoned",
    "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT": "work on the default stream during a capture; give "
                                          "every operation the capturing stream",
}


def _driver():
    """``cuda.bindings.driver`` (imported on first use), with cuInit done."""
    global _cu, _initialised, _DEFAULT_STREAM
    if _cu is None:
        try:
            from cuda.bindings import driver
        except ImportError as error:
            raise CudaDriverError(
                f"The CUDA driver bindings are not installed ({error}); install them with "
                f"pip install 'cuda-bindings>=12.0' (or pygenn[cuda])") from None
        _cu = driver
        _DEFAULT_STREAM = driver.CUstream(0)
    if not _initialised:
        result, = _call_driver("cuInit", _cu.cuInit, 0)
        _check("cuInit", result)
        _initialised = True
    return _cu


def _call_driver(call: str, function, *args):
    """``function(*args)``, turning a missing driver library into a CudaDriverError."""
    try:
        return function(*args)
    except CudaDriverError:
        raise
    except Exception as error:  # cuda.pathfinder's DynamicLibNotFoundError and the like
        raise CudaDriverError(f"{call} failed: the NVIDIA driver library could not be loaded "
                              f"({error}); is an NVIDIA GPU and its driver installed?") from None


def _error(call: str, result, detail: str = "") -> CudaDriverError:
    """The CudaDriverError for ``call`` having returned ``result``."""
    name = getattr(result, "name", None) or f"CUresult {int(result)}"
    text = ""
    try:
        err, description = _cu.cuGetErrorString(result)
        if not err and description:
            text = ": " + description.decode(errors="replace")
    except Exception:  # describing the error must never hide it
        pass
    message = f"{call} failed: {name} ({int(result)}){text}"
    if detail:
        message += f" ({detail})"
    hint = _HINTS.get(name)
    if hint:
        message += f"; {hint}"
    return CudaDriverError(message)


def _check(call: str, result, detail: str = "") -> None:
    """Raise the CudaDriverError of ``call`` unless ``result`` is CUDA_SUCCESS (which is 0)."""
    if result:
        raise _error(call, result, detail)


def _stream_handle(stream):
    """The CUstream of ``stream`` (a Stream, a raw CUstream or None for the default stream)."""
    if stream is None:
        return _DEFAULT_STREAM
    return getattr(stream, "handle", stream)


# ---- driver and devices ----------------------------------------------------------------------

def available() -> bool:
    """Whether cuda.bindings imports, cuInit succeeds and at least one GPU is present."""
    global _available
    if _available is None:
        try:
            _available = device_count() > 0
        except Exception:  # no bindings, no driver library, no device: all mean "no"
            _available = False
    return _available


def driver_version() -> int:
    """The CUDA version the driver supports, as 1000 * major + 10 * minor (13000 for 13.0)."""
    cu = _driver()
    result, version = cu.cuDriverGetVersion()
    _check("cuDriverGetVersion", result)
    return int(version)


def device_count() -> int:
    """The number of CUDA devices."""
    cu = _driver()
    result, count = cu.cuDeviceGetCount()
    _check("cuDeviceGetCount", result)
    return int(count)


class Device:
    """One GPU: its properties and its primary context."""

    def __init__(self, ordinal: int = 0):
        cu = _driver()
        count = device_count()
        if not 0 <= ordinal < count:
            raise CudaDriverError(f"There is no CUDA device {ordinal}: this machine has {count} "
                                  f"(ordinals 0 to {count - 1})")
        result, self.handle = cu.cuDeviceGet(ordinal)
        _check("cuDeviceGet", result, f"device {ordinal}")
        self.ordinal = ordinal
        self.name = self._name()
        self.compute_capability = (
            self._attribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
            self._attribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR))
        self.multiprocessor_count = self._attribute(
            cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)
        result, total = cu.cuDeviceTotalMem(self.handle)
        _check("cuDeviceTotalMem", result)
        self.total_memory = int(total)

    def __repr__(self) -> str:
        major, minor = self.compute_capability
        return f"Device({self.ordinal}: {self.name}, compute capability {major}.{minor})"

    def _name(self) -> str:
        result, raw = _cu.cuDeviceGetName(256, self.handle)
        _check("cuDeviceGetName", result)
        return raw.split(b"\0", 1)[0].decode(errors="replace").strip()

    def _attribute(self, attribute) -> int:
        result, value = _cu.cuDeviceGetAttribute(attribute, self.handle)
        _check("cuDeviceGetAttribute", result, str(getattr(attribute, "name", attribute)))
        return int(value)

    def make_current(self) -> None:
        """Make this device's primary context current in the calling thread.

        The primary context is retained once per process and device (and never released, so
        it lives as long as the process); later calls, e.g. from other threads, only set it.
        """
        context = _primary_contexts.get(self.ordinal)
        if context is None:
            result, context = _cu.cuDevicePrimaryCtxRetain(self.handle)
            _check("cuDevicePrimaryCtxRetain", result, f"device {self.ordinal}")
            context = _primary_contexts.setdefault(self.ordinal, context)
        result, = _cu.cuCtxSetCurrent(context)
        _check("cuCtxSetCurrent", result, f"device {self.ordinal}")


def synchronize() -> None:
    """Wait for all work of the current context (cuCtxSynchronize)."""
    result, = _driver().cuCtxSynchronize()
    _check("cuCtxSynchronize", result)


# ---- modules and kernels -------------------------------------------------------------------

class Module:
    """Loaded device code: a cubin, or PTX the driver compiles on load.

    A module stays loaded until ``unload()`` (there is no finalizer: captured graphs may still
    use its kernels after the Module object is gone).
    """

    def __init__(self, handle):
        self.handle = handle
        self._functions: dict[str, Function] = {}

    @staticmethod
    def load(image: bytes) -> "Module":
        """Load a cubin (ELF) or PTX image (cuModuleLoadData); PTX gets its NUL terminator."""
        cu = _driver()
        image = bytes(image)
        if not image.startswith(b"\x7fELF") and not image.endswith(b"\0"):
            image += b"\0"
        buffer = np.frombuffer(image, dtype=np.uint8)
        result, handle = cu.cuModuleLoadData(buffer.ctypes.data)
        _check("cuModuleLoadData", result, f"image of {len(image)} bytes")
        return Module(handle)

    def function(self, name: str) -> "Function":
        """The kernel ``name`` (declared ``extern "C"`` so its name is not mangled)."""
        function = self._functions.get(name)
        if function is None:
            result, handle = _cu.cuModuleGetFunction(self.handle, name.encode())
            _check("cuModuleGetFunction", result,
                   f"kernel '{name}'; kernels must be declared extern \"C\" __global__")
            function = self._functions[name] = Function(handle, name)
        return function

    def global_address(self, name: str) -> tuple[int, int]:
        """(device pointer, size in bytes) of the ``__device__`` variable ``name``."""
        result, pointer, size = _cu.cuModuleGetGlobal(self.handle, name.encode())
        _check("cuModuleGetGlobal", result,
               f"variable '{name}'; declare it extern \"C\" __device__ at namespace scope")
        return int(pointer), int(size)

    def unload(self) -> None:
        """Unload the module (its kernels and variables become invalid)."""
        if self.handle is not None:
            result, = _cu.cuModuleUnload(self.handle)
            self.handle = None
            self._functions.clear()
            _check("cuModuleUnload", result)


class KernelArgs:
    """Kernel arguments packed once: the ``void*`` array pointing at ctypes scalars.

    ``Function.launch`` accepts one in place of a list, which saves packing on every launch.
    Changing an argument's ``.value`` changes what the next launch passes (graphs captured
    before keep the values they were captured with).
    """

    __slots__ = ("values", "_array", "address")

    def __init__(self, args):
        self.values = tuple(args)
        for index, value in enumerate(self.values):
            if not isinstance(value, (ctypes._SimpleCData, ctypes.Structure)):
                raise TypeError(
                    f"Kernel argument {index} is a {type(value).__name__}; pass ctypes values "
                    f"of the kernel parameter's type, e.g. ctypes.c_uint32(5), "
                    f"ctypes.c_void_p(pointer) or ctypes.c_float(0.5)")
        self._array = (ctypes.c_void_p * len(self.values))(
            *[ctypes.addressof(value) for value in self.values])
        self.address = ctypes.addressof(self._array) if self.values else 0


def _dim3(dims, what: str) -> tuple[int, int, int]:
    """``dims`` (an int or a tuple of 1 to 3 ints) as three ints."""
    if type(dims) is tuple and len(dims) == 3:  # the common case, kept cheap
        return dims
    if isinstance(dims, int):
        return dims, 1, 1
    dims = tuple(int(d) for d in dims)
    if not 1 <= len(dims) <= 3:
        raise ValueError(f"The {what} must be an int or a tuple of 1 to 3 ints, not {dims}")
    return dims + (1,) * (3 - len(dims))


class Function:
    """A kernel of a loaded module."""

    def __init__(self, handle, name: str):
        self.handle = handle
        self.name = name
        self._launch = _cu.cuLaunchKernel

    def __repr__(self) -> str:
        return f"Function('{self.name}')"

    def launch(self, grid, block, args, shared_bytes: int = 0, stream=None,
               programmatic: bool = False) -> None:
        """Launch on ``grid`` x ``block`` with ``args`` (ctypes values, or a KernelArgs).

        ``stream`` None is the default stream. ``programmatic`` (compute capability 9.0+)
        lets the kernel start before the previous kernel in the stream has finished: it must
        itself wait (``griddepcontrol.wait``) before reading what that kernel wrote.
        """
        if not args:
            address = 0
        else:
            if not isinstance(args, KernelArgs):
                args = KernelArgs(args)
            address = args.address
        gx, gy, gz = _dim3(grid, "grid")
        bx, by, bz = _dim3(block, "block")
        if programmatic:
            config = _cu.CUlaunchConfig()
            config.gridDimX, config.gridDimY, config.gridDimZ = gx, gy, gz
            config.blockDimX, config.blockDimY, config.blockDimZ = bx, by, bz
            config.sharedMemBytes = shared_bytes
            config.hStream = _stream_handle(stream)
            attribute = _cu.CUlaunchAttribute()
            attribute.id = (_cu.CUlaunchAttributeID
                            .CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION)
            attribute.value.programmaticStreamSerializationAllowed = 1
            config.attrs = [attribute]
            config.numAttrs = 1
            result, = _cu.cuLaunchKernelEx(config, self.handle, address, 0)
            if result:
                raise _error("cuLaunchKernelEx", result,
                             f"kernel '{self.name}', grid {(gx, gy, gz)}, block {(bx, by, bz)}")
            return
        result, = self._launch(self.handle, gx, gy, gz, bx, by, bz, shared_bytes,
                               _stream_handle(stream), address, 0)
        if result:
            raise _error("cuLaunchKernel", result,
                         f"kernel '{self.name}', grid {(gx, gy, gz)}, block {(bx, by, bz)}")

    def max_potential_block_size(self) -> int:
        """The block size with the highest occupancy (cuOccupancyMaxPotentialBlockSize)."""
        result, _min_grid, block_size = _cu.cuOccupancyMaxPotentialBlockSize(
            self.handle, None, 0, 0)
        _check("cuOccupancyMaxPotentialBlockSize", result, f"kernel '{self.name}'")
        return int(block_size)


# ---- memory --------------------------------------------------------------------------------

def mem_alloc(nbytes: int) -> int:
    """Allocate ``nbytes`` of device memory; its pointer (0 for 0 bytes)."""
    if nbytes == 0:
        return 0
    result, pointer = _driver().cuMemAlloc(nbytes)
    _check("cuMemAlloc", result, f"{nbytes} bytes")
    return int(pointer)


def mem_free(ptr: int) -> None:
    """Free device memory from ``mem_alloc`` (0 is ignored)."""
    if ptr:
        result, = _driver().cuMemFree(ptr)
        _check("cuMemFree", result, f"pointer {ptr:#x}")


def mem_alloc_host_mapped(nbytes: int) -> tuple[np.ndarray, int]:
    """Pinned host memory the GPU reads and writes directly (zero-copy).

    Returns a uint8 array viewing the host memory and the device pointer to the same memory.
    Free it with ``mem_free_host`` once neither is used any more.
    """
    cu = _driver()
    size = max(int(nbytes), 1)
    result, host = cu.cuMemHostAlloc(size, cu.CU_MEMHOSTALLOC_DEVICEMAP)
    _check("cuMemHostAlloc", result, f"{size} bytes, CU_MEMHOSTALLOC_DEVICEMAP")
    result, device = cu.cuMemHostGetDevicePointer(host, 0)
    if result:
        cu.cuMemFreeHost(host)
        raise _error("cuMemHostGetDevicePointer", result)
    view = np.ctypeslib.as_array((ctypes.c_uint8 * size).from_address(int(host)))
    return view[:nbytes], int(device)


def mem_alloc_host(nbytes: int) -> np.ndarray:
    """Pinned (page-locked) host memory: copies between it and the GPU run at full bus speed
    and can be asynchronous. A uint8 array viewing it; free it with ``mem_free_host``."""
    size = max(int(nbytes), 1)
    result, host = _driver().cuMemHostAlloc(size, 0)
    _check("cuMemHostAlloc", result, f"{size} bytes")
    view = np.ctypeslib.as_array((ctypes.c_uint8 * size).from_address(int(host)))
    return view[:nbytes]


def mem_free_host(host) -> None:
    """Free memory of ``mem_alloc_host`` or ``mem_alloc_host_mapped`` (its array, or the
    array's address)."""
    address = host.ctypes.data if isinstance(host, np.ndarray) else int(host)
    result, = _driver().cuMemFreeHost(address)
    _check("cuMemFreeHost", result, f"pointer {address:#x}")


def _host_buffer(array: np.ndarray, nbytes, writable: bool, what: str) -> tuple[int, int]:
    """(address, byte count) of a host array checked to hold ``nbytes`` contiguous bytes."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"The {what} must be a NumPy array, not {type(array).__name__}")
    if not array.flags.c_contiguous:
        raise ValueError(f"The {what} must be C-contiguous; copy it with np.ascontiguousarray")
    if writable and not array.flags.writeable:
        raise ValueError(f"The {what} is read-only")
    count = array.nbytes if nbytes is None else int(nbytes)
    if not 0 <= count <= array.nbytes:
        raise ValueError(f"Cannot copy {count} bytes: the {what} holds {array.nbytes} bytes")
    return array.ctypes.data, count


def memcpy_htod(dst_ptr: int, src: np.ndarray, nbytes=None, stream=None) -> None:
    """Copy ``nbytes`` (default: all) of ``src`` to device memory; async on ``stream`` if given."""
    address, count = _host_buffer(src, nbytes, False, "source array")
    if not count:
        return
    cu = _driver()
    if stream is None:
        result, = cu.cuMemcpyHtoD(dst_ptr, address, count)
        _check("cuMemcpyHtoD", result, f"{count} bytes to {dst_ptr:#x}")
    else:
        result, = cu.cuMemcpyHtoDAsync(dst_ptr, address, count, _stream_handle(stream))
        _check("cuMemcpyHtoDAsync", result, f"{count} bytes to {dst_ptr:#x}")


def memcpy_dtoh(dst: np.ndarray, src_ptr: int, nbytes=None, stream=None) -> None:
    """Copy ``nbytes`` (default: all of ``dst``) from device memory into ``dst``.

    With a ``stream`` the copy is asynchronous: ``dst`` is only valid after the stream (or an
    event recorded after the copy) has been synchronised, and only if it is pinned memory.
    """
    address, count = _host_buffer(dst, nbytes, True, "destination array")
    if not count:
        return
    cu = _driver()
    if stream is None:
        result, = cu.cuMemcpyDtoH(address, src_ptr, count)
        _check("cuMemcpyDtoH", result, f"{count} bytes from {src_ptr:#x}")
    else:
        result, = cu.cuMemcpyDtoHAsync(address, src_ptr, count, _stream_handle(stream))
        _check("cuMemcpyDtoHAsync", result, f"{count} bytes from {src_ptr:#x}")


def memset_d8(ptr: int, value: int, nbytes: int, stream=None) -> None:
    """Set ``nbytes`` bytes at ``ptr`` to ``value`` (0..255)."""
    if not nbytes:
        return
    cu = _driver()
    if stream is None:
        result, = cu.cuMemsetD8(ptr, value & 0xFF, nbytes)
        _check("cuMemsetD8", result, f"{nbytes} bytes at {ptr:#x}")
    else:
        result, = cu.cuMemsetD8Async(ptr, value & 0xFF, nbytes, _stream_handle(stream))
        _check("cuMemsetD8Async", result, f"{nbytes} bytes at {ptr:#x}")


def memset_d32(ptr: int, value: int, count: int, stream=None) -> None:
    """Set ``count`` 32-bit words at ``ptr`` (4-byte aligned) to ``value`` (taken mod 2**32).

    For a float, pass its bits: ``int(np.float32(x).view(np.uint32))``.
    """
    if not count:
        return
    cu = _driver()
    if stream is None:
        result, = cu.cuMemsetD32(ptr, value & 0xFFFFFFFF, count)
        _check("cuMemsetD32", result, f"{count} words at {ptr:#x}")
    else:
        result, = cu.cuMemsetD32Async(ptr, value & 0xFFFFFFFF, count, _stream_handle(stream))
        _check("cuMemsetD32Async", result, f"{count} words at {ptr:#x}")


# ---- streams, graphs and events --------------------------------------------------------------

class _Owned:
    """A driver object destroyed by ``destroy()`` or, failing that, when collected."""

    _destroy_call = ""
    handle = None

    def destroy(self) -> None:
        """Release the driver object now (idempotent)."""
        handle, self.handle = self.handle, None
        if handle is not None:
            result, = getattr(_cu, self._destroy_call)(handle)
            _check(self._destroy_call, result)

    def __del__(self):
        try:
            self.destroy()
        except Exception:  # at interpreter exit the driver may already be gone
            pass


class Stream(_Owned):
    """A CUDA stream; it synchronises with the default stream like cudaStreamDefault."""

    _destroy_call = "cuStreamDestroy"

    def __init__(self):
        cu = _driver()
        result, handle = cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_DEFAULT)
        _check("cuStreamCreate", result)
        self.handle = handle

    def synchronize(self) -> None:
        """Wait for all work queued on this stream."""
        result, = _cu.cuStreamSynchronize(self.handle)
        _check("cuStreamSynchronize", result)

    def wait(self, event: "Event") -> None:
        """Make later work on this stream wait for ``event`` (recorded on another stream)."""
        result, = _cu.cuStreamWaitEvent(self.handle, event.handle, 0)
        _check("cuStreamWaitEvent", result)

    def begin_capture(self) -> None:
        """Start recording this stream's work into a graph instead of running it.

        Thread-local mode: this thread must not do unstreamed work (synchronous copies,
        memsets or synchronize) until ``end_capture``; other threads are unaffected.
        """
        mode = _cu.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL
        result, = _cu.cuStreamBeginCapture(self.handle, mode)
        _check("cuStreamBeginCapture", result)

    def end_capture(self) -> "Graph":
        """Stop recording; the graph of the work recorded since ``begin_capture``."""
        result, graph = _cu.cuStreamEndCapture(self.handle)
        _check("cuStreamEndCapture", result)
        return Graph(graph)


class Graph(_Owned):
    """A captured graph of work; instantiate it to launch it."""

    _destroy_call = "cuGraphDestroy"

    def __init__(self, handle):
        self.handle = handle

    def instantiate(self) -> "GraphExec":
        """An executable instance of this graph."""
        result, graph_exec = _cu.cuGraphInstantiate(self.handle, 0)
        _check("cuGraphInstantiate", result)
        return GraphExec(graph_exec)


class GraphExec(_Owned):
    """An executable graph: one ``launch`` replays all its work."""

    _destroy_call = "cuGraphExecDestroy"

    def __init__(self, handle):
        self.handle = handle
        self._launch = _cu.cuGraphLaunch

    def launch(self, stream=None) -> None:
        """Queue the graph on ``stream`` (a Stream; None is the default stream)."""
        result, = self._launch(self.handle,
                               _DEFAULT_STREAM if stream is None else stream.handle)
        if result:
            raise _error("cuGraphLaunch", result)


class Event(_Owned):
    """A marker in a stream, for waiting on work and (with ``timing``) timing it."""

    _destroy_call = "cuEventDestroy"

    def __init__(self, timing: bool = True):
        cu = _driver()
        flags = (cu.CUevent_flags.CU_EVENT_DEFAULT if timing
                 else cu.CUevent_flags.CU_EVENT_DISABLE_TIMING)
        result, handle = cu.cuEventCreate(flags)
        _check("cuEventCreate", result)
        self.handle = handle
        self.timing = timing

    def record(self, stream=None) -> None:
        """Mark the current end of ``stream``'s work (None: the default stream)."""
        result, = _cu.cuEventRecord(self.handle, _stream_handle(stream))
        _check("cuEventRecord", result)

    def synchronize(self) -> None:
        """Wait until the work before the last ``record`` has finished."""
        result, = _cu.cuEventSynchronize(self.handle)
        _check("cuEventSynchronize", result)

    def query(self) -> bool:
        """Whether the work before the last ``record`` has finished (without waiting)."""
        result, = _cu.cuEventQuery(self.handle)
        if result == _cu.CUresult.CUDA_ERROR_NOT_READY:
            return False
        _check("cuEventQuery", result)
        return True

    @staticmethod
    def elapsed_ms(start: "Event", end: "Event") -> float:
        """Milliseconds between two recorded, completed events (both made with ``timing``)."""
        result, milliseconds = _cu.cuEventElapsedTime(start.handle, end.handle)
        _check("cuEventElapsedTime", result,
               "" if start.timing and end.timing else "an event was made with timing=False")
        return float(milliseconds)
