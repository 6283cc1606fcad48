"""The ``symbn`` process: a fast exit once the output is out, and the renderer loaded while checking.

Kept apart from :mod:`symbn.cli` (the click commands) because it is about the process, not about
the commands: ``entry`` is the installed script's entry point.
"""

from __future__ import annotations

import os
import sys
import threading


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
    """The ``symbn`` command: :func:`main`, then a fast exit.

    Tearing down an interpreter full of SymPy objects takes tens of milliseconds and does nothing
    a short-lived command needs, so once the output is flushed the process ends with ``os._exit``.
    """
    code: int = 0
    try:
        from symbn.cli import main

        main()
    except SystemExit as done:
        if isinstance(done.code, int):
            code = done.code
        elif done.code is not None:
            print(done.code, file=sys.stderr)
            code = 1
    Prefetch.wait()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)
