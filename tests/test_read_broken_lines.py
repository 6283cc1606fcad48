"""A line broken over rows, as the LaTeX export breaks a long right side: a row that starts with
``+`` or ``-`` (after ``&``, ``\\quad``) and has no relation of its own goes on with the expression
of the row above it. Expected meanings are built by hand; verdicts come from the checker."""

from __future__ import annotations

from sympy import Symbol

import symbn
from symbn.parse import read_text
from symbn.parse.document import Document
from symbn.render.latex import to_latex

x, y, z = (Symbol(n, real=True) for n in ("x", "y", "z"))


def read(text: str, name: str = "doc.tex") -> Document:
    return read_text(text, name)


def verdicts(document: Document) -> dict[str, str]:
    assert document.problems == [], document.problems
    return {r.label: r.verdict.value for r in document.derivation.check()}


def test_a_plus_row_continues_the_right_side_above_it() -> None:
    document = read(
        "\\begin{align}\nx + y + z &= x \\notag \\\\\n&\\quad + y \\notag \\\\\n"
        "&\\quad + z \\tag{1}\n\\end{align}\n"
    )
    (line,) = document.derivation.lines
    assert line.label == "1" and line.rhs_meaning == x + y + z
    assert verdicts(document) == {"1": "proved"}


def test_a_minus_row_is_read_with_its_sign_and_a_wrong_one_is_refuted() -> None:
    document = read("\\begin{align}\nx + y &= x \\notag \\\\\n&\\quad - y \\tag{1}\n\\end{align}\n")
    (line,) = document.derivation.lines
    assert line.rhs_meaning == x - y
    assert verdicts(document) == {"1": "refuted"}


def test_a_row_with_a_relation_is_a_line_of_its_own() -> None:
    document = read(
        "\\begin{align}\nx &= y + z \\tag{1} \\\\\n-x &= -y - z \\tag{2}\n\\end{align}\n"
    )
    assert [line.label for line in document.derivation.lines] == ["1", "2"]
    assert document.derivation.lines[1].lhs_meaning == -x


def test_a_relation_inside_braces_does_not_stop_the_join() -> None:
    document = read(
        "\\begin{align}\ns &= x \\notag \\\\\n&\\quad + \\sum_{i=1}^{3} y \\tag{1}\n\\end{align}\n"
    )
    (line,) = document.derivation.lines
    assert line.rhs_meaning.doit() == x + 3 * y


def test_a_row_below_a_justification_is_not_swallowed_by_it() -> None:
    """x + y = x \\quad \\text{why} + y would put + y in the justification: never joined."""
    document = read(
        "\\begin{align}\nx + y &= x \\quad \\text{why} \\\\\n&\\quad + y \\tag{1}\n\\end{align}\n"
    )
    assert document.problems  # the lone + y row is refused, not read as part of anything
    assert all(line.rhs_meaning != x for line in document.derivation.lines if line.label == "1")


def test_displaybreak_is_layout_only() -> None:
    document = read(
        "\\begin{align}\nx &= x \\tag{1} \\displaybreak[0] \\\\\nx &= x \\tag{2}\n\\end{align}\n"
    )
    assert verdicts(document) == {"1": "proved", "2": "proved"}


def test_every_shipped_derivation_broken_for_a_narrow_column_reads_back() -> None:
    """At 120 pt nearly every long right side is broken: the read-back verdicts are the library's."""
    for name in symbn.names():
        derivation = symbn.load(name)
        document = read(to_latex(derivation, width=120.0), f"{name}.tex")
        assert document.problems == [], (name, document.problems)
        expected = [(line.label, line.rhs_meaning) for line in derivation.lines]
        found = [(line.label, line.rhs_meaning) for line in document.derivation.lines]
        assert [label for label, _ in found] == [label for label, _ in expected], name
