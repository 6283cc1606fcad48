"""The verdict cache: unchanged claims are not checked again, and the cache never changes a verdict.

Ground truth for "which claims depend on a line" is written out by hand per claim below (the
document's definitions and which claim names which), and every verdict with the cache is compared
with a fresh check of the same document without it. Claims sent to the workers are counted at
:func:`symbn.check.run_many`, the one place they are sent.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console
from sympy import (
    Derivative,
    Dummy,
    Float,
    Function,
    Idx,
    IndexedBase,
    Integer,
    Piecewise,
    Rational,
    Sum,
    Symbol,
    exp,
    pi,
    sqrt,
)

import symbn
import symbn.check
import symbn.runs
from symbn.cache import (
    Cache,
    Digests,
    Keys,
    budget_allows,
    default_cache,
    restore,
    table,
)
from symbn.check import Report, check_many
from symbn.cli import main
from symbn.parse.document import read_document
from symbn.policy import Decision, Verdict

# (1)-(3) define a, b (through a) and c; (8) is false: b = x + 3.
DOC = """# Notes

$$a = x + 1 \\tag{1}$$

$$b = a + 2 \\tag{2}$$

$$c = y^2 \\tag{3}$$

$$b - 2 = x + 1 \\tag{4}$$

$$c + 1 = y^2 + 1 \\tag{5}$$

$$a - 1 = x \\tag{6}$$

$$(x + y)^2 = x^2 + 2 x y + y^2 \\tag{7}$$

$$b = x + 4 \\tag{8}$$
"""
# What each claim reaches, by hand: 4 and 8 name b, which names a; 5 names c; 6 names a.
DEPENDS = {"4": {"1", "2"}, "5": {"3"}, "6": {"1"}, "7": set(), "8": {"1", "2"}}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The verdict cache on, in a folder of this test's own (the suite turns it off elsewhere);
    the run cache off in this process, so that every command here reaches the verdicts
    (``tests/test_runs.py`` tests the run cache)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SYMBN_CACHE_DIR", str(folder))
    monkeypatch.delenv("SYMBN_NO_CACHE", raising=False)
    monkeypatch.setattr(symbn.runs, "default_runs", lambda: None)
    return folder


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The labels of the claims each call of ``run_many`` sends to the workers."""
    calls: list[list[str]] = []
    real = symbn.check.run_many

    def counting(fn: Any, jobs: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append([job[0].label for job in jobs])
        return real(fn, jobs, *args, **kwargs)

    monkeypatch.setattr(symbn.check, "run_many", counting)
    return calls


def write(folder: Path, text: str, name: str = "notes.md") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def checked(path: Path, cache: Cache | None, timeout: float = 5.0) -> Report:
    document = read_document(path)
    assert not document.problems
    return check_many([document.derivation], timeout=timeout, cache=cache)[0]


def shown(report: Report) -> list[Any]:
    """Everything a user sees of a report: JSON, the terminal, LaTeX, Markdown, HTML."""
    out = io.StringIO()
    Console(file=out, width=100, highlight=False).print(report)
    return [report.as_dict(), out.getvalue(), report.to_latex(), report.to_markdown()]


def verdicts(report: Report) -> dict[str, str]:
    return {r.label: r.verdict.value for r in report if r.line.is_claim}


# A second run ------------------------------------------------------------------------------------


def test_a_second_run_sends_no_claim_to_the_workers_and_shows_the_same_report(
    tmp_path: Path, cache_dir: Path, sent: list[list[str]]
) -> None:
    path = write(tmp_path, DOC)
    first = checked(path, Cache(cache_dir))
    assert sorted(sent[-1]) == sorted(DEPENDS)
    assert verdicts(first) == {
        "4": "proved",
        "5": "proved",
        "6": "proved",
        "7": "proved",
        "8": "refuted",
    }
    cache = Cache(cache_dir)
    second = checked(path, cache)
    assert sent[-1] == []
    assert cache.stats.hits == len(DEPENDS) and cache.stats.misses == 0
    assert shown(second) == shown(first)
    assert second["8"].counterexample is not None and second["8"].remainder is not None


def test_the_shipped_derivations_read_back_from_the_cache_exactly(
    cache_dir: Path, sent: list[list[str]]
) -> None:
    derivations = [symbn.load(name) for name in symbn.names()]
    first = check_many(derivations, timeout=10.0, cache=Cache(cache_dir))
    second = check_many(derivations, timeout=10.0, cache=Cache(cache_dir))
    assert sent[-1] == []
    for before, after in zip(first, second, strict=True):
        assert shown(after) == shown(before)
        assert after.to_html() == before.to_html()


# Changing one line ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "rechecked", "expected"),
    [
        # a = x + 2: 4 and 8 through b, 6 directly; 4 and 6 become false, 8 true
        (
            "$$a = x + 1 \\tag{1}$$",
            "$$a = x + 2 \\tag{1}$$",
            {"4", "6", "8"},
            {"4": "refuted", "6": "refuted", "8": "proved"},
        ),
        # b = a + 3: 4 and 8 only
        (
            "$$b = a + 2 \\tag{2}$$",
            "$$b = a + 3 \\tag{2}$$",
            {"4", "8"},
            {"4": "refuted", "8": "proved"},
        ),
        ("$$c = y^2 \\tag{3}$$", "$$c = y^2 + 1 \\tag{3}$$", {"5"}, {"5": "refuted"}),
        # a claim that names nothing defined
        (
            "$$(x + y)^2 = x^2 + 2 x y + y^2 \\tag{7}$$",
            "$$(x + y)^2 = x^2 + 2 x y \\tag{7}$$",
            {"7"},
            {"7": "refuted"},
        ),
    ],
)
def test_changing_one_line_rechecks_exactly_the_claims_that_depend_on_it(
    tmp_path: Path,
    cache_dir: Path,
    sent: list[list[str]],
    old: str,
    new: str,
    rechecked: set[str],
    expected: dict[str, str],
) -> None:
    path = write(tmp_path, DOC)
    checked(path, Cache(cache_dir))
    changed = line_of(old)
    assert rechecked == {c for c, deps in DEPENDS.items() if changed in deps or c == changed}
    write(tmp_path, DOC.replace(old, new))
    with_cache = checked(path, Cache(cache_dir))
    assert sorted(sent[-1]) == sorted(rechecked)
    for label, verdict in expected.items():
        assert with_cache[label].verdict.value == verdict
    assert shown(with_cache) == shown(checked(path, None))


