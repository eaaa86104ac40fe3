"""Running custom connectivity updates on both runtimes, and attaching their arrays.

``model.custom_update(G)`` runs, for update group G: the host update code of G's custom
connectivity updates (C++ on the host: in the model library on the CPU backend, in a small host
library on CUDA whose struct points at the numpy host copies), then G's custom updates, then the
row updates, then rebuilds the column structures of the synapse groups whose rows were updated.

``push<X>ToDevice``/``pull<X>FromDevice`` in host code call ``_copy(id, direction, count)``, a
ctypes callback into the runtime (``CcuPlan.copy_targets[id]`` names the array); on the CPU
backend the pointer is null and the calls do nothing.
"""
from __future__ import annotations

import ctypes
import time

import numpy as np

from .. import param_arrays
from ..codegen.custom_connectivity import ROW_FULL_ERROR

COPY_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint64)


def _code(runtime):
    return getattr(runtime.generated, "custom_connectivity", None)


def group_names(runtime) -> list:
    code = _code(runtime)
    return list(code.group_names) if code is not None else []


def _is_cuda(runtime) -> bool:
    return hasattr(runtime, "module")


def _timers(runtime) -> dict:
    return runtime.__dict__.setdefault("_ccu_timers", {})


def get_time(runtime, name: str, kind: str) -> float:
    return _timers(runtime).get((name, kind), 0.0)


def _add_time(runtime, name, kind, seconds):
    timers = _timers(runtime)
    timers[(name, kind)] = timers.get((name, kind), 0.0) + seconds


# ------------------------------------------------------------------------------- host code
class _HostLibrary:
    """CUDA: the loaded host library (a private copy, like the CPU model library)."""

    def __init__(self, runtime):
        from .library import load_private_library
        path = getattr(runtime.generated, "ccu_host_library", None)
        if path is None:
            raise RuntimeError("This model's custom connectivity host update code was not "
                               "compiled (built with never_rebuild=True?); build it again")
        self.lib = load_private_library(path)
        seed = int(runtime._get_global("_seed", np.uint64)[0])
        ctypes.c_uint64.in_dll(self.lib, "_seed").value = seed


def _host_library(runtime):
    if not _is_cuda(runtime):
        return runtime.lib
    host = runtime.__dict__.get("_ccu_host_library")
    if host is None:
        host = runtime.__dict__["_ccu_host_library"] = _HostLibrary(runtime)
    return host.lib


def _bind_host_struct(runtime, lib, merged):
    """CUDA: the host struct points at host copies (the CPU runtime's bind() does it there)."""
    table = np.zeros(1, dtype=merged.numpy_dtype())
    fields = merged.member_fields[0]
    for name, f in fields.fields.items():
        binding = fields.bindings[name]
        if f.kind == "array":
            array = runtime.arrays.get(binding)
            view = None if array is None else array.host_view
            table[0][name] = view.ctypes.data if view is not None and view.size else 0
        else:
            table[0][name] = binding
    address = ctypes.addressof(ctypes.c_char.in_dll(lib, merged.array_name))
    ctypes.memmove(address, table.ctypes.data, table.nbytes)


def _copy_callback(runtime, cplan, errors):
    def copy(index, direction, count):
        try:
            owner, array_name, is_egp = cplan.copy_targets[index]
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


def run_host_updates(runtime, name: str) -> None:
    code = _code(runtime)
    if code is None or not code.hosts.get(name):
        return
    start = time.perf_counter()
    lib = _host_library(runtime)
    cuda = _is_cuda(runtime)
    for cplan, merged in code.hosts[name]:
        function = getattr(lib, f"pygenn_ccu_host_{cplan.name}")
        function.argtypes = [ctypes.c_uint64, ctypes.c_void_p]
        if cuda:
            _bind_host_struct(runtime, lib, merged)
            errors = []
            callback = _copy_callback(runtime, cplan, errors)
            function(runtime.timestep, ctypes.cast(callback, ctypes.c_void_p))
            if errors:
                raise errors[0]
        else:
            function(runtime.timestep, None)
    _add_time(runtime, name, "host", time.perf_counter() - start)


# ------------------------------------------------------------------------------- row code
def run_row_updates(runtime, name: str) -> None:
    code = _code(runtime)
    if code is None or name not in code.group_names or not code.rows.get(name):
        return
    if _is_cuda(runtime):
        for kernel in runtime.generated.custom_connectivity_kernels.get(name, []):
            runtime._launch(kernel)
        error = int(runtime._get_global("_initError", np.int32)[0])
        if error:
            runtime._set_global("_initError", np.zeros(1, dtype=np.int32))
    else:
        function = getattr(runtime.lib, f"pygenn_ccu_rows_{name}")
        function.argtypes = [ctypes.c_uint64]
        function(runtime.timestep)
        flag = ctypes.c_int.in_dll(runtime.lib, "_initError")
        error, flag.value = flag.value, 0
    start = time.perf_counter()
    rebuilt = False
    for sg_name in code.changed.get(name, []):
        if not rebuilt and (sg_name, "remap") in runtime.arrays:
            runtime.rebuild_columns(sg_name)
            rebuilt = True          # rebuild_columns re-indexes every SPARSE group
    if _is_cuda(runtime) and rebuilt:
        runtime.synchronize()
    _add_time(runtime, name, "remap", time.perf_counter() - start)
    if error == ROW_FULL_ERROR:
        raise RuntimeError(
            f"Custom connectivity update group '{name}': add_synapse was called on a full row "
            f"(row_length == row_stride); raise the synapse group's max_connections to leave "
            f"room for added synapses (the synapse was not added)")
    if error:
        from .runtime import init_error_message
        raise RuntimeError(init_error_message(error))


# ------------------------------------------------------------------------------- load
def attach_custom_connectivity_update(runtime, ccu, copy_init_values, load_egp) -> None:
    from ..codegen.custom_connectivity import ELEMENT, _var_dims

    for attr, getter, sparse in (("vars", "get_vars", True), ("pre_vars", "get_pre_vars", False),
                                 ("post_vars", "get_post_vars", False)):
        wrappers = getattr(ccu, attr)
        for var in getattr(ccu.model, getter)():
            wrapper = wrappers.get(var.name)
            if wrapper is None or (ccu.name, var.name) not in runtime.arrays:
                continue
            array = runtime.arrays[(ccu.name, var.name)]
            wrapper.set_array(array, view_shape=(array.spec.count,))
            copy_init_values(wrapper, array, sparse=sparse and bool(_var_dims(var) & ELEMENT))
    for egp_name, egp in ccu.extra_global_params.items():
        load_egp(runtime, ccu.name, param_arrays.MODEL.egp(egp_name), egp)
