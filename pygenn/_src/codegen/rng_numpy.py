"""NumPy reference of the counter-based RNG in ``rng.py``, vectorised over elements.

It reproduces the generated C/CUDA code word for word: the same Philox4x32-10 blocks, the same
stream layout (see ``rng.py``) and the same number of 32-bit words per draw. The raw words and the
uniform draws are bit-identical to the C code; normal and exponential draws go through ``log``,
``cos`` and ``sqrt``, which libm, CUDA and NumPy each round in their own way, so they agree to a
few units in the last place rather than bit for bit.
"""
from __future__ import annotations

import numpy as np

# Philox4x32 constants (Salmon et al., SC'11): round multipliers and the Weyl key increments
PHILOX_M0 = 0xD2511F53
PHILOX_M1 = 0xCD9E8D57
PHILOX_W0 = 0x9E3779B9
PHILOX_W1 = 0xBB67AE85
PHILOX_ROUNDS = 10

# Stream layout (must match rng.py):
# ctr = {element, step_lo, step_hi | stream << STEP_HI_BITS, block}
STEP_BITS = 40
STREAM_BITS = 24
STEP_HI_BITS = STEP_BITS - 32

_MASK32 = np.uint64(0xFFFFFFFF)
_TWO_PI_F = np.float32(6.2831853071795864)
_TWO_PI_D = 6.2831853071795864


def _mulhilo(multiplier: int, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    product = np.uint64(multiplier) * x.astype(np.uint64)
    return product >> np.uint64(32), product & _MASK32


def philox4x32_10(ctr, key) -> np.ndarray:
    """Philox4x32-10 of counters ``ctr`` (..., 4) under keys ``key`` (..., 2); uint32 (..., 4)."""
    ctr = np.asarray(ctr, dtype=np.uint64) & _MASK32
    key = np.asarray(key, dtype=np.uint64) & _MASK32
    c0, c1, c2, c3 = (ctr[..., i] for i in range(4))
    k0, k1 = key[..., 0], key[..., 1]
    for round_index in range(PHILOX_ROUNDS):
        if round_index:
            k0 = (k0 + np.uint64(PHILOX_W0)) & _MASK32
            k1 = (k1 + np.uint64(PHILOX_W1)) & _MASK32
        hi0, lo0 = _mulhilo(PHILOX_M0, c0)
        hi1, lo1 = _mulhilo(PHILOX_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return np.stack([c0, c1, c2, c3], axis=-1).astype(np.uint32)


def stream_key(seed: int) -> np.ndarray:
    """The Philox key of a seed: its low and high 32-bit halves."""
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    return np.array([seed & 0xFFFFFFFF, seed >> 32], dtype=np.uint32)


def stream_counter(stream: int, elements, step: int, block: int = 0) -> np.ndarray:
    """Counters (len(elements), 4) of block ``block`` of each element's stream."""
    elements = np.atleast_1d(np.asarray(elements, dtype=np.uint64)) & _MASK32
    step = int(step) & ((1 << STEP_BITS) - 1)
    high_word = (step >> 32) | ((int(stream) & ((1 << STREAM_BITS) - 1)) << STEP_HI_BITS)
    ctr = np.empty((len(elements), 4), dtype=np.uint64)
    ctr[:, 0] = elements
    ctr[:, 1] = step & 0xFFFFFFFF
    ctr[:, 2] = high_word
    ctr[:, 3] = block & 0xFFFFFFFF
    return ctr


class RngStreams:
    """The streams ``(seed, stream, element, step)`` of many elements, drawn in lockstep.

    Like ``GeNNRNG`` in C, each stream is read word by word; every draw method consumes a fixed
    number of words, so after the same calls the NumPy and C streams sit at the same position.
    Results have shape ``(len(elements), count)``.
    """

    def __init__(self, seed: int, stream: int, elements, step: int = 0):
        self.key = stream_key(seed)
        self.stream = int(stream)
        self.elements = np.atleast_1d(np.asarray(elements, dtype=np.uint64))
        self.step = int(step)
        self.position = 0  # words consumed so far, the same for every element

    def next_u32(self, count: int = 1) -> np.ndarray:
        """The next ``count`` 32-bit words of every stream (uint32)."""
        first_block, last_block = self.position // 4, (self.position + count - 1) // 4
        blocks = [self._block(b) for b in range(first_block, last_block + 1)]
        words = np.concatenate(blocks, axis=1) if blocks else np.empty((len(self.elements), 0))
        start = self.position - 4 * first_block
        self.position += count
        return words[:, start:start + count].astype(np.uint32)

    def _block(self, block: int) -> np.ndarray:
        ctr = stream_counter(self.stream, self.elements, self.step, block)
        return philox4x32_10(ctr, np.broadcast_to(self.key, (len(self.elements), 2)))

    def uniform_f(self, count: int = 1) -> np.ndarray:
        """Float32 uniforms in [0, 1): the top 24 bits of one word each."""
        return _u32_to_float(self.next_u32(count))

    def uniform_d(self, count: int = 1) -> np.ndarray:
        """Float64 uniforms in [0, 1): 53 bits from two words each."""
        words = self.next_u32(2 * count).astype(np.uint64)
        return _u32_pair_to_double(words[:, 0::2], words[:, 1::2])

    def normal_f(self, count: int = 1) -> np.ndarray:
        """Float32 N(0, 1) by Box-Muller (cosine branch), two words each."""
        words = self.next_u32(2 * count)
        radius_u = np.float32(1.0) - _u32_to_float(words[:, 0::2])
        angle_u = _u32_to_float(words[:, 1::2])
        radius = np.sqrt(np.float32(-2.0) * np.log(radius_u))
        return (radius * np.cos(_TWO_PI_F * angle_u)).astype(np.float32)

    def normal_d(self, count: int = 1) -> np.ndarray:
        """Float64 N(0, 1) by Box-Muller (cosine branch), four words each."""
        words = self.next_u32(4 * count).astype(np.uint64)
        radius_u = 1.0 - _u32_pair_to_double(words[:, 0::4], words[:, 1::4])
        angle_u = _u32_pair_to_double(words[:, 2::4], words[:, 3::4])
        return np.sqrt(-2.0 * np.log(radius_u)) * np.cos(_TWO_PI_D * angle_u)

    def exponential_f(self, count: int = 1) -> np.ndarray:
        """Float32 Exp(1) as -log(1 - u), one word each."""
        return (-np.log(np.float32(1.0) - self.uniform_f(count))).astype(np.float32)

    def exponential_d(self, count: int = 1) -> np.ndarray:
        """Float64 Exp(1) as -log(1 - u), two words each."""
        return -np.log(1.0 - self.uniform_d(count))


def _u32_to_float(words: np.ndarray) -> np.ndarray:
    return (words >> np.uint32(8)).astype(np.float32) * np.float32(2.0 ** -24)


def _u32_pair_to_double(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    high = (first >> np.uint64(5)).astype(np.float64)
    low = (second >> np.uint64(6)).astype(np.float64)
    return (high * 67108864.0 + low) * (2.0 ** -53)
