"""The budget holds everywhere: CPU time not wall time, with fork or without, with or without /proc.

Every test that runs workers runs twice: with forked workers and with spawned ones (the path taken
without ``os.fork``, forced here with ``SYMBN_NO_FORK=1``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sympy import Symbol

import symbn
import symbn.budget as budget
from symbn.budget import Failure, forking, memory_limits, run_budgeted, run_many
from symbn.check import Verdict
from symbn.cli import main


def _job(kind: str, value: int) -> object:
    """Module-level, so that a spawned worker can unpickle it."""
    if kind == "spin":
        while True:
            pass
    if kind == "nap":  # longer than the budget in wall time, but hardly any CPU time
        time.sleep(1.5)
    if kind == "sleep":
        time.sleep(60)
    if kind == "die":
        os._exit(3)
    if kind == "allocate":
        return len(bytearray(value))
    if kind == "limits":
        import resource

        return {
            name: resource.getrlimit(getattr(resource, name))[0]
            for name in ("RLIMIT_AS", "RLIMIT_DATA")
        }
    if kind == "pid":
        return os.getpid()
    return value * 2


@pytest.fixture(params=["fork", "spawn"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Workers forked, or spawned as where ``os.fork`` is missing."""
    if request.param == "fork":
        if not hasattr(os, "fork"):
            pytest.skip("no os.fork here")
        monkeypatch.setenv("SYMBN_NO_FORK", "0")
    else:
        monkeypatch.setenv("SYMBN_NO_FORK", "1")
    assert forking() is (request.param == "fork")
    yield request.param


def test_results_come_back_in_order_from_every_lane(mode: str) -> None:
    jobs = [("ok", k) for k in range(5)]
    assert run_many(_job, jobs, 30.0, workers=2) == [2 * k for k in range(5)]


def test_the_work_runs_in_other_processes(mode: str) -> None:
    pids = run_many(_job, [("pid", 0), ("pid", 0)], 30.0, workers=2)
    assert os.getpid() not in pids and len(set(pids)) == 2


def test_a_job_that_computes_forever_fails_and_the_lane_goes_on(mode: str) -> None:
    started: list[int] = []
    results = run_many(_job, [("ok", 1), ("spin", 0), ("ok", 3)], 0.5, started.append, workers=1)
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], Failure) and "time budget of 0.5 s" in results[1].reason
    assert started == [0, 1, 2]


def test_the_budget_is_cpu_time_so_waiting_does_not_use_it(mode: str) -> None:
    # 1.5 s asleep is three times the budget in wall time, yet almost no CPU time: a loaded
    # machine, where a step waits for a core, must not turn a true step undecided.
    assert run_many(_job, [("nap", 4)], 0.5, workers=1) == [8]


def test_a_worker_that_waits_forever_meets_the_wall_clock_backstop(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "WALL_FACTOR", 1.0)
    monkeypatch.setattr(budget, "WALL_MARGIN", 0.5)
    (result,) = run_many(_job, [("sleep", 0)], 0.3, workers=1)
    assert isinstance(result, Failure) and "wall-clock" in result.reason


def test_a_dead_worker_is_a_failure_and_the_next_job_still_runs(mode: str) -> None:
    results = run_many(_job, [("die", 0), ("ok", 5)], 30.0, workers=1)
    assert isinstance(results[0], Failure) and "died" in results[0].reason
    assert results[1] == 10


def test_a_job_that_cannot_be_sent_fails_alone(mode: str) -> None:
    results = run_many(_job, [("ok", 1), ("ok", lambda: 0), ("ok", 2)], 30.0, workers=1)  # type: ignore[list-item]
    assert results[0] == 2 and results[2] == 4
    if mode == "spawn":  # a forked worker needs no pickling of its jobs
        assert isinstance(results[1], Failure) and "sent to a worker" in results[1].reason


def test_a_result_that_cannot_come_back_is_a_failure(mode: str) -> None:
    (result,) = run_many(_returns_a_lambda, [()], 30.0)
    assert isinstance(result, Failure) and "could not be returned" in result.reason


def _returns_a_lambda() -> object:
    return lambda: 0


