"""The public API as a contract: the names users call, misuse caught at the call, plain SymPy checked."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console
from sympy import Eq, Idx, IndexedBase, Rational, Sum, Symbol, sqrt

import symbn
from symbn.check import Verdict
from symbn.progress import in_notebook, reporting

m = symbn.size("m")
i = symbn.index("i", m)
j = symbn.index("j", m)
x = symbn.examples("x")
y = symbn.examples("y")
c, mu, var = symbn.symbols("c mu sigma^2")


def centering() -> symbn.Derivation:
    """A small derivation of a user's own: centering removes a shared offset."""
    return (
        symbn.Derivation("Centering removes a shared offset")
        .define(y[j], symbn.written(x[j], c), why="every example shifted by $c$")
        .define(mu, symbn.mean(y[i], i))
        .then(symbn.written(symbn.mean(x[i], i), c))
        .step(y[j] - mu, x[j] - symbn.mean(x[i], i))
    )


def misuse(match: str) -> Any:
    return pytest.raises(symbn.DerivationError, match=match)


# The contract ---------------------------------------------------------------------------------


def test_the_public_names_exist() -> None:
    for name in [
        "Derivation",
        "load",
        "names",
        "layer_symbols",
        "symbols",
        "examples",
        "units",
        "size",
        "index",
        "written",
        "group",
        "cancel",
        "mean",
        "SymbnError",
        "DerivationError",
    ]:
        assert hasattr(symbn, name), name
    assert issubclass(symbn.DerivationError, symbn.SymbnError)
    assert "batchnorm-bias" in symbn.names()


def test_labels_are_numbered_automatically_and_checked_line_by_line() -> None:
    d = centering()
    assert [line.label for line in d.lines] == ["1", "2", "3", "4"]
    report = d.check()
    assert report.ok
    assert [(r.label, r.verdict) for r in report.results] == [
        ("1", Verdict.DEFINITION),
        ("2", Verdict.DEFINITION),
        ("3", Verdict.PROVED),
        ("4", Verdict.PROVED),
    ]
    assert all(r.counterexample is None for r in report.results)


def test_an_integer_label_is_taken_as_its_digits() -> None:
    d = symbn.Derivation("t").step(c + c, 2 * c, label=7)
    assert d.lines[0].label == "7"


