"""Content-addressed cache of compiled model libraries.

An entry is a directory named by the SHA-256 of everything that affects the binary (the sources,
the compiler and its version, the flags, backend settings and pygenn's version). It is complete
when its manifest names this entry's key and a library inside the entry whose SHA-256 is the one
the manifest recorded when it was built; only complete entries are ever published, so any
complete entry is a hit. An entry that fails these checks (a truncated or garbled library,
another entry's files, a manifest pointing elsewhere) is rebuilt with a warning: loading it could
crash the process or run another model silently.

A miss builds in a private temporary folder inside the cache and publishes it with an atomic
``os.rename`` under a file lock; if another process or thread published the same key meanwhile,
ours is discarded. Builds that failed are remembered for the rest of the process: asking again
raises the same ``BuildError`` without recompiling, and the failed build's files are kept under
``<cache>/failed/<key>`` so the paths in the error stay valid. ``rebuilding()`` (GeNN's
``always_rebuild``) turns every lookup into a miss whose build replaces the entry.

Location: ``~/.cache/pygenn``, or the directory in the environment variable ``PYGENN_CACHE_DIR``
(the only pygenn setting read from the environment; tests point it at a temporary folder).
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Callable

from ..errors import BuildError

CACHE_DIR_ENV = "PYGENN_CACHE_DIR"
MANIFEST_NAME = "build_manifest.json"
# bump when the entry layout or what the key covers changes, so old entries are never reused
CACHE_FORMAT = "2"

logger = logging.getLogger("pygenn.build")

_failed_builds: dict[str, BuildError] = {}
_failed_builds_lock = threading.Lock()

# inside ``rebuilding(True)``: every entry asked for is built again (``always_rebuild``)
_rebuild_all = contextvars.ContextVar("pygenn_rebuild_all", default=False)


@contextlib.contextmanager
def rebuilding(enabled: bool = True):
    """Within this context, ``get_or_build`` builds every entry again (``build(always_rebuild=
    True)``): an existing entry is replaced and a failure remembered from an earlier build is
    retried.

    Parameters
    ----------
    enabled : bool
        False leaves the cache's normal behaviour (so callers can pass their flag through).
    """
    token = _rebuild_all.set(bool(enabled) or _rebuild_all.get())
    try:
        yield
    finally:
        _rebuild_all.reset(token)


def cache_dir() -> Path:
    """The cache's root: ``$PYGENN_CACHE_DIR`` if set, else ``~/.cache/pygenn``."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "pygenn"


def usable_cache_dir() -> Path:
    """``cache_dir()``, created if needed; a BuildError with the remedy if it cannot be used."""
    root = cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        problem = None if root.is_dir() else "is not a folder"
    except FileExistsError:
        problem = "is a file, not a folder"
    except OSError as error:
        problem = f"cannot be created ({error.strerror or error})"
    if problem is None and not os.access(root, os.W_OK | os.X_OK):
        problem = "is not writable"
    if problem is not None:
        origin = (f"set by the environment variable {CACHE_DIR_ENV}"
                  if os.environ.get(CACHE_DIR_ENV, "").strip() else "the default location")
        raise BuildError(f"The pygenn build cache folder '{root}' ({origin}) {problem}: set "
                         f"{CACHE_DIR_ENV} to a folder you can write to (it is created if "
                         f"missing), or fix that folder's permissions")
    return root


def build_key(sources: dict[str, str], toolchain_id: str, flags: list[str],
              extra: str = "") -> str:
    """SHA-256 (hex) over the sources (names and texts), toolchain, flags, ``extra`` (backend
    preferences and the like, as text) and pygenn's version."""
    digest = hashlib.sha256()

    def feed(label: str, text: str) -> None:
        # length-prefixed, so ("ab", "c") and ("a", "bc") never hash alike
        data = text.encode("utf-8")
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    feed("format", CACHE_FORMAT)
    feed("pygenn", _package_version())
    feed("toolchain", toolchain_id)
    for flag in flags:
        feed("flag", flag)
    feed("extra", extra)
    for name in sorted(sources):
        feed("name", name)
        feed("source", sources[name])
    return digest.hexdigest()


def _package_version() -> str:
    # pygenn is always imported before its _src subpackage, so no import is needed here
    return str(getattr(sys.modules.get("pygenn"), "__version__", ""))


