"""``--format github``: GitHub Actions workflow commands, tested on their exact text.

The runner's own rules are restated here (an unescaper written from GitHub's documentation, not
symbn's escaper), and every counterexample printed is re-evaluated with fractions.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from sympy import Symbol

import symbn
from symbn.check import Report, StepResult, Verdict
from symbn.cli import main
from symbn.locate import in_document, in_module
from symbn.parse.document import read_document
from symbn.render.github import command, escape_data, escape_property, workflow_commands
from tests.conftest import replaced

REFUTED_DOC = """# Centering

$$y = x + c \\quad (1)$$

$$y - c = x \\quad (2)$$

  $$y - x = 2 c \\tag{1.10}$$

$$= c \\tag{4}$$
"""


def unescape(text: str) -> str:
    """What GitHub's runner reads back from an escaped value (%25 last, so %250A stays %0A)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """One workflow command: its level, its properties (unescaped) and its message (unescaped)."""
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert match, line
    properties = {}
    for pair in (match.group(2) or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            properties[key] = unescape(value)
    return match.group(1), properties, unescape(match.group(3))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100% a:b, c\r\nd") == "100%25 a:b, c%0D%0Ad"
    assert escape_property("100% a:b, c\r\nd") == "100%25 a%3Ab%2C c%0D%0Ad"
    assert escape_data("%0A") == "%250A"  # a literal %0A in the text is not a line break
    raw = "50%: x, y\n::error::forged"
    line = command("error", raw, file="a,b:c.md", line=3, col=None, title=raw)
    assert "\n" not in line
    assert line == (
        "::error file=a%2Cb%3Ac.md,line=3,title=50%25%3A x%2C y%0A%3A%3Aerror%3A%3Aforged"
        "::50%25: x, y%0A::error::forged"
    )
    level, properties, message = parse(line)
    assert (level, message) == ("error", raw)
    assert properties == {"file": "a,b:c.md", "line": "3", "title": raw}


def test_check_annotates_each_refuted_claim_on_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.md").write_text(REFUTED_DOC, encoding="utf-8")
    code, out, _ = run("check", "notes.md", "--format", "github")
    assert code == 1
    _, json_out, _ = run("check", "notes.md", "--format", "json")
    steps = {s["label"]: s for s in json.loads(json_out)["steps"]}
    c10 = steps["1.10"]["counterexample"]["values"]["c"]
    c4 = steps["4"]["counterexample"]["values"]["c"]
    # y = x + c, so y - x = c: at c the sides are c and 2c; (4) claims 2c = c.
    v10, v4 = Fraction(c10), Fraction(c4)
    assert v10 != 0 and v4 != 0
    assert out.splitlines() == [
        "::error file=notes.md,line=7,col=5,title=symbn 1.10 refuted::(1.10) -x + y = 2*c"
        f"%0Arefuted: the sides differ%0Aat c = {c10}%0Alhs = {v10}, rhs = {2 * v10}, "
        f"lhs - rhs = {-v10}%0Asymbolic remainder lhs - rhs = -c",
        "::error file=notes.md,line=9,col=3,title=symbn 4 refuted::(4) = c"
        f"%0Arefuted: the sides differ%0Aat c = {c4}%0Alhs = {2 * v4}, rhs = {v4}, "
        f"lhs - rhs = {v4}%0Asymbolic remainder lhs - rhs = c",
    ]


def test_check_escapes_the_file_name_and_the_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("odd,name:1.md").write_text(
        "$$y = x + c \\quad (1)$$\n\n$$y - x = 2 c \\tag{B:1,a}$$\n", encoding="utf-8"
    )
    code, out, _ = run("check", "odd,name:1.md", "--format", "github")
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(
        "::error file=odd%2Cname%3A1.md,line=3,col=3,title=symbn B%3A1%2Ca refuted::"
    )
    _, properties, message = parse(line)
    assert properties["title"] == "symbn B:1,a refuted"
    assert message.startswith("(B:1,a) -x + y = 2*c\nrefuted")


def test_check_annotates_an_unreadable_line_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.md").write_text("$$y = x + c \\quad (1)$$\n\n$$z = \\frob{x}$$\n", encoding="utf-8")
    code, out, err = run("check", "notes.md", "--format", "github")
    assert code == 2
    assert out == (
        "::error file=notes.md,line=3,col=7,title=symbn cannot read::"
        "symbn does not read the command \\frob here\n"
    )
    assert "notes.md:3:7: symbn does not read the command \\frob here" in err


def test_a_holding_derivation_prints_nothing() -> None:
    code, out, _ = run("derive", "--format", "github")
    assert (code, out) == (0, "")


def test_a_shipped_module_is_annotated_on_its_label_keyword(seed: symbn.Derivation) -> None:
    module = Path(__file__).resolve().parent.parent / "derivations" / "batchnorm_bias.py"
    text = module.read_text(encoding="utf-8").splitlines()
    row = next(n for n, line in enumerate(text, 1) if 'label="1.10"' in line)
    col = text[row - 1].index('label="1.10"') + 1
    assert in_module(module)["1.10"] == (row, col)
    report = replaced(seed, "1.10", Symbol("q")).check()
    out = workflow_commands(report, "derivations/batchnorm_bias.py", in_module(module))
    (line,) = out.splitlines()
    assert line.startswith(
        f"::error file=derivations/batchnorm_bias.py,line={row},col={col},"
        "title=symbn 1.10 refuted::(1.10) "
    )


def test_undecided_is_a_warning_and_a_missing_location_is_left_out(seed: symbn.Derivation) -> None:
    line = seed.lines[-1]
    report = Report(seed, (StepResult(line, Verdict.UNDECIDED, "timed out after 5 s"),))
    out = workflow_commands(report, "notes.md", {})
    assert out.count("\n") == 1
    level, properties, message = parse(out.rstrip("\n"))
    assert level == "warning"
    assert properties == {"file": "notes.md", "title": f"symbn {line.label} undecided"}
    assert message.startswith(f"({line.label}) ∂(z̃^[l])/∂b^[l] = 0\n")
    assert message.endswith("\nundecided: timed out after 5 s")
    assert workflow_commands(report).startswith(f"::warning title=symbn {line.label} undecided::")


def test_document_locations_are_the_rows_the_reader_numbers(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(REFUTED_DOC, encoding="utf-8")
    placed = in_document(read_document(path))
    assert placed == {"1": (3, 3), "2": (5, 3), "1.10": (7, 5), "4": (9, 3)}
    notebook = tmp_path / "notes.ipynb"
    cell = {"cell_type": "markdown", "metadata": {}, "source": REFUTED_DOC}
    notebook.write_text(json.dumps({"cells": [cell], "nbformat": 4, "nbformat_minor": 5}))
    read = read_document(notebook)
    assert read.locations and in_document(read) == {}  # a cell's lines are not the file's
