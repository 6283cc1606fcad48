"""The checked derivation in the terminal, with rich: numbered equations, verdict marks, a summary.

Plain text when piped or with ``NO_COLOR`` (rich decides), and laid out for 80 columns: each line is
the equation drawn in Unicode, its justification below it, and its number and verdict beside it.
A cancelled term is struck through with the terminal's strike style (no combining characters, so no
column shifts); in plain text it stands between ``~`` marks.
"""

from __future__ import annotations

from textwrap import indent
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from sympy import Symbol
from sympy.core.relational import Relational
from sympy.printing.pretty.stringpict import prettyForm

from symbn.check import Report, StepResult, Verdict
from symbn.model import Derivation, Kind, Line
from symbn.render.failure import inherited, readable_remainder, used_values
from symbn.render.numbers import printing_any_digits
from symbn.render.unicode import (
    STRIKE,
    UnicodePrinter,
    draw_equation,
    inline,
    inline_text,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement

MAX_REMAINDER = 200
MARKS = {
    Verdict.DEFINITION: ("≔", "blue"),
    Verdict.PROVED: ("✓", "bold green"),
    Verdict.CHECKED: ("≈", "yellow"),
    Verdict.REFUTED: ("✗", "bold red"),
    Verdict.UNDECIDED: ("?", "magenta"),
    Verdict.INCONSISTENT: ("!", "bold red reverse"),
}


def equation_text(line: Line, width: int | None = None, *, plain: bool = False) -> str:
    """The line's equation drawn in Unicode, ``= rhs`` for a continuation (wrapped at ``width``;
    ``plain``: cancelled terms between ``~`` marks, for text without styles)."""
    lhs = None if line.kind is Kind.CONTINUATION else line.lhs
    return draw_equation(lhs, line.rhs, line.relation.value, width, plain=plain)


def struck(drawing: str) -> Text:
    """A drawing as rich text: each character followed by :data:`STRIKE` in the strike style,
    the marker itself removed (one cell per character, whatever the font or terminal)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for k, char in enumerate(drawing):
        if char == STRIKE:
            continue
        text.append(char, style="strike" if drawing[k + 1 : k + 2] == STRIKE else None)
    return text


class Equation:
    """A line's drawing for rich, wrapped before a ``+``/``−`` to the width it is given; a single
    term wider than the space is cut into strips, never left out. Cancelled terms are struck
    through with rich's strike style, or marked ``~b~`` where the output has no styles."""

    def __init__(self, line: Line) -> None:
        self.line = line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        drawing = equation_text(self.line, plain=_plain(console))
        full = max((cell_len(row.replace(STRIKE, "")) for row in drawing.splitlines()), default=1)
        return Measurement(min(full, 20), full)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        plain = _plain(console)
        yield struck(equation_text(self.line, options.max_width, plain=plain))


def _plain(console: Console) -> bool:
    """Whether ``console`` writes no styles (piped, ``NO_COLOR``-free plain text, ``text/plain``)."""
    return console.color_system is None


def _cell(
    line: Line, result: StepResult | None, derivation: Derivation, report: Report | None
) -> RenderableType:
    parts: list[RenderableType] = [Equation(line)]
    if line.why:
        parts.append(Text(inline_text(line.why), style="dim italic"))
    if result is not None and result.verdict not in (Verdict.PROVED, Verdict.DEFINITION):
        reason = result.reason
        hint = inherited(result, report) if report is not None else None
        if hint is not None:
            reason += f" ({hint.sentence()})"
        parts.append(Text(f"{result.verdict.value}: {reason}", style=MARKS[result.verdict][1]))
        if result.counterexample is not None:
            parts.append(_counterexample(result, derivation))
        parts.extend(_remainder(result, derivation))
    elif result is not None and result.counterexample is not None:
        parts.append(Text(f"{result.verdict.value}: {result.reason}", style="green"))
        parts.append(_counterexample(result, derivation, style="green"))
    return Group(*parts)


def _counterexample(result: StepResult, derivation: Derivation, style: str = "red") -> Text:
    """The values the line uses at which it fails, named in the notation (``W^[l]_12``, ``a^[l-1](1)``)."""
    example = result.counterexample
    assert example is not None
    values = ", ".join(
        f"{name if obj is None else inline(obj)} = {value}"
        for obj, name, value in used_values(result, derivation)
    )
    text = Text("  at ", style=style)
    text.append(values)
    text.append(f"\n  lhs = {example.lhs}, rhs = {example.rhs}, lhs - rhs = {example.difference}")
    return text


def _remainder(result: StepResult, derivation: Derivation) -> list[RenderableType]:
    """The symbolic remainder ``lhs − rhs`` drawn in the notation (no dummies, no Python syntax)."""
    remainder = result.remainder
    if remainder is None or remainder == 0:
        return []
    try:
        drawing = draw_equation(
            Symbol("lhs") - Symbol("rhs"), readable_remainder(remainder, derivation)
        )
    except Exception:  # only a display of the evidence: never let it stop the report
        return []
    if len(drawing) > MAX_REMAINDER * 10:
        return []
    return [Text("  remainder:", style="red"), Text(indent(drawing, "    "), no_wrap=True)]


def _table(derivation: Derivation, report: Report | None) -> Table:
    table = Table.grid(padding=(0, 1), pad_edge=False)
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    results = {r.label: r for r in report.results} if report is not None else {}
    for line in derivation.lines:
        result = results.get(line.label)
        mark = Text(" ")
        if result is not None:
            symbol, style = MARKS[result.verdict]
            mark = Text(symbol, style=style)
        # A label is the user's text: a Text, never rich markup ("[link=…]" stays as written).
        table.add_row(Text(f"({line.label})"), mark, _cell(line, result, derivation, report))
        table.add_row("", "", "")
    return table


RELATIONS = {"==": "=", "!=": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


@printing_any_digits
def assumptions_text(assumptions: tuple[Relational, ...]) -> str:
    """``assuming α > 0, ε₀ = 0`` drawn in the document's notation."""
    printer = UnicodePrinter()
    form = prettyForm("assuming ")
    for k, assumption in enumerate(assumptions):
        relation = RELATIONS.get(assumption.rel_op, assumption.rel_op)
        pieces = [printer._print(assumption.lhs), f" {relation} ", printer._print(assumption.rhs)]
        form = prettyForm(*form.right(*([", "] if k else []), *pieces))
    return str(form.render(wrap_line=False))


def summary(report: Report) -> Text:
    """One line: how many definitions, proved, checked, refuted, undecided (and inconsistent)."""
    counts = report.counts()
    words = [
        f"{n} {'definitions' if v is Verdict.DEFINITION and n != 1 else v.value}"
        for v, n in counts.items()
        if n or v in (Verdict.PROVED, Verdict.REFUTED)
    ]
    missing = len(report.derivation.not_read)
    if missing:
        words.append(f"{missing} display{'s' if missing != 1 else ''} not read")
    verdict = "every claim holds" if report.ok else "NOT every claim holds"
    style = "bold green" if report.ok else "bold red"
    return Text.assemble(
        (f"{len(report)} lines: ", ""), (", ".join(words), ""), (f" — {verdict}", style)
    )


def render_report(report: Report) -> RenderableType:
    """The checked derivation: title, numbered lines with verdicts, summary and conclusion."""
    derivation = report.derivation
    parts: list[RenderableType] = [Text(derivation.title, style="bold underline")]
    if derivation.assumptions:
        parts.append(Text(assumptions_text(derivation.assumptions), style="dim", no_wrap=True))
    parts.append(Text(""))
    parts.append(_table(derivation, report))
    parts.append(summary(report))
    if derivation.conclusion:
        done = report.ok
        parts.append(
            Text.assemble(
                ("Conclusion: " if done else "Claimed conclusion (not established): ", "bold"),
                inline_text(derivation.conclusion),
            )
        )
    parts.extend(Text(inline_text(note), style="italic") for note in derivation.notes)
    return Group(*parts)


def render_derivation(derivation: Derivation) -> RenderableType:
    """The derivation as written, before checking (no verdict marks)."""
    parts: list[RenderableType] = [Text(derivation.title, style="bold underline"), Text("")]
    parts.append(_table(derivation, None))
    return Group(*parts)
