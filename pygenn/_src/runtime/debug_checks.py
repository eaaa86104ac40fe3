"""Reading what a debug or sanitizer build found while native code ran, as Python exceptions.

After every native call of a CPU runtime whose library has them, ``NativeChecks.check`` looks at
the library's ``_debugError`` slot (checks of user code, codegen/debug_checks.py) and at the UBSan
monitor (build/sanitizers.py), resets them, and raises ``DebugCheckError`` or ``SanitizerError``.
A failed check touched no memory and the call ran to its end, so the model stays usable: the
state is that of a step in which the failed accesses read 0 and wrote nothing.
"""
from __future__ import annotations

import ctypes
import os

from .. import contract as codes
from ..errors import DebugCheckError, SanitizerError

_PROBLEMS = {codes.INDEX_OUT_OF_BOUNDS: "index out of bounds",
             codes.DIVISION_BY_ZERO: "division by zero",
             codes.DIVISION_OVERFLOW: "division overflow"}


class DebugErrorSlot(ctypes.Structure):
    """``PygennDebugError`` of ``debug_checks.DEBUG_PRELUDE``."""

    _fields_ = [("kind", ctypes.c_uint32), ("site", ctypes.c_uint32),
                ("value", ctypes.c_int64), ("size", ctypes.c_uint64),
                ("count", ctypes.c_uint64)]


class NativeChecks:
    """The error sources of one loaded library: its check slot and/or the UBSan monitor."""

    def __init__(self, lib, manifest, monitor=None):
        self.manifest = manifest
        self.monitor = monitor
        self.slot = None
        if manifest.debug_code:
            size = ctypes.c_size_t.in_dll(lib, "_debugError_size").value
            if size != ctypes.sizeof(DebugErrorSlot):
                raise RuntimeError(f"internal error: _debugError is {size} bytes in C but "
                                   f"{ctypes.sizeof(DebugErrorSlot)} in Python")
            self.slot = DebugErrorSlot.in_dll(lib, "_debugError")

    @classmethod
    def for_library(cls, lib, manifest, monitor=None):
        """The checks of ``lib`` (a model library with its ``RuntimeManifest``); None when it
        has none (release builds)."""
        if not manifest.debug_code and monitor is None:
            return None
        return cls(lib, manifest, monitor)

    def check(self, call: str) -> None:
        """Raise what the native ``call`` (e.g. "step_time at timestep 3") ran into."""
        if self.slot is not None and self.slot.count:
            record = DebugErrorSlot.from_buffer_copy(self.slot)
            ctypes.memset(ctypes.addressof(self.slot), 0, ctypes.sizeof(DebugErrorSlot))
            self._discard_ubsan_reports()      # one exception per call: the check's
            raise debug_check_error(self.manifest.debug_sites, record, call)
        if self.monitor is not None and self.monitor.counter.value:
            count, report, file, line = self.monitor.take()
            raise sanitizer_error(self.manifest.sources, count, report, file, line, call)

    def _discard_ubsan_reports(self):
        if self.monitor is not None and self.monitor.counter.value:
            self.monitor.take()


def debug_check_error(sites, record, call: str) -> DebugCheckError:
    """The exception for the first failed check of a native call."""
    site = sites[record.site]
    problem = _PROBLEMS.get(record.kind, f"check {record.kind}")
    where = f"{site.description} (code string '{site.role}')"
    if record.kind == codes.INDEX_OUT_OF_BOUNDS:
        valid = (f"valid indices are 0 to {record.size - 1}" if record.size
                 else "it has no elements")
        what = (f"{where} indexed {site.what} at {record.value}, but it has {record.size} "
                f"element{'s' if record.size != 1 else ''} ({valid})")
        effect = "the access was skipped (a read gave 0, a write was dropped)"
    else:
        op = site.what.strip("'")
        divisor = "0" if record.kind == codes.DIVISION_BY_ZERO else "-1"
        reason = ("integer division by zero" if record.kind == codes.DIVISION_BY_ZERO
                  else "the quotient does not fit its integer type")
        what = f"{where} computed {record.value} {op} {divisor}: {reason}"
        effect = "the result was taken as 0"
    more = record.count - 1
    also = (f" {more} more check{'s' if more != 1 else ''} failed in the same call."
            if more > 0 else "")
    message = (f"debug_code check failed in {call}: {what}. The call ran to its end and "
               f"{effect}.{also}")
    return DebugCheckError(message, group=site.group, code_string=site.description,
                           role=site.role, problem=problem, subject=site.what,
                           value=record.value, size=record.size, count=record.count)


def sanitizer_error(sources: dict, count: int, report: str, file: str, line: int,
                    call: str) -> SanitizerError:
    """The exception for UBSan's first report during a native call."""
    from ..contract import user_code_origin

    name = os.path.basename(file) if file else ""
    text = sources.get(name) if name else None
    origin = user_code_origin(text, line) if text and line else None
    if name:
        # the library was compiled in a build folder since removed; the same text is in the
        # model's <name>_CODE folder
        report = report.replace(file, name)
    where = (f" It is in code pasted from {origin}." if origin
             else " It is in code pygenn wrote itself: please report it as a pygenn bug.")
    more = f" ({count - 1} more report{'s' if count != 2 else ''} in the same call)" \
        if count > 1 else ""
    message = (f"UndefinedBehaviorSanitizer found undefined behaviour in {call}: "
               f"{report}{more}.{where}")
    return SanitizerError(message, report=report, code_string=origin, count=count)
