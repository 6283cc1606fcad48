"""The mutation benchmark itself: it makes the promised kinds of mistakes and catches a bad checker."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import symbn
import symbn.check
from symbn.check import Decision, Verdict

BENCH = Path(__file__).resolve().parent.parent / "bench" / "mutants.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_mutants", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_mutants"] = module
    spec.loader.exec_module(module)
    return module


def test_every_kind_of_mistake_is_made_on_the_seed(bench: ModuleType) -> None:
    line = symbn.load("batchnorm-bias").line("1.12")
    kinds = " | ".join(d for d, _ in bench.distinct_mutants(line.rhs_meaning))
    for kind in (
        "flip the sign",
        "drop term",
        "scale W^{[l]} by 2",
        "scale every a^{[l-1]}[…] by 2",
        "1/m → 1/(m−1)",
        "upper bound m → m−1",
        "lower bound 1 → 1+1",
        "summation index i → j",
        "free index j",
        "square moved into",
    ):
        assert kind in kinds, kind


def test_a_mistake_sympy_cannot_build_ends_only_its_own_family(bench: ModuleType) -> None:
    def broken():  # type: ignore[no-untyped-def]
        yield "fine", symbn.symbols("x")
        raise ValueError("cannot build")

    x = symbn.symbols("x")
    families = [broken(), iter([("other", 2 * x + 1)])]
    original = bench.mutant_families
    try:
        bench.mutant_families = lambda expr: families
        found = bench.distinct_mutants(x + 1)
    finally:
        bench.mutant_families = original
    assert [d for d, _ in found] == ["fine", "other"]


@pytest.mark.parametrize(
    ("verdict", "fate"), [(Verdict.PROVED, "equal"), (Verdict.CHECKED, "accepted")]
)
def test_a_checker_that_accepts_everything_is_caught(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, verdict: Verdict, fate: str
) -> None:
    monkeypatch.setattr(symbn.check, "decide", lambda *args: Decision(verdict, "accepts anything"))
    outcomes = bench.check_step(("batchnorm-bias", "1.12", None))
    assert outcomes and {o.verdict for o in outcomes} == {fate}
    truth = {"proved": 0, "checked": 0, "undecided": 0, "refuted": 0, "inconsistent": 0}
    truth[verdict.value] = 10
    fates = dict.fromkeys(
        ("refuted", "refuted_with_counterexample", "undecided", "wrongly_accepted", "inconsistent"),
        0,
    )
    fates["wrongly_accepted" if fate == "accepted" else "skipped_equal"] = len(outcomes)
    fates.setdefault("skipped_equal", 0)
    summary = {"derivations": {"batchnorm-bias": {"true_steps": truth, "mutants": fates}}}
    ok, problems = bench.verdict_of(summary)
    assert not ok
    assert any("equal" in p or "WRONGLY" in p for p in problems), problems


def test_the_seed_passes_when_its_steps_are_all_refuted(bench: ModuleType) -> None:
    outcomes = bench.check_step(("batchnorm-bias", "1.9", 5.0))
    assert outcomes
    assert {o.verdict for o in outcomes} <= {"refuted", "equal"}
    assert all(o.counterexample for o in outcomes if o.verdict == "refuted")
