"""The command line: a thin click layer that finds a derivation, checks it, renders it, sets the exit code.

Exit codes: 0 every claim holds, 1 a claim is refuted or undecided, 2 a usage or input error
(also a full disk or a closed stdout); 141 when the reader of stdout went away (a closed pipe, as a
shell reports a command SIGPIPE ended); 130, 143 and 129 when Ctrl-C, SIGTERM or SIGHUP stopped the
run (see :mod:`symbn.process`). Heavy modules (SymPy, the checker, rich) are imported only by the commands that need them.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click

if TYPE_CHECKING:
    from rich.console import Console

    from symbn.check import Report
    from symbn.model import Derivation, Line
    from symbn.parse.declare import Declaration
    from symbn.parse.document import Document

FORMATS = ["terminal", "json", "latex", "markdown", "html", "github"]
ENVIRONMENTS = ["align", "align*", "equation+aligned"]


class InputProblem(click.ClickException):
    """A usage or input error: one line on stderr, exit code 2, no traceback."""

    exit_code = 2


class _Output:
    """Where the commands write: stdout and stderr through click, and rich's drawing as rich
    writes it. While a run is recorded for the run cache (:mod:`symbn.runs`) each piece is also
    kept, with how it was written, so that a replay writes exactly the same."""

    def __init__(self) -> None:
        self.pieces: list[tuple[str, str]] | None = None

    def write(self, how: str, text: str) -> None:
        """Write ``text`` as ``how`` says: ``out`` or ``err`` by click, ``draw`` as rich does."""
        if not text:
            return
        if how == "draw":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            click.echo(text, nl=False, err=how == "err")
        if self.pieces is not None:
            self.pieces.append((how, text))


_output = _Output()


def _echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` through :data:`_output`."""
    _output.write("err" if err else "out", f"{text}\n" if nl else text)


def _draw(draw: Callable[[Console], None]) -> None:
    """What ``draw`` prints on a rich console of the standard output, written as rich writes it."""
    from rich.console import Console

    _draw_in_unicode()
    console = Console(highlight=False)
    with console.capture() as captured:
        draw(console)
    _output.write("draw", captured.get())


MAX_TIMEOUT = 86_400.0  # one day per step; symbn.budget and Derivation.check refuse more too


class Seconds(click.ParamType):
    """A budget in seconds: a finite number above 0 and at most :data:`MAX_TIMEOUT`.

    ``nan`` would remove the budget, ``inf`` or ``1e308`` overflow the clock: refused here, with
    the value named, before anything runs.
    """

    name = "seconds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """``value`` as float seconds, or a usage error (exit 2)."""
        if isinstance(value, float):
            number = value
        else:
            try:
                number = float(str(value).strip())
            except (ValueError, OverflowError):
                self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not 0 < number <= MAX_TIMEOUT:
            self.fail(
                f"{value!r} is not a budget: give seconds above 0 and at most {MAX_TIMEOUT:g} "
                "(one day)",
                param,
                ctx,
            )
        return number


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="terminal",
    show_default=True,
    help="terminal: the checked derivation drawn for people; json: every verdict, for scripts; "
    "latex: an amsmath align for papers; markdown: $$ math for notebooks and the web; "
    "html: one self-contained page with every verdict and its evidence; "
    "github: GitHub Actions annotations on the claims that do not hold.",
)


TOTAL_TIMEOUT = 600.0  # CPU seconds for a whole run by default: a hostile document ends in minutes


def budget_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--timeout``, ``--total-timeout`` and ``--seed``: the checker's budgets and numeric seed."""
    command = click.option(
        "--seed", type=int, default=0, show_default=True, help="Seed of the numeric trials."
    )(command)
    command = click.option(
        "--total-timeout",
        type=Seconds(),
        default=TOTAL_TIMEOUT,
        show_default=True,
        help="CPU seconds for reading each document, and as many for all the steps of the run "
        "together; past them the rest is not read, or undecided.",
    )(command)
    return click.option(
        "--timeout",
        type=Seconds(),
        default=5.0,
        show_default=True,
        help="CPU seconds allowed per step (with a wall-clock backstop of 10x + 5 s); past it the "
        "step is undecided.",
    )(command)


