"""Red-team regressions: claims a hostile-but-fair user tried, each with ground truth computed here.

Every case states its truth from a plain evaluation that shares nothing with the checker (Python
``Fraction`` arithmetic, terms written out), then asserts the checker's verdict is consistent with
it: a true claim is never refuted, a false one never proved or checked. See REDTEAM.md.
"""

from __future__ import annotations

import math
from fractions import Fraction
from math import comb
from typing import Any

import pytest
from sympy import (
    Abs,
    Derivative,
    Eq,
    Float,
    Function,
    Heaviside,
    KroneckerDelta,
    Max,
    Min,
    Mul,
    Piecewise,
    Rational,
    Subs,
    Sum,
    Symbol,
    binomial,
    cos,
    floor,
    pi,
)

import symbn
from symbn import Verdict

ACCEPTED = (Verdict.PROVED, Verdict.CHECKED)


def _last(d: symbn.Derivation, seed: int = 0) -> symbn.StepResult:
    return d.check(timeout=5.0, seed=seed).results[-1]


# A power whose exponent is a symbol that is an integer at the point ((-1)^m, (-1)^i) -------------

m = symbn.size("m")
i = symbn.index("i", m)
x = symbn.examples("x")
c = symbn.symbols("c")
q = Symbol("q", integer=True)


def test_truth_of_the_alternating_sums() -> None:
    for size in range(1, 12):
        assert sum(Fraction(-1) ** t for t in range(1, 2 * size + 1)) == 0
        assert sum(Fraction(-1) ** t * comb(size, t) for t in range(0, size + 1)) == 0
        assert sum(Fraction(2) ** t for t in range(1, size + 1)) == 2 ** (size + 1) - 2
    # (-1)^m c = -c is false at m = 2, c = 1: 1 against -1; true at m = 1.
    assert Fraction(-1) ** 2 * 1 != -1 and Fraction(-1) ** 1 * 1 == -1


@pytest.mark.parametrize("seed", [0, 1])
def test_alternating_sum_over_2m_is_not_refuted(seed: int) -> None:
    d = symbn.Derivation("alternating")
    d.step(Sum((-1) ** q, (q, 1, 2 * m)), 0)
    assert _last(d, seed).verdict in ACCEPTED


def test_alternating_binomial_sum_is_not_refuted() -> None:
    d = symbn.Derivation("alternating binomial")
    d.step(Sum((-1) ** q * binomial(m, q), (q, 0, m)), 0)
    assert _last(d).verdict in ACCEPTED


def test_geometric_sum_is_decided_exactly() -> None:
    d = symbn.Derivation("geometric")
    d.step(Sum(2**i, (i, 1, m)), 2 ** (m + 1) - 2)
    assert _last(d).verdict in ACCEPTED
    wrong = symbn.Derivation("geometric, off by one")
    wrong.step(Sum(2**i, (i, 1, m)), 2 ** (m + 1) - 1)
    assert _last(wrong).verdict is Verdict.REFUTED


def test_cos_pi_m_is_minus_one_to_the_m() -> None:
    d = symbn.Derivation("cos pi m")
    d.step((-1) ** m * c + c, c * (cos(pi * m) + 1))
    assert _last(d).verdict in ACCEPTED


def test_sign_flip_is_refuted_where_the_sides_really_differ() -> None:
    d = symbn.Derivation("sign flip")
    d.step((-1) ** m * c, -c)
    result = _last(d)
    assert result.verdict is Verdict.REFUTED
    point = dict(result.counterexample.assignment)
    size, value = int(point["m"]), Fraction(point["c"])
    assert Fraction(-1) ** size * value != -value, point


def test_alternating_family_sum_false_variant_refuted() -> None:
    d = symbn.Derivation("alternating family")
    d.step(Sum((-1) ** i * x[i], (i, 1, m)), Sum(x[i], (i, 1, m)))
    assert _last(d).verdict is Verdict.REFUTED


# A kink beside an assumption's bound, closer than the offset "just beside a turn" -------------

y = symbn.symbols("y")


