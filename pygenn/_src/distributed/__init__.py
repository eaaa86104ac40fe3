"""One ``GeNNModel`` over several ranks (processes), identical to one rank (issue 16).

Layers, top to bottom: ``model`` (``DistributedGeNNModel``: the build/load/step/recording
lifecycle), ``partition`` (which rank simulates what), ``support`` (what cannot cross ranks),
``localise`` (a rank's part of the model as the ordinary build sees it), ``exchange`` (spikes and
recordings between ranks), ``transport`` (the collectives: one process, local processes, MPI)
and ``launch`` (starting local ranks).
"""
from __future__ import annotations

import os

from ..interface.genn_model import register_model_class_hook
from .transport import ENV_DISTRIBUTION, ENV_NUM_RANKS


def requested(kwargs: dict) -> bool:
    """Whether ``GeNNModel(**kwargs)`` in this process should be a distributed model."""
    return ("distribution" in kwargs or "partition" in kwargs or "overlap_exchange" in kwargs
            or bool(os.environ.get(ENV_DISTRIBUTION)) or ENV_NUM_RANKS in os.environ)


def model_class():
    """``DistributedGeNNModel``, imported on first use (it needs the whole interface)."""
    from .model import DistributedGeNNModel
    return DistributedGeNNModel


def _model_class_for(kwargs: dict):
    """The class ``GeNNModel(**kwargs)`` creates when a distribution is requested, else None."""
    return model_class() if requested(kwargs) else None


# GeNNModel.__new__ asks this hook; pygenn/__init__.py imports this package so it is registered
register_model_class_hook(_model_class_for)
