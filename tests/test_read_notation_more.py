"""More notation (issue 15): products with bounds, a sum's signed body, sums without bounds,
transposes and bold words refused with what to write. Expected objects are built by hand."""

from __future__ import annotations

import pytest
from sympy import Idx, IndexedBase, Integer, Product, Sum, Symbol

from symbn.check import check
from symbn.parse import read_text

m = Symbol("m", integer=True, positive=True)
x = IndexedBase("x", real=True)
i = Idx("i", (1, m))


def sides(text: str) -> tuple[object, object]:
    document = read_text(f"$${text}$$\n", "doc.md")
    assert document.problems == [], document.problems
    (line,) = document.derivation.lines
    return line.lhs_meaning, line.rhs_meaning


def problem(text: str) -> str:
    found = read_text(text, "doc.md").problems
    assert len(found) == 1, found
    return found[0]


def verdict(text: str) -> str:
    document = read_text(text, "doc.md")
    assert document.problems == [], document.problems
    return check(document.derivation, timeout=20.0)[
        document.derivation.lines[-1].label
    ].verdict.value


def test_a_product_with_bounds_is_a_product() -> None:
    assert sides(r"p = \prod_{i=1}^{m} x_i") == (Symbol("p", real=True), Product(x[i], (i, 1, m)))


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (r"\prod_{i=1}^{3} x_i = x_1 x_2 x_3", ("proved", "checked")),
        (r"\prod_{i=1}^{3} x_i = x_1 x_2 + x_3", ("refuted",)),
        (r"\prod_{i=1}^{m} 2 x_i = 2 \prod_{i=1}^{m} x_i", ("refuted",)),
        (r"\prod_{i=1}^{2} (x_i + 1) = x_1 x_2 + x_1 + x_2 + 1", ("proved", "checked")),
    ],
)
def test_products_are_checked(text: str, wanted: tuple[str, ...]) -> None:
    assert verdict(f"$${text}$$\n") in wanted


def test_the_sign_after_a_sum_is_its_body_s() -> None:
    lhs, _ = sides(r"\sum_{i=1}^{m} -2 x_i = -2 \sum_{i=1}^{m} x_i")
    assert lhs == Sum(-2 * x[i], (i, 1, m))
    assert verdict(r"$$\sum_{i=1}^{m} -2 x_i = -2 \sum_{i=1}^{m} x_i$$") == "proved"
    # a sign after the body still ends the sum
    lhs, _ = sides(r"\sum_{i=1}^{m} x_i - 2 = 0")
    assert lhs == Sum(x[i], (i, 1, m)) - Integer(2)


def test_a_sum_without_bounds_takes_the_range_the_document_gives() -> None:
    n = Symbol("n", integer=True, positive=True)
    j = Idx("i", (1, n))
    document = read_text("$$s = \\sum_{i=1}^{n} x_i$$\n\n$$s = \\sum_i x_i$$\n", "doc.md")
    assert document.problems == []
    assert document.derivation.lines[1].rhs_meaning == Sum(x[j], (j, 1, n))
    assert "no single range elsewhere" in problem("$$s = \\sum_i x_i$$\n")
    two = "$$a = \\sum_{i=1}^{n} x_i$$\n\n$$b = \\sum_{i=0}^{m} x_i$$\n\n$$c = \\sum_i x_i$$\n"
    assert "write the bounds of a sum" in problem(two)
    assert "write the bounds of a product" in problem("$$p = \\prod_i x_i$$\n")


@pytest.mark.parametrize(
    "text",
    [
        r"y = \mathbf{w}^\top \mathbf{x}",
        r"y = w^{\top} x",
        r"y = \mathbf{w}^\intercal \mathbf{x}",
        r"y = \mathbf{w}^{\mathsf{T}} \mathbf{x}",
        r"y = w^T x",
        r"y = w^{T} x",
    ],
)
def test_a_transpose_is_refused_never_read_as_a_power(text: str) -> None:
    found = problem(f"$${text}$$\n")
    assert "reads as a transpose" in found and "\\sum_{i=1}^{n} w_i x_i" in found
    assert found.startswith("doc.md:1:")


def test_a_letter_t_that_is_a_number_elsewhere_is_an_exponent() -> None:
    beta, t_size = Symbol("beta", real=True), Symbol("T", integer=True, positive=True)
    document = read_text("$$s = \\sum_{t=1}^{T} a_t$$\n\n$$b = \\beta^T$$\n", "doc.md")
    assert document.problems == []
    assert document.derivation.lines[1].rhs_meaning == beta**t_size
    document = read_text("$$b = \\beta^T + T$$\n", "doc.md")
    assert document.problems == []


def test_a_bold_word_is_refused_with_both_readings() -> None:
    found = problem("$$y = \\mathbf{Wx} + b$$\n")
    assert "write \\mathbf{W}\\mathbf{x} for the product" in found
    w, v = Symbol("\\mathbf{W}", real=True), Symbol("\\mathbf{x}", real=True)
    assert sides(r"y = \mathbf{W}\mathbf{x}")[1] == w * v


