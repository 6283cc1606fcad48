"""Every shipped derivation: each line gets its expected verdict, wrong versions are rejected, LaTeX compiles."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

import pytest
from sympy import Integer

import symbn
from symbn.check import Report, Verdict
from symbn.model import Kind, Relation
from tests.conftest import replaced, require_tool

FAMILY = [
    "batchnorm-bias-units",
    "batchnorm-bias-conv",
    "batchnorm-stats",
    "batchnorm-scale",
    "batchnorm-fold",
    "layernorm-bias",
]


@cache
def report(name: str) -> Report:
    return symbn.load(name).check(timeout=60)


def test_the_family_is_shipped() -> None:
    assert set(FAMILY) <= set(symbn.names())
    assert symbn.names()[0] == "batchnorm-bias"


@pytest.mark.parametrize("name", symbn.names())
def test_every_line_has_its_expected_verdict(name: str) -> None:
    checked = report(name)
    assert checked.ok, name
    for result in checked:
        line = result.line
        if line.kind is Kind.DEFINITION:
            assert result.verdict is Verdict.DEFINITION
        elif line.relation is Relation.EQUAL:
            assert result.verdict is Verdict.PROVED, (name, line.label, result.reason)
        else:
            assert result.verdict is Verdict.PROVED, (name, line.label, result.reason)
            assert result.counterexample is not None, (name, line.label)


@pytest.mark.parametrize("name", symbn.names())
def test_every_derivation_is_numbered_justified_and_concluded(name: str) -> None:
    d = symbn.load(name)
    labels = [line.label for line in d.lines]
    assert len(set(labels)) == len(labels)
    assert all(line.why for line in d.lines), name
    assert d.conclusion
    assert any(line.kind is not Kind.DEFINITION for line in d.lines)


def _claims(name: str) -> list[str]:
    return [line.label for line in symbn.load(name).lines if line.is_claim]


@pytest.mark.parametrize("name", FAMILY)
def test_a_wrong_right_side_of_every_claim_is_rejected(name: str) -> None:
    """Each ``=`` claim with 1 added to its right side is refuted; each ``≠`` claim made ``lhs ≠ lhs`` is refuted."""
    d = symbn.load(name)
    for label in _claims(name):
        line = d.line(label)
        if line.relation is Relation.EQUAL:
            wrong = symbn.meaning(line.rhs) + Integer(1)
        else:
            wrong = line.lhs
        result = replaced(d, label, wrong).check(timeout=60)[label]
        assert result.verdict is Verdict.REFUTED, (name, label, result.verdict, result.reason)


@pytest.mark.parametrize("name", FAMILY)
def test_the_assumptions_are_stated_where_they_are_used(name: str) -> None:
    d = symbn.load(name)
    if name == "batchnorm-scale":
        assert {str(a) for a in d.assumptions} == {"alpha > 0", "Eq(epsilon_0, 0)"}
        without = symbn.Derivation(d.title, name=d.name)
        for line in d.lines:
            if line.kind is Kind.DEFINITION:
                without.define(line.lhs, line.rhs, label=line.label)
            elif line.relation is Relation.EQUAL:
                without.step(line.lhs, line.rhs, label=line.label)
            else:
                without.differs(line.lhs, line.rhs, label=line.label)
        # Without ε₀ = 0 and α > 0 the invariance is false: symbn must not prove it.
        assert without.check(timeout=60)["5.10"].verdict is not Verdict.PROVED
    else:
        assert d.assumptions == ()


@pytest.mark.parametrize("name", symbn.names())
def test_the_latex_of_every_derivation_compiles(name: str, tmp_path: Path) -> None:
    pdflatex = require_tool("pdflatex", "compiles the LaTeX of each derivation")
    body = symbn.load(name).to_latex()
    document = (
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb,cancel}\n"
        "\\usepackage[paperwidth=80cm,margin=1cm]{geometry}\n"
        f"\\begin{{document}}\n{body}\\end{{document}}\n"
    )
    (tmp_path / "d.tex").write_text(document, encoding="utf-8")
    run = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "d.pdf").exists()


def test_multi_index_sums_are_written_one_sign_per_index() -> None:
    latex = symbn.load("batchnorm-bias-conv").to_latex()
    assert r"\sum_{i=1}^{m} \sum_{h=1}^{H} \sum_{w=1}^{W}" in latex
    assert r"\substack" not in latex
