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
    from symbn.parse.declare import Declaration

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


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
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
@click.option(
    "--declare",
    "declare_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A TOML declaration, read after FILE.symbn.toml and the document's own.",
)
@click.option("--size", "sizes", multiple=True, metavar="NAME", help="NAME is a size (m).")
@click.option("--positive", multiple=True, metavar="NAME", help="NAME is positive.")
@click.option(
    "--name", "names", multiple=True, metavar="NAME", help="NAME is one name (\\sigma^2)."
)
@click.option("--examples", multiple=True, metavar="NAME", help="NAME has one value per example.")
@click.option("--count", default="", metavar="NAME", help="The examples run from 1 to NAME.")
@click.option("--units", multiple=True, metavar="NAME", help="NAME is indexed by units (W_{jk}).")
@click.option("--bar", type=click.Choice(["mean", "name"]), help="What a bar means.")
def check_command(
    files: tuple[str, ...],
    fmt: str,
    timeout: float,
    seed: int,
    declare_files: tuple[str, ...],
    sizes: tuple[str, ...],
    positive: tuple[str, ...],
    names: tuple[str, ...],
    examples: tuple[str, ...],
    count: str,
    units: tuple[str, ...],
    bar: str | None,
) -> None:
    """Check the derivation written in each FILE (Markdown or LaTeX), under its own equation numbers.

    The notation is declared in FILE.symbn.toml, in the document, or by the options here.
    """
    from symbn.errors import SymbnError
    from symbn.parse.declare import from_mapping, from_toml

    try:
        extra = from_mapping(
            {
                "sizes": list(sizes),
                "positive": list(positive),
                "names": list(names),
                "units": list(units),
                **({"bar": bar} if bar else {}),
                "examples": {"families": list(examples), **({"count": count} if count else {})},
            },
            "the command line",
        )
        for path in declare_files:
            with open(path, encoding="utf-8") as handle:
                extra = from_toml(handle.read(), path).merged(extra)
    except (SymbnError, OSError, UnicodeDecodeError) as exc:
        raise InputProblem(str(exc)) from None
    code = 0
    outputs = []
    for path in files:
        if fmt == "terminal" and len(files) > 1:
            click.echo(f"== {path}")
        file_code, output = _check_file(path, extra, fmt, timeout, seed)
        code = max(code, file_code)
        outputs.append(output)
    if fmt == "json":
        click.echo(
            json.dumps(outputs[0] if len(files) == 1 else outputs, indent=2, ensure_ascii=False)
        )
    sys.exit(code)


def _check_file(
    path: str, extra: Declaration, fmt: str, timeout: float, seed: int
) -> tuple[int, dict[str, object]]:
    """Check one document: (exit code, its JSON summary); problems go to stderr, one line each."""
    from symbn.errors import SymbnError
    from symbn.parse.document import read_document

    try:
        document = read_document(path, extra)
    except SymbnError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 2, {"file": path, "error": str(exc)}
    except Exception as exc:  # never a traceback for a document, whatever it holds
        message = f"{path}: cannot read this document ({type(exc).__name__})"
        click.echo(f"Error: {message}", err=True)
        return 2, {"file": path, "error": message}
    for problem in document.problems:
        click.echo(f"Error: {problem}", err=True)
    report = _check_with_progress(document.derivation, timeout, seed, show=fmt == "terminal")
    if fmt != "json" and document.derivation.lines:
        _emit(report, fmt)
    code = 2 if document.problems else (0 if report.ok else 1)
    return code, {"file": path, "problems": document.problems, **report.as_dict()}


def _check_with_progress(derivation: object, timeout: float, seed: int, *, show: bool) -> Report:
    from symbn.check import check
    from symbn.model import Derivation

    assert isinstance(derivation, Derivation)
    if not show or not sys.stderr.isatty():
        return check(derivation, timeout=timeout, seed=seed)
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
