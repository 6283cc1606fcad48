"""The run cache: an unchanged ``symbn check`` or ``symbn derive`` prints what it printed before,
without reading or checking, and nothing stored can make a run print anything else.

Ground truth is always a fresh run of the same command with ``--no-cache`` (which neither reads
nor writes either cache): a replay must match it byte for byte, on stdout, on stderr, interleaved,
and in its exit code. Reading and checking are counted where they happen
(:func:`symbn.parse.document.read_document`, :func:`symbn.check.check_many`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import symbn.check
import symbn.parse.document
import symbn.runs
from symbn.cli import main
from symbn.runs import Runs

DOC = r"""# Notes

$$a = x + 1 \tag{1}$$

$$a - 1 = x \tag{2}$$

$$(x + y)^2 = x^2 + 2 x y + y^2 \tag{3}$$

$$a^2 = x^2 + 1 \tag{4}$$

$$\sum_{i=1}^{m} (b_i + 1) = \sum_{i=1}^{m} b_i + m \tag{5}$$
"""
UNREADABLE = r"""# Half read

$$x + 1 = 1 + x \tag{1}$$

$$x \frobnicate y = 2 \tag{2}$$
"""
FORMATS = ["terminal", "json", "latex", "markdown", "html", "github"]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both caches on, in a folder of this test's own (the suite turns them off elsewhere)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SYMBN_CACHE_DIR", str(folder))
    monkeypatch.delenv("SYMBN_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many documents were read and how many times claims were checked, in this process."""
    counts = {"read": 0, "checked": 0}
    read, check = symbn.parse.document.read_document, symbn.check.check_many

    def reading(*args: Any, **kwargs: Any) -> Any:
        counts["read"] += 1
        return read(*args, **kwargs)

    def checking(*args: Any, **kwargs: Any) -> Any:
        counts["checked"] += 1
        return check(*args, **kwargs)

    monkeypatch.setattr(symbn.parse.document, "read_document", reading)
    monkeypatch.setattr(symbn.check, "check_many", checking)
    return counts


def write(folder: Path, text: str, name: str = "notes.md") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def same(replay: Result, fresh: Result) -> bool:
    """Whether two runs printed the same, stream by stream and interleaved, and exited alike."""
    return (replay.exit_code, replay.stdout, replay.stderr, replay.output) == (
        fresh.exit_code,
        fresh.stdout,
        fresh.stderr,
        fresh.output,
    )


def runs_stored(folder: Path) -> list[Path]:
    return sorted(p for p in Runs(folder).entries.rglob("*.json") if not p.name.startswith("."))


# Replays -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_second_check_prints_the_first_without_reading_or_checking(
    tmp_path: Path, cache_dir: Path, work: dict[str, int], fmt: str
) -> None:
    path = write(tmp_path, DOC)
    first = invoke("check", "--format", fmt, str(path))
    assert first.exit_code == 1 and work == {"read": 1, "checked": 1}  # (4) is refuted
    second = invoke("check", "--format", fmt, str(path))
    assert work == {"read": 1, "checked": 1}
    fresh = invoke("check", "--no-cache", "--format", fmt, str(path))
    assert work == {"read": 2, "checked": 2}
    assert same(second, fresh) and same(first, fresh)
    assert len(runs_stored(cache_dir)) == 1


def test_a_document_with_unread_rows_replays_its_problems_on_stderr(
    tmp_path: Path, cache_dir: Path, work: dict[str, int]
) -> None:
    path = write(tmp_path, UNREADABLE, "half.md")
    first = invoke("check", str(path))
    second = invoke("check", str(path))
    fresh = invoke("check", "--no-cache", str(path))
    assert fresh.exit_code == 2 and "half.md:5:" in fresh.stderr
    assert same(second, fresh) and same(first, fresh) and work["read"] == 2


