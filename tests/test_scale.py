"""Linear growth, measured by counting symbn's own operations (never by timing).

Each test runs the same work at two sizes, ``n`` and ``4 n``, and counts the Python lines symbn's
modules execute (a trace limited to ``symbn/``; SymPy's and lark's work is per equation anyway).
Linear work grows about 4 times; anything that rescans what came before (a label search, a copy
of every earlier definition, a loop over the earlier lines) grows about 16 times and fails.
Speed itself is measured by ``bench/speed.py``, not here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from sympy import Rational

import symbn
from symbn import budget
from symbn.check import _plan, check_many
from symbn.model import Derivation
from symbn.parse.document import MAX_EQUATIONS, read_text

PACKAGE = str(Path(symbn.__file__).parent)
LINEAR = 4 * 1.25  # four times the work, with a margin for per-run constants


def symbn_lines(work: Callable[[], Any]) -> int:
    """How many lines of symbn's own code ``work()`` executes."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    saved = sys.gettrace()
    sys.settrace(global_)
    try:
        work()
    finally:
        sys.settrace(saved)
    return count


def growth(make: Callable[[int], Callable[[], Any]], n: int) -> float:
    """Operations at ``4 n`` over operations at ``n`` (``make(k)`` prepares the work of size ``k``)."""
    make(n // 4)()  # first-use work (imports, caches) out of the way
    small = symbn_lines(make(n))
    large = symbn_lines(make(4 * n))
    return large / small


def chained(count: int) -> Callable[[], Derivation]:
    """Building a derivation of ``count`` definitions, each used by the next, and a claim after each."""
    xs = symbn.symbols(" ".join(f"x{k}" for k in range(count + 1)))
    y = symbn.symbols("y")

    def build() -> Derivation:
        d = symbn.Derivation("chain")
        for k in range(1, count + 1):
            d.define(xs[k], xs[k - 1] + Rational(k, 3) * y)
            d.step(xs[k] - xs[k - 1], Rational(k, 3) * y)
            d.then(Rational(2 * k, 6) * y)
        return d

    return build


def test_building_a_derivation_is_linear_in_its_lines() -> None:
    assert growth(chained, 60) <= LINEAR


def test_a_failed_line_leaves_the_indexes_unchanged() -> None:
    x, y = symbn.symbols("x y")
    d = symbn.Derivation("t").define(x, 2 * y)
    with pytest.raises(symbn.SymbnError):
        d.define(y, x)  # y is used at 1 before this definition
    with pytest.raises(symbn.SymbnError):
        d.step(x, y, label="1")  # the label is taken
    d.step(x, 2 * y)
    assert [line.label for line in d.lines] == ["1", "2"]
    assert set(d.defined) == {x} and d.check().ok


def test_a_copy_grows_apart_from_its_original() -> None:
    import copy

    x, y, z = symbn.symbols("x y z")
    original = symbn.Derivation("t").define(x, 2 * y)
    twin = copy.copy(original)
    twin.define(z, x + 1).step(z, 2 * y + 1)
    original.define(z, x - 1)  # z is free again in the original
    assert len(original.lines) == 2 and len(twin.lines) == 3
    assert original.defined[z].rhs == x - 1 and twin.defined[z].rhs == x + 1


def test_a_view_of_the_lines_keeps_what_it_showed() -> None:
    x, y = symbn.symbols("x y")
    d = symbn.Derivation("t").step(x + y, y + x)
    before = d.lines
    d.step(x * y, y * x)
    assert len(before) == 1 and len(d.lines) == 2
    assert before == (d.lines[0],) and d.lines[-1].label == "2" and d.lines[1:] == (d.lines[1],)


def document(claims: int, definitions: int = 0) -> str:
    """A Markdown document: ``definitions`` names, then ``claims`` claims using them in turn."""
    rows = ["# synthetic"]
    if definitions:
        names = ", ".join(f'"u_{{{k}}}"' for k in range(definitions))
        rows.append(f"<!-- symbn: names = [{names}] -->")
    label = 0
    for k in range(definitions):
        label += 1
        rows.append(f"$$u_{{{k}}} = x + {k} y \\tag{{{label}}}$$")
    for c in range(claims):
        label += 1
        if definitions:
            k = c % definitions
            rows.append(f"$$2 u_{{{k}}} - x = x + {2 * k} y \\tag{{{label}}}$$")
        else:
            rows.append(
                f"$$(x + {c + 1})^2 = x^2 + {2 * (c + 1)} x + {(c + 1) ** 2} \\tag{{{label}}}$$"
            )
    return "\n\n".join(rows) + "\n"


def test_reading_a_document_is_linear_in_its_equations() -> None:
    def make(n: int) -> Callable[[], Any]:
        text = document(n)
        return lambda: read_text(text, "synthetic.md")

    assert growth(make, 40) <= LINEAR


def test_reading_many_definitions_is_linear() -> None:
    def make(n: int) -> Callable[[], Any]:
        text = document(n, definitions=n)
        return lambda: read_text(text, "synthetic.md")

    assert growth(make, 40) <= LINEAR


def test_planning_interleaved_definitions_is_linear() -> None:
    """Each claim's definitions are a prefix of one table, never a copy of every earlier one."""

    def make(n: int) -> Callable[[], Any]:
        derivation = chained(n)()
        return lambda: _plan(derivation, 0)

    assert growth(make, 100) <= LINEAR
    plan = _plan(chained(20)(), 0)
    tables = {id(job[1].table) for _, job in plan if job is not None}
    assert len(tables) == 1


def test_checking_claims_of_shared_definitions_is_flat_per_claim() -> None:
    """50 definitions used by many claims: every claim costs the same, definitions are put in once."""

    def make(n: int) -> Callable[[], Any]:
        derivation = read_text(document(n, definitions=10), "synthetic.md").derivation
        return lambda: check_many([derivation], timeout=None)

    assert growth(make, 30) <= LINEAR


def test_the_checks_of_a_large_document_hold_as_for_a_small_one() -> None:
    """Correct verdicts at scale: the definitions reach the last claim, a slip there is refuted."""
    text = document(600, definitions=20).replace(
        "$$2 u_{19} - x = x + 38 y \\tag{620}$$", "$$2 u_{19} - x = x + 39 y \\tag{620}$$"
    )
    derivation = read_text(text, "synthetic.md").derivation
    (report,) = check_many([derivation], timeout=None)
    verdicts = {r.label: r.verdict.value for r in report}
    assert verdicts["620"] == "refuted" and report["620"].uses == ("20",)
    assert sum(v == "proved" for v in verdicts.values()) == 599
    assert sum(v == "definition" for v in verdicts.values()) == 20


def test_the_cap_on_equations_stays_and_is_named() -> None:
    from symbn.errors import SymbnError

    assert MAX_EQUATIONS >= 5_000
    text = "\n\n".join(f"$$x_{{{k}}} = {k}$$" for k in range(MAX_EQUATIONS + 1))
    with pytest.raises(SymbnError, match=f"more than {MAX_EQUATIONS} equations"):
        read_text(text, "huge.md")


def test_verdicts_and_seeds_do_not_depend_on_the_number_of_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    derivations = [symbn.load("batchnorm-bias"), symbn.load("batchnorm-scale")]

    def outcome(workers: int) -> list[list[tuple[str, str, int, str]]]:
        monkeypatch.setattr(budget, "WORKERS", workers)
        reports = check_many(derivations, timeout=30.0, seed=5)
        return [
            [
                (
                    r.label,
                    r.verdict.value,
                    r.seed,
                    str(r.counterexample and r.counterexample.as_dict()),
                )
                for r in report
            ]
            for report in reports
        ]

    assert outcome(1) == outcome(3)


def test_the_normal_form_memo_changes_no_result_and_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every claim of the shipped derivations: the same remainders with a cold memo, a warm one,
    and a memo so small it is emptied all the time."""
    from symbn import normal

    steps = []
    for name in symbn.names():
        for _, job in _plan(symbn.load(name), 0):
            if job is not None:
                from symbn.check import substitute

                lhs, _ = substitute(job[0].lhs_meaning, job[1])
                rhs, _ = substitute(job[0].rhs_meaning, job[1])
                steps.append(lhs - rhs)

    def forms() -> list[Any]:
        return [normal.normal_form(step) for step in steps]

    normal._MEMO.clear()
    cold = forms()
    warm = forms()
    monkeypatch.setattr(normal, "MEMO_ENTRIES", 3)
    normal._MEMO.clear()
    tiny = forms()
    assert cold == warm == tiny
    assert len(normal._MEMO) <= 3
    assert len(steps) > 40
