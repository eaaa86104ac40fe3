"""The CPU runtime: owns the model's memory, binds it to the compiled library, steps it.

Memory is numpy-owned; the library's merged-group struct arrays receive pointers into it. On the
single-threaded CPU backend host and "device" are one memory space, so push/pull are no-ops.
"""
from __future__ import annotations

import contextlib
import ctypes
import math

import numpy as np

from .. import param_arrays
from ..model.enums import VarLocationAttribute
from .library import load_private_library

TIMERS = ("neuron_update", "presynaptic_update", "postsynaptic_update", "synapse_dynamics",
          "init", "init_sparse")


class RuntimeArray:
    """One allocated array. ``host_view`` is None when the array has no host copy."""

    def __init__(self, spec, storage: np.ndarray):
        self.spec = spec
        self.storage = storage
        host = spec.location is None or bool(spec.location & VarLocationAttribute.HOST)
        self.host_view = storage if host else None

    @property
    def address(self) -> int:
        return self.storage.ctypes.data

    def push_to_device(self):
        """No-op: the CPU backend has a single memory space."""

    def pull_from_device(self):
        """No-op: the CPU backend has a single memory space."""

    def push_slice_1d_to_device(self, offset, count):
        """No-op: the CPU backend has a single memory space."""

    def pull_slice_1d_from_device(self, offset, count):
        """No-op: the CPU backend has a single memory space."""


