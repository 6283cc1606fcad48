"""The installed command's process: it flushes everything before its fast exit and keeps the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys


def _entry(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command's entry point (``symbn.process:entry``), in a real process."""
    code = "from symbn.process import entry; entry()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


def test_the_entry_point_flushes_everything_before_its_fast_exit() -> None:
    done = _entry("derive")
    assert done.returncode == 0, done.stderr
    assert "every claim holds" in done.stdout
    assert done.stdout.rstrip().endswith("dropped.")  # the last note, flushed
    as_json = _entry("derive", "--format", "json")
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["ok"] is True


def test_the_entry_point_keeps_the_exit_codes() -> None:
    unknown = _entry("derive", "no-such-derivation")
    assert unknown.returncode == 2
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "Traceback" not in unknown.stderr
    assert _entry("--help").returncode == 0
    assert _entry("--no-such-option").returncode == 2


def test_help_and_list_through_the_entry_point_do_not_import_sympy() -> None:
    for args in (["--help"], ["list"]):
        done = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-c",
                "from symbn.process import entry; entry()",
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0
        modules = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
        assert "symbn.process" in modules
        assert not [m for m in modules if m == "sympy" or m.startswith("sympy.")], args