def test_a_derivation_checks_the_same_with_spawned_workers(mode: str) -> None:
    # The jobs hold SymPy objects and symbn.check.decide: they must pickle.
    x = Symbol("x", real=True)
    d = (
        symbn.Derivation("t", name="t")
        .step(x * (x + 1), x**2 + x, label="1")
        .step(x * (x + 1), x**2 + 2 * x, label="2")
    )
    report = d.check(timeout=30)
    assert report["1"].verdict is Verdict.PROVED
    assert report["2"].verdict is Verdict.REFUTED


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the CPU time is read from /proc")
def test_without_proc_the_kernel_enforces_the_cpu_budget(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "PROC_STAT", "/nonexistent/{pid}/stat")
    monkeypatch.setattr(budget, "WALL_FACTOR", 100.0)  # a loaded machine must not reach it first
    results = run_many(_job, [("spin", 0), ("ok", 1)], 0.5, workers=1)
    assert isinstance(results[0], Failure) and "CPU limit" in results[0].reason
    assert results[1] == 2


def test_a_timeout_that_is_not_a_budget_is_refused_by_the_machinery() -> None:
    for bad in (float("nan"), float("inf"), 1e308, 10**400, 0, -1, True):
        with pytest.raises(ValueError, match="time budget"):
            run_many(_job, [("ok", 1)], bad)  # type: ignore[arg-type]


def test_without_a_budget_the_jobs_run_here() -> None:
    assert run_budgeted(_job, ("pid", 0), None) == os.getpid()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the parent's settings reach forked workers")
def test_a_job_past_the_memory_limit_fails_with_out_of_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYMBN_NO_FORK", "0")
    monkeypatch.setattr(budget, "MEMORY_HEADROOM", 256 << 20)
    results = run_many(_job, [("allocate", 1 << 30), ("allocate", 1 << 20)], 30.0, workers=1)
    assert isinstance(results[0], Failure) and "out of memory" in results[0].reason
    assert results[1] == 1 << 20


def test_without_proc_a_memory_limit_is_still_computed() -> None:
    pytest.importorskip("resource")
    limits = memory_limits(statm="/nonexistent/statm")
    assert set(limits) == {"RLIMIT_DATA"}
    assert limits["RLIMIT_DATA"] > 2 * budget.MEMORY_HEADROOM


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the parent's settings reach forked workers")
def test_without_proc_a_forked_worker_limits_its_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYMBN_NO_FORK", "0")
    monkeypatch.setattr(budget, "STATM", "/nonexistent/statm")
    (limits,) = run_many(_job, [("limits", 0)], 30.0)
    import resource

    assert limits["RLIMIT_DATA"] != resource.RLIM_INFINITY


def test_more_than_1024_open_descriptors_do_not_break_the_wait(mode: str) -> None:
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"only {hard} descriptors allowed")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    pipes = [os.pipe() for _ in range(540)]
    try:
        assert run_many(_job, [("ok", 1), ("ok", 2)], 30.0, workers=2) == [2, 4]
    finally:
        for r, w in pipes:
            os.close(r)
            os.close(w)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_wall_clock_backstop_is_finite_for_the_largest_budget() -> None:
    assert math.isfinite(budget.WALL_FACTOR * budget.MAX_TIMEOUT + budget.WALL_MARGIN)


def test_the_renderer_prefetch_does_without_register_at_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from symbn.process import Prefetch

    monkeypatch.delattr(os, "register_at_fork", raising=False)
    monkeypatch.setattr(Prefetch, "thread", None)
    monkeypatch.setattr(Prefetch, "registered", False)
    prefetch = Prefetch(True)
    prefetch.wanted = True
    prefetch.on_progress(None)  # no fork to guard on this platform: nothing to start, no error
    assert Prefetch.thread is None


@pytest.mark.parametrize(
    ("platform", "setting", "forked"),
    [
        ("linux", None, True),
        ("darwin", None, False),
        ("darwin", "0", True),
        ("linux", "1", False),
        ("linux", "", True),
    ],
)
def test_the_worker_start_is_chosen_by_platform_and_environment(
    monkeypatch: pytest.MonkeyPatch, platform: str, setting: str | None, forked: bool
) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no os.fork here: workers are always spawned")
    monkeypatch.setattr(budget.sys, "platform", platform)
    if setting is None:
        monkeypatch.delenv("SYMBN_NO_FORK", raising=False)
    else:
        monkeypatch.setenv("SYMBN_NO_FORK", setting)
    assert forking() is forked