@pytest.mark.parametrize(
    ("text", "positive"),
    [
        (r"\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}", {"epsilon"}),
        (r"\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}}", {"varepsilon"}),
        (r"z = (\sigma^2 + \epsilon)^{-3/2} + \sqrt{a + \epsilon}", {"epsilon"}),
        # anywhere else, ε is any real number: noise, an error term, a perturbation
        (r"\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \epsilon", set()),
        (r"z = (\sigma^2 + \epsilon)^{-3/2}", set()),
        (r"z = \sqrt{a + 2 \epsilon}", set()),
        (r"z = \mu + \sigma \epsilon", set()),
    ],
)
def test_epsilon_under_a_root_is_inferred_positive_and_said(text: str, positive: set[str]) -> None:
    document = read_text(f"$${text}$$\n", "doc.md")
    assert document.problems == []
    assert document.inferred.positive == positive
    said = [n for n in document.derivation.notes if "is read as positive" in n]
    assert len(said) == (1 if positive else 0)
    symbols = {s.name: s for s in document.derivation.lines[0].rhs_meaning.free_symbols}
    for name in positive:
        assert symbols[name].is_positive


def test_a_declared_or_defined_epsilon_is_not_inferred() -> None:
    text = "$$\\epsilon = 0$$\n\n$$z = \\sqrt{a + \\epsilon}$$\n"
    assert read_text(text, "doc.md").inferred.positive == set()


def test_a_positive_epsilon_proves_what_needs_it() -> None:
    # |σ² + ε| = σ² + ε needs σ² + ε ≥ 0: σ² is a mean of squares, ε the positive constant
    text = (
        "$$\\sigma^2 = \\frac{1}{m}\\sum_{i=1}^{m} x_i^2$$\n\n"
        "$$\\hat{x}_j = \\frac{x_j}{\\sqrt{\\sigma^2 + \\epsilon}}$$\n\n"
        "$$\\sqrt{(\\sigma^2 + \\epsilon)^2} = \\sqrt{\\sigma^2 + \\epsilon}^2$$\n"
    )
    assert verdict(text) in ("proved", "checked")
    # the same claim with ε also written as a plain term: any real number, and then it fails
    assert verdict(text.replace("^2$$", "^2 + \\epsilon - \\epsilon$$")) == "refuted"


RELU = (
    "$$\\operatorname{ReLU}(x) = \\begin{cases} x, & \\text{if } x > 0 \\\\ 0, & \\text{otherwise}"
    " \\end{cases}$$\n\n"
)


def test_cases_define_by_cases() -> None:
    from sympy import Function, Piecewise

    xs = Symbol("x", real=True)
    document = read_text(RELU, "doc.md")
    assert document.problems == []
    (line,) = document.derivation.lines
    assert line.lhs == Function("ReLU", real=True)(xs)
    assert line.rhs_meaning == Piecewise((xs, xs > 0), (0, True))


@pytest.mark.parametrize(
    ("claim", "wanted"),
    [
        (r"\operatorname{ReLU}(x) = \max(x, 0)", ("proved", "checked")),
        (r"\operatorname{ReLU}(x) - \operatorname{ReLU}(-x) = x", ("proved", "checked")),
        (r"\operatorname{ReLU}(x) = x", ("refuted",)),
        (r"\operatorname{ReLU}(x) = |x|", ("refuted",)),
    ],
)
def test_a_definition_by_cases_is_checked(claim: str, wanted: tuple[str, ...]) -> None:
    assert verdict(RELU + f"$${claim}$$\n") in wanted


def test_cases_in_an_aligned_block_and_without_otherwise() -> None:
    from sympy import Piecewise

    xs = Symbol("x", real=True)
    text = (
        "$$\\begin{aligned} f(x) &= \\begin{cases} x^2 & x \\ge 0 \\\\ -x & x < 0 \\end{cases} \\\\ "
        "g(x) &= \\begin{cases} 1 & x > 1 \\end{cases} \\end{aligned}$$\n"
    )
    document = read_text(text, "doc.md")
    assert document.problems == []
    first, second = document.derivation.lines
    assert first.rhs_meaning == Piecewise((xs**2, xs >= 0), (-xs, xs < 0))
    assert second.rhs_meaning == Piecewise((1, xs > 1))  # undefined where no case holds


@pytest.mark.parametrize(
    ("cases", "words"),
    [
        (r"x & 0 < x < 1 \\ 0 & \text{otherwise}", "one comparison"),
        (r"x & \text{otherwise} \\ 0 & x < 0", "the last case only"),
        (r"x \\ 0 & x < 0", "each case is a value & its condition"),
        (r"x & \text{when it rains}", "one comparison"),
    ],
)
def test_cases_that_are_not_read_are_refused_at_their_place(cases: str, words: str) -> None:
    found = problem(f"$$f(x) = \\begin{{cases}} {cases} \\end{{cases}}$$\n")
    assert words in found and found.startswith("doc.md:1:")
