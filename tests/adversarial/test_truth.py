"""The independent evaluator itself: it must tell tiny differences from 0 and refuse bad witnesses."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sympy import I, Max, Pow, Rational, Symbol, exp, log, sqrt

import symbn
from tests.adversarial import truth


@pytest.mark.parametrize(
    ("value", "zero"),
    [
        (1 / (1 + exp(-200)) - 1, False),
        (sqrt(10**200 + 1) - 10**100, False),
        (log(1 + exp(200)) - 200, False),
        ((sqrt(2) + sqrt(3)) ** 2 - 5 - 2 * sqrt(6), True),
        (log(4) - 2 * log(2), True),
        (sqrt(2) - Rational(14142135623730951, 10**16), False),
        (Fraction(0), True),
    ],
)
def test_zero_is_decided_without_a_tolerance(value: object, zero: bool) -> None:
    assert truth.is_zero(value) is zero


def test_residues_of_huge_powers_match_python() -> None:
    tower = Pow(3, Pow(2, 20, evaluate=False), evaluate=False)
    for n in (7, 10, 12, 97, 1000):
        assert truth.residue(tower, n)[0] == pow(3, 2**20, n)
    small = Pow(7, Pow(3, 3, evaluate=False), evaluate=False) + 5
    for n in (6, 11, 64):
        assert truth.residue(small, n)[0] == (7**27 + 5) % n


@pytest.mark.parametrize(
    ("text", "value"),
    [("3/4", Fraction(3, 4)), ("-2", Fraction(-2)), ("0.5", Fraction(1, 2))],
)
def test_reported_rationals_are_read_exactly(text: str, value: Fraction) -> None:
    assert truth.parse_value(text) == value


def test_reported_complex_values_are_read_exactly() -> None:
    assert truth.parse_value("1/2 + 3*I") == Rational(1, 2) + 3 * I
    assert truth.parse_value("-I") == -I
    with pytest.raises(ValueError):
        truth.parse_value("a + b")


def test_a_false_claim_gets_a_witness_that_is_checked_again() -> None:
    a = symbn.symbols("a")
    d = symbn.Derivation("relu6").step(symbn.symbols("a") * 0 + Max(a, 0), a)
    found = truth.decide(d)
    assert found.verdict == "false" and found.witness is not None
    assert truth.at(d, found.witness) == "differ"
    assert truth.at(d, {"a": "3"}) != "differ"


def test_a_witness_outside_a_symbols_domain_is_refused() -> None:
    n0 = Symbol("n_0", integer=True, nonnegative=True)
    d = symbn.Derivation("naturals").step(Max(n0**3, n0), n0**3)
    assert truth.at(d, {"n_0": "-2"}).startswith("inadmissible")
    assert truth.decide(d).verdict == "true"


def test_one_side_undefined_is_a_difference_both_undefined_is_not() -> None:
    a = symbn.symbols("a")
    cancel = symbn.Derivation("cancel").step((a**2 - 1) / (a - 1), a + 1)
    assert truth.at(cancel, {"a": "1"}) == "differ"
    same = symbn.Derivation("same").step(1 / a, 1 / a)
    assert not truth.at(same, {"a": "0"}).startswith("differ")