def export_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of an export (LaTeX and Markdown layout, ``-o``), shared by derive and check."""
    options = [
        click.option(
            "--standalone",
            is_flag=True,
            help="latex: a complete article for pdflatex, not a fragment.",
        ),
        click.option(
            "--env",
            type=click.Choice(ENVIRONMENTS),
            default=None,
            help="latex: the math environment  [default: align]",
        ),
        click.option(
            "--width",
            callback=lambda _ctx, _param, value: _width(value),
            default=None,
            metavar="column|text|Npt",
            help="latex: what to fit, a column of a two-column paper (229.5pt), the text of the "
            "standalone article (455pt) or N points  [default: column; text with --standalone]",
        ),
        click.option(
            "--no-why", is_flag=True, help="latex/markdown: the equations only, no justifications."
        ),
        click.option(
            "--marks",
            is_flag=True,
            help="latex/markdown: a verdict mark on each line (✓ proved, ≈ checked).",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False),
            default=None,
            help="Write to FILE instead of the standard output (atomically; never over a file or "
            "a symlink that exists, unless --force).",
        ),
        click.option(
            "--force", is_flag=True, help="Replace the --output file (or symlink, not its target)."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def cache_option(command: Callable[..., None]) -> Callable[..., None]:
    """``--no-cache``: read and check everything again, neither reading nor writing the cache."""
    return click.option(
        "--no-cache",
        is_flag=True,
        help="Read and check everything, without the cache of verdicts and runs (see `symbn "
        "cache info`).",
    )(command)


class _Main(click.Group):
    """The command group, which also turns a failed write to stdout into its own exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a closed pipe exits 141, a full disk or a closed stdout 2 (one line)."""
        try:
            return super().invoke(ctx)
        except ValueError as exc:
            if "integer string conversion" not in str(exc):
                raise
            click.echo(f"Error: a number too long to print ({exc})", err=True)
            ctx.exit(2)
        except OSError as exc:
            if exc.errno not in OUTPUT_ERRNOS:
                raise
            from symbn.process import output_failed

            ctx.exit(output_failed(exc))


OUTPUT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("EPIPE", "ENOSPC", "EDQUOT", "EIO", "EBADF", "EFBIG", "EINVAL")
    if hasattr(errno, name)
)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="symbn")
def main() -> None:
    """symbn: derivations built in SymPy and checked step by step.

    Exit codes: 0 every claim holds, 1 a claim is refuted or undecided, 2 a usage or input error,
    141 a closed output pipe, 130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP.
    """


@main.command("list")
def list_command() -> None:
    """List the shipped derivations with their titles."""
    from symbn.registry import shipped

    for entry in shipped():
        click.echo(f"{entry.name:28} {entry.title}")


@main.group("cache")
def cache_group() -> None:
    """The cache of verdicts and of whole runs: where it is, how big, and clearing it.

    It lives in $SYMBN_CACHE_DIR, else the user's cache folder; `--no-cache` bypasses it.
    """


@cache_group.command("info")
def cache_info() -> None:
    """Print where the cache is, how many verdicts and runs it holds and their size."""
    from symbn.cache import Cache, default_root
    from symbn.runs import Runs

    cache, runs = Cache(default_root()), Runs(default_root())
    count, size = cache.info()
    stored, run_size = runs.info()
    click.echo(
        f"{cache.root}: {count} verdicts, {size / 1024:.1f} KiB (at most {cache.max_bytes >> 20} "
        f"MiB); {stored} runs, {run_size / 1024:.1f} KiB (at most {runs.max_bytes >> 20} MiB)"
    )


@cache_group.command("clear")
def cache_clear() -> None:
    """Remove every stored verdict and run (only the files the cache wrote)."""
    from symbn.cache import Cache, default_root
    from symbn.runs import Runs

    cache = Cache(default_root())
    removed = cache.clear()
    runs = Runs(default_root()).clear()
    tables = cache.clear_parser_tables()
    click.echo(
        f"removed {removed} verdicts, {runs} runs and {tables} parser tables from {cache.root}"
    )


@main.command()
@click.argument("name", required=False)
@format_option
@budget_options
@cache_option
@click.option(
    "--all",
    "check_all",
    is_flag=True,
    help="Check every shipped derivation and print a summary table (json: a list of reports).",
)
@export_options
def derive(
    name: str | None,
    fmt: str,
    timeout: float,
    total_timeout: float,
    seed: int,
    standalone: bool,
    env: str | None,
    width: str | float | None,
    no_why: bool,
    marks: bool,
    output: str | None,
    force: bool,
    check_all: bool,
    no_cache: bool,
) -> None:
    """Check the shipped derivation NAME step by step and print it (default: batchnorm-bias)."""
    _refuse_misplaced(fmt, standalone=standalone, env=env, width=width, no_why=no_why, marks=marks)
    if output is not None and not force:
        _refuse_existing(output)
    budget = (timeout, total_timeout)
    if check_all:
        if output is not None:
            raise InputProblem(
                "--all prints to the standard output; -o/--output takes one derivation"
            )
        _cached_run(
            "derive", (), (), no_cache, lambda: _derive_all(name, fmt, budget, seed, no_cache)
        )
    options = _layout(fmt, standalone=standalone, env=env, width=width, no_why=no_why, marks=marks)

    def run() -> tuple[int, bool]:
        from symbn.errors import SymbnError
        from symbn.registry import load

        shipped = name or "batchnorm-bias"
        try:
            derivation = load(shipped)
        except SymbnError as exc:
            raise InputProblem(str(exc)) from None
        (report,) = _check([derivation], budget, seed, show=fmt == "terminal", no_cache=no_cache)
        layout = {"module": shipped} if fmt == "github" else options
        if output is not None:
            _write(output, _export(report, fmt, layout), force=force)
            return (0 if report.ok else 1), False
        _emit(report, fmt, layout)
        return (0 if report.ok else 1), _replayable([report])

    _cached_run("derive", (), (), no_cache, run)


def _cached_run(
    command: str,
    documents: Sequence[str],
    declarations: Sequence[str],
    no_cache: bool,
    run: Callable[[], tuple[int, bool]],
) -> NoReturn:
    """Exit with the code of ``run`` (which returns it and whether its output may be stored), or
    replay the stored output of this very run, unless ``no_cache`` (see :mod:`symbn.runs`)."""
    from symbn.runs import default_runs, inputs, key

    runs = None if no_cache else default_runs()
    files = None if runs is None else inputs(documents, declarations)
    if runs is None or files is None:
        sys.exit(run()[0])
    params = {k: v for k, v in click.get_current_context().params.items() if k != "no_cache"}
    run_key = key(command, params, files)
    stored = runs.get(run_key)
    if stored is not None:
        code, pieces = stored
        for how, text in pieces:
            _output.write(how, text)
        sys.exit(code)
    _output.pieces = []
    try:
        code, storable = run()
        pieces = _output.pieces
    finally:
        _output.pieces = None
    if storable and inputs(documents, declarations) == files:  # unchanged while it ran
        runs.put(run_key, code, pieces)
    sys.exit(code)


def _replayable(reports: list[Report], documents: Sequence[Document] = ()) -> bool:
    """Whether these reports' output may be replayed: see :func:`symbn.runs.replayable`."""
    from symbn.runs import replayable

    return replayable(reports, documents)


