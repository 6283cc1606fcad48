"""The time budget is real: a step that hangs, raises or kills its worker ends undecided, never a crash."""

from __future__ import annotations

import os
import time

import pytest
from sympy import Symbol, symbols

import symbn
import symbn.check
from symbn.budget import Failure, forking, run_many
from symbn.check import Verdict


def _job(kind: str, value: int) -> int:
    if kind == "spin":  # the budget is CPU time: a job that computes forever overruns it
        while True:
            pass
    if kind == "sleep":  # a job that waits without computing meets the wall-clock backstop
        time.sleep(30)
    if kind == "raise":
        raise ValueError("deliberate")
    if kind == "die":
        os._exit(3)
    return value * 2


@pytest.mark.parametrize(("timeout", "workers"), [(None, 1), (5.0, 1), (5.0, 2), (5.0, 3)])
def test_run_many_returns_every_result_in_order(timeout: float | None, workers: int) -> None:
    jobs = [("ok", k) for k in range(7)]
    assert run_many(_job, jobs, timeout, workers=workers) == [2 * k for k in range(7)]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_job_past_its_budget_fails_and_the_next_job_still_runs(workers: int) -> None:
    started: list[int] = []
    jobs = [("ok", 1), ("spin", 0), ("ok", 2), ("spin", 0), ("ok", 3), ("ok", 4)]
    results = run_many(_job, jobs, 0.5, started.append, workers=workers)
    assert results[0] == 2 and results[2] == 4 and results[4] == 6 and results[5] == 8
    for k in (1, 3):
        assert isinstance(results[k], Failure)
        assert "time budget of 0.5 s" in results[k].reason
    assert sorted(started) == list(range(6))
    if workers == 1:
        assert started == list(range(6))


def test_a_hanging_lane_does_not_hold_up_the_other() -> None:
    jobs = [("spin", 0), ("ok", 1), ("ok", 2), ("ok", 3), ("ok", 4), ("ok", 5)]
    results = run_many(_job, jobs, 1.0, workers=2)
    assert isinstance(results[0], Failure)  # killed at its deadline, not waited for
    assert results[1:] == [2, 4, 6, 8, 10]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_exception_or_a_dead_worker_is_a_failure_not_a_crash(workers: int) -> None:
    jobs = [("raise", 0), ("die", 0), ("ok", 5), ("ok", 6)]
    results = run_many(_job, jobs, 5.0, workers=workers)
    assert isinstance(results[0], Failure) and "ValueError" in results[0].reason
    assert isinstance(results[1], Failure) and "died" in results[1].reason
    assert results[2:] == [10, 12]


def test_a_step_that_hangs_is_undecided_and_later_steps_are_still_proved() -> None:
    x, y, z, w, v = symbols("x y z w v", real=True)
    huge, other = (x + y + z + w + v) ** 60, (x + y + z + w - v) ** 60
    d = (
        symbn.Derivation("slow", name="slow")
        .step(x + x, 2 * x, label="1")
        .step(huge, other, label="2")
        .step(y * (x + 1), x * y + y, label="3")
    )
    report = d.check(timeout=0.3)
    assert report["1"].verdict is Verdict.PROVED
    assert report["2"].verdict is Verdict.UNDECIDED
    assert "time budget" in report["2"].reason
    assert report["3"].verdict is Verdict.PROVED
    assert not report.ok


@pytest.mark.skipif(not forking(), reason="a monkeypatch reaches forked workers only")
def test_an_exception_inside_sympy_is_undecided_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(expr: object) -> object:
        raise ZeroDivisionError("inside SymPy")

    monkeypatch.setattr(symbn.check, "normal_form", broken)
    x = Symbol("x", real=True)
    for timeout in (None, 5.0):
        result = symbn.Derivation("t", name="t").step(x, x, label="1").check(timeout=timeout)["1"]
        assert result.verdict is Verdict.UNDECIDED
        assert "ZeroDivisionError" in result.reason


def test_progress_sees_every_line_in_order() -> None:
    seen: list[str] = []
    d = symbn.load("batchnorm-bias")
    d.check(progress=lambda line: seen.append(line.label))
    assert seen == [line.label for line in d.lines]


def test_check_many_gives_the_verdicts_of_checking_one_by_one() -> None:
    from symbn.check import check_many

    x = Symbol("x", real=True)
    wrong = symbn.Derivation("wrong", name="wrong").step(x * (x + 1), x**2 + 2 * x, label="1")
    seed = symbn.load("batchnorm-bias")
    seen: list[tuple[str, str]] = []
    reports = check_many([seed, wrong], progress=lambda d, line: seen.append((d.name, line.label)))
    for report, alone in zip(reports, (seed.check(), wrong.check()), strict=True):
        assert [r.verdict for r in report] == [r.verdict for r in alone]
        assert [r.seed for r in report] == [r.seed for r in alone]
        assert [r.uses for r in report] == [r.uses for r in alone]
    assert reports[0].ok and not reports[1].ok
    assert reports[1]["1"].counterexample is not None
    assert [label for name, label in seen if name == "batchnorm-bias"] == [
        line.label for line in seed.lines
    ]
    assert [label for name, label in seen if name == "wrong"] == ["1"]
