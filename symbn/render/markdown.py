"""Markdown with ``$$ … $$`` display math, for notebooks (Jupyter, VS Code), GitHub and static sites.

Each line is its own display block numbered with ``\\tag``: both MathJax and KaTeX accept a
``\\tag`` at the top of a display, while neither accepts it inside ``aligned`` (MathJax refuses it
and KaTeX's handling differs). Continuation lines begin with ``=`` as in the seed document. The math
is the same as in the LaTeX export (:mod:`symbn.render.latex`); texts keep their ``$…$`` math.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from symbn.render.latex import (
    Row,
    Segment,
    _web,
    closing_texts,
    math_text,
    resolve,
    rows,
    segments,
    summary_sentence,
    tag_text,
)

if TYPE_CHECKING:
    from symbn.check import Report
    from symbn.model import Derivation

MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|$])")


def markdown_text(value: str | list[Segment]) -> str:
    """A text as Markdown: plain parts escaped, math as inline ``$…$``."""
    parts = segments(value) if isinstance(value, str) else value
    return "".join(
        f"${_web(tex)}$" if math else MARKDOWN_SPECIALS.sub(r"\\\1", tex) for math, tex in parts
    )


def block(row: Row) -> list[str]:
    """One line as a display block (a justification too wide to stand beside it goes below it, in
    the same block), then the evidence of a line that does not hold as a paragraph."""
    equation = f"{row.lhs} {row.relation} {row.rhs}".strip()
    if row.wide():
        why = math_text(row.why, web=True)
        equation = f"\\begin{{gathered}} {equation} \\\\ {why} \\end{{gathered}}"
    elif row.why:
        equation += r" \qquad " + math_text(row.why, web=True)
    out = [f"$$\n{equation} \\tag{{{tag_text(row.label, web=True)}}}\n$$"]
    if row.evidence:
        out.append(f"**{markdown_text(row.evidence)}**")
    return out


def document(derivation: Derivation, report: Report | None, *, why: bool, marks: bool) -> str:
    """The Markdown of ``derivation``: title, assumptions, numbered blocks, summary, conclusion, notes."""
    from symbn.render.latex import latex

    parts = [f"### {markdown_text(derivation.title)}"]
    if derivation.assumptions:
        parts.append("Assuming " + ", ".join(f"${latex(a)}$" for a in derivation.assumptions) + ".")
    for row in rows(derivation, report, why=why, marks=marks):
        parts += block(row)
    if report is not None:
        parts.append(markdown_text(summary_sentence(report)))
    for heading, statement in closing_texts(derivation, report):
        parts.append(f"**{heading}.** {markdown_text(statement)}")
    return "\n\n".join(parts) + "\n"


def to_markdown(obj: Derivation | Report, *, why: bool = True, marks: bool = False) -> str:
    """A derivation (or a checked report) as Markdown whose math renders in both MathJax and KaTeX.

    ``why``: the justifications. ``marks``: each relation carries its verdict mark (a derivation is
    checked first), a line that does not hold shows its counterexample, and a summary follows.
    """
    derivation, report = resolve(obj, marks=marks)
    return document(derivation, report, why=why, marks=marks)


__all__ = ["markdown_text", "to_markdown"]
