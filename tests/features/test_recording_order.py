"""Order of ids within one timestep of recorded spikes and spike-like events.

GeNN decodes each 32-bit recording word from its highest bit down: ids come step by step, word
by word, and descending inside a word. Programs that take the "first" spike of a step
(``ids[np.argmin(times)]``, GeNN's mushroom-body tutorial) depend on it.
"""
import numpy as np

from pygenn import (create_neuron_model, create_weight_update_model, init_postsynaptic,
                    init_sparse_connectivity, init_weight_update)
from pygenn._src.runtime.base import decode_recording_words

N, STEPS = 70, 9
PATTERN = "((id * 7u) + (unsigned int)round(t)) % 3u == 0u"


def _genn_order(step_ids):
    """Expected order, written out: words ascending, bits 31..0 within a word."""
    out = []
    for word in range(0, max(step_ids, default=0) // 32 + 1):
        out += [i for i in range(word * 32 + 31, word * 32 - 1, -1) if i in step_ids]
    return out


def _expected():
    times, ids = [], []
    for step in range(STEPS):
        spiking = {i for i in range(N) if (i * 7 + step) % 3 == 0}
        order = _genn_order(spiking)
        times += [float(step)] * len(order)
        ids += order
    return np.array(times), np.array(ids)


def test_spikes_and_events_come_in_genn_order(make_model):
    model = make_model()
    pattern = create_neuron_model("pattern", threshold_condition_code=PATTERN)
    events = create_weight_update_model(
        "events", pre_event_threshold_condition_code=PATTERN,
        pre_event_syn_code="addToPost(0.0);")
    pre = model.add_neuron_population("Pre", N, pattern)
    post = model.add_neuron_population("Post", N, create_neuron_model("empty"))
    sg = model.add_synapse_population("S", "SPARSE", pre, post, init_weight_update(events),
                                      init_postsynaptic("DeltaCurr"),
                                      init_sparse_connectivity("OneToOne"))
    pre.spike_recording_enabled = True
    pre.spike_event_recording_enabled = True
    model.build_load(num_recording_timesteps=STEPS)
    for _ in range(STEPS):
        model.step_time()
    model.pull_recording_buffers_from_device()
    expected_times, expected_ids = _expected()
    for times, ids in (pre.spike_recording_data[0], sg.pre_spike_event_recording_data[0]):
        np.testing.assert_array_equal(times, expected_times)
        np.testing.assert_array_equal(ids, expected_ids)
        assert ids.dtype == np.int32 and times.dtype == np.float64


def test_decode_matches_a_bit_by_bit_reading():
    rng = np.random.default_rng(5)
    words = rng.integers(0, 2**32, size=(6, 4), dtype=np.uint64).astype(np.uint32)
    words[2] = 0
    words[3, 1] = 0x80000001
    rows, ids = decode_recording_words(words)
    expected = [(r, w * 32 + bit) for r in range(words.shape[0]) for w in range(words.shape[1])
                for bit in range(31, -1, -1) if (int(words[r, w]) >> bit) & 1]
    assert list(zip(rows.tolist(), ids.tolist())) == expected
