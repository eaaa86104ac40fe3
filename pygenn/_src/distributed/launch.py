"""Starting ranks as processes on one machine.

* ``python -m pygenn.distributed -n 3 script.py [args]`` runs ``script.py`` in 3 processes, each
  with the environment that makes its ``GeNNModel`` one rank of a 3-rank model.
* ``run_ranks(function, 3, *args)`` does the same for a Python function (tests, notebooks) and
  returns each rank's result.

If a rank fails, the others stop too: its sockets close, and a rank waiting for it raises
``RankFailure``; the launcher then ends any rank still running and exits with the failure's
status.
"""
from __future__ import annotations

import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import time
import traceback

from . import transport as tr


def _rank_environments(num_ranks: int, directory: str) -> list:
    """The environment variables of each rank (one socket address and key for all)."""
    if isinstance(num_ranks, bool) or not isinstance(num_ranks, int) or num_ranks < 1:
        raise ValueError(f"the number of ranks must be a positive integer, not {num_ranks!r}")
    address = os.path.join(directory, "rank0.sock")
    authkey = secrets.token_hex(16)
    return [{tr.ENV_RANK: str(rank), tr.ENV_NUM_RANKS: str(num_ranks),
             tr.ENV_ADDRESS: address, tr.ENV_AUTHKEY: authkey,
             tr.ENV_DISTRIBUTION: "local"} for rank in range(num_ranks)]


def _run_in_rank(environment: dict, function, args, results):
    os.environ.update(environment)
    rank = int(environment[tr.ENV_RANK])
    try:
        value = function(*args)
    except BaseException as error:          # noqa: BLE001 - reported to the parent
        results.put((rank, False, f"{type(error).__name__}: {error}\n"
                                  f"{traceback.format_exc()}"))
        tr.reset_process_transports()
        return
    results.put((rank, True, value))
    tr.reset_process_transports()


def run_ranks(function, num_ranks: int, *args, timeout: float | None = None) -> list:
    """Call ``function(*args)`` in ``num_ranks`` processes, as ranks of a distributed model.

    Each process's ``GeNNModel`` becomes one rank (distribution ``"local"``). ``function``
    must be importable by name (a module-level function), since processes are spawned.

    Parameters
    ----------
    function : callable
        What each rank runs; its return value must be picklable.
    num_ranks : int
        Number of processes.
    *args
        Arguments for ``function`` (picklable).
    timeout : float, optional
        Seconds to wait for all ranks; default no limit.

    Returns
    -------
    list
        ``function``'s return value on each rank, in rank order.

    Raises
    ------
    RuntimeError
        If a rank raised (the message holds its traceback) or ended without a result.
    """
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="pygenn-ranks-") as directory:
        environments = _rank_environments(num_ranks, directory)
        results = context.Queue()
        processes = [context.Process(target=_run_in_rank, args=(env, function, args, results),
                                     name=f"pygenn-rank-{rank}")
                     for rank, env in enumerate(environments)]
        for process in processes:
            process.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        outcome, failures = {}, []
        try:
            while len(outcome) + len(failures) < num_ranks:
                try:
                    rank, ok, value = results.get(timeout=0.2)
                except Exception as empty:          # queue.Empty: check the processes
                    if deadline is not None and time.monotonic() > deadline:
                        raise TimeoutError(f"ranks did not finish within {timeout} s") from empty
                    if all(not p.is_alive() for p in processes) and results.empty():
                        break
                    continue
                if ok:
                    outcome[rank] = value
                else:
                    failures.append((rank, value))
        finally:
            for process in processes:
                process.join(timeout=5 if not failures else 1)
                if process.is_alive():
                    process.terminate()
                    process.join()
        if failures:
            # the first failure is the cause; ranks that stopped because of it say so
            failures.sort(key=lambda f: ("RankFailure" in f[1], f[0]))
            rank, message = failures[0]
            raise RuntimeError(f"rank {rank} of {num_ranks} failed:\n{message}")
        missing = [r for r in range(num_ranks) if r not in outcome]
        if missing:
            codes = {r: processes[r].exitcode for r in missing}
            raise RuntimeError(f"ranks {missing} ended without a result (exit codes {codes})")
        return [outcome[r] for r in range(num_ranks)]


def main(argv=None) -> int:
    """``python -m pygenn.distributed -n N script.py [args...]``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m pygenn.distributed",
        description="Run a PyGeNN script as N ranks (processes on this machine) that together "
                    "simulate its model; each rank builds and simulates part of the model.")
    parser.add_argument("-n", "--ranks", type=int, required=True, help="number of ranks")
    parser.add_argument("script", help="the PyGeNN script")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's arguments")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pygenn-ranks-") as directory:
        environments = _rank_environments(options.ranks, directory)
        processes = []
        for environment in environments:
            env = dict(os.environ)
            env.update(environment)
            processes.append(subprocess.Popen([sys.executable, options.script] + options.args,
                                              env=env))
        status = 0
        try:
            running = list(processes)
            while running:
                for process in list(running):
                    code = process.poll()
                    if code is None:
                        continue
                    running.remove(process)
                    if code != 0 and status == 0:
                        status = code
                        # one rank failed: the others cannot finish; end the ones we started
                        for other in running:
                            other.terminate()
                time.sleep(0.05)
        except KeyboardInterrupt:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            status = 130
        for process in processes:
            process.wait()
        return status
