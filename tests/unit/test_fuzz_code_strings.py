"""Fuzzing the code-string front end: a string it accepts must mean in C++ what it means in
GeNNCode, and nothing a user writes may inject C++ (issue 12).

The corpus (fuzz_code_strings.py, a fixed seed) holds more than 2,000 code strings over every
code-string role. Each is judged in a child process, many per child, so that a crash cannot take
pytest down; a child that dies is restarted after the string that was running, which is then
confirmed alone. The accepted strings are then compiled, many per model (code generation is
deterministic, so a string that compiles here compiles in any model) and, where they cannot loop
or divide, run for a step.

Failures: a crash (an exception that is not one of pygenn's errors, a RecursionError, a child
that dies or hangs), an accepted string whose generated code fails the soundness checks (new
preprocessor lines, comments or backslashes in pasted code, changed string literals ...), and an
accepted string the C++ compiler rejects (the raw compiler output would reach the user).
"""
from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import pygenn
from pygenn.genn_model import backend_modules

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fuzz_code_strings as fuzz  # noqa: E402

CHILD = HERE / "fuzz_code_strings.py"
# the pygenn under test (children must not import another installed copy)
PYGENN_ROOT = Path(pygenn.__file__).resolve().parent.parent
PARTS = 4
CHILD_TIMEOUT_S = 300
ALONE_TIMEOUT_S = 60


def _child_env(cache_dir: Path | None = None, **extra) -> dict:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PYGENN_ROOT),
                                                      env.get("PYTHONPATH"))))
    if cache_dir is not None:
        env["PYGENN_CACHE_DIR"] = str(cache_dir)
    return env


def _run_child(arguments: list[str], results: Path, timeout: float,
               cache_dir: Path | None = None, **env) -> tuple[int | None, list[dict], str]:
    """Exit status (None: timed out), the JSON lines the child wrote and its stderr's tail."""
    results.unlink(missing_ok=True)
    try:
        completed = subprocess.run([sys.executable, str(CHILD), *arguments],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   timeout=timeout, env=_child_env(cache_dir, **env),
                                   text=True)
        status, stderr = completed.returncode, completed.stderr
    except subprocess.TimeoutExpired:
        status, stderr = None, ""
    lines = results.read_text(encoding="utf-8").splitlines() if results.exists() else []
    return status, [json.loads(line) for line in lines], stderr[-2000:]


def judge_range(start: int, stop: int, work: Path, **env) -> list[dict]:
    """Every case of start..stop-1 judged; a case that kills its child is a crash."""
    results, position, attempt = [], start, 0
    while position < stop:
        attempt += 1
        out = work / f"judge{attempt}.jsonl"
        status, lines, stderr = _run_child(["judge", str(position), str(stop), str(out)], out,
                                           CHILD_TIMEOUT_S, **env)
        results += lines
        position += len(lines)
        if position >= stop:
            break
        # the child died (or hung) on case `position`: confirm it alone, then go on after it
        alone = work / f"alone{attempt}.jsonl"
        status, lines, stderr = _run_child(["judge", str(position), str(position + 1),
                                            str(alone)], alone, ALONE_TIMEOUT_S, **env)
        role, code = fuzz.cases()[position]
        results += lines or [{"id": position, "role": role, "outcome": "crash",
                              "detail": f"child died (status {status}): {stderr}"}]
        position += 1
    return results


def compile_accepted(ids: list[int], work: Path, **env) -> tuple[list[dict], str]:
    """Compile the accepted strings ``ids`` in a child: per-model results and the child's
    failure, if it failed."""
    out = work / "compiled.jsonl"
    (work / "models").mkdir()
    status, models, stderr = _run_child(["compile", str(out), str(work / "models"),
                                         *map(str, ids)], out, CHILD_TIMEOUT_S,
                                        cache_dir=work / "cache", **env)
    return models, "" if status == 0 else f"compiling child failed ({status}): {stderr}"


def _describe(result: dict) -> str:
    role, code = fuzz.cases()[result["id"]]
    return (f"case {result['id']} ({role}): {code[:200]!r}\n    -> {result['outcome']}: "
            f"{result.get('detail', '')[:600]}")


def test_a_child_that_dies_is_a_crash_and_the_rest_is_judged(tmp_path):
    results = judge_range(10, 15, tmp_path, PYGENN_FUZZ_ABORT_AT="12")
    assert [r["id"] for r in results] == [10, 11, 12, 13, 14]
    assert results[2]["outcome"] == "crash" and "child died" in results[2]["detail"]
    assert all(r["outcome"] != "crash" for r in results[:2] + results[3:])


def test_corpus_covers_every_role_with_over_2000_strings():
    corpus = fuzz.cases()
    assert len(corpus) >= 2000
    assert {role for role, _ in corpus} == set(fuzz.ROLES)
    assert corpus == fuzz.cases()       # deterministic


@pytest.mark.parametrize("backend", list(backend_modules))
@pytest.mark.parametrize("part", range(PARTS))
def test_fuzzed_code_strings(part, backend, tmp_path):
    corpus = fuzz.cases()
    size = -(-len(corpus) // PARTS)
    start, stop = part * size, min(len(corpus), (part + 1) * size)
    halves = [(start, (start + stop) // 2), ((start + stop) // 2, stop)]
    work = [tmp_path / "a", tmp_path / "b"]
    for directory in work:
        directory.mkdir()
    with ThreadPoolExecutor(2) as pool:
        results = [r for chunk in pool.map(
            lambda h, w: judge_range(*h, w, PYGENN_FUZZ_BACKEND=backend), halves, work)
            for r in chunk]
    assert sorted(r["id"] for r in results) == list(range(start, stop))
    accepted = [r["id"] for r in results if r["outcome"] == "accepted"]
    models, child_failure = compile_accepted(accepted, tmp_path, PYGENN_FUZZ_BACKEND=backend)
    counts = collections.Counter(r["outcome"] for r in results)
    built = collections.Counter(m["outcome"] for m in models)
    compiled = sum(len(m["ids"]) for m in models if m["outcome"] in ("compiled", "ran"))
    print(f"\nfuzz part {part}: {len(results)} code strings: {counts['located']} located "
          f"errors, {counts['rejected']} other errors, {counts['accepted']} accepted, "
          f"{counts['crash']} crashes, {counts['unsound']} unsound; the accepted ones in "
          f"{len(models)} models: {compiled} compiled ({built['ran']} models also stepped), "
          f"{built['leak']} models with compiler errors (leaks), {built['run_error']} failed "
          f"to run")
    bad = [_describe(r) for r in results if r["outcome"] in ("crash", "unsound")]
    assert not bad, "\n".join(bad[:20])
    assert not child_failure, child_failure
    leaks = [f"{m['family']} strings {m['ids']}: {m['outcome']}\n{m['detail']}" for m in models
             if m["outcome"] in ("leak", "run_error")]
    assert not leaks, "\n\n".join(leaks)
    assert compiled == len(accepted)
    # the corpus must exercise both sides
    assert counts["located"] > len(results) // 4 and counts["accepted"] > len(results) // 10
