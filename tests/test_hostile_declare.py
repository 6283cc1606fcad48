"""Hostile declarations: sidecars and --declare files are capped in size and depth, and every error
names the declaration file, the line of the key and the key, never the document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbn.cli import main
from symbn.errors import InputError
from symbn.parse.declare import MAX_DECLARATION_BYTES, from_file, from_toml

DOCUMENT = "# Sums\n\n$$x + x = 2 x$$\n"


def _check_with_sidecar(tmp_path: Path, sidecar: str | bytes) -> tuple[int, str]:
    doc = tmp_path / "doc.md"
    doc.write_text(DOCUMENT)
    side = tmp_path / "doc.md.symbn.toml"
    if isinstance(sidecar, bytes):
        side.write_bytes(sidecar)
    else:
        side.write_text(sidecar)
    result = CliRunner().invoke(main, ["check", str(doc)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _one_error(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    return errors[0]


HOSTILE = {
    "deep array": "sizes = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep table": "examples = " + "{a = " * 2_000 + "1" + "}" * 2_000 + "\n",
    "deep dotted keys": "examples." + ".".join(f"k{n}" for n in range(5_000)) + " = 1\n",
    "100,000 digits": "title = 1" + "0" * 100_000 + "\n",
    "not TOML": "sizes = [\n",
    "not UTF-8": b"title = '\xff'\n",
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_sidecar_is_one_error_naming_the_sidecar(tmp_path: Path, case: str) -> None:
    code, output = _check_with_sidecar(tmp_path, HOSTILE[case])
    assert code == 2
    error = _one_error(output)
    assert "doc.md.symbn.toml" in error, error
    assert "Traceback" not in output


def test_a_sidecar_past_the_size_cap_is_refused(tmp_path: Path) -> None:
    padding = "# " + "x" * 78 + "\n"
    code, output = _check_with_sidecar(tmp_path, padding * (MAX_DECLARATION_BYTES // 80 + 2))
    assert code == 2
    error = _one_error(output)
    assert "doc.md.symbn.toml" in error and f"up to {MAX_DECLARATION_BYTES}" in error


@pytest.mark.parametrize(
    ("toml", "line", "key"),
    [
        ('title = "t"\n\nsizes = 3\n', 3, "sizes"),
        ('title = "t"\nbar = "median"\n', 2, "bar"),
        ('\n\n\nnonsense = ["m"]\n', 4, "nonsense"),
        ('sizes = ["m"]\n[examples]\nfamilies = [1]\n', 2, "families"),
        ('positive = ["\\\\"]\n', 1, "positive"),
    ],
)
def test_a_wrong_key_is_reported_at_its_line_in_the_sidecar(
    tmp_path: Path, toml: str, line: int, key: str
) -> None:
    code, output = _check_with_sidecar(tmp_path, toml)
    assert code == 2
    error = _one_error(output)
    assert f"doc.md.symbn.toml:{line}:" in error, error
    assert key in error


def test_a_declare_file_error_names_that_file_and_line(tmp_path: Path) -> None:
    doc, extra = tmp_path / "doc.md", tmp_path / "extra.toml"
    doc.write_text(DOCUMENT)
    extra.write_text('names = ["x"]\nunits = "W"\nsizes = {m = 1}\n')
    result = CliRunner().invoke(main, ["check", str(doc), "--declare", str(extra)])
    assert result.exit_code == 2
    assert f"{extra}:3:" in result.output and "sizes" in result.output


def test_the_library_readers_raise_input_errors_only(tmp_path: Path) -> None:
    for text in HOSTILE.values():
        if isinstance(text, str):
            with pytest.raises(InputError):
                from_toml(text, "decl")
    path = tmp_path / "d.toml"
    path.write_text("sizes = " + "[" * 10 + "]" * 10)
    with pytest.raises(InputError, match="nested"):
        from_file(path)


def test_a_good_sidecar_still_reads(tmp_path: Path) -> None:
    side = tmp_path / "d.toml"
    side.write_text('title = "Centering"\nsizes = ["m"]\n[examples]\nfamilies = ["x"]\n')
    declaration = from_file(side)
    assert declaration.title == "Centering" and declaration.sizes == frozenset({"m"})
    assert declaration.families == frozenset({"x"})


def test_a_hostile_sidecar_in_a_real_process_ends_cleanly(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOCUMENT)
    (tmp_path / "doc.md.symbn.toml").write_text(HOSTILE["deep array"])
    done = subprocess.run(
        [sys.executable, "-c", "from symbn.process import entry; entry()", "check", str(doc)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "doc.md.symbn.toml" in done.stderr