def line_of(row: str) -> str:
    return row.rsplit("\\tag{", 1)[1].split("}")[0]


FUNCTIONS = """$$\\sigma(t) = \\frac{1}{1 + e^{-t}} \\tag{1}$$

$$\\sigma(y) + \\sigma(-y) = 1 \\tag{2}$$

$$z^{(i)} = w a^{(i)} + b \\tag{3}$$

$$\\frac{1}{m} \\sum_{i=1}^{m} z^{(i)} = w \\frac{1}{m} \\sum_{i=1}^{m} a^{(i)} + b \\tag{4}$$

$$(y + 1)^2 = y^2 + 2 y + 1 \\tag{5}$$
"""


@pytest.mark.parametrize(
    ("old", "new", "rechecked"),
    [
        ("\\frac{1}{1 + e^{-t}}", "\\frac{2}{1 + e^{-t}}", ["2"]),  # a function's definition
        ("w a^{(i)} + b", "w a^{(i)} + 2 b", ["4"]),  # a family's definition, per example
    ],
)
def test_a_changed_function_or_family_definition_rechecks_its_claims(
    tmp_path: Path,
    cache_dir: Path,
    sent: list[list[str]],
    old: str,
    new: str,
    rechecked: list[str],
) -> None:
    path = write(tmp_path, FUNCTIONS)
    assert set(verdicts(checked(path, Cache(cache_dir))).values()) == {"proved"}
    write(tmp_path, FUNCTIONS.replace(old, new))
    after = checked(path, Cache(cache_dir))
    assert sent[-1] == rechecked
    assert after[rechecked[0]].verdict is Verdict.REFUTED
    assert shown(after) == shown(checked(path, None))


