"""The build cache, the compiler driver and the toolchain finder."""
from __future__ import annotations

import ctypes
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pygenn._src.build import cache, toolchain
from pygenn._src.build.compile import compile_shared_library, mirror_sources, write_if_changed
from pygenn._src.errors import BuildError

REPO_ROOT = Path(__file__).resolve().parents[2]
HAVE_CXX = any(shutil.which(name) for name in toolchain.CANDIDATE_COMPILERS)
needs_cxx = pytest.mark.skipif(not HAVE_CXX, reason="no C++ compiler installed")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets its own cache directory and a clean memory of failed builds."""
    root = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(root))
    cache.forget_failed_builds()
    yield root
    cache.forget_failed_builds()


def fake_build(calls: list, delay: float = 0.0):
    """A build_fn that writes a fake library, optionally slowly, and counts its calls."""
    def build(build_dir: Path) -> Path:
        calls.append(build_dir)
        time.sleep(delay)
        library = build_dir / "librunner.so"
        library.write_text("not really a library")
        return library
    return build


# ---- cache_dir and build_key ----

def test_cache_dir_defaults_to_user_cache(monkeypatch):
    monkeypatch.delenv(cache.CACHE_DIR_ENV)
    assert cache.cache_dir() == Path.home() / ".cache" / "pygenn"


def test_cache_dir_follows_environment(private_cache):
    assert cache.cache_dir() == private_cache


def test_build_key_is_deterministic_sha256():
    key = cache.build_key({"a.cc": "int x;"}, "g++ 12", ["-O2"], "prefs")
    assert key == cache.build_key({"a.cc": "int x;"}, "g++ 12", ["-O2"], "prefs")
    assert len(key) == 64 and int(key, 16) >= 0


@pytest.mark.parametrize("change", [
    dict(sources={"a.cc": "int y;"}), dict(sources={"b.cc": "int x;"}),
    dict(sources={"a.cc": "int x;", "b.h": ""}), dict(toolchain_id="clang 17"),
    dict(flags=["-O3"]), dict(flags=["-O2", "-g"]), dict(extra="other prefs"),
])
def test_build_key_changes_with_every_input(change):
    base = dict(sources={"a.cc": "int x;"}, toolchain_id="g++ 12", flags=["-O2"], extra="prefs")
    assert cache.build_key(**base) != cache.build_key(**{**base, **change})


def test_build_key_does_not_confuse_name_and_text_boundaries():
    assert cache.build_key({"ab": "c"}, "t", []) != cache.build_key({"a": "bc"}, "t", [])


def test_build_key_includes_package_version(monkeypatch):
    before = cache.build_key({"a.cc": ""}, "t", [])
    monkeypatch.setattr(sys.modules["pygenn"], "__version__", "99.0", raising=False)
    assert cache.build_key({"a.cc": ""}, "t", []) != before


# ---- get_or_build ----

def test_miss_builds_then_hit_reuses(private_cache, caplog):
    calls = []
    caplog.set_level(logging.INFO, logger="pygenn.build")
    first = cache.get_or_build("k" * 64, {"a.cc": "x"}, fake_build(calls), name="Model")
    second = cache.get_or_build("k" * 64, {"a.cc": "x"}, fake_build(calls), name="Model")
    assert first == second == private_cache / ("k" * 64)
    assert len(calls) == 1
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("compiled Model in ") for m in messages)
    assert "cached Model" in messages


def test_rebuilding_builds_again_and_replaces_the_entry(private_cache):
    """GeNN's always_rebuild: a hit is built again and its entry replaced; outside the
    context the new entry is reused."""
    calls = []
    first = cache.get_or_build("r" * 64, {"a.cc": "x"}, fake_build(calls), name="Model")
    built_before = cache.read_manifest(first)["library_sha256"]
    with cache.rebuilding():
        again = cache.get_or_build("r" * 64, {"a.cc": "x"}, fake_build(calls), name="Model")
    with cache.rebuilding(False):
        cache.get_or_build("r" * 64, {"a.cc": "x"}, fake_build(calls), name="Model")
    assert again == first and len(calls) == 2
    assert cache.is_complete(again)
    assert cache.read_manifest(again)["library_sha256"] == built_before   # same fake text
    assert not any((private_cache / ".tmp").iterdir())


def test_rebuilding_retries_a_remembered_failure():
    calls = []
    with pytest.raises(BuildError):
        cache.get_or_build("q" * 64, {}, failing_build(calls))
    with cache.rebuilding(), pytest.raises(BuildError):
        cache.get_or_build("q" * 64, {}, failing_build(calls))
    assert len(calls) == 2


def test_entry_holds_library_and_manifest(private_cache):
    entry = cache.get_or_build("m" * 64, {"a.cc": "x", "b.h": "y"}, fake_build([]), name="M")
    manifest = cache.read_manifest(entry)
    assert manifest["key"] == "m" * 64 and manifest["name"] == "M"
    assert sorted(manifest["sources"]) == ["a.cc", "b.h"]
    assert cache.library_path(entry) == entry / "librunner.so"
    assert cache.is_complete(entry)


def test_private_build_folders_are_cleaned_up(private_cache):
    cache.get_or_build("c" * 64, {}, fake_build([]))
    assert list((private_cache / ".tmp").iterdir()) == []


def test_changed_sources_build_a_new_entry():
    calls = []
    key_a = cache.build_key({"a.cc": "int x;"}, "t", [])
    key_b = cache.build_key({"a.cc": "int x = 1;"}, "t", [])
    entry_a = cache.get_or_build(key_a, {"a.cc": "int x;"}, fake_build(calls))
    entry_b = cache.get_or_build(key_b, {"a.cc": "int x = 1;"}, fake_build(calls))
    assert entry_a != entry_b and len(calls) == 2


def test_incomplete_entry_is_rebuilt():
    calls = []
    entry = cache.get_or_build("i" * 64, {}, fake_build(calls))
    (entry / "librunner.so").unlink()
    assert not cache.is_complete(entry)
    with pytest.warns(RuntimeWarning, match="library librunner.so is missing"):
        assert cache.get_or_build("i" * 64, {}, fake_build(calls)) == entry
    assert len(calls) == 2 and cache.is_complete(entry)


def test_entry_published_meanwhile_wins(private_cache):
    """A build that finds the entry already published discards its own result."""
    def build_while_another_publishes(build_dir: Path) -> Path:
        cache.get_or_build("r" * 64, {}, fake_build([]), name="other")
        return fake_build([])(build_dir)

    entry = cache.get_or_build("r" * 64, {}, build_while_another_publishes, name="ours")
    assert cache.read_manifest(entry)["name"] == "other"
    assert list((private_cache / ".tmp").iterdir()) == []


def test_library_outside_build_folder_is_rejected(tmp_path):
    outside = tmp_path / "elsewhere.so"
    outside.write_text("x")
    with pytest.raises(ValueError, match="not a file inside its build folder"):
        cache.get_or_build("o" * 64, {}, lambda build_dir: outside)


def failing_build(calls: list):
    def build(build_dir: Path) -> Path:
        calls.append(build_dir)
        source = build_dir / "bad.cc"
        source.write_text("oops")
        raise BuildError(f"Compiling generated file '{source}' failed",
                         command=["g++", str(source)], returncode=1,
                         output=f"{source}:1: error", source_path=str(source))
    return build


def test_failed_build_is_remembered_within_the_process():
    calls = []
    with pytest.raises(BuildError, match="Compiling generated file .*bad.cc' failed") as first:
        cache.get_or_build("f" * 64, {}, failing_build(calls))
    with pytest.raises(BuildError) as second:
        cache.get_or_build("f" * 64, {}, failing_build(calls))
    assert second.value is first.value and len(calls) == 1
    cache.forget_failed_builds()
    with pytest.raises(BuildError):
        cache.get_or_build("f" * 64, {}, failing_build(calls))
    assert len(calls) == 2


def test_failed_build_is_kept_where_the_error_points(private_cache):
    with pytest.raises(BuildError) as caught:
        cache.get_or_build("g" * 64, {}, failing_build([]))
    error = caught.value
    failed_source = private_cache / "failed" / ("g" * 64) / "bad.cc"
    assert error.source_path == str(failed_source) and failed_source.read_text() == "oops"
    assert str(failed_source) in str(error) and str(failed_source) in error.output
    assert error.command == ["g++", str(failed_source)] and error.returncode == 1
    assert not (private_cache / ("g" * 64)).exists()


def test_other_build_failures_are_not_remembered(private_cache):
    def broken(build_dir: Path) -> Path:
        raise RuntimeError("No C++ compiler found")

    for _ in range(2):
        with pytest.raises(RuntimeError, match="No C\\+\\+ compiler found"):
            cache.get_or_build("e" * 64, {}, broken)
    assert list((private_cache / ".tmp").iterdir()) == []


def test_concurrent_threads_share_one_entry(private_cache):
    calls, results, errors = [], [], []

    def worker():
        try:
            results.append(cache.get_or_build("t" * 64, {"a.cc": "x"}, fake_build(calls, 0.2)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(results)) == 1 and len(calls) >= 1
    entry = results[0]
    assert cache.is_complete(entry) and sorted(p.name for p in entry.iterdir()) == [
        cache.MANIFEST_NAME, "librunner.so"]
    assert list((private_cache / ".tmp").iterdir()) == []


_PROCESS_SCRIPT = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from pygenn._src.build import cache
def build(build_dir):
    time.sleep(0.3)
    library = build_dir / "librunner.so"
    library.write_text("library of process")
    return library
entry = cache.get_or_build("p" * 64, {"a.cc": "x"}, build, name="proc")
print(entry, cache.library_path(entry).read_text())
"""


