"""Output under faults: -o is all or nothing and never follows a symlink, stdout may be closed, full
or unable to show Unicode, and each ends with its own exit code and at most one line on stderr."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbn.cli
from symbn.cli import main
from symbn.process import BROKEN_PIPE, ascii_replacement

GUARD = 120
ENTRY = "from symbn.process import entry; entry()"


def _symbn(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        stderr=subprocess.PIPE,
        check=False,
        timeout=GUARD,
        **kwargs,  # type: ignore[arg-type]
    )


def _derive(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["derive", "--format", "markdown", *args])
    return result.exit_code, result.output


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_output_is_written_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    code, _ = _derive("-o", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("$$") or "$$" in target.read_text()
    assert _leftovers(tmp_path) == []


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("mine")
    code, output = _derive("-o", str(target))
    assert code == 2 and "exists" in output and "--force" in output
    assert target.read_text() == "mine"


def test_a_dangling_symlink_is_not_followed(tmp_path: Path) -> None:
    link, aim = tmp_path / "out.md", tmp_path / "elsewhere.md"
    link.symlink_to(aim)
    code, output = _derive("-o", str(link))
    assert code == 2 and "symbolic link" in output
    assert not aim.exists() and link.is_symlink()


def test_with_force_a_symlink_is_replaced_not_its_target(tmp_path: Path) -> None:
    link, aim = tmp_path / "out.md", tmp_path / "precious.txt"
    aim.write_text("precious")
    link.symlink_to(aim)
    code, _ = _derive("-o", str(link), "--force")
    assert code == 0
    assert aim.read_text() == "precious"
    assert not link.is_symlink() and "$$" in link.read_text()


def test_a_file_created_while_checking_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    export = symbn.cli._export

    def racing(*args: object) -> str:
        target.write_text("created meanwhile")
        return export(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(symbn.cli, "_export", racing)
    code, output = _derive("-o", str(target))
    assert code == 2 and "exists" in output
    assert target.read_text() == "created meanwhile"
    assert _leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_old_file_even_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    target.write_text("the good one")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(symbn.cli.os, "fsync", full)
    code, output = _derive("-o", str(target), "--force")
    assert code == 2
    assert output.strip().splitlines() == [f"Error: cannot write {target}: No space left on device"]
    assert target.read_text() == "the good one"
    assert _leftovers(tmp_path) == []


def test_a_folder_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    code, output = _derive("-o", str(tmp_path / "no" / "such" / "out.md"))
    assert code == 2 and len(output.strip().splitlines()) == 1


def test_a_closed_pipe_exits_141_without_a_word() -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "derive", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout is not None
    run.stdout.close()  # the reader is gone before symbn writes a byte
    _, err = run.communicate(timeout=GUARD)
    assert run.returncode == BROKEN_PIPE
    assert err == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("args", [["list"], ["derive"], ["derive", "--format", "json"]])
def test_a_full_disk_on_stdout_is_one_line_and_code_2(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = _symbn(*args, stdout=full)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == "Error: cannot write the output: No space left on device"


@pytest.mark.skipif(sys.platform == "win32", reason="closing descriptor 1 is POSIX")
def test_a_closed_stdout_is_one_line_and_code_2() -> None:
    done = _symbn("derive", stdout=subprocess.DEVNULL, pass_fds=(), preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert b"standard output is closed" in done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("encoding", "args"),
    [
        *(("cp1252", args) for args in (["list"], ["derive"], ["derive", "batchnorm-stats"])),
        ("cp1252", ["derive", "--marks", "--format", "markdown"]),
        *((encoding, args) for encoding in ("ascii", "latin-1") for args in (["list"], ["derive"])),
    ],
)
def test_a_console_without_unicode_gets_readable_ascii(encoding: str, args: list[str]) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    done = _symbn(*args, env=env)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"could not be displayed" not in done.stdout
    # click writes UTF-8 where the encoding is plain ASCII (it takes that for a misconfigured locale)
    text = done.stdout.decode("utf-8" if encoding == "ascii" else encoding)
    assert "?" not in text.replace("holds?", "")
    if args == ["derive"]:
        assert "every claim holds" in text
    if args == ["list"]:
        assert "batchnorm-bias" in text


def test_the_summary_table_on_a_console_without_unicode() -> None:
    done = _symbn("derive", "--all", env={**os.environ, "PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert "derivations hold" in done.stdout.decode("cp1252")


def test_the_c_locale_gets_a_full_rendering() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    done = _symbn("derive", env={**env, "LANG": "C", "LC_ALL": "C"})
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert "every claim holds" in done.stdout.decode("utf-8")


@pytest.mark.parametrize(
    ("char", "shown"),
    [("μ", "mu"), ("Σ", "sum"), ("Ω", "Omega"), ("✓", "+"), ("≠", "!="), ("²", "^2"), ("é", "e")],
)
def test_the_ascii_fallback_names_what_it_replaces(char: str, shown: str) -> None:
    assert char.encode("ascii", "symbn-ascii") == shown.encode()
    error = UnicodeEncodeError("ascii", f"a{char}b", 1, 2, "unencodable")
    assert ascii_replacement(error) == (shown, 2)
