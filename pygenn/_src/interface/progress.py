"""Progress bars for long builds and long ``step_time(n)`` calls (tqdm, an optional dependency).

A bar appears only once the work has already taken ``DELAY_SECONDS``, and only when stderr is a
terminal, tqdm is installed, the model's ``show_progress`` is true and the environment variable
``PYGENN_PROGRESS`` is not ``0`` (or ``false``/``no``/``off``). Until the delay has passed an
update costs a lock and a clock read, and tqdm is not even imported. ``step_time(n)`` updates
its bar once per chunk of steps (``stepping.run_steps``), a build once per phase.

A bar that does get shown is left on the terminal when the work ends (tqdm's ``leave=True``).
"""
from __future__ import annotations

import os
import sys
import threading
import time

#: seconds of work before a bar appears (tests set it to 0)
DELAY_SECONDS = 2.0
#: how often a build's bar redraws its elapsed time while one phase (a compile) runs
TICK_SECONDS = 0.5
#: environment variable that turns every bar off when set to one of ``OFF_VALUES``
ENV_VAR = "PYGENN_PROGRESS"
OFF_VALUES = frozenset({"0", "false", "no", "off"})
#: the phases of ``GeNNModel.build()``, in order
BUILD_PHASES = ("plan", "generate", "compile")


def bars_allowed(stream=None) -> bool:
    """Whether a bar may be drawn on ``stream`` (default stderr): a terminal, tqdm installed
    and ``PYGENN_PROGRESS`` not turned off."""
    if os.environ.get(ENV_VAR, "").strip().lower() in OFF_VALUES:
        return False
    stream = sys.stderr if stream is None else stream
    try:
        if stream is None or not stream.isatty():
            return False
    except (AttributeError, ValueError):      # no isatty, or a closed stream
        return False
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


class DelayedBar:
    """Counts work done and shows a tqdm bar once the work has taken ``DELAY_SECONDS``.

    Parameters
    ----------
    total : int
        Units of work in all.
    description : str
        Text in front of the bar.
    unit : str
        Name of one unit of work ("step").
    enabled : bool
        False: never show a bar (the count is still kept).
    tick : bool
        Redraw the bar from a background thread every ``TICK_SECONDS``, and show it after the
        delay even when no update arrives (for work done in a few long phases).
    unit_scale : bool
        Counts in k, M, ... (tqdm's ``unit_scale``).
    bar_format : str, optional
        tqdm's ``bar_format``.
    """

    def __init__(self, total: int, description: str, unit: str, *, enabled: bool = True,
                 tick: bool = False, unit_scale: bool = True, bar_format: str | None = None):
        self.total = total
        self.done = 0
        self._description = description
        self._unit = unit
        self._unit_scale = unit_scale
        self._bar_format = bar_format
        self._postfix = None
        self._enabled = enabled
        self._start = time.perf_counter()
        self._start_wall = time.time()          # tqdm's clock, for the elapsed time it shows
        self._bar = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._ticker = None
        if enabled and tick:
            self._ticker = threading.Thread(target=self._tick, name="pygenn-progress",
                                            daemon=True)
            self._ticker.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def shown(self) -> bool:
        """Whether the bar has been drawn."""
        return self._bar is not None

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units of work done."""
        with self._lock:                        # the redraw thread may be making the bar
            self.done += count
            if self._bar is not None:
                self._bar.update(count)
                return
        if self._enabled and time.perf_counter() - self._start >= DELAY_SECONDS:
            self._show()

    def set_postfix(self, text: str) -> None:
        """Text after the bar (a build's current phase)."""
        self._postfix = text
        if self._bar is not None:
            with self._lock:
                self._bar.set_postfix_str(text, refresh=True)

    def close(self) -> None:
        """Stop the redraw thread and finish the bar (if it was shown)."""
        self._closed.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        with self._lock:
            if self._bar is not None:
                self._bar.close()

    # ------------------------------------------------------------------ internals
    def _show(self) -> None:
        with self._lock:
            if self._bar is not None or not self._enabled or self._closed.is_set():
                return
            if not bars_allowed():
                self._enabled = False
                return
            from tqdm import tqdm
            self._bar = tqdm(total=self.total, initial=self.done, desc=self._description,
                             unit=self._unit, unit_scale=self._unit_scale, file=sys.stderr,
                             leave=True, dynamic_ncols=True, bar_format=self._bar_format,
                             postfix=self._postfix)
            self._bar.start_t = self._start_wall   # elapsed counts from the start of the work
            self._bar.refresh()

    def _tick(self) -> None:
        remaining = DELAY_SECONDS - (time.perf_counter() - self._start)
        if self._closed.wait(max(0.0, remaining)):
            return
        self._show()
        while self._bar is not None and not self._closed.wait(TICK_SECONDS):
            with self._lock:
                if self._bar is not None and not self._closed.is_set():
                    self._bar.refresh()


class BuildProgress:
    """Progress through the phases of a build (``BUILD_PHASES``), one bar step per phase.

    Parameters
    ----------
    model_name : str
        Shown in front of the bar.
    enabled : bool
        The model's ``show_progress``.
    """

    def __init__(self, model_name: str, enabled: bool = True):
        self._bar = DelayedBar(len(BUILD_PHASES), f"build {model_name}", "phase",
                               enabled=enabled, tick=True, unit_scale=False,
                               bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} phases "
                                          "[{elapsed}{postfix}]")
        self._phase = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        if exc_type is None:                    # every phase that runs has ended
            self._bar.set_postfix("done")
            self._bar.advance(self._bar.total - self._bar.done)
        self._bar.close()

    def begin(self, phase: str) -> None:
        """The previous phase is done and ``phase`` (one of ``BUILD_PHASES``) starts."""
        if self._phase is not None:
            self._bar.advance()
        self._phase = phase
        self._bar.set_postfix(phase)


class _NoProgress:
    """A stand-in for callers of ``lifecycle.build`` that pass no ``BuildProgress``."""

    def begin(self, phase: str) -> None:
        pass


NO_PROGRESS = _NoProgress()
