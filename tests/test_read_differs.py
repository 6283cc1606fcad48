"""A row ``a \\neq b`` is a claim that the sides differ, never a definition of ``a``.

A red team found ``a \\neq 1`` read as the definition ``a ≔ 1``, after which ``a - 1 = 0`` was
proved. Ground truth here is by hand: ``a ≠ 1`` says nothing that makes ``a = 1``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbn.cli import main


def check(tmp_path: Path, text: str) -> tuple[int, dict[str, str], dict[str, str]]:
    """Exit code, each label's verdict and each label's kind, of ``symbn check`` on ``text``."""
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    data = json.loads(result.stdout)
    steps = data["steps"]
    return (
        result.exit_code,
        {s["label"]: s["verdict"] for s in steps},
        {s["label"]: s["kind"] for s in steps},
    )


@pytest.mark.parametrize("differs", [r"\neq", r"\ne"])
def test_a_differs_row_does_not_define_its_left_side(tmp_path: Path, differs: str) -> None:
    text = f"$$ a {differs} 1 \\tag{{1}}$$\n\n$$ a - 1 = 0 \\tag{{2}}$$\n\n$$ 2a = 2 \\tag{{3}}$$\n"
    code, verdicts, kinds = check(tmp_path, text)
    assert kinds["1"] != "definition"
    assert verdicts["2"] == verdicts["3"] == "refuted" and code == 1


def test_a_function_or_family_entry_is_not_defined_by_differs(tmp_path: Path) -> None:
    function = "$$ f(x) \\neq x^2 \\tag{1}$$\n\n$$ f(3) = 9 \\tag{2}$$\n"
    code, verdicts, kinds = check(tmp_path, function)
    assert kinds["1"] != "definition" and verdicts.get("2") != "proved" and code != 0
    family = "$$ z_i \\neq 0 \\tag{1}$$\n\n$$ z_2 = 0 \\tag{2}$$\n"
    code, verdicts, kinds = check(tmp_path, family)
    assert kinds.get("1") != "definition" and verdicts.get("2") != "proved" and code != 0


def test_a_constant_that_differs_stays_the_constant(tmp_path: Path) -> None:
    text = (
        "$$ \\pi \\neq 3 \\tag{1}$$\n\n$$ \\sin(\\pi) = 0 \\tag{2}$$\n\n"
        "$$ e \\neq 2 \\tag{3}$$\n\n$$ \\log(e) = 1 \\tag{4}$$\n"
        "\n$$ \\pi \\approx 3.14 \\tag{5}$$\n\n$$ \\cos(\\pi) = -1 \\tag{6}$$\n"
    )
    code, verdicts, _ = check(tmp_path, text)
    assert {k: verdicts[k] for k in "12346"} == dict.fromkeys("12346", "proved") and code == 0


def test_a_true_differs_claim_holds_and_a_false_one_is_refuted(tmp_path: Path) -> None:
    text = "$$ x + 1 \\neq x \\tag{1}$$\n\n$$ (x + 1)^2 \\neq x^2 + 2x + 1 \\tag{2}$$\n"
    code, verdicts, _ = check(tmp_path, text)
    assert verdicts["1"] in ("proved", "checked") and verdicts["2"] == "refuted" and code == 1
