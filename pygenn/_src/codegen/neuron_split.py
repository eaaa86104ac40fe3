"""The CPU neuron update in two passes: a vectorisable state pass, then a spike pass.

The unsplit update appends each spike to the spike list (a loop-carried counter, or bit flags on
the multi-threaded backend) and sets its recording bit inside the neuron loop, under the
threshold's branch; GCC then cannot vectorise the loop. Split, the neuron loop (the *state
pass*) runs sim code, postsynaptic models, current sources, the threshold, weight-update
pre/post code and the reset exactly as before but only stores one byte per neuron (1: spiked)
into the scratch array ``spkByte``; spike-time writes become unconditional selects. The *spike
pass* then walks those bytes in id order, 32 at a time, appends the spikes and writes whole
recording words. Lists, spike times and recordings are exactly the unsplit loop's.

Why the reordering is safe: the spike list, its count and the recording words are never read
by neuron, postsynaptic, current-source or weight-update pre/post code, so appending after the
loop instead of inside it changes nothing they see; spike times are read through the local
``_lst`` loaded before any of that code. Groups with spike-like events keep the unsplit loop
(their event lists are appended in the same branchy way).

The state pass carries ``#pragma omp simd`` (``omp for simd`` when threaded) where no code in
it can reach memory shared between neurons (extra global parameters), so GCC vectorises it at
-O2 whatever the trip count; IEEE arithmetic is identical per lane (no reassociation, no FMA
contraction), so results stay bit-identical to the scalar loop. Only for targets that declare
``split_spike_pass`` (the CPU ones): ``ModelPlan.splits_spike_pass`` decides which groups split
and registers the scratch array.
"""
from __future__ import annotations

from .batching import recording_row
from .stream import CodeStream, model_name

def simd_safe(gen) -> bool:
    """Whether the state pass may carry ``omp simd``: no snippet whose code runs in it has
    extra global parameters (user code could write one cell from several neurons)."""
    ng = gen.ng
    snippets = [ng.model]
    snippets += [sg.ps_initialiser.snippet for sg in ng.in_syn]
    snippets += [sg.wu_initialiser.snippet for sg in list(ng.in_syn) + list(ng.out_syn)]
    snippets += [cs.model for cs in ng.current_sources]
    return not any(snippet.get_extra_global_params() for snippet in snippets)


def state_pass_spike(gen, s: CodeStream, cond: str, env) -> None:
    """The threshold's part of the state pass: weight-update spike code and the reset under
    the threshold as before, then the spike byte and spike times stored unconditionally."""
    ng, nplan = gen.ng, gen.nplan
    s.line(f"const bool _spike = {cond};")
    with s.block("if (_spike)"):
        for sg, side in gen.weight_update_sides():
            gen.weight_update_code(s, sg, side, "spike")
        gen.run_code(s, nplan.reset, env, f"neuron model '{model_name(ng.model)}' reset_code")
    s.line(f"{gen.arr(ng.name, 'spkByte')}[_id] = (uint8_t)_spike;")
    queued = gen.d > 1 and nplan.spike_queue
    if nplan.needs_st:
        # _lst holds the read slot's time: the slot written here unless the queue moved on
        cell = gen.arr(ng.name, "sT") + f"[{gen._index(gen.slot_offset('cur') if queued else '0')}]"
        s.line(f"{cell} = _spike ? _t : _lst;")
    if queued and nplan.needs_prev_st:
        prev = gen.arr(ng.name, "prevST")
        s.line(f"{prev}[_writeOffset + _id] = _spike ? {prev}[_writeOffset + _id] : "
               f"{prev}[_readOffset + _id];")


def spike_pass(gen) -> str:
    """Serial code after the state pass: spikes listed in id order and recording words
    written whole (so the prologue need not clear them)."""
    ng = gen.ng
    s = CodeStream()
    slot = gen._queue_slot()
    count, events = gen.arr(ng.name, "spkCnt"), gen.arr(ng.name, "spk")
    offset = f"{slot} * {gen.N} + " if gen.nplan.spike_queue and gen.d > 1 else ""
    record = gen.arr(ng.name, "recordSpk") if ng.spike_recording_enabled else None
    with s.block():
        s.line(f"const uint8_t *const _bytes = {gen.arr(ng.name, 'spkByte')};")
        s.line(f"uint32_t _count = {count}[{slot}];")
        with s.block(f"for (uint32_t _w = 0; _w < {gen.words}; _w++)"):
            # most words hold no spike: test 32 bytes as four 64-bit words first
            s.line("uint64_t _q[4];")
            s.line("__builtin_memcpy(_q, _bytes + _w * 32u, 32);")
            s.line("uint32_t _bits = 0;")
            with s.block("if ((_q[0] | _q[1] | _q[2] | _q[3]) != 0)"):
                with s.block("for (uint32_t _j = 0; _j < 32u; _j++)"):
                    s.line("_bits |= (uint32_t)_bytes[_w * 32u + _j] << _j;")
            if record is not None:
                s.line(f"{record}[{recording_row(gen.plan)} * {gen.words} + _w] = _bits;")
            with s.block("while (_bits != 0)"):
                s.line(f"{events}[{offset}_count++] = _w * 32u + (uint32_t)__builtin_ctz(_bits);")
                s.line("_bits &= _bits - 1u;")
        s.line(f"{count}[{slot}] = _count;")
    return str(s)