def _narrow_truth(gap: Fraction) -> None:
    # x = 1 + 3/2·gap satisfies x > 1 + gap; |x − 1 − 2·gap| = gap/2 but x − 1 − 2·gap = −gap/2.
    point = 1 + Fraction(3, 2) * gap
    assert point > 1 + gap
    assert abs(point - 1 - 2 * gap) == gap / 2 and point - 1 - 2 * gap == -gap / 2


@pytest.mark.parametrize("digits", [30, 55])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_abs_kink_beside_an_assumption_bound_is_refuted(digits: int, seed: int) -> None:
    gap = Rational(1, 10**digits)
    _narrow_truth(Fraction(1, 10**digits))
    d = symbn.Derivation("narrow")
    d.assume(y > 1 + gap)
    d.step(Abs(y - 1 - 2 * gap), y - 1 - 2 * gap)
    assert _last(d, seed).verdict is Verdict.REFUTED


@pytest.mark.parametrize("seed", [0, 1])
def test_max_kink_beside_an_assumption_bound_is_refuted(seed: int) -> None:
    gap = Rational(1, 10**40)
    # y = 3/2·gap: Max(y, 2·gap) = 2·gap, not y.
    tiny = Fraction(1, 10**40)
    assert max(Fraction(3, 2) * tiny, 2 * tiny) != Fraction(3, 2) * tiny
    d = symbn.Derivation("narrow max")
    d.assume(y > gap)
    d.step(Max(y, 2 * gap), y)
    assert _last(d, seed).verdict is Verdict.REFUTED


def test_the_true_variant_beside_the_bound_is_not_refuted() -> None:
    gap = Rational(1, 10**30)
    d = symbn.Derivation("narrow, true")
    d.assume(y > 1 + 2 * gap)
    d.step(Abs(y - 1 - 2 * gap), y - 1 - 2 * gap)
    assert _last(d).verdict in ACCEPTED


# Contradictory assumptions: undecided with the reason, never a vacuous "proved" ------------------


@pytest.mark.parametrize(
    "contradiction",
    [lambda: (y > 0, y < 0), lambda: (Eq(y, 1), Eq(y, 2)), lambda: (y >= 0, y < 0)],
    ids=["positive-and-negative", "one-and-two", "nonnegative-and-negative"],
)
@pytest.mark.parametrize("truth", [True, False])
def test_contradictory_assumptions_are_undecided_and_say_so(contradiction: Any, truth: bool) -> None:
    d = symbn.Derivation("vacuous")
    d.step(y + 1, y + 1 if truth else y + 2)
    d.assume(*contradiction())
    result = _last(d)
    assert result.verdict is Verdict.UNDECIDED
    assert "contradict each other" in result.reason, result.reason


def test_an_assumption_sympy_finds_false_says_so() -> None:
    d = symbn.Derivation("vacuous")
    d.step(y + 1, y + 2)
    with pytest.raises(symbn.DerivationError, match="false for every value"):
        d.assume(y**2 < 0)


def test_a_contradiction_that_appears_with_the_definitions_is_undecided() -> None:
    t = symbn.symbols("t")
    d = symbn.Derivation("vacuous through a definition")
    d.define(t, y**2 + 1)
    d.step(y + 1, y + 2)  # false: 1 ≠ 2 at every y
    d.assume(t < 0)  # y² + 1 < 0 holds for no real y
    result = _last(d)
    assert result.verdict is Verdict.UNDECIDED
    assert "contradict" in result.reason


def test_compatible_sign_facts_still_bind() -> None:
    d = symbn.Derivation("compatible")
    d.step(Abs(y), y)
    d.assume(y > 0, y >= 0)
    assert _last(d).verdict in ACCEPTED


# Derivatives of an unknown function: the normal form must not take the same derivative forever --

f, g = Function("f"), Function("g")
u = symbn.symbols("u")


def test_truth_of_the_unknown_function_cases() -> None:
    # f(t) = t³ makes f'(x) = 3x² and f'(y) = 3y² differ at x = 1, y = 2.
    assert 3 * Fraction(1) ** 2 != 3 * Fraction(2) ** 2
    # f(t) = t²: d/dx f(2x) = 8x, but f'(2x) = 4x; at x = 1, 8 ≠ 4.
    assert 8 * Fraction(1) != 4 * Fraction(1)


