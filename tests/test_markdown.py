"""The Markdown export and the notebook display: their math must parse in real KaTeX and MathJax.

KaTeX (``throwOnError``, strict) and MathJax 3 (TeX input, unknown macros are errors) run under Node
from tests/js/check-math.js, installed by tests/install.sh with ``npm ci --prefix tests/js``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

import symbn
from symbn.model import Derivation
from symbn.render import display
from tests.conftest import replaced, require_tool

JS = Path(__file__).parent / "js"


def math_of(markdown: str) -> list[tuple[str, bool]]:
    """Every piece of math in ``markdown``: ``$$ … $$`` blocks (display) and ``$…$`` (inline)."""
    found = []
    rest = []
    for part in re.split(r"(?s)\$\$(.*?)\$\$", markdown)[:]:
        rest.append(part)
    for k, part in enumerate(rest):
        if k % 2:
            found.append((part.strip(), True))
        else:
            for inline in re.findall(r"(?<![\\$])\$([^$]+?)(?<!\\)\$", part):
                found.append((inline, False))
    return found


def parse_everywhere(items: list[tuple[str, bool]]) -> list[str]:
    """Errors of KaTeX and MathJax on each piece of math (empty when every piece renders)."""
    node = require_tool("node", "Markdown math is parsed by real KaTeX and MathJax under Node")
    if (
        not (JS / "node_modules" / "katex").is_dir()
        or not (JS / "node_modules" / "mathjax-full").is_dir()
    ):
        message = "KaTeX/MathJax are not installed in tests/js; run tests/install.sh"
        if os.environ.get("SYMBN_REQUIRE_REAL_PARTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in items])
    result = subprocess.run(
        [node, str(JS / "check-math.js")],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    errors = []
    for (tex, _), outcome in zip(items, json.loads(result.stdout), strict=True):
        for engine in ("katex", "mathjax"):
            if outcome[engine]:
                errors.append(f"{engine}: {outcome[engine]}\n  in: {tex}")
    return errors


def test_math_extraction_finds_display_and_inline_math() -> None:
    text = "# T\n\n$$\nx = 1 \\tag{1}\n$$\n\n*by $y$ and \\$5*\n"
    assert math_of(text) == [("x = 1 \\tag{1}", True), ("y", False)]


def test_the_checker_really_rejects_what_the_renderers_reject() -> None:
    errors = parse_everywhere(
        [
            ("\\begin{aligned} x &= y \\tag{1} \\end{aligned}", True),
            ("\\undefinedmacro x", False),
            ("x = y \\tag{1.9}", True),
        ]
    )
    assert any(e.startswith("mathjax") and "aligned" in e for e in errors)
    assert sum("undefinedmacro" in e for e in errors) >= 2
    assert not any("tag{1.9}" in e for e in errors)


@pytest.mark.parametrize("name", symbn.names())
def test_every_shipped_derivation_renders_in_katex_and_mathjax(name: str) -> None:
    report = symbn.load(name).check()
    items = []
    for marks in (False, True):
        for why in (False, True):
            items += math_of(report.to_markdown(why=why, marks=marks))
    items += math_of(display.markdown(report))
    items.append((display.latex(report).strip().removeprefix("$$").removesuffix("$$"), True))
    assert items
    assert parse_everywhere(items) == []


def test_a_refuted_derivation_displays_in_katex_and_mathjax(seed: Derivation) -> None:
    bad = replaced(seed, "1.12", 2 * seed.line("1.12").rhs)
    x = symbn.symbols("x")
    bad.step(x, x + 1, label="odd_#1", why="50% & {braces} ~ ^ \\ μ≠σ “quoted” — done…")
    items = math_of(display.markdown(bad))
    items.append((display.latex(bad).strip().removeprefix("$$").removesuffix("$$"), True))
    assert parse_everywhere(items) == []


def test_markdown_blocks_carry_tags_never_inside_aligned(seed: Derivation) -> None:
    out = seed.to_markdown()
    blocks = [tex for tex, shown in math_of(out) if shown]
    assert all("aligned" not in b for b in blocks)
    tags = [tag for b in blocks for tag in re.findall(r"\\tag\{([^}]*)\}", b)]
    assert tags == [line.label for line in seed.lines]
    # 1.8 and its continuations 1.9-1.12: one align block, every = at the alignment point
    group = next(b for b in blocks if "\\tag{1.8}" in b)
    assert group.startswith("\\begin{align}") and group.endswith("\\end{align}")
    rows = group.removeprefix("\\begin{align}").removesuffix("\\end{align}").split("\\\\")
    equations = [r for r in rows if "\\tag{" in r]
    assert len(equations) == 5
    assert all(r.strip().startswith("&=") for r in equations[1:])
    assert rows.count(rows[0]) == 1 and "&=" in equations[0]


def test_a_refuted_line_ends_its_aligned_block() -> None:
    x, y = symbn.symbols("x y")
    d = symbn.Derivation("Slip", name="slip").step(2 * (x + y), symbn.written(2 * x, 2 * y), label="1")
    d.then(symbn.written(2 * x, 3 * y), label="2").then(symbn.written(3 * y, 2 * x), label="3")
    out = d.check().to_markdown(marks=True)
    before, _, after = out.partition("**refuted:**")
    block = before[before.rindex("$$\n", 0, before.index("\\tag{2}")) :]
    assert block.count("$$") == 2 and "\\tag{1}" in block  # closed before the evidence
    assert "\\tag{3}" in after and "\\tag{3}" not in before
    assert parse_everywhere(math_of(out)) == []


def test_markdown_options(seed: Derivation) -> None:
    plain = seed.to_markdown(why=False)
    assert "\\text" not in plain and "substituted" not in plain
    marked = seed.to_markdown(marks=True)
    assert "\\mathrel{\\overset{\\checkmark}{=}}" in marked
    assert "Checked by symbn" in marked and "every claim holds" in marked
    assert seed.to_markdown().startswith("### Cancellation of the bias term\n")
    assert "**Conclusion.** $b^{[l]}$ cancels" in seed.to_markdown()


def test_markdown_escapes_plain_text() -> None:
    x = symbn.symbols("x")
    d = symbn.Derivation("A *starred* [title]", name="t").step(x, x, label="1")
    d.conclude("a_b costs \\$5 <b>")
    out = d.to_markdown()
    assert out.startswith("### A \\*starred\\* \\[title\\]")
    assert "a\\_b costs" in out and "\\<b\\>" in out


def test_an_awkward_derivation_renders_in_katex_and_mathjax() -> None:
    from tests.awkward import awkward

    report = awkward().check()
    items = math_of(report.to_markdown(marks=True)) + math_of(report.to_markdown(why=False))
    items += math_of(display.markdown(report))
    items.append((display.latex(report).strip().removeprefix("$$").removesuffix("$$"), True))
    assert parse_everywhere(items) == []
