"""Layout of a display row: text ends the mathematics, text inside it is refused, and two relations
on one line are two lines (issue 15, items 2, 3 and 5). Expected values are built by hand."""

from __future__ import annotations

import pytest
from sympy import Idx, IndexedBase, Rational, Sum, Symbol, sqrt

from symbn.model import Kind
from symbn.parse import read_text
from symbn.parse.document import Document

x, y, a, b, c, mu, sigma, eps = (
    Symbol(n, real=True) for n in ("x", "y", "a", "b", "c", "mu", "sigma", "epsilon")
)


def read(text: str) -> Document:
    return read_text(text, "doc.md")


def lines(text: str) -> list[tuple[str, Kind, object, object, str]]:
    document = read(text)
    assert document.problems == [], document.problems
    return [
        (line.label, line.kind, line.lhs_meaning, line.rhs_meaning, line.why)
        for line in document.derivation.lines
    ]


def test_text_after_quad_is_the_justification_and_the_math_after_it_too() -> None:
    """x̂_i = (x_i − μ)/√(σ²+ε) \\quad \\text{for each } i: the i is not a factor."""
    found = lines(
        r"$$\hat{x}_i = \frac{x_i - \mu}{\sqrt{\sigma^2+\epsilon}} \quad \text{for each } i$$"
    )
    i = Symbol("i", integer=True)
    ((_, kind, lhs, rhs, why),) = found
    assert kind is Kind.DEFINITION
    assert lhs == IndexedBase("\\hat{x}", real=True)[i]
    positive = Symbol("epsilon", positive=True)  # under the root only: the stability constant
    assert rhs == (IndexedBase("x", real=True)[i] - mu) / sqrt(sigma**2 + positive)
    assert why == "for each $i$"


def test_a_justification_after_ampersands_is_not_multiplied_in() -> None:
    found = lines(
        "$$\\begin{align} y &= 2x && \\text{definition of } \\mu \\\\ &= x + x \\end{align}$$"
    )
    assert found[0][1:] == (Kind.DEFINITION, y, 2 * x, "definition of $\\mu$")
    assert found[1][1:4] == (Kind.CONTINUATION, 2 * x, 2 * x)


@pytest.mark.parametrize(
    ("text", "column"),
    [(r"$$x + 1 = \text{3} + 2$$", 11), (r"$$2 + 2 = 4 \text{ + 1}$$", 13)],
)
def test_text_inside_the_mathematics_is_refused_never_dropped(text: str, column: int) -> None:
    document = read(f"$$x = 1$$\n\n{text}")
    assert document.problems
    assert document.problems[0].startswith(f"doc.md:3:{column}:")
    assert "inside the mathematics" in document.problems[0]
    assert [line.label for line in document.derivation.lines] == ["1"]


def test_two_relations_on_one_line_are_two_lines() -> None:
    """Ba et al.'s LayerNorm: μ = (1/H) Σ a_i \\qquad σ = √(…)."""
    found = lines(
        r"$$\mu = \frac1H\sum_{i=1}^{H} a_i \qquad "
        r"\sigma = \sqrt{\frac1H\sum_{i=1}^{H} (a_i-\mu)^2}$$"
    )
    h = Symbol("H", integer=True, positive=True)
    i = Idx("i", (1, h))
    entry = IndexedBase("a", real=True)[i]
    assert [f[1] for f in found] == [Kind.DEFINITION, Kind.DEFINITION]
    assert found[0][2:4] == (mu, Sum(entry, (i, 1, h)) / h)
    assert found[1][2:4] == (sigma, sqrt(Sum((entry - mu) ** 2, (i, 1, h)) / h))


@pytest.mark.parametrize(
    "separator", [r",\quad", r"\qquad", r"\text{ and }", r"\text{and}", r"\quad"]
)
def test_separators_between_relations(separator: str) -> None:
    found = lines(f"$$a = 1 {separator} b = 2$$")
    assert [(f[2], f[3]) for f in found] == [(a, 1), (b, 2)]


def test_implies_between_relations_makes_the_second_a_claim() -> None:
    found = lines(r"$$a = 2 b \Rightarrow 2 b = a$$ $$c = a \implies c = 2b$$")
    kinds = [f[1] for f in found]
    assert kinds == [Kind.DEFINITION, Kind.CLAIM, Kind.DEFINITION, Kind.CLAIM]
    assert found[1][2:4] == (2 * b, a)
    assert found[3][2:4] == (c, 2 * b)


def test_the_seed_style_justification_and_number() -> None:
    found = lines(r"$$z = W a + b \quad \text{network input for layer 'l'} \quad (1.1)$$")
    w = Symbol("W", real=True)
    assert found == [
        ("1.1", Kind.DEFINITION, Symbol("z", real=True), w * a + b, "network input for layer 'l'")
    ]


def test_relations_after_a_justification_stay_in_it() -> None:
    # in braces, as symbn's renderers write mathematics in a justification (a loose relation, or
    # one after "since", is refused: tests/test_read_rows_faithful.py)
    found = lines(r"$$x = 1 \quad \text{by (2), with } {y = 2}$$")
    assert found == [("1", Kind.DEFINITION, x, 1, "by (2), with $y = 2$")]


def test_short_fractions() -> None:
    found = lines(r"$$y = \frac12 x + \frac1c$$")
    assert found[0][3] == Rational(1, 2) * x + 1 / c


def test_a_comma_and_qquad_before_a_tag_end_the_row() -> None:
    found = lines(r"$$y_i = \gamma x_i + \beta, \qquad \tag{BN.1}$$")
    i = Symbol("i", integer=True)
    gamma, beta = Symbol("gamma", real=True), Symbol("beta", real=True)
    entry = IndexedBase("x", real=True)[i]
    assert found == [
        ("BN.1", Kind.DEFINITION, IndexedBase("y", real=True)[i], gamma * entry + beta, "")
    ]


@pytest.mark.parametrize(
    "note",
    [
        r"\text{if } x \ge 0",
        r"\text{for } x > 0",
        r"\text{when } x = 0",
        r"\text{for } x \in (0, 1)",
    ],
)
def test_a_condition_in_the_justification_is_refused_not_dropped(note: str) -> None:
    """|x| = x holds only for x ≥ 0: checking it for every x would refute a true step."""
    document = read(f"$$|x| = x \\quad {note}$$")
    assert document.problems and "states a condition" in document.problems[0]
    assert document.problems[0].startswith("doc.md:1:10:")


def test_an_index_range_in_the_justification_is_not_a_condition() -> None:
    found = lines(r"$$y = x + 1 \qquad \text{for all } i \in \{1, \dots, m\}$$")
    assert found[0][4] == r"for all $i \in \{1, \dots, m\}$"
