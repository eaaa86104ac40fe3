"""PyNN backend on pygenn: ``import pygenn.pynn as sim`` (needs ``pip install "pygenn[pynn]"``).

Importing it also makes it available to PyNN under the name ``pyNN.pygenn`` (for scripts that
pick their backend with ``pyNN.utility.get_simulator``), without changing PyNN's files.
"""
import sys as _sys

try:
    import pyNN as _pyNN
except ImportError as _error:  # pragma: no cover - depends on the environment
    raise ImportError('pygenn.pynn needs PyNN 0.13: pip install "pygenn[pynn]"') from _error

from pygenn._src.pynn import *  # noqa: F403 - a PyNN backend module is its simulator API
from pygenn._src.pynn import list_standard_models  # noqa: F401

_sys.modules.setdefault("pyNN.pygenn", _sys.modules[__name__])
if not hasattr(_pyNN, "pygenn"):
    _pyNN.pygenn = _sys.modules[__name__]