def test_derivatives_at_different_points_are_refuted() -> None:
    d = symbn.Derivation("f' at x and y")
    d.step(Derivative(f(y), y), Derivative(f(u), u))
    result = _last(d)
    assert result.verdict is Verdict.REFUTED, result.reason


def test_a_missing_inner_derivative_is_refuted() -> None:
    d = symbn.Derivation("chain rule without the inner factor")
    d.step(Derivative(f(2 * y), y), Subs(Derivative(f(u), u), u, 2 * y))
    assert _last(d).verdict is Verdict.REFUTED


def test_the_chain_rule_is_accepted() -> None:
    d = symbn.Derivation("chain rule")
    d.step(Derivative(f(g(y)), y), Subs(Derivative(f(u), u), u, g(y)) * Derivative(g(y), y))
    assert _last(d).verdict in ACCEPTED
    wrong = symbn.Derivation("chain rule at the wrong point")
    wrong.step(Derivative(f(g(y)), y), Derivative(f(y), y) * Derivative(g(y), y))
    assert _last(wrong).verdict is Verdict.REFUTED


# The reader: a built-in function's power, an argument without parentheses, the constant π -------


def _document(text: str) -> Any:
    from symbn.parse import read_text

    return read_text(text, "notes.md")


def _verdicts(text: str) -> list[Verdict]:
    document = _document(text)
    assert document.problems == [], document.problems
    report = document.derivation.check(timeout=5.0, seed=0)
    return [r.verdict for r in report.results if r.verdict is not Verdict.DEFINITION]


def test_truth_of_the_function_power_cases() -> None:
    import math

    # tanh(1)² ≈ 0.580 but tanh(1²) ≈ 0.762; (e¹)² ≈ 7.39 but e^(1²) ≈ 2.72.
    assert abs(math.tanh(1) ** 2 - math.tanh(1)) > 0.1
    assert abs(math.exp(1) ** 2 - math.exp(1)) > 1


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        (r"$$ \tanh(w)^2 + 1 = 1 + \tanh(w^2) \tag{1} $$", False),
        (r"$$ \exp(z)^2 = \exp(z^2) \tag{1} $$", False),
        (r"$$ \exp(z)^2 = \exp(2 z) \tag{1} $$", True),
        (r"$$ \sin(x)^2 + \cos(x)^2 = 1 \tag{1} $$", True),
        (r"$$ \log(y)^2 = \log(y) \cdot \log(y) \tag{1} $$", True),
    ],
)
def test_a_power_after_a_parenthesised_argument_is_a_power_of_the_value(
    text: str, holds: bool
) -> None:
    (verdict,) = _verdicts(text)
    if holds:
        assert verdict in ACCEPTED
    else:
        assert verdict is Verdict.REFUTED


@pytest.mark.parametrize(
    "text",
    [
        r"$$ \sin 2x = 2 \sin(x) \cos(x) \tag{1} $$",
        r"$$ \log 2k = \log(2) + \log(k) \tag{1} $$",
        r"$$ L = \log \sigma(z) \tag{1} $$",
        r"$$ N = \exp u v \tag{1} $$",
    ],
)
def test_an_argument_without_parentheses_followed_by_a_factor_is_refused(text: str) -> None:
    document = _document(text)
    assert document.problems, "read silently"
    assert any("applies to" in str(problem) for problem in document.problems)


@pytest.mark.parametrize(
    "text",
    [
        r"$$ \sin x \cos x = \frac{\sin(2 x)}{2} \tag{1} $$",
        r"$$ 2 \sin x = \sin(x) + \sin(x) \tag{1} $$",
        r"$$ \log \hat{y} + \log y = \log(\hat{y} y) + 0 \cdot y \tag{1} $$",
    ],
)
def test_unambiguous_arguments_without_parentheses_are_still_read(text: str) -> None:
    document = _document(text)
    assert document.problems == []


