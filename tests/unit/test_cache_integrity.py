"""Build cache integrity (issue 12 item 5): entries are checked before use, library copies do
not outlive the loads that made them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pygenn import GeNNModel, create_neuron_model
from pygenn._src.build import cache, toolchain
from pygenn._src.errors import BuildError
from pygenn._src.runtime import library

REPO_ROOT = Path(__file__).resolve().parents[2]
needs_cxx = pytest.mark.skipif(not any(shutil.which(c) for c in toolchain.CANDIDATE_COMPILERS),
                               reason="no C++ compiler installed")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(root))
    cache.forget_failed_builds()
    yield root
    cache.forget_failed_builds()


@pytest.fixture
def private_tmpdir(tmp_path, monkeypatch):
    """Library copies go to a folder of this test's own."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def fake_build(calls: list, text: str = "a library"):
    def build(build_dir: Path) -> Path:
        calls.append(build_dir)
        library_file = build_dir / "librunner.so"
        library_file.write_text(text)
        return library_file
    return build


# ------------------------------------------------------------------------- entry checks
def test_manifest_records_the_library_hash():
    entry = cache.get_or_build("h" * 64, {}, fake_build([]))
    manifest = cache.read_manifest(entry)
    assert manifest["library_sha256"] == cache.file_sha256(entry / "librunner.so")
    assert cache.entry_problem(entry) is None


@pytest.mark.parametrize("damage, reason", [
    (lambda entry: (entry / "librunner.so").write_text("a librar"), "SHA-256"),        # truncated
    (lambda entry: (entry / "librunner.so").write_text("a libr4ry"), "SHA-256"),       # garbled
    (lambda entry: (entry / "librunner.so").write_text("other model"), "SHA-256"),     # replaced
    (lambda entry: (entry / cache.MANIFEST_NAME).write_text("{"), "manifest"),
    (lambda entry: _edit_manifest(entry, library="../elsewhere.so"), "relative path inside"),
    (lambda entry: _edit_manifest(entry, library="/usr/lib/libc.so.6"), "relative path inside"),
    (lambda entry: _edit_manifest(entry, key="k" * 64), "another entry"),
    (lambda entry: _edit_manifest(entry, library_sha256=None), "SHA-256"),
])
def test_damaged_entry_is_rebuilt_with_a_warning(damage, reason):
    calls = []
    entry = cache.get_or_build("d" * 64, {}, fake_build(calls))
    damage(entry)
    assert reason in cache.entry_problem(entry)
    with pytest.warns(RuntimeWarning, match="unusable.*rebuilding"):
        assert cache.get_or_build("d" * 64, {}, fake_build(calls)) == entry
    assert len(calls) == 2 and cache.entry_problem(entry) is None
    assert (entry / "librunner.so").read_text() == "a library"


def _edit_manifest(entry: Path, **changes) -> None:
    path = entry / cache.MANIFEST_NAME
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


def test_library_symlinked_out_of_the_entry_is_refused(tmp_path):
    entry = cache.get_or_build("s" * 64, {}, fake_build([]))
    outside = tmp_path / "outside.so"
    outside.write_text("a library")
    (entry / "librunner.so").unlink()
    (entry / "librunner.so").symlink_to(outside)
    assert "outside the entry" in cache.entry_problem(entry)


def test_discard_entry_removes_it():
    entry = cache.get_or_build("x" * 64, {}, fake_build([]))
    cache.discard_entry(entry)
    assert not entry.exists()
    cache.discard_entry(entry)          # gone already: nothing to do


# ------------------------------------------------------------------------- the cache folder
def test_cache_dir_that_is_a_file(private_cache, monkeypatch):
    private_cache.parent.mkdir(parents=True, exist_ok=True)
    private_cache.write_text("not a folder")
    with pytest.raises(BuildError, match="is a file, not a folder.*set PYGENN_CACHE_DIR"):
        cache.get_or_build("f" * 64, {}, fake_build([]))


def test_cache_dir_below_a_file(private_cache, monkeypatch):
    private_cache.parent.mkdir(parents=True, exist_ok=True)
    private_cache.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(private_cache / "sub"))
    with pytest.raises(BuildError, match="cannot be created.*PYGENN_CACHE_DIR"):
        cache.get_or_build("f" * 64, {}, fake_build([]))


def test_unwritable_cache_dir_serves_hits_but_refuses_builds(monkeypatch):
    entry = cache.get_or_build("u" * 64, {}, fake_build([]))
    # as if the folder were read-only (root may write anywhere, so pretend)
    monkeypatch.setattr(cache.os, "access", lambda path, mode: False)
    assert cache.get_or_build("u" * 64, {}, fake_build([])) == entry
    with pytest.raises(BuildError, match="is not writable.*set PYGENN_CACHE_DIR"):
        cache.get_or_build("v" * 64, {}, fake_build([]))


