"""Running custom connectivity host update code on any runtime.

Host code is C++ that runs on the host: in the model library on the CPU backends, in a small
host library on CUDA whose struct points at the numpy host copies. ``push<X>ToDevice`` /
``pull<X>FromDevice`` in host code call ``_copy(id, direction, count)``, a ctypes callback into
the runtime (the manifest's ``copy_targets[id]`` names the array); where host and device memory
are one (CPU) the pointer is null and the calls do nothing.
"""
from __future__ import annotations

import ctypes

COPY_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint64)


def run_host_code(runtime, group) -> None:
    """Run the host code of every custom connectivity update of ``group`` (a manifest
    ``CustomConnectivityGroup``) with the runtime's declared operations."""
    lib = runtime._host_library()
    copies = runtime._copies_between_memories()
    for host in group.hosts:
        function = getattr(lib, f"pygenn_ccu_host_{host.name}")
        function.argtypes = [ctypes.c_uint64, ctypes.c_void_p]
        if not copies:
            function(runtime.timestep, None)
            continue
        _write_host_struct(runtime, lib, host.struct)
        errors = []
        callback = _copy_callback(runtime, host, errors)
        function(runtime.timestep, ctypes.cast(callback, ctypes.c_void_p))
        if errors:
            raise errors[0]


def _write_host_struct(runtime, lib, struct) -> None:
    """The host struct points at host copies (where they differ from device memory)."""
    def address(array):
        view = array.host_view
        return view.ctypes.data if view is not None and view.size else 0
    table = runtime._struct_table(struct, address)
    target = ctypes.addressof(ctypes.c_char.in_dll(lib, struct.array_name))
    ctypes.memmove(target, table.ctypes.data, table.nbytes)


def _copy_callback(runtime, host, errors):
    def copy(index, direction, count):
        try:
            owner, array_name, is_egp = host.copy_targets[index]
            array = runtime.arrays.get((owner, array_name))
            if array is None:
                raise RuntimeError(f"'{array_name}' of '{owner}' has no memory (an extra global "
                                   f"parameter needs set_init_values(...) before load)")
            if is_egp and count:
                count = min(int(count), len(array.host_view))
                if direction == 0:
                    array.push_slice_1d_to_device(0, count)
                else:
                    array.pull_slice_1d_from_device(0, count)
            elif direction == 0:
                array.push_to_device()
            else:
                array.pull_from_device()
        except BaseException as exc:       # never let an exception cross the C boundary
            errors.append(exc)
    return COPY_CALLBACK(copy)

