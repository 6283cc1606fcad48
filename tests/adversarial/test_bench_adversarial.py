"""The adversarial section of bench/mutants.py holds the CI bar: it fails on any unsound verdict."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "mutants.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_mutants_adversarial", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_mutants_adversarial"] = module
    spec.loader.exec_module(module)
    return module


def _summary(true: dict[str, int], false: dict[str, int]) -> dict[str, object]:
    entry = {"description": "", "true": true, "false": false, "past_budget": 0}
    return {"classes": {"1": entry}, "findings": [], "seconds": 0.0, "timeout": 1.0}


def test_a_sound_run_passes(bench: ModuleType) -> None:
    ok, problems = bench.adversarial_verdict(
        _summary({"proved": 3, "checked": 1, "undecided": 2}, {"refuted": 4, "undecided": 1})
    )
    assert ok and not problems


@pytest.mark.parametrize(
    ("true", "false", "word"),
    [
        ({"proved": 1}, {"checked": 1}, "WRONGLY ACCEPTED"),
        ({"proved": 1}, {"proved": 1}, "WRONGLY ACCEPTED"),
        ({"refuted": 1}, {"refuted": 1}, "refuted"),
        ({"inconsistent": 1}, {"refuted": 1}, "refuted"),
        ({"proved": 1}, {"hang": 1}, "hung"),
        ({"exception": 1}, {"refuted": 1}, "raised"),
    ],
)
def test_an_unsound_or_broken_run_fails(
    bench: ModuleType, true: dict[str, int], false: dict[str, int], word: str
) -> None:
    ok, problems = bench.adversarial_verdict(_summary(true, false))
    assert not ok
    assert any(word in p for p in problems), problems


def test_a_bogus_counterexample_fails(bench: ModuleType) -> None:
    summary = _summary({"proved": 1}, {"refuted": 1})
    summary["findings"] = [{"case": "x", "seed": 0, "problem": "refuted at {'a': '1'}, but ..."}]
    ok, problems = bench.adversarial_verdict(summary)
    assert not ok and any("counterexample" in p for p in problems)
