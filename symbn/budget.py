"""Run a computation under a time and memory budget, in a forked worker that is killed when time is up.

SymPy has no timeouts of its own and ``signal.alarm`` cannot interrupt long C-level arithmetic, so
each decision runs in a child process; the parent waits on a pipe and kills the child at the deadline.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
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
