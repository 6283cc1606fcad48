"""The reader takes what is written, not what SymPy makes of it (the red team's grammar findings).

Each construct here was read one way while TeX displays (or a reader sees) another: a left side
that SymPy reduces to a name taken as a definition, ``\\text{d}`` of a derivative taken as a
variable, ``2 3`` multiplied although it shows as 23, ``a_{i1}`` read as ``a_i``, a product nested
inside another, an empty script aborting the whole document, ``\\text{a}`` read as a name. Each is
now read faithfully or refused at its place. Ground truth is computed here, with plain Python
fractions and terms written out, never with symbn's own reading.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from symbn.check import check
from symbn.parse import read_text
from symbn.parse.document import Document


def read(rows: list[str]) -> Document:
    text = "# T\n\n" + "".join(f"$${row} \\tag{{{k + 1}}}$$\n\n" for k, row in enumerate(rows))
    return read_text(text, "t.md")


def verdicts(rows: list[str]) -> dict[str, str]:
    document = read(rows)
    assert document.problems == [], document.problems
    return {r.label: r.verdict.value for r in check(document.derivation, timeout=20.0)}


def refused(row: str, words: str, column: int) -> None:
    """``row`` (alone on line 3 of the document) is refused at ``column`` with ``words`` said."""
    document = read([row])
    assert document.derivation.lines == ()
    (problem,) = document.problems
    assert problem.startswith(f"t.md:3:{column}:"), problem
    assert words in problem, problem


# 1. A left side SymPy reduces to a name is a claim, never a definition ---------------------------

NOT_A_NAME = ["\\frac{2y}{2}", "1 \\cdot y", "y \\cdot 1", "y^{1}", "\\frac{y}{1}", "{1 \\cdot y}"]


@pytest.mark.parametrize("lhs", NOT_A_NAME)
def test_a_left_side_that_only_evaluates_to_a_name_does_not_define_it(lhs: str) -> None:
    # (1) claims y = 3 about an unknown y: it does not hold for every y, so (2) is not proved
    found = verdicts([f"{lhs} = 3", "y + 1 = 4"])
    assert found["1"] not in ("definition", "proved", "checked"), found
    assert found["2"] not in ("proved", "checked"), found


def test_a_name_written_alone_still_defines() -> None:
    assert 3 + 1 == 4  # the ground truth of (2) once y = 3
    assert verdicts(["y = 3", "y + 1 = 4"]) == {"1": "definition", "2": "proved"}
    assert verdicts(["{y} = 3", "y + 1 = 4"]) == {"1": "definition", "2": "proved"}


def test_a_function_applied_to_names_still_defines_but_not_behind_a_product() -> None:
    assert verdicts(["f(x) = x^2", "f(3) = 9"]) == {"1": "definition", "2": "proved"}
    for lhs in ("1 \\cdot f(x)", "f(x)^{1}"):
        found = verdicts([f"{lhs} = x", "f(2) = 2"])
        assert found["1"] != "definition" and found["2"] not in ("proved", "checked"), found


def test_a_coloneqq_before_a_left_side_that_is_not_a_name_is_refused() -> None:
    refused("\\frac{2y}{2} := 3", "defines a name written alone", 3)


def test_a_declared_power_name_still_defines() -> None:
    # \sigma^2 = … with \sigma never alone names \sigma^2 (README, "What is inferred")
    document = read(["\\sigma^2 = 4", "\\sigma^2 + 1 = 5"])
    assert document.problems == []
    assert document.derivation.lines[0].kind.value == "definition"


# 2. Derivatives with an upright d, and of higher order ----------------------------------------


def _second_difference(f, x: Fraction, h: Fraction = Fraction(1, 7)) -> Fraction:
    """(f(x+h) - 2f(x) + f(x-h)) / h²: exactly f'' for a cubic (its h² term is f''''/12 = 0)."""
    return (f(x + h) - 2 * f(x) + f(x - h)) / h**2


def _first_difference(f, x: Fraction, h: Fraction = Fraction(1, 5)) -> Fraction:
    """(f(x+h) - f(x-h)) / 2h: exactly f' for a quadratic."""
    return (f(x + h) - f(x - h)) / (2 * h)


def test_the_ground_truth_of_the_derivative_claims() -> None:
    for x in (Fraction(-2), Fraction(1, 3), Fraction(5)):
        assert _first_difference(lambda t: t**2, x) == 2 * x
        assert _second_difference(lambda t: t**3, x) == 6 * x
    assert _first_difference(lambda t: t**2, Fraction(1)) != 1  # d/dx x^2 = x is false at 1
    assert _second_difference(lambda t: t**3, Fraction(1)) != 3


TRUE_DERIVATIVES = [
    "\\frac{\\text{d}}{\\text{d}x} x^2 = 2x",
    "\\frac{\\mathrm{d}}{\\mathrm{d}x} x^2 = 2x",
    "\\frac{\\textrm{d}}{\\textrm{d} x} x^2 = 2x",
    "\\frac{d}{dx} x^2 = 2x",
    "\\frac{d^2}{dx^2} x^3 = 6x",
    "\\frac{d^{2}}{d x^{2}} x^3 = 6x",
    "\\frac{\\text{d}^2}{\\text{d}x^2} x^3 = 6x",
    "\\frac{\\partial^2}{\\partial x^2} x^3 = 6x",
]
FALSE_DERIVATIVES = [
    "\\frac{\\text{d}}{\\text{d}x} x^2 = x",
    "\\frac{\\mathrm{d}}{\\mathrm{d}x} x^2 = x",
    "\\frac{d^2}{dx^2} x^3 = 3x",
    "\\frac{d^2}{dx^2} x^3 = 3x^2",
]


@pytest.mark.parametrize("row", TRUE_DERIVATIVES)
def test_true_derivatives_hold(row: str) -> None:
    assert verdicts([row])["1"] in ("proved", "checked")


@pytest.mark.parametrize("row", FALSE_DERIVATIVES)
def test_false_derivatives_are_refuted(row: str) -> None:
    assert verdicts([row])["1"] == "refuted"


def test_a_mixed_partial_derivative() -> None:
    # ∂²/∂x∂y of x² y³ is 6 x y²: at (1, 2) it is 24, and (x+h)² y³ … written out
    def f(x: Fraction, y: Fraction) -> Fraction:
        return x**2 * y**3

    x, y, h = Fraction(1), Fraction(2), Fraction(1, 9)
    mixed = (f(x + h, y + h) - f(x + h, y - h) - f(x - h, y + h) + f(x - h, y - h)) / (4 * h * h)
    assert mixed == 6 * x * y**2 + Fraction(2) * h**2 * x  # the h² term of y³'s third derivative
    assert verdicts(["\\frac{\\partial^2}{\\partial x \\partial y} x^2 y^3 = 6 x y^2"])["1"] in (
        "proved",
        "checked",
    )
    assert verdicts(["\\frac{\\partial^2}{\\partial x \\partial y} x^2 y^3 = 3 x y^2"])["1"] == (
        "refuted"
    )


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("\\frac{d}{d} x = 1", 12),
        ("\\frac{d}{dx^2} x = 1", 3),
        ("\\frac{d^2}{dx} x = 1", 3),
        ("\\frac{d}{dx dy} x = 1", 3),
        ("\\frac{d}{\\partial x} x = 1", 12),
        ("\\frac{d^x}{dx^x} x = 1", 3),
    ],
)
def test_a_derivative_of_another_shape_is_refused_never_multiplied(row: str, column: int) -> None:
    refused(row, "\\frac{d^2", column)


def test_a_fraction_of_a_name_d_stays_a_fraction() -> None:
    document = read(["\\frac{d}{2} = 1", "\\frac{d^2}{4} = 1", "\\frac{d_1}{d x} = 1"])
    assert document.problems == []
    shown = [str(line.lhs_meaning) for line in document.derivation.lines]
    assert shown == ["d/2", "d**2/4", "d_1/(d*x)"]


# 3. Numbers side by side ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("2 3 = 6", 3),
        ("1.5 2 = 3", 3),
        ("1 000 = 1", 3),
        ("1\\,000 = 1000", 3),
        ("2~3 = 6", 3),
        ("2 3^2 = 18", 3),
        ("2 {3} = 6", 3),
        ("x 2 3 = 6x", 5),
    ],
)
def test_numbers_side_by_side_are_refused(row: str, column: int) -> None:
    refused(row, "\\cdot", column)


@pytest.mark.parametrize("row", ["2\\frac{1}{2} = 1", "2\\frac12 = 1"])
def test_a_number_before_a_numeric_fraction_is_refused(row: str) -> None:
    refused(row, "mixed number", 3)


def test_numbers_with_an_operator_between_them_read() -> None:
    assert 2 * 3 == 6 and Fraction(3, 2) * 2 == 3
    assert verdicts(
        ["2 \\cdot 3 = 6", "2(3) = 6", "1.5 \\times 2 = 3", "2 \\cdot \\frac{1}{2} = 1"]
    ) == {
        "1": "proved",
        "2": "proved",
        "3": "proved",
        "4": "proved",
    }


# 4. Subscripts of letters and digits -----------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("\\sum_{i=1}^{m} a_{i1} = \\sum_{i=1}^{m} a_{1i}", 21),
        ("y_{2k} - y_{k2} = 0", 15),
        ("x_{1k} = 1", 6),
        ("x_{i 1} = 1", 6),
        ("x_{k2+1} = 1", 6),
        ("x_{i1,2} = 1", 6),
        ("a^{(i1)} = 1", 7),
    ],
)
def test_letters_and_digits_run_together_in_a_subscript_are_refused(row: str, column: int) -> None:
    refused(row, "letters and digits run together", column)


@pytest.mark.parametrize(
    ("row", "column"),
    [("r_{0} - r_{00} = 0", 14), ("s_{01} - s_1 = 0", 6), ("x_{i,01} = 1", 8)],
)
def test_an_index_with_a_leading_zero_is_refused(row: str, column: int) -> None:
    refused(row, "leading zero", column)


def test_indices_written_as_such_read() -> None:
    document = read(["x_{2k+1} = 1", "x_{2(k+1)} = 2", "x_{10} = 3", "a_{i,1} = 4"])
    assert document.problems == []
    shown = [str(line.lhs_meaning) for line in document.derivation.lines]
    assert shown == ["x[2*k + 1]", "x[2*k + 2]", "x[10]", "a[i, 1]"]


def test_two_indices_in_either_order_are_two_entries() -> None:
    # a_{i,1} and a_{1,i} are different entries of a matrix: the difference is not 0
    found = verdicts(["a_{i,1} - a_{1,i} = 0"])
    assert found["1"] == "refuted"


# 5. The scope of big operators -----------------------------------------------------------------


def test_a_product_after_a_product_is_refused_not_nested() -> None:
    refused(
        "\\prod_{i=1}^{m} x_i \\prod_{j=1}^{m} y_j = \\prod_{i=1}^{m} x_i y_i",
        "\\left(\\prod_{i=1}^{m} x_i\\right)",
        23,
    )
    refused("\\prod_{i=1}^{m} x_i \\cdot \\prod_{j=1}^{m} y_j = 1", "does not use i", 29)
    refused("\\prod_{i=1}^{m} x_i \\prod_{i=1}^{m} y_i = 1", "does not use i", 23)
    refused("\\prod_{i=1}^{m} x_i \\frac{1}{\\prod_{j=1}^{m} y_j} = 1", "does not use i", 23)
    refused("\\prod_{i=1}^{m} x_i (\\sum_{j=1}^{m} y_j) = 1", "does not use i", 23)


def test_products_in_parentheses_read_as_the_product_of_the_two() -> None:
    xs, ys = (
        [Fraction(2), Fraction(-3, 5), Fraction(7, 2)],
        [Fraction(1, 3), Fraction(4), Fraction(-1)],
    )
    left = xs[0] * xs[1] * xs[2] * ys[0] * ys[1] * ys[2]
    right = Fraction(1)
    for x, y in zip(xs, ys, strict=True):
        right *= x * y
    assert left == right
    row = "\\left(\\prod_{i=1}^{3} x_i\\right) \\prod_{j=1}^{3} y_j = \\prod_{i=1}^{3} x_i y_i"
    assert verdicts([row])["1"] in ("proved", "checked")


def test_an_inner_operator_that_uses_the_index_stays_inside() -> None:
    document = read(["\\prod_{i=1}^{m} x_i \\sum_{j=1}^{m} y_{ij} = 1"])
    assert document.problems == []
    (line,) = document.derivation.lines
    assert str(line.lhs_meaning) == "Product(x[i]*Sum(y[i, j], (j, 1, m)), (i, 1, m))"


def test_a_sum_after_a_sum_is_the_product_of_the_two_sums() -> None:
    xs, ys = (
        [Fraction(2), Fraction(-3, 5), Fraction(7, 2)],
        [Fraction(1, 3), Fraction(4), Fraction(-1)],
    )
    assert sum(xs) * sum(ys) == sum(x * y for x, y in itertools.product(xs, ys))
    found = verdicts(
        [
            "\\sum_{i=1}^{3} x_i \\sum_{j=1}^{3} y_j = (x_1 + x_2 + x_3)(y_1 + y_2 + y_3)",
            "\\sum_{i=1}^{3} x_i \\sum_{i=1}^{3} y_i = \\sum_{i=1}^{3}\\sum_{j=1}^{3} x_i y_j",
        ]
    )
    assert set(found.values()) <= {"proved", "checked"}, found


# 6. An empty script is one row's problem ------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("x^{} = 1", 4),
        ("e^{} = 1", 4),
        ("x^{\\,} = 1", 4),
        ("x_{} = 1", 4),
        ("\\sum_{}^{} x = 1", 7),
        ("\\sum_{i=1}^{} x_i = 1", 13),
        ("x^{a=b} = 1", 7),
    ],
)
def test_an_empty_script_is_a_located_problem_and_the_other_rows_are_checked(
    row: str, column: int
) -> None:
    document = read([row, "y = 2", "y + 1 = 3"])
    (problem,) = document.problems
    assert problem.startswith(f"t.md:3:{column}:"), problem
    found = {r.label: r.verdict.value for r in check(document.derivation, timeout=20.0)}
    assert found == {"2": "definition", "3": "proved"}


# 7. \text inside the mathematics ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("x = \\frac{\\text{a}}{2}", 13),
        ("x = {\\textrm{c}^2}", 8),
        ("x = {\\text{softmax}(y)}", 8),
        ("x = \\frac{\\text{d}}{2}", 13),
    ],
)
def test_text_inside_the_mathematics_is_refused(row: str, column: int) -> None:
    refused(row, "is text inside the mathematics", column)


def test_math_fonts_and_text_labels_still_read() -> None:
    document = read(["x_{\\text{max}} = 1", "z = \\mathrm{a}", "\\operatorname{f}(t) = t"])
    assert document.problems == []
    shown = [str(line.lhs_meaning) for line in document.derivation.lines]
    assert shown == ["x_{max}", "z", "f(t)"]


def test_a_declared_unit_takes_one_letter_per_index_and_no_digits() -> None:
    text = (
        '# T\n\n<!-- symbn: units = ["W"] -->\n\n$$ W_{j1} = 1 \\tag{1}$$\n\n'
        "$$ W_{2k} = 1 \\tag{2}$$\n\n$$ W_{jk} = 1 \\tag{3}$$\n"
    )
    document = read_text(text, "t.md")
    assert [p.split(": ")[0] for p in document.problems] == ["t.md:5:7", "t.md:7:7"]
    assert [str(line.lhs_meaning) for line in document.derivation.lines] == ["W[j, k]"]
