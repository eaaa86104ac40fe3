"""What the generators may ask of a backend: the declared ``Target`` and the target registry.

Generators are backend-independent: wherever the generated code differs between backends they
ask the *target* for a spelling (a loop over elements, an atomic update, a list append) or read
one of its *capabilities* (a documented attribute with the default below). The plan reads the
capabilities too (``ModelPlan.target``): which arrays exist depends on them, never on a backend's
name. Each backend subclasses ``Target`` (backends/cpu.py, backends/cuda.py) and registers a
factory under its name with ``register_target``; codegen itself never imports a backend.
"""
from __future__ import annotations

from typing import Callable

from .dialect import GeneratedCodeDialect


class Target:
    """A backend's spellings of the operations that differ between backends, and its
    capabilities.

    Attributes
    ----------
    dialect : GeneratedCodeDialect
        How user code is printed (local names; checked subscripts in debug builds).
    parallel : bool
        Host threads (OpenMP) share the neuron update of large populations and the presynaptic
        update; spikes are then flagged per neuron and listed in id order after the loop, so
        results equal the serial loop's.
    concurrent_elements : bool
        The iterations of ``element_loop`` run at once (GPU threads): updates that several
        iterations make to one location need atomics, and reductions fold each thread's
        partial result into the target.
    staged_spike_counts : bool
        The neuron update counts a step's spikes and events into a staging counter
        (``spkCntNext``) that a later kernel publishes with the queue pointer's advance, so no
        kernel is needed between the synaptic phases and the neuron update.
    split_spike_pass : bool
        A neuron update with a threshold and no spike-like events runs as a vectorisable state
        pass plus a serial spike pass (``codegen/neuron_split.py``); the plan then registers the
        spike-byte scratch array.
    warp_recording : bool
        Spike and event recording words are gathered per warp (``__ballot_sync``) and written
        whole, so nothing clears the recording row first.
    warp_lanes : int
        Threads that run one PROCEDURAL row together (``codegen/matrix_types.py``); 1: a row
        per iteration.
    """

    dialect: GeneratedCodeDialect = GeneratedCodeDialect()
    parallel: bool = False
    concurrent_elements: bool = False
    staged_spike_counts: bool = False
    split_spike_pass: bool = False
    warp_recording: bool = False
    warp_lanes: int = 1

    def append_to_list(self, count: str, slot: str, events: str, offset: str, value: str,
                       flags=None) -> str:
        """C statement appending ``value`` to the list ``events`` (from element ``offset``)
        whose length is ``count[slot]``; with ``flags`` a target may instead set the value's
        bit in that word array and list the set bits later."""
        raise NotImplementedError

    def atomic_or(self, location: str, bits: str) -> str:
        """C statement or-ing ``bits`` into ``location``, safe where elements run at once."""
        raise NotImplementedError

    def add_to(self, location: str, value: str) -> str:
        """C expression adding ``value`` to ``location``, safe where elements run at once."""
        raise NotImplementedError

    def fetch_add(self, location: str, value: str) -> str:
        """C expression adding ``value`` to ``location`` and giving the old value."""
        raise NotImplementedError

    def element_loop(self, index: str, count: str) -> str:
        """Header of a loop in which ``index`` covers ``0 .. count - 1`` (on a GPU, the part of
        the range this thread owns)."""
        raise NotImplementedError

    def independent_loop(self, index: str, count: str) -> str:
        """Header of a loop whose iterations touch disjoint memory and draw random numbers
        keyed by the iteration (sparse rows at initialisation), so a target may run them in any
        order; by default ``element_loop``."""
        return self.element_loop(index, count)


_TARGETS: dict[str, Callable[[], Target]] = {}


def register_target(backend_name: str, factory: Callable[[], Target]) -> None:
    """Register the target of the backend called ``backend_name``.

    Parameters
    ----------
    backend_name : str
        The backend's name (``"single_threaded_cpu"``, ``"cuda"`` ...), as ``ModelPlan`` is
        given it.
    factory : callable
        Returns a new ``Target``; called once per plan, so a backend module that is costly to
        import is only imported when a model is planned for it.
    """
    _TARGETS[backend_name] = factory


def target_for(backend_name: str) -> Target:
    """A new target of the backend called ``backend_name``.

    Raises
    ------
    KeyError
        No backend registered a target under that name.
    """
    try:
        factory = _TARGETS[backend_name]
    except KeyError:
        raise KeyError(f"No code generation target is registered for backend "
                       f"'{backend_name}'; registered: {', '.join(sorted(_TARGETS))}") from None
    return factory()
