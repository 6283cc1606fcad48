"""The verdict policy: "checked" needs enough exact evidence, and says what it rests on."""

from __future__ import annotations

from sympy import Max, Symbol, sqrt

from symbn.numeric import MIN_AGREEING, MIN_SIZE_ASSIGNMENTS, NumericOutcome
from symbn.policy import Verdict, policy

x = Symbol("x", real=True)
NOT_RATIONAL = Max(x, 0) - x


def outcome(agreed: int, sizes: int, *, generic: int = 0, degree: int | None = None) -> NumericOutcome:
    per_trial = tuple((("m", 1 + k % max(1, sizes)),) for k in range(agreed)) if sizes else ((),) * agreed
    return NumericOutcome(agreed, per_trial, generic=generic, degree=degree)


def test_too_few_agreeing_trials_are_undecided_not_checked() -> None:
    decision = policy(False, NOT_RATIONAL, outcome(MIN_AGREEING - 1, 5), rational_known=True)
    assert decision.verdict is Verdict.UNDECIDED


def test_agreement_at_too_few_sizes_is_undecided() -> None:
    decision = policy(False, NOT_RATIONAL, outcome(40, MIN_SIZE_ASSIGNMENTS - 1), rational_known=True)
    assert decision.verdict is Verdict.UNDECIDED


def test_enough_exact_agreement_is_checked_and_says_what_it_rests_on() -> None:
    decision = policy(False, NOT_RATIONAL, outcome(12, 4, generic=6), rational_known=True)
    assert decision.verdict is Verdict.CHECKED
    assert "12 exact trials agree" in decision.reason
    assert "nothing is claimed for sizes not tried" in decision.reason


def test_a_schwartz_zippel_bound_is_stated_for_generic_points_of_a_rational_claim() -> None:
    decision = policy(False, sqrt(x) - x, outcome(12, 4, generic=6, degree=3), rational_known=True)
    assert "Schwartz–Zippel" in decision.reason
    assert "probability ≤" in decision.reason


def test_a_non_zero_rational_remainder_is_never_checked() -> None:
    decision = policy(False, x**2 - x, outcome(40, 10), rational_known=True)
    assert decision.verdict is Verdict.UNDECIDED
    assert "non-zero rational function" in decision.reason


def test_a_zero_normal_form_without_any_evaluated_trial_is_not_proved() -> None:
    decision = policy(False, 0 * x, outcome(0, 0), rational_known=True)
    assert decision.verdict is Verdict.UNDECIDED
