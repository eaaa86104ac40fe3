"""The CUDA runtime: device memory, host copies, and a step loop that never waits for the GPU.

Each array has a device allocation and (unless its location is DEVICE) a numpy host copy;
``push_to_device``/``pull_from_device`` copy between them. One step's kernel launches are captured
once into a CUDA graph, so ``step_time()`` is one graph launch; the host keeps its own timestep
counter so reading ``t``/``timestep`` never synchronises.
"""
from __future__ import annotations

import collections
import ctypes
import gc
import math
from pathlib import Path

import numpy as np

from .. import contract
from ..model.enums import VarLocationAttribute
from . import cuda_driver as cu
from .base import RuntimeBase, seed_value
from .library import load_private_library, read_verified

BLOCK_SIZE = 128


class CudaArray:
    """A device allocation with an optional host copy (``host_view``)."""

    def __init__(self, record, count: int, stream):
        self.record = record
        self.count = count
        self.stream = stream
        dtype = record.numpy_dtype
        self.nbytes = count * dtype.itemsize
        self.zero_copy = record.location >= 0 and bool(
            record.location & int(VarLocationAttribute.ZERO_COPY))
        if self.zero_copy:
            # mapped pinned memory: host and GPU see the same bytes, push/pull are no-ops
            raw, self.device_pointer = cu.mem_alloc_host_mapped(self.nbytes)
            self._mapped = raw
            self.host_view = raw.view(dtype)[:count]
            self.host_view[:] = record.fill
            return
        self.device_pointer = cu.mem_alloc(max(self.nbytes, 1))
        host = record.location < 0 or bool(record.location & int(VarLocationAttribute.HOST))
        self._pinned = None
        if host and record.per_recording_step and self.nbytes:
            # recording buffers (up to GBs) are pulled in bulk: pinned memory copies at full
            # bus speed, and asynchronously (``pull_from_device(wait=False)``)
            self._pinned = cu.mem_alloc_host(self.nbytes)
            self.host_view = self._pinned.view(dtype)[:count]
            self.host_view[:] = 0
        else:
            self.host_view = np.zeros(count, dtype=dtype) if host else None
        self._fill_device(record.fill, dtype)

    def _fill_device(self, value, dtype):
        if self.nbytes == 0:
            return
        pattern = np.array([value], dtype=dtype)
        if value == 0:
            cu.memset_d8(self.device_pointer, 0, self.nbytes, stream=self.stream)
        elif dtype.itemsize == 4:         # a fill is asynchronous: no round trip per array
            cu.memset_d32(self.device_pointer, int(pattern.view(np.uint32)[0]), self.count,
                          stream=self.stream)
        elif dtype.itemsize == 1:
            cu.memset_d8(self.device_pointer, int(pattern.view(np.uint8)[0]), self.nbytes,
                         stream=self.stream)
        else:
            # pageable source: the copy has taken the bytes when the call returns
            cu.memcpy_htod(self.device_pointer, np.full(self.count, value, dtype=dtype),
                           stream=self.stream)
        if self.host_view is not None and value != 0:      # np.zeros is zero already
            self.host_view[:] = value

    @property
    def address(self) -> int:
        return self.device_pointer

    @property
    def storage(self):
        """Host copy (pulled first): used by the runtime for small bookkeeping reads."""
        self.pull_from_device()
        return self.host_view

    def push_to_device(self):
        if self.zero_copy:
            self.stream.synchronize()   # the GPU may still be reading; then it sees the host
            return
        if self.host_view is None:
            raise RuntimeError(f"'{self.record.name}' of '{self.record.owner}' has no host "
                               f"copy (VarLocation.DEVICE)")
        if self.nbytes:
            cu.memcpy_htod(self.device_pointer, self.host_view, stream=self.stream)

    def pull_from_device(self, wait: bool = True):
        """Copy the device memory into the host copy. ``wait=False`` (pinned host copies only)
        queues the copy on the stream: the host copy is valid once the stream is synchronised."""
        if self.zero_copy:
            self.stream.synchronize()   # wait for the GPU's writes to the shared memory
            return
        if self.host_view is None:
            raise RuntimeError(f"'{self.record.name}' of '{self.record.owner}' has no host "
                               f"copy (VarLocation.DEVICE)")
        if not self.nbytes:
            return
        if self._pinned is not None:
            cu.memcpy_dtoh(self.host_view, self.device_pointer, stream=self.stream)
            if wait:
                self.stream.synchronize()
            return
        self.stream.synchronize()
        cu.memcpy_dtoh(self.host_view, self.device_pointer)

    def push_slice_1d_to_device(self, offset, count):
        item = self.host_view.itemsize
        cu.memcpy_htod(self.device_pointer + offset * item, self.host_view[offset:offset + count],
                       stream=self.stream)

    def pull_slice_1d_from_device(self, offset, count):
        item = self.host_view.itemsize
        self.stream.synchronize()
        cu.memcpy_dtoh(self.host_view[offset:offset + count], self.device_pointer + offset * item)

    def free(self):
        if self.zero_copy:
            cu.mem_free_host(self._mapped)
            self.device_pointer = 0
            return
        if self.device_pointer:
            cu.mem_free(self.device_pointer)
            self.device_pointer = 0
        if self._pinned is not None:
            self.host_view = None
            cu.mem_free_host(self._pinned)
            self._pinned = None


