"""How derivations and reports display themselves: Jupyter, rich, IPython; displaying never raises."""

from __future__ import annotations

import pytest
from rich.console import Console

import symbn
from symbn.model import Derivation
from symbn.render import display
from tests.conftest import replaced


class Printer:
    """IPython's pretty printer, as far as ``_repr_pretty_`` uses it."""

    def __init__(self) -> None:
        self.out = ""

    def text(self, value: str) -> None:
        self.out += value


def rich_text(obj: object) -> str:
    console = Console(record=True, width=100, color_system=None)
    console.print(obj)
    return console.export_text()


def fresh(seed: Derivation) -> Derivation:
    """A copy of the seed, so that caching on one derivation does not affect another test."""
    import copy

    return copy.copy(seed)


def test_a_derivation_displays_checked_in_jupyter(seed: Derivation) -> None:
    d = fresh(seed)
    markdown = d._repr_markdown_()
    assert "\\mathrel{\\overset{\\checkmark}{=}}" in markdown and "\\tag{1.12}" in markdown
    assert "every claim holds" in markdown
    latex = d._repr_latex_()
    assert latex.startswith("$$\n\\begin{aligned}") and latex.endswith("\\end{aligned}\n$$")
    assert "\\tag" not in latex and "\\text{(1.12)}" in latex
    assert "\\mathrel{\\overset{\\checkmark}{=}}" in latex


def test_display_checks_once_and_again_after_a_change(seed: Derivation) -> None:
    d = fresh(seed)
    first = display.checked(d)
    assert display.checked(d) is first
    x = symbn.symbols("x")
    d.step(x, x, label="extra")
    second = display.checked(d)
    assert second is not first and second["extra"].verdict.value == "proved"


def test_a_failing_derivation_displays_its_counterexample(seed: Derivation) -> None:
    bad = replaced(seed, "1.12", 2 * seed.line("1.12").rhs)
    markdown = bad._repr_markdown_()
    assert "\\mathrel{{\\color{red}{\\overset{\\times}{=}}}}" in markdown
    assert "refuted" in markdown and "left side" in markdown and "$m = 2$" in markdown
    assert "Claimed conclusion" not in markdown  # the mutant has no conclusion
    latex = bad._repr_latex_()
    assert "\\mathrel{{\\color{red}{\\overset{\\times}{=}}}}" in latex and "refuted" in latex
    plain = Printer()
    bad._repr_pretty_(plain, False)
    assert (
        "(1.12) ✗" in plain.out and "refuted" in plain.out and "NOT every claim holds" in plain.out
    )
    assert "refuted" in rich_text(bad)


