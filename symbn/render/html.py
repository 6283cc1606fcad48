"""The checked derivation as one self-contained HTML page, and as a notebook's ``text/html``.

Each line shows its number, its verdict (a mark and a word), the equation as written, its
justification and, for a line that does not hold, the evidence in a ``<details>`` block: the reason,
the values its sides use, both sides there and the symbolic remainder, in the document's notation.
The math is typeset by KaTeX, shipped inside the package (``assets/katex``: script, stylesheet and
WOFF2 fonts, MIT licence), inlined into the page so that it works offline and from a single file.
Every piece of text is HTML-escaped; TeX is passed to KaTeX in ``data-tex`` attributes (with
``trust`` off, so no ``\\href`` or ``\\url`` runs), and also stands as the element's text between
``\\(…\\)`` so that a frontend without scripts (an untrusted notebook) typesets it with MathJax.
"""

from __future__ import annotations

import base64
import html
import re
from functools import cache
from importlib.resources import files
from itertools import count
from typing import TYPE_CHECKING

from symbn.render.latex import (
    Row,
    Segment,
    closing_texts,
    latex,
    resolve,
    rows,
    segments,
    summary_sentence,
)

if TYPE_CHECKING:
    from symbn.check import Report
    from symbn.model import Derivation

VERDICT_WORDS = {
    "definition": ("≔", "definition"),
    "proved": ("✓", "proved"),
    "checked": ("≈", "checked"),
    "refuted": ("✗", "refuted"),
    "undecided": ("?", "undecided"),
    "inconsistent": ("!", "inconsistent"),
}

STYLE = """
.symbn-report{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
  max-width:60rem;line-height:1.45}
.symbn-report h1{font-size:1.4rem;margin:.2rem 0 .6rem}
.symbn-lines{display:flex;flex-direction:column;gap:.35rem}
.symbn-line{display:grid;grid-template-columns:4.5rem 7.5rem minmax(0,1fr);align-items:start;
  padding:.3rem .4rem;border-left:4px solid transparent;border-radius:3px}
.symbn-label{font-variant-numeric:tabular-nums;color:#555;padding-top:.35rem}
.symbn-verdict{font-weight:600;padding-top:.35rem;white-space:nowrap}
.symbn-body{min-width:0}
.symbn-display{overflow-x:auto;overflow-y:hidden;padding:.1rem 0}
.symbn-display .katex-display{margin:.15rem 0}
.symbn-display .katex-display>.katex{text-align:left}
.symbn-why{color:#555;font-style:italic;font-size:.92rem}
.symbn-proved .symbn-verdict{color:#1b7f3a}
.symbn-checked .symbn-verdict{color:#8a6d00}
.symbn-definition .symbn-verdict{color:#2a5db0}
.symbn-undecided .symbn-verdict{color:#7b2d8e}
.symbn-undecided{border-left-color:#b48ac0;background:#faf5fc}
.symbn-refuted,.symbn-inconsistent{border-left-color:#c62828;background:#fdf1f1}
.symbn-refuted .symbn-verdict,.symbn-inconsistent .symbn-verdict{color:#c62828}
.symbn-evidence{margin:.3rem 0 .2rem;font-size:.92rem}
.symbn-evidence summary{cursor:pointer;color:#c62828;font-weight:600}
.symbn-evidence table{border-collapse:collapse;margin:.3rem 0}
.symbn-evidence td{padding:.05rem .6rem .05rem 0;vertical-align:top}
.symbn-summary{margin-top:.8rem;font-weight:600}
.symbn-summary.symbn-ok{color:#1b7f3a}.symbn-summary.symbn-fail{color:#c62828}
"""

_IDS = count(1)


def _asset(name: str) -> bytes:
    return files("symbn.render").joinpath("assets", "katex", name).read_bytes()


@cache
def katex_style() -> str:
    """KaTeX's stylesheet with its fonts inlined as WOFF2 data (no other font format, no network)."""
    css = _asset("katex.min.css").decode("utf-8")

    def inline_font(match: re.Match[str]) -> str:
        data = base64.b64encode(_asset(f"fonts/{match.group(1)}.woff2")).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    return re.sub(r"src:url\(fonts/([\w-]+)\.woff2\)[^;}]*", inline_font, css)


@cache
def katex_script() -> str:
    """KaTeX's script, safe to inline in a ``<script>`` element."""
    return _asset("katex.min.js").decode("utf-8").replace("</script", "<\\/script")


def _math(tex: str, *, display: bool) -> str:
    """An element KaTeX renders (``data-tex``), with the TeX itself as a fallback text."""
    kind = "div" if display else "span"
    css = "symbn-display" if display else "symbn-inline"
    # Only MathJax reads the fallback: MathJax 2 (the classic Notebook, nbconvert) has \cancel
    # only from its cancel extension, which \require loads (MathJax 3 autoloads it).
    shown = (r"\require{cancel}" if r"\cancel" in tex else "") + tex
    fallback = rf"\[{shown}\]" if display else rf"\({shown}\)"
    return (
        f'<{kind} class="symbn-math {css}" data-tex="{html.escape(tex)}">'
        f"{html.escape(fallback)}</{kind}>"
    )


def _text(value: str | list[Segment]) -> str:
    """A text with its ``$…$`` math typeset and everything else escaped."""
    parts = segments(value) if isinstance(value, str) else value
    return "".join(_math(tex, display=False) if m else html.escape(tex) for m, tex in parts)


