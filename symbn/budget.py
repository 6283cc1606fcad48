"""Run computations under a CPU-time and memory budget, in worker processes that cannot outlive us.

SymPy has no timeouts of its own and ``signal.alarm`` cannot interrupt long C-level arithmetic, so
decisions run in child processes; the parent waits on pipes and kills a child that overruns.
:func:`run_many` runs a whole sequence of jobs in one long-lived worker per lane (starting a worker
costs milliseconds when forked, a second when spawned), giving each job its own budget; when a job
overruns, its worker is killed and a fresh one continues with the lane's next job.

The budget is CPU time of the worker, so a loaded machine changes how long a check takes, not its
verdict. The parent reads the worker's CPU time from ``/proc/<pid>/stat`` where it can; every
worker also sets ``RLIMIT_CPU`` before each job, which enforces the budget (to the next whole
second) where ``/proc`` is absent and is a backstop where it is not. A wall-clock backstop of
``WALL_FACTOR × budget + WALL_MARGIN`` ends a worker that waits without computing.

A worker cannot outlive the parent: on Linux it asks the kernel for ``SIGKILL`` when the parent
dies (``PR_SET_PDEATHSIG``), everywhere a thread in it checks that its parent is still the one that
started it, and ``RLIMIT_CPU`` bounds it if neither can run. It ignores Ctrl-C (the parent, which
gets it too, ends the workers) and dies silently on SIGTERM or SIGHUP.

Workers are forked where ``os.fork`` exists and is safe; elsewhere (Windows, macOS), or with
``SYMBN_NO_FORK=1`` in the environment, they are started with :mod:`multiprocessing`'s ``spawn``
and the same protocol (see :func:`forking`).
"""

from __future__ import annotations

import math
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

