"""Backward passes as written: the derivative of a loss the document never defines (issue 15).

``\\frac{\\partial L}{\\partial v}`` with ``L`` undefined is the derivative of an unknown function of
the document's output, by the chain rule through the definitions. The ground truth for the
corpus's backward pass is computed here independently of the reader and the checker: m = 3 written
out, a nonlinear loss of y₁, y₂, y₃, SymPy's ``diff`` on the explicit composite, exact points.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sympy import Expr, N, Rational, diff, sqrt, symbols

from symbn.check import check
from symbn.parse import read_document, read_text
from symbn.parse.declare import to_toml
from symbn.parse.document import Document

CORPUS = Path(__file__).parent / "data" / "corpus"


def read(text: str) -> Document:
    return read_text(text, "doc.md")


def verdicts(text: str) -> dict[str, str]:
    document = read(text)
    assert document.problems == [], document.problems
    return {r.label: r.verdict.value for r in check(document.derivation, timeout=20.0)}


def problems(text: str) -> list[str]:
    return read(text).problems


def _backward_truth() -> dict[str, bool]:
    """Whether each line of the corpus's BN backward pass holds, at m = 3, by direct differentiation."""
    x = symbols("x1:4")
    gamma, beta, eps, u, s = symbols("gamma beta epsilon u s")
    h = symbols("h1:4")
    y = symbols("Y1:4")
    loss = y[0] ** 2 * y[1] + 3 * y[1] * y[2] ** 2 + y[0] * y[2] + y[2]  # any smooth loss of y

    def variance(mu: Expr) -> Expr:
        return sum(((xi - mu) ** 2 for xi in x), Rational(0)) / 3

    def normalized(mu: Expr, var: Expr) -> list[Expr]:
        return [(xi - mu) / sqrt(var + eps) for xi in x]

    def of_h(hs: list[Expr]) -> Expr:
        return loss.subs(dict(zip(y, [gamma * v + beta for v in hs], strict=True)))

    mean = sum(x, Rational(0)) / 3
    var = variance(mean)
    hat = normalized(mean, var)
    out = [gamma * v + beta for v in hat]
    dy = [diff(loss, yk).subs(dict(zip(y, out, strict=True))) for yk in y]
    dh = [diff(of_h(list(h)), h[k]).subs(dict(zip(h, hat, strict=True))) for k in range(3)]
    ds = diff(of_h(normalized(mean, s)), s).subs(s, var)  # mu held, sigma^2 the variable
    du = diff(of_h(normalized(u, variance(u))), u).subs(u, mean)  # through sigma^2 too
    dx = [diff(of_h(hat), x[k]) for k in range(3)]  # the total derivative
    dgamma, dbeta = diff(of_h(hat), gamma), diff(of_h(hat), beta)
    root = sqrt(var + eps)
    third = Rational(-1, 2) * (var + eps) ** Rational(-3, 2)
    pairs = {
        "5": [(dh[i], dy[i] * gamma) for i in range(3)],
        "6": [(ds, sum(dh[i] * (x[i] - mean) * third for i in range(3)))],
        "7": [(du, -sum(dh) / root + ds * sum(-2 * (xi - mean) for xi in x) / 3)],
        "8": [(dx[i], dh[i] / root + ds * 2 * (x[i] - mean) / 3 + du / 3) for i in range(3)],
        "9": [(dgamma, sum(dy[i] * hat[i] for i in range(3)))],
        "10": [(dbeta, sum(dy))],
        "3b": [(du, -sum(dh) / root)],
        "4b": [
            (
                dx[i],
                gamma
                / (3 * root)
                * (3 * dy[i] - sum(dy) - hat[i] * sum(a * b for a, b in zip(dy, hat, strict=True))),
            )
            for i in range(3)
        ],
        "s1": [(dh[i], dy[i]) for i in range(3)],
        "s2": [(ds, sum(dh[i] * (x[i] - mean) * Rational(-1, 2) / root for i in range(3)))],
        "s3": [(dx[i], dh[i] / root + ds * 2 * (x[i] - mean) / 3 + du) for i in range(3)],
        "s4": [(dgamma, sum(dy))],
    }
    rng = random.Random(7)
    truth = {}
    for label, sides in pairs.items():
        worst = 0.0
        for _ in range(3):
            point = {v: Rational(rng.randint(-9, 9), rng.randint(1, 5)) for v in (*x, gamma, beta)}
            point[eps] = Rational(rng.randint(1, 9), 7)
            for lhs, rhs in sides:
                worst = max(worst, float(abs(N((lhs - rhs).subs(point), 60))))
        truth[label] = worst < 1e-30
    return truth


def test_the_corpus_backward_pass_matches_an_independent_computation() -> None:
    path = CORPUS / "bn-backward.md"
    wanted = json.loads((CORPUS / "bn-backward.md.expected.json").read_text(encoding="utf-8"))
    truth = _backward_truth()
    claims = {k: v for k, v in wanted["verdicts"].items() if v != "definition"}
    assert set(claims) == set(truth)
    assert {k for k, holds in truth.items() if not holds} == set(wanted["slips"])
    assert all(claims[k] == "holds" for k, holds in truth.items() if holds)
    document = read_document(path)
    assert document.problems == []
    assert document.inferred.outputs == {"y"}
    assert "outputs" in to_toml(document.inferred)
    assert any("unknown function of $y_{i}$" in note for note in document.derivation.notes)


