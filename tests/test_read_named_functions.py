"""A second red team's finds in the reader: a named function powered before its argument, a log
with a base, binomials of huge numbers, numbers too long for Python's default printing.

Ground truth by hand: sin(2)^2 ≈ 0.827 but 2 sin(1)^2 ≈ 1.416, so ``\\operatorname{sin}^2(2x) =
2\\operatorname{sin}^2(x)`` is false; symbn used to read it as (a symbol sin)^2 · 2x and prove it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbn.cli import main


def check(tmp_path: Path, row: str, *args: str) -> tuple[int, list[str], str]:
    path = tmp_path / "notes.md"
    path.write_text(f"$${row} \\tag{{1}}$$\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", *args, str(path)])
    steps = json.loads(result.stdout)["steps"] if result.stdout.strip() else []
    return result.exit_code, [s["verdict"] for s in steps], result.stderr


@pytest.mark.parametrize(
    "row",
    [
        r"\operatorname{sin}^{2}(2x) = 2 \operatorname{sin}^{2}(x)",
        r"\mathrm{log}^{2}(x y) = \mathrm{log}^{2}(x) \cdot y",
        r"\mathrm{tanh}^{-1}(x) = x",
        r"\operatorname{ReLU}^{2}(2x) = 4 x^2",
        r"\operatorname{log}_2(x) = x",
        r"\mathrm{exp}_{2}(x) = 2^x",
    ],
)
def test_a_named_function_powered_or_indexed_before_its_argument_is_refused(
    tmp_path: Path, row: str
) -> None:
    code, verdicts, stderr = check(tmp_path, row)
    assert code == 2 and verdicts == [] and "notes.md:1:3:" in stderr


@pytest.mark.parametrize(
    "row, verdict",
    [
        (r"\operatorname{sin}(x)^2 + \operatorname{cos}(x)^2 = 1", "proved"),
        (r"\operatorname{sin}(2x)^2 = 2 \operatorname{sin}(x)^2", "refuted"),
        (r"\mathrm{e}^{x} \mathrm{e}^{y} = \mathrm{e}^{x+y}", None),
    ],
)
def test_the_power_written_after_the_argument_is_read(
    tmp_path: Path, row: str, verdict: str | None
) -> None:
    code, verdicts, _ = check(tmp_path, row)
    if verdict is None:
        assert verdicts[0] in ("proved", "checked") and code == 0
    else:
        assert verdicts == [verdict] and code == (0 if verdict == "proved" else 1)


@pytest.mark.parametrize(
    "row",
    [
        r"\binom{10^{59}}{10^{29}} = 0",
        r"\binom{10^{7}}{5 \cdot 10^{6}} = 0",
        r"\binom{1001}{2} = 0",
    ],
)
def test_a_binomial_of_huge_numbers_is_refused_at_once(tmp_path: Path, row: str) -> None:
    code, verdicts, stderr = check(tmp_path, row, "--timeout", "2", "--total-timeout", "10")
    assert code == 2 and verdicts == [] and "binomial" in stderr


def test_small_binomials_are_still_worked_out(tmp_path: Path) -> None:
    assert check(tmp_path, r"\binom{5}{2} = 10")[:2] == (0, ["proved"])
    assert check(tmp_path, r"\binom{1000}{1} = 999")[:2] == (1, ["refuted"])


def test_a_number_past_4300_digits_is_printed_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "long.md"
    path.write_text("$$(10^{59})^{100} = 0 \\tag{1}$$\n", encoding="utf-8")
    outputs = {}
    for fmt in ("json", "terminal"):
        out = subprocess.run(
            [sys.executable, "-m", "symbn", "check", "--no-cache", "--format", fmt, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr[-500:]
        outputs[fmt] = out.stdout
    (step,) = json.loads(outputs["json"])["steps"]
    assert step["verdict"] == "refuted" and len(step["remainder"]) > 5_000