def _json(data: object) -> str:
    """``data`` as indented JSON, Unicode kept (json is imported only by the commands that print it)."""
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)


def _layout(
    fmt: str,
    *,
    standalone: bool,
    env: str | None,
    width: str | float | None,
    no_why: bool,
    marks: bool,
) -> dict[str, Any]:
    """The export options the chosen format takes (after :func:`_refuse_misplaced`)."""
    if fmt not in ("latex", "markdown"):
        return {}
    options: dict[str, Any] = {"why": not no_why, "marks": marks}
    if fmt == "latex":
        options.update(env=env or "align", standalone=standalone, width=width)
    return options


def _width(value: str | None) -> str | float | None:
    """``--width``: ``column``, ``text`` or a number of points (``300pt`` or ``300``)."""
    import re

    from symbn.render import WIDTHS

    if value is None or value in WIDTHS:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:pt)?\s*", value)
    if match is None or not 50 <= float(match.group(1)) <= 2000:
        raise click.BadParameter(
            f"{value!r}: write column, text, or a width from 50pt to 2000pt", param_hint="--width"
        )
    return float(match.group(1))


def _refuse_misplaced(fmt: str, **given: object) -> None:
    """A one-line error for an option that the chosen format does not use."""
    latex_only = {"standalone", "env", "width"}
    for option, value in given.items():
        if value in (None, False):
            continue
        allowed = ("latex",) if option in latex_only else ("latex", "markdown")
        if fmt not in allowed:
            flag = "--" + option.replace("_", "-")
            raise InputProblem(f"{flag} applies to --format {' or '.join(allowed)}, not {fmt}")