FORWARD = """
$$y = w x + b$$

"""


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        (r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial y} x", "proved"),
        (r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial y}", "refuted"),
        (r"\frac{\partial L}{\partial x} = w \frac{\partial L}{\partial y}", "proved"),
        (r"\frac{\partial L}{\partial x} = x \frac{\partial L}{\partial y}", "refuted"),
        (r"\frac{\partial L}{\partial b} = \frac{\partial L}{\partial y}", "proved"),
        (r"\frac{\partial L}{\partial b} = 2\frac{\partial L}{\partial y}", "refuted"),
        (r"\frac{\partial J}{\partial b} = \frac{\partial J}{\partial y}", "proved"),
        (r"\frac{d \ell}{d w} = x \frac{d \ell}{d y}", "proved"),
        (r"\frac{\partial}{\partial w} L = x \frac{\partial L}{\partial y}", "proved"),
    ],
)
def test_one_layer_chain_rule(claim: str, verdict: str) -> None:
    assert verdicts(FORWARD + f"$${claim}$$\n")["2"] == verdict


TWO_LAYERS = """
$$h = a x$$

$$y = c h + d$$

$$\\frac{\\partial L}{\\partial h} = c \\frac{\\partial L}{\\partial y}$$

$$\\frac{\\partial L}{\\partial a} = \\frac{\\partial L}{\\partial h} x$$

$$\\frac{\\partial L}{\\partial a} = c x \\frac{\\partial L}{\\partial y}$$

$$\\frac{\\partial L}{\\partial a} = x \\frac{\\partial L}{\\partial y} \\tag{slip}$$

$$\\frac{\\partial L}{\\partial x} = a \\frac{\\partial L}{\\partial h}$$
"""


def test_two_layers_chain_through_the_hidden_quantity() -> None:
    assert verdicts(TWO_LAYERS) == {
        "1": "definition",
        "2": "definition",
        "3": "proved",
        "4": "proved",
        "5": "proved",
        "slip": "refuted",
        "6": "proved",
    }


PER_EXAMPLE = """
$$\\mu = \\frac{1}{m}\\sum_{j=1}^{m} x_j \\qquad \\hat{x}_i = \\frac{x_i - \\mu}{s}$$

$$y_i = \\gamma \\hat{x}_i + \\beta$$

$$\\sum_{i=1}^{m} \\hat{x}_i = 0$$

$$\\frac{\\partial L}{\\partial \\hat{x}_i} = \\frac{\\partial L}{\\partial y_i} \\gamma$$

"""


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        (
            r"\frac{\partial L}{\partial \hat{x}_i} = \gamma \frac{\partial L}{\partial y_i}",
            "proved",
        ),
        # a different entry: ∂L/∂y_j is not ∂L/∂y_i
        (
            r"\frac{\partial L}{\partial \hat{x}_i} = \gamma \frac{\partial L}{\partial y_j}",
            "refuted",
        ),
        (
            r"\frac{\partial L}{\partial \beta} = \sum_{i=1}^{m} \frac{\partial L}{\partial y_i}",
            "proved",
        ),
        (r"\frac{\partial L}{\partial \beta} = m \frac{\partial L}{\partial y_i}", "refuted"),
        # each output has its own unknown gradient
        (r"\frac{\partial L}{\partial y_1} = \frac{\partial L}{\partial y_2}", "refuted"),
        (
            r"\frac{\partial L}{\partial \hat{x}_1} = \gamma\frac{\partial L}{\partial y_1}",
            "proved",
        ),
        (
            r"\frac{\partial L}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial L}{\partial y_i}\hat{x}_i",
            "proved",
        ),
        (
            r"\frac{\partial L}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial L}{\partial y_i}",
            "refuted",
        ),
        (
            r"\frac{\partial L}{\partial s} = -\frac{1}{s}\sum_{i=1}^{m} \frac{\partial L}{\partial \hat{x}_i}\hat{x}_i",
            "proved",
        ),
        (
            r"\frac{\partial L}{\partial s} = \frac{1}{s}\sum_{i=1}^{m} \frac{\partial L}{\partial \hat{x}_i}\hat{x}_i",
            "refuted",
        ),
    ],
)
def test_per_example_backward(claim: str, verdict: str) -> None:
    found = verdicts(PER_EXAMPLE + f"$${claim} \\tag{{c}}$$\n")
    assert found["c"] == verdict


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (r"$$\frac{\partial L}{\partial w} = 0$$", "no quantity is defined before"),
        (
            "$$a = 2 x$$\n\n$$b = 3 x$$\n\n$$\\frac{\\partial L}{\\partial x} = 2\\frac{\\partial L}{\\partial a}$$",
            'they end in several (a, b): declare which, as outputs = ["a"]',
        ),
        (
            FORWARD + r"$$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial y}$$",
            "which does not depend on z",
        ),
        # the forward pass ends in z, but the upstream gradient written is ∂L/∂y_i: L(z) would be
        # a guess (it would prove ∂L/∂y_1 = ∂L/∂y_2)
        (
            "$$y_i = \\gamma x_i \\qquad z = \\sum_{i=1}^{m} y_i$$\n\n"
            "$$\\frac{\\partial L}{\\partial \\gamma} = \\sum_{i=1}^{m} x_i \\frac{\\partial L}{\\partial y_i}$$",
            "the document never writes the derivative of L by it",
        ),
        (
            FORWARD
            + "$$\\frac{\\partial L}{\\partial w} = x\\frac{\\partial L}{\\partial y}$$\n\n$$L = w^2$$",
            "(3) uses L as a value, but (2) reads it as an undefined loss",
        ),
        (
            FORWARD
            + "$$\\frac{\\partial L}{\\partial w} = x\\frac{\\partial L}{\\partial y}$$\n\n$$L + 1 = 2$$",
            "(3) uses L as a value",
        ),
        (
            FORWARD + r"$$\frac{\partial}{\partial w}\frac{\partial L}{\partial y} = 0$$",
            "symbn reads only first derivatives of L",
        ),
        (
            "$$y_i = \\gamma x_i$$\n\n$$\\frac{\\partial L}{\\partial \\gamma} = \\frac{\\partial L}{\\partial y_i}$$",
            "the index i has no range",
        ),
        # used as a value first: an unknown number, whose derivative is refused as before
        (
            FORWARD + "$$L + 1 = y$$\n\n$$\\frac{\\partial L}{\\partial w} = 0$$",
            "is not defined before",
        ),
    ],
)
def test_what_is_not_clear_is_refused_at_its_row(text: str, words: str) -> None:
    found = problems(text)
    assert found, text
    assert any(words in p for p in found), found
    assert all(p.startswith("doc.md:") for p in found)


