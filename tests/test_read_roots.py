"""Odd roots are real roots, as written: ``\\sqrt[3]{-8} = -2`` holds (SymPy's principal root of −8
is complex), and is displayed as the root the document wrote."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner

from symbn.cli import main
from symbn.parse.document import read_text
from symbn.render.latex import to_latex

ROWS = {
    "\\sqrt[3]{-8} = -2": "proved",
    "\\sqrt[3]{-\\frac{27}{8}} = -\\frac{3}{2}": "proved",
    "\\sqrt[3]{x^3} = x": "holds",
    "\\sqrt[3]{-x} = -\\sqrt[3]{x}": "holds",
    "\\sqrt[5]{-32} = 2": "refuted",
    "\\sqrt[3]{x} = x": "refuted",
    "\\sqrt[3]{x^3} = |x|": "refuted",
}


def real_cube_root(value: Fraction) -> Fraction:
    """The real cube root of a perfect cube, by search (independent of the checker)."""
    sign = -1 if value < 0 else 1
    for num in range(0, 50):
        for den in range(1, 20):
            if Fraction(num, den) ** 3 == abs(value):
                return sign * Fraction(num, den)
    raise ValueError(value)


def test_the_truth_used_here() -> None:
    assert real_cube_root(Fraction(-8)) == -2 and real_cube_root(Fraction(-27, 8)) == Fraction(-3, 2)


def test_odd_roots_are_real_roots(tmp_path: Path) -> None:
    text = "# Roots\n\n" + "\n\n".join(
        f"$${row} \\tag{{{k}}}$$" for k, row in enumerate(ROWS, start=1)
    )
    path = tmp_path / "roots.md"
    path.write_text(text + "\n", encoding="utf-8")
    import json

    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--no-cache"])
    steps = {s["label"]: s["verdict"] for s in json.loads(result.stdout)["steps"]}
    for k, expected in enumerate(ROWS.values(), start=1):
        got = steps[str(k)]
        if expected == "holds":
            assert got in ("proved", "checked"), (k, got)
        else:
            assert got == expected, (k, got)


def test_an_odd_root_is_displayed_as_written() -> None:
    document = read_text("# R\n\n$$\\sqrt[3]{-8} = -2$$\n", "r.md")
    assert "\\sqrt[3]{-8}" in to_latex(document.derivation)