MEMORY_HEADROOM = 2 << 30
# How the reason of a claim that ran out of time begins (the cache and the run cache look for it).
TIMED_OUT = "no verdict within the time budget of"
MAX_TIMEOUT = 86_400.0  # one day; the same bound as the command line's and Derivation.check's
# Wide enough that a machine loaded ten times over still gets every budget in CPU time.
WALL_FACTOR, WALL_MARGIN = 10.0, 5.0
STARTUP = 120.0  # wall seconds a spawned worker may take to import its modules, outside any budget
POLL = 0.5  # the longest the parent waits before reading a worker's CPU time again
PARENT_CHECK = 0.5  # how often a worker checks that its parent is alive
STATM = "/proc/self/statm"
PROC_STAT = "/proc/{pid}/stat"
PR_SET_PDEATHSIG = 1


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says, else all)."""
    if hasattr(os, "sched_getaffinity"):
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except OSError:
            pass
    return max(1, os.cpu_count() or 1)


# One worker per core this process may use: a derivation's claims (and ``derive --all``'s, and
# several documents') are shared out among them; :func:`run_many` never starts more workers than
# it has jobs.
WORKERS = usable_cores()
_READY = b"symbn-worker-ready"
_STOPPING = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@dataclass(frozen=True)
class Failure:
    """Why a budgeted computation gave no result: a timeout, an exception, or a dead worker."""

    reason: str


@dataclass(frozen=True)
class _Unsent:
    """A job that could not be pickled for a spawned worker: the worker answers with its reason."""

    reason: str


def forking() -> bool:
    """Whether workers are forked rather than spawned.

    Forked where ``os.fork`` exists, except on macOS, where forking a process that runs threads
    (a notebook kernel does) is unsafe; ``SYMBN_NO_FORK=1`` in the environment asks for spawned
    workers anywhere, ``SYMBN_NO_FORK=0`` for forked ones wherever ``os.fork`` exists.
    """
    if not hasattr(os, "fork"):
        return False
    choice = os.environ.get("SYMBN_NO_FORK", "")
    if choice in ("0", "1"):
        return choice == "0"
    return sys.platform != "darwin"


def check_timeout(timeout: object) -> None:
    """A ``ValueError`` unless ``timeout`` is None or seconds in (0, :data:`MAX_TIMEOUT`]."""
    if timeout is None:
        return
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not 0 < timeout <= MAX_TIMEOUT
    ):
        raise ValueError(
            f"a time budget is seconds above 0 and at most {MAX_TIMEOUT:g}, or None; got {timeout!r}"
        )


def run_budgeted(fn: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> Any:
    """``fn(*args)``, or a :class:`Failure` if it raises, runs out of time, or runs out of memory."""
    return run_many(fn, [args], timeout, workers=1)[0]


def run_many(
    fn: Callable[..., Any],
    jobs: Sequence[tuple[Any, ...]],
    timeout: float | None,
    on_start: Callable[[int], None] | None = None,
    workers: int | None = None,
    *,
    total: float | None = None,
) -> list[Any]:
    """``[fn(*args) for args in jobs]``, each job under its own time budget (a :class:`Failure` if it fails).

    The jobs are dealt round-robin to ``workers`` lanes; each lane is one worker process that runs
    its jobs in order and sends each result as soon as it has it. Every job may use ``timeout``
    seconds of the worker's CPU time from the moment its lane's previous result arrived. A job
    that overruns, or a worker that dies, gives that job a :class:`Failure`; a new worker carries
    on with the lane's next job. ``on_start(k)`` is called as job ``k`` begins. ``workers``
    defaults to :data:`WORKERS`. ``timeout=None`` runs the jobs here, without a budget.

    ``total`` bounds the whole call: the CPU seconds of all its jobs together (wall-clock seconds
    for a worker whose CPU time cannot be read). Once they are spent, the jobs running and every
    job not yet begun get a :class:`Failure` saying so; the results already in are kept.
    """
    check_timeout(timeout)
    check_timeout(total)
    if timeout is None:
        results = []
        for k, args in enumerate(jobs):
            if on_start is not None:
                on_start(k)
            results.append(_guarded(fn, args))
        return results
    from multiprocessing.connection import wait

    count = max(1, min(WORKERS if workers is None else workers, len(jobs)))
    started: list[_Worker] = []  # every worker this call starts, ended by its cleanup at the latest
    lanes = [
        _Lane(fn, jobs, list(range(w, len(jobs), count)), timeout, started) for w in range(count)
    ]
    outcome: dict[int, Any] = {}
    try:
        for lane in lanes:
            lane.restart(outcome, on_start)
        while True:
            busy = [lane for lane in lanes if lane.busy and lane.worker is not None]
            if not busy:
                break
            now = time.monotonic()
            wake = min(lane.wake() for lane in busy)
            if total is not None:
                wake = min(wake, now + min(POLL, max(0.01, total - spent(lanes))))
            ready = wait([lane.worker.conn for lane in busy if lane.worker], max(0.0, wake - now))
            for lane in busy:
                if lane.worker is not None and lane.worker.conn in ready:
                    lane.receive(outcome, on_start)
                else:
                    lane.watch(outcome, on_start)
            if total is not None and spent(lanes) >= total:
                reason = f"no verdict: the budget of {total:g} s for the whole run is spent"
                for lane in lanes:
                    lane.abandon(outcome, reason)
    finally:
        for lane in lanes:
            lane.stop()
        for worker in started:
            worker.end()
    return [outcome[k] for k in range(len(jobs))]


def spent(lanes: Sequence[_Lane]) -> float:
    """The seconds the lanes' jobs have used so far, ended ones and running ones together."""
    return sum(lane.used + lane.running() for lane in lanes)