def _export(report: Report, fmt: str, options: dict[str, Any]) -> str:
    """The report in ``fmt`` as text (terminal: plain, 80 columns)."""
    if fmt == "json":
        return _json(report.as_dict()) + "\n"
    if fmt == "latex":
        return report.to_latex(**options)
    if fmt == "markdown":
        return report.to_markdown(**options)
    if fmt == "html":
        return report.to_html()
    if fmt == "github":
        return _annotations(report, options.get("document"), options.get("module"))
    from symbn.render.display import plain

    _draw_in_unicode()
    return plain(report, width=80) + "\n"


def _annotations(report: Report, document: Document | None, module: str | None) -> str:
    """GitHub annotations on the document's rows, or on the shipped module's ``label=`` lines."""
    from symbn import locate
    from symbn.render.github import workflow_commands

    if document is not None:
        placed = locate.in_document(document)
        return workflow_commands(report, document.path, placed, chains=True)
    path = locate.shipped_module(module) if module else None
    return workflow_commands(report, path, locate.in_module(path) if path else None)


def _refuse_existing(output: str) -> None:
    """A one-line error if ``output`` exists, as a file or as a symlink (a dangling one too)."""
    if os.path.islink(output):
        raise InputProblem(f"{output} is a symbolic link; add --force to replace the link itself")
    if os.path.lexists(output):
        raise InputProblem(f"{output} exists; add --force to overwrite it")


