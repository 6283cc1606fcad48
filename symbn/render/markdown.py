"""Markdown with ``$$ … $$`` display math, for notebooks (Jupyter, VS Code), GitHub and static sites.

A line alone is its own display block numbered with ``\\tag``; a line and the continuations after
it (rows beginning with ``=``, as in the seed document) are one ``align`` block inside ``$$``, each
row tagged, so their ``=`` line up: KaTeX, MathJax 2 and MathJax 3 accept a ``\\tag`` per row of
``align`` (never inside ``aligned``). The math is the same as in the LaTeX export
(:mod:`symbn.render.latex`); texts keep their ``$…$`` math.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from symbn.model import Kind
from symbn.render.latex import (
    Row,
    Segment,
    _web,
    closing_texts,
    coloured,
    declaration_lines,
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


def _evidence(row: Row) -> list[str]:
    """The evidence of a line that does not hold, as a paragraph (none for one that holds)."""
    if not row.evidence:
        return []
    label = f"**{row.verdict}:**"
    if row.failed:
        label = "$" + coloured(r"\times") + "$ " + label
    return [f"{label} {markdown_text(row.evidence[1:]).strip()}"]


def block(row: Row) -> list[str]:
    """One line as a display block (a justification too wide to stand beside it goes below it, in
    the same block), then the evidence of a line that does not hold as a paragraph."""
    equation = f"{row.lhs} {row.relation} {row.rhs}".strip()
    if row.wide():
        why = math_text(row.why, web=True)
        equation = f"\\begin{{gathered}} {equation} \\\\ {why} \\end{{gathered}}"
    elif row.why:
        equation += r" \qquad " + math_text(row.why, web=True)
    return [f"$$\n{equation} \\tag{{{tag_text(row.label, web=True)}}}\n$$", *_evidence(row)]


def aligned_block(group: list[Row]) -> list[str]:
    """A line and its continuations as one ``align`` inside ``$$``, aligned at the relation, each
    row tagged (a justification too wide to stand beside its row goes on an untagged row below)."""
    lines = []
    for row in group:
        equation = f"{row.lhs} &{row.relation} {row.rhs}"
        tag = f" \\tag{{{tag_text(row.label, web=True)}}}"
        if row.why and not row.wide():
            equation += r" \qquad " + math_text(row.why, web=True)
        lines.append(equation + tag)
        if row.why and row.wide():
            lines.append(r"&\qquad " + math_text(row.why, web=True) + r" \notag")
    body = " \\\\\n".join(lines)
    return [f"$$\n\\begin{{align}}\n{body}\n\\end{{align}}\n$$", *_evidence(group[-1])]


def groups(typeset: list[Row]) -> list[list[Row]]:
    """Each line with the continuations after it; a line that does not hold ends its group, so
    that its evidence follows it."""
    out: list[list[Row]] = []
    for row in typeset:
        if out and row.line.kind is Kind.CONTINUATION and not out[-1][-1].evidence:
            out[-1].append(row)
        else:
            out.append([row])
    return out


def document(derivation: Derivation, report: Report | None, *, why: bool, marks: bool) -> str:
    """The Markdown of ``derivation``: title, assumptions, numbered blocks, summary, conclusion, notes."""
    from symbn.render.latex import latex

    parts = [f"### {markdown_text(derivation.title)}"]
    declared = declaration_lines(derivation)
    if declared:
        parts.append("<!-- symbn:\n" + "\n".join(declared) + "\n-->")
    if derivation.assumptions:
        parts.append("Assuming " + ", ".join(f"${latex(a)}$" for a in derivation.assumptions) + ".")
    for group in groups(rows(derivation, report, why=why, marks=marks, colour=True)):
        parts += block(group[0]) if len(group) == 1 else aligned_block(group)
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
