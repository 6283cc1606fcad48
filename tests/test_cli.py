"""The command line, through click's CliRunner: output, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from symbn.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_derive_prints_every_equation_in_order_and_exits_0() -> None:
    code, out, _ = run("derive")
    assert code == 0
    positions = [out.index(f"(1.{k})") for k in range(1, 13)]
    assert positions == sorted(positions)
    assert "\u0336" in out  # the cancelled b of 1.11 is struck through
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
