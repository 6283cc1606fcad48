"""Property-based soundness: random identities are never refuted, their mutants never accepted.

Identities are true by construction (:mod:`tests.adversarial.generated`); each mutant is used only
once the independent evaluator has found a witness that it is false. A refutation's counterexample
is evaluated again there. The examples are derandomized, so CI sees the same ones on every run,
and a failing one is reported as drawn, not shrunk (shrinking would rerun the checker many times).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, event, given, settings

from tests.adversarial import truth
from tests.adversarial.cases import Case
from tests.adversarial.generated import Generated, identities
from tests.adversarial.runner import run_seeds, wrong


def _case(generated: Generated, mutated: bool) -> Case:
    expected = "false" if mutated else "true"
    return Case(0, generated.family, expected, lambda: generated.derivation(mutated))


def _assert_sound(case: Case, generated: Generated) -> None:
    outcome = run_seeds(case, seeds=(0,))[0]
    problem = wrong(case, outcome)
    assert not problem, f"{case.name} ({case.expected}): {case.build().lines[-1]}: {problem}"
    if outcome.verdict == "refuted" and outcome.assignment is not None:
        where = truth.at(case.build(), outcome.assignment)
        assert where == "differ", (
            f"{case.name}: refuted at {dict(outcome.assignment)}, but the sides agree there ({where})"
        )


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(identities())
def test_identities_are_not_refuted_and_mutants_not_accepted(generated: Generated) -> None:
    _assert_sound(_case(generated, mutated=False), generated)
    found = truth.decide(generated.derivation(mutated=True), trials=16)
    event(f"mutant {found.verdict}")
    if found.verdict == "false":
        _assert_sound(_case(generated, mutated=True), generated)