def test_a_derivation_whose_check_errors_still_displays(
    seed: Derivation, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = fresh(seed)

    def broken(self: Derivation, **_: object) -> None:
        raise RuntimeError("checker exploded")

    monkeypatch.setattr(Derivation, "check", broken)
    markdown = d._repr_markdown_()
    assert "could not check: RuntimeError: checker exploded" in markdown
    assert "\\tag{1.12}" in markdown  # the derivation itself, unchecked
    assert "checker exploded" in d._repr_latex_()
    assert "(1.12)" in rich_text(d) and "checker exploded" in rich_text(d)


def test_display_never_raises_even_when_rendering_fails(
    seed: Derivation, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = seed.check()

    def broken(*_: object, **__: object) -> None:
        raise ValueError("renderer exploded")

    monkeypatch.setattr("symbn.render.latex.rows", broken)
    monkeypatch.setattr("symbn.render.markdown.rows", broken)
    monkeypatch.setattr("symbn.render.terminal.render_report", broken)
    assert "renderer exploded" in report._repr_markdown_()
    assert "renderer exploded" in report._repr_latex_()
    assert "renderer exploded" in display.plain(report).replace("\n", "")
    printer = Printer()
    report._repr_pretty_(printer, False)
    assert "renderer exploded" in printer.out.replace("\n", "")


def test_rich_and_ipython_terminal_show_the_checked_derivation(seed: Derivation) -> None:
    d = fresh(seed)
    text = rich_text(d)
    assert "(1.12) ✓" in text and "every claim holds" in text
    assert "$" not in text  # justifications and the conclusion without their $ delimiters
    assert "the mean of a^[l-1]" in text
    printer = Printer()
    d._repr_pretty_(printer, False)
    assert "(1.12) ✓" in printer.out
    cyclic = Printer()
    d._repr_pretty_(cyclic, True)
    assert cyclic.out == repr(d)


def test_reprs_are_short(seed: Derivation) -> None:
    assert repr(seed) == "<Derivation 'batchnorm-bias': 15 lines>"
    assert repr(seed.check()) == "<Report 'batchnorm-bias': 15 lines, every claim holds>"


def test_the_terminal_draws_derivatives_with_the_partial_sign() -> None:
    from symbn.render.unicode import draw, inline_text

    d = symbn.load("batchnorm-bias")
    drawing = draw(d.line("C.1").lhs)
    assert drawing.count("∂") == 2 and "d" not in drawing
    assert inline_text("$b^{[l]} - b^{[l]} = 0$ and $\\sigma^2$") == "b^[l] - b^[l] = 0 and σ²"


def test_ipython_formats_a_derivation_with_every_mime_type(seed: Derivation) -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    bundle, _ = formatters.DisplayFormatter().format(fresh(seed))
    assert set(bundle) == {"text/plain", "text/latex", "text/markdown", "text/html"}
    assert "\\tag{1.12}" in bundle["text/markdown"]
    assert bundle["text/latex"].startswith("$$\n\\begin{aligned}")
    assert 'data-label="1.12"' in bundle["text/html"] and "katex" in bundle["text/html"]
    # text/plain is a summary, never the terminal drawing.
    assert bundle["text/plain"].startswith("Cancellation of the bias term (batchnorm-bias)")
    assert (
        "every claim holds" in bundle["text/plain"] and "  (1.12) ✓ proved" in bundle["text/plain"]
    )
    assert not set(bundle["text/plain"]) & set("─╲╱⎛⎝‾│")


def test_the_mime_bundle_is_the_single_source(seed: Derivation) -> None:
    report = replaced(seed, "1.12", 2 * seed.line("1.12").rhs).check()
    bundle = report._repr_mimebundle_()
    assert bundle["text/latex"] == report._repr_latex_()
    assert bundle["text/markdown"] == report._repr_markdown_()
    assert "\n  (1.12) ✗ refuted: the sides differ\n      at m = 2, " in bundle["text/plain"]
    assert "symbn-refuted" in bundle["text/html"]
    assert set(report._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert "text/html" not in report._repr_mimebundle_(exclude={"text/html"})


def test_rich_writes_nothing_to_a_notebook_while_displaying(
    seed: Derivation, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """rich's Console detects Jupyter by itself; the bundle must not go through a Console at all."""
    import rich.console

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a rich Console was made while building the notebook display")

    monkeypatch.setattr(rich.console.Console, "__init__", refuse)
    bundle = fresh(seed)._repr_mimebundle_()
    assert "could not be displayed" not in "".join(bundle.values())
    assert capsys.readouterr() == ("", "")


def test_ipython_terminal_still_draws_the_derivation(
    seed: Derivation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In IPython's terminal (text/plain only) the bundle steps aside for the terminal drawing."""
    ipython = pytest.importorskip("IPython")
    formatters = pytest.importorskip("IPython.core.formatters")

    class Shell:
        display_formatter = type("Formatter", (), {"active_types": ["text/plain"]})()

    monkeypatch.setattr(ipython, "get_ipython", lambda: Shell())
    d = fresh(seed)
    assert d._repr_mimebundle_() == {}
    bundle, _ = formatters.DisplayFormatter().format(d)
    assert "(1.12) ✓" in bundle["text/plain"] and "╲" in bundle["text/plain"]