class _Lane:
    """One worker's share of the jobs, the worker running them, and the budget of its current job."""

    def __init__(
        self,
        fn: Callable[..., Any],
        jobs: Sequence[tuple[Any, ...]],
        mine: list[int],
        timeout: float,
        started: list[_Worker],
    ) -> None:
        self.fn, self.jobs, self.mine, self.timeout = fn, jobs, mine, timeout
        self.started = started
        self.position = 0
        self.worker: _Worker | None = None
        self.ready = False
        self.since = 0.0  # monotonic time the worker started, or its current job began
        self.cpu_at_start = 0.0  # the worker's CPU seconds when its current job began
        self.next_look = 0.0  # when the parent reads the worker's CPU time next
        self.used = 0.0  # seconds used by this lane's jobs that have ended

    @property
    def busy(self) -> bool:
        return self.position < len(self.mine)

    @property
    def wall_limit(self) -> float:
        """Wall seconds a job may take: the backstop where CPU time is enforced, else the budget."""
        enforced = self.worker is not None and (self.worker.measured or _HAVE_RLIMIT_CPU)
        return WALL_FACTOR * self.timeout + WALL_MARGIN if enforced else self.timeout

    def restart(self, outcome: dict[int, Any], on_start: Callable[[int], None] | None) -> None:
        """A fresh worker for the lane's remaining jobs, if any."""
        self.stop()
        if not self.busy:
            return
        remaining = [self.jobs[k] for k in self.mine[self.position :]]
        try:
            self.worker = _Worker.start(self.fn, remaining, self.timeout, self.started)
        except Exception as exc:  # the function itself cannot be sent to a spawned worker
            for k in self.mine[self.position :]:
                outcome[k] = Failure(f"the computation could not be sent to a worker: {exc}")
            self.position = len(self.mine)
            return
        self.ready = self.worker.process is None
        self.since = time.monotonic()
        if self.ready:
            self._begin(on_start)

    def running(self) -> float:
        """Seconds the current job has used: CPU time where it can be read, else wall-clock."""
        if self.worker is None or not self.busy or not self.ready:
            return 0.0
        if self.worker.measured:
            cpu = self.worker.cpu()
            return 0.0 if cpu is None else max(0.0, cpu - self.cpu_at_start)
        return time.monotonic() - self.since

    def abandon(self, outcome: dict[int, Any], reason: str) -> None:
        """Every job of the lane not yet done gets a :class:`Failure` for ``reason``; the worker ends."""
        self.stop()
        for k in self.mine[self.position :]:
            outcome[k] = Failure(reason)
        self.position = len(self.mine)

    def _begin(self, on_start: Callable[[int], None] | None) -> None:
        """The lane's current job has begun: announce it and start its budget."""
        if on_start is not None:
            on_start(self.mine[self.position])
        assert self.worker is not None
        self.since = time.monotonic()
        self.cpu_at_start = self.worker.cpu() or 0.0
        self.next_look = self.since + min(self.timeout, POLL)

    def wake(self) -> float:
        """The monotonic time by which the parent must look at this lane again."""
        if not self.ready:
            return self.since + STARTUP
        deadline = self.since + self.wall_limit
        measured = self.worker is not None and self.worker.measured
        return min(deadline, self.next_look) if measured else deadline

    def receive(self, outcome: dict[int, Any], on_start: Callable[[int], None] | None) -> None:
        """Read one message: a result is recorded, a closed pipe is a dead worker."""
        assert self.worker is not None
        try:
            data = self.worker.conn.recv_bytes()
        except (EOFError, OSError):
            signum = self.worker.end(wait=True)
            if signum == getattr(signal, "SIGXCPU", None):
                self._fail(outcome, self._over_budget("the worker's CPU limit"))
            else:
                self._fail(outcome, "the worker process died (out of memory?)")
            self.restart(outcome, on_start)
            return
        if not self.ready:
            self.ready = True
            if data != _READY:
                self._fail(outcome, "the worker did not start as expected")
                self.restart(outcome, on_start)
            else:
                self._begin(on_start)
            return
        self.used += self.running()
        outcome[self.mine[self.position]] = _unpickled(data)
        self.position += 1
        if self.busy:
            self._begin(on_start)
        else:
            self.stop()

    def watch(self, outcome: dict[int, Any], on_start: Callable[[int], None] | None) -> None:
        """End the current job if it is past its budget (CPU time, or the wall-clock backstop)."""
        now = time.monotonic()
        assert self.worker is not None
        if not self.ready:
            if now >= self.since + STARTUP:
                self._fail(outcome, f"the worker did not start within {STARTUP:g} s")
                self.restart(outcome, on_start)
            return
        if now >= self.since + self.wall_limit:
            if self.wall_limit == self.timeout:
                reason = self._over_budget("")
            else:
                reason = self._over_budget(
                    f"it did not end within {self.wall_limit:g} s wall-clock"
                )
            self._fail(outcome, reason)
            self.restart(outcome, on_start)
            return
        if not self.worker.measured or now < self.next_look:
            return
        cpu = self.worker.cpu()
        used = 0.0 if cpu is None else cpu - self.cpu_at_start
        if used >= self.timeout:
            self._fail(outcome, self._over_budget("CPU time of the worker"))
            self.restart(outcome, on_start)
            return
        self.next_look = now + min(POLL, max(0.01, self.timeout - used))

    def _over_budget(self, how: str) -> str:
        reason = f"{TIMED_OUT} {self.timeout:g} s"
        return f"{reason} ({how})" if how else reason

    def _fail(self, outcome: dict[int, Any], reason: str) -> None:
        """The current job gets a :class:`Failure`; the worker is ended."""
        self.used += self.running()
        outcome[self.mine[self.position]] = Failure(reason)
        self.position += 1
        self.stop()

    def stop(self) -> None:
        """End the worker, if one runs, and close its pipe."""
        if self.worker is not None:
            self.worker.end()
            self.worker = None


