"""How ranks talk to each other: a small collective interface and its implementations.

The distributed model needs only a few collectives, all called by every rank in the same order
(the ranks run the same script): ``allgather`` of a byte string per rank (spikes every step,
recording buffers when the script pulls them), ``broadcast`` of a small picklable object and
``barrier``; and ``start_allgather``, the allgather split in two (start it, compute, then
``wait()`` for the result), with which the spike exchange overlaps the next steps' computation.
Collectives complete in the order they were started or called, whichever way they were called.
Three implementations:

* ``SingleRank``: one rank, no communication (the distributed code path on one process).
* ``LocalProcesses``: ranks are processes on one machine, started by ``run_ranks`` or by
  ``python -m pygenn.distributed``; rank 0 is the hub of a star of Unix-domain sockets
  (``multiprocessing.connection``). Needs nothing beyond the standard library, so CI tests it.
  A started allgather runs on a background thread (``_Worker``): the socket calls and the
  model's step (a ctypes call) both release the GIL, so the exchange progresses while the
  step computes.
* ``Mpi``: mpi4py (optional extra ``pygenn[mpi]``), for ranks started by ``mpirun``; started
  allgathers run on the same kind of thread where MPI allows calls from another thread
  (``MPI_THREAD_SERIALIZED`` or better), else they complete when started.

An NCCL transport for GPU ranks would implement the same three calls on device buffers
(``ncclAllGather`` of fixed-size spike words), with MPI or a socket hub only to start up.
"""
from __future__ import annotations

import os
import pickle
import queue
import struct
import threading
import time

#: environment variables through which a launcher describes the ranks to each process
ENV_RANK = "PYGENN_RANK"
ENV_NUM_RANKS = "PYGENN_NUM_RANKS"
ENV_ADDRESS = "PYGENN_DIST_ADDRESS"
ENV_AUTHKEY = "PYGENN_DIST_AUTHKEY"
ENV_DISTRIBUTION = "PYGENN_DISTRIBUTION"

#: how long a rank waits for the others to connect at start-up (seconds)
CONNECT_TIMEOUT = 120.0


#: how long ``close()`` waits for collectives still running on a background thread (seconds)
CLOSE_TIMEOUT = 30.0


class RankFailure(RuntimeError):
    """Another rank stopped (its process ended or raised) while this one waited for it."""


class Request:
    """A started collective: ``wait()`` returns its result (or raises its error).

    Attributes
    ----------
    background : bool
        Whether it runs on a background thread (False: it completed when it was started).
    """

    def __init__(self, background: bool = True):
        self.background = background
        self._event = threading.Event()
        self._result = None
        self._error = None

    @classmethod
    def completed(cls, result=None, error: BaseException | None = None) -> "Request":
        """A request that finished when it was started."""
        request = cls(background=False)
        request._finish(result, error)
        return request

    def _finish(self, result, error) -> None:
        self._result, self._error = result, error
        self._event.set()

    def done(self) -> bool:
        """Whether the result is there (``wait()`` would not block)."""
        return self._event.is_set()

    def wait(self):
        """The collective's result, once every rank has contributed.

        Raises
        ------
        RankFailure
            If another rank stopped before the collective completed.
        """
        self._event.wait()
        if self._error is not None:
            raise self._error
        return self._result


class _Worker:
    """One background thread that runs a transport's collectives in the order they were
    submitted (every rank submits the same sequence, so they pair up as if called in turn).

    After a collective fails, the ones behind it fail with the same error at once: the ranks
    are then out of step, and another attempt could only block.
    """

    def __init__(self, name: str):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._failure = None
        # a daemon: a rank that ends with a collective still waiting for a failed peer must
        # still be able to exit (close() first waits CLOSE_TIMEOUT for normal completion)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, function) -> Request:
        request = Request()
        self._queue.put((function, request))
        return request

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            function, request = item
            if self._failure is not None:
                request._finish(None, self._failure)
                continue
            try:
                result = function()
            except BaseException as error:      # noqa: BLE001 - handed to the waiting thread
                self._failure = error
                request._finish(None, error)
            else:
                request._finish(result, None)

    def stop(self, timeout: float = CLOSE_TIMEOUT) -> bool:
        """Let submitted collectives finish, then end the thread; whether it ended."""
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()


