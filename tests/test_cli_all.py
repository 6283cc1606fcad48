"""``symbn derive --all``: every shipped derivation checked, a summary table, exit 0 only when all hold."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import symbn
import symbn.registry
from symbn.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_all_lists_every_derivation_in_a_summary_table_and_exits_0() -> None:
    code, out, _ = run("derive", "--all")
    assert code == 0, out
    names = symbn.names()
    assert len(names) >= 7
    for name in names:
        assert name in out
    for heading in ("lines", "proved", "checked", "refuted", "undecided", "holds?"):
        assert heading in out
    assert f"{len(names)} of {len(names)} derivations hold" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_all_as_json_is_a_list_of_reports() -> None:
    code, out, _ = run("derive", "--all", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["name"] for d in data] == symbn.names()
    assert all(d["ok"] for d in data)
    assert next(d for d in data if d["name"] == "batchnorm-scale")["assumptions"] == [
        "alpha > 0",
        "Eq(epsilon_0, 0)",
    ]
    scale = next(d for d in data if d["name"] == "batchnorm-scale")
    differs = [s for s in scale["steps"] if s["relation"] == "≠"]
    assert differs and all(s["verdict"] == "proved" and s["counterexample"] for s in differs)


def test_all_exits_1_when_one_derivation_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real_load = symbn.registry.load

    def load_with_a_wrong_step(name: str) -> symbn.Derivation:
        derivation = real_load(name)
        if name == "batchnorm-stats":
            y = symbn.symbols("y")
            derivation = derivation.step(y, y + 1, label="X.1", why="wrong on purpose")
        return derivation

    monkeypatch.setattr(symbn.registry, "load", load_with_a_wrong_step)
    code, out, _ = run("derive", "--all")
    assert code == 1
    assert "NO" in out
    assert f"{len(symbn.names()) - 1} of {len(symbn.names())} derivations hold" in out


def test_a_name_and_all_together_is_a_usage_error() -> None:
    code, _, err = run("derive", "batchnorm-stats", "--all")
    assert code == 2
    assert "not both" in err and "Traceback" not in err


def test_derive_without_a_name_still_checks_the_seed() -> None:
    code, out, _ = run("derive")
    assert code == 0
    assert "Cancellation of the bias term" in out


def test_derive_prints_the_assumptions_and_the_counterexample_of_a_difference() -> None:
    code, out, _ = run("derive", "batchnorm-scale")
    assert code == 0
    assert "assuming α > 0, ε" in out
    section = out[out.index("(5.15)") :]
    assert "the sides differ at these values" in section
    assert "ε = " in section and "lhs - rhs = " in section
