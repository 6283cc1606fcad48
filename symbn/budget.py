"""Run computations under a time and memory budget, in a forked worker that is killed when time is up.

SymPy has no timeouts of its own and ``signal.alarm`` cannot interrupt long C-level arithmetic, so
decisions run in a child process; the parent waits on a pipe and kills the child at the deadline.
:func:`run_many` runs a whole sequence of jobs in one long-lived worker (a fork costs several
milliseconds, more than most steps), giving each job its own deadline; when a job overruns, the
worker is killed and a fresh one continues with the next job.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MEMORY_HEADROOM = 2 << 30
# Two workers when there are two cores: most derivations have a few costly steps, and the second
# core would otherwise idle while the parent waits. More would mostly add forks.
WORKERS = min(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class Failure:
    """Why a budgeted computation gave no result: a timeout, an exception, or a dead worker."""

    reason: str


def run_budgeted(fn: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> Any:
    """``fn(*args)``, or a :class:`Failure` if it raises, runs out of time, or runs out of memory."""
    if timeout is None or not hasattr(os, "fork"):
        return _guarded(fn, args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, measured by the parent's tests
        os.close(read_end)
        _limit_memory()
        try:
            data = pickle.dumps(_guarded(fn, args))
        except Exception as exc:
            data = pickle.dumps(Failure(f"the result could not be returned: {exc}"))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        os._exit(0)
    os.close(write_end)
    try:
        received = _read_until(read_end, time.monotonic() + timeout)
    finally:
        os.close(read_end)
        _reap(pid, kill=True)
    if received is None:
        return Failure(f"no verdict within the time budget of {timeout:g} s")
    if not received:
        return Failure("the worker process died (out of memory?)")
    return pickle.loads(received)


def run_many(
    fn: Callable[..., Any],
    jobs: Sequence[tuple[Any, ...]],
    timeout: float | None,
    on_start: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[Any]:
    """``[fn(*args) for args in jobs]``, each job under its own time budget (a :class:`Failure` if it fails).

    The jobs are dealt round-robin to ``workers`` lanes; each lane is one forked worker that runs its
    jobs in order and sends each result as soon as it has it. The parent allows every job ``timeout``
    seconds from the moment its lane's previous result arrived. A job that overruns, or a worker
    that dies, gives that job a :class:`Failure`; a new worker, forked from the parent, carries on
    with the lane's next job. ``on_start(k)`` is called as job ``k`` begins. ``workers`` defaults
    to :data:`WORKERS`.
    """
    if timeout is None or not hasattr(os, "fork"):
        results = []
        for k, args in enumerate(jobs):
            if on_start is not None:
                on_start(k)
            results.append(_guarded(fn, args))
        return results
    count = max(1, min(WORKERS if workers is None else workers, len(jobs)))
    lanes = [_Lane(fn, jobs, list(range(w, len(jobs), count))) for w in range(count)]
    outcome: dict[int, Any] = {}
    for lane in lanes:
        lane.fork()
    try:
        for lane in lanes:
            lane.started(on_start, timeout)
        while any(lane.busy for lane in lanes):
            busy = [lane for lane in lanes if lane.busy]
            deadline = min(lane.deadline for lane in busy)
            ready, _, _ = select.select(
                [lane.fd for lane in busy], [], [], max(0.0, deadline - time.monotonic())
            )
            for lane in busy:
                if lane.fd in ready:
                    lane.receive(outcome, on_start, timeout)
                elif time.monotonic() >= lane.deadline:
                    lane.fail(outcome, f"no verdict within the time budget of {timeout:g} s")
                    lane.restart(on_start, timeout)
    finally:
        for lane in lanes:
            lane.stop()
    return [outcome[k] for k in range(len(jobs))]


class _Lane:
    """One worker's share of the jobs, the worker running them, and the deadline of its current job."""

    def __init__(self, fn: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], mine: list[int]):
        self.fn, self.jobs, self.mine = fn, jobs, mine
        self.position = 0
        self.pid = 0
        self.fd = -1
        self.buffer = b""
        self.deadline = 0.0

    @property
    def busy(self) -> bool:
        return self.position < len(self.mine)

    def fork(self) -> None:
        """Fork a worker for this lane's remaining jobs."""
        if not self.busy:
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, measured by the parent's tests
            os.close(read_end)
            _limit_memory()
            with os.fdopen(write_end, "wb") as pipe:
                for k in self.mine[self.position :]:
                    pipe.write(_framed(_guarded(self.fn, self.jobs[k])))
                    pipe.flush()
            os._exit(0)
        os.close(write_end)
        self.pid, self.fd, self.buffer = pid, read_end, b""

    def started(self, on_start: Callable[[int], None] | None, timeout: float) -> None:
        """The lane's current job has begun: announce it and set its deadline."""
        if not self.busy:
            return
        if on_start is not None:
            on_start(self.mine[self.position])
        self.deadline = time.monotonic() + timeout

    def receive(
        self, outcome: dict[int, Any], on_start: Callable[[int], None] | None, timeout: float
    ) -> None:
        """Read what the worker sent: whole results are recorded, a closed pipe is a dead worker."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.fail(outcome, "the worker process died (out of memory?)")
            self.restart(on_start, timeout)
            return
        self.buffer += chunk
        while self.busy and len(self.buffer) >= 8:
            (size,) = struct.unpack("<Q", self.buffer[:8])
            if len(self.buffer) < 8 + size:
                break
            frame, self.buffer = self.buffer[8 : 8 + size], self.buffer[8 + size :]
            outcome[self.mine[self.position]] = _unpickled(frame)
            self.position += 1
            self.started(on_start, timeout)
        if not self.busy:
            self.stop()

    def fail(self, outcome: dict[int, Any], reason: str) -> None:
        """The current job gets a :class:`Failure`; the worker is ended."""
        outcome[self.mine[self.position]] = Failure(reason)
        self.position += 1
        self.stop()

    def restart(self, on_start: Callable[[int], None] | None, timeout: float) -> None:
        """A fresh worker for the lane's remaining jobs, if any."""
        self.fork()
        self.started(on_start, timeout)

    def stop(self) -> None:
        """End the worker, if one runs, and close its pipe."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            _reap(self.pid, kill=True)
            self.pid = 0


def _unpickled(data: bytes) -> Any:
    try:
        return pickle.loads(data)
    except Exception as exc:
        return Failure(f"the worker's result could not be read: {exc}")


def _framed(result: Any) -> bytes:
    try:
        data = pickle.dumps(result)
    except Exception as exc:
        data = pickle.dumps(Failure(f"the result could not be returned: {exc}"))
    return struct.pack("<Q", len(data)) + data


def _guarded(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    try:
        return fn(*args)
    except MemoryError:
        return Failure("out of memory")
    except RecursionError:
        return Failure("the expression is nested too deeply")
    except Exception as exc:
        return Failure(f"{type(exc).__name__} inside the computation: {exc}")


def _read_until(fd: int, deadline: float) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int, *, kill: bool) -> None:
    done, _ = os.waitpid(pid, os.WNOHANG)
    if done == 0 and kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        limit = pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError, ImportError):
        pass