class Transport:
    """The collectives a distributed model uses. Every rank calls them in the same order.

    Attributes
    ----------
    rank : int
        This process's rank, 0 to ``size - 1``.
    size : int
        Number of ranks.
    """

    rank = 0
    size = 1
    name = "transport"
    #: whether ``start_allgather`` returns before the other ranks have contributed
    overlaps = False

    def allgather(self, data: bytes) -> list:
        """Every rank's ``data``, in rank order (a list of ``size`` byte strings)."""
        raise NotImplementedError

    def start_allgather(self, data: bytes) -> Request:
        """Start an allgather of ``data`` and return at once where the transport can (see
        ``overlaps``); ``wait()`` on the request gives what ``allgather`` returns.

        ``data`` is copied before this returns. Collectives complete in the order they were
        started or called: a blocking call made while a started one is pending completes
        after it.
        """
        try:
            return Request.completed(self.allgather(bytes(data)))
        except RankFailure as error:
            return Request.completed(error=error)

    def broadcast(self, obj, root: int = 0):
        """``obj`` as given on ``root`` (any picklable object), returned on every rank."""
        return pickle.loads(self.allgather(pickle.dumps(obj) if self.rank == root
                                           else b"")[root])

    def barrier(self) -> None:
        """Return once every rank has called it."""
        self.allgather(b"")

    def close(self) -> None:
        """Release connections (the transport is unusable afterwards)."""


class SingleRank(Transport):
    """One rank and nothing to exchange."""

    name = "single"

    def allgather(self, data: bytes) -> list:
        return [bytes(data)]


class LocalProcesses(Transport):
    """Ranks as processes on one machine, connected to rank 0 by Unix-domain sockets.

    Rank 0 listens on ``address``; the others connect and say who they are. An allgather is
    two hops through rank 0 (every rank sends its bytes, rank 0 sends back all of them), which
    for a handful of ranks costs tens of microseconds: enough for tests and small runs.

    Parameters
    ----------
    rank, size : int
        This rank and the number of ranks.
    address : str
        Path of the socket rank 0 listens on (every rank must be given the same one).
    authkey : bytes
        Shared secret: connections that do not know it are refused.
    """

    name = "local"

    def __init__(self, rank: int, size: int, address: str, authkey: bytes):
        from multiprocessing.connection import Client, Listener

        if not 0 <= rank < size:
            raise ValueError(f"rank {rank} is not in [0, {size})")
        self.rank, self.size = rank, size
        self._peers: list = []           # on rank 0: connection to rank r at index r - 1
        self._hub = None                 # on other ranks: the connection to rank 0
        self._worker = None              # started by the first start_allgather
        self.overlaps = size > 1
        if size == 1:
            return
        if rank == 0:
            listener = Listener(address, family="AF_UNIX", authkey=authkey)
            try:
                peers = {}
                while len(peers) < size - 1:
                    connection = listener.accept()
                    peers[struct.unpack("<I", connection.recv_bytes())[0]] = connection
                self._peers = [peers[r] for r in range(1, size)]
            finally:
                listener.close()
        else:
            deadline = time.monotonic() + CONNECT_TIMEOUT
            while True:
                try:
                    self._hub = Client(address, family="AF_UNIX", authkey=authkey)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    # rank 0 is not listening yet
                    if time.monotonic() > deadline:
                        raise RankFailure(f"rank {rank}: rank 0 did not start listening on "
                                          f"{address} within {CONNECT_TIMEOUT:.0f} s") from None
                    time.sleep(0.01)
            self._hub.send_bytes(struct.pack("<I", rank))

    def _receive(self, connection, peer: int) -> bytes:
        try:
            return connection.recv_bytes()
        except (EOFError, OSError):
            raise RankFailure(f"rank {self.rank}: rank {peer} stopped (its process ended or "
                              "raised an exception; see its output)") from None

    def _send(self, connection, data, peer: int) -> None:
        try:
            connection.send_bytes(data)
        except OSError:
            raise RankFailure(f"rank {self.rank}: rank {peer} stopped (its process ended or "
                              "raised an exception; see its output)") from None

    def _allgather_now(self, data: bytes) -> list:
        if self.rank == 0:
            parts = [data] + [self._receive(c, r + 1) for r, c in enumerate(self._peers)]
            packed = _pack(parts)
            for r, connection in enumerate(self._peers):
                self._send(connection, packed, r + 1)
            return parts
        self._send(self._hub, data, 0)
        return _unpack(self._receive(self._hub, 0))

    def allgather(self, data: bytes) -> list:
        if self.size == 1:
            return [bytes(data)]
        if self._worker is not None:
            # behind any started allgather: the sockets carry one collective at a time
            return self.start_allgather(data).wait()
        return self._allgather_now(bytes(data))

    def start_allgather(self, data: bytes) -> Request:
        if self.size == 1:
            return Request.completed([bytes(data)])
        if self._worker is None:
            self._worker = _Worker(f"pygenn-rank{self.rank}-exchange")
        data = bytes(data)
        return self._worker.submit(lambda: self._allgather_now(data))

    def close(self) -> None:
        if self._worker is not None:
            # collectives already started are part of the sequence every rank runs: let them
            # finish (or fail, if a peer is gone) before the connections close
            self._worker.stop()
            self._worker = None
        for connection in self._peers + ([self._hub] if self._hub is not None else []):
            connection.close()
        self._peers, self._hub = [], None


