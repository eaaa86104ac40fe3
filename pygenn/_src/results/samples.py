"""Variable values collected over time: ``Samples`` (times and values) and what converts to it.

pygenn has no variable recording of its own: scripts pull a variable now and then and keep a
copy, e.g. ``trace.append((model.t, pop.vars["V"].values.copy()))``. ``as_samples`` accepts such
a list of ``(t, values)`` snapshots, or a ``Samples`` built from arrays.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Samples(NamedTuple):
    """Values of a variable at a series of times.

    Parameters
    ----------
    times : numpy.ndarray
        Sample times in ms, shape ``(num_samples,)``, ascending.
    values : numpy.ndarray
        Shape ``(num_samples,)`` for one channel or ``(num_samples, num_channels)`` (e.g. one
        channel per neuron).

    Examples
    --------
    >>> every_ms = Samples.regular(np.zeros((100, 4)), dt=1.0)    # 100 samples, 1 ms apart
    >>> two = Samples.from_snapshots([(0.0, [1, 2]), (1.0, [3, 4])])
    """

    times: np.ndarray
    values: np.ndarray

    @classmethod
    def regular(cls, values, dt: float, t_start: float = 0.0) -> "Samples":
        """Samples taken every ``dt`` ms from ``t_start``.

        Parameters
        ----------
        values : array_like
            One entry per sample (axis 0), as for ``Samples``.
        dt : float
            Sampling period in ms (positive).
        t_start : float
            Time of the first sample in ms.

        Returns
        -------
        Samples
        """
        values = np.asarray(values)
        if values.ndim == 0:
            raise ValueError("values must have one entry per sample (axis 0)")
        if not dt > 0:
            raise ValueError(f"dt must be positive, not {dt!r}")
        return cls.checked(t_start + dt * np.arange(len(values)), values)

    @classmethod
    def from_snapshots(cls, snapshots) -> "Samples":
        """Samples from a sequence of ``(t, values)`` pairs, as a script collects them.

        Parameters
        ----------
        snapshots : iterable of (float, array_like)
            Time in ms and the values then (a number or a 1-D array, the same size in every
            pair), in ascending time.

        Returns
        -------
        Samples
        """
        snapshots = list(snapshots)
        if not snapshots:
            raise ValueError("no samples: the list of (t, values) snapshots is empty")
        try:
            times = [float(t) for t, _ in snapshots]
        except (TypeError, ValueError):
            raise TypeError("expected a sequence of (t, values) snapshots, e.g. "
                            "[(model.t, pop.vars['V'].values.copy()), ...]") from None
        values = [np.asarray(v) for _, v in snapshots]
        if len({v.shape for v in values}) > 1:
            raise ValueError(f"every snapshot must hold the same number of values (got shapes "
                             f"{sorted({v.shape for v in values})})")
        return cls.checked(np.array(times), np.stack(values))

    @classmethod
    def checked(cls, times, values) -> "Samples":
        """``Samples(times, values)`` after checking shapes and that times ascend.

        Parameters
        ----------
        times : array_like
            Sample times in ms, 1-D, strictly increasing.
        values : array_like
            Shape ``(num_samples,)`` or ``(num_samples, num_channels)``.

        Returns
        -------
        Samples
        """
        times = np.asarray(times, dtype=np.float64)
        values = np.asarray(values)
        if times.ndim != 1:
            raise ValueError(f"times must be 1-D, not of shape {times.shape}")
        if values.ndim not in (1, 2) or len(values) != len(times):
            raise ValueError(f"values must have shape (num_samples,) or (num_samples, "
                             f"num_channels) with num_samples = {len(times)}, not "
                             f"{values.shape}; for a batched model pick one batch")
        if np.any(np.diff(times) <= 0):
            raise ValueError("sample times must be strictly increasing")
        return cls(times, values)

    @property
    def values_2d(self) -> np.ndarray:
        """``values`` as ``(num_samples, num_channels)``."""
        return self.values.reshape(len(self.values), -1)

    def regular_period(self):
        """The sampling period in ms when the samples are evenly spaced (to 1e-9 relative),
        else None (also for fewer than two samples)."""
        if len(self.times) < 2:
            return None
        steps = np.diff(self.times)
        period = (self.times[-1] - self.times[0]) / (len(self.times) - 1)
        if np.allclose(steps, period, rtol=1e-9, atol=0.0):
            return period
        return None


def as_samples(source, name: str = "variable") -> Samples:
    """``source`` as ``Samples``: a ``Samples`` or a sequence of ``(t, values)`` snapshots."""
    if isinstance(source, Samples):
        return Samples.checked(source.times, source.values)
    if isinstance(source, np.ndarray):
        raise TypeError(f"{name}: a bare array has no sample times; wrap it as "
                        f"Samples.regular(values, dt=...) or Samples(times, values)")
    try:
        return Samples.from_snapshots(source)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name}: {error}") from None