class _Worker:
    """A running worker process: its pid, the pipe its results come on, and how its CPU time is read."""

    def __init__(self, pid: int, conn: Connection, process: BaseProcess | None) -> None:
        self.pid, self.conn, self.process = pid, conn, process
        self.measured = self.cpu() is not None
        self.done = False

    @classmethod
    def start(
        cls,
        fn: Callable[..., Any],
        jobs: list[tuple[Any, ...]],
        timeout: float,
        started: list[_Worker],
    ) -> _Worker:
        """A worker for ``jobs``, forked where that is possible, else spawned.

        It is added to ``started`` while stopping signals are still held back, so a Ctrl-C that
        arrives as it starts finds it there, and the cleanup ends it.
        """
        start = cls._fork if forking() else cls._spawn
        return start(fn, jobs, timeout, started)

    @classmethod
    def _fork(
        cls,
        fn: Callable[..., Any],
        jobs: list[tuple[Any, ...]],
        timeout: float,
        started: list[_Worker],
    ) -> _Worker:
        from multiprocessing import Pipe

        reader, writer = Pipe(duplex=False)
        parent = os.getpid()
        _prepare_parent()
        with _stop_signals_blocked():
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child, measured by the parent's tests
                try:
                    reader.close()
                    _become_worker(parent)
                    for args in jobs:
                        _limit_cpu(timeout)
                        writer.send_bytes(_pickled(_guarded(fn, args)))
                except BaseException:
                    os._exit(1)
                os._exit(0)
            writer.close()
            worker = cls(pid, reader, None)
            started.append(worker)
        return worker

    @classmethod
    def _spawn(
        cls,
        fn: Callable[..., Any],
        jobs: list[tuple[Any, ...]],
        timeout: float,
        started: list[_Worker],
    ) -> _Worker:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        payload = pickle.dumps((fn, [_pickled_job(args) for args in jobs]))
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(
            target=_spawned,
            args=(payload, writer, os.getpid(), timeout),
            name="symbn-worker",
            daemon=True,
        )
        with _stop_signals_blocked():
            process.start()
            writer.close()
            assert process.pid is not None
            worker = cls(process.pid, reader, process)
            started.append(worker)
        return worker

    def cpu(self) -> float | None:
        """The worker's CPU seconds so far (user and system), or None where they cannot be read."""
        try:
            with open(PROC_STAT.format(pid=self.pid), "rb") as stat:
                data = stat.read()
            fields = data[data.rindex(b")") + 2 :].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        except (OSError, ValueError, IndexError):
            return None

    def end(self, *, wait: bool = False) -> int | None:
        """Kill the worker if it still runs (after a short wait, if ``wait``), reap it, close its pipe.

        Returns the signal the worker died of, if it died of one (``SIGXCPU``: its CPU limit).
        """
        if self.done:
            return None
        self.done = True
        self.conn.close()
        code = self._reaped(wait)
        return -code if code is not None and code < 0 else None

    def _reaped(self, wait: bool) -> int | None:
        """The worker's exit code (negative: the signal), once it has ended or been killed."""
        if self.process is not None:
            if wait:
                self.process.join(0.2)
            if self.process.exitcode is None:
                self.process.kill()
                self.process.join()
            code = self.process.exitcode
            self.process.close()
            return code
        for _ in range(20 if wait else 1):
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            if wait:
                time.sleep(0.01)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def _spawned(payload: bytes, conn: Connection, parent: int, timeout: float) -> None:
    """A spawned worker's body: unpack the jobs, say it is ready, then run and answer each."""
    try:
        _become_worker(parent)
        try:
            fn, packed = pickle.loads(payload)
        except Exception as exc:
            fn, packed = None, [pickle.dumps(_Unsent(f"the jobs could not be read: {exc}"))]
        conn.send_bytes(_READY)
        for data in packed:
            _limit_cpu(timeout)
            try:
                job = pickle.loads(data)
            except Exception as exc:
                job = _Unsent(f"the job could not be read by the worker: {exc}")
            if isinstance(job, _Unsent):
                result: Any = Failure(job.reason)
            else:
                result = _guarded(fn, job) if fn is not None else Failure("no computation")
            conn.send_bytes(_pickled(result))
    except BaseException:
        os._exit(1)
    os._exit(0)


def _pickled_job(args: tuple[Any, ...]) -> bytes:
    try:
        return pickle.dumps(args)
    except Exception as exc:
        return pickle.dumps(_Unsent(f"the job could not be sent to a worker: {exc}"))