def test_documents_of_one_name_with_different_definitions_keep_their_own_verdicts(
    tmp_path: Path, cache_dir: Path
) -> None:
    """Same file name, same labels, so the same seeds: only the definitions tell them apart."""
    paths = []
    for k, value in enumerate(["x + 1", "x + 2"]):
        folder = tmp_path / str(k)
        folder.mkdir()
        paths.append(write(folder, f"$$a = {value} \\tag{{1}}$$\n\n$$a - 1 = x \\tag{{2}}$$\n"))
    derivations = [read_document(p).derivation for p in paths]
    assert derivations[0].name == derivations[1].name
    for _ in range(2):
        both = check_many(derivations, timeout=5.0, cache=Cache(cache_dir))
        assert [r["2"].verdict for r in both] == [Verdict.PROVED, Verdict.REFUTED]


def test_an_assumption_is_an_input_of_every_claim(
    tmp_path: Path, cache_dir: Path, sent: list[list[str]]
) -> None:
    base = "$$\\sqrt{x^2} = x \\tag{1}$$\n\n$$y + y = 2 y \\tag{2}$$\n"
    path = write(tmp_path, base)
    assert verdicts(checked(path, Cache(cache_dir))) == {"1": "refuted", "2": "proved"}
    write(tmp_path, '<!-- symbn: positive = ["x"] -->\n' + base)
    after = checked(path, Cache(cache_dir))
    assert verdicts(after) == {"1": "proved", "2": "proved"}
    assert sent[-1] == ["1"]  # x > 0 is a symbol's assumption: the claims naming x change


def test_a_definition_reached_only_through_an_assumption_is_an_input(cache_dir: Path) -> None:
    x = Symbol("x", real=True)
    a = Symbol("a", real=True)

    def derivation(value: Any) -> Any:
        d = symbn.Derivation("through an assumption", name="assumed")
        d.define(a, value, label="1")
        d.step(sqrt(x**2), x, label="2")
        return d.assume(x > a)

    first = check_many([derivation(Integer(0))], timeout=5.0, cache=Cache(cache_dir))[0]
    assert first["2"].verdict is Verdict.PROVED  # x > a = 0
    second = check_many([derivation(Integer(-1))], timeout=5.0, cache=Cache(cache_dir))[0]
    fresh = check_many([derivation(Integer(-1))], timeout=5.0)[0]
    assert second["2"].verdict is fresh["2"].verdict is Verdict.REFUTED  # x > -1 allows x < 0


def test_seed_and_label_are_inputs(tmp_path: Path, cache_dir: Path, sent: list[list[str]]) -> None:
    path = write(tmp_path, DOC)
    document = read_document(path)
    check_many([document.derivation], timeout=5.0, seed=0, cache=Cache(cache_dir))
    check_many([document.derivation], timeout=5.0, seed=1, cache=Cache(cache_dir))
    assert sorted(sent[-1]) == sorted(DEPENDS)
    write(tmp_path, DOC.replace("\\tag{7}", "\\tag{70}"))
    checked(path, Cache(cache_dir))
    assert sent[-1] == ["70"]


# Keys -------------------------------------------------------------------------------------------------


def _key(line_lhs: Any, line_rhs: Any, seed: int = 0) -> str | None:
    d = symbn.Derivation("k", name="k").step(line_lhs, line_rhs, label="1")
    plan = symbn.check._plan(d, seed)
    key = Keys().claim(plan[0][1])
    return None if key is None else key.key


def test_a_key_follows_sympy_equality() -> None:
    x, y = Symbol("x", real=True), Symbol("y", real=True)
    assert _key(x + y, y + x) == _key(y + x, x + y) is not None
    assert _key(x + y, y + x) != _key(x + y, y + x + 0 * x + 1)
    assert _key(x, x) != _key(Symbol("x", positive=True), Symbol("x", positive=True))
    assert _key(Rational(1, 2) * x, x) != _key(Float(0.5) * x, x)
    f, g = Function("f"), Function("f", real=True)
    assert _key(f(x), x) != _key(g(x), x)
    a, b = IndexedBase("a", real=True), IndexedBase("a")
    i = Idx("i", (1, Symbol("m", integer=True, positive=True)))
    assert _key(a[i], x) != _key(b[i], x)
    assert _key(symbn.examples("a")[i], x) != _key(symbn.units("a")[i], x)


