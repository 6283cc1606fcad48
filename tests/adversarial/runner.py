"""Runs one adversarial case through symbn's checker, in a child process that cannot hang the tests.

The child builds the derivation and calls ``check()`` exactly as a user would; the parent waits at
most ``GUARD`` seconds beyond the check's own budget, then kills the child and reports a hang.
What comes back is plain data: how it ended, the verdict, the reason and the counterexample.
"""

from __future__ import annotations

import multiprocessing
import traceback
from dataclasses import dataclass
from typing import Any

from tests.adversarial.cases import Case

TIMEOUT = 3.0
SEEDS = (0, 1, 2)
GUARD = 60.0


@dataclass(frozen=True)
class Run:
    """How one check of one case ended: ``checked``, ``build-error``, ``exception`` or ``hang``."""

    ending: str
    verdict: str = ""
    reason: str = ""
    assignment: tuple[tuple[str, str], ...] | None = None
    error: str = ""


def _child(case: Case, seed: int, timeout: float, conn: Any) -> None:
    import symbn

    try:
        try:
            derivation = case.build()
        except symbn.DerivationError as exc:
            conn.send(Run("build-error", error=str(exc)))
            return
        result = derivation.check(timeout=timeout, seed=seed).results[-1]
        counterexample = result.counterexample
        assignment = None
        if counterexample is not None:
            pairs = counterexample.assignment
            items = pairs.items() if isinstance(pairs, dict) else pairs
            assignment = tuple((str(k), str(v)) for k, v in items)
        conn.send(Run("checked", result.verdict.value, result.reason, assignment))
    except BaseException as exc:  # the finding is that it escaped: report it, do not re-raise
        conn.send(Run("exception", error=f"{exc!r}\n{traceback.format_exc(limit=8)}"))
    finally:
        conn.close()


def run(case: Case, seed: int, timeout: float = TIMEOUT) -> Run:
    """Check ``case`` under ``seed`` with a budget of ``timeout`` seconds per claim."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(case, seed, timeout, send), daemon=True)
    child.start()
    send.close()
    try:
        if receive.poll(timeout + GUARD):
            return receive.recv()
        return Run("hang", error=f"check() did not return within {timeout + GUARD:.0f} s")
    except EOFError:
        return Run("exception", error=f"the checking process died (exit code {child.exitcode})")
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()


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


__all__ = ["GUARD", "SEEDS", "TIMEOUT", "Run", "run", "wrong"]