def _prepare_parent() -> None:
    """Import in the parent what every forked worker needs, so no child pays for it."""
    if sys.platform.startswith("linux"):
        _libc()


def _libc() -> Any:
    """The C library, through ctypes, for ``prctl`` (Linux); None where it cannot be loaded."""
    global _LIBC
    if _LIBC is False:
        try:
            import ctypes

            _LIBC = ctypes.CDLL(None, use_errno=True)
        except (OSError, ImportError):
            _LIBC = None
    return _LIBC


_LIBC: Any = False


@contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP held back while a worker starts, so neither side loses one.

    A forked or spawned child inherits the blocked mask: it cannot be interrupted before it has
    set its own dispositions, and the parent gets the signal as soon as the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _become_worker(parent: int) -> None:
    """What makes a process a well-behaved worker: signals, a tie to the parent, resource limits."""
    if threading.current_thread() is threading.main_thread():
        for signum in _STOPPING:
            disposition = signal.SIG_IGN if signum == signal.SIGINT else signal.SIG_DFL
            signal.signal(signum, disposition)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
    libc = _libc() if sys.platform.startswith("linux") else None
    if libc is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the tie was made
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _limit_memory()
    if hasattr(sys, "set_int_max_str_digits"):
        # Python's 4,300-digit limit on int <-> str guards against quadratic conversions; here the
        # CPU budget already bounds them, and a counterexample with a big integer must print.
        sys.set_int_max_str_digits(0)
    if _HAVE_RLIMIT_CPU:
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a SIGXCPU leaves no core file
        except (OSError, ValueError):
            pass


def _watch_parent(parent: int) -> None:
    """End this worker as soon as the parent that started it is gone (it was reparented)."""
    while True:
        time.sleep(PARENT_CHECK)
        if os.getppid() != parent:
            os._exit(1)


def _limit_cpu(timeout: float) -> None:
    """Let this worker's next job use ``timeout`` more CPU seconds (rounded up, plus one), no more."""
    if not _HAVE_RLIMIT_CPU:
        return
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    wanted = math.ceil(usage.ru_utime + usage.ru_stime + timeout) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (wanted, hard))
    except (OSError, ValueError):
        pass


def memory_limits(statm: str | None = None) -> dict[str, int]:
    """The address-space limits a worker sets on itself: its present size plus the headroom.

    The size is read from ``/proc/self/statm`` where it exists and limits ``RLIMIT_AS``; elsewhere
    (macOS) the virtual size is no usable measure (it counts the whole shared cache), so the peak
    resident size, doubled, plus twice the headroom limits ``RLIMIT_DATA``.
    """
    try:
        import resource
    except ImportError:
        return {}
    try:
        with open(STATM if statm is None else statm) as handle:
            pages = int(handle.read().split()[0])
        return {"RLIMIT_AS": pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_HEADROOM}
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak *= 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kilobytes elsewhere
    if not hasattr(resource, "RLIMIT_DATA"):
        return {}
    return {"RLIMIT_DATA": 2 * peak + 2 * MEMORY_HEADROOM}


def _limit_memory(statm: str | None = None) -> None:
    """Set :func:`memory_limits` on this process, where the system lets it."""
    try:
        import resource
    except ImportError:
        return
    for name, limit in memory_limits(statm).items():
        which = getattr(resource, name)
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        try:
            resource.setrlimit(which, (limit, hard))
        except (OSError, ValueError):
            pass


def _unpickled(data: bytes) -> Any:
    try:
        return pickle.loads(data)
    except Exception as exc:
        return Failure(f"the worker's result could not be read: {exc}")


def _pickled(result: Any) -> bytes:
    try:
        return pickle.dumps(result)
    except Exception as exc:
        return pickle.dumps(Failure(f"the result could not be returned: {exc}"))


def _guarded(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    try:
        return fn(*args)
    except MemoryError:
        return Failure("out of memory")
    except RecursionError:
        return Failure("the expression is nested too deeply")
    except Exception as exc:
        return Failure(f"{type(exc).__name__} inside the computation: {exc}")


def _clock_ticks() -> int:
    try:
        return os.sysconf("SC_CLK_TCK")
    except (AttributeError, ValueError, OSError):
        return 100


def _have_rlimit_cpu() -> bool:
    try:
        import resource
    except ImportError:
        return False
    return hasattr(resource, "RLIMIT_CPU")


_CLOCK_TICKS = _clock_ticks()
_HAVE_RLIMIT_CPU = _have_rlimit_cpu()