def test_declared_outputs_settle_which_quantities_the_loss_depends_on() -> None:
    two = "$$a = 2 x$$\n\n$$b = 3 x$$\n\n"
    both = '<!-- symbn: outputs = ["a", "b"] -->\n\n' + two
    claim = "$$\\frac{\\partial L}{\\partial x} = 2\\frac{\\partial L}{\\partial a} + 3\\frac{\\partial L}{\\partial b}$$"
    assert verdicts(both + claim)["3"] == "proved"
    one = '<!-- symbn: outputs = ["a"] -->\n\n' + two
    assert (
        verdicts(one + "$$\\frac{\\partial L}{\\partial x} = 2\\frac{\\partial L}{\\partial a}$$")[
            "3"
        ]
        == "proved"
    )
    # L is a function of a only: b does not reach it, and ∂L/∂b is refused, not taken as 0
    assert any("which does not depend on b" in p for p in problems(one + claim))
    missing = '<!-- symbn: outputs = ["z"] -->\n\n' + two + claim
    assert any("the declared output z is not defined" in p for p in problems(missing))
    assert read(both + claim).inferred.outputs == frozenset()  # declared, not inferred


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "$$a + 1 = b$$\n\n$$a = 2$$",
            "(2) reads as the definition of a, which (1) uses before it",
        ),
        (
            "$$\\sum_{i=1}^{m} x_i = 0$$\n\n$$x_i = 2 y_i$$",
            "(2) reads as the definition of x_{i}, which (1) uses before it",
        ),
        ("$$f(2) = 4$$\n\n$$f(x) = x^2$$", "(2) reads as the definition of f(…), which (1) uses"),
    ],
)
def test_a_definition_after_its_first_use_is_said_at_that_row_not_refuted(
    text: str, words: str
) -> None:
    (found,) = problems(text)
    assert found.startswith("doc.md:3:") and words in found


def test_a_function_definition_is_not_the_output() -> None:
    text = (
        "$$\\sigma(t) = \\frac{1}{1 + e^{-t}}$$\n\n$$a = \\sigma(w x + b)$$\n\n"
        "$$\\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial a} \\cdot a \\cdot (1 - a) x$$\n\n"
        "$$\\frac{\\partial L}{\\partial b} = \\frac{\\partial L}{\\partial a} \\cdot a \\tag{slip}$$\n"
    )
    assert verdicts(text) == {
        "1": "definition",
        "2": "definition",
        "3": "proved",
        "slip": "refuted",
    }
    assert read(text).inferred.outputs == {"a"}


def test_a_family_of_examples_as_the_output() -> None:
    text = (
        "$$\\mu = \\frac{1}{m}\\sum_{i=1}^{m} z^{(i)}$$\n\n$$y = z - \\mu$$\n\n"
        "$$\\frac{\\partial L}{\\partial \\mu} = -\\sum_{i=1}^{m} \\frac{\\partial L}{\\partial y^{(i)}}$$\n\n"
        "$$\\frac{\\partial L}{\\partial \\mu} = -\\frac{\\partial L}{\\partial y} \\tag{slip}$$\n"
    )
    assert verdicts(text) == {
        "1": "definition",
        "2": "definition",
        "3": "proved",
        "slip": "refuted",
    }
