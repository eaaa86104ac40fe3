"""The backends. Each registers its code generation target here, by name, with
``codegen.target.register_target``: the plan reads a target's capabilities without knowing
which backend it belongs to, and codegen never imports a backend. The factories import the
backend's module only when a model is planned for it (it imports every generator)."""
from __future__ import annotations

from ..codegen.target import Target, register_target


def _single_threaded_cpu() -> Target:
    from .cpu import CpuTarget
    return CpuTarget()


def _multi_threaded_cpu() -> Target:
    from .cpu import MultiThreadedCpuTarget
    return MultiThreadedCpuTarget()


def _cuda() -> Target:
    from .cuda import CudaTarget
    return CudaTarget()


register_target("single_threaded_cpu", _single_threaded_cpu)
register_target("multi_threaded_cpu", _multi_threaded_cpu)
register_target("cuda", _cuda)
