"""Runs one adversarial case through symbn's checker, in a child process that cannot hang the tests.

The child builds the derivation once and calls ``check()`` under each seed, exactly as a user
would; the parent waits at most ``GUARD`` seconds beyond the check's own budget for each result,
then kills the child and reports a hang (for that seed and the ones after it). A check that ends
undecided because its budget ran out stands for the remaining seeds too: the budget, not the
sampling, decided it, and running it again would only spend the suite's time.
What comes back is plain data: how it ended, the verdict, the reason and the counterexample.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from dataclasses import dataclass
from typing import Any

from tests.adversarial.cases import Case

TIMEOUT = 2.0
SEEDS = (0, 1, 2)
GUARD = 15.0


@dataclass(frozen=True)
class Run:
    """How one check of one case ended: ``checked``, ``build-error``, ``exception`` or ``hang``."""

    ending: str
    verdict: str = ""
    reason: str = ""
    assignment: tuple[tuple[str, str], ...] | None = None
    error: str = ""
    seconds: float = 0.0


def _child(case: Case, seeds: tuple[int, ...], timeout: float, conn: Any) -> None:
    import symbn

    try:
        started = time.perf_counter()
        try:
            derivation = case.build()
        except symbn.DerivationError as exc:
            conn.send(Run("build-error", error=str(exc)))
            return
        built = time.perf_counter() - started
        for seed in seeds:
            started = time.perf_counter()
            result = derivation.check(timeout=timeout, seed=seed).results[-1]
            seconds = built + time.perf_counter() - started
            counterexample = result.counterexample
            assignment = None
            if counterexample is not None:
                pairs = counterexample.assignment
                items = pairs.items() if isinstance(pairs, dict) else pairs
                assignment = tuple((str(k), str(v)) for k, v in items)
            conn.send(
                Run("checked", result.verdict.value, result.reason, assignment, seconds=seconds)
            )
            built = 0.0
    except BaseException as exc:  # the finding is that it escaped: report it, do not re-raise
        conn.send(Run("exception", error=f"{exc!r}\n{traceback.format_exc(limit=8)}"))
    finally:
        conn.close()


def run_seeds(
    case: Case, seeds: tuple[int, ...] = SEEDS, timeout: float = TIMEOUT
) -> dict[int, Run]:
    """Build ``case`` once and check it under each seed, in one child; a hang ends every seed."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(case, seeds, timeout, send), daemon=True)
    child.start()
    send.close()
    runs: dict[int, Run] = {}
    try:
        for seed in seeds:
            if not receive.poll(timeout + GUARD):
                hang = Run("hang", error=f"check() did not return within {timeout + GUARD:.0f} s")
                runs.update({s: hang for s in seeds if s not in runs})
                break
            outcome = receive.recv()
            if outcome.ending != "checked" or _out_of_budget(outcome):
                runs.update({s: outcome for s in seeds if s not in runs})
                break
            runs[seed] = outcome
    except EOFError:
        died = Run("exception", error=f"the checking process died (exit code {child.exitcode})")
        runs.update({s: died for s in seeds if s not in runs})
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    return runs


def _out_of_budget(outcome: Run) -> bool:
    """Whether a check ended undecided because its budget ran out (another seed would too)."""
    return outcome.verdict == "undecided" and "budget" in outcome.reason


_DONE: dict[str, dict[int, Run]] = {}


def run(case: Case, seed: int) -> Run:
    """The check of ``case`` under ``seed``, every seed of :data:`SEEDS` run at the first call."""
    if case.id not in _DONE:
        _DONE[case.id] = run_seeds(case)
    return _DONE[case.id][seed]


def wrong(case: Case, outcome: Run) -> str:
    """Why ``outcome`` breaks the soundness rules for ``case`` (empty when it does not)."""
    if outcome.ending == "build-error":
        return "" if case.misuse else f"DerivationError at build time: {outcome.error}"
    if outcome.ending != "checked":
        return f"{outcome.ending}: {outcome.error.strip().splitlines()[0] if outcome.error else ''}"
    if case.expected == "false" and outcome.verdict not in ("refuted", "undecided"):
        return f"a false claim came back {outcome.verdict} ({outcome.reason})"
    if case.expected == "true" and outcome.verdict not in ("proved", "checked", "undecided"):
        return f"a true claim came back {outcome.verdict} ({outcome.reason})"
    return ""


__all__ = ["GUARD", "SEEDS", "TIMEOUT", "Run", "run", "run_seeds", "wrong"]
