"""The CPU runtime: owns the model's memory, binds it to the compiled library, steps it.

Memory is numpy-owned; the library's merged-group struct arrays receive pointers into it. On the
single-threaded CPU backend host and "device" are one memory space, so push/pull are no-ops.
"""
from __future__ import annotations

import contextlib
import ctypes
import math

import numpy as np

from ..model.enums import VarLocationAttribute

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
        return self.storage.ctypes.data if self.storage.size else 0

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

    def __init__(self, library_path: str, generated, seed: int):
        self.generated = generated
        self.plan = generated.plan
        self._private_copy = _private_library_copy(library_path)
        self.lib = ctypes.CDLL(self._private_copy)
        self.arrays: dict[tuple, RuntimeArray] = {}
        self.timestep = 0
        self.num_recording_timesteps = None
        for name in ("pygenn_step_time", "pygenn_neuron_update"):
            getattr(self.lib, name).argtypes = [ctypes.c_uint64]
        ctypes.c_uint64.in_dll(self.lib, "_seed").value = _seed_value(seed)

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
        return RuntimeArray(spec, np.full(count, spec.fill, dtype=spec.numeric_type.numpy_dtype))

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
        """The merged group's array of structs: array addresses and per-population values."""
        table = np.zeros(len(merged.members), dtype=merged.numpy_dtype())
        for i, fields in enumerate(merged.member_fields):
            for name, field in fields.fields.items():
                binding = fields.bindings[name]
                if field.kind == "array":
                    array = self.arrays.get(binding)
                    table[i][name] = array.address if array is not None else 0
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
        self._check_init_error()

    def initialize_sparse(self):
        self.lib.pygenn_initialize_sparse()
        self._check_init_error()
        self.lib.pygenn_initialize_columns()
        self._check_init_error()

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
        self.lib.pygenn_step_time(self.timestep)
        self.timestep += 1

    def step_times(self, count: int):
        """Advance ``count`` steps."""
        for _ in range(count):
            self.lib.pygenn_step_time(self.timestep)
            self.timestep += 1

    @property
    def t(self) -> float:
        return self.timestep * self.plan.dt

    def custom_update(self, name: str):
        from .custom_updates import cpu_custom_update
        cpu_custom_update(self, name)

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
        for array_name in (f"dyn_{name}", f"ps_dyn_{name}"):
            key = (_name(group), array_name)
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
            bits = np.unpackbits(data[:, b, :].copy().view(np.uint8), axis=1, bitorder="little")
            rows, ids = np.nonzero(bits[:, :num_neurons])
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


def _private_library_copy(library_path) -> str:
    """A copy of the library for this runtime alone.

    The dynamic loader hands out one instance per path, and the library's globals (the merged
    group structs) belong to one model instance, so two loaded copies of one model need two files.
    """
    import os
    import shutil
    import tempfile

    handle, path = tempfile.mkstemp(prefix="pygenn-", suffix=".so")
    os.close(handle)
    shutil.copyfile(library_path, path)
    import atexit
    atexit.register(_remove_quietly, path)
    return path


def _remove_quietly(path):
    import os
    try:
        os.remove(path)
    except OSError:
        pass


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