def test_concurrent_processes_share_one_entry(private_cache):
    env = {**os.environ, cache.CACHE_DIR_ENV: str(private_cache)}
    processes = [subprocess.Popen([sys.executable, "-c", _PROCESS_SCRIPT, str(REPO_ROOT)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env) for _ in range(4)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, outputs
    entry = private_cache / ("p" * 64)
    assert {out.strip() for out, _ in outputs} == {f"{entry} library of process"}
    assert json.loads((entry / cache.MANIFEST_NAME).read_text())["name"] == "proc"
    assert list((private_cache / ".tmp").iterdir()) == []


# ---- compiling ----

LIBRARY_SOURCES = {
    "add.cc": '#include "shared.h"\nextern "C" int add(int a, int b) { return a + b + OFFSET; }\n',
    "mul.cc": '#include "shared.h"\nextern "C" int mul(int a, int b) { return a * b + OFFSET; }\n',
    "shared.h": "#define OFFSET 1000\n",
}


@needs_cxx
def test_compile_shared_library_links_all_units(tmp_path):
    library_file = compile_shared_library(LIBRARY_SOURCES, tmp_path / "out", jobs=2)
    assert library_file == tmp_path / "out" / "librunner.so"
    library = ctypes.CDLL(str(library_file))
    assert library.add(2, 3) == 1005 and library.mul(2, 3) == 1006


def test_compile_shared_library_needs_a_translation_unit(tmp_path):
    with pytest.raises(ValueError, match="No C\\+\\+ translation unit to compile"):
        compile_shared_library({"only.h": ""}, tmp_path)


@needs_cxx
def test_compile_error_names_file_command_and_log_tail(tmp_path):
    # 60 broken lines make more than 40 lines of compiler output, so only the tail is kept
    broken = "\n".join(f"int f{i}() {{ return undefined_{i}; }}" for i in range(60))
    sources = {"good.cc": "int g() { return 1; }\n", "broken.cc": broken}
    # the message says first that this is a pygenn bug; the compiler's log comes last
    with pytest.raises(BuildError, match=r"(?s)Compiling generated file '.*broken\.cc' failed "
                       r"\(exit code 1\)\. This is a bug in pygenn.*"
                       r"The generated code is in: .*broken\.cc\n"
                       r"Command: .* -c .*broken\.cc -o .*broken\.o\n"
                       r"---- compiler output \(\d+ earlier lines of the log left out.*----\n"
                       r".*undefined_59") as caught:
        compile_shared_library(sources, tmp_path)
    error = caught.value
    assert error.returncode == 1 and error.source_path == str(tmp_path / "broken.cc")
    assert "undefined_0;" in error.output and "undefined_0;" not in str(error)
    assert "-c" in error.command and str(tmp_path / "broken.cc") in error.command


@needs_cxx
def test_link_error_raises_build_error(tmp_path):
    sources = {"a.cc": "int twice() { return 1; }\n", "b.cc": "int twice() { return 2; }\n"}
    with pytest.raises(BuildError, match=r"(?s)Linking '.*librunner\.so' failed.*twice"):
        compile_shared_library(sources, tmp_path)


def test_missing_compiler_program_raises_build_error(tmp_path):
    with pytest.raises(BuildError, match="could not run '/nonexistent/c\\+\\+'.*apt-get install"):
        compile_shared_library({"a.cc": ""}, tmp_path, compiler=["/nonexistent/c++"])


@needs_cxx
def test_build_cached_library_reuses_unchanged_build(private_cache, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="pygenn.build")
    first = cache.build_cached_library(LIBRARY_SOURCES, name="Adder")

    def no_compiling(*args, **kwargs):
        raise AssertionError("an unchanged build must not run the compiler")

    from pygenn._src.build import compile as compile_module
    with monkeypatch.context() as patch:      # keeps the fixture's private cache directory
        patch.setattr(compile_module, "compile_shared_library", no_compiling)
        second = cache.build_cached_library(LIBRARY_SOURCES, name="Adder")
    assert first == second
    assert [r.getMessage() for r in caplog.records][-1] == "cached Adder"
    assert ctypes.CDLL(str(second)).add(1, 1) == 1002
    changed = {**LIBRARY_SOURCES, "shared.h": "#define OFFSET 2000\n"}
    third = cache.build_cached_library(changed, name="Adder")
    assert third != first and ctypes.CDLL(str(third)).add(1, 1) == 2002


@needs_cxx
def test_build_cached_library_failure_points_at_kept_source(private_cache):
    with pytest.raises(BuildError, match="The generated code is in: .*failed.*bad\\.cc") as caught:
        cache.build_cached_library({"bad.cc": "int f( {"}, name="Bad")
    assert Path(caught.value.source_path).read_text() == "int f( {"


# ---- writing sources ----

def test_write_if_changed_leaves_identical_files_alone(tmp_path):
    path = tmp_path / "sub" / "runner.cc"
    assert write_if_changed(path, "int x;") is True
    os.utime(path, (1000, 1000))
    assert write_if_changed(path, "int x;") is False
    assert path.stat().st_mtime == 1000
    assert write_if_changed(path, "int y;") is True and path.read_text() == "int y;"


def test_mirror_sources_reports_changed_files(tmp_path):
    assert mirror_sources({"a.cc": "1", "b.h": "2"}, tmp_path) == [tmp_path / "a.cc",
                                                                  tmp_path / "b.h"]
    assert mirror_sources({"a.cc": "1", "b.h": "3"}, tmp_path) == [tmp_path / "b.h"]


# ---- toolchain ----

def test_cxx_variable_naming_a_missing_compiler(monkeypatch):
    monkeypatch.setenv("CXX", "/nonexistent/g++-99")
    with pytest.raises(RuntimeError, match="CXX environment variable .*'/nonexistent/g\\+\\+-99'"
                       ".* was not found.*apt-get install g\\+\\+"):
        toolchain.find_cxx()


def test_no_compiler_on_path(monkeypatch, tmp_path):
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="No C\\+\\+ compiler found .*g\\+\\+, c\\+\\+, "
                       "clang\\+\\+.*apt-get install g\\+\\+"):
        toolchain.find_cxx()


def test_compiler_that_cannot_report_its_version(monkeypatch, tmp_path):
    fake = tmp_path / "fakecxx"
    fake.write_text("#!/bin/sh\necho 'broken compiler' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CXX", str(fake))
    with pytest.raises(RuntimeError, match="failed to report its version \\(exit code 3\\): "
                       "broken compiler"):
        toolchain.find_cxx()


def test_cxx_variable_with_launcher(monkeypatch, tmp_path):
    fake = tmp_path / "fakecxx"
    fake.write_text("#!/bin/sh\necho 'FakeCXX 1.2.3'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CXX", f"env {fake}")
    found = toolchain.find_cxx()
    assert found.command == ("env", str(fake)) and found.path == str(fake.resolve())
    assert found.version == "FakeCXX 1.2.3" and "FakeCXX 1.2.3" in found.identity


@needs_cxx
def test_find_cxx_reports_version(monkeypatch):
    monkeypatch.delenv("CXX", raising=False)
    found = toolchain.find_cxx()
    assert found.command[0] in toolchain.CANDIDATE_COMPILERS
    assert os.path.isabs(found.path) and found.version


def test_default_flags_are_reproducible():
    flags = toolchain.cpu_flags()
    assert {"-O2", "-fPIC", "-std=c++17", "-fno-math-errno", "-ffp-contract=off"} <= set(flags)
    assert "-march=native" not in flags and "-ffast-math" not in flags


def test_optimize_and_debug_flags():
    assert {"-O3", "-ffast-math"} <= set(toolchain.cpu_flags(optimize_code=True))
    debug = toolchain.cpu_flags(optimize_code=True, debug_code=True)
    assert {"-O0", "-g"} <= set(debug) and "-ffast-math" not in debug


def test_link_flags_keep_fast_math_out_of_the_link():
    link = toolchain.link_flags(["-O3", "-ffast-math", "-fopenmp", "-g"])
    assert link == ["-shared", "-fopenmp", "-g"]