def test_a_claim_with_an_unstable_dummy_is_checked_but_not_cached(
    cache_dir: Path, sent: list[list[str]]
) -> None:
    z = Dummy("z", real=True)
    d = symbn.Derivation("dummy", name="dummy").step(z + z, 2 * z, label="1")
    assert _key(z + z, 2 * z) is None
    for _ in range(2):
        assert (
            check_many([d], timeout=5.0, cache=Cache(cache_dir))[0]["1"].verdict is Verdict.PROVED
        )
        assert sent[-1] == ["1"]


def test_deep_and_shared_expressions_are_digested_without_recursion() -> None:
    x = Symbol("x", real=True)
    f, g = Function("f"), Function("g")
    deep: Any = x
    for k in range(5000):  # far deeper than Python's recursion limit
        deep = f(deep) if k % 2 else g(deep, k)
    assert len(Digests().of(deep)) == 32
    assert len(table(deep)) == 5000 + 2500 + 1  # the calls, the numbers k, x
    shared: Any = x
    for _ in range(200):  # 2**200 paths, 200 distinct nodes
        shared = Function("f")(shared, shared)
    assert len(Digests().of(shared)) == 32


# Stored expressions ------------------------------------------------------------------------------


def test_expressions_rebuild_from_their_tables() -> None:
    x, m = Symbol("x", real=True), Symbol("m", integer=True, positive=True)
    i = Idx("i", (1, m))
    a = symbn.examples("a")
    f = Function("f", real=True)
    for expr in [
        x**2 - 3 * x + Rational(7, 3),
        Sum(a[i] - x, (i, 1, m)) / m,
        Piecewise((x, x > 0), (-x, True)),
        Float("0.1", 30) * exp(pi * x),
        Derivative(f(x), x) + f(x + 1),
        Integer(10) ** 80 + sqrt(2),
    ]:
        back = restore(json.loads(json.dumps(table(expr))))
        assert back == expr and type(back) is type(expr)


@pytest.mark.parametrize(
    "nodes",
    [
        [["Node", "system", []]],
        [["Node", "__import__", []]],
        [["S", "register"]],
        [["S", "__class__"]],
        [["Symbol", "x", {}], ["Node", "Add", [0, 5]]],
        [["Symbol", "x", {"real": "yes"}]],
        [["Dummy", "x", 3, {}]],
        [["Integer", "1e9"]],
        [],
        "x",
    ],
)
def test_a_malformed_table_is_refused_never_evaluated(nodes: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        restore(nodes)


# Corrupt, truncated, missing, foreign entries ------------------------------------------------------


def _entries(folder: Path) -> list[Path]:
    """The verdicts stored under ``folder`` (not the runs beside them)."""
    return sorted(p for p in Cache(folder).entries.rglob("*.json") if not p.name.startswith(".tmp-"))


def _corrupt(kind: str, path: Path, others: list[Path], original: Path) -> None:
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "flipped":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1 :])
    elif kind == "verdict edited":
        swapped = data.replace(b'"refuted"', b"@").replace(b'"proved"', b'"refuted"')
        path.write_bytes(swapped.replace(b"@", b'"proved"'))
    elif kind == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif kind == "swapped":  # a whole, valid entry of another claim under this one's name
        path.write_bytes(others[(others.index(original) + 1) % len(others)].read_bytes())
    elif kind == "deleted":
        path.unlink()
    elif kind == "folder":
        path.unlink()
        path.mkdir()
    elif kind == "json without checksum":
        path.write_bytes(data.partition(b"\n")[2])
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "truncated",
        "empty",
        "flipped",
        "verdict edited",
        "garbage",
        "swapped",
        "deleted",
        "folder",
        "json without checksum",
    ],
)
def test_a_damaged_cache_never_changes_a_verdict(
    tmp_path: Path, cache_dir: Path, sent: list[list[str]], kind: str
) -> None:
    path = write(tmp_path, DOC)
    fresh = shown(checked(path, None))
    checked(path, Cache(cache_dir))
    entries = _entries(cache_dir)
    assert len(entries) == len(DEPENDS)
    originals = tmp_path / "originals"
    originals.mkdir()
    copies = []
    for n, entry in enumerate(entries):
        copies.append(originals / f"{n}.json")
        copies[-1].write_bytes(entry.read_bytes())
    for entry, copy in zip(entries, copies, strict=True):
        _corrupt(kind, entry, copies if kind == "swapped" else entries, copy)
    again = checked(path, Cache(cache_dir))
    assert shown(again) == fresh
    assert sorted(sent[-1]) == sorted(DEPENDS)  # every damaged entry was a miss
    assert shown(checked(path, Cache(cache_dir))) == fresh  # and was rewritten whole


