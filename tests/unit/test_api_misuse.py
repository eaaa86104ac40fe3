"""The API-misuse corpus (api_misuse_cases.py): no misuse may crash the process.

Cases run in child processes, many per child. A child that dies (a signal, an abort) is noticed:
its results file ends at the case that was running, which is then run alone in a new child to
confirm the crash, and the rest of the batch goes on in another child. The test fails on any
crash or hang, on any misuse that returned normally or raised an unreasonable exception type
(AttributeError, OverflowError, ...) or an empty message, and on any valid control that raised.
"""
from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import api_misuse_cases  # noqa: E402

CASES = api_misuse_cases.CASES
# two children at a time (CI machines have two cores); several batches so a slow one balances
BATCHES = 4
WORKERS = 2
CHILD_TIMEOUT_S = 300


def run_child(case_ids: list[str], work_dir: Path, results: Path) -> tuple[int, list[dict]]:
    """Run the cases in one child process; its exit status (negative: killed by a signal;
    None: timed out) and the results it wrote."""
    results.unlink(missing_ok=True)
    command = [sys.executable, str(HERE / "api_misuse_cases.py"), str(results), str(work_dir),
               *case_ids]
    try:
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   timeout=CHILD_TIMEOUT_S)
        status = completed.returncode
    except subprocess.TimeoutExpired:
        status = None
    lines = results.read_text(encoding="utf-8").splitlines() if results.exists() else []
    return status, [json.loads(line) for line in lines]


def run_batch(case_ids: list[str], work_dir: Path) -> list[dict]:
    """Results of every case; a case whose child died is confirmed alone and reported as a
    crash (``outcome`` "crashed", with the signal or "timeout")."""
    results = []
    pending = list(case_ids)
    attempt = 0
    while pending:
        attempt += 1
        out = work_dir / f"results-{attempt}.jsonl"
        status, done = run_child(pending, work_dir, out)
        results += done
        pending = pending[len(done):]
        if status == 0 or not pending:
            break
        suspect, pending = pending[0], pending[1:]
        alone_status, alone = run_child([suspect], work_dir, work_dir / "alone.jsonl")
        if alone_status == 0 and alone:
            results += alone          # it only died next to the others: report what it did
        else:
            results.append({"id": suspect, "outcome": "crashed",
                            "status": "timeout" if alone_status is None else alone_status})
    return results


def problems(results: list[dict]) -> list[str]:
    """What is wrong with each result, as readable lines."""
    found = []
    for result in results:
        case = CASES[result["id"]]
        outcome = result["outcome"]
        where = f"{case.id}: "
        if outcome in ("crashed", "fixture-error"):
            found.append(where + f"{outcome} ({result.get('status', result.get('message'))})")
        elif case.valid:
            if outcome != "returned":
                found.append(where + f"valid control raised {result['type']}: "
                             f"{result['message'][:300]}")
        elif outcome == "returned":
            found.append(where + "misuse was accepted without an error")
        elif not result["reasonable"]:
            found.append(where + f"unreasonable exception {result['type']}: "
                         f"{result['message'][:300]}")
        elif not result["message"].strip():
            found.append(where + f"{result['type']} with an empty message")
        elif case.match and not _matches(case.match, result["message"]):
            found.append(where + f"message does not match {case.match!r}: "
                         f"{result['message'][:300]}")
    return found


def _matches(pattern: str, message: str) -> bool:
    import re
    return re.search(pattern, message, re.IGNORECASE | re.DOTALL) is not None


def test_corpus_is_large_and_mixed():
    assert len(CASES) >= 300
    states = {case.state for case in CASES.values()}
    assert states == {"none", "model", "built", "loaded"}
    assert 10 <= sum(case.valid for case in CASES.values()) < len(CASES) // 10


def test_api_misuse_corpus(tmp_path):
    ids = sorted(CASES, key=lambda i: (CASES[i].state, i))
    batches = [ids[i::BATCHES] for i in range(BATCHES)]
    work_dirs = [tmp_path / f"batch{i}" for i in range(BATCHES)]
    for directory in work_dirs:
        directory.mkdir()
    with ThreadPoolExecutor(WORKERS) as pool:
        results = [r for batch in pool.map(run_batch, batches, work_dirs) for r in batch]
    assert sorted(r["id"] for r in results) == sorted(ids)
    crashed = sum(r["outcome"] == "crashed" for r in results)
    clean = sum(bool(r["outcome"] == "raised" and r.get("reasonable") and r["message"].strip())
                for r in results if not CASES[r["id"]].valid)
    valid = sum(CASES[r["id"]].valid and r["outcome"] == "returned" for r in results)
    print(f"\nAPI-misuse corpus: {len(results)} cases, {clean} clean errors, "
          f"{valid} valid controls passed, {crashed} crashes")
    found = problems(results)
    assert not found, f"{len(found)} problems:\n" + "\n".join(found)


def test_harness_reports_a_crash_and_carries_on(tmp_path):
    """A case that kills its child is reported as a crash; the cases after it still run."""
    ids = ["__selftest_raise__", "__selftest_crash__", "__selftest_raise__"]
    results = run_batch(ids, tmp_path)
    assert [r["outcome"] for r in results] == ["raised", "crashed", "raised"]
    assert results[1]["status"] < 0          # killed by a signal


@pytest.mark.parametrize("case_id", ["set-dt-inf", "add-int-var-negative",
                                     "change-spike_recording_enabled-after-build"])
def test_single_case_runs_in_process(case_id, tmp_path):
    """Cases also run in this process (handy when one fails: run it under a debugger)."""
    result = api_misuse_cases.run_case(CASES[case_id], str(tmp_path))
    assert result["outcome"] == "raised" and result["reasonable"], result
