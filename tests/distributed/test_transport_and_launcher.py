"""The local-process transport, run_ranks and the launcher (python -m pygenn.distributed)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from pygenn.distributed import run_ranks

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def exchange_rounds(rounds: int):
    """Each rank allgathers, broadcasts and passes barriers through the shared transport."""
    from pygenn._src.distributed.transport import transport_for
    transport = transport_for(None)
    seen = []
    for i in range(rounds):
        parts = transport.allgather(bytes([transport.rank]) * (transport.rank + i))
        seen.append([len(p) for p in parts])
        assert all(p == bytes([r]) * (r + i) for r, p in enumerate(parts))
    transport.barrier()
    value = transport.broadcast({"from": transport.rank}, root=transport.size - 1)
    return transport.rank, transport.size, seen, value


def fail_on_rank_one():
    from pygenn._src.distributed.transport import transport_for
    transport = transport_for(None)
    if transport.rank == 1:
        raise ValueError("rank one gives up")
    transport.allgather(b"x")         # waits for rank 1, which is gone
    return transport.rank


def test_allgather_broadcast_barrier():
    results = run_ranks(exchange_rounds, 3, 4, timeout=120)
    for rank, (r, size, seen, value) in enumerate(results):
        assert (r, size) == (rank, 3)
        assert seen == [[i, 1 + i, 2 + i] for i in range(4)]
        assert value == {"from": 2}


def test_a_failing_rank_stops_all_and_is_reported():
    with pytest.raises(RuntimeError, match="rank 1 of 3 failed:\n.*rank one gives up"):
        run_ranks(fail_on_rank_one, 3, timeout=120)


def test_launcher_runs_an_unchanged_script(tmp_path):
    """The example, as a plain script and as 2 ranks: the same spikes."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for variable in ("PYGENN_DISTRIBUTION", "PYGENN_NUM_RANKS", "PYGENN_RANK"):
        env.pop(variable, None)
    script = os.path.join(ROOT, "examples", "distributed_balanced.py")
    outputs = {}
    for ranks in (1, 2):
        saved = tmp_path / f"spikes{ranks}.npz"
        command = [sys.executable, script, "--steps", "300", "--save", str(saved)]
        if ranks > 1:
            command = [sys.executable, "-m", "pygenn.distributed", "-n", str(ranks)] + command[1:]
        run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 0, run.stderr
        assert f"{ranks} rank(s)" in run.stdout
        outputs[ranks] = np.load(saved)
    assert outputs[1].files == outputs[2].files
    for key in outputs[1].files:
        np.testing.assert_array_equal(outputs[1][key], outputs[2][key])
    assert len(outputs[1]["poisson_times"]) > 0


def test_launcher_reports_a_failing_script(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import os, sys\nsys.exit(3 if os.environ['PYGENN_RANK'] == '1' else 0)\n")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run = subprocess.run([sys.executable, "-m", "pygenn.distributed", "-n", "2", str(script)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 3


def started_rounds(rounds: int):
    """Started allgathers, blocking collectives between them, waits in a different order."""
    from pygenn._src.distributed.transport import transport_for
    transport = transport_for(None)
    assert transport.overlaps
    requests = [transport.start_allgather(bytes([transport.rank]) * (transport.rank + i))
                for i in range(rounds)]
    # a blocking call made while those are pending completes after them, in every rank's order
    between = transport.allgather(b"%d" % transport.rank)
    value = transport.broadcast({"from": transport.rank}, root=1)
    later = transport.start_allgather(b"last")
    seen = [[bytes(p) for p in request.wait()] for request in reversed(requests)]
    transport.barrier()
    return transport.rank, seen[::-1], between, value, later.wait()


def test_started_allgathers_keep_their_order():
    results = run_ranks(started_rounds, 3, 4, timeout=120)
    for rank, (r, seen, between, value, last) in enumerate(results):
        assert r == rank
        assert seen == [[bytes([q]) * (q + i) for q in range(3)] for i in range(4)]
        assert between == [b"0", b"1", b"2"]
        assert value == {"from": 1}
        assert last == [b"last"] * 3


def started_while_a_rank_is_late(delay: float):
    """Rank 1 joins late: the others' start_allgather returns at once, wait() waits."""
    import time

    from pygenn._src.distributed.transport import transport_for
    transport = transport_for(None)
    transport.barrier()
    if transport.rank == 1:
        time.sleep(delay)
    start = time.monotonic()
    request = transport.start_allgather(b"%d" % transport.rank)
    returned = time.monotonic() - start
    done_at_once = request.done()
    parts = request.wait()
    return returned, done_at_once, time.monotonic() - start, parts


def test_started_allgather_returns_before_the_others_contribute():
    results = run_ranks(started_while_a_rank_is_late, 2, 1.0, timeout=120)
    returned, done_at_once, waited, parts = results[0]
    assert returned < 0.2 and not done_at_once and waited > 0.5
    assert all(r[3] == [b"0", b"1"] for r in results)


def fail_on_rank_one_started():
    from pygenn._src.distributed.transport import RankFailure, transport_for
    transport = transport_for(None)
    transport.barrier()
    if transport.rank == 1:
        raise ValueError("rank one gives up")
    request = transport.start_allgather(b"x")       # rank 1 never contributes
    behind = transport.start_allgather(b"y")
    try:
        request.wait()
    except RankFailure:
        # the one behind it fails too, at once (the ranks are out of step)
        with pytest.raises(RankFailure):
            behind.wait()
        raise
    return transport.rank


def test_a_failing_rank_is_reported_to_started_allgathers():
    with pytest.raises(RuntimeError, match="rank 1 of 3 failed:\n.*rank one gives up"):
        run_ranks(fail_on_rank_one_started, 3, timeout=120)


def finish_with_allgathers_in_flight(count: int):
    """Ranks that return without waiting for their started allgathers still end: closing
    the transport lets them complete first."""
    from pygenn._src.distributed.transport import transport_for
    transport = transport_for(None)
    for i in range(count):
        transport.start_allgather(bytes(1000 * i))
    return transport.rank


def test_ranks_finish_with_allgathers_in_flight():
    assert run_ranks(finish_with_allgathers_in_flight, 3, 5, timeout=60) == [0, 1, 2]


def test_single_rank_requests_complete_at_once():
    from pygenn._src.distributed.transport import SingleRank
    transport = SingleRank()
    request = transport.start_allgather(bytearray(b"ab"))
    assert not transport.overlaps and request.done() and request.wait() == [b"ab"]
