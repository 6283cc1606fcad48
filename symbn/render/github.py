"""GitHub Actions workflow commands: one ``::error`` or ``::warning`` per claim that does not hold.

``::error file=notes.md,line=17,col=3,title=symbn 1.10 refuted::…`` puts the message on line 17 of
the pull request's diff. Refuted and inconsistent claims are errors, undecided ones warnings.
Property values and the message are escaped as GitHub's runner reads them (``%``, ``\\r``, ``\\n``;
in properties also ``:`` and ``,``), so no text from a document can end or forge a command.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sympy import Expr

from symbn.check import Report, StepResult, Verdict
from symbn.model import Kind
from symbn.render.unicode import InlinePrinter, inline, inline_value_name, names_in

MAX_REMAINDER = 200
LEVELS = {Verdict.REFUTED: "error", Verdict.INCONSISTENT: "error", Verdict.UNDECIDED: "warning"}


class _OneLine(InlinePrinter):
    """The claim on one line: sums as ``Σ_(i=1..m)(…)``, derivatives as ``∂(…)/∂x``."""

    def _print_Sum(self, expr: Any) -> str:
        limits = "".join(
            f"Σ_({self._print(i)}={self._print(lo)}..{self._print(hi)})"
            for i, lo, hi in expr.limits
        )
        return f"{limits}({self._print(expr.function)})"

    def _print_Derivative(self, expr: Any) -> str:
        order = sum(n for _, n in expr.variable_count)
        by = "".join(
            f"∂{self._print(v)}" + (f"^{n}" if n != 1 else "") for v, n in expr.variable_count
        )
        top = "∂" if order == 1 else f"∂^{order}"
        return f"{top}({self._print(expr.expr)})/{by}"


def one_line(expr: Expr) -> str:
    """``expr`` on one line in the notation, sums and derivatives included."""
    return str(_OneLine().doprint(expr))


def escape_data(text: str) -> str:
    """A command's message, escaped: ``%`` first, then the line breaks."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value, escaped: the message's escapes and ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    """One workflow command line: ``::level key=value,…::message`` (``None`` properties left out)."""
    given = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{level}{' ' + given if given else ''}::{escape_data(message)}"


def failure_text(result: StepResult, names: Mapping[str, Expr] | None = None) -> str:
    """What a claim that does not hold says, in the document's notation, on a few plain lines.

    The claim, the verdict and its reason, the counterexample's values and both sides there, and
    the symbolic remainder when it is short.
    """
    line = result.line
    relation = line.relation.value
    lhs = "" if line.kind is Kind.CONTINUATION else f"{one_line(line.lhs_meaning)} "
    parts = [f"({line.label}) {lhs}{relation} {one_line(line.rhs_meaning)}"]
    parts.append(
        f"{result.verdict.value}: {result.reason}" if result.reason else result.verdict.value
    )
    example = result.counterexample
    if example is not None:
        known = dict(names or {})
        values = ", ".join(
            f"{inline_value_name(name, known)} = {value}" for name, value in example.assignment
        )
        parts.append(f"at {values}")
        parts.append(f"lhs = {example.lhs}, rhs = {example.rhs}, lhs - rhs = {example.difference}")
    remainder = result.remainder
    shown = inline(remainder) if remainder is not None and remainder != 0 else ""
    if shown and len(shown) <= MAX_REMAINDER:
        parts.append(f"symbolic remainder lhs - rhs = {shown}")
    return "\n".join(parts)


def workflow_commands(
    report: Report,
    path: str | None = None,
    locations: Mapping[str, tuple[int, int]] | None = None,
    *,
    chains: bool = False,
) -> str:
    """One workflow command per claim of ``report`` that does not hold, each on its own line.

    ``path`` is the file the claims are written in, ``locations`` their (line, column) by label
    (see :mod:`symbn.locate`); a claim without a location is annotated on the file, or on the run.
    """
    from symbn.locate import lookup

    derivation = report.derivation
    names = names_in([s for line in derivation.lines for s in (line.lhs_meaning, line.rhs_meaning)])
    out = []
    for result in report:
        level = LEVELS.get(result.verdict)
        if level is None:
            continue
        where = lookup(locations or {}, result.label, chains=chains)
        out.append(
            command(
                level,
                failure_text(result, names),
                file=path,
                line=where[0] if where and path else None,
                col=where[1] if where and path else None,
                title=f"symbn {result.label} {result.verdict.value}",
            )
        )
    return "".join(f"{line}\n" for line in out)


def problem(message: str, path: str, place: tuple[int, int] | None = None) -> str:
    """A reader's problem as an ``::error`` on its (line, column) ``place``, when it has one."""
    line, col = place if place is not None else (None, None)
    return command("error", message, file=path, line=line, col=col, title="symbn cannot read") + "\n"
