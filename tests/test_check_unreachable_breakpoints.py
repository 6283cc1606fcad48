"""A claim that switches branch where no trial can land exactly is never "checked".

A second red team: ``cases(1 if x ≥ √2) = cases(1 if x > √2)`` differs only at x = √2 and was
checked; so were ``Σ_{i≤n} max(2^i, 2^900) = 2^900 n`` (false from n = 901: 902·2^900 on the left)
and ``max(|x − π|, 10^{-6}) = |x − π|`` (false at x = 355/113). Ground truth above is by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sympy import Abs, Max, Min, Piecewise, Symbol, exp, log, pi, sqrt

from symbn.cli import main
from symbn.policy import unreachable_switch

x, y = Symbol("x", real=True), Symbol("y", real=True)
n = Symbol("n", integer=True, positive=True)


def verdicts(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    return result.exit_code, [s["verdict"] for s in json.loads(result.stdout)["steps"]]


@pytest.mark.parametrize(
    "row",
    [
        r"\begin{cases} 1 & x \ge \sqrt{2} \\ 0 & \text{otherwise} \end{cases} = "
        r"\begin{cases} 1 & x > \sqrt{2} \\ 0 & \text{otherwise} \end{cases}",
        r"\begin{cases} 1 & x \ge \pi \\ 0 & \text{otherwise} \end{cases} = "
        r"\begin{cases} 1 & x > \pi \\ 0 & \text{otherwise} \end{cases}",
        r"\max(\lvert x - \pi \rvert, \frac{1}{1000000}) = \lvert x - \pi \rvert",
        r"\sum_{i=1}^{n} \max(2^{i}, 2^{900}) = 2^{900} n",
    ],
)
def test_a_false_claim_differing_only_at_an_unreachable_breakpoint_is_not_accepted(
    tmp_path: Path, row: str
) -> None:
    code, found = verdicts(tmp_path, f"$${row} \\tag{{1}}$$\n")
    assert found[-1] not in ("proved", "checked") and code == 1


@pytest.mark.parametrize(
    "row",
    [
        r"\lvert x \rvert = \max(x, -x)",
        r"\max(x, 1) + \min(x, 1) = x + 1",
        r"\max(x, y) - \min(x, y) = \lvert x - y \rvert",
    ],
)
def test_claims_switching_at_reachable_breakpoints_still_hold(tmp_path: Path, row: str) -> None:
    code, found = verdicts(tmp_path, f"$${row} \\tag{{1}}$$\n")
    assert found == [found[0]] and found[0] in ("proved", "checked") and code == 0


def test_which_breakpoints_are_reachable() -> None:
    assert unreachable_switch(Abs(x) - Max(x, -x)) is None
    assert unreachable_switch(Max(x, y) + Min(x * y - 1, 0)) is None  # linear in x
    assert unreachable_switch(Max(x**3, 0) + Abs(x**2 + 1)) is None  # roots 0, none
    assert unreachable_switch(Max(2 * n, n**2)) is None  # a turn in the sizes
    assert unreachable_switch(Max(x, sqrt(2))) is not None
    assert unreachable_switch(Abs(x - pi)) is not None
    assert unreachable_switch(Abs(x**2 - 2)) is not None  # ±√2
    assert unreachable_switch(Max(log(x), 7)) is not None
    assert unreachable_switch(Max(exp(x), 2)) is not None
    assert unreachable_switch(Piecewise((1, x > sqrt(3)), (0, True))) is not None