def test_an_unwritable_cache_folder_checks_as_without_one(tmp_path: Path) -> None:
    path = write(tmp_path, DOC)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cache = Cache(blocker)
    assert shown(checked(path, cache)) == shown(checked(path, None))
    assert cache.stats.stored == 0


# The budget -------------------------------------------------------------------------------------------


def test_which_budgets_a_stored_verdict_is_valid_under() -> None:
    assert budget_allows(5.0, 5.0, holds=True, timed_out=False)
    assert budget_allows(5.0, 10.0, holds=True, timed_out=False)
    assert budget_allows(5.0, None, holds=True, timed_out=False)
    assert not budget_allows(5.0, 2.0, holds=True, timed_out=False)
    assert not budget_allows(None, 5.0, holds=True, timed_out=False)
    for holds, timed_out in [(False, False), (False, True)]:
        assert budget_allows(5.0, 5.0, holds=holds, timed_out=timed_out)
        assert not budget_allows(5.0, 10.0, holds=holds, timed_out=timed_out)
        assert not budget_allows(5.0, None, holds=holds, timed_out=timed_out)
        assert not budget_allows(5.0, 2.0, holds=holds, timed_out=timed_out)


def test_a_bigger_budget_rechecks_an_undecided_claim(
    cache_dir: Path, sent: list[list[str]]
) -> None:
    x, y, z, w, v = (Symbol(n, real=True) for n in "xyzwv")
    d = (
        symbn.Derivation("slow", name="slow")
        .step(x + x, 2 * x, label="1")
        .step((x + y + z + w + v) ** 60, (x + y + z + w - v) ** 60, label="2")
        .step(x * y, y * x + 1, label="3")
    )
    first = check_many([d], timeout=0.3, cache=Cache(cache_dir))[0]
    assert [r.verdict for r in first] == [Verdict.PROVED, Verdict.UNDECIDED, Verdict.REFUTED]
    assert "time budget of 0.3 s" in first["2"].reason
    check_many([d], timeout=0.3, cache=Cache(cache_dir))
    assert sent[-1] == []  # the same budget: the same verdicts
    check_many([d], timeout=0.6, cache=Cache(cache_dir))
    assert sent[-1] == ["2", "3"]  # more time: the undecided and the refuted one again
    check_many([d], timeout=0.2, cache=Cache(cache_dir))
    assert sent[-1] == ["1", "2", "3"]  # less time: even the proved one


def test_a_failure_other_than_time_is_never_stored(cache_dir: Path) -> None:
    from symbn.budget import Failure

    d = symbn.Derivation("f", name="f").step(Symbol("x") * 2, 2 * Symbol("x"), label="1")
    key = Keys().claim(symbn.check._plan(d, 0)[0][1])
    assert key is not None
    cache = Cache(cache_dir)
    assert not cache.put(key, 5.0, Failure("the worker process died (out of memory?)"))
    assert not cache.put(key, 5.0, Failure("out of memory"))
    wall = "no verdict within the time budget of 5 s (it did not end within 55 s wall-clock)"
    assert not cache.put(key, 5.0, Failure(wall))
    assert cache.get(key, 5.0) is None
    assert cache.put(
        key, 5.0, Failure("no verdict within the time budget of 5 s (CPU time of the worker)")
    )
    assert cache.get(key, 5.0) is not None and cache.get(key, 6.0) is None


# The command line ---------------------------------------------------------------------------------


