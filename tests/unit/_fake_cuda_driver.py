"""A fake of ``pygenn._src.runtime.cuda_driver`` for running ``CudaRuntime`` without a GPU.

``FakeCuda(generated)`` builds, for one generated CUDA model, an object with the attributes the
CUDA runtime takes from the driver module (``Device``, ``Stream``, ``Event``, ``Module``,
``mem_alloc``, ``mem_alloc_host_mapped``, ``mem_free``, ``mem_free_host``, ``memcpy_htod``,
``memcpy_dtoh``, ``memset_d8``, ``memset_d32``) and nothing else, so a misspelt driver call is an
AttributeError. It behaves like the driver where the runtime depends on it:

* device memory is numpy byte buffers keyed by fake pointers; copies and memsets check that they
  stay inside one allocation, so data pushed comes back when pulled;
* the module's ``__device__``/``__constant__`` variables are what the generated source declares,
  sized from the manifest (struct tables, ``<kernel>_blockStart`` tables, the scalars);
* kernels are no-ops that record their launches; a launch is checked against the kernel's
  manifest record (a packed kernel's grid is its block-start table's last entry, a single-thread
  kernel's grid is one thread per member, StepEnd keeps its fixed shape) and StepEnd advances
  ``_deviceTimestep`` as the real one does;
* stream capture records launches into a graph instead of running them; anything that would
  invalidate a real capture (a synchronisation, an unstreamed copy, a launch on a stream outside
  the capture, a branch not joined back) raises ``FakeDeviceError``;
* every use of a stream reads its ``handle`` (the runtime's ``_QueueingStream`` launches queued
  steps there), as the real wrapper does;
* events carry a fake clock (one millisecond per kernel run), so timers add up.

Tests may register ``on_kernel[name] = callable(fake)`` to emulate what a kernel writes.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

SCALARS = {"_seed": np.uint64, "_deviceTimestep": np.uint64,
           "_numRecordingTimesteps": np.uint32, "_initError": np.int32}
# initial values of the generated code's __device__ scalars
SCALAR_INITIAL = {"_numRecordingTimesteps": 1}
GARBAGE = 0xA5          # what fresh device memory holds (cuMemAlloc does not clear it)


class FakeDeviceError(AssertionError):
    """What a real driver (or a real GPU) would have refused."""


@dataclass
class Launch:
    name: str
    grid: tuple
    block: tuple
    programmatic: bool
    stream: object
    from_graph: bool = False


def all_kernels(manifest):
    for kernels in manifest.kernels.values():
        yield from kernels
    for table in (manifest.custom_update_kernels, manifest.custom_connectivity_kernels):
        for kernels in table.values():
            yield from kernels


def global_sizes(manifest) -> dict:
    """Bytes of every module variable the runtime may ask for, from the manifest."""
    sizes = {name: np.dtype(dtype).itemsize for name, dtype in SCALARS.items()}
    for struct in manifest.structs:
        sizes[struct.array_name] = len(struct.members) * struct.numpy_dtype().itemsize
    for kernel in all_kernels(manifest):
        if kernel.grid is None and not kernel.single_thread:
            sizes[f"{kernel.name}_blockStart"] = 4 * (len(kernel.member_elements) + 1)
    return sizes


def declared_arrays(source: str) -> dict:
    """``name -> element count`` of the ``__constant__``/``__device__`` arrays in ``source``."""
    return {name: int(count) for name, count in
            re.findall(r"^__(?:constant|device)__ \w+ (\w+)\[(\d+)\];", source, re.M)}


def declared_scalars(source: str) -> set:
    return set(re.findall(r"^__device__ \w+ (\w+)(?: = [^;]+)?;", source, re.M))


def declared_kernels(source: str) -> set:
    return set(re.findall(r"__global__ void (\w+)\(", source))


def _dim3(value, what):
    dims = tuple(int(v) for v in value)
    if len(dims) != 3 or min(dims) < 1:
        raise FakeDeviceError(f"{what} {value!r} is not three positive sizes")
    return dims


class FakeCuda:
    """The fake driver of one generated model (module docstring)."""

    def __init__(self, generated, multiprocessor_count: int = 4,
                 compute_capability=(8, 0)):
        self.manifest = generated.manifest
        self.source = generated.sources["runner.cu"]
        self.multiprocessor_count = multiprocessor_count
        self.compute_capability = tuple(compute_capability)
        self.sizes = global_sizes(self.manifest)
        self.kernel_records = {k.name: k for k in all_kernels(self.manifest)}
        self.kernel_names = declared_kernels(self.source)
        self._bases: list = []          # sorted allocation base pointers
        self.allocations: dict = {}     # base pointer -> np.uint8 buffer
        self.mapped: dict = {}          # id(host array) -> base pointer (zero-copy)
        self.pinned: dict = {}          # id(host array) -> the pinned buffer (mem_alloc_host)
        # asynchronous copies into pinned memory: done at the next stream synchronisation
        self.pending_copies: list = []
        self._pointers = itertools.count(0x7F0000000000, 0x10000)
        self._handles = itertools.count(1)
        self.globals: dict = {}         # module variable -> pointer
        self.launches: list = []        # every kernel that ran (Launch)
        self.on_kernel: dict = {}       # kernel name -> callable(fake) run with the kernel
        self.capture = None             # the capture in progress (_Capture)
        self.captures = 0
        self.graph_launches = 0
        self.graphs_destroyed = 0
        self.event_syncs = 0
        self.stream_syncs = 0
        self.clock = 0.0                # milliseconds: one per kernel run
        self.loaded_images: list = []
        self.streams: list = []
        self.freed: list = []
        self.devices: list = []
        self.module = self._namespace()

    # ------------------------------------------------------------------ memory
    def _allocate(self, nbytes: int, buffer=None) -> int:
        pointer = next(self._pointers)
        if nbytes > 0x8000:
            # keep allocations apart: pointer ranges must not overlap
            self._pointers = itertools.count(pointer + ((nbytes + 0x20000) & ~0xFFFF), 0x10000)
        if buffer is None:
            buffer = np.full(nbytes, GARBAGE, dtype=np.uint8)
        self.allocations[pointer] = buffer
        bisect.insort(self._bases, pointer)
        return pointer

    def locate(self, pointer: int, nbytes: int) -> np.ndarray:
        """The bytes ``pointer .. pointer + nbytes`` (a view), inside one live allocation."""
        pointer = int(pointer)
        i = bisect.bisect_right(self._bases, pointer) - 1
        if i < 0:
            raise FakeDeviceError(f"pointer {pointer:#x} is not device memory")
        base = self._bases[i]
        buffer = self.allocations[base]
        offset = pointer - base
        if offset + nbytes > len(buffer):
            raise FakeDeviceError(f"{nbytes} bytes at {pointer:#x} run past the end of an "
                                  f"allocation of {len(buffer)} bytes at {base:#x}")
        return buffer[offset:offset + nbytes]

    def read(self, pointer: int, dtype, count: int) -> np.ndarray:
        dtype = np.dtype(dtype)
        return self.locate(pointer, count * dtype.itemsize).view(dtype).copy()

    def write(self, pointer: int, values) -> None:
        values = np.ascontiguousarray(values)
        self.locate(pointer, values.nbytes)[:] = values.view(np.uint8).reshape(-1)

    def global_pointer(self, name: str) -> int:
        if name not in self.globals:
            if name not in self.sizes:
                raise FakeDeviceError(f"cuModuleGetGlobal: the module has no variable '{name}'")
            buffer = np.zeros(self.sizes[name], dtype=np.uint8)
            self.globals[name] = self._allocate(len(buffer), buffer)
            if name in SCALAR_INITIAL:
                self.write(self.globals[name],
                           np.array([SCALAR_INITIAL[name]], dtype=SCALARS[name]))
        return self.globals[name]

    def read_global(self, name: str, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        return self.read(self.global_pointer(name), dtype, self.sizes[name] // dtype.itemsize)

    def write_global(self, name: str, values) -> None:
        self.write(self.global_pointer(name), values)

    def struct_table(self, struct) -> np.ndarray:
        """A merged group's struct array as it stands in device memory."""
        return self.locate(self.global_pointer(struct.array_name),
                           self.sizes[struct.array_name]).view(struct.numpy_dtype()).copy()

    def live(self) -> list:
        """Allocations not freed (module variables excluded)."""
        globals_ = set(self.globals.values())
        return [p for p in self.allocations if p not in globals_]

    # ------------------------------------------------------------------ checks
    def _no_capture(self, call: str) -> None:
        if self.capture is not None:
            raise FakeDeviceError(f"{call} while a stream is being captured invalidates the "
                                  f"capture (CUDA_ERROR_STREAM_CAPTURE_INVALIDATED)")

    def _stream_op(self, call: str, stream) -> None:
        """A copy or memset: on a stream (its handle read), never into a capture."""
        if stream is not None:
            getattr(stream, "handle", stream)
        self._no_capture(call)

    def _check_launch(self, name, grid, block):
        record = self.kernel_records.get(name)
        if record is None:
            raise FakeDeviceError(f"kernel '{name}' is not in the manifest")
        if record.grid is not None:
            if (grid, block) != (tuple(record.grid), tuple(record.block)):
                raise FakeDeviceError(f"{name}: launched {grid} x {block}, its fixed shape is "
                                      f"{record.grid} x {record.block}")
            return
        if record.single_thread:
            expected = (1, len(record.member_elements), record.batches)
            if grid != expected or block != (1, 1, 1):
                raise FakeDeviceError(f"{name}: single-thread kernel launched {grid} x {block}, "
                                      f"expected {expected} x (1, 1, 1)")
            return
        table = f"{name}_blockStart"
        if table not in self.globals:
            raise FakeDeviceError(f"{name}: launched before its {table} table was written")
        starts = self.read_global(table, np.uint32)
        if len(starts) != len(record.member_elements) + 1 or starts[0] != 0 or \
                np.any(np.diff(starts.astype(np.int64)) < 1):
            raise FakeDeviceError(f"{table} holds {starts.tolist()}")
        if grid != (int(starts[-1]), 1, record.batches):
            raise FakeDeviceError(f"{name}: grid {grid}, but {table} ends at {starts[-1]} "
                                  f"blocks ({record.batches} batches)")

    def _run_kernel(self, launch: Launch) -> None:
        self._check_launch(launch.name, launch.grid, launch.block)
        self.launches.append(launch)
        self.clock += 1.0
        if launch.name == "StepEnd":
            timestep = self.read_global("_deviceTimestep", np.uint64)
            self.write_global("_deviceTimestep", timestep + np.uint64(1))
        hook = self.on_kernel.get(launch.name)
        if hook is not None:
            hook(self)

    # ------------------------------------------------------------------ the module
    def _namespace(self):
        fake = self

        class Device:
            def __init__(self, ordinal: int = 0):
                if ordinal != 0:
                    raise FakeDeviceError(f"There is no CUDA device {ordinal}")
                self.ordinal = ordinal
                self.compute_capability = fake.compute_capability
                self.multiprocessor_count = fake.multiprocessor_count
                self.current = False
                fake.devices.append(self)

            def make_current(self) -> None:
                self.current = True

        class Stream:
            def __init__(self):
                self.handle = next(fake._handles)
                fake.streams.append(self)

            def synchronize(self) -> None:
                self.handle    # noqa: B018 (the real wrapper reads it: queued steps launch)
                fake._no_capture("cuStreamSynchronize")
                fake.stream_syncs += 1
                for copy in fake.pending_copies:
                    copy()
                fake.pending_copies.clear()

            def wait(self, event) -> None:
                self.handle    # noqa: B018
                capture = fake.capture
                if capture is not None and event.captured_on is not None:
                    capture.members.add(self)
                    if self is capture.origin:
                        capture.unjoined.discard(event.captured_on)

            def begin_capture(self) -> None:
                self.handle    # noqa: B018
                if fake.capture is not None:
                    raise FakeDeviceError("cuStreamBeginCapture: a capture is in progress")
                fake.capture = _Capture(self)

            def end_capture(self):
                self.handle    # noqa: B018
                capture = fake.capture
                if capture is None or capture.origin is not self:
                    raise FakeDeviceError("cuStreamEndCapture on a stream that is not capturing")
                fake.capture = None
                if capture.unjoined:
                    raise FakeDeviceError("cuStreamEndCapture: a forked stream was not joined "
                                          "back (CUDA_ERROR_STREAM_CAPTURE_UNJOINED)")
                fake.captures += 1
                return Graph(capture.ops)

            def destroy(self) -> None:
                self.handle = None

        class Graph:
            def __init__(self, ops):
                self.ops = list(ops)

            def instantiate(self):
                return GraphExec(self.ops)

            def destroy(self) -> None:
                fake.graphs_destroyed += 1

        class GraphExec:
            def __init__(self, ops):
                self.ops = list(ops)

            def launch(self, stream=None) -> None:
                if stream is not None:
                    stream.handle    # noqa: B018
                fake._no_capture("cuGraphLaunch")
                fake.graph_launches += 1
                for op in self.ops:
                    fake._run_kernel(Launch(op.name, op.grid, op.block, op.programmatic,
                                            op.stream, from_graph=True))

            def destroy(self) -> None:
                pass

        class Event:
            def __init__(self, timing: bool = True):
                self.timing = timing
                self.time = None
                self.captured_on = None

            def record(self, stream=None) -> None:
                if stream is not None:
                    stream.handle    # noqa: B018
                capture = fake.capture
                if capture is not None:
                    if stream not in capture.members:
                        raise FakeDeviceError("cuEventRecord on a stream outside the capture "
                                              "while capturing")
                    self.captured_on = stream
                    capture.events.append(self)
                    return
                self.captured_on = None
                self.time = fake.clock

            def synchronize(self) -> None:
                fake._no_capture("cuEventSynchronize")
                fake.event_syncs += 1

            @staticmethod
            def elapsed_ms(start, end) -> float:
                fake._no_capture("cuEventElapsedTime")
                if not (start.timing and end.timing):
                    raise FakeDeviceError("cuEventElapsedTime: an event was made with "
                                          "timing=False")
                if start.time is None or end.time is None:
                    raise FakeDeviceError("cuEventElapsedTime: an event was never recorded")
                return float(end.time - start.time)

            def destroy(self) -> None:
                pass

        class Function:
            def __init__(self, name):
                self.name = name

            def launch(self, grid, block, args, shared_bytes: int = 0, stream=None,
                       programmatic: bool = False) -> None:
                if stream is not None:
                    stream.handle    # noqa: B018
                grid, block = _dim3(grid, "grid"), _dim3(block, "block")
                if block[0] * block[1] * block[2] > 1024 or grid[1] > 65535 or grid[2] > 65535:
                    raise FakeDeviceError(f"{self.name}: launch {grid} x {block} is too large")
                if list(args):
                    raise FakeDeviceError(f"{self.name} takes no arguments")
                launch = Launch(self.name, grid, block, bool(programmatic), stream)
                capture = fake.capture
                if capture is None:
                    fake._run_kernel(launch)
                    return
                if stream not in capture.members:
                    raise FakeDeviceError(f"{self.name} launched on a stream outside the "
                                          f"capture while capturing")
                if stream is not capture.origin:
                    capture.unjoined.add(stream)
                capture.ops.append(launch)

        class Module:
            def __init__(self):
                self.functions = {}

            @staticmethod
            def load(image):
                if not isinstance(image, (bytes, bytearray)):
                    raise FakeDeviceError(f"Module.load takes bytes, not {type(image).__name__}")
                fake.loaded_images.append(bytes(image))
                return Module()

            def function(self, name: str):
                if name not in fake.kernel_names:
                    raise FakeDeviceError(f"cuModuleGetFunction: no kernel '{name}' in the "
                                          f"generated source")
                return self.functions.setdefault(name, Function(name))

            def global_address(self, name: str):
                return fake.global_pointer(name), fake.sizes[name]

        def mem_alloc(nbytes: int) -> int:
            if nbytes == 0:
                return 0
            return fake._allocate(int(nbytes))

        def mem_free(pointer: int) -> None:
            if not pointer:
                return
            if pointer not in fake.allocations or pointer in fake.globals.values():
                raise FakeDeviceError(f"cuMemFree of {pointer:#x}, which is not an allocation")
            del fake.allocations[pointer]
            fake._bases.remove(pointer)
            fake.freed.append(pointer)

        def mem_alloc_host_mapped(nbytes: int):
            buffer = np.zeros(max(int(nbytes), 1), dtype=np.uint8)
            pointer = fake._allocate(len(buffer), buffer)
            fake.mapped[id(buffer)] = pointer
            return buffer[:nbytes], pointer

        def mem_alloc_host(nbytes: int):
            buffer = np.zeros(max(int(nbytes), 1), dtype=np.uint8)
            fake.pinned[id(buffer)] = buffer
            return buffer[:nbytes]

        def _pinned_base(array):
            while isinstance(array, np.ndarray) and id(array) not in fake.pinned:
                if array.base is None:
                    return None
                array = array.base
            return array if isinstance(array, np.ndarray) else None

        def mem_free_host(host) -> None:
            base = host.base if isinstance(host, np.ndarray) and host.base is not None else host
            if id(base) in fake.pinned:
                del fake.pinned[id(base)]
                return
            pointer = fake.mapped.pop(id(base), None)
            if pointer is None:
                raise FakeDeviceError("cuMemFreeHost of memory not from mem_alloc_host(_mapped)")
            mem_free(pointer)

        def _host(array, nbytes, what):
            if not isinstance(array, np.ndarray):
                raise TypeError(f"The {what} must be a NumPy array, not {type(array).__name__}")
            if not array.flags.c_contiguous:
                raise ValueError(f"The {what} must be C-contiguous")
            count = array.nbytes if nbytes is None else int(nbytes)
            if not 0 <= count <= array.nbytes:
                raise ValueError(f"Cannot copy {count} bytes: the {what} holds {array.nbytes}")
            return count

        def memcpy_htod(dst_ptr, src, nbytes=None, stream=None) -> None:
            count = _host(src, nbytes, "source array")
            fake._stream_op("cuMemcpyHtoD", stream)
            if count:
                fake.locate(dst_ptr, count)[:] = src.reshape(-1).view(np.uint8)[:count]

        def memcpy_dtoh(dst, src_ptr, nbytes=None, stream=None) -> None:
            count = _host(dst, nbytes, "destination array")
            if not dst.flags.writeable:
                raise ValueError("The destination array is read-only")
            fake._stream_op("cuMemcpyDtoH", stream)
            if not count:
                return
            data = fake.locate(src_ptr, count).copy()

            def copy():
                dst.reshape(-1).view(np.uint8)[:count] = data
            if stream is not None:
                if _pinned_base(dst) is None:
                    # the driver copies pageable memory synchronously; pygenn never relies on it
                    raise FakeDeviceError("asynchronous cuMemcpyDtoH into pageable memory")
                fake.pending_copies.append(copy)       # valid after the stream's sync
            else:
                copy()

        def memset_d8(ptr, value, nbytes, stream=None) -> None:
            fake._stream_op("cuMemsetD8", stream)
            if nbytes:
                fake.locate(ptr, int(nbytes))[:] = int(value) & 0xFF

        def memset_d32(ptr, value, count, stream=None) -> None:
            fake._stream_op("cuMemsetD32", stream)
            if int(ptr) % 4:
                raise FakeDeviceError(f"cuMemsetD32 at unaligned {ptr:#x}")
            if count:
                fake.locate(ptr, 4 * int(count)).view(np.uint32)[:] = int(value) & 0xFFFFFFFF

        return SimpleNamespace(
            Device=Device, Stream=Stream, Event=Event, Module=Module, mem_alloc=mem_alloc,
            mem_alloc_host=mem_alloc_host, mem_alloc_host_mapped=mem_alloc_host_mapped,
            mem_free=mem_free,
            mem_free_host=mem_free_host, memcpy_htod=memcpy_htod, memcpy_dtoh=memcpy_dtoh,
            memset_d8=memset_d8, memset_d32=memset_d32)


class _Capture:
    def __init__(self, origin):
        self.origin = origin
        self.members = {origin}
        self.unjoined: set = set()
        self.ops: list = []
        self.events: list = []
