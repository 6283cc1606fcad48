"""Progress while a derivation is checked: a rich bar in a terminal, silence in a notebook or a pipe.

A long derivation takes a while (each step runs in a budgeted worker), so ``d.check(progress=True)``
shows which line is being checked. In Jupyter a live bar would leave widget noise in the saved
notebook, and in a pipe or a log it would leave control codes, so there it shows nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from symbn.errors import DerivationError

if TYPE_CHECKING:
    from rich.console import Console

    from symbn.model import Line

Callback = Callable[["Line"], None]


def in_notebook() -> bool:
    """Whether this runs inside a Jupyter kernel (ipykernel's shell), where no bar is drawn."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


@contextmanager
def reporting(
    progress: bool | Callback | None, lines: Sequence[Line], *, console: Console | None = None
) -> Iterator[Callback | None]:
    """The callback to pass to the checker for ``progress``, drawing a bar while the block runs.

    ``progress`` is a function of the line about to be checked (used as is), ``True`` (a bar on
    ``console``, stderr by default, when it is a terminal and not a notebook) or ``None``/``False``.
    """
    if progress is None or progress is False:
        yield None
        return
    if progress is not True:
        if not callable(progress):
            raise DerivationError(
                f"progress= takes True, False, None or a function of the line being checked; got {progress!r}"
            )
        yield progress
        return
    with bar(len(lines), console=console) as advance:
        yield None if advance is None else (lambda line: advance(f"checking ({line.label})"))


@contextmanager
def bar(total: int, *, console: Console | None = None) -> Iterator[Callable[[str], None] | None]:
    """A transient bar of ``total`` steps on stderr; ``advance(description)`` moves it by one.

    Yields None where a bar would be noise: in a notebook, in a pipe or a log. Without a
    ``console``, stderr must itself be a terminal: ``FORCE_COLOR`` (set by many CI services)
    makes rich call a pipe a terminal, and the bar's redraws would fill the log.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if console is None:
        console = Console(stderr=True)
        if not _is_tty(sys.stderr):
            yield None
            return
    if in_notebook() or console.is_jupyter or not console.is_terminal:
        yield None
        return
    columns: list[Any] = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as drawn:
        task = drawn.add_task("checking", total=total)
        done = 0

        def advance(description: str) -> None:
            nonlocal done
            drawn.update(task, completed=done, description=description)
            done += 1

        yield advance
        drawn.update(task, completed=total)


def _is_tty(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (False for a closed, replaced or missing stream)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