def _forge(path: Path, label: str, verdict: Verdict, cache_dir: Path) -> None:
    """Store a false verdict for claim ``label`` of ``path``, as a (broken) checker would."""
    document = read_document(path)
    job = dict(symbn.check._plan(document.derivation, 0))[document.derivation.line(label)]
    key = Keys().claim(job)
    assert key is not None
    assert Cache(cache_dir).put(key, 5.0, Decision(verdict, "forged by the test"))


def test_no_cache_neither_reads_nor_writes_the_cache(
    tmp_path: Path, cache_dir: Path, sent: list[list[str]]
) -> None:
    path = write(tmp_path, DOC)
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--no-cache", "--format", "json", str(path)])
    assert result.exit_code == 1 and not _entries(cache_dir)
    _forge(path, "7", Verdict.REFUTED, cache_dir)
    used = json.loads(runner.invoke(main, ["check", "--format", "json", str(path)]).stdout)
    assert {s["label"]: s["verdict"] for s in used["steps"]}["7"] == "refuted"  # it is read
    bypassed = json.loads(
        runner.invoke(main, ["check", "--no-cache", "--format", "json", str(path)]).stdout
    )
    assert {s["label"]: s["verdict"] for s in bypassed["steps"]}["7"] == "proved"
    assert "7" in sent[-1]


def test_derive_uses_the_cache_and_no_cache_bypasses_it(
    cache_dir: Path, sent: list[list[str]]
) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["derive", "--format", "json"])
    second = runner.invoke(main, ["derive", "--format", "json"])
    assert first.exit_code == second.exit_code == 0 and first.stdout == second.stdout
    assert sent[-1] == []
    runner.invoke(main, ["derive", "--no-cache", "--format", "json"])
    assert sent[-1] == sent[0] and len(sent[0]) == 10  # every claim of batchnorm-bias
    runner.invoke(main, ["derive", "--all", "--format", "json"])
    runner.invoke(main, ["derive", "--all", "--format", "json"])
    assert sent[-1] == []


def test_cache_clear_and_info(tmp_path: Path, cache_dir: Path, sent: list[list[str]]) -> None:
    path = write(tmp_path, DOC)
    runner = CliRunner()
    runner.invoke(main, ["check", str(path)])
    info = runner.invoke(main, ["cache", "info"])
    assert info.exit_code == 0 and f"{cache_dir}: {len(DEPENDS)} verdicts" in info.stdout
    (cache_dir / "mine.txt").write_text("not the cache's")
    (cache_dir / "parser-0123.lark").write_bytes(b"grammar tables")  # the parser's, beside it
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and f"removed {len(DEPENDS)} verdicts" in cleared.stdout
    assert (cache_dir / "mine.txt").exists() and not _entries(cache_dir)
    assert not list(cache_dir.glob("parser-*.lark")) and "parser tables" in cleared.stdout
    assert f"{cache_dir}: 0 verdicts" in runner.invoke(main, ["cache", "info"]).stdout
    runner.invoke(main, ["check", str(path)])
    assert sorted(sent[-1]) == sorted(DEPENDS)


