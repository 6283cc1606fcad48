"""Killed runs: one message, the signal's exit code, and no process of the run left behind.

Each test starts ``symbn check`` on a document whose claims compute for a long time, in a session
of its own (so its process group is its own), waits until its workers run, sends one signal and
then lists what is left of the group. Process listing reads ``/proc``: Linux only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or not hasattr(os, "killpg"),
    reason="lists processes through /proc",
)

GUARD = 60  # seconds; a guard against a hang, never an assertion on time
SLOW = (
    "# Slow\n\n"
    "$$(x+y+z+w+v)^{90} = (x+y+z+w-v)^{90}$$\n\n"
    "$$(x+y+z+w+u)^{90} = (x+y+z+w-u)^{90}$$\n\n"
    "$$(x+y+z+u+v)^{90} = (x+y+z+u-v)^{90}$$\n"
)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of ``pid``, or None when it is gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    return fields[0].decode(), int(fields[1]), int(fields[2])


def _alive_in_group(group: int) -> list[int]:
    """The processes of ``group`` that still run (zombies waiting for a reaper do not count)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None and found[2] == group and found[0] not in ("Z", "X"):
                alive.append(int(entry.name))
    return alive


def _children(pid: int) -> list[int]:
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and (found := _stat(int(entry.name))) and found[1] == pid
    ]


def _wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + GUARD
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def slow_run(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """``symbn check`` on slow claims, in its own session, its workers already started."""
    document = tmp_path / "slow.md"
    document.write_text(SLOW)
    code = "from symbn.process import entry; entry()"
    run = subprocess.Popen(
        [sys.executable, "-c", code, "check", str(document), "--timeout", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_until(lambda: len(_children(run.pid)) >= 1, "the workers to start")
        time.sleep(0.3)  # the workers are computing now
        yield run
    finally:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        run.wait()


def _assert_nothing_left(run: subprocess.Popen[str]) -> None:
    _wait_until(lambda: not _alive_in_group(run.pid), "the run's processes to end")


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_a_signal_to_symbn_ends_it_and_its_workers(
    slow_run: subprocess.Popen[str], signum: int, code: int
) -> None:
    os.kill(slow_run.pid, signum)
    _, err = slow_run.communicate(timeout=GUARD)  # hangs if a worker holds the pipes open
    assert slow_run.returncode == code, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    _assert_nothing_left(slow_run)


def test_ctrl_c_at_the_terminal_reaches_every_process_and_prints_one_line(
    slow_run: subprocess.Popen[str],
) -> None:
    os.killpg(slow_run.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
    _, err = slow_run.communicate(timeout=GUARD)
    assert slow_run.returncode == 130
    assert err.strip() == "symbn: interrupted"
    _assert_nothing_left(slow_run)


def test_workers_die_with_a_parent_killed_outright(slow_run: subprocess.Popen[str]) -> None:
    workers = _children(slow_run.pid)
    os.kill(slow_run.pid, signal.SIGKILL)
    slow_run.communicate(timeout=GUARD)
    assert slow_run.returncode == -signal.SIGKILL
    assert workers
    _assert_nothing_left(slow_run)


WATCHED = """
import os, sys
os.environ["SYMBN_NO_FORK"] = "0"  # the watch of a forked worker (a spawned one is tied anew)
import symbn.budget as budget
budget._LIBC = None  # no PR_SET_PDEATHSIG: only the worker's own watch on its parent is left
sys.path.insert(0, {root!r})
from tests.test_budget import _job
print("start", flush=True)
budget.run_many(_job, [("spin", 0), ("spin", 0)], 120.0, workers=2)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_without_the_kernel_tie_still_notices_its_parent_is_gone() -> None:
    root = str(Path(__file__).resolve().parent.parent)
    run = subprocess.Popen(
        [sys.executable, "-c", WATCHED.format(root=root)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert run.stdout is not None and run.stdout.readline() == "start\n"
        _wait_until(lambda: len(_children(run.pid)) == 2, "the workers to start")
        os.kill(run.pid, signal.SIGKILL)
        run.communicate(timeout=GUARD)
        _assert_nothing_left(run)
    finally:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        run.wait()
