"""What every runtime does, given a model's ``RuntimeManifest`` (pygenn/_src/manifest.py).

``RuntimeBase`` owns the arrays the manifest lists, fills the merged-group struct tables from
the manifest's bindings, keeps the host's timestep, runs update groups in GeNN's order and
answers the interface's queries (recordings, delay pointers, row lengths, dynamic parameters).
A backend's runtime supplies the operations that touch its memory and its code, declared below
(``_new_array`` ... ``free``); nothing here reads the plan or the model description.
"""
from __future__ import annotations

import contextlib
import math
import time

import numpy as np

from .. import contract, param_arrays
from . import connectivity_updates

TIMER_KINDS = ("update", "transpose", "remap", "host")


class RuntimeBase:
    """Arrays, struct tables, time and update groups of one loaded model."""

    def __init__(self, manifest):
        check_bindings(manifest)
        self.manifest = manifest
        self.arrays: dict = {}
        self.timestep = 0
        self.num_recording_timesteps = None
        self._binding_deferred = False
        # seconds per (update group, timer kind), for what Python itself times
        self._update_timers: dict = {}
        self._update_groups = sorted(set(manifest.custom_update_groups)
                                     | set(manifest.custom_connectivity))

    # ================================================================== backend operations
    def _new_array(self, record, count: int):
        """A new array (host and/or device memory) of ``count`` elements for ``record``."""
        raise NotImplementedError

    def _set_recording_timesteps(self, count: int) -> None:
        """Tell the generated code how many steps the recording buffers hold."""
        raise NotImplementedError

    def _write_struct_table(self, struct, table: np.ndarray) -> None:
        """Copy a filled struct table (``_struct_table``) into the library or device."""
        raise NotImplementedError

    def initialize(self) -> None:
        raise NotImplementedError

    def initialize_sparse(self) -> None:
        raise NotImplementedError

    def rebuild_columns(self, synapse_group) -> None:
        """Re-index synapses by target after the host changed a group's connectivity."""
        raise NotImplementedError

    def step_time(self) -> None:
        raise NotImplementedError

    def get_time(self, name: str) -> float:
        """Seconds spent in a step phase (``timing_enabled``)."""
        raise NotImplementedError

    def _run_update_code(self, name: str) -> None:
        """Run update group ``name``'s generated custom update code (not connectivity)."""
        raise NotImplementedError

    def _update_code_time(self, name: str, kind: str) -> float:
        """Seconds the generated code of update group ``name`` spent (``update``,
        ``transpose``)."""
        raise NotImplementedError

    def _run_connectivity_rows(self, name: str) -> int:
        """Run update group ``name``'s custom connectivity row code; its ``_initError``."""
        raise NotImplementedError

    def _host_library(self):
        """The ctypes library holding custom connectivity host code."""
        raise NotImplementedError

    def _host_struct_address(self, array) -> int:
        """The address host code sees for ``array`` (its host copy on a GPU runtime)."""
        raise NotImplementedError

    def _copies_between_memories(self) -> bool:
        """Whether host and device memory differ (host code's push/pull calls then copy)."""
        return False

    def synchronize(self) -> None:
        """Wait until the device has finished everything queued."""

    def free(self) -> None:
        """Release the model's memory."""

    def check_native(self, call: str) -> None:
        """Raise what the native ``call`` ran into (debug and sanitizer builds)."""

    # ================================================================== memory
    def allocate(self, num_recording_timesteps):
        """Allocate every array of the manifest (EGPs later, once their sizes are known)."""
        self.num_recording_timesteps = num_recording_timesteps
        if num_recording_timesteps:
            self._set_recording_timesteps(int(num_recording_timesteps))
        for key, record in self.manifest.arrays.items():
            if record.egp:
                continue
            count = record.count
            if record.per_recording_step:
                count *= int(num_recording_timesteps or 0)
            self.arrays[key] = self._new_array(record, count)
        self.bind()

    def allocate_egp(self, owner: str, name: str, count: int):
        """Allocate EGP ``name`` of ``owner`` with ``count`` elements (and rebind); an earlier
        allocation of it is freed."""
        previous = self.arrays.get((owner, name))
        array = self._new_array(self.manifest.arrays[(owner, name)], count)
        self.arrays[(owner, name)] = array
        if previous is not None:
            previous.free()
        if not self._binding_deferred:
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

    def bind(self) -> None:
        """Write every merged group's struct array."""
        for struct in self.manifest.structs:
            self._write_struct_table(struct, self._struct_table(struct))

    def _struct_table(self, struct, address_of=None) -> np.ndarray:
        """The merged group's array of structs: array addresses and per-population values.

        A field whose array is not allocated yet holds 0: only EGPs can be in that state
        (``check_bindings``), and an EGP that code reads is refused before the first step
        unless it was given values.
        """
        address_of = address_of or (lambda array: array.address)
        table = np.zeros(len(struct.members), dtype=struct.numpy_dtype())
        for i, bindings in enumerate(struct.bindings):
            for name, binding in bindings.items():
                if binding.kind == "array":
                    array = self.arrays.get(binding.array)
                    table[i][name] = address_of(array) if array is not None else 0
                elif binding.kind == "size":       # debug builds: checked arrays' sizes
                    array = self.arrays.get(binding.array)
                    table[i][name] = (array.count // binding.batches
                                      if array is not None else 0)
                else:
                    table[i][name] = binding.value
        return table

    def get_array(self, group, name: str):
        """The runtime array ``name`` of ``group`` (a group or its name)."""
        key = (_name(group), name)
        if key not in self.arrays:
            raise RuntimeError(f"'{key[0]}' has no array '{name}' in this model")
        return self.arrays[key]

    def has_array(self, group, name: str) -> bool:
        return (_name(group), name) in self.arrays

    # ================================================================== time
    def step_times(self, count: int) -> None:
        """Advance ``count`` steps."""
        for _ in range(count):
            self.step_time()

    @property
    def t(self) -> float:
        return self.timestep * self.manifest.dt

    # ================================================================== update groups
    def update_group_names(self) -> list:
        """Every update group with custom updates or custom connectivity updates."""
        return list(self._update_groups)

    def custom_update(self, name: str) -> None:
        """Run update group ``name`` in GeNN's order: custom connectivity host code, custom
        updates, custom connectivity row code, then the column rebuild."""
        if name not in self.update_group_names():
            raise IndexError(f"No custom update group '{name}' in this model (custom update "
                             f"groups: {', '.join(self.update_group_names()) or 'none'})")
        group = self.manifest.custom_connectivity.get(name)
        try:
            if group is not None and group.hosts:
                start = time.perf_counter()
                connectivity_updates.run_host_code(self, group)
                self._add_time(name, "host", time.perf_counter() - start)
            if name in self.manifest.custom_update_groups:
                self._run_update_code(name)
            if group is not None and group.rows:
                self._connectivity_rows(name, group)
        finally:
            self.check_native(f"custom update '{name}' at timestep {self.timestep}")

    def _connectivity_rows(self, name: str, group) -> None:
        error = self._run_connectivity_rows(name)
        start = time.perf_counter()
        changed = [sg for sg in group.changed if (sg, "remap") in self.arrays]
        if changed:
            self.rebuild_columns(changed[0])     # re-indexes every SPARSE group
            self.synchronize()
        self._add_time(name, "remap", time.perf_counter() - start)
        if error == contract.ROW_FULL:
            raise RuntimeError(
                f"Custom connectivity update group '{name}': add_synapse was called on a full "
                f"row (row_length == row_stride); raise the synapse group's max_connections to "
                f"leave room for added synapses (the synapse was not added)")
        if error:
            raise RuntimeError(contract.init_error_message(error))

    def _add_time(self, name: str, kind: str, seconds: float) -> None:
        self._update_timers[(name, kind)] = self._update_timers.get((name, kind), 0.0) + seconds

    def get_custom_update_time(self, name: str, kind: str = "update") -> float:
        """Seconds update group ``name`` spent in ``kind`` (``TIMER_KINDS``)."""
        if kind not in TIMER_KINDS:
            raise ValueError(f"unknown custom update timer '{kind}'; expected one of "
                             f"{', '.join(TIMER_KINDS)}")
        if name not in self.update_group_names():
            raise RuntimeError(f"Cannot find symbol 'customUpdate{name}Time': no custom update "
                               f"group '{name}' in this model")
        if kind in ("host", "remap"):
            return self._update_timers.get((name, kind), 0.0)
        if name not in self.manifest.custom_update_groups:
            return 0.0
        return self._update_code_time(name, kind)

    # ================================================================== queries
    def get_delay_pointer(self, neuron_group) -> int:
        key = (_name(neuron_group), "spkQuePtr")
        return int(self.arrays[key].storage[0]) if key in self.arrays else 0

    def get_row_lengths(self, synapse_group) -> np.ndarray:
        return self.arrays[(_name(synapse_group), "rowLength")].storage

    def get_row_stride(self, synapse_group) -> int:
        return self.manifest.row_strides[_name(synapse_group)]

    def set_dynamic_param_value(self, group, name: str, value) -> None:
        for arrays in param_arrays.DYNAMIC_LOOKUP_ORDER:
            key = (_name(group), arrays.dynamic(name))
            if key in self.arrays:
                array = self.arrays[key]
                array.storage[0] = value
                array.push_to_device()
                return
        raise RuntimeError(f"Parameter '{name}' of '{_name(group)}' is not dynamic; call "
                           f"set_param_dynamic('{name}') before build()")

    # ================================================================== recording
    def pull_recording_buffers_from_device(self) -> None:
        if not self.num_recording_timesteps or not self.manifest.uses_recording():
            raise RuntimeError("Cannot pull recording buffer if recording system is not in use")
        for array in self.arrays.values():
            if array.record.per_recording_step:
                array.pull_from_device()

    def _decode(self, key, num_neurons: int):
        n_rec = self.num_recording_timesteps
        if self.timestep < n_rec:
            raise RuntimeError("Event recording data can only be accessed once buffer is full")
        batch = self.manifest.batch_size
        words = math.ceil(num_neurons / 32)
        data = self.arrays[key].storage.reshape(n_rec, batch, words)
        first_step = self.timestep - n_rec
        result = []
        for b in range(batch):
            rows, ids = decode_recording_words(data[:, b, :])
            times = (first_step + rows) * self.manifest.dt
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
        neuron = synapse_group.src if side == "pre" else synapse_group.trg
        if key not in self.arrays:
            raise RuntimeError(f"Synapse group '{_name(synapse_group)}' has no recorded "
                               f"{side}synaptic spike-like events: its weight update model needs "
                               f"a {side}_event_threshold_condition_code and neuron group "
                               f"'{neuron.name}' needs spike_event_recording_enabled = True")
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


def check_bindings(manifest) -> None:
    """Refuse a model in which a struct field points at an array the manifest does not list.

    Such a field would be given a null pointer that generated code dereferences: the process
    would crash on the first step. Every array field of every merged group must name a listed
    array (EGPs are listed too, and allocated once their size is known).
    """
    hosts = [h.struct for g in manifest.custom_connectivity.values() for h in g.hosts]
    for struct in (*manifest.structs, *hosts):
        for member, bindings in zip(struct.members, struct.bindings):
            for name, binding in bindings.items():
                if binding.kind in ("array", "size") and binding.array not in manifest.arrays:
                    owner, array = binding.array
                    raise RuntimeError(
                        f"pygenn bug: field '{name}' of {struct.struct_name} (group '{member}') "
                        f"is bound to array '{array}' of '{owner}', which this model does not "
                        f"allocate; please report it")


def seed_value(seed: int) -> int:
    """The 64-bit seed generated code uses: ``seed``, or a random one for 0 (GeNN's rule)."""
    if seed:
        return int(seed) & 0xFFFFFFFFFFFFFFFF
    import os
    return int.from_bytes(os.urandom(8), "little")


def _name(group) -> str:
    return group if isinstance(group, str) else group.name
