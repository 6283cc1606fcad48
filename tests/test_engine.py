"""The engine features the normalization family needs, each accepting what is true and rejecting what is false.

Multi-index and nested sums, ``≠`` claims, assumptions (in the symbolic and the numeric layer), and
differentiation with respect to an indexed element (Kronecker deltas).
"""

from __future__ import annotations

from typing import Any

import pytest
from sympy import (
    Abs,
    Derivative,
    Eq,
    I,
    KroneckerDelta,
    Max,
    Sum,
    Symbol,
    atan,
    cos,
    pi,
    sign,
    sin,
    sqrt,
)

import symbn
from symbn.check import Verdict
from symbn.normal import normal_form

m, H, n = symbn.size("m"), symbn.size("H"), symbn.size("n")
i, t = symbn.index("i", m), symbn.index("t", m)
h, u = symbn.index("h", H), symbn.index("u", H)
j, p, r = symbn.index("j", n), symbn.index("p", n), symbn.index("r", n)
x = symbn.examples("x")
a, b, f = symbn.units("a"), symbn.units("b"), symbn.units("f")
alpha, y = symbn.symbols("alpha y")
eps0 = symbn.symbols("epsilon_0")


def verdict(lhs: Any, rhs: Any, *assumptions: Any, differs: bool = False) -> Verdict:
    """The verdict on one claim ``lhs = rhs`` (or ``≠``) under ``assumptions``."""
    d = symbn.Derivation("engine test", name="engine-test").assume(*assumptions)
    d = d.differs(lhs, rhs, label="1") if differs else d.step(lhs, rhs, label="1")
    return d.check()["1"].verdict


def over(body: Any, *limits: Any) -> Sum:
    return Sum(body, *reversed(limits))


# Sums over several indices, and nested sums with different index names ------------------------

TRUE_SUMS = {
    "multi-index mean deviation": (
        over(x[h, i] - over(x[u, t], (t, 1, m), (u, 1, H)) / (m * H), (i, 1, m), (h, 1, H)),
        0,
    ),
    "exchange of two sums": (
        over(x[h, i], (i, 1, m), (h, 1, H)),
        over(x[h, i], (h, 1, H), (i, 1, m)),
    ),
    "nested sums merged": (
        Sum(Sum(x[h, i], (h, 1, H)), (i, 1, m)),
        over(x[u, t], (t, 1, m), (u, 1, H)),
    ),
    "inner and outer index names differ": (
        Sum(x[i] - Sum(x[t], (t, 1, m)) / m, (i, 1, m)),
        0,
    ),
    "index-free body of a double sum": (over(y, (i, 1, m), (h, 1, H)), m * H * y),
    "factor pulled out of a double sum": (
        over(y * x[h, i], (i, 1, m), (h, 1, H)),
        y * over(x[h, i], (i, 1, m), (h, 1, H)),
    ),
}

FALSE_SUMS = {
    "one bound short": (
        over(x[h, i], (i, 1, m), (h, 1, H)),
        over(x[h, i], (i, 1, m), (h, 1, H - 1)),
    ),
    "indices swapped in the body": (
        over(x[h, i], (i, 1, m), (h, 1, H)),
        over(x[i, h], (i, 1, m), (h, 1, H)),
    ),
    "count of a double sum": (over(y, (i, 1, m), (h, 1, H)), m * y),
    "squared deviations do not sum to 0": (
        Sum((x[i] - Sum(x[t], (t, 1, m)) / m) ** 2, (i, 1, m)),
        0,
    ),
    "an inner body on the outer index is not a product of sums": (
        Sum(x[i] * Sum(x[i], (t, 1, m)), (i, 1, m)),
        Sum(x[i], (i, 1, m)) ** 2,
    ),
}


@pytest.mark.parametrize("name", TRUE_SUMS)
def test_true_sum_identities_are_proved(name: str) -> None:
    lhs, rhs = TRUE_SUMS[name]
    assert verdict(lhs, rhs) is Verdict.PROVED