def get_or_build(key: str, sources: dict[str, str], build_fn: Callable[[Path], Path],
                 name: str = "") -> Path:
    """The directory of the cache entry ``key``, built by ``build_fn`` on a miss.

    ``build_fn(build_dir)`` builds into the (empty, private) ``build_dir`` and returns the path
    of the library it made there. ``sources`` are recorded in the manifest; ``name`` (e.g. the
    model's name) is used in log messages. Raises the ``BuildError`` of a failed build, also
    for later calls with the same key in this process. Inside ``rebuilding()`` every call is a
    miss: it builds again and replaces the entry.
    """
    label = name or key[:12]
    forced = _rebuild_all.get()
    with _failed_builds_lock:
        if forced:
            _failed_builds.pop(key, None)       # a forced rebuild tries again
        failed = _failed_builds.get(key)
    if failed is not None:
        raise failed
    entry = cache_dir() / key
    problem = "a rebuild was asked for" if forced else entry_problem(entry)
    if problem is None:                 # a hit needs no write access (a read-only cache works)
        logger.info("cached %s", label)
        return entry
    usable_cache_dir()                  # a miss builds there: say now if it cannot
    if entry.exists() and not forced:
        warnings.warn(f"The build cache entry {entry} of {label} is unusable ({problem}); "
                      f"rebuilding it", RuntimeWarning, stacklevel=2)
    start = time.perf_counter()
    build_dir = _private_build_dir(key)
    library = _run_build(key, build_dir, build_fn)
    _write_manifest(build_dir, key, label, library, sources)
    _publish(build_dir, entry, replace=forced)
    logger.info("compiled %s in %.2f s", label, time.perf_counter() - start)
    return entry


def is_complete(entry: Path) -> bool:
    """Whether ``entry`` is a usable entry (see ``entry_problem``)."""
    return entry_problem(entry) is None


def entry_problem(entry: Path) -> str | None:
    """Why ``entry`` cannot be used, or None when its manifest belongs to it and names a library
    inside it with the SHA-256 recorded when it was built."""
    entry = Path(entry)
    if not entry.is_dir():
        return "it does not exist"
    try:
        manifest = read_manifest(entry)
        library = library_path(entry)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"its manifest is missing or invalid: {error}"
    if manifest.get("key") != entry.name:
        return "its manifest belongs to another entry"
    if not library.is_file():
        return f"its library {library.name} is missing"
    expected = manifest.get("library_sha256")
    if not isinstance(expected, str) or file_sha256(library) != expected:
        return (f"its library {library.name} does not match the SHA-256 recorded when it was "
                f"built: it was truncated or changed since")
    return None


def library_path(entry: Path) -> Path:
    """The library of a cache entry, as named by its manifest (always a path inside the entry:
    a manifest naming anything else raises ValueError)."""
    manifest = read_manifest(entry)
    name = manifest["library"]
    if not isinstance(name, str) or not name or Path(name).is_absolute() \
            or ".." in Path(name).parts:
        raise ValueError(f"the manifest of {entry} names the library {name!r}, which is not a "
                         f"relative path inside the entry")
    library = Path(entry) / name
    if not _is_inside(library, Path(entry)):
        raise ValueError(f"the manifest of {entry} names the library {name!r}, which resolves "
                         f"outside the entry")
    return library