def _evidence(row: Row, report: Report) -> str:
    """The collapsible evidence of a line that does not hold."""
    from symbn.render.failure import inherited, readable_remainder, used_values

    result = report[row.label]
    out = [f"<p>{html.escape(result.reason or 'no reason given')}"]
    hint = inherited(result, report)
    if hint is not None:
        out.append(f' <strong class="symbn-hint">({html.escape(hint.sentence())})</strong>')
    out.append("</p>")
    example = result.counterexample
    if example is not None:
        out.append("<p>At these values the sides differ:</p><table>")
        for obj, name, value in used_values(result, report.derivation):
            shown = html.escape(name) if obj is None else _math(latex(obj), display=False)
            out.append(f"<tr><td>{shown}</td><td>= {html.escape(value)}</td></tr>")
        out.append("</table>")
        out.append(
            f"<p>left side {html.escape(example.lhs)}, right side {html.escape(example.rhs)}"
            f", difference {html.escape(example.difference)}"
            + (f" ({html.escape(example.note)})" if example.note else "")
            + "</p>"
        )
    remainder = result.remainder
    if remainder is not None and remainder != 0:
        tex = latex(readable_remainder(remainder, report.derivation))
        out.append("<p>Left side minus right side, symbolically:</p>")
        out.append(_math(tex, display=True))
    summary = "counterexample and remainder" if example is not None else "why"
    opened = " open" if row.failed else ""
    return (
        f'<details class="symbn-evidence"{opened}><summary>{summary}</summary>'
        + "".join(out)
        + "</details>"
    )


def _line(row: Row, report: Report | None) -> str:
    verdict = row.verdict or "unchecked"
    mark, word = VERDICT_WORDS.get(row.verdict, ("", ""))
    relation = "=" if row.line.relation.value == "=" else r"\neq"
    equation = f"{row.lhs} {relation} {row.rhs}".strip()
    parts = [
        f'<div class="symbn-line symbn-{verdict}" data-label="{html.escape(row.label)}">',
        f'<div class="symbn-label">({html.escape(row.label)})</div>',
        f'<div class="symbn-verdict">{mark} {word}</div>',
        '<div class="symbn-body">',
        _math(equation, display=True),
    ]
    if row.why:
        parts.append(f'<div class="symbn-why">{_text(row.why)}</div>')
    if report is not None and row.verdict and row.evidence:
        parts.append(_evidence(row, report))
    parts.append("</div></div>")
    return "".join(parts)


def body(derivation: Derivation, report: Report | None, *, element_id: str) -> str:
    """The report as one ``<div>``: title, assumptions, lines, summary, conclusion and notes."""
    typeset = rows(derivation, report, why=True, marks=report is not None)
    parts = [
        f'<div class="symbn-report" id="{element_id}">',
        f"<h1>{_text(derivation.title)}</h1>",
    ]
    if derivation.assumptions:
        assumed = ", ".join(_math(latex(a), display=False) for a in derivation.assumptions)
        parts.append(f"<p>Assuming {assumed}.</p>")
    parts.append('<div class="symbn-lines">')
    parts += [_line(row, report) for row in typeset]
    parts.append("</div>")
    if report is not None:
        state = "symbn-ok" if report.ok else "symbn-fail"
        parts.append(f'<p class="symbn-summary {state}">{_text(summary_sentence(report))}</p>')
    for heading, statement in closing_texts(derivation, report):
        parts.append(f"<p><strong>{html.escape(heading)}.</strong> {_text(statement)}</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _render_script(element_id: str) -> str:
    """Typeset every ``data-tex`` element of the report; a TeX error shows as KaTeX's error node."""
    return (
        "(function(){var root=document.getElementById(" + repr(element_id) + ");"
        "if(!root||typeof katex==='undefined')return;"
        "root.querySelectorAll('[data-tex]').forEach(function(el){"
        "katex.render(el.getAttribute('data-tex'),el,{displayMode:el.classList.contains("
        "'symbn-display'),throwOnError:false,trust:false,strict:'ignore'});});})();"
    )


def section(derivation: Derivation, report: Report | None) -> str:
    """The report for a notebook's ``text/html``: the ``<div>``, its style and KaTeX, all inline."""
    element_id = f"symbn-report-{next(_IDS)}"
    return (
        f"<style>{katex_style()}{STYLE}</style>\n"
        + body(derivation, report, element_id=element_id)
        + f"\n<script>{katex_script()}</script>\n<script>{_render_script(element_id)}</script>\n"
    )


def page(derivation: Derivation, report: Report | None) -> str:
    """A complete, self-contained HTML page (no network at all: fonts, style, script inlined)."""
    title = html.escape(derivation.title)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title} — symbn</title>\n"
        f"<style>{katex_style()}{STYLE}body{{margin:1.5rem}}</style>\n"
        "</head>\n<body>\n"
        + body(derivation, report, element_id="symbn-report")
        + f"\n<script>{katex_script()}</script>\n<script>{_render_script('symbn-report')}</script>\n"
        "</body>\n</html>\n"
    )


def to_html(obj: Derivation | Report, *, marks: bool = True, standalone: bool = True) -> str:
    """A derivation (checked first with ``marks``) or a report as HTML: a page, or a notebook section."""
    derivation, report = resolve(obj, marks=marks)
    return page(derivation, report) if standalone else section(derivation, report)


__all__ = ["body", "katex_script", "katex_style", "page", "section", "to_html"]
