"""The CPU runtime: owns the model's memory, binds it to the compiled library, steps it.

Memory is numpy-owned; the library's merged-group struct arrays receive pointers into it. On the
CPU backends host and "device" are one memory space, so push/pull are no-ops.
"""
from __future__ import annotations

import contextlib
import ctypes

import numpy as np

from .. import contract
from ..model.enums import VarLocationAttribute
from .base import RuntimeBase, seed_value
from .library import load_private_library


class RuntimeArray:
    """One allocated array. ``host_view`` is None when the array has no host copy."""

    def __init__(self, record, storage: np.ndarray):
        self.record = record
        self.storage = storage
        host = record.location < 0 or bool(record.location & int(VarLocationAttribute.HOST))
        self.host_view = storage if host else None

    @property
    def address(self) -> int:
        return self.storage.ctypes.data

    @property
    def count(self) -> int:
        """Elements."""
        return len(self.storage)

    def free(self):
        """Nothing to do: numpy owns the memory."""

    def push_to_device(self):
        """No-op: the CPU backend has a single memory space."""

    def pull_from_device(self):
        """No-op: the CPU backend has a single memory space."""

    def push_slice_1d_to_device(self, offset, count):
        """No-op: the CPU backend has a single memory space."""

    def pull_slice_1d_from_device(self, offset, count):
        """No-op: the CPU backend has a single memory space."""


class CpuRuntime(RuntimeBase):
    """Loads a built model library and runs it."""

    _checks = None          # runtime/debug_checks.NativeChecks of debug and sanitizer builds

    def __init__(self, library_path: str, manifest, seed: int, flush_denormals: bool = True):
        super().__init__(manifest)
        from ..build.sanitizers import prepare_load
        monitor = prepare_load(manifest.sanitizers)
        from . import openmp
        with (openmp.openmp_environment() if manifest.openmp else contextlib.nullcontext()):
            self.lib = load_private_library(library_path)
        # model code flushes subnormals to zero unless the preference turned it off
        # (backends/cpu_preludes.py, FLOAT_MODE_PRELUDE)
        ctypes.c_int.in_dll(self.lib, "pygenn_flush_denormals").value = int(bool(flush_denormals))
        if manifest.openmp:
            ctypes.c_int.in_dll(self.lib, "pygenn_usable_cores").value = openmp.usable_cores()
            self.lib.pygenn_start_threads()
        for name in ("pygenn_step_time", "pygenn_neuron_update"):
            getattr(self.lib, name).argtypes = [ctypes.c_uint64]
        ctypes.c_uint64.in_dll(self.lib, "_seed").value = seed_value(seed)
        # debug and sanitizer builds: what native code ran into is raised after each call
        # (runtime/debug_checks.py); release builds keep the plain step_time
        from .debug_checks import NativeChecks
        self._checks = NativeChecks.for_library(self.lib, manifest, monitor)
        if self._checks is not None:
            self.step_time = self._checked_step_time

    # ------------------------------------------------------------------ memory
    def _new_array(self, record, count: int) -> RuntimeArray:
        # at least one element, so that an empty array (an EGP given no values) is still a valid
        # pointer: code that guards its reads (a spike source with no spikes) must not crash
        buffer = np.full(max(count, 1), record.fill, dtype=record.numpy_dtype)
        return RuntimeArray(record, buffer[:count])

    def _set_recording_timesteps(self, count: int):
        ctypes.c_uint32.in_dll(self.lib, "_numRecordingTimesteps").value = count

    def _write_struct_table(self, struct, table: np.ndarray) -> None:
        size = ctypes.c_size_t.in_dll(self.lib, f"{struct.array_name}_size").value
        if size != table.dtype.itemsize:
            raise RuntimeError(f"internal error: struct {struct.struct_name} is {size} bytes "
                               f"in C but {table.dtype.itemsize} in Python")
        address = ctypes.addressof(ctypes.c_char.in_dll(self.lib, struct.array_name))
        ctypes.memmove(address, table.ctypes.data, table.nbytes)

    # ------------------------------------------------------------------ running
    def initialize(self):
        self.lib.pygenn_initialize()
        self.check_native("initialisation")
        self._check_init_error()

    def initialize_sparse(self):
        self.lib.pygenn_initialize_sparse()
        self.check_native("sparse initialisation")
        self._check_init_error()
        self.lib.pygenn_initialize_columns()
        self._check_init_error()

    def check_native(self, call: str) -> None:
        """Raise what the native ``call`` ran into, in debug and sanitizer builds."""
        if self._checks is not None:
            self._checks.check(call)

    def rebuild_columns(self, synapse_group):
        """Re-index synapses by target after the host changed a group's connectivity."""
        for (_owner, name), array in self.arrays.items():
            if name == "colLength":
                array.storage[:] = 0
        self.lib.pygenn_initialize_columns()
        self._check_init_error()

    def _take_init_error(self) -> int:
        flag = ctypes.c_int.in_dll(self.lib, "_initError")
        code, flag.value = flag.value, 0
        return code

    def _check_init_error(self):
        code = self._take_init_error()
        if code:
            raise RuntimeError(contract.init_error_message(code))

    def step_time(self):
        # counted before the call: Python raises a KeyboardInterrupt that arrived during the
        # step as soon as the call returns, and the step has run by then
        step = self.timestep
        self.timestep = step + 1
        self.lib.pygenn_step_time(step)

    def _checked_step_time(self):
        step = self.timestep
        CpuRuntime.step_time(self)
        self._checks.check(f"step_time at timestep {step}")

    def get_time(self, name: str) -> float:
        return ctypes.c_double.in_dll(self.lib, f"pygenn_time_{name}").value

    # ------------------------------------------------------------------ update groups
    def _run_update_code(self, name: str) -> None:
        function = getattr(self.lib, f"pygenn_custom_update_{name}")
        function.argtypes = [ctypes.c_uint64]
        function(self.timestep)

    def _update_code_time(self, name: str, kind: str) -> float:
        suffix = "_transpose" if kind == "transpose" else ""
        return ctypes.c_double.in_dll(self.lib,
                                      f"pygenn_time_custom_update{suffix}_{name}").value

    def _run_connectivity_rows(self, name: str) -> int:
        function = getattr(self.lib, f"pygenn_ccu_rows_{name}")
        function.argtypes = [ctypes.c_uint64]
        function(self.timestep)
        return self._take_init_error()

    def _host_library(self):
        return self.lib