def test_several_documents_replay_in_order_and_one_changed_reads_them_again(
    tmp_path: Path, cache_dir: Path, work: dict[str, int]
) -> None:
    one, two = write(tmp_path, DOC, "one.md"), write(tmp_path, UNREADABLE, "two.md")
    invoke("check", str(one), str(two))
    replay = invoke("check", str(one), str(two))
    assert work["read"] == 2 and same(replay, invoke("check", "--no-cache", str(one), str(two)))
    two.write_text(UNREADABLE.replace("x + 1 = 1 + x", "x + 2 = 1 + x"), encoding="utf-8")
    changed = invoke("check", str(one), str(two))
    assert work["read"] == 6  # the first run, the fresh one, and this one: two documents each
    assert same(changed, invoke("check", "--no-cache", str(one), str(two)))
    assert "refuted" in changed.stdout or "✗" in changed.stdout


def test_derive_and_derive_all_replay_without_checking(
    cache_dir: Path, work: dict[str, int]
) -> None:
    for args in (["derive"], ["derive", "--format", "latex"], ["derive", "--all"]):
        first = invoke(*args)
        checked = work["checked"]
        second = invoke(*args)
        assert work["checked"] == checked, args
        assert same(second, invoke(*args, "--no-cache")) and same(first, second)


# What a key holds --------------------------------------------------------------------------------


def _changes(tmp_path: Path) -> list[tuple[str, Any]]:
    """Each a change to one input of ``symbn check notes.md`` after which it must be redone."""
    path = tmp_path / "notes.md"
    sidecar = tmp_path / "notes.md.symbn.toml"
    stem_sidecar = tmp_path / "notes.symbn.toml"
    declare = tmp_path / "extra.toml"

    def edit_document() -> None:
        path.write_text(DOC.replace("x^2 + 1", "x^2 + 2 x + 1"), encoding="utf-8")

    return [  # each leaves the inputs as no earlier step left them
        ("a sidecar appears", lambda: sidecar.write_text('names = ["xy"]\n')),
        ("the sidecar changes", lambda: sidecar.write_text('names = ["yx"]\n')),
        ("a stem sidecar appears", lambda: stem_sidecar.write_text('positive = ["x"]\n')),
        ("the sidecar goes", sidecar.unlink),
        ("the --declare file changes", lambda: declare.write_text('positive = ["y"]\n')),
        ("one byte of the document", edit_document),
    ]


def test_every_input_of_a_check_is_in_its_key(
    tmp_path: Path, cache_dir: Path, work: dict[str, int]
) -> None:
    path = write(tmp_path, DOC)
    declare = write(tmp_path, 'positive = ["x"]\n', "extra.toml")
    args = ["check", "--declare", str(declare), str(path)]
    invoke(*args)
    for what, change in _changes(tmp_path):
        before = work["read"]
        change()
        after = invoke(*args)
        assert work["read"] == before + 1, what
        assert same(after, invoke(*args, "--no-cache")), what
        assert same(invoke(*args), after), what  # and the new run is replayed in turn
    assert work["read"] == 1 + len(_changes(tmp_path)) * 2
    path.write_text(DOC, encoding="utf-8")  # back to inputs seen before: replayed
    (tmp_path / "notes.symbn.toml").unlink()
    declare.write_text('positive = ["x"]\n')
    assert same(invoke(*args), invoke(*args, "--no-cache"))
    assert work["read"] == 2 + len(_changes(tmp_path)) * 2


@pytest.mark.parametrize(
    "options, env",
    [
        (["--seed", "1"], {}),
        (["--timeout", "6"], {}),
        (["--total-timeout", "599"], {}),
        (["--format", "json"], {}),
        (["--format", "latex", "--width", "text"], {}),
        (["--format", "latex", "--marks"], {}),
        (["--format", "markdown", "--no-why"], {}),
        (["--size", "m"], {}),
        (["--positive", "x"], {}),
        (["--name", "xy"], {}),
        ([], {"COLUMNS": "50"}),
        ([], {"NO_COLOR": "1"}),
        ([], {"FORCE_COLOR": "1"}),
        ([], {"SYMBN_NO_FORK": "1"}),
    ],
)
def test_every_option_and_console_setting_is_in_the_key(
    tmp_path: Path,
    cache_dir: Path,
    work: dict[str, int],
    options: list[str],
    env: dict[str, str],
) -> None:
    path = write(tmp_path, DOC)
    invoke("check", str(path))
    changed = invoke("check", *options, str(path), env=env)
    assert work["read"] == 2
    assert same(changed, invoke("check", "--no-cache", *options, str(path), env=env))