def test_pi_is_the_constant() -> None:
    assert _verdicts(r"$$ \sin(\pi) + \cos(\pi) = -1 \tag{1} $$") == [Verdict.PROVED]
    # 355/113 − π ≈ 2.7·10⁻⁷: a comparison of an irrational against a close rational
    assert _verdicts(r"$$ \frac{355}{113} = \pi \tag{1} $$") == [Verdict.REFUTED]
    assert _verdicts(r"$$ \cos(2 \pi x) = \cos(2 \pi x + 2 \pi) \tag{1} $$")[0] is not Verdict.REFUTED


def test_pi_made_a_quantity_by_the_document_is_a_name() -> None:
    document = _document("$$ \\pi = a + b \\tag{1} $$\n\n$$ 2 \\pi = 2 a + 2 b \\tag{2} $$\n")
    assert document.problems == []
    report = document.derivation.check(timeout=5.0, seed=0)
    assert [r.verdict for r in report.results] == [Verdict.DEFINITION, Verdict.PROVED]


# A piece of a sum that turns at a size given by the claim's constants ---------------------------

n = symbn.size("n")


def _delta_sum_truth(size: int, at: int) -> int:
    return sum(1 if t == at else 0 for t in range(1, size + 1))


def test_truth_of_the_turning_sums() -> None:
    assert _delta_sum_truth(999, 1000) == 0 and _delta_sum_truth(1000, 1000) == 1
    assert sum(max(t - 450, 0) for t in range(1, 451)) == 0
    assert sum(max(t - 450, 0) for t in range(1, 452)) == 1
    assert sum(t // 700 for t in range(1, 700)) == 0 and sum(t // 700 for t in range(1, 701)) == 1


@pytest.mark.parametrize(
    "claim",
    [
        lambda: (Sum(KroneckerDelta(i, 1000) * c, (i, 1, m)), 0),
        lambda: (Sum(Max(i - 450, 0), (i, 1, m)) * c, 0),
        lambda: (Sum(floor(i / 700) * c, (i, 1, m)), 0),
        lambda: (Sum(Heaviside(i - Rational(901, 2)) * x[i], (i, 1, m)), 0),
        lambda: (Sum(KroneckerDelta(i, n + 500) * c, (i, 1, m)), 0),
    ],
    ids=["delta-1000", "max-450", "floor-700", "heaviside-450.5", "delta-n-500"],
)
def test_a_sum_that_turns_at_a_size_below_the_term_limit_is_refuted(claim: Any) -> None:
    d = symbn.Derivation("turns late")
    d.step(*claim())
    assert _last(d).verdict is Verdict.REFUTED


def test_a_sum_that_turns_beyond_every_size_tried_is_not_checked() -> None:
    # δ_{i,100000} never fires for m ≤ 99 999, and a trial adds at most 20 000 terms.
    d = symbn.Derivation("turns too late to see")
    d.step(Sum(KroneckerDelta(i, 10**5) * c, (i, 1, m)), 0)
    result = _last(d)
    assert result.verdict is Verdict.UNDECIDED
    assert "beyond every size" in result.reason


def test_the_true_turning_sum_is_not_refuted() -> None:
    for size in (999, 1000, 1001):
        assert _delta_sum_truth(size, 1000) == (1 if size >= 1000 else 0)
    d = symbn.Derivation("turns late, true")
    d.step(Sum(KroneckerDelta(i, 1000) * c, (i, 1, m)), Piecewise((c, m >= 1000), (0, True)))
    assert _last(d).verdict in ACCEPTED


# Floats: their binary value is not the decimal they show ----------------------------------------


def test_truth_of_the_float_cases() -> None:
    # 0.1 + 0.2 = 0.3 in decimals; the doubles differ: 0.1 is 3602879701896397/2**55.
    assert Fraction("0.1") + Fraction("0.2") == Fraction("0.3")
    assert Fraction(0.1) + Fraction(0.2) != Fraction(0.3)
    assert Fraction(0.5) == Fraction(1, 2) and Fraction(0.25) == Fraction(1, 4)


def test_inexact_floats_are_not_refuted_for_their_binary_value() -> None:
    d = symbn.Derivation("0.1 + 0.2")
    d.step(y + Float(0.1) + Float(0.2), y + Float(0.3))
    result = _last(d)
    assert result.verdict is Verdict.UNDECIDED
    assert "Rational('0.3')" in result.reason or "Rational('0.1')" in result.reason


def test_a_tiny_float_is_never_proved_away() -> None:
    d = symbn.Derivation("1e-20")
    d.step(Float("1e-20") * y, 0)
    assert _last(d).verdict not in ACCEPTED


def test_exact_floats_are_still_decided() -> None:
    d = symbn.Derivation("exact floats")
    d.step(y + Float("0.5"), y + Rational(1, 2))
    assert _last(d).verdict is Verdict.PROVED
    wrong = symbn.Derivation("exact floats, false")
    wrong.step(y * Float(0.25) + 1, y / 4)
    assert _last(wrong).verdict is Verdict.REFUTED


# A remainder with a factor in the sizes alone that vanishes at every size a trial can afford ------

j_ = symbn.index("j", m)
k_ = symbn.index("k", m)


def test_truth_of_the_blind_size_factor() -> None:
    # At m = 31 with every x = 1 the triple sum is 31³ and (m−1)…(m−30) = 30!, so the product ≠ 0.
    product = 1
    for t in range(1, 31):
        product *= 31 - t
    assert product == math.factorial(30) and 31**3 * product != 0
    assert comb(30, 30) == 1  # binomial(m − 1, 30) ≠ 0 at m = 31


@pytest.mark.parametrize(
    "factor",
    [
        lambda: Mul(*[(m - t) for t in range(1, 31)]),
        lambda: binomial(m - 1, 30),
    ],
    ids=["product-of-30-roots", "binomial"],
)
def test_a_claim_false_only_past_the_affordable_sizes_is_not_checked(factor: Any) -> None:
    d = symbn.Derivation("blind sizes")
    d.step(Sum(x[i] * x[j_] * x[k_], (i, 1, m), (j_, 1, m), (k_, 1, m)) * factor(), 0)
    result = _last(d)
    assert result.verdict not in ACCEPTED, result.reason


def test_a_size_factor_that_is_informative_still_allows_checked() -> None:
    # (m + 1)·Σ i = (m + 1)·m(m+1)/2: true; the size factor m + 1 is never 0.
    for size in range(1, 20):
        assert (size + 1) * sum(range(1, size + 1)) == (size + 1) * size * (size + 1) // 2
    d = symbn.Derivation("informative size factor")
    d.step((m + 1) * Sum(i, (i, 1, m)), (m + 1) * m * (m + 1) / 2)
    assert _last(d).verdict in ACCEPTED


def test_a_claim_about_the_sizes_alone_is_tested_at_each_size() -> None:
    # min(30, m) + max(0, m − 30) = m for every m: the remainder is size-only and 0 everywhere.
    assert all(min(30, s) + max(0, s - 30) == s for s in range(1, 200))
    d = symbn.Derivation("sizes alone")
    d.step(Min(30, m) + Max(0, m - 30), m)
    assert _last(d).verdict in ACCEPTED


def test_a_size_factor_that_is_zero_as_written_does_not_block_checked() -> None:
    # 1/(n+1) − 1/n + 1/(n(n+1)) = 0 for every n (common denominator n(n+1): n − (n+1) + 1).
    assert all(
        Fraction(1, s + 1) - Fraction(1, s) + Fraction(1, s * (s + 1)) == 0 for s in range(1, 500)
    )
    d = symbn.Derivation("zero factor as written")
    d.step(Sum(x[i], (i, 1, m)) * (1 / (m + 1) - 1 / m + 1 / (m * (m + 1))) + c, c)
    assert _last(d).verdict in ACCEPTED


def test_an_index_inside_an_entry_does_not_make_a_piece_turn_with_the_size() -> None:
    # max(a, t) − min(a, t) = |a − t| for each term, whatever m: a true claim, checked as before.
    tiny = Fraction(1, 10**9)
    assert all(max(a, tiny) - min(a, tiny) == abs(a - tiny) for a in (Fraction(-3), tiny, Fraction(2)))
    t = Rational(1, 10**9)
    d = symbn.Derivation("entries, not sizes")
    d.step(Sum(Max(x[i], t) - Min(x[i], t), (i, 1, m)), Sum(Abs(x[i] - t), (i, 1, m)))
    assert _last(d).verdict in ACCEPTED
