"""Compile generated C++ sources into a shared library.

Translation units compile in parallel (a thread pool driving ``subprocess`` with argument lists,
never a shell); the objects are then linked into one shared library. A failure raises
``GeneratedCodeError`` (a ``BuildError``) that says what it is: pygenn's front end accepts only
code strings that compile, so a compiler error in generated code is a bug in pygenn. The error
names the code strings the compiler's errors point into (found through the user-code markers
around pasted code), the file, the command and the exit code, and appends the tail of the
compiler's output (all of it is in the error's ``compiler_log``).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import BuildError, GeneratedCodeError
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
    """Run one compiler command; a non-zero exit raises GeneratedCodeError."""
    try:
        result = subprocess.run(args, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BuildError(f"{what} failed: could not run '{args[0]}': {error}. Is a C++ "
                         f"compiler installed (e.g. `apt-get install g++`)?", command=args,
                         source_path=str(source_path)) from error
    if result.returncode == 0:
        return
    output = (result.stdout + result.stderr).rstrip()
    raise generated_code_error(
        f"{what} failed (exit code {result.returncode})", output, source_path,
        details=f"Command: {shlex.join(args)}", command=args, returncode=result.returncode)


# "file:line:column: error" (GCC, clang) and "file(line): error" (NVRTC)
_ERROR_LOCATION = re.compile(
    r"^(?P<file>[^\n]+?)(?::(?P<line>\d+)(?::\d+)?|\((?P<nvrtc_line>\d+)\)): "
    r"(?:fatal )?error\b", re.MULTILINE)


def code_strings_in_log(log: str, sources: dict[str, str] | None = None) -> list[str]:
    """The code strings whose pasted code a compiler log's errors point into, in order.

    ``sources`` maps file names (or paths) to their text; files not in it are read from disk.
    """
    from ..contract import user_code_origin

    origins: list[str] = []
    texts = dict(sources or {})
    for match in _ERROR_LOCATION.finditer(log):
        path = match.group("file").strip()
        line = int(match.group("line") or match.group("nvrtc_line"))
        text = texts.get(path, texts.get(os.path.basename(path)))
        if text is None:
            text = texts[path] = _read_text(path)
        origin = user_code_origin(text, line) if text else None
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def generated_code_error(what: str, log: str, source_path, details: str = "",
                         sources: dict[str, str] | None = None, command=None,
                         returncode=None, compiler: str = "compiler",
                         tail_lines: int = LOG_TAIL_LINES) -> GeneratedCodeError:
    """The error for generated code that failed to compile or link: it says this is a pygenn
    bug, names the code strings involved and appends the tail of the ``compiler``'s log."""
    code_strings = code_strings_in_log(log, sources)
    if code_strings:
        involved = ("The compiler's errors are in code pasted from: "
                    + "; ".join(code_strings) + ".")
    else:
        involved = "The compiler's errors are in code pygenn wrote itself, not in a code string."
    lines = log.splitlines()
    tail = lines[-tail_lines:]
    left_out = (f" ({len(lines) - len(tail)} earlier lines of the log left out; all of it is "
                f"in the error's compiler_log)" if len(lines) > len(tail) else "")
    message = (f"{what}. This is a bug in pygenn, not in your model: pygenn only accepts code "
               f"strings it can translate into valid code, so the code it generated should have "
               f"compiled. Please report it with the generated code and the {compiler} output "
               f"below.\n{involved}\n"
               + (f"The generated code is in: {source_path}\n" if source_path else "")
               + (f"{details}\n" if details else "")
               + f"---- {compiler} output{left_out} ----\n" + "\n".join(tail))
    return GeneratedCodeError(message, command=command, returncode=returncode, output=log,
                              source_path=str(source_path) if source_path else None,
                              code_strings=code_strings)
