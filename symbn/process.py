"""The ``symbn`` process: signals, a fast exit once the output is out, the renderer loaded while checking.

Kept apart from :mod:`symbn.cli` (the click commands) because it is about the process, not about
the commands: ``entry`` is the installed script's entry point.

A stopping signal ends the run cleanly: Ctrl-C (SIGINT), SIGTERM and SIGHUP unwind the parent,
which ends its workers on the way out (they ignore Ctrl-C themselves, and die with the parent
anyway, see :mod:`symbn.budget`), print one line on stderr and exit with 128 + the signal's
number: 130, 143 and 129, as a shell reports a command a signal ended.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

STOPPING = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(BaseException):
    """A stopping signal arrived; a BaseException so that nothing on the way catches it as an error."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def message(self) -> str:
        """The one line the run ends with."""
        if self.signum == signal.SIGINT:
            return "symbn: interrupted"
        return f"symbn: stopped by {signal.Signals(self.signum).name}"


def _stop(signum: int, frame: FrameType | None) -> None:
    """Unwind on the first stopping signal; later ones are ignored, so the cleanup runs to its end."""
    for other in STOPPING:
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


def stop_on_signals() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`Stopped` in this (main) thread."""
    for signum in STOPPING:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup's SIGHUP stays ignored
            signal.signal(signum, _stop)


class Prefetch:
    """Imports the renderer in a thread while the checker's worker process computes.

    The parent only waits on a pipe while a forked worker checks the steps, so on a machine with
    more than one core the renderer's imports (rich, SymPy's pretty printer) cost no wall time
    there. The thread starts once the first worker is forked, and every later fork waits for it to
    end (``os.register_at_fork``), so no child can inherit an import lock held by the thread.
    """

    thread: threading.Thread | None = None
    registered = False

    def __init__(self, wanted: bool) -> None:
        self.wanted = wanted and (os.cpu_count() or 1) > 1

    def on_progress(self, line: object) -> None:
        """Start the import thread when the first claim starts (the worker is forked by then)."""
        if not self.wanted or Prefetch.thread is not None:
            return
        if not Prefetch.registered:
            if not hasattr(os, "register_at_fork"):  # no fork here: workers are spawned
                return
            os.register_at_fork(before=Prefetch.wait)
            Prefetch.registered = True
        Prefetch.thread = threading.Thread(target=_import_renderer, daemon=True)
        Prefetch.thread.start()

    @staticmethod
    def wait() -> None:
        """Wait for the import thread, if one runs (before a fork, and before the process ends)."""
        thread = Prefetch.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


def _import_renderer() -> None:
    try:
        from rich.console import Console  # noqa: F401
        from rich.table import Table  # noqa: F401

        import symbn.render.terminal  # noqa: F401
    except Exception:  # pragma: no cover - the renderer imports again, and reports, when it runs
        pass


def entry() -> None:
    """The ``symbn`` command: :func:`main` with clean stops on signals, then a fast exit.

    Tearing down an interpreter full of SymPy objects takes tens of milliseconds and does nothing
    a short-lived command needs, so once the output is flushed the process ends with ``os._exit``.
    """
    code: int = 0
    stop_on_signals()
    try:
        from symbn.cli import main

        main()
    except SystemExit as done:
        if isinstance(done.code, int):
            code = done.code
        elif done.code is not None:
            print(done.code, file=sys.stderr)
            code = 1
    except Stopped as stopped:
        code = 128 + stopped.signum
        try:
            print(stopped.message, file=sys.stderr)
        except (OSError, ValueError):  # a hung-up terminal
            pass
    Prefetch.wait()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)
