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
) -> list[Any]:
    """``[fn(*args) for args in jobs]``, each job under its own time budget (a :class:`Failure` if it fails).

    One forked worker runs the jobs in order and sends each result as soon as it has it; the parent
    allows every job ``timeout`` seconds from the moment the previous result arrived. A job that
    overruns, or a worker that dies, gives that job a :class:`Failure`; a new worker, forked from
    the parent, carries on with the next job. ``on_start(k)`` is called as job ``k`` begins.
    """
    results: list[Any] = []
    if timeout is None or not hasattr(os, "fork"):
        for k, args in enumerate(jobs):
            if on_start is not None:
                on_start(k)
            results.append(_guarded(fn, args))
        return results
    while len(results) < len(jobs):
        start = len(results)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, measured by the parent's tests
            os.close(read_end)
            _limit_memory()
            with os.fdopen(write_end, "wb") as pipe:
                for args in jobs[start:]:
                    pipe.write(_framed(_guarded(fn, args)))
                    pipe.flush()
            os._exit(0)
        os.close(write_end)
        reader = _FrameReader(read_end)
        try:
            for k in range(start, len(jobs)):
                if on_start is not None:
                    on_start(k)
                received = reader.next_frame(time.monotonic() + timeout)
                if received is None:
                    results.append(Failure(f"no verdict within the time budget of {timeout:g} s"))
                    break
                if not received:
                    results.append(Failure("the worker process died (out of memory?)"))
                    break
                results.append(_unpickled(received))
        finally:
            os.close(read_end)
            _reap(pid, kill=True)
    return results


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


class _FrameReader:
    """Reads length-prefixed frames from a pipe, each before a deadline."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def next_frame(self, deadline: float) -> bytes | None:
        """The next frame; ``None`` if the deadline passed first, ``b""`` if the pipe closed."""
        while True:
            if len(self.buffer) >= 8:
                (size,) = struct.unpack("<Q", self.buffer[:8])
                if len(self.buffer) >= 8 + size:
                    frame = self.buffer[8 : 8 + size]
                    self.buffer = self.buffer[8 + size :]
                    return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return b""
            self.buffer += chunk


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