def test_missing_cache_dir_is_created(private_cache):
    assert not private_cache.exists()
    cache.get_or_build("m" * 64, {}, fake_build([]))
    assert private_cache.is_dir()


# ------------------------------------------------------------------------- library copies
def test_library_not_matching_its_manifest_is_not_loaded(private_tmpdir):
    entry = cache.get_or_build("c" * 64, {}, fake_build([]))
    (entry / "librunner.so").write_text("changed")
    with pytest.raises(library.LibraryLoadError, match="does not match") as info:
        library.load_private_library(entry / "librunner.so")
    assert info.value.entry_discarded and not entry.exists()
    assert list(private_tmpdir.iterdir()) == []


def test_library_that_fails_to_load(private_tmpdir):
    entry = cache.get_or_build("n" * 64, {}, fake_build([], "not an ELF file"))
    with pytest.raises(library.LibraryLoadError, match="could not be loaded") as info:
        library.load_private_library(entry / "librunner.so")
    assert info.value.entry_discarded and not entry.exists()
    assert list(private_tmpdir.iterdir()) == []


def test_stale_copies_of_dead_processes_are_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    old = time.time() - 2 * library.STALE_AFTER_S
    names = {"dead-old": f"pygenn-{dead_pid}-abc.so", "dead-young": f"pygenn-{dead_pid}-def.so",
             "ours": f"pygenn-{os.getpid()}-ghi.so", "alive": f"pygenn-{os.getppid()}-jkl.so",
             "other": "unrelated.so", "old-style": "pygenn-x1y2.so"}
    for key, name in names.items():
        (tmp_path / name).write_text("x")
        if key != "dead-young":
            os.utime(tmp_path / name, (old, old))
    removed = library.sweep_stale_copies(str(tmp_path))
    assert removed == [str(tmp_path / names["dead-old"])]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        name for key, name in names.items() if key != "dead-old")


# ------------------------------------------------------------------------- end to end
COUNTER = dict(vars=[("count", "unsigned int")], sim_code="count += 1;")


def counter_model(name="cache_counter"):
    model = GeNNModel("float", name)
    model.add_neuron_population("Pop", 4, create_neuron_model("Counter", **COUNTER), {},
                                {"count": 0})
    return model


def _counts(model) -> list:
    count = model.neuron_populations["Pop"].vars["count"]
    count.pull_from_device()
    return count.values.tolist()


@needs_cxx
def test_load_leaves_no_library_copy(tmp_path, private_tmpdir):
    model = counter_model()
    model.build(str(tmp_path))
    model.load()
    model.step_time(3)
    assert list(private_tmpdir.iterdir()) == []
    model.unload()
    model.load()                        # a second load maps a fresh copy
    model.step_time(2)
    assert _counts(model) == [2] * 4
    assert list(private_tmpdir.iterdir()) == []


@needs_cxx
def test_library_damaged_between_build_and_load_is_rebuilt(tmp_path, private_tmpdir):
    model = counter_model()
    model.build(str(tmp_path))
    library_file = Path(model._library)
    library_file.write_bytes(library_file.read_bytes()[:1000])      # truncated
    with pytest.warns(RuntimeWarning, match="does not match.*Rebuilding it now"):
        model.load()
    model.step_time(5)
    assert _counts(model) == [5] * 4
    assert cache.entry_problem(library_file.parent) is None


@needs_cxx
def test_entry_holding_another_models_library_is_rebuilt(tmp_path):
    other = counter_model("cache_other")
    other.build(str(tmp_path))
    first = counter_model()
    first.neuron_populations["Pop"].vars["count"].set_init_values(10)
    first.build(str(tmp_path))
    shutil.copyfile(other._library, first._library)     # another model's (valid) library
    again = counter_model()
    again.neuron_populations["Pop"].vars["count"].set_init_values(10)
    with pytest.warns(RuntimeWarning, match="unusable"):
        again.build(str(tmp_path))
    again.load()
    again.step_time(1)
    assert _counts(again) == [11] * 4


@needs_cxx
def test_killed_process_leaves_no_library_copy(tmp_path):
    """The copy is removed as soon as it is mapped, so even SIGKILL leaves nothing behind."""
    script = (
        "import os, signal, sys\n"
        f"sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_cache_integrity import counter_model\n"
        "model = counter_model()\n"
        f"model.build({str(tmp_path)!r})\n"
        "model.load()\n"
        "model.step_time(2)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    temp = tmp_path / "child_tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    status = subprocess.run([sys.executable, "-c", script], env=env).returncode
    assert status == -9
    assert list(temp.iterdir()) == []

