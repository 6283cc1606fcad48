"""Round trip: what `symbn derive` writes as Markdown or LaTeX, `symbn check` reads back with the same verdicts.

Kept generic on purpose (the renderers are improving in parallel): whatever the shipped derivations
render to, parse it back and compare the verdict of every label.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbn
from symbn.cli import main
from symbn.model import Derivation
from symbn.parse.declare import declaration_for
from tests.conftest import replaced


def rendered(name: str, fmt: str) -> str:
    """The derivation as `symbn derive --format FMT` writes it (or its renderer, where derive lacks FMT)."""
    result = CliRunner().invoke(main, ["derive", name, "--format", fmt])
    if result.exit_code in (0, 1) and result.stdout.strip():
        return result.stdout
    derivation: Derivation = symbn.load(name)
    return derivation.to_markdown() if fmt == "markdown" else derivation.to_latex()


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
@pytest.mark.parametrize("name", symbn.names())
def test_rendered_derivations_read_back_with_the_same_verdicts(
    tmp_path: Path, name: str, fmt: str
) -> None:
    derivation = symbn.load(name)
    document = tmp_path / ("derivation.md" if fmt == "markdown" else "derivation.tex")
    document.write_text(rendered(name, fmt), encoding="utf-8")
    (tmp_path / (document.name + ".symbn.toml")).write_text(
        declaration_for(derivation), encoding="utf-8"
    )
    expected = {r.label: r.verdict.value for r in derivation.check()}
    result = CliRunner().invoke(main, ["check", str(document), "--format", "json"])
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert {step["label"]: step["verdict"] for step in data["steps"]} == expected
    assert result.exit_code == (
        0 if all(v in ("definition", "proved", "checked") for v in expected.values()) else 1
    )


def test_the_written_declaration_reads_back_as_the_seeds() -> None:
    text = declaration_for(symbn.load("batchnorm-bias"))
    assert 'names = ["sigma^2"]' in text and 'bar = "mean"' in text
    assert 'families = ["a^{[l-1]}", "z^{[l]}"]' in text


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_a_refuted_step_reads_back_refuted(tmp_path: Path, seed: Derivation, fmt: str) -> None:
    b = symbn.layer_symbols("b")
    wrong = replaced(seed, "1.12", symbn.meaning(seed.line("1.12").rhs) + b)
    text = wrong.to_markdown() if fmt == "markdown" else wrong.to_latex()
    document = tmp_path / ("wrong.md" if fmt == "markdown" else "wrong.tex")
    document.write_text(text, encoding="utf-8")
    (tmp_path / (document.name + ".symbn.toml")).write_text(
        declaration_for(wrong), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", str(document), "--format", "json"])
    assert result.exit_code == 1
    verdicts = {step["label"]: step["verdict"] for step in json.loads(result.stdout)["steps"]}
    assert verdicts == {r.label: r.verdict.value for r in wrong.check()}
    assert verdicts["1.12"] == "refuted"


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_marked_and_aligned_exports_read_back(tmp_path: Path, seed: Derivation, fmt: str) -> None:
    """--marks (relations under a verdict mark), justifications on rows of their own, the aligned
    layout with numbers on the left: all read back as the plain export does."""
    from symbn.render.latex import to_latex
    from symbn.render.markdown import to_markdown

    expected = {r.label: r.verdict.value for r in seed.check()}
    texts = (
        [to_markdown(seed, marks=True), to_markdown(seed, why=False)]
        if fmt == "markdown"
        else [to_latex(seed, marks=True), to_latex(seed, env="equation+aligned", marks=True)]
    )
    for k, text in enumerate(texts):
        document = tmp_path / (f"d{k}.md" if fmt == "markdown" else f"d{k}.tex")
        document.write_text(text, encoding="utf-8")
        (tmp_path / (document.name + ".symbn.toml")).write_text(
            declaration_for(seed), encoding="utf-8"
        )
        result = CliRunner().invoke(main, ["check", str(document), "--format", "json"])
        assert result.stderr == "", text
        verdicts = {step["label"]: step["verdict"] for step in json.loads(result.stdout)["steps"]}
        assert verdicts == expected


def test_declared_assumptions_decide_as_in_the_library(tmp_path: Path) -> None:
    """assume = [...] in the declaration: 5.10-5.12 of batchnorm-scale hold only under them."""
    derivation = symbn.load("batchnorm-scale")
    document = tmp_path / "scale.md"
    document.write_text(derivation.to_markdown(), encoding="utf-8")
    sidecar = tmp_path / "scale.md.symbn.toml"
    declaration = declaration_for(derivation)
    assert 'assume = ["\\\\alpha > 0", "\\\\epsilon_{0} = 0"]' in declaration
    sidecar.write_text(declaration, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(document), "--format", "json"])
    verdicts = {step["label"]: step["verdict"] for step in json.loads(result.stdout)["steps"]}
    assert verdicts["5.11"] == "proved" and result.exit_code == 0
    sidecar.write_text(declaration.replace("assume = [", "# ["), encoding="utf-8")
    # The export's own symbn: comment carries the assumptions too: take them out of it as well.
    bare = re.sub(r"<!-- symbn:.*?-->\n*", "", derivation.to_markdown(), flags=re.S)
    document.write_text(bare, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(document), "--format", "json"])
    verdicts = {step["label"]: step["verdict"] for step in json.loads(result.stdout)["steps"]}
    assert verdicts["5.11"] == "refuted" and result.exit_code == 1


def test_an_assumption_that_is_not_a_relation_is_a_clear_error(tmp_path: Path) -> None:
    document = tmp_path / "a.md"
    document.write_text("$$2 = 2$$\n", encoding="utf-8")
    (tmp_path / "a.md.symbn.toml").write_text('assume = ["\\\\alpha + 1"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(document)])
    assert "assume" in result.stderr and "is not a relation" in result.stderr
    assert "Traceback" not in result.output + result.stderr