class CpuRuntime:
    """Loads a built model library and runs it."""

    _checks = None          # runtime/debug_checks.NativeChecks of debug and sanitizer builds

    def __init__(self, library_path: str, generated, seed: int, flush_denormals: bool = True):
        check_bindings(generated)
        self.generated = generated
        self.plan = generated.plan
        from ..build.sanitizers import prepare_load
        monitor = prepare_load(getattr(generated, "sanitizers", ()))
        from . import openmp
        openmp_library = getattr(generated, "openmp", False)
        with (openmp.openmp_environment() if openmp_library else contextlib.nullcontext()):
            self.lib = load_private_library(library_path)
        # model code flushes subnormals to zero unless the preference turned it off
        # (backends/cpu.py, FLOAT_MODE_PRELUDE)
        ctypes.c_int.in_dll(self.lib, "pygenn_flush_denormals").value = int(bool(flush_denormals))
        if openmp_library:
            ctypes.c_int.in_dll(self.lib, "pygenn_usable_cores").value = openmp.usable_cores()
            self.lib.pygenn_start_threads()
        self.arrays: dict[tuple, RuntimeArray] = {}
        self.timestep = 0
        self.num_recording_timesteps = None
        for name in ("pygenn_step_time", "pygenn_neuron_update"):
            getattr(self.lib, name).argtypes = [ctypes.c_uint64]
        ctypes.c_uint64.in_dll(self.lib, "_seed").value = _seed_value(seed)
        # debug and sanitizer builds: what native code ran into is raised after each call
        # (runtime/debug_checks.py); release builds keep the plain step_time
        from .debug_checks import NativeChecks
        self._checks = NativeChecks.for_library(self.lib, generated, monitor)
        if self._checks is not None:
            self.step_time = self._checked_step_time

    # ------------------------------------------------------------------ memory
    def allocate(self, num_recording_timesteps):
        """Allocate every array of the plan (EGPs later, once their sizes are known)."""
        self.num_recording_timesteps = num_recording_timesteps
        if num_recording_timesteps:
            self._set_recording_timesteps(int(num_recording_timesteps))
        for key, spec in self.plan.arrays.items():
            if spec.egp:
                continue
            count = spec.count
            if spec.per_recording_step:
                count *= int(num_recording_timesteps or 0)
            self.arrays[key] = self._new_array(spec, count)
        self.bind()

    def allocate_egp(self, owner: str, name: str, count: int):
        array = self._new_array(self.plan.arrays[(owner, name)], count)
        self.arrays[(owner, name)] = array
        if not getattr(self, "_binding_deferred", False):
            self.bind()
        return array

    @contextlib.contextmanager
    def binding_deferred(self):
        """Allocate several EGPs and write the merged-group tables once, at the end."""
        self._binding_deferred = True
        try:
            yield
        finally:
            self._binding_deferred = False
            self.bind()

    # the two backend-specific pieces of allocation
    def _new_array(self, spec, count: int) -> RuntimeArray:
        # at least one element, so that an empty array (an EGP given no values) is still a valid
        # pointer: code that guards its reads (a spike source with no spikes) must not crash
        buffer = np.full(max(count, 1), spec.fill, dtype=spec.numeric_type.numpy_dtype)
        return RuntimeArray(spec, buffer[:count])

    def _set_recording_timesteps(self, count: int):
        ctypes.c_uint32.in_dll(self.lib, "_numRecordingTimesteps").value = count

    def bind(self):
        """Write every merged group's struct array into the library."""
        for merged in self.generated.merged_groups:
            table = self._struct_table(merged)
            size = ctypes.c_size_t.in_dll(self.lib, f"{merged.array_name}_size").value
            if size != table.dtype.itemsize:
                raise RuntimeError(f"internal error: struct {merged.struct_name} is {size} bytes "
                                   f"in C but {table.dtype.itemsize} in Python")
            address = ctypes.addressof(ctypes.c_char.in_dll(self.lib, merged.array_name))
            ctypes.memmove(address, table.ctypes.data, table.nbytes)

    def _struct_table(self, merged) -> np.ndarray:
        """The merged group's array of structs: array addresses and per-population values.

        A field whose array is not allocated yet holds 0: only EGPs can be in that state (the
        plan registered every bound array, ``check_bindings``), and an EGP that code reads is
        refused before the first step unless it was given values.
        """
        table = np.zeros(len(merged.members), dtype=merged.numpy_dtype())
        for i, fields in enumerate(merged.member_fields):
            for name, field in fields.fields.items():
                binding = fields.bindings[name]
                if field.kind == "array":
                    array = self.arrays.get(binding)
                    table[i][name] = array.address if array is not None else 0
                elif field.kind == "size":       # debug builds: checked arrays' sizes
                    array = self.arrays.get(binding.key)
                    table[i][name] = (len(array.storage) // binding.batches
                                      if array is not None else 0)
                else:
                    table[i][name] = binding
        return table

    def get_array(self, group, name: str) -> RuntimeArray:
        key = (_name(group), name)
        if key not in self.arrays:
            raise RuntimeError(f"'{key[0]}' has no array '{name}' in this model")
        return self.arrays[key]

    def has_array(self, group, name: str) -> bool:
        return (_name(group), name) in self.arrays

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
        self._zero_column_lengths()
        self.lib.pygenn_initialize_columns()
        self._check_init_error()

    def _zero_column_lengths(self):
        for (_owner, name), array in self.arrays.items():
            if name == "colLength":
                array.storage[:] = 0

    def _check_init_error(self):
        flag = ctypes.c_int.in_dll(self.lib, "_initError")
        if flag.value:
            code, flag.value = flag.value, 0
            raise RuntimeError(init_error_message(code))

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

    def step_times(self, count: int):
        """Advance ``count`` steps."""
        for _ in range(count):
            self.step_time()

    @property
    def t(self) -> float:
        return self.timestep * self.plan.dt

    def custom_update(self, name: str):
        from .custom_updates import cpu_custom_update
        try:
            cpu_custom_update(self, name)
        finally:
            self.check_native(f"custom update '{name}' at timestep {self.timestep}")

    def get_time(self, name: str) -> float:
        return ctypes.c_double.in_dll(self.lib, f"pygenn_time_{name}").value

    def get_custom_update_time(self, name, kind="update"):
        from .custom_updates import cpu_custom_update_time
        return cpu_custom_update_time(self, name, kind)

    # ------------------------------------------------------------------ queries
    def get_delay_pointer(self, neuron_group) -> int:
        key = (_name(neuron_group), "spkQuePtr")
        return int(self.arrays[key].storage[0]) if key in self.arrays else 0

    def get_row_lengths(self, synapse_group) -> np.ndarray:
        return self.arrays[(_name(synapse_group), "rowLength")].storage

    def get_row_stride(self, synapse_group) -> int:
        return self.plan.synapses[_name(synapse_group)].row_stride

    def set_dynamic_param_value(self, group, name: str, value):
        for arrays in param_arrays.DYNAMIC_LOOKUP_ORDER:
            key = (_name(group), arrays.dynamic(name))
            if key in self.arrays:
                self.arrays[key].storage[0] = value
                self.arrays[key].push_to_device()
                return
        raise RuntimeError(f"Parameter '{name}' of '{_name(group)}' is not dynamic; call "
                           f"set_param_dynamic('{name}') before build()")

    # ------------------------------------------------------------------ recording
    def pull_recording_buffers_from_device(self):
        if not self.num_recording_timesteps or not any(
                spec.per_recording_step for spec in self.plan.arrays.values()):
            raise RuntimeError("Cannot pull recording buffer if recording system is not in use")

    def _decode(self, key, num_neurons: int):
        n_rec = self.num_recording_timesteps
        if self.timestep < n_rec:
            raise RuntimeError("Event recording data can only be accessed once buffer is full")
        batch = self.plan.batch_size
        words = math.ceil(num_neurons / 32)
        data = self.arrays[key].storage.reshape(n_rec, batch, words)
        first_step = self.timestep - n_rec
        result = []
        for b in range(batch):
            rows, ids = decode_recording_words(data[:, b, :])
            times = (first_step + rows) * self.plan.dt
            result.append((times.astype(np.float64), ids.astype(np.int32)))
        return result

    def get_recorded_spikes(self, neuron_group):
        key = (_name(neuron_group), "recordSpk")
        if key not in self.arrays:
            raise RuntimeError(f"Spike recording is not enabled for neuron group "
                               f"'{_name(neuron_group)}'; set spike_recording_enabled = True "
                               f"before build()")
        return self._decode(key, neuron_group.num_neurons)

    def _recorded_events(self, synapse_group, side):
        key = (_name(synapse_group), f"{side}RecordSpkEvent")
        if key not in self.arrays:
            neuron = synapse_group.src if side == "pre" else synapse_group.trg
            raise RuntimeError(f"Synapse group '{_name(synapse_group)}' has no recorded "
                               f"{side}synaptic spike-like events: its weight update model needs "
                               f"a {side}_event_threshold_condition_code and neuron group "
                               f"'{neuron.name}' needs spike_event_recording_enabled = True")
        neuron = synapse_group.src if side == "pre" else synapse_group.trg
        return self._decode(key, neuron.num_neurons)

    def get_recorded_pre_spike_events(self, synapse_group):
        return self._recorded_events(synapse_group, "pre")

    def get_recorded_post_spike_events(self, synapse_group):
        return self._recorded_events(synapse_group, "post")