def test_label_and_why_are_keyword_only() -> None:
    d = symbn.Derivation("t")
    with pytest.raises(TypeError):
        d.step(c, c, "1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.define(mu, c, "1", "why")  # type: ignore[misc]


def test_a_wrong_step_is_refuted_with_a_counterexample() -> None:
    d = (
        centering()
        .define(var, symbn.mean(symbn.group(y[i], -mu) ** 2, i), label="v")
        .then(symbn.mean(x[i] ** 2, i) + symbn.mean(x[i], i) ** 2, label="wrong sign")
    )
    report = d.check()
    assert not report.ok
    result = report["wrong sign"]
    assert result.verdict is Verdict.REFUTED
    assert result.counterexample is not None
    assert Rational(result.counterexample.difference) != 0


def test_load_gives_independent_copies() -> None:
    first = symbn.load("batchnorm-bias")
    count = len(first.lines)
    first.step(c, c, label="extra")
    assert len(symbn.load("batchnorm-bias").lines) == count


# Misuse, at the call that caused it -----------------------------------------------------------


def test_then_with_no_previous_line_names_the_label() -> None:
    with misuse(r"^1: then\(\) continues the previous line, but there is none"):
        symbn.Derivation("t").then(c)
    with misuse(r"^2\.3: then\(\)"):
        symbn.Derivation("t").then(c, label="2.3")


def test_a_label_used_twice() -> None:
    d = symbn.Derivation("t").define(mu, c, label="1.1")
    with misuse(r"^1\.1: the label 1\.1 is used twice"):
        d.step(mu, c, label="1.1")
    d.step(mu, c)  # the automatic number skips taken labels
    with misuse(r"^2: the label 2 is used twice"):
        d.step(mu, c, label="2")


def test_a_float_label_is_refused_because_it_loses_digits() -> None:
    with misuse("a label must be a string such as '1.10'"):
        symbn.Derivation("t").step(c, c, label=1.10)  # type: ignore[arg-type]


def test_a_definition_that_refers_to_itself() -> None:
    with misuse(r"^1: the definition of mu refers to mu itself$"):
        symbn.Derivation("t").define(mu, mu + c)
    with misuse(r"^d: the definition of y\^\{\[l\]\} refers to y\^\{\[l\]\} itself$"):
        z = symbn.examples("y", "l")
        symbn.Derivation("t").define(z[i], z[i] + 1, label="d")


def test_a_definition_that_refers_to_itself_through_earlier_ones() -> None:
    u, v, w = symbn.symbols("u v w")
    d = symbn.Derivation("t").define(u, 2 * v, label="a").define(w, u + 1, label="b")
    with misuse(r"^c: the definition of v refers to v itself, through w \(b\), u \(a\)"):
        d.define(v, w, label="c")


def test_a_name_defined_only_after_a_step_uses_it_fails_at_the_define_call() -> None:
    d = symbn.Derivation("t").step(mu + c, c + mu, label="s")
    with misuse(r"^def: mu is used at s before this definition; define it first"):
        d.define(mu, symbn.mean(x[i], i), label="def")


def test_a_name_defined_twice() -> None:
    d = symbn.Derivation("t").define(mu, c, label="a")
    with misuse(r"^b: mu is already defined at a"):
        d.define(mu, 2 * c, label="b")


@pytest.mark.parametrize(
    ("side", "shown"),
    [
        ("x + c", "the string 'x \\+ c'"),
        ([1, 2], "a list"),
        (None, "a NoneType"),
        (Eq(c, 1), "the relation Eq"),
        (c == mu, "False"),
        (symbn.examples("q"), "q is a family"),
    ],
)
def test_a_side_that_is_not_a_sympy_expression(side: object, shown: str) -> None:
    with misuse(f"^(the left side of 4 is |4: ){shown}"):
        symbn.Derivation("t").step(c, c).step(c, c).step(c, c).step(side, c)
    with misuse("^(the right side of my-step is |my-step: )" + shown):
        symbn.Derivation("t").step(c, side, label="my-step")


def test_a_string_is_never_parsed() -> None:
    with misuse("symbn needs a SymPy expression, not text"):
        symbn.Derivation("t").step("__import__('os').system('false')", c)


def test_two_different_symbols_with_one_name() -> None:
    plain_c = Symbol("c")  # no assumptions: not the real c of symbn.symbols
    d = symbn.Derivation("t").step(c + 1, 1 + c, label="a")
    with misuse(r"^b: two different things are both named c: a real symbol \(used at a\)"):
        d.step(plain_c, plain_c, label="b")
    with misuse(r"^2: two different things are both named m"):
        symbn.Derivation("t").step(Sum(x[i], (i, 1, m)), c).step(symbn.symbols("m"), c)


def test_a_family_used_without_its_index() -> None:
    with misuse(r"^1: x is a family of values, one per index; write it with its index"):
        symbn.Derivation("t").step(2 * x, x + x)


def test_a_family_used_with_a_different_number_of_indices() -> None:
    k = symbn.index("k", 3)
    d = symbn.Derivation("t").step(x[i], x[i], label="a")
    with misuse(r"^b: x has 2 index\(es\) here but 1 at a"):
        d.step(x[k, i], c, label="b")


def test_a_definition_with_an_index_its_left_side_lacks() -> None:
    with misuse(r"^1: the definition of mu depends on the index i"):
        symbn.Derivation("t").define(mu, x[i] / m)
    with misuse(r"^1: the definition of y\[j\] depends on the index i"):
        symbn.Derivation("t").define(y[j], x[i] + c)
    hidden = symbn.index("h", m, shown=False)
    symbn.Derivation("t").define(mu, x[hidden] - symbn.mean(x[i], i))  # implicit: allowed


def test_a_failed_call_leaves_the_derivation_unchanged() -> None:
    d = centering()
    before = d.lines
    with pytest.raises(symbn.SymbnError):
        d.step(x, c)
    with pytest.raises(symbn.SymbnError):
        d.define(mu, c)
    assert d.lines == before
    assert d.check().ok


def test_a_title_and_a_justification_must_be_text() -> None:
    with misuse("a derivation needs a title"):
        symbn.Derivation("")
    with misuse(r"^1: why= takes the justification as text"):
        symbn.Derivation("t").step(c, c, why=3)  # type: ignore[arg-type]


# Plain SymPy, no display helpers ---------------------------------------------------------------


def test_plain_sympy_true_steps_are_proved_and_wrong_ones_refuted() -> None:
    a, b, s = Symbol("a", real=True), Symbol("b", real=True), Symbol("s", positive=True)
    n = Symbol("n", integer=True, positive=True)
    k = Idx("k", (1, n))
    v = IndexedBase("v", real=True)
    mean_v = Sum(v[k], (k, 1, n)) / n
    d = (
        symbn.Derivation("plain")
        .step(a * (a + b), a**2 + a * b, label="distribute")
        .step((a + b) ** 2, a**2 + b**2, label="freshman")
        .step(Sum(v[k] + b, (k, 1, n)) / n - b, mean_v, label="shift")
        .step(Sum(v[k] - mean_v, (k, 1, n)), 0, label="centred sum")
        .step(Sum(v[k] - mean_v, (k, 1, n)), 1, label="centred sum is 1")
        .step(sqrt(s**2), s, label="root")
        .differs(a + b, a - b, label="differ")
    )
    report = d.check()
    verdicts = {r.label: r.verdict for r in report.results}
    assert verdicts == {
        "distribute": Verdict.PROVED,
        "freshman": Verdict.REFUTED,
        "shift": Verdict.PROVED,
        "centred sum": Verdict.PROVED,
        "centred sum is 1": Verdict.REFUTED,
        "root": Verdict.PROVED,
        "differ": Verdict.PROVED,
    }
    assert report["freshman"].counterexample is not None
    assert report["centred sum is 1"].counterexample is not None


def test_plain_sympy_definitions_are_used_by_later_steps() -> None:
    n = Symbol("n", integer=True, positive=True)
    k = Idx("k", (1, n))
    v, w = IndexedBase("v", real=True), IndexedBase("w", real=True)
    t, avg = Symbol("t", real=True), Symbol("avg", real=True)
    d = (
        symbn.Derivation("plain definitions")
        .define(w[k], v[k] + t)
        .define(avg, Sum(w[k], (k, 1, n)) / n)
        .then(Sum(v[k], (k, 1, n)) / n + t)
        .step(w[k] - avg, v[k] - Sum(v[k], (k, 1, n)) / n + t, label="wrong")
    )
    report = d.check()
    assert report["3"].verdict is Verdict.PROVED
    assert report["wrong"].verdict is Verdict.REFUTED


# Progress ------------------------------------------------------------------------------------


def test_progress_true_outside_a_terminal_prints_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert centering().check(progress=True).ok
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_in_a_terminal_names_the_lines() -> None:
    d = centering()
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, force_jupyter=False, width=80)
    with reporting(True, d.lines, console=console) as callback:
        assert callback is not None
        for line in d.lines:
            callback(line)
    assert "checking (4)" in out.getvalue()


