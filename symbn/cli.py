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
        from symbn.process import Prefetch

        warm = Prefetch(show)
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


def _emit(report: Report, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    Console(highlight=False).print(report)