def read_manifest(entry: Path) -> dict:
    """The manifest of a cache entry (key, name, library and its SHA-256, sources' hashes,
    versions)."""
    manifest = json.loads((Path(entry) / MANIFEST_NAME).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError(f"the manifest of {entry} is not a JSON object")
    return manifest


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file's contents."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_library_sha256(library: Path) -> str | None:
    """The SHA-256 the manifest of the cache entry holding ``library`` recorded for it, or None
    when ``library`` is not the library of a cache entry."""
    library = Path(library)
    entry = library.parent
    try:
        if library_path(entry).resolve() != library.resolve():
            return None
        expected = read_manifest(entry).get("library_sha256")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return expected if isinstance(expected, str) else None


def discard_entry(entry: Path) -> None:
    """Remove a cache entry (one found corrupt), so the next build of its key rebuilds it."""
    entry = Path(entry)
    with _publication_lock():
        if not entry.exists():
            return
        temp_root = usable_cache_dir() / ".tmp"
        temp_root.mkdir(exist_ok=True)
        stale = Path(tempfile.mkdtemp(prefix="stale-", dir=temp_root))
        os.rename(entry, stale / "entry")
    shutil.rmtree(stale, ignore_errors=True)


def forget_failed_builds() -> None:
    """Let keys whose build failed in this process be built again."""
    with _failed_builds_lock:
        _failed_builds.clear()


def build_cached_library(sources: dict[str, str], name: str = "", flags: list[str] | None = None,
                         extra: str = "", jobs: int = 2) -> Path:
    """Compile ``sources`` into a shared library through the cache; the library's path.

    The CPU backend's whole build step: key over sources, compiler, flags and ``extra``, then
    ``get_or_build`` with ``compile.compile_shared_library``.
    """
    from . import compile as compile_module
    from . import toolchain

    cxx = toolchain.find_cxx()
    flags = toolchain.cpu_flags() if flags is None else list(flags)
    key = build_key(sources, cxx.identity, flags, extra)

    def build(build_dir: Path) -> Path:
        return compile_module.compile_shared_library(sources, build_dir, flags=flags,
                                                     compiler=list(cxx.command), jobs=jobs)

    return library_path(get_or_build(key, sources, build, name=name))


def _private_build_dir(key: str) -> Path:
    temp_root = usable_cache_dir() / ".tmp"
    temp_root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{key[:16]}-{os.getpid()}-", dir=temp_root))


def _run_build(key: str, build_dir: Path, build_fn: Callable[[Path], Path]) -> Path:
    """Run ``build_fn``; keep and remember a BuildError, clean up after anything else."""
    try:
        library = Path(build_fn(build_dir))
    except BuildError as error:
        remembered = _keep_failed_build(key, build_dir, error)
        with _failed_builds_lock:
            _failed_builds[key] = remembered
        raise remembered from None
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    if not _is_inside(library, build_dir) or not library.is_file():
        shutil.rmtree(build_dir, ignore_errors=True)
        raise ValueError(f"The build of cache entry {key[:12]} returned '{library}', which is "
                         f"not a file inside its build folder {build_dir}; build_fn must build "
                         f"there and return the library's path")
    return library


def _is_inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def _keep_failed_build(key: str, build_dir: Path, error: BuildError) -> BuildError:
    """Move a failed build to ``failed/<key>`` and return the error with its paths updated."""
    failed_dir = cache_dir() / "failed" / key
    with _publication_lock():
        try:
            if failed_dir.exists():
                shutil.rmtree(failed_dir)
            failed_dir.parent.mkdir(parents=True, exist_ok=True)
            os.rename(build_dir, failed_dir)
        except OSError:
            return error  # leave it where the error's paths point
    old, new = str(build_dir), str(failed_dir)
    moved = BuildError(str(error).replace(old, new),
                       command=[str(a).replace(old, new) for a in error.command or []] or None,
                       returncode=error.returncode, output=error.output.replace(old, new),
                       source_path=(error.source_path or "").replace(old, new) or None)
    return moved.with_traceback(error.__traceback__)


def _write_manifest(build_dir: Path, key: str, name: str, library: Path,
                    sources: dict[str, str]) -> None:
    manifest = {
        "format": CACHE_FORMAT,
        "key": key,
        "name": name,
        "library": library.resolve().relative_to(build_dir.resolve()).as_posix(),
        "library_sha256": file_sha256(library),
        "sources": {source_name: hashlib.sha256(text.encode("utf-8")).hexdigest()
                    for source_name, text in sorted(sources.items())},
        "pygenn_version": _package_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    # written last, inside the private folder: an entry never appears without it
    (build_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def _publish(build_dir: Path, entry: Path, replace: bool = False) -> None:
    """Atomically rename ``build_dir`` to ``entry`` unless a complete entry appeared meanwhile
    (or, with ``replace``, in place of any entry: a forced rebuild)."""
    with _publication_lock():
        if is_complete(entry) and not replace:
            logger.debug("%s was published by another build meanwhile; discarding ours", entry)
            shutil.rmtree(build_dir, ignore_errors=True)
            return
        if entry.exists():
            # an incomplete leftover (e.g. its library was deleted by hand): move it out of the way
            stale = Path(tempfile.mkdtemp(prefix="stale-", dir=build_dir.parent))
            os.rename(entry, stale / "entry")
            shutil.rmtree(stale, ignore_errors=True)
        os.rename(build_dir, entry)


@contextlib.contextmanager
def _publication_lock():
    """An exclusive lock shared by all processes and threads using this cache directory."""
    try:
        import fcntl
    except ImportError:  # Windows: os.rename still refuses to replace an existing entry
        yield
        return
    root = usable_cache_dir()
    with open(root / "publish.lock", "a+b") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
