"""The adversarial suite of issue 10: no false claim accepted, no true one refuted, nothing escapes.

Every case of :mod:`tests.adversarial.cases` is checked by ``check()`` under three seeds, each in a
child process (a hang is reported, not waited for). A false claim may come back refuted or
undecided, a true one proved, checked or undecided; anything else fails, and so does an exception
escaping ``check()``. A refutation's counterexample is evaluated again by the independent
:mod:`tests.adversarial.truth`, which must find the sides really differ there. The hand-written
truth of every case is itself confirmed by that evaluator.
"""

from __future__ import annotations

import pytest

from tests.adversarial import truth
from tests.adversarial.cases import CASES, CLASSES, Case
from tests.adversarial.runner import SEEDS, run, wrong


def _id(case: Case) -> str:
    return case.id


def test_every_class_has_eight_true_and_eight_false_cases() -> None:
    for cls in CLASSES:
        mine = [c for c in CASES if c.cls == cls]
        assert sum(c.expected == "true" for c in mine) >= 8, cls
        assert sum(c.expected == "false" for c in mine) >= 8, cls
    assert len({c.id for c in CASES}) == len(CASES), "two cases share a name"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_hand_written_truth_is_confirmed_independently(case: Case) -> None:
    found = truth.decide(case.truth_derivation(), hints=case.hints, ranges=case.ranges)
    assert found.verdict == case.expected, f"{case.id}: the evaluator says {found}"
    if case.expected == "false":
        assert found.witness is not None


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_check_never_contradicts_the_truth(case: Case, seed: int) -> None:
    outcome = run(case, seed)
    problem = wrong(case, outcome)
    assert not problem, f"{case.id} (seed {seed}): {problem}"
    if outcome.verdict == "refuted" and outcome.assignment is not None:
        where = truth.at(case.truth_derivation(), outcome.assignment, ranges=case.ranges)
        assert where == "differ", (
            f"{case.id} (seed {seed}): refuted at {dict(outcome.assignment)}, "
            f"but the sides do not differ there ({where})"
        )
