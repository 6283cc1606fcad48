"""`symbn check` on the seed document as shipped: the library's meanings, derive's verdicts, mutants."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbn
from symbn.cli import main
from symbn.model import Derivation, Kind
from symbn.parse import read_document

DATA = Path(__file__).parent / "data"
SEED = DATA / "batchnorm-bias-cancellation.md"
SHIPPED = Path("/work/shared/seed/batchnorm-bias-cancellation.md")
CLAIMS = ["1.3", "1.4", "1.8", "1.9", "1.10", "1.11", "1.12"]
DEFINITIONS = ["1.1", "1.2", "1.5", "1.6", "1.7"]

# The mutations of the issue: (label broken, text in the seed, text replacing it).
MUTANTS = {
    "sign-flipped-in-1.10": (
        "1.10",
        r"+ b^{[l]} - W^{[l]} \cdot \frac{1}{m} \sum_{i=1}^m a^{[l-1](i)} - b^{[l]} \quad (1.10)",
        r"+ b^{[l]} + W^{[l]} \cdot \frac{1}{m} \sum_{i=1}^m a^{[l-1](i)} - b^{[l]} \quad (1.10)",
    ),
    "b-dropped-in-1.9": (
        "1.9",
        r"a^{[l-1](i)} + b^{[l]} \right) \quad (1.9)",
        r"a^{[l-1](i)} \right) \quad (1.9)",
    ),
    "m-minus-1-in-1.4": (
        "1.4",
        r"= W^{[l]} \cdot \frac{1}{m} \sum_{i=1}^m a^{[l-1](i)} + b^{[l]} \quad (1.4)",
        r"= W^{[l]} \cdot \frac{1}{m-1} \sum_{i=1}^m a^{[l-1](i)} + b^{[l]} \quad (1.4)",
    ),
}


def check_json(*args: str) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


def verdicts(data: dict[str, object]) -> dict[str, str]:
    steps = data["steps"]
    assert isinstance(steps, list)
    return {step["label"]: step["verdict"] for step in steps}


def test_the_test_copy_is_the_seed_unchanged() -> None:
    if SHIPPED.exists():
        assert SEED.read_bytes() == SHIPPED.read_bytes()
    assert "(1.12)" in SEED.read_text(encoding="utf-8")


def test_the_seed_is_checked_as_shipped_with_its_numbers() -> None:
    code, data, err = check_json(str(SEED))
    assert code == 0, err
    found = verdicts(data)
    assert list(found) == [f"1.{k}" for k in range(1, 13)]
    assert all(found[label] == "proved" for label in CLAIMS)
    assert all(found[label] == "definition" for label in DEFINITIONS)
    assert data["problems"] == []


def test_the_seed_reads_as_the_library_writes_it(seed: Derivation) -> None:
    """Parsing the document gives the very objects of derivations/batchnorm_bias.py, line by line."""
    document = read_document(SEED)
    for line in document.derivation.lines:
        shipped = seed.line(line.label)
        assert line.kind is shipped.kind, line.label
        assert line.lhs == shipped.lhs, line.label
        assert line.rhs == shipped.rhs, line.label
    assert document.derivation.line("1.1").why == "network input for layer 'l'"
    assert document.derivation.line("1.3").kind is Kind.CONTINUATION


def test_check_reproduces_derive_step_for_step() -> None:
    code, checked, _ = check_json(str(SEED))
    derived = json.loads(CliRunner().invoke(main, ["derive", "--format", "json"]).stdout)
    assert code == 0
    by_label = {step["label"]: step for step in derived["steps"]}
    for step in checked["steps"]:
        place = {key: step.pop(key) for key in ("file", "line", "column")}
        assert step == by_label[step["label"]], step["label"]
        assert place["file"] == str(SEED) and place["line"] > 0 and place["column"] > 0


def test_the_terminal_output_shows_the_documents_numbers() -> None:
    result = CliRunner().invoke(main, ["check", str(SEED)])
    assert result.exit_code == 0
    positions = [result.stdout.index(f"(1.{k})") for k in range(1, 13)]
    assert positions == sorted(positions)
    assert "every claim holds" in result.stdout


def mutant(tmp_path: Path, name: str) -> Path:
    _, old, new = MUTANTS[name]
    text = SEED.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / f"{name}.md"
    path.write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(DATA / (SEED.name + ".symbn.toml"), tmp_path / (path.name + ".symbn.toml"))
    return path


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_a_mutated_copy_is_refuted_at_the_broken_number(tmp_path: Path, name: str) -> None:
    broken = MUTANTS[name][0]
    code, data, _ = check_json(str(mutant(tmp_path, name)))
    assert code == 1
    found = verdicts(data)
    assert found[broken] == "refuted"
    steps = {step["label"]: step for step in data["steps"]}
    assert steps[broken]["counterexample"] is not None
    # A continuation is checked against the line just before it, so the line after a broken
    # continuation (whose left side is the broken right side) is refuted too; every other holds.
    labels = list(found)
    after = labels[labels.index(broken) + 1]
    follows = data["steps"][labels.index(after)]["kind"] == "continuation"
    for label in CLAIMS:
        if label == broken or (follows and label == after):
            assert found[label] == "refuted", label
        else:
            assert found[label] == "proved", label


def test_without_its_declaration_the_seed_checks_with_the_same_verdicts(tmp_path: Path) -> None:
    """Issue 15: families, the bar as their mean and sigma^2 as a name are inferred from use."""
    bare = tmp_path / "seed.md"
    shutil.copy(SEED, bare)
    code, data, err = check_json(str(bare))
    assert code == 0, err
    _, declared, _ = check_json(str(SEED))
    assert verdicts(data) == verdicts(declared)
    inferred = read_document(bare).inferred
    assert inferred.families == {"a^{[l-1]}", "z^{[l]}"}
    assert inferred.names == {"sigma^2"} and inferred.count == "m"


def test_without_its_declaration_the_seed_reads_as_with_it(tmp_path: Path) -> None:
    """The same objects line by line, epsilon's sign included: written only under the root of
    1.6, it is inferred positive (the sidecar declares it so)."""
    bare = tmp_path / "seed.md"
    shutil.copy(SEED, bare)
    with_sidecar = read_document(SEED).derivation.lines
    without = read_document(bare).derivation.lines
    assert [line.label for line in without] == [line.label for line in with_sidecar]
    for ours, theirs in zip(without, with_sidecar, strict=True):
        assert ours.kind is theirs.kind, ours.label
        assert ours.lhs_meaning == theirs.lhs_meaning, ours.label
        assert ours.rhs_meaning == theirs.rhs_meaning, ours.label


def test_a_family_whose_sums_disagree_is_a_question_not_a_guess(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text(
        "$$\\mu = \\frac{1}{m} \\sum_{i=1}^m z^{(i)}$$\n\n"
        "$$\\nu = \\frac{1}{n} \\sum_{i=1}^n z^{(i)}$$\n\n$$y = z - \\mu$$\n",
        encoding="utf-8",
    )
    code, _, err = check_json(str(note))
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "note.md:5:7" in err and "[examples] families" in err


def test_the_declaration_can_come_from_the_command_line(tmp_path: Path) -> None:
    bare = tmp_path / "seed.md"
    shutil.copy(SEED, bare)
    args = ["--size", "m", "--positive", r"\epsilon", "--name", r"\sigma^2", "--bar", "mean"]
    args += ["--examples", "a^{[l-1]}", "--examples", "z^{[l]}", "--count", "m"]
    code, data, err = check_json(str(bare), *args)
    assert code == 0, err
    assert all(verdicts(data)[label] == "proved" for label in CLAIMS)


def test_the_declaration_can_be_inside_the_document(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    sidecar = (DATA / (SEED.name + ".symbn.toml")).read_text(encoding="utf-8")
    inside = tmp_path / "seed.md"
    inside.write_text(text + "\n```symbn-declare\n" + sidecar + "```\n", encoding="utf-8")
    code, data, err = check_json(str(inside))
    assert code == 0, err
    assert data["name"] == "batchnorm-bias"
    assert symbn.load("batchnorm-bias").title == data["title"]


def test_the_seed_written_in_latex_gets_the_same_verdicts(seed: Derivation) -> None:
    code, data, err = check_json(str(DATA / "batchnorm-bias-cancellation.tex"))
    assert code == 0, err
    assert data["title"] == "Cancellation of the bias term"
    found = verdicts(data)
    assert list(found) == [f"1.{k}" for k in range(1, 13)]
    assert all(found[label] == "proved" for label in CLAIMS)
    document = read_document(DATA / "batchnorm-bias-cancellation.tex")
    for line in document.derivation.lines:
        assert line.lhs_meaning == seed.line(line.label).lhs_meaning, line.label
        assert line.rhs_meaning == seed.line(line.label).rhs_meaning, line.label


def test_several_files_give_a_json_list_and_the_worst_exit_code(tmp_path: Path) -> None:
    missing = tmp_path / "missing.md"
    result = CliRunner().invoke(main, ["check", str(SEED), str(missing), "--format", "json"])
    assert result.exit_code == 2
    first, second = json.loads(result.stdout)
    assert first["ok"] is True and first["file"] == str(SEED)
    assert second["file"] == str(missing) and "cannot read" in second["error"]
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")


def test_check_help_does_not_import_sympy() -> None:
    probe = (
        "import sys\n"
        "from symbn.cli import main\n"
        "try:\n"
        "    main(['check', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('SYMPY' if 'sympy' in sys.modules else 'NO-SYMPY')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "FILE" in out.stdout and out.stdout.strip().endswith("NO-SYMPY")


def test_a_second_document_in_the_papers_own_notation(tmp_path: Path) -> None:
    """Ioffe & Szegedy's Algorithm 1 with x_i, mu_B, sigma_B^2, hat x_i: indexed definitions used later."""
    paper = DATA / "batchnorm-paper.md"
    code, data, err = check_json(str(paper))
    assert code == 0, err
    assert verdicts(data) == {
        "1": "definition",
        "2": "definition",
        "3": "definition",
        "4": "definition",
        "5": "proved",
        "6": "proved",
        "7": "proved",
    }
    wrong = tmp_path / "paper.md"
    text = paper.read_text(encoding="utf-8")
    assert text.count(r"y_i = \beta$$") == 1
    wrong.write_text(text.replace(r"y_i = \beta$$", r"y_i = \gamma$$"), encoding="utf-8")
    shutil.copy(DATA / "batchnorm-paper.md.symbn.toml", tmp_path / "paper.md.symbn.toml")
    code, data, _ = check_json(str(wrong))
    assert code == 1 and verdicts(data)["6"] == "refuted" and verdicts(data)["5"] == "proved"