@pytest.mark.parametrize("name", FALSE_SUMS)
def test_false_sum_identities_are_refuted(name: str) -> None:
    lhs, rhs = FALSE_SUMS[name]
    assert verdict(lhs, rhs) is Verdict.REFUTED


# ≠ claims --------------------------------------------------------------------------------------


def test_a_difference_is_proved_by_a_counterexample_that_really_differs() -> None:
    d = symbn.Derivation("t", name="t").differs(x[i] + 1, x[i], label="1")
    result = d.check()["1"]
    assert result.verdict is Verdict.PROVED
    assert result.counterexample is not None and result.counterexample.difference == "1"


def test_a_difference_claim_between_equal_sides_is_refuted() -> None:
    lhs = Sum(2 * (x[i] + 1), (i, 1, m))
    assert verdict(lhs, 2 * Sum(x[i], (i, 1, m)) + 2 * m, differs=True) is Verdict.REFUTED


def test_a_difference_nobody_can_exhibit_stays_undecided() -> None:
    # Equal wherever defined, but neither the normal form nor simplify() sees it, and the trials
    # meet transcendental values, which agree to every digit but cannot be decided exactly.
    assert verdict(atan(y) + atan(1 / y), pi / 2 * sign(y), differs=True) is Verdict.UNDECIDED


def test_a_difference_claim_that_simplify_shows_equal_is_refuted() -> None:
    assert verdict(sin(y) ** 2 + cos(y) ** 2, 1, differs=True) is Verdict.REFUTED


def test_sides_equal_wherever_both_are_defined_do_not_differ() -> None:
    # (y² − 1)/(y − 1) is y + 1 at every y where it is defined: no witness of a difference exists.
    assert verdict((y**2 - 1) / (y - 1), y + 1, differs=True) is Verdict.REFUTED


def test_an_equality_that_fails_where_one_side_is_undefined_is_refuted_there() -> None:
    d = symbn.Derivation("t", name="t").step((y**2 - 1) / (y - 1), y + 1, label="1")
    result = d.check()["1"]
    assert result.verdict is Verdict.REFUTED
    assert result.counterexample is not None
    assert dict(result.counterexample.assignment)[str(y)] == "1"
    assert "left side is undefined" in result.reason


def test_a_derivation_with_a_proved_difference_holds() -> None:
    d = symbn.Derivation("t", name="t").differs(y, y + 1, label="1").step(y, y, label="2")
    assert d.check().ok


# Assumptions -----------------------------------------------------------------------------------


def test_positivity_is_used_symbolically() -> None:
    assert verdict(sqrt(alpha**2), alpha, alpha > 0) is Verdict.PROVED
    assert verdict(sqrt(alpha**2), alpha) is Verdict.REFUTED
    assert verdict(sqrt(alpha**2), -alpha, alpha > 0) is Verdict.REFUTED


def test_an_equality_assumption_is_substituted() -> None:
    assert verdict(y / sqrt(y**2 + eps0), y / Abs(y), Eq(eps0, 0)) is Verdict.PROVED
    assert verdict(y / sqrt(y**2 + eps0), y / Abs(y), eps0 > 0) is Verdict.REFUTED


def test_numeric_samples_stay_inside_the_assumptions() -> None:
    assert verdict(Abs(y - 1), y - 1, y > 1) is Verdict.CHECKED
    assert verdict(Abs(y - 1), y - 1) is Verdict.REFUTED
    assert verdict(Max(m, 2), m, m >= 2) is Verdict.CHECKED
    assert verdict(Max(m, 2), m) is Verdict.REFUTED


def test_an_integer_keeps_its_nature_under_a_positivity_assumption() -> None:
    k = Symbol("k", integer=True)
    assert verdict(Sum(y, (i, 1, k)), k * y, k > 0) is Verdict.PROVED


def test_contradictory_assumptions_prove_nothing() -> None:
    assert verdict(y, y + 1, y > 0, y < 0) is Verdict.UNDECIDED
    assert verdict(y, y, y > 0, y < 0) is Verdict.UNDECIDED


