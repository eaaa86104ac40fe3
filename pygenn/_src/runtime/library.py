"""Loading a compiled model library: a private, verified copy for each load.

The dynamic loader hands out one instance per path, and a library's globals (the merged-group
structs) belong to one model instance, so every ``load()`` maps its own copy of the library. The
copy is checked against the SHA-256 its cache entry recorded at build (a truncated or garbled
library would crash the process with SIGBUS/SIGSEGV), and its file is removed as soon as the
loader has mapped it: on POSIX systems the mapping stays valid, so nothing is left behind even if
the process is killed. Copies left by a process killed between copying and loading are swept by
later loads (the owner's pid is in the file name); anything not removed otherwise goes at exit.
"""
from __future__ import annotations

import atexit
import ctypes
import hashlib
import os
import re
import tempfile
import threading
import time
from pathlib import Path

COPY_PREFIX = "pygenn-"
#: copies of processes that are gone are swept once they are this old (seconds): younger ones
#: may belong to a process that has just started and reused a pid
STALE_AFTER_S = 60.0
_COPY_NAME = re.compile(rf"{re.escape(COPY_PREFIX)}(\d+)-[^/\\]*\.so\Z")

_REBUILT = "; its build cache entry was removed, so building the model again recompiles it"

_pending: set[str] = set()        # copies not removed yet (removed at exit)
_pending_lock = threading.Lock()


class LibraryLoadError(RuntimeError):
    """A model library could not be loaded (or did not match its build record).

    ``entry_discarded`` says whether its build cache entry was removed, so that building the
    model again recompiles it.
    """

    def __init__(self, message: str, entry_discarded: bool = False):
        super().__init__(message)
        self.entry_discarded = entry_discarded


def load_private_library(library_path, mode: int = ctypes.DEFAULT_MODE) -> ctypes.CDLL:
    """Map a private, verified copy of ``library_path``; the copy's file is removed at once.

    ``mode`` is the ``dlopen`` mode (``ctypes.RTLD_GLOBAL`` for a library whose symbols other
    libraries must see).
    """
    path = private_library_copy(library_path)
    try:
        return ctypes.CDLL(path, mode=mode)
    except OSError as error:
        discarded = _discard_cache_entry(library_path)
        raise LibraryLoadError(
            f"The model library {library_path} could not be loaded ({error})"
            + (_REBUILT if discarded else ""), entry_discarded=discarded) from None
    finally:
        remove_library_copy(path)


def private_library_copy(library_path) -> str:
    """A copy of ``library_path`` in the temporary folder, named after this process; raises
    LibraryLoadError if it differs from what its cache entry recorded at build."""
    directory = tempfile.gettempdir()
    sweep_stale_copies(directory)
    data = read_verified(Path(library_path))
    handle, path = tempfile.mkstemp(prefix=f"{COPY_PREFIX}{os.getpid()}-", suffix=".so",
                                    dir=directory)
    with _pending_lock:
        _pending.add(path)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
    except BaseException:
        remove_library_copy(path)
        raise
    return path


def read_verified(library: Path) -> bytes:
    """The bytes of ``library``; raises LibraryLoadError if they differ from what its cache
    entry recorded at build (the entry is then discarded, so the next build recompiles)."""
    from ..build import cache

    try:
        data = library.read_bytes()
    except OSError as error:
        raise LibraryLoadError(f"The model library {library} cannot be read "
                               f"({error.strerror or error}); build the model again") from None
    expected = cache.expected_library_sha256(library)
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        discarded = _discard_cache_entry(library)
        raise LibraryLoadError(
            f"The model library {library} does not match the SHA-256 its build cache entry "
            f"recorded: it was truncated or changed after it was built" + _REBUILT,
            entry_discarded=discarded)
    return data


def _discard_cache_entry(library_path) -> bool:
    from ..build import cache

    library = Path(library_path)
    if cache.expected_library_sha256(library) is None:
        return False                  # not a cache entry's library: nothing to discard
    try:
        cache.discard_entry(library.parent)
    except (OSError, RuntimeError):
        return False
    return True


def remove_library_copy(path: str) -> None:
    """Remove a copy made by ``private_library_copy`` (kept for exit if that fails, e.g. a
    loaded library on Windows)."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        return
    with _pending_lock:
        _pending.discard(path)


@atexit.register
def _remove_pending_copies() -> None:
    with _pending_lock:
        paths = list(_pending)
    for path in paths:
        remove_library_copy(path)


def sweep_stale_copies(directory, now: float | None = None) -> list[str]:
    """Remove copies in ``directory`` whose process is gone and that are older than
    ``STALE_AFTER_S``; the removed paths."""
    if os.name == "nt":
        return []         # os.kill(pid, 0) would terminate the process there
    now = time.time() if now is None else now
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _COPY_NAME.match(name)
        if match is None or int(match.group(1)) == os.getpid() \
                or _process_alive(int(match.group(1))):
            continue
        path = os.path.join(directory, name)
        try:
            if now - os.stat(path).st_mtime > STALE_AFTER_S:
                os.remove(path)
                removed.append(path)
        except OSError:
            pass          # another process swept it first, or it is not ours to remove
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True       # e.g. another user's process: alive
    return True
