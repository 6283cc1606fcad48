"""The evaluator: exact where values are rational, certified intervals elsewhere, never a tolerance.

Ground truth comes from SymPy's own exact numbers or from Python's ``fractions``, not from symbn.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import (
    Abs,
    I,
    Integer,
    KroneckerDelta,
    Max,
    Rational,
    Symbol,
    exp,
    log,
    sqrt,
)

from symbn.evaluate import (
    Evaluator,
    Gauss,
    Point,
    Undefined,
    Undetermined,
    equal,
    precision,
)
from symbn.sampling import Sampler, domain_of


def evaluate(expr, values=None, *, real=True, bits=128):
    values = values or {}
    point = Point(lambda key, what: values[key])
    with precision(bits):
        return Evaluator(point, real=real)(expr)


def test_rational_arithmetic_is_exact() -> None:
    x = Symbol("x", real=True)
    value = evaluate((x + Rational(1, 3)) ** 3 / 7, {x: Fraction(2, 5)})
    assert value == (Fraction(2, 5) + Fraction(1, 3)) ** 3 / 7


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (1 / (1 + exp(-200)), 1),
        (log(1 + exp(200)), 200),
        (sqrt(10**200 + 1), 10**100),
        (exp(Rational(1, 10**30)) - Rational(1, 10**30), 1),
    ],
)
def test_tiny_differences_are_certified_at_higher_precision(left, right) -> None:
    with precision(64):
        low = evaluate(left, bits=64), evaluate(Integer(right), bits=64)
        with pytest.raises(Undetermined):
            equal(*low)
    with precision(4096):
        assert equal(evaluate(left, bits=4096), evaluate(Integer(right), bits=4096)) is False


def test_equal_irrationals_are_never_declared_equal_by_intervals() -> None:
    with precision(512):
        with pytest.raises(Undetermined):
            equal(evaluate(sqrt(2) * sqrt(3), bits=512), evaluate(sqrt(6), bits=512))


def test_over_the_reals_roots_and_logs_of_negatives_and_poles_are_undefined() -> None:
    a = Symbol("a", real=True)
    for expr in (sqrt(a), log(a), 1 / (a + 2), a ** Rational(1, 3)):
        with pytest.raises(Undefined):
            evaluate(expr, {a: Fraction(-2)})
    assert evaluate(sqrt(a**2), {a: Fraction(-2)}) == 2  # SymPy makes it |a|


def test_complex_values_follow_sympys_principal_branch() -> None:
    z = Symbol("z")
    value = evaluate(z**2 + Abs(z) ** 2, {z: Gauss(Fraction(0), Fraction(1))}, real=False)
    expected = (I**2 + Abs(I) ** 2).expand()  # SymPy: -1 + 1
    assert value == int(expected)
    assert evaluate(sqrt(z), {z: Fraction(-4)}, real=False) == Gauss(Fraction(0), Fraction(2))


def test_a_kronecker_delta_of_equal_rationals_is_one_and_of_different_ones_zero() -> None:
    a, b = Symbol("a", real=True), Symbol("b", real=True)
    assert evaluate(KroneckerDelta(a, b), {a: Fraction(1, 3), b: Fraction(1, 3)}) == 1
    assert evaluate(KroneckerDelta(a, b), {a: Fraction(1, 3), b: Fraction(1, 4)}) == 0


def test_max_of_intervals_encloses_the_true_value() -> None:
    b = Symbol("b", real=True)
    value = evaluate(Max(sqrt(b), Rational(3, 2)), {b: Fraction(2)}, bits=128)
    assert value.a <= 1.5 <= value.b


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [
            {"integer": True, "nonnegative": True},
            {"integer": True, "positive": True},
            {"integer": True, "negative": True},
            {"integer": True, "even": True},
            {"integer": True, "odd": True},
            {"real": True, "positive": True},
            {"real": True, "nonpositive": True},
            {"real": True, "nonzero": True},
            {"real": True},
            {},
        ]
    ),
    st.integers(0, 10**6),
    st.booleans(),
)
def test_every_drawn_value_respects_the_symbols_assumptions(facts, seed, generic) -> None:
    symbol = Symbol("s", **facts)
    sampler = Sampler(random.Random(seed), [Fraction(6), Fraction(1, 10**8)], generic=generic)
    for _ in range(20):
        value = sampler(symbol, symbol)
        number = (
            complex(float(value.re), float(value.im))
            if isinstance(value, Gauss)
            else Fraction(value)
        )
        if facts.get("integer"):
            assert isinstance(number, Fraction) and number.denominator == 1
        if facts.get("positive"):
            assert number > 0
        if facts.get("nonnegative"):
            assert number >= 0
        if facts.get("negative"):
            assert number < 0
        if facts.get("nonpositive"):
            assert number <= 0
        if facts.get("nonzero"):
            assert number != 0
        if facts.get("even"):
            assert number.numerator % 2 == 0
        if facts.get("odd"):
            assert number.numerator % 2 == 1
    assert domain_of(symbol).complex is (not facts)


def test_special_values_reach_zero_tiny_huge_and_the_claims_constants() -> None:
    a = Symbol("a", real=True)
    sampler = Sampler(random.Random(1), [Fraction(6)], generic=False)
    drawn = {sampler(a, a) for _ in range(600)}
    assert 0 in drawn
    assert any(0 < abs(v) <= Fraction(1, 10**9) for v in drawn)
    assert any(abs(v) >= 10**9 for v in drawn)
    assert {Fraction(6), Fraction(7), Fraction(-6)} <= drawn
