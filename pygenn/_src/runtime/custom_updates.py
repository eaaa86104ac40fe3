"""Launching custom update groups and reading their timers.

Within one update group the launch order is GeNN's: custom connectivity host update code,
neuron-shaped updates, per-synapse updates (whose transposes are written by the same code, element
by element), custom connectivity row updates, then the remap (column rebuild) pass
(runtime/custom_connectivity.py).
"""
from __future__ import annotations

import ctypes

TIMER_KINDS = ("update", "transpose", "remap", "host")


def update_group_names(runtime) -> list:
    from .custom_connectivity import group_names
    return sorted(set(_custom_update_group_names(runtime)) | set(group_names(runtime)))


def _custom_update_group_names(runtime) -> list:
    custom = getattr(runtime.generated, "custom_updates", None)
    if custom is not None:
        return list(custom.group_names)
    return sorted(getattr(runtime.generated, "custom_update_kernels", {}) or {})


def _check_name(runtime, name: str):
    if name not in update_group_names(runtime):
        raise IndexError(f"No custom update group '{name}' in this model (custom update "
                         f"groups: {', '.join(update_group_names(runtime)) or 'none'})")


def _check_timer(runtime, name: str, kind: str):
    if kind not in TIMER_KINDS:
        raise ValueError(f"unknown custom update timer '{kind}'; expected one of "
                         f"{', '.join(TIMER_KINDS)}")
    if name not in update_group_names(runtime):
        raise RuntimeError(f"Cannot find symbol 'customUpdate{name}Time': no custom update "
                           f"group '{name}' in this model")


# ------------------------------------------------------------------------------------ CPU
def cpu_custom_update(runtime, name: str) -> None:
    from .custom_connectivity import run_host_updates, run_row_updates
    _check_name(runtime, name)
    run_host_updates(runtime, name)
    if name in _custom_update_group_names(runtime):
        function = getattr(runtime.lib, f"pygenn_custom_update_{name}")
        function.argtypes = [ctypes.c_uint64]
        function(runtime.timestep)
    run_row_updates(runtime, name)


def cpu_custom_update_time(runtime, name: str, kind: str = "update") -> float:
    _check_timer(runtime, name, kind)
    if kind in ("host", "remap"):
        from .custom_connectivity import get_time
        return get_time(runtime, name, kind)
    if name not in _custom_update_group_names(runtime):
        return 0.0
    if kind == "update":
        return ctypes.c_double.in_dll(runtime.lib, f"pygenn_time_custom_update_{name}").value
    if kind == "transpose":
        return ctypes.c_double.in_dll(
            runtime.lib, f"pygenn_time_custom_update_transpose_{name}").value
    return 0.0


# ------------------------------------------------------------------------------------ CUDA
def cuda_custom_update(runtime, name: str) -> None:
    """Launch the group's kernels directly on the runtime's stream (not part of the step
    graph, which stays valid: every kernel reads the timestep from device memory)."""
    from .custom_connectivity import run_host_updates, run_row_updates
    _check_name(runtime, name)
    run_host_updates(runtime, name)
    kernels = runtime.generated.custom_update_kernels.get(name, [])
    timers = runtime.__dict__.setdefault("_custom_update_timers", {})
    if runtime._timing:
        from . import cuda_driver as cu
        start, end = cu.Event(), cu.Event()
        start.record(runtime.stream)
    for kernel in kernels:
        runtime._launch(kernel)
    if runtime._timing:
        end.record(runtime.stream)
        end.synchronize()
        timers[name] = timers.get(name, 0.0) + cu.Event.elapsed_ms(start, end) / 1000.0
    run_row_updates(runtime, name)


def cuda_custom_update_time(runtime, name: str, kind: str = "update") -> float:
    _check_timer(runtime, name, kind)
    if kind in ("host", "remap"):
        from .custom_connectivity import get_time
        return get_time(runtime, name, kind)
    if kind == "update":
        return runtime.__dict__.get("_custom_update_timers", {}).get(name, 0.0)
    return 0.0
