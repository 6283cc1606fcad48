"""Writing that TeX itself refuses or that readers take two ways is refused at its place, with what
to write instead: never read silently one way (the red team's R6)."""

from __future__ import annotations

import pytest

from symbn.parse.document import read_text

REFUSED = {
    "x^y^z = 1": ("double superscript", 6),
    "2^3^2 = 64": ("double superscript", 6),
    "\\sigma^2^2 = 1": ("double superscript", 11),
    "1/2x = 1": ("\\frac{a}{bc} or \\frac{a}{b} c", 5),
    "a / b c = 1": ("\\frac{a}{bc} or \\frac{a}{b} c", 7),
    "1e3 = 1000": ("1 \\times 10^{3}", 3),
    "2.5E-4 = y": ("2.5 \\times 10^{-4}", 3),
    "|a|b|c| = 1": ("reads two ways", 5),
}

READ = {
    "x^{y^{z}} = 1": ("x**(y**z)", "1"),
    "(x^{y})^{z} = 1": ("(x**y)**z", "1"),
    "x/2 = 1": ("x/2", "1"),
    "2x/3 = 1": ("2*x/3", "1"),
    "a/(bc) = 1": ("a/(b*c)", "1"),
    "|x|y = |xy|": ("y*Abs(x)", "Abs(x*y)"),
    "|x| + |y| = 1": ("Abs(x) + Abs(y)", "1"),
    "||a| - |b|| = 1": ("Abs(Abs(a) - Abs(b))", "1"),
    "|a| \\cdot b \\cdot |c| = 1": ("b*Abs(a)*Abs(c)", "1"),
}


@pytest.mark.parametrize("row", list(REFUSED))
def test_ambiguous_writing_is_refused_where_it_stands(row: str) -> None:
    words, column = REFUSED[row]
    document = read_text(f"# T\n\n$${row}$$\n", "t.md")
    assert document.derivation.lines == ()
    (problem,) = document.problems
    assert problem.startswith(f"t.md:3:{column}:") and words in problem, problem


@pytest.mark.parametrize("row", list(READ))
def test_the_unambiguous_forms_read_as_written(row: str) -> None:
    document = read_text(f"# T\n\n$${row}$$\n", "t.md")
    assert document.problems == []
    (line,) = document.derivation.lines
    assert (str(line.lhs_meaning), str(line.rhs_meaning)) == READ[row]
