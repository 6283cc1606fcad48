"""The checked derivation in the terminal, with rich: numbered equations, verdict marks, a summary.

Plain text when piped or with ``NO_COLOR`` (rich decides), and laid out for 80 columns: each line is
the equation drawn in Unicode, its justification below it, and its number and verdict beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from sympy import Expr
from sympy.core.relational import Relational
from sympy.printing.pretty.stringpict import prettyForm

from symbn.check import Report, StepResult, Verdict
from symbn.model import Derivation, Kind, Line
from symbn.render.numbers import printing_any_digits
from symbn.render.unicode import (
    UnicodePrinter,
    draw_equation,
    inline,
    inline_text,
    inline_value_name,
    names_in,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

MAX_REMAINDER = 200
MARKS = {
    Verdict.DEFINITION: ("≔", "blue"),
    Verdict.PROVED: ("✓", "bold green"),
    Verdict.CHECKED: ("≈", "yellow"),
    Verdict.REFUTED: ("✗", "bold red"),
    Verdict.UNDECIDED: ("?", "magenta"),
    Verdict.INCONSISTENT: ("!", "bold red reverse"),
}


def equation_text(line: Line) -> str:
    """The line's equation drawn in Unicode, ``= rhs`` for a continuation."""
    lhs = None if line.kind is Kind.CONTINUATION else line.lhs
    return draw_equation(lhs, line.rhs, line.relation.value)


def _cell(line: Line, result: StepResult | None, names: dict[str, Expr]) -> RenderableType:
    parts: list[RenderableType] = [Text(equation_text(line), no_wrap=True, overflow="ellipsis")]
    if line.why:
        parts.append(Text(inline_text(line.why), style="dim italic"))
    if result is not None and result.verdict not in (Verdict.PROVED, Verdict.DEFINITION):
        parts.append(
            Text(f"{result.verdict.value}: {result.reason}", style=MARKS[result.verdict][1])
        )
        if result.counterexample is not None:
            parts.append(_counterexample(result, names))
    elif result is not None and result.counterexample is not None:
        parts.append(Text(f"{result.verdict.value}: {result.reason}", style="green"))
        parts.append(_counterexample(result, names, style="green"))
    return Group(*parts)


def _counterexample(result: StepResult, names: dict[str, Expr], style: str = "red") -> Text:
    """The values at which a step fails, their names in the notation (``W^[l]_12``, ``a^[l-1](1)``)."""
    example = result.counterexample
    assert example is not None
    values = ", ".join(
        f"{inline_value_name(name, names)} = {value}" for name, value in example.assignment
    )
    text = Text("  at ", style=style)
    text.append(values)
    text.append(f"\n  lhs = {example.lhs}, rhs = {example.rhs}, lhs - rhs = {example.difference}")
    remainder = result.remainder
    shown = inline(remainder) if remainder is not None and remainder != 0 else ""
    if shown and len(shown) <= MAX_REMAINDER:
        text.append(f"\n  symbolic remainder lhs - rhs = {shown}")
    return text


def _table(derivation: Derivation, results: dict[str, StepResult]) -> Table:
    table = Table.grid(padding=(0, 1), pad_edge=False)
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    names = names_in([s for line in derivation.lines for s in (line.lhs_meaning, line.rhs_meaning)])
    for line in derivation.lines:
        result = results.get(line.label)
        mark = Text(" ")
        if result is not None:
            symbol, style = MARKS[result.verdict]
            mark = Text(symbol, style=style)
        # A label is the user's text: a Text, never rich markup ("[link=…]" stays as written).
        table.add_row(Text(f"({line.label})"), mark, _cell(line, result, names))
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
    parts.append(_table(derivation, {r.label: r for r in report.results}))
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
    parts.append(_table(derivation, {}))
    return Group(*parts)