def test_the_working_folder_is_in_the_key(
    tmp_path: Path, cache_dir: Path, work: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        write(tmp_path / folder, DOC)
    monkeypatch.chdir(tmp_path / "a")
    invoke("check", "notes.md")
    monkeypatch.chdir(tmp_path / "b")
    invoke("check", "notes.md")
    assert work["read"] == 2


def test_the_source_digest_covers_symbn_and_the_shipped_derivations() -> None:
    names = {name for name, _ in symbn.runs.source_files()}
    assert "symbn/check.py" in names and "symbn/parse/grammar.lark" in names
    assert "symbn/render/assets/katex/katex.min.css" in names  # embedded by the HTML export
    assert not any("__pycache__" in name for name in names)
    assert any(name.endswith("derivations/batchnorm_bias.py") for name in names)


def test_a_file_that_is_not_regular_is_never_cached(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert symbn.runs.inputs([str(fifo)]) is None
    assert symbn.runs.inputs([str(tmp_path)]) is None
    assert symbn.runs.inputs([str(tmp_path / "missing.md")]) is None
    side = write(tmp_path, DOC)
    (tmp_path / "notes.md.symbn.toml").mkdir()
    assert symbn.runs.inputs([str(side)]) is None


# What is never stored ----------------------------------------------------------------------------


def test_a_claim_that_ran_out_of_time_or_lost_its_worker_is_never_replayed(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from symbn.budget import Failure

    path = write(tmp_path, DOC)
    for reason in (
        "no verdict within the time budget of 5 s (CPU time of the worker)",
        "the worker process died (out of memory?)",
        "the run's total budget of 600 s was spent before this step",
    ):
        monkeypatch.setattr(
            symbn.check, "run_many", lambda fn, jobs, *a, r=reason, **k: [Failure(r)] * len(jobs)
        )
        out = invoke("check", "--format", "json", str(path))
        steps = json.loads(out.stdout)["steps"]
        assert out.exit_code == 1 and {s["verdict"] for s in steps} == {"definition", "undecided"}
        assert not runs_stored(cache_dir), reason


def test_a_reading_stopped_by_its_budget_is_never_replayed(tmp_path: Path, cache_dir: Path) -> None:
    path = write(tmp_path, DOC)
    out = invoke("check", "--total-timeout", "0.000001", str(path))
    assert out.exit_code == 2 and "reading stopped here" in out.stderr
    assert not runs_stored(cache_dir)


def test_runs_that_write_files_are_never_replayed(
    tmp_path: Path, cache_dir: Path, work: dict[str, int]
) -> None:
    path = write(tmp_path, DOC)
    target = tmp_path / "out.tex"
    for _ in range(2):
        invoke("check", "--format", "latex", "-o", str(target), "--force", str(path))
    assert work["read"] == 2 and "\\tag{4}" in target.read_text()
    inferred = write(tmp_path, DOC, "inferred.md")
    for _ in range(2):
        invoke("check", "--write-declaration", "--force", str(inferred))
    assert work["read"] == 4 and not runs_stored(cache_dir)


def test_a_document_changed_while_it_was_checked_is_not_stored(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, DOC)
    check = symbn.check.check_many

    def editing(*args: Any, **kwargs: Any) -> Any:
        path.write_text(DOC + "\n$$y = y \\tag{9}$$\n", encoding="utf-8")
        return check(*args, **kwargs)

    monkeypatch.setattr(symbn.check, "check_many", editing)
    invoke("check", str(path))
    assert not runs_stored(cache_dir)


def test_no_cache_and_symbn_no_cache_neither_read_nor_write_runs(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, DOC)
    invoke("check", "--no-cache", str(path))
    invoke("check", str(path), env={"SYMBN_NO_CACHE": "1"})
    assert not runs_stored(cache_dir)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the run cache was read")

    monkeypatch.setattr(Runs, "get", refuse)
    assert invoke("check", "--no-cache", str(path)).exit_code == 1
    assert invoke("check", str(path), env={"SYMBN_NO_CACHE": "1"}).exit_code == 1


# Damage ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage", ["truncate", "flip", "garbage", "empty", "foreign", "malformed", "delete"]
)
def test_a_damaged_run_entry_is_a_miss_never_another_output(
    tmp_path: Path, cache_dir: Path, work: dict[str, int], damage: str
) -> None:
    path = write(tmp_path, DOC)
    other = write(tmp_path, UNREADABLE, "other.md")
    invoke("check", str(other))
    (foreign,) = runs_stored(cache_dir)
    foreign_bytes = foreign.read_bytes()
    invoke("check", str(path))
    (entry,) = [p for p in runs_stored(cache_dir) if p != foreign]
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    elif damage == "garbage":
        entry.write_bytes(os.urandom(len(data)))
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "foreign":  # another run's whole entry under this run's name
        entry.write_bytes(foreign_bytes)
    elif damage == "malformed":  # a checksummed entry whose pieces are not pieces
        import hashlib

        record = json.loads(data.partition(b"\n")[2])
        record["pieces"] = [["sideways", "text"]]
        body = json.dumps(record, sort_keys=True).encode()
        entry.write_bytes(
            b"symbn-cache " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        )
    else:
        entry.unlink()
    read = work["read"]
    after = invoke("check", str(path))
    assert work["read"] == read + 1
    assert same(after, invoke("check", "--no-cache", str(path)))
    assert same(invoke("check", str(path)), after) and work["read"] == read + 2  # rewritten


# Outside the test process ------------------------------------------------------------------------


def _symbn_env(cache_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "SYMBN_CACHE_DIR": str(cache_dir), **extra}
    env.pop("SYMBN_NO_CACHE", None)
    return env


def test_a_replay_prints_the_same_bytes_and_starts_without_sympy(
    tmp_path: Path, cache_dir: Path
) -> None:
    path = write(tmp_path, DOC)
    env = _symbn_env(cache_dir)
    command = [sys.executable, "-m", "symbn", "check", str(path)]
    first = subprocess.run(command, capture_output=True, env=env, check=False)
    fresh = subprocess.run([*command, "--no-cache"], capture_output=True, env=env, check=False)
    probe = (
        "import sys\n"
        "from symbn.cli import main\n"
        f"try:\n    main({['check', str(path)]!r})\n"
        "except SystemExit as exit:\n"
        "    print('sympy' in sys.modules, exit.code, file=sys.stderr)\n"
    )
    replay = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, env=env, check=False
    )
    assert first.returncode == fresh.returncode == 1
    assert first.stdout == fresh.stdout == replay.stdout and b"(4)" in replay.stdout
    assert replay.stderr.decode().splitlines()[-1] == "False 1"


def test_concurrent_first_runs_agree_and_store_one_entry(tmp_path: Path, cache_dir: Path) -> None:
    path = write(tmp_path, DOC)
    env = _symbn_env(cache_dir)
    command = [sys.executable, "-m", "symbn", "check", "--format", "json", str(path)]
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300) for run in running]
    fresh = subprocess.run([*command, "--no-cache"], capture_output=True, env=env, check=False)
    assert [run.returncode for run in running] == [1, 1, 1]
    assert all(out == (fresh.stdout, fresh.stderr) for out in outputs)
    assert len(runs_stored(cache_dir)) == 1 and not list(cache_dir.rglob(".tmp-*"))
    again = subprocess.run(command, capture_output=True, env=env, check=False)
    assert (again.stdout, again.stderr, again.returncode) == (fresh.stdout, fresh.stderr, 1)


def test_cache_info_and_clear_count_the_runs(tmp_path: Path, cache_dir: Path) -> None:
    path = write(tmp_path, DOC)
    invoke("check", str(path))
    invoke("check", "--format", "json", str(path))
    assert "; 2 runs," in invoke("cache", "info").stdout
    cleared = invoke("cache", "clear")
    assert ", 2 runs and " in cleared.stdout and not runs_stored(cache_dir)
    assert "; 0 runs," in invoke("cache", "info").stdout


def test_force_color_draws_no_progress_bar_into_a_pipe(tmp_path: Path, cache_dir: Path) -> None:
    path = write(tmp_path, DOC)
    env = _symbn_env(cache_dir, FORCE_COLOR="1")
    out = subprocess.run(
        [sys.executable, "-m", "symbn", "check", "--no-cache", str(path)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert out.returncode == 1 and b"checking" not in out.stderr and out.stderr == b""
