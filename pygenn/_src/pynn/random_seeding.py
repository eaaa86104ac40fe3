"""Seeding of PyNN random distributions from ``setup(rng_seed=...)``.

PyNN gives a ``RandomDistribution`` created without an ``rng`` its own unseeded ``NumpyRNG``.
When ``setup()`` received a seed, this backend gives each such distribution, when it is first
used, a generator of its own seeded from that seed (in the order the script uses them), so that
a script builds the same network on every run.
"""
import numpy as np
from pyNN.parameters import LazyArray, ParameterSpace
from pyNN.random import NumpyRNG, RandomDistribution


class DistributionSeeder:
    """Hands out independent NumpyRNGs derived from one seed."""

    def __init__(self, seed):
        self._sequence = np.random.SeedSequence(int(seed))

    def new_rng(self) -> NumpyRNG:
        child = self._sequence.spawn(1)[0]
        return NumpyRNG(seed=int(child.generate_state(1)[0] & 0x7FFFFFFF))


def _is_unseeded(rng) -> bool:
    return isinstance(rng, NumpyRNG) and rng.seed is None


def seed_unseeded_distributions(values, seeder):
    """Give a seeded generator to every unseeded RandomDistribution in ``values``.

    Parameters
    ----------
    values : ParameterSpace, LazyArray or RandomDistribution
        Where to look for distributions.
    seeder : DistributionSeeder or None
        Source of the generators; None leaves everything as it is.
    """
    if seeder is None:
        return
    if isinstance(values, ParameterSpace):
        for name in values.keys():  # noqa: SIM118 - iterating a ParameterSpace yields points
            seed_unseeded_distributions(values[name], seeder)
    elif isinstance(values, LazyArray):
        seed_unseeded_distributions(values.base_value, seeder)
    elif isinstance(values, RandomDistribution) and _is_unseeded(values.rng):
        values.rng = seeder.new_rng()
