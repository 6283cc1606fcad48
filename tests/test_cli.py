"""The command line, through click's CliRunner: output, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbn.cli import main
from symbn.model import Derivation
from tests.conftest import replaced


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_derive_prints_every_equation_in_order_and_exits_0() -> None:
    code, out, _ = run("derive")
    assert code == 0
    positions = [out.index(f"(1.{k})") for k in range(1, 13)]
    assert positions == sorted(positions)
    assert "~b" in out and "\u0336" not in out  # the cancelled b of 1.11 marked, no combining stroke
    assert "every claim holds" in out
    assert "Conclusion:" in out and "cancels" in out


def test_derive_fits_80_columns_when_piped() -> None:
    _, out, _ = run("derive")
    assert max(len(line) for line in out.splitlines()) <= 80


def test_json_carries_every_verdict() -> None:
    code, out, _ = run("derive", "batchnorm-bias", "--format", "json")
    assert code == 0
    data = json.loads(out)
    verdicts = {step["label"]: step["verdict"] for step in data["steps"]}
    assert verdicts["1.1"] == "definition"
    assert verdicts["1.12"] == "proved"
    assert data["ok"] is True
    assert all(step["seed"] for step in data["steps"] if step["verdict"] == "proved")


def test_unknown_name_is_a_one_line_error_with_exit_2() -> None:
    code, _, err = run("derive", "no-such-name")
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "no-such-name" in err and "batchnorm-bias" in err
    assert "Traceback" not in err


def test_bad_option_value_is_a_usage_error() -> None:
    code, _, err = run("derive", "--timeout", "-1")
    assert code == 2
    assert "Traceback" not in err


def test_list_names_the_seed() -> None:
    code, out, _ = run("list")
    assert code == 0
    assert out.startswith("batchnorm-bias")


def test_help_and_list_do_not_import_sympy() -> None:
    probe = (
        "import sys\n"
        "from symbn.cli import main\n"
        "for args in (['--help'], ['list']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('SYMPY' if 'sympy' in sys.modules else 'NO-SYMPY')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("NO-SYMPY")


def test_latex_format_prints_the_align_fragment() -> None:
    code, out, _ = run("derive", "--format", "latex")
    assert code == 0
    assert out.startswith("\\begin{align}\n")
    assert out.endswith("\\end{align}\n% symbn-declare\n% positive = ['\\epsilon']\n")
    assert "\\tag{1.9}\\label{eq:batchnorm-bias:1.9}" in out


def test_latex_options_reach_the_export() -> None:
    code, out, _ = run("derive", "--format", "latex", "--env", "align*", "--no-why", "--marks")
    assert code == 0
    assert out.startswith("\\begin{align*}") and "\\text" not in out
    assert "\\mathrel{\\overset{\\checkmark}{=}}" in out
    _, doc, _ = run("derive", "--format", "latex", "--standalone")
    assert doc.startswith("\\documentclass{article}") and "\\paragraph{Conclusion.}" in doc


def test_markdown_format() -> None:
    code, out, _ = run("derive", "--format", "markdown", "--marks")
    assert code == 0
    assert out.startswith("### Cancellation of the bias term")
    assert (
        "\n &\\mathrel{\\overset{\\checkmark}{=}} W^{[l]} \\cdot \\overline" in out
    )  # 1.3, a continuation, aligned under 1.2 in one block


def test_output_file_is_written_and_never_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "bn.tex"
    code, out, _ = run("derive", "--format", "latex", "--standalone", "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text().startswith("\\documentclass{article}")
    target.write_text("my paper")
    code, _, err = run("derive", "--format", "latex", "-o", str(target))
    assert code == 2
    assert err.strip().count("\n") == 0 and "--force" in err and "Traceback" not in err
    assert target.read_text() == "my paper"
    code, _, _ = run("derive", "--format", "latex", "-o", str(target), "--force")
    assert code == 0 and target.read_text().startswith("\\begin{align}")


def test_output_file_for_every_format(tmp_path: Path) -> None:
    for fmt in ("terminal", "json", "markdown"):
        target = tmp_path / f"out.{fmt}"
        code, _, _ = run("derive", "--format", fmt, "--output", str(target))
        assert code == 0
        assert "1.12" in target.read_text(encoding="utf-8")
    assert "\x1b[" not in (tmp_path / "out.terminal").read_text(encoding="utf-8")


def test_unwritable_output_is_a_one_line_error(tmp_path: Path) -> None:
    code, _, err = run("derive", "--format", "latex", "-o", str(tmp_path / "no" / "such" / "x.tex"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "cannot write" in err


def test_a_refuted_derivation_still_exports_with_exit_1(
    seed: Derivation, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = replaced(seed, "1.12", 2 * seed.line("1.12").rhs)
    monkeypatch.setattr("symbn.registry.load", lambda name: bad)
    code, out, _ = run("derive", "--format", "latex", "--marks")
    assert code == 1
    assert "\\mathrel{\\overset{\\times}{=}}" in out and "refuted" in out


def test_options_of_other_formats_are_refused() -> None:
    for args in (
        ("--standalone",),
        ("--format", "markdown", "--env", "align*"),
        ("--format", "json", "--marks"),
        ("--no-why",),
    ):
        code, _, err = run("derive", *args)
        assert code == 2, args
        assert err.strip().count("\n") == 0 and "applies to --format" in err


def test_terminal_texts_have_no_dollar_delimiters() -> None:
    _, out, _ = run("derive")
    assert "$" not in out
    assert "b^[l] - b^[l] = 0" in out


def test_the_cli_offers_every_latex_environment() -> None:
    from symbn.cli import ENVIRONMENTS
    from symbn.render import latex

    assert tuple(ENVIRONMENTS) == latex.ENVIRONMENTS


def test_a_malformed_shipped_derivation_is_a_one_line_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from symbn.errors import DerivationError

    real = importlib.import_module

    def broken(name: str, *args: object) -> object:
        if name.startswith("symbn.derivations."):
            raise DerivationError("1.3: then() has no previous line")
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib, "import_module", broken)
    code, _, err = run("derive", "batchnorm-bias")
    assert code == 2
    assert "malformed" in err and "1.3" in err and "Traceback" not in err
