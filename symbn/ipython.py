"""The IPython extension: ``%load_ext symbn``, then ``%%symbn`` checks the mathematics in a cell.

``%%symbn`` reads the cell's Markdown or LaTeX with the reader of ``symbn check`` (its
declarations too, inline at the top of the cell: a ```` ```symbn-declare ```` fence or a
``<!-- symbn: … -->`` comment, or a ``% symbn-declare`` block for LaTeX) and displays the checked
report, typeset in a notebook. A cell with a ``%`` comment line is read as LaTeX (its comments are
not mathematics), any other as Markdown. ``%symbn NAME`` displays the shipped derivation ``NAME``, checked;
``%symbn`` alone lists them. Both take ``--timeout S`` and ``--seed N``. A line that cannot be read
is a one-line message on stderr that names its line in the cell, never a traceback. A thin layer:
no mathematics here.
"""

from __future__ import annotations

import re
import shlex
import sys
from typing import Any

CELL = "cell"
_LATEX_CELL = re.compile(r"^[ \t]*%|\\documentclass", re.M)  # a LaTeX comment line, or a preamble


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%symbn`` and ``%%symbn`` (called by ``%load_ext symbn``)."""
    ipython.register_magic_function(symbn_magic, magic_kind="line_cell", magic_name="symbn")


def symbn_magic(line: str, cell: str | None = None) -> None:
    """``%symbn [NAME]`` or ``%%symbn``: check and display; problems go to stderr, one line each."""
    try:
        name, options = _arguments(line, cell is None)
        if cell is None:
            _shipped(name, options)
        else:
            _cell(cell, options)
    except _Problem as problem:
        print(f"symbn: {problem}", file=sys.stderr)


class _Problem(Exception):
    """A message for the user in place of a traceback."""


def _arguments(line: str, named: bool) -> tuple[str | None, dict[str, Any]]:
    """The magic's NAME (for ``%symbn``) and its ``--timeout``/``--seed``."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise _Problem(f"cannot read the options {line!r}: {exc}") from None
    options: dict[str, Any] = {"timeout": 5.0, "seed": 0}
    names = []
    while words:
        word = words.pop(0)
        key, _, value = word.partition("=")
        if key in ("--timeout", "--seed"):
            if not value:
                if not words:
                    raise _Problem(f"{key} needs a value")
                value = words.pop(0)
            try:
                number = float(value) if key == "--timeout" else int(value)
            except ValueError:
                raise _Problem(f"{key} takes a number, not {value!r}") from None
            if key == "--timeout" and not number > 0:
                raise _Problem("--timeout takes a positive number of seconds")
            options[key[2:]] = number
        elif word.startswith("-"):
            raise _Problem(f"unknown option {word}; %symbn takes --timeout S and --seed N")
        else:
            names.append(word)
    if len(names) > (1 if named else 0):
        usage = "%symbn [NAME] [--timeout S] [--seed N]" if named else "%%symbn [--timeout S]"
        raise _Problem(f"unexpected {' '.join(names)!r}; usage: {usage}")
    return (names[0] if names else None), options


def _shipped(name: str | None, options: dict[str, Any]) -> None:
    from symbn.errors import SymbnError
    from symbn.registry import load, shipped

    if name is None:
        for entry in shipped():
            print(f"{entry.name:28} {entry.title}")
        return
    try:
        derivation = load(name)
    except SymbnError as exc:
        raise _Problem(str(exc)) from None
    _show(derivation.check(**options))


def _cell(cell: str, options: dict[str, Any]) -> None:
    from symbn.errors import SymbnError
    from symbn.parse.document import read_text

    kind = "tex" if _LATEX_CELL.search(cell) else "md"
    try:
        # A leading newline for the magic's own line: locations are the cell's line numbers.
        document = read_text("\n" + cell, CELL, kind=kind)
    except SymbnError as exc:
        raise _Problem(str(exc)) from None
    except Exception as exc:  # never a traceback for a cell's text, whatever it holds
        raise _Problem(f"cannot read this cell ({type(exc).__name__})") from None
    for problem in document.problems:
        print(f"symbn: {problem}", file=sys.stderr)
    if document.derivation.lines:
        _show(document.derivation.check(**options))


def _show(report: Any) -> None:
    from IPython.display import display

    display(report)