def _pack(parts: list) -> bytes:
    header = struct.pack(f"<I{len(parts)}Q", len(parts), *(len(p) for p in parts))
    return header + b"".join(parts)


def _unpack(packed: bytes) -> list:
    (count,) = struct.unpack_from("<I", packed)
    sizes = struct.unpack_from(f"<{count}Q", packed, 4)
    parts, offset = [], 4 + 8 * count
    for size in sizes:
        parts.append(packed[offset:offset + size])
        offset += size
    return parts


class Mpi(Transport):
    """Ranks started by ``mpirun``/``srun``, talking through mpi4py (``pygenn[mpi]``).

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        Communicator whose processes simulate the model; default ``COMM_WORLD``.
    """

    name = "mpi"

    def __init__(self, comm=None):
        try:
            from mpi4py import MPI
        except ImportError as error:
            raise ImportError("distribution 'mpi' needs mpi4py and an MPI library: pip install "
                              "\"pygenn[mpi]\" (or mpi4py against your cluster's MPI)") from error
        self._comm = comm if comm is not None else MPI.COMM_WORLD
        self.rank, self.size = self._comm.Get_rank(), self._comm.Get_size()
        # a background thread may make MPI calls only if the library allows calls from a
        # thread other than the main one, one thread at a time (all of ours then go through
        # that thread, so they never overlap). Iallgather would need the sizes up front (a
        # second collective), so a thread it is.
        self.overlaps = self.size > 1 and MPI.Query_thread() >= MPI.THREAD_SERIALIZED
        self._worker = None

    def _call(self, function):
        if self._worker is not None:
            return self._worker.submit(function).wait()
        return function()

    def allgather(self, data: bytes) -> list:
        data = bytes(data)
        return self._call(lambda: self._comm.allgather(data))

    def start_allgather(self, data: bytes) -> Request:
        if not self.overlaps:
            return super().start_allgather(data)
        if self._worker is None:
            self._worker = _Worker(f"pygenn-rank{self.rank}-exchange")
        data = bytes(data)
        return self._worker.submit(lambda: self._comm.allgather(data))

    def broadcast(self, obj, root: int = 0):
        return self._call(lambda: self._comm.bcast(obj, root=root))

    def barrier(self) -> None:
        self._call(self._comm.Barrier)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


def transport_for(distribution) -> Transport:
    """The transport a ``GeNNModel(distribution=...)`` argument (or the environment) names.

    ``None`` reads the environment: ``PYGENN_DISTRIBUTION=mpi`` gives ``Mpi``; the variables a
    launcher sets (``PYGENN_RANK``, ``PYGENN_NUM_RANKS``, ``PYGENN_DIST_ADDRESS``,
    ``PYGENN_DIST_AUTHKEY``) give ``LocalProcesses``; neither gives ``SingleRank``.
    """
    if isinstance(distribution, Transport):
        return distribution
    if distribution is None:
        distribution = os.environ.get(ENV_DISTRIBUTION) or (
            "local" if ENV_NUM_RANKS in os.environ else "single")
    if not isinstance(distribution, str):
        raise TypeError(f"distribution must be 'mpi', 'local', 'single' or a Transport, not "
                        f"{distribution!r}")
    kind = distribution.lower()
    if kind == "single":
        return SingleRank()
    if kind not in ("mpi", "local"):
        raise ValueError(f"unknown distribution {distribution!r}: use 'mpi' (ranks started by "
                         f"mpirun), 'local' (ranks started by python -m pygenn.distributed) or "
                         f"'single'")
    # one connection per process, shared by every model the script builds: the ranks create
    # their models in the same order, so the collectives of successive models still pair up
    if kind not in _PROCESS_TRANSPORTS:
        _PROCESS_TRANSPORTS[kind] = Mpi() if kind == "mpi" else _local_from_environment()
    return _PROCESS_TRANSPORTS[kind]


_PROCESS_TRANSPORTS: dict = {}


def _local_from_environment() -> LocalProcesses:
    missing = [v for v in (ENV_RANK, ENV_NUM_RANKS, ENV_ADDRESS, ENV_AUTHKEY)
               if v not in os.environ]
    if missing:
        raise RuntimeError(
            f"distribution 'local' needs ranks started by pygenn's launcher (python -m "
            f"pygenn.distributed -n N script.py, or pygenn.distributed.run_ranks); "
            f"{', '.join(missing)} not set")
    return LocalProcesses(int(os.environ[ENV_RANK]), int(os.environ[ENV_NUM_RANKS]),
                          os.environ[ENV_ADDRESS], bytes.fromhex(os.environ[ENV_AUTHKEY]))


def reset_process_transports() -> None:
    """Close the transports this process shares between models (the launcher's children
    call it before they exit)."""
    for transport in _PROCESS_TRANSPORTS.values():
        transport.close()
    _PROCESS_TRANSPORTS.clear()
