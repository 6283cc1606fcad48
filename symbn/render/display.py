"""How a derivation and a report show themselves: in Jupyter, in rich, and in IPython's terminal.

A :class:`~symbn.model.Derivation` displays its *checked* form (it is checked when first displayed,
and the report is kept until the derivation changes). Displaying never raises: a derivation whose
check fails still displays with the failing step marked and its counterexample; one whose check
errors displays unchecked, with the error; and if rendering itself fails, a plain description and
the error are shown instead. The model classes only call into this module.
"""

from __future__ import annotations

import io
import shutil
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from symbn.model import Derivation

if TYPE_CHECKING:
    from rich.console import RenderableType

    from symbn.check import Report

_REPORTS: WeakKeyDictionary[Derivation, tuple[Any, Report]] = WeakKeyDictionary()


def checked(derivation: Derivation) -> Report:
    """The report on ``derivation``, checked once and kept while its lines and assumptions are unchanged."""
    key = (derivation.lines, derivation.assumptions)
    kept = _REPORTS.get(derivation)
    if kept is not None and kept[0] == key:
        return kept[1]
    report = derivation.check()
    _REPORTS[derivation] = (key, report)
    return report


def _report(obj: Derivation | Report) -> tuple[Derivation, Report | None, str]:
    """The derivation, its report (``None`` if checking failed) and what went wrong (or ``""``)."""
    from symbn.check import Report

    if isinstance(obj, Report):
        return obj.derivation, obj, ""
    try:
        return obj, checked(obj), ""
    except Exception as exc:  # display never raises: show the derivation unchecked
        return obj, None, f"could not check: {type(exc).__name__}: {exc}"


def _describe(obj: Any) -> str:
    try:
        return repr(obj)
    except Exception:
        return f"<{type(obj).__name__}>"


def markdown(obj: Derivation | Report) -> str:
    """The checked derivation as Markdown with verdict marks (Jupyter's ``text/markdown``)."""
    from symbn.render.markdown import document, markdown_text

    try:
        derivation, report, problem = _report(obj)
        text = document(derivation, report, why=True, marks=report is not None)
        if problem:
            text += f"\n**{markdown_text(problem)}**\n"
        return text
    except Exception as exc:
        return (
            f"`{_describe(obj)}` could not be displayed: "
            f"{markdown_text(f'{type(exc).__name__}: {exc}')}\n"
        )


def latex(obj: Derivation | Report) -> str:
    """The checked derivation as one ``$$\\begin{aligned}…\\end{aligned}$$`` (Jupyter's ``text/latex``).

    ``aligned`` rather than ``align`` so that KaTeX-based frontends render it too; the line numbers
    stand on the left, since ``aligned`` allows no ``\\tag``.
    """
    from symbn.render.latex import aligned_rows, math_text, rows

    try:
        derivation, report, problem = _report(obj)
        body = aligned_rows(rows(derivation, report, why=True, marks=report is not None), web=True)
        if problem:
            body.append("&& &" + math_text(problem, web=True))
        return "$$\n\\begin{aligned}\n" + " \\\\\n".join(body) + "\n\\end{aligned}\n$$"
    except Exception as exc:
        message = f"{_describe(obj)} could not be displayed: {type(exc).__name__}: {exc}"
        return "$$" + math_text(message, web=True) + "$$"


def renderable(obj: Derivation | Report) -> RenderableType:
    """The terminal rendering for rich: the checked derivation with verdicts and counterexamples."""
    from rich.console import Group
    from rich.text import Text

    from symbn.render.terminal import render_derivation, render_report

    try:
        derivation, report, problem = _report(obj)
        if report is not None:
            return render_report(report)
        return Group(render_derivation(derivation), Text(problem, style="bold red"))
    except Exception as exc:
        return Text(f"{_describe(obj)} could not be displayed: {type(exc).__name__}: {exc}")


def plain(obj: Derivation | Report, width: int | None = None) -> str:
    """The terminal rendering as plain text (no colours), for IPython's terminal and ``text/plain``."""
    from rich.console import Console

    try:
        out = io.StringIO()
        columns = width or shutil.get_terminal_size((100, 24)).columns
        console = Console(
            file=out, width=columns, color_system=None, highlight=False, force_jupyter=False
        )
        console.print(renderable(obj))
        return out.getvalue().rstrip("\n")
    except Exception as exc:
        return f"{_describe(obj)} could not be displayed: {type(exc).__name__}: {exc}"


def pretty(obj: Derivation | Report, printer: Any, cycle: bool) -> None:
    """IPython's ``_repr_pretty_``: the plain terminal rendering."""
    printer.text(_describe(obj) if cycle else plain(obj))


__all__ = ["checked", "latex", "markdown", "plain", "pretty", "renderable"]
