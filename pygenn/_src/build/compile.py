"""Compile generated C++ sources into a shared library.

Translation units compile in parallel (a thread pool driving ``subprocess`` with argument lists,
never a shell); the objects are then linked into one shared library. A failure raises
``BuildError`` with everything needed to act on it: the file, the command, the exit code, the
tail of the compiler's output and where the generated file lies.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import BuildError
from . import toolchain

SOURCE_SUFFIXES = (".cc", ".cpp", ".cxx")
LOG_TAIL_LINES = 40


def write_if_changed(path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that; True if written.

    Leaving unchanged files alone keeps their timestamps, so tools watching the generated
    ``<name>_CODE`` folder (make, editors) see only real changes.
    """
    path = Path(path)
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    # write beside and rename, so a reader never sees a half-written file
    temp = path.with_name(f".{path.name}.{_unique_suffix()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
    return True


def _unique_suffix() -> str:
    """Distinct per process and thread, for temporary file names."""
    return f"{os.getpid()}-{threading.get_ident()}"


def mirror_sources(sources: dict[str, str], directory) -> list[Path]:
    """Write each source into ``directory`` with ``write_if_changed``; the paths that changed."""
    directory = Path(directory)
    return [directory / name for name, text in sorted(sources.items())
            if write_if_changed(directory / name, text)]


def compile_shared_library(sources: dict[str, str], out_dir, library_name: str = "librunner.so",
                           flags: list[str] | None = None, compiler: list[str] | None = None,
                           jobs: int = 2, link_flags: list[str] | None = None) -> Path:
    """Write ``sources`` ({file name: text}) into ``out_dir`` and build ``library_name`` there.

    Files ending in .cc/.cpp/.cxx are compiled (``jobs`` at a time); the others (headers) are
    only written. ``flags`` defaults to ``toolchain.cpu_flags()``, ``compiler`` (an argument
    list) to the compiler ``toolchain.find_cxx()`` finds, and ``link_flags`` to
    ``toolchain.link_flags(flags)``. Returns the library's path; raises ``BuildError``.
    """
    out_dir = Path(out_dir)
    units = sorted(name for name in sources if name.endswith(SOURCE_SUFFIXES))
    if not units:
        raise ValueError(f"No C++ translation unit to compile among {sorted(sources)}: "
                         f"at least one file must end in {', '.join(SOURCE_SUFFIXES)}")
    flags = toolchain.cpu_flags() if flags is None else list(flags)
    command = list(compiler) if compiler else list(toolchain.find_cxx().command)
    link = toolchain.link_flags(flags) if link_flags is None else list(link_flags)
    out_dir.mkdir(parents=True, exist_ok=True)
    mirror_sources(sources, out_dir)

    jobs = max(1, min(jobs, len(units)))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        objects = list(pool.map(lambda unit: _compile_unit(command, flags, out_dir, unit), units))
    return _link(command, link, objects, out_dir, library_name)


def _compile_unit(command: list[str], flags: list[str], out_dir: Path, unit: str) -> Path:
    source = out_dir / unit
    obj = source.with_suffix(".o")
    _run([*command, *flags, "-c", str(source), "-o", str(obj)],
         what=f"Compiling generated file '{source}'", source_path=source)
    return obj


def _link(command: list[str], link: list[str], objects: list[Path], out_dir: Path,
          library_name: str) -> Path:
    library = out_dir / library_name
    # link to a temporary name: a library that is already loaded must not be overwritten in place
    temp = out_dir / f".{library_name}.{_unique_suffix()}.tmp"
    _run([*command, *link, *map(str, objects), "-o", str(temp)],
         what=f"Linking '{library}'", source_path=out_dir)
    os.replace(temp, library)
    return library


def _run(args: list[str], what: str, source_path: Path) -> None:
    """Run one compiler command; a non-zero exit raises BuildError with the output's tail."""
    try:
        result = subprocess.run(args, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BuildError(f"{what} failed: could not run '{args[0]}': {error}. Is a C++ "
                         f"compiler installed (e.g. `apt-get install g++`)?", command=args,
                         source_path=str(source_path)) from error
    if result.returncode == 0:
        return
    output = (result.stdout + result.stderr).rstrip()
    tail = "\n".join(output.splitlines()[-LOG_TAIL_LINES:])
    message = (f"{what} failed (exit code {result.returncode}).\n"
               f"Command: {shlex.join(args)}\n"
               f"Compiler output (last {LOG_TAIL_LINES} lines):\n{tail}\n"
               f"The generated code is in: {source_path}")
    raise BuildError(message, command=args, returncode=result.returncode, output=output,
                     source_path=str(source_path))
