"""Conventions generated code and its runtime share (beyond the manifest's records).

Code generation writes them into the source and the runtime reads them back; neither imports
the other, both import this module: the marker comments around pasted user code (a compiler or
sanitizer report points at a line, and the markers say which code string it is in), the kinds of
failed ``debug_code`` checks and the values of ``_initError``.
"""
from __future__ import annotations

import re
import zlib

# ---------------------------------------------------------------------- user-code markers
MARKER_TAG = "(code string)"
# The markers around pasted user code: the ones ``CodeStream.user_code`` writes, and the weight
# update bodies the synapse generators mark themselves ("// ---- weight update model 'X' role
# ----" ... "// ---- end ----")
USER_CODE_BEGIN = re.compile(r"^\s*// ---- (?!end )(.*) ---- \(code string\)$"
                             r"|^\s*// ---- (weight update model '.*' \w+) ----$")
USER_CODE_END = re.compile(r"^\s*// ---- end .* ---- \(code string\)$|^\s*// ---- end ----$")


def user_code_origin(source: str, line: int) -> str | None:
    """The origin named by the user-code markers around 1-based ``line`` of ``source``."""
    lines = source.split("\n")
    for index in range(min(line, len(lines)) - 1, -1, -1):
        if USER_CODE_END.match(lines[index]) and index != line - 1:
            return None
        begin = USER_CODE_BEGIN.match(lines[index])
        if begin:
            return begin.group(1) or begin.group(2)
    return None


# ---------------------------------------------------------------------- timers
# the phases ``timing_enabled`` times: CPU libraries export ``pygenn_time_<phase>``, the CUDA
# runtime times the same phases with events
TIMED_PHASES = ("neuron_update", "presynaptic_update", "postsynaptic_update",
                "synapse_dynamics", "init", "init_sparse")


# ---------------------------------------------------------------------- random numbers
def stream_id(*names: str) -> int:
    """A stable 32-bit RNG stream id for a (group, purpose) pair: generated code's Philox
    streams and the host generators pygenn fills arrays with are keyed by it."""
    return zlib.crc32("/".join(names).encode()) & 0xFFFFFFFF


# ---------------------------------------------------------------------- debug checks
# what a failed check was (the ``kind`` of ``_debugError``)
INDEX_OUT_OF_BOUNDS = 1
DIVISION_BY_ZERO = 2
DIVISION_OVERFLOW = 3

# ---------------------------------------------------------------------- _initError
ROW_OVERFLOW = 1            # a connectivity snippet built a row longer than max_connections
COLUMN_OVERFLOW = 2         # more synapses target one neuron than max_source_connections
ROW_FULL = 3                # a custom connectivity update added a synapse to a full row


def init_error_message(code: int) -> str:
    """What a non-zero ``_initError`` set by generated initialisation code means."""
    if code == COLUMN_OVERFLOW:
        return ("More synapses target one neuron than max_source_connections allows; raise the "
                "synapse group's max_source_connections (or fix the snippet's "
                "calc_max_col_len_func)")
    return ("A sparse connectivity snippet generated more synapses in a row than "
            "max_connections allows; raise the synapse group's max_connections (or fix the "
            "snippet's calc_max_row_len_func)")