# Differentiation with respect to an indexed element ----------------------------------------------

TRUE_DERIVATIVES = {
    "d b_j / d b_r is a Kronecker delta": (Derivative(b[j], b[r]), KroneckerDelta(j, r)),
    "a sum collapses on its delta": (Derivative(Sum(b[p] ** 2, (p, 1, n)), b[r]), 2 * b[r]),
    "centred values do not depend on a shared shift": (
        Derivative(b[j] - Sum(b[p], (p, 1, n)) / n, b[r]),
        KroneckerDelta(j, r) - 1 / n,
    ),
    "a weight matrix row": (Derivative(Sum(a[j, p] * b[p], (p, 1, n)), b[r]), a[j, r]),
}

FALSE_DERIVATIVES = {
    "d b_j / d b_r is not 0": (Derivative(b[j], b[r]), 0),
    "d b_j / d b_r is not 1": (Derivative(b[j], b[r]), 1),
    "the wrong column": (Derivative(Sum(a[j, p] * b[p], (p, 1, n)), b[r]), a[r, j]),
    "a shifted delta does not collapse to the same entry": (
        Sum(KroneckerDelta(r, p + 1) * f[p], (p, 1, n)),
        f[r],
    ),
    "a delta outside the summation range": (Sum(KroneckerDelta(r, p) * f[p], (p, 1, n - 1)), f[r]),
}


@pytest.mark.parametrize("name", TRUE_DERIVATIVES)
def test_true_indexed_derivatives_are_proved(name: str) -> None:
    lhs, rhs = TRUE_DERIVATIVES[name]
    assert verdict(lhs, rhs) is Verdict.PROVED


@pytest.mark.parametrize("name", FALSE_DERIVATIVES)
def test_false_indexed_derivatives_are_refuted(name: str) -> None:
    lhs, rhs = FALSE_DERIVATIVES[name]
    assert verdict(lhs, rhs) is Verdict.REFUTED


def test_a_delta_is_only_collapsed_where_that_is_an_identity() -> None:
    shifted = normal_form(Sum(KroneckerDelta(r, p + 1) * f[p], (p, 1, n)))
    assert shifted.has(KroneckerDelta)
    short = normal_form(Sum(KroneckerDelta(r, p) * f[p], (p, 1, n - 1)))
    assert short.has(KroneckerDelta)


# Powers of sums ----------------------------------------------------------------------------------


def test_a_sum_under_a_power_has_one_normal_form_however_it_is_written() -> None:
    s = Sum(x[i] ** 2, (i, 1, m))
    assert verdict(1 / (m * (y + s / m)), 1 / (m * y + s)) is Verdict.PROVED
    assert verdict(sqrt(y**2 * (1 + s)), Abs(y) * sqrt(1 + s)) is Verdict.PROVED


def test_a_negative_factor_is_never_taken_out_of_a_root() -> None:
    # √(−(1 + y²)) is not √(−1)·√(1 + y²) = i·√(1 + y²) as a rewrite of real expressions.
    assert not normal_form(sqrt(-1 - y**2)).has(I)
    assert not normal_form(1 / sqrt(-2 * y - 2)).has(I)
    assert verdict(sqrt(y**2 * (1 + y**2)), y * sqrt(1 + y**2)) is Verdict.REFUTED


def test_an_assumption_the_symbols_already_imply_is_accepted() -> None:
    d = symbn.Derivation("t", name="t").assume(m >= 1, alpha > 0)
    assert [str(a) for a in d.assumptions] == ["alpha > 0"]


def test_an_assumption_against_the_symbols_is_an_error() -> None:
    with pytest.raises(symbn.DerivationError, match="contradicts"):
        symbn.Derivation("t", name="t").assume(m < 1)
    with pytest.raises(symbn.DerivationError, match="relations"):
        symbn.Derivation("t", name="t").assume(y)