def test_without_os_fork_workers_are_spawned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYMBN_NO_FORK", raising=False)
    monkeypatch.delattr(os, "fork", raising=False)
    assert forking() is False
    assert run_many(_job, [("ok", 1), ("spin", 0), ("ok", 3)], 0.5, workers=1)[::2] == [2, 6]


def test_a_total_budget_ends_the_whole_run_and_keeps_what_is_in(mode: str) -> None:
    jobs = [("ok", 1), ("spin", 0), ("ok", 3), ("ok", 4)]
    results = run_many(_job, jobs, 60.0, workers=1, total=1.0)
    assert results[0] == 2
    for result in results[1:]:
        assert isinstance(result, Failure) and "for the whole run is spent" in result.reason


def test_a_total_budget_that_is_not_a_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="time budget"):
        run_many(_job, [("ok", 1)], 5.0, total=float("nan"))


def test_the_total_budget_of_a_document_ends_its_check(tmp_path: Path) -> None:
    """``--total-timeout`` bounds a whole document: claims that would each use their minute end
    together once the document's seconds are spent, undecided with that reason, exit 1."""
    document = tmp_path / "big.md"
    document.write_text(
        "# Big\n\n$$c := 3$$\n\n$$((c^{1000})^{1000})^{1000} = 0 \\tag{1}$$\n\n"
        "$$((c^{999})^{1000})^{1000} = 0 \\tag{2}$$\n\n$$x + 1 = 1 + x \\tag{3}$$\n",
        encoding="utf-8",
    )
    begun = time.monotonic()
    result = CliRunner().invoke(
        main, ["check", str(document), "--timeout", "60", "--total-timeout", "1", "--format", "json"]
    )
    assert time.monotonic() - begun < 30  # far below the 60 s a claim may take
    assert result.exit_code == 1, result.output
    steps = {s["label"]: s for s in json.loads(result.stdout)["steps"]}
    for label in ("1", "2"):
        assert steps[label]["verdict"] == "undecided"
        assert "budget of 1 s for the whole run is spent" in steps[label]["reason"]
    assert steps["3"]["verdict"] in ("proved", "undecided")  # it may not have begun


def test_a_total_budget_that_is_not_seconds_is_a_usage_error() -> None:
    for value in ("nan", "0", "-1", "inf", "1e400"):
        result = CliRunner().invoke(main, ["derive", "--total-timeout", value])
        assert result.exit_code == 2 and "--total-timeout" in result.stderr, value


def test_reading_a_huge_document_stops_within_its_budget(tmp_path: Path) -> None:
    """Reading is the parent's work, so it is bounded too: the rows not reached in time are not
    read, one located problem says so, and the exit code is 2 (not a claim's verdict)."""
    terms = " + ".join(f"x^{{{j}}} y^{{{j % 5}}}" for j in range(1, 200))
    rows = [f"$$({terms})^{{2}} = ({terms})({terms}) + {k} \\tag{{{k}}}$$" for k in range(1, 61)]
    document = tmp_path / "huge.md"
    document.write_text("# Huge\n\n" + "\n\n".join(rows) + "\n", encoding="utf-8")
    begun = time.process_time()
    result = CliRunner().invoke(main, ["check", str(document), "--total-timeout", "1"])
    assert time.process_time() - begun < 15  # reading all 60 rows takes far longer
    assert result.exit_code == 2
    assert "reading stopped here: the document's budget of 1 s was spent reading" in result.stderr
    assert "raise --total-timeout" in result.stderr


def test_reading_stops_once_it_has_used_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory is bounded the same way, counted from what the process used before reading."""
    from symbn.parse import document as reader

    rows = "\n\n".join(f"$$x + {k} = {k} + x$$" for k in range(1, 40))
    peaks = iter([100.0] + [100.0 + 10 * k for k in range(1, 400)])
    monkeypatch.setattr(reader, "_peak_memory_mb", lambda: next(peaks))
    monkeypatch.setattr(reader, "MAX_READING_MB", 500)  # passed while building the rows
    read = reader.read_text("# Big\n\n" + rows + "\n", "big.md")
    assert 0 < len(read.derivation.lines) < 39
    (problem,) = read.problems
    assert "more than 500 MB of memory were used reading" in problem
    assert read.unread == 39 - len(read.derivation.lines)