def test_cache_info_and_clear_start_without_sympy(cache_dir: Path) -> None:
    probe = (
        "import sys\n"
        "from symbn.cli import main\n"
        "for args in (['cache', 'info'], ['cache', 'clear']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('sympy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "False"


def test_the_cache_is_off_where_symbn_no_cache_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYMBN_NO_CACHE", "1")
    assert default_cache() is None
    monkeypatch.setenv("SYMBN_NO_CACHE", "0")
    monkeypatch.setenv("SYMBN_CACHE_DIR", "/nonexistent/symbn-cache")
    cache = default_cache()
    assert cache is not None and cache.root == Path("/nonexistent/symbn-cache")


# Concurrent runs and the size bound -----------------------------------------------------------------


def _symbn(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    script = Path(sys.executable).with_name("symbn")
    return subprocess.Popen(
        [str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def test_concurrent_runs_share_the_cache_safely(
    tmp_path: Path, cache_dir: Path, sent: list[list[str]]
) -> None:
    many = DOC + "".join(
        f"\n$$(x + {k})^2 = x^2 + {2 * k} x + {k * k} \\tag{{{100 + k}}}$$\n" for k in range(20)
    )
    path = write(tmp_path, many)
    fresh = subprocess.run(
        [
            str(Path(sys.executable).with_name("symbn")),
            "check",
            "--no-cache",
            "--format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    env = {**os.environ, "SYMBN_CACHE_DIR": str(cache_dir)}
    env.pop("SYMBN_NO_CACHE", None)
    runs = [_symbn("check", "--format", "json", str(path), env=env) for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [1, 1, 1]
    for out, _ in outputs:
        assert json.loads(out) == json.loads(fresh.stdout)
    assert not [p for p in cache_dir.rglob(".tmp-*")]  # no temporary file left behind
    claims = len(DEPENDS) + 20
    assert len(_entries(cache_dir)) == claims
    again = checked(path, Cache(cache_dir))
    assert sent[-1] == []
    expected = json.loads(fresh.stdout)
    for step in expected["steps"]:  # the places and the notation come from the document
        for key in ("file", "line", "column"):
            del step[key]
    assert {**again.as_dict(), "file": str(path), "problems": [], "inferred": {}} == expected


def test_the_cache_stays_within_its_size_by_evicting_the_oldest(
    tmp_path: Path, cache_dir: Path
) -> None:
    path = write(tmp_path, DOC)
    checked(path, Cache(cache_dir))
    entries = _entries(cache_dir)
    sizes = sum(p.stat().st_size for p in entries)
    for age, entry in enumerate(entries):
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))
    oldest = entries[0]
    small = Cache(cache_dir, max_bytes=sizes - 1)
    assert small.evict() >= 1
    assert not oldest.exists() and entries[-1].exists()
    assert sum(p.stat().st_size for p in _entries(cache_dir)) <= small.max_bytes


def test_a_stale_temporary_file_is_removed(cache_dir: Path, tmp_path: Path) -> None:
    path = write(tmp_path, DOC)
    checked(path, Cache(cache_dir))
    shard = _entries(cache_dir)[0].parent
    stale, recent = shard / ".tmp-old.json", shard / ".tmp-new.json"
    stale.write_text("{")
    recent.write_text("{")
    os.utime(stale, (1_000_000, 1_000_000))
    Cache(cache_dir).evict()
    assert not stale.exists() and recent.exists()


# The pytest plugin ----------------------------------------------------------------------------------

pytest_plugins = ["pytester"]


def test_the_pytest_plugin_uses_the_cache(
    pytester: pytest.Pytester, cache_dir: Path, sent: list[list[str]]
) -> None:
    pytester.makefile(".md", notes=DOC)
    first = pytester.runpytest("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "--symbn")
    first.assert_outcomes(passed=4, failed=1)
    assert sorted(sent[-1]) == sorted(DEPENDS)
    second = pytester.runpytest("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "--symbn")
    second.assert_outcomes(passed=4, failed=1)
    assert sent[-1] == []
    assert _failure(first) == _failure(second)


def _failure(result: pytest.RunResult) -> str:
    out = result.stdout.str()
    return out[out.index("notes.md:") : out.index("short test summary")]


def test_a_changed_recursion_re_checks_the_claims_that_use_it(cache_dir: Path) -> None:
    """A recursion (Q[n + 1] := …) is part of what a claim on Q depends on: changing it must never
    leave the old verdict in place."""
    from sympy import IndexedBase, Rational, Symbol

    import symbn

    n = Symbol("n", integer=True, positive=True)
    q, r = IndexedBase("Q", real=True), IndexedBase("R", real=True)

    def built(shift: Any) -> symbn.Derivation:
        d = symbn.Derivation("incremental mean", name="incremental")
        d.recursion(q[n + 1], q[n] + (r[n] - q[n]) / n + shift, label="1")
        d.step(q[n + 1] - q[n], (r[n] - q[n]) / n, label="2")
        return d

    first = check_many([built(0)], timeout=10, cache=Cache(cache_dir))[0]
    assert first["2"].verdict.value == "proved"
    changed = check_many([built(Rational(1, 2))], timeout=10, cache=Cache(cache_dir))[0]
    assert changed["2"].verdict.value == "refuted"
    again = Cache(cache_dir)
    assert check_many([built(0)], timeout=10, cache=again)[0]["2"].verdict.value == "proved"
    assert again.stats.hits == 1