def test_progress_stays_silent_in_a_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("symbn.progress.in_notebook", lambda: True)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, force_jupyter=False)
    with reporting(True, centering().lines, console=console) as callback:
        assert callback is None
    assert out.getvalue() == ""


def test_progress_callback_is_called_once_per_line() -> None:
    seen: list[str] = []
    d = centering()
    d.check(progress=lambda line: seen.append(line.label))
    assert seen == ["1", "2", "3", "4"]
    with misuse("progress= takes True, False, None or a function"):
        d.check(progress="yes")  # type: ignore[arg-type]


def test_pytest_is_not_a_notebook() -> None:
    assert in_notebook() is False


# The notation helpers refuse what they cannot use ------------------------------------------------


def test_an_index_range_is_never_parsed_from_text() -> None:
    with misuse("the upper end of index i is the string 'm'"):
        symbn.index("i", "m")  # type: ignore[arg-type]
    with misuse("index i runs between integers"):
        symbn.index("i", 2.5)  # type: ignore[arg-type]
    assert symbn.index("k", 3).upper == 3


def test_helpers_reject_what_they_cannot_use() -> None:
    with misuse("names are given as one string"):
        symbn.symbols(["a", "b"])  # type: ignore[arg-type]
    with misuse("no names given"):
        symbn.layer_symbols("")
    with misuse("need at least one term"):
        symbn.written()
    with misuse("mean\\(\\) needs an index with a range"):
        symbn.mean(x[i], c)  # type: ignore[arg-type]


def test_check_options_are_validated() -> None:
    d = centering()
    with misuse("timeout= takes seconds"):
        d.check(timeout="5")  # type: ignore[arg-type]
    with misuse("timeout= takes seconds"):
        d.check(timeout=0)
    with misuse("seed= takes an integer"):
        d.check(seed=1.5)  # type: ignore[arg-type]


def test_the_package_exports_no_name_that_a_submodule_import_would_shadow() -> None:
    """``symbn.X`` must mean the same thing before and after ``import symbn.X``."""
    import importlib
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(symbn.__path__)}
    assert not submodules & set(symbn.__all__)
    for name in submodules & {"check", "model", "notation"}:
        importlib.import_module(f"symbn.{name}")