def _write(output: str, text: str, *, force: bool) -> None:
    """Write ``text`` to ``output`` atomically: all of it, or nothing and the old file untouched.

    The text goes to a temporary file in the same folder, then takes the name in one step. Without
    ``--force`` that step refuses a name that exists by then (a hard link, which fails on an
    existing name, where the file system has them), so a file created while checking survives;
    with ``--force`` it replaces the file, or the symlink itself, never a symlink's target.
    """
    import tempfile
    from pathlib import Path

    target = Path(output)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise InputProblem(f"cannot write {output}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        if force:
            os.replace(temporary, target)
        else:
            _rename_new(temporary, output)
    except OSError as exc:
        _remove(temporary)
        raise InputProblem(f"cannot write {output}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(temporary)
        raise


def _rename_new(temporary: str, output: str) -> None:
    """Give ``temporary`` the name ``output`` only if no file or link has that name."""
    try:
        os.link(temporary, output, follow_symlinks=False)
    except FileExistsError:
        _remove(temporary)
        _refuse_existing(output)
        raise InputProblem(f"{output} exists; add --force to overwrite it") from None
    except (OSError, NotImplementedError):  # no hard links here: check, then rename
        _refuse_existing(output)
        os.replace(temporary, output)
        return
    _remove(temporary)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@format_option
@budget_options
@cache_option
@click.option(
    "--declare",
    "declare_files",
    multiple=True,
    type=click.Path(),
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
@click.option(
    "--write-declaration",
    is_flag=True,
    help="Save the notation inferred from each FILE as its sidecar FILE.symbn.toml, to edit "
    "(never over one that exists, unless --force).",
)
@export_options
def check_command(
    files: tuple[str, ...],
    fmt: str,
    timeout: float,
    total_timeout: float,
    seed: int,
    standalone: bool,
    env: str | None,
    width: str | float | None,
    no_why: bool,
    marks: bool,
    output: str | None,
    force: bool,
    declare_files: tuple[str, ...],
    sizes: tuple[str, ...],
    positive: tuple[str, ...],
    names: tuple[str, ...],
    examples: tuple[str, ...],
    count: str,
    units: tuple[str, ...],
    bar: str | None,
    write_declaration: bool,
    no_cache: bool,
) -> None:
    """Check the derivation written in each FILE (Markdown or LaTeX), under its own equation numbers.

    The notation is declared in FILE.symbn.toml, in the document, or by the options here.
    """
    _refuse_misplaced(fmt, standalone=standalone, env=env, width=width, no_why=no_why, marks=marks)
    if output is not None:
        if len(files) > 1 and fmt != "json":
            raise InputProblem(
                f"-o/--output writes one document's export: give one FILE (got {len(files)}), "
                "or --format json for a list of reports"
            )
        if not force:
            _refuse_existing(output)
    layout = _layout(fmt, standalone=standalone, env=env, width=width, no_why=no_why, marks=marks)

    def run() -> tuple[int, bool]:
        from symbn.errors import SymbnError
        from symbn.parse.declare import from_file, from_mapping

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
                extra = from_file(path).merged(extra)
        except SymbnError as exc:
            raise InputProblem(str(exc)) from None
        read = [_read_file(path, extra, total_timeout) for path in files]
        # Every document's claims are checked together, shared among all the workers; each
        # file's output then comes in the order given, as if checked one after the other.
        documents = [r.document for r in read if r.document is not None]
        show = fmt == "terminal" and output is None
        budget = (timeout, total_timeout)
        checked = _check(
            [d.derivation for d in documents], budget, seed, show=show, no_cache=no_cache
        )
        reports = iter(checked)
        code = 0
        summaries = []
        exported = ""
        for path, document, error, _ in read:
            if fmt == "terminal" and len(files) > 1 and output is None:
                _echo(f"== {path}")
            report = next(reports) if document is not None else None
            file_code, summary, text = _show_file(
                path, document, error, report, fmt, layout, to_stdout=output is None
            )
            if write_declaration and "inferred" in summary:
                saved = _save_declaration(path, summary["inferred"], force=force)
                file_code = max(file_code, saved)
            code = max(code, file_code)
            summaries.append(summary)
            exported += text
        if fmt == "json":
            exported = _json(summaries[0] if len(files) == 1 else summaries) + "\n"
            if output is None:
                _echo(exported, nl=False)
        if output is not None:
            _write(output, exported, force=force)
        settled = all(r.settled for r in read) and _replayable(checked, documents)
        return code, settled and output is None and not write_declaration

    _cached_run("check", files, declare_files, no_cache, run)


class _Read(NamedTuple):
    """One document as read: its path, the document or None, the one-line error when it could not
    be read, and whether that outcome is settled (not a failure inside the reader, which a retry
    may not repeat)."""

    path: str
    document: Document | None
    error: str
    settled: bool = True


def _read_file(path: str, extra: Declaration, budget: float) -> _Read:
    """Read one document within ``budget`` CPU seconds."""
    from symbn.errors import SymbnError
    from symbn.parse.document import read_document

    try:
        return _Read(path, read_document(path, extra, budget=budget), "")
    except SymbnError as exc:
        return _Read(path, None, str(exc))
    except Exception as exc:  # never a traceback for a document, whatever it holds
        message = f"{path}: cannot read this document ({type(exc).__name__})"
        return _Read(path, None, message, settled=False)


def _show_file(
    path: str,
    document: Document | None,
    error: str,
    report: Report | None,
    fmt: str,
    layout: dict[str, Any],
    *,
    to_stdout: bool,
) -> tuple[int, dict[str, object], str]:
    """One checked document: (exit code, its JSON summary, its export when not ``to_stdout``).

    Problems go to stderr, one line each; with ``to_stdout`` the export is printed at once.
    """
    from symbn.parse.document import Problem

    text = ""
    for problem in [Problem(error)] if document is None else document.problems:
        _echo(f"Error: {problem}", err=True)
        if fmt == "github":
            from symbn.render.github import problem as annotation

            place = problem.place
            spot = (place.line, place.column) if place and place.cell is None else None
            text += annotation(problem.message, path, spot)
    if to_stdout:
        _echo(text, nl=False)
        text = ""
    if document is None or report is None:
        problems = [{"file": path, "message": error}]
        return 2, {"file": path, "error": error, "problems": problems}, text
    options = {"document": document} if fmt == "github" else layout
    if fmt != "json" and document.derivation.lines:
        if to_stdout:
            _emit(report, fmt, options)
        else:
            text += _export(report, fmt, options)
    if fmt == "terminal" and to_stdout:
        _print_inferred(document)
    code = 2 if document.problems else (0 if report.ok else 1)
    return code, _document_json(document, report), text


def _document_json(document: Document, report: Report) -> dict[str, object]:
    """The report as JSON, each step with the place of its row and each problem an object."""
    summary = report.as_dict()
    for step in summary["steps"]:
        place = document.locations.get(step["label"])
        if place is not None:
            step.update(place.as_dict())
    from symbn.parse.declare import to_mapping

    problems = [problem.as_dict(document.path) for problem in document.problems]
    inferred = to_mapping(document.inferred)
    return {"file": document.path, "problems": problems, "inferred": inferred, **summary}


def _print_inferred(document: Document) -> None:
    """The notation inferred from the document, in a few lines, when there is any."""
    from symbn.parse.declare import to_mapping

    inferred = to_mapping(document.inferred)
    if not inferred:
        return
    _echo("Notation inferred (save it with --write-declaration, then edit):")
    for key, value in inferred.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                _echo(f"  {key}.{sub}: {_listed(item)}")
        else:
            _echo(f"  {key}: {_listed(value)}")


def _listed(value: str | list[str]) -> str:
    return value if isinstance(value, str) else ", ".join(value)


def _save_declaration(path: str, inferred: object, *, force: bool) -> int:
    """Write the inferred notation as ``path``'s sidecar; 0, or 2 (said on stderr) when it cannot."""
    from symbn.parse.declare import from_mapping, to_toml

    target = f"{path}.symbn.toml"
    if not isinstance(inferred, dict) or not inferred:
        _echo(f"{path}: nothing was inferred; no declaration written", err=True)
        return 0
    try:
        if not force:
            _refuse_existing(target)
        _write(target, to_toml(from_mapping(inferred, target)), force=force)
    except InputProblem as exc:
        _echo(f"Error: {exc.message}", err=True)
        return 2
    _echo(f"wrote {target}", err=True)
    return 0


def _check(
    derivations: list[Derivation],
    budget: tuple[float, float],
    seed: int,
    *,
    show: bool,
    no_cache: bool,
) -> list[Report]:
    """Check ``derivations`` together under ``budget`` (seconds a step, seconds in all), with one
    progress bar on a terminal's stderr when ``show``.

    Claims whose inputs are unchanged take their verdict from the user's cache, unless ``no_cache``.
    """
    from symbn.cache import default_cache
    from symbn.check import check_many
    from symbn.process import Prefetch
    from symbn.progress import bar

    warm = Prefetch(show)
    timeout, total = budget
    lines = sum(len(d.lines) for d in derivations)
    with bar(lines) if show else nullcontext() as advance:

        def on_line(derivation: Derivation, line: Line) -> None:
            warm.on_progress(line)
            if advance is not None:
                advance(f"checking {derivation.name} ({line.label})")

        cache = None if no_cache else default_cache()
        return check_many(
            derivations, timeout=timeout, seed=seed, progress=on_line, total=total, cache=cache
        )


def _draw_in_unicode() -> None:
    """SymPy's drawing characters on, whatever the console's encoding.

    SymPy turns them off at import when stdout cannot encode them, and its Unicode printer then
    fails; symbn draws in Unicode and lets the console's error handler write ASCII
    (:func:`symbn.process.ascii_console`).
    """
    from sympy.printing.pretty.pretty_symbology import pretty_use_unicode

    pretty_use_unicode(True)


def _emit(report: Report, fmt: str, options: dict[str, Any]) -> None:
    """The report on the standard output: drawn by rich for the terminal, else exported."""
    if fmt != "terminal":
        _echo(_export(report, fmt, options), nl=False)
        return
    _draw(lambda console: console.print(report))


def _derive_all(
    name: str | None, fmt: str, budget: tuple[float, float], seed: int, no_cache: bool
) -> tuple[int, bool]:
    """``derive --all``: check every shipped derivation, print a summary table (or JSON list); the
    exit code, and whether the output may be replayed."""
    from symbn.registry import load, names

    if name is not None:
        raise InputProblem(f"give a derivation NAME or --all, not both (got {name!r} and --all)")
    if fmt not in ("terminal", "json", "github"):
        raise InputProblem(f"--all prints a summary table, JSON or annotations, not --format {fmt}")
    derivations = [load(n) for n in names()]
    reports = _check(derivations, budget, seed, show=fmt == "terminal", no_cache=no_cache)
    if fmt == "json":
        _echo(_json([r.as_dict() for r in reports]))
    elif fmt == "github":
        for report, shipped_name in zip(reports, names(), strict=True):
            _echo(_export(report, fmt, {"module": shipped_name}), nl=False)
    else:
        holding = sum(r.ok for r in reports)
        style = "bold green" if holding == len(reports) else "bold red"

        def table(console: Console) -> None:
            console.print(_summary_table(reports, console.width))
            console.print(f"{holding} of {len(reports)} derivations hold", style=style)

        _draw(table)
    return (0 if all(r.ok for r in reports) else 1), _replayable(reports)


def _summary_table(reports: list[Report], width: int = 80) -> Any:
    """One row per derivation: name, title, lines, verdict counts, and whether every claim holds.

    Narrower than 72 columns the counts are headed by the verdict marks (with a legend), so that
    the names keep their width."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from symbn.check import Verdict

    headings = ("lines", "proved", "checked", "refuted", "undecided")
    narrow = width < 72
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption="✓ proved  ≈ checked  ✗ refuted  ? undecided" if narrow else None,
    )
    longest = max((len(r.derivation.name) for r in reports), default=4)
    table.add_column("name / title", ratio=1, min_width=min(longest, max(width - 40, 8)))
    for heading in ("lines", "✓", "≈", "✗", "?") if narrow else headings:
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column("holds?", justify="center", no_wrap=True, min_width=6)
    for report in reports:
        counts = report.counts()
        problems = counts[Verdict.UNDECIDED] + counts[Verdict.INCONSISTENT]
        table.add_row(
            Text.assemble((report.derivation.name, "bold"), "\n", (report.derivation.title, "dim")),
            str(len(report)),
            str(counts[Verdict.PROVED]),
            str(counts[Verdict.CHECKED]),
            str(counts[Verdict.REFUTED]),
            str(problems),
            Text("yes", style="green") if report.ok else Text("NO", style="bold red"),
        )
    return table