def decode_recording_words(words: np.ndarray):
    """(row, id) of every set bit of a recording buffer, in GeNN's order.

    ``words`` is (rows, words per row) of uint32; neuron i is bit ``i % 32`` of word ``i // 32``.
    GeNN decodes each word from its highest bit down, so ids come row by row, word by word and
    *descending* within a word ([31 ... 0 39 ... 32] for 40 neurons in one step); programs
    that take the "first" spike of a step depend on it.
    """
    rows, cols = np.nonzero(words)
    # big-endian bytes, then bits from the most significant: position k is bit 31 - k
    bits = np.unpackbits(words[rows, cols].astype(">u4").view(np.uint8).reshape(-1, 4),
                         axis=1, bitorder="big")
    entry, position = np.nonzero(bits)
    return rows[entry], cols[entry] * 32 + 31 - position


def check_bindings(generated) -> None:
    """Refuse a model in which a struct field points at an array the plan never registered.

    Such a field would be given a null pointer that generated code dereferences: the process
    would crash on the first step. Every array field of every merged group must name a
    registered array (EGPs are registered too, and allocated once their size is known).
    """
    arrays = generated.plan.arrays
    for merged in generated.merged_groups:
        for member, fields in zip(merged.members, merged.member_fields):
            for name, field in fields.fields.items():
                binding = fields.bindings[name]
                if field.kind == "size":
                    binding = binding.key
                if field.kind in ("array", "size") and binding not in arrays:
                    owner, array = binding
                    raise RuntimeError(
                        f"pygenn bug: field '{name}' of {merged.struct_name} (group "
                        f"'{_name(member)}') is bound to array '{array}' of '{owner}', which "
                        f"this model does not allocate; please report it")


def init_error_message(code: int) -> str:
    """What a non-zero ``_initError`` set by generated initialisation code means."""
    if code == 2:
        return ("More synapses target one neuron than max_source_connections allows; raise the "
                "synapse group's max_source_connections (or fix the snippet's "
                "calc_max_col_len_func)")
    return ("A sparse connectivity snippet generated more synapses in a row than "
            "max_connections allows; raise the synapse group's max_connections (or fix the "
            "snippet's calc_max_row_len_func)")


def _name(group) -> str:
    return group if isinstance(group, str) else group.name


def _seed_value(seed: int) -> int:
    if seed:
        return int(seed) & 0xFFFFFFFFFFFFFFFF
    import os
    return int.from_bytes(os.urandom(8), "little")