class _QueueingStream(cu.Stream):
    """The runtime's stream. ``step_time()`` only queues steps on the host; any use of this
    stream (a copy, a kernel, a synchronisation, a timer) first launches what is queued, so
    everything reaches the GPU in program order."""

    def __init__(self, before_use):
        self._before_use = before_use
        super().__init__()

    @property
    def handle(self):
        if self._before_use is not None:
            self._before_use()
        return self._raw

    @handle.setter
    def handle(self, value):
        self._raw = value

    def destroy(self) -> None:
        self._before_use = None
        super().destroy()


class CudaRuntime(RuntimeBase):
    """Loads a cubin and runs the model on the GPU."""

    def __init__(self, cubin_path: str, manifest, seed: int, device_id: int = 0):
        self.module = None                # the timestep setter writes the device's once loaded
        super().__init__(manifest)
        self.device = cu.Device(device_id)
        self.device.make_current()
        self._queued = 0                  # steps step_time() queued but not launched yet
        self._launching = False
        self._unmarked = 0                # launched steps no event marks yet
        self._in_flight = collections.deque()   # (steps, event) launched, maybe unfinished
        self._zero_copy = False           # some array is zero-copy: launch every step
        self.stream = _QueueingStream(self._launch_queued)
        # verified against its cache entry's record: a damaged cubin is rebuilt, not loaded
        self.module = cu.Module.load(read_verified(Path(cubin_path)))
        self._timestep = 0
        self._graph = None
        self._multi_graph = None
        self._aux_streams = []
        self._host = None                 # the custom connectivity host library, once loaded
        self._timers = {name: 0.0 for name in contract.TIMED_PHASES}
        self._timing = bool(manifest.timing)
        self._set_global("_seed", np.array([seed_value(seed)], dtype=np.uint64))
        self._set_global("_deviceTimestep", np.zeros(1, dtype=np.uint64))
        self._functions = {}
        self._starts = {}
        for kernel in self._all_kernels():      # before any capture: a copy syncs
            if kernel.grid is None and not kernel.single_thread:
                self._block_starts(kernel)

    # ------------------------------------------------------------------ globals
    def _set_global(self, name: str, value: np.ndarray):
        pointer, size = self.module.global_address(name)
        cu.memcpy_htod(pointer, value, nbytes=min(size, value.nbytes), stream=self.stream)
        self.stream.synchronize()

    def _get_global(self, name: str, dtype) -> np.ndarray:
        pointer, size = self.module.global_address(name)
        out = np.zeros(size // np.dtype(dtype).itemsize, dtype=dtype)
        self.stream.synchronize()
        cu.memcpy_dtoh(out, pointer)
        return out

    # ------------------------------------------------------------------ memory
    def _new_array(self, record, count):
        array = CudaArray(record, count, self.stream)
        self._zero_copy = self._zero_copy or array.zero_copy
        return array

    def _set_recording_timesteps(self, count):
        self._set_global("_numRecordingTimesteps", np.array([count], dtype=np.uint32))

    def _write_struct_table(self, struct, table: np.ndarray) -> None:
        pointer, size = self.module.global_address(struct.array_name)
        if size != table.nbytes:
            raise RuntimeError(f"internal error: {struct.array_name} is {size} bytes on the "
                               f"device but {table.nbytes} in Python")
        cu.memcpy_htod(pointer, table.view(np.uint8), stream=self.stream)

    def bind(self):
        super().bind()
        self.stream.synchronize()
        self._graph = None
        self._multi_graph = None

    # ------------------------------------------------------------------ kernels
    def _function(self, name):
        if name not in self._functions:
            self._functions[name] = self.module.function(name)
        return self._functions[name]

    def _launch(self, kernel, stream=None, programmatic=False):
        if kernel.grid is not None:             # StepEnd: its own shape
            grid, block = kernel.grid, kernel.block
        elif kernel.single_thread:
            grid, block = (1, len(kernel.member_elements), kernel.batches), (1, 1, 1)
        else:   # gridDim.z: one slice per batch
            grid = (self._block_starts(kernel)[-1], 1, kernel.batches)
            block = (BLOCK_SIZE, 1, 1)
        self._function(kernel.name).launch(grid, block, [], stream=stream or self.stream,
                                           programmatic=programmatic)

    def _kernels(self, name: str) -> list:
        """The manifest's kernels of list ``name`` (step, init, init_sparse, columns)."""
        return self.manifest.kernels.get(name, [])

    def _all_kernels(self):
        for kernels in self.manifest.kernels.values():
            yield from kernels
        for table in (self.manifest.custom_update_kernels,
                      self.manifest.custom_connectivity_kernels):
            for kernels in table.values():
                yield from kernels

    def _block_starts(self, kernel) -> list:
        """Each member's first block in a packed kernel (written once into the kernel's
        ``_blockStart`` table): enough blocks for its elements, at most 16 per SM (a
        grid-stride loop covers the rest)."""
        starts = self._starts.get(kernel.name)
        if starts is None:
            cap = self.device.multiprocessor_count * 16
            starts = [0]
            for elements in kernel.member_elements:
                starts.append(starts[-1] + max(1, min(math.ceil(elements / BLOCK_SIZE), cap)))
            self._set_global(f"{kernel.name}_blockStart", np.array(starts, dtype=np.uint32))
            self._starts[kernel.name] = starts
        return starts

    def _run_phase_kernels(self, kernels, timer: str | None = None):
        if self._timing and timer:
            start, end = cu.Event(), cu.Event()
            start.record(self.stream)
        for kernel in kernels:
            self._launch(kernel)
        if self._timing and timer:
            end.record(self.stream)
            end.synchronize()
            self._timers[timer] += cu.Event.elapsed_ms(start, end) / 1000.0

    def initialize(self):
        self._run_phase_kernels(self._kernels("init"), "init")
        self._check_error()

    def initialize_sparse(self):
        self._run_phase_kernels(self._kernels("init_sparse"), "init_sparse")
        self._check_error()
        self._run_phase_kernels(self._kernels("columns"), "init_sparse")
        self._check_error()
        self._pull_all_host_copies()

    def rebuild_columns(self, synapse_group):
        """Re-index synapses by target after the host changed a group's connectivity."""
        for (_owner, name), array in self.arrays.items():
            if name == "colLength":
                cu.memset_d8(array.device_pointer, 0, array.nbytes, stream=self.stream)
        self._run_phase_kernels(self._kernels("columns"))
        self._check_error()

    def _pull_all_host_copies(self):
        """After initialisation the host copies hold what the GPU computed (as GeNN does)."""
        self.stream.synchronize()
        for array in self.arrays.values():
            if array.host_view is not None and array.nbytes and not array.zero_copy:
                cu.memcpy_dtoh(array.host_view, array.device_pointer)

    def _take_init_error(self) -> int:
        code = int(self._get_global("_initError", np.int32)[0])
        if code:
            self._set_global("_initError", np.zeros(1, dtype=np.int32))
        return code

    def _check_error(self):
        code = self._take_init_error()
        if code:
            raise RuntimeError(contract.init_error_message(code))

    # Steps per graph for multi-step calls: long enough to hide launch cost, short enough to
    # capture quickly
    STEPS_PER_GRAPH = 100

    def step_times(self, count: int):
        """Advance ``count`` steps (launched as whole graphs of STEPS_PER_GRAPH steps, then
        single steps)."""
        if self._timing:
            for _ in range(count):
                self.step_time()
            return
        self._queued += count
        self._timestep += count
        self._launch_queued()

    def step_time(self):
        if self._timing:
            runs = []             # consecutive kernels of one phase, in launch order
            for kernel in self._kernels("step"):
                if runs and runs[-1][0] == kernel.phase:
                    runs[-1][1].append(kernel)
                else:
                    runs.append((kernel.phase, [kernel]))
            for phase, kernels in runs:
                self._run_phase_kernels(kernels, phase)     # the last one advances time
            self._timestep += 1
            return
        # Queued, not launched: STEPS_PER_GRAPH queued steps go out as one graph, and any
        # other use of the stream launches the rest first (_QueueingStream). The host's
        # counter moves now; the device advances its own when the steps run. Zero-copy
        # memory can be read without touching the stream, so such models launch every step.
        self._queued += 1
        self._timestep += 1
        if self._queued >= self.STEPS_PER_GRAPH or self._zero_copy:
            self._launch_queued()

    def _launch_queued(self):
        """Launch the queued steps: whole multi-step graphs, then single-step graphs."""
        if not self._queued or self._launching:
            return
        self._launching = True        # the stream is used below: no recursion
        try:
            count, self._queued = self._queued, 0
            chunk = self.STEPS_PER_GRAPH
            if count >= chunk and self._multi_graph is None:
                self._multi_graph = self._capture_step(chunk)
            for _ in range(count // chunk):
                self._multi_graph.launch(self.stream)
                self._bound_run_ahead(chunk)
            if count % chunk and self._graph is None:
                self._graph = self._capture_step()
            for _ in range(count % chunk):
                self._graph.launch(self.stream)
                self._bound_run_ahead(1)
        finally:
            self._launching = False

    # How many launched steps may be unfinished before the host waits for the GPU: a few
    # graphs keep the GPU busy, and wall-clock timing and Ctrl-C in user scripts then mean
    # something (unbounded, a script's loop could "finish" seconds before the GPU)
    MAX_STEPS_AHEAD = 3 * STEPS_PER_GRAPH

    def _bound_run_ahead(self, steps: int):
        """Mark each STEPS_PER_GRAPH launched steps with an event; wait for the oldest marks
        while more than MAX_STEPS_AHEAD marked steps may be unfinished."""
        self._unmarked += steps
        if self._unmarked < self.STEPS_PER_GRAPH:
            return
        event = cu.Event(timing=False)
        event.record(self.stream)
        self._in_flight.append((self._unmarked, event))
        self._unmarked = 0
        ahead = sum(n for n, _ in self._in_flight)
        while ahead > self.MAX_STEPS_AHEAD:
            done, oldest = self._in_flight.popleft()
            oldest.synchronize()
            ahead -= done

    def profile_kernels(self, steps: int = 100) -> dict:
        """Run ``steps`` steps launching kernels one by one between CUDA events; returns the
        seconds each kernel took in total (the model advances by ``steps``)."""
        kernels = list(self._kernels("step"))
        events = [cu.Event() for _ in range(len(kernels) + 1)]
        totals = {kernel.name: 0.0 for kernel in kernels}
        for _ in range(steps):
            events[0].record(self.stream)
            for i, kernel in enumerate(kernels):
                self._launch(kernel)
                events[i + 1].record(self.stream)
            events[-1].synchronize()
            for i, kernel in enumerate(kernels):
                totals[kernel.name] += cu.Event.elapsed_ms(events[i], events[i + 1]) / 1000.0
            self._timestep += 1
        return totals

    def _capture_step(self, steps: int = 1):
        """``steps`` steps as one graph. The kernels of one wave touch disjoint state or
        combine through atomics, so each wave's kernels become parallel branches; the last
        kernel (StepEnd) advances the device's timestep."""
        self._capture_events = []
        # no cyclic garbage collection while capturing: collecting another model's runtime
        # would free its memory on this thread, which invalidates a thread-local capture
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._captured_steps(steps)
        finally:
            if collecting:
                gc.enable()

    def _captured_steps(self, steps: int):
        self.stream.begin_capture()
        # a kernel that directly follows a lone kernel in the stream may start early and wait
        # inside (programmatic dependent launch), hiding the launch gap; joins of parallel
        # branches keep ordinary dependencies
        early = self.device.compute_capability >= (9, 0)
        follows_lone = False
        for _ in range(steps):
            for wave in self._waves(self._kernels("step")):
                if len(wave) == 1:
                    self._launch(wave[0], programmatic=early and follows_lone)
                else:
                    self._launch_wave(wave)
                follows_lone = len(wave) == 1
        graph = self.stream.end_capture().instantiate()
        self._capture_events = []
        return graph

    @staticmethod
    def _waves(kernels):
        waves = []
        for kernel in kernels:
            if waves and waves[-1][0].wave == kernel.wave:
                waves[-1].append(kernel)
            else:
                waves.append([kernel])
        return waves

    def _launch_wave(self, wave):
        if len(wave) == 1:
            self._launch(wave[0])
            return
        while len(self._aux_streams) < len(wave) - 1:
            self._aux_streams.append(cu.Stream())
        fork = cu.Event(timing=False)
        fork.record(self.stream)
        self._capture_events.append(fork)
        for kernel, stream in zip(wave[1:], self._aux_streams):
            stream.wait(fork)
            self._launch(kernel, stream)
        self._launch(wave[0])
        for stream in self._aux_streams[:len(wave) - 1]:
            join = cu.Event(timing=False)
            join.record(stream)
            self._capture_events.append(join)
            self.stream.wait(join)

    @property
    def timestep(self):
        return self._timestep

    @timestep.setter
    def timestep(self, value):
        self._timestep = int(value)
        if self.module is not None:
            pointer, _ = self.module.global_address("_deviceTimestep")
            cu.memcpy_htod(pointer, np.array([self._timestep], dtype=np.uint64),
                           stream=self.stream)

    def get_time(self, name: str) -> float:
        return self._timers[name]

    # ------------------------------------------------------------------ update groups
    def _run_update_code(self, name: str) -> None:
        """Launch the group's kernels directly on the runtime's stream (not part of the step
        graph, which stays valid: every kernel reads the timestep from device memory)."""
        kernels = self.manifest.custom_update_kernels.get(name, [])
        if self._timing:
            start, end = cu.Event(), cu.Event()
            start.record(self.stream)
        for kernel in kernels:
            self._launch(kernel)
        if self._timing:
            end.record(self.stream)
            end.synchronize()
            self._add_time(name, "update", cu.Event.elapsed_ms(start, end) / 1000.0)

    def _update_code_time(self, name: str, kind: str) -> float:
        # a transpose is written by the update kernel itself: no time of its own
        return self._update_timers.get((name, "update"), 0.0) if kind == "update" else 0.0

    def _run_connectivity_rows(self, name: str) -> int:
        for kernel in self.manifest.custom_connectivity_kernels.get(name, []):
            self._launch(kernel)
        return self._take_init_error()

    def _host_library(self):
        """The custom connectivity host library: a private copy, like the CPU model library."""
        if self._host is None:
            path = self.manifest.host_library
            if path is None:
                raise RuntimeError("This model's custom connectivity host update code was not "
                                   "compiled (built with never_rebuild=True?); build it again")
            self._host = load_private_library(path)
            seed = int(self._get_global("_seed", np.uint64)[0])
            ctypes.c_uint64.in_dll(self._host, "_seed").value = seed
        return self._host

    def _copies_between_memories(self) -> bool:
        return True

    def pull_recording_buffers_from_device(self):
        """Queue the copies of every recording buffer, then wait once."""
        if not self.num_recording_timesteps or not self.manifest.uses_recording():
            raise RuntimeError("Cannot pull recording buffer if recording system is not in use")
        for array in self.arrays.values():
            if array.record.per_recording_step:
                array.pull_from_device(wait=False)
        self.stream.synchronize()

    def get_row_lengths(self, synapse_group):
        # the host copy as it stands (pulled after initialisation; after a custom
        # connectivity update, pull the synapse group's connectivity to refresh it)
        return self.get_array(synapse_group, "rowLength").host_view

    def synchronize(self):
        self.stream.synchronize()
        self._in_flight.clear()

    def free(self):
        self.stream.synchronize()
        for array in self.arrays.values():
            array.free()
        self.arrays = {}
