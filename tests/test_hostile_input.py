"""Hostile input: files that are not files, files without end, and option values that are not budgets.

Each case must end with a one-line error and exit code 2, never a hang or a traceback; every
subprocess has a timeout as a guard (the assertion is on the outcome, not on the time).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbn
from symbn.cli import main
from symbn.errors import DerivationError, InputError
from symbn.parse.files import read_regular

GUARD = 60  # seconds: far past what any case needs, only there so a regression fails, not hangs
DOCUMENT = "# Sums\n\n$$x + x = 2 x$$\n"


def _symbn(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed entry point in a real process, with a guard timeout."""
    code = "from symbn.process import entry; entry()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=GUARD,
        cwd=cwd,
    )


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    path = tmp_path / "pipe.md"
    os.mkfifo(path)
    return path


def test_a_named_pipe_is_refused_without_blocking(fifo: Path) -> None:
    line = _one_line_error(_symbn("check", str(fifo)))
    assert "named pipe" in line and str(fifo) in line


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_an_endless_device_is_refused() -> None:
    line = _one_line_error(_symbn("check", "/dev/zero"))
    assert "/dev/zero" in line and "not a regular file" in line


def test_a_directory_is_refused(tmp_path: Path) -> None:
    line = _one_line_error(_symbn("check", str(tmp_path)))
    assert "directory" in line


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_declaration_from_an_endless_device_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOCUMENT)
    line = _one_line_error(_symbn("check", str(doc), "--declare", "/dev/zero"))
    assert "/dev/zero" in line and "declaration" in line


def test_a_declaration_from_a_named_pipe_is_refused(tmp_path: Path, fifo: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOCUMENT)
    result = CliRunner().invoke(main, ["check", str(doc), "--declare", str(fifo)])
    assert result.exit_code == 2 and "named pipe" in result.output


def test_the_read_stops_one_byte_past_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * 101)
    assert read_regular(path, 101) == b"x" * 101
    with pytest.raises(InputError, match="more than 100 bytes"):
        read_regular(path, 100)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc")
def test_a_file_whose_size_lies_is_read_only_up_to_the_cap() -> None:
    # /proc files are regular with st_size 0 whatever they hold: the cap is on the bytes read.
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(InputError, match="more than 10 bytes"):
        read_regular("/proc/self/status", 10)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "1e400", "-1", "0", "86401", "x"])
def test_a_timeout_that_is_not_a_budget_is_a_usage_error(value: str) -> None:
    result = CliRunner().invoke(main, ["derive", "--timeout", value])
    assert result.exit_code == 2
    assert "--timeout" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("value", ["nan", "inf", "1e308"])
def test_a_timeout_that_is_not_a_budget_ends_the_real_process_with_code_2(value: str) -> None:
    done = _symbn("derive", "--timeout", value)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "not a budget" in done.stderr


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), 1e308, 10**400, -1, 0, 86_401, True, "5"]
)
def test_the_library_refuses_a_timeout_that_is_not_a_budget(value: object) -> None:
    d = symbn.Derivation("t").step(symbn.symbols("x") * 2, symbn.symbols("x") * 2)
    with pytest.raises(DerivationError, match="timeout="):
        d.check(timeout=value)  # type: ignore[arg-type]


def test_the_largest_budget_is_accepted() -> None:
    x = symbn.symbols("x")
    assert symbn.Derivation("t").step(x + x, 2 * x).check(timeout=86_400).ok
    assert CliRunner().invoke(main, ["derive", "--timeout", "86400"]).exit_code == 0
