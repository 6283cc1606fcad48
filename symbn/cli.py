"""The command line: a thin click layer that finds a derivation, checks it, renders it, sets the exit code.

Exit codes: 0 every claim holds, 1 a claim is refuted or undecided, 2 a usage or input error.
Heavy modules (SymPy, the checker, rich) are imported only by the commands that need them.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import threading

    from symbn.check import Report

FORMATS = ["terminal", "json"]


class InputProblem(click.ClickException):
    """A usage or input error: one line on stderr, exit code 2, no traceback."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="symbn")
def main() -> None:
    """symbn: derivations built in SymPy and checked step by step."""


@main.command("list")
def list_command() -> None:
    """List the shipped derivations with their titles."""
    from symbn.registry import shipped

    for entry in shipped():
        click.echo(f"{entry.name:28} {entry.title}")


@main.command()
@click.argument("name", required=False, default="batchnorm-bias")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="terminal",
    show_default=True,
    help="terminal: the checked derivation drawn for people; json: every verdict, for scripts.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Seconds allowed per step; past it the step is undecided.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the numeric trials.")
def derive(name: str, fmt: str, timeout: float, seed: int) -> None:
    """Check the shipped derivation NAME step by step and print it (default: batchnorm-bias)."""
    from symbn.errors import SymbnError
    from symbn.registry import load

    try:
        derivation = load(name)
    except SymbnError as exc:
        raise InputProblem(str(exc)) from None
    report = _check_with_progress(derivation, timeout, seed, show=fmt == "terminal")
    _emit(report, fmt)
    sys.exit(0 if report.ok else 1)


def _check_with_progress(derivation: object, timeout: float, seed: int, *, show: bool) -> Report:
    from symbn.check import check
    from symbn.model import Derivation

    assert isinstance(derivation, Derivation)
    if not show or not sys.stderr.isatty():
        warm = _Prefetch(show)
        return check(derivation, timeout=timeout, seed=seed, progress=warm.on_progress)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"checking {derivation.name}", total=len(derivation.lines))
        return check(
            derivation,
            timeout=timeout,
            seed=seed,
            progress=lambda line: progress.update(
                task, advance=1, description=f"checking ({line.label})"
            ),
        )


class _Prefetch:
    """Imports the renderer in a thread while the checker's worker process computes.

    The parent only waits on a pipe while a forked worker checks the steps, so on a machine with
    more than one core the renderer's imports (rich, SymPy's pretty printer, which pulls in
    ``sympy.physics.units``) cost no wall time there. The thread starts once the first worker is
    forked, and every later fork waits for it to end (``os.register_at_fork``), so no child can
    inherit an import lock held by the thread.
    """

    thread: threading.Thread | None = None
    registered = False

    def __init__(self, wanted: bool) -> None:
        import os

        self.wanted = wanted and (os.cpu_count() or 1) > 1

    def on_progress(self, line: object) -> None:
        import os
        import threading

        if not self.wanted or _Prefetch.thread is not None:
            return
        if not _Prefetch.registered:
            os.register_at_fork(before=_Prefetch.wait)
            _Prefetch.registered = True
        _Prefetch.thread = threading.Thread(target=_import_renderer, daemon=True)
        _Prefetch.thread.start()

    @staticmethod
    def wait() -> None:
        import threading

        thread = _Prefetch.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


def _import_renderer() -> None:
    try:
        import sympy.physics.units  # noqa: F401 - SymPy's pretty printer imports it on first use
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
    import os

    code: int = 0
    try:
        main()
    except SystemExit as done:
        if isinstance(done.code, int):
            code = done.code
        elif done.code is not None:
            print(done.code, file=sys.stderr)
            code = 1
    _Prefetch.wait()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)


def _emit(report: Report, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    Console(highlight=False).print(report)
