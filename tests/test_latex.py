"""The LaTeX export: the printer's notation, the layouts and options, and real pdflatex runs.

Every shipped derivation's ``--standalone`` output is compiled with pdflatex, and the seed's output
is compared with a golden file that was reviewed by eye (see tests/golden/README.md).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sympy import Derivative, IndexedBase, Symbol

import symbn
from symbn.cli import main
from symbn.errors import DerivationError
from symbn.model import Derivation
from symbn.render.latex import latex, math_text, text, to_latex
from tests.conftest import replaced, require_tool

GOLDEN = Path(__file__).parent / "golden"


def cli_output(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def compile_latex(source: str, where: Path, name: str = "doc") -> str:
    """Run pdflatex on ``source``; fail the test on any error; return the log."""
    pdflatex = require_tool("pdflatex", "the LaTeX export is compiled with a real LaTeX")
    tex = where / f"{name}.tex"
    tex.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [pdflatex, "-halt-on-error", "-interaction=nonstopmode", tex.name],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (where / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    problems = [line for line in log.splitlines() if line.startswith("!")]
    assert result.returncode == 0, f"pdflatex failed: {problems or result.stdout[-2000:]}"
    assert "Undefined control sequence" not in log
    assert not problems, problems
    assert (where / f"{name}.pdf").exists()
    return log


# The printer ---------------------------------------------------------------------------------


def test_the_mean_prints_as_one_over_m_sum(seed: Derivation) -> None:
    rhs = latex(seed.line("1.4").rhs)
    assert r"\frac{1}{m} \sum_{i=1}^{m} a^{[l-1](i)}" in rhs
    assert rhs == r"W^{[l]} \cdot \frac{1}{m} \sum_{i=1}^{m} a^{[l-1](i)} + b^{[l]}"


def test_no_sympy_artefacts_anywhere(seed: Derivation) -> None:
    out = to_latex(seed)
    assert r"\frac{\sum" not in out
    assert "{a}_{" not in out and "__" not in out
    assert r"b^{[l]} + W^{[l]}" not in out  # terms stay in written order


def test_written_order_bar_and_cancel(seed: Derivation) -> None:
    assert latex(seed.line("1.1").rhs) == r"W^{[l]} \cdot a^{[l-1]} + b^{[l]}"
    assert r"\overline{a^{[l-1]}}" in latex(seed.line("1.3").rhs)
    assert latex(seed.line("1.11").rhs).count(r"\cancel{b^{[l]}}") == 2
    assert latex(seed.line("1.6").rhs) == r"\frac{z^{[l]} - \mu}{\sqrt{\sigma^{2} + \epsilon}}"


def test_derivatives_print_with_the_partial_sign(seed: Derivation) -> None:
    assert latex(seed.line("C.1").lhs) == r"\frac{\partial}{\partial b^{[l]}} \sigma^{2}"
    x, y = Symbol("x"), Symbol("y")
    assert latex(Derivative(x**3 * y, x, 2, y)) == (
        r"\frac{\partial^{3}}{\partial x^{2} \partial y} x^{3} \cdot y"
    )
    b = symbn.layer_symbols("b")
    assert (
        latex(Derivative(b**3, b, 2))
        == r"\frac{\partial^{2}}{\partial {b^{[l]}}^{2}} \left(b^{[l]}\right)^{3}"
    )
    assert latex(Derivative(x + y, x)) == r"\frac{\partial}{\partial x} \left(x + y\right)"


def test_written_sums_get_parentheses_where_the_mathematics_needs_them() -> None:
    from symbn.render.unicode import draw

    w, a, b, x = symbn.symbols("W a b x")
    ab = symbn.written(a, b)
    cases = {
        w * ab: (r"W \cdot \left(a + b\right)", "W⋅(a + b)"),
        -ab: (r"- \left(a + b\right)", "-(a + b)"),
        symbn.written(x, -ab): (r"x - \left(a + b\right)", "x - (a + b)"),
        symbn.written(x, -(a + b)): (r"x - \left(a + b\right)", "x - (a + b)"),
        symbn.written(x, -w * a): (r"x - W \cdot a", "x - W⋅a"),
        w * symbn.group(a, b): (r"W \cdot \left(a + b\right)", "W⋅(a + b)"),
        Derivative(ab, b): (r"\frac{\partial}{\partial b} \left(a + b\right)", None),
    }
    for expr, (tex, drawn) in cases.items():
        assert latex(expr) == tex
        if drawn is not None:
            assert draw(expr) == drawn
    assert latex(ab**2) == r"\left(a + b\right)^{2}"


def test_powers_of_scripted_entries_are_parenthesised() -> None:
    a = symbn.examples("a", "l-1")
    i = symbn.index("i", symbn.size("m"))
    assert latex(a[i] ** 2) == r"\left(a^{[l-1](i)}\right)^{2}"
    assert latex(IndexedBase("x")[i] ** 2) == r"x_{i}^{2}"


def test_names_outside_the_notation_fall_back_to_sympy() -> None:
    assert latex(Symbol("alpha1")) == r"\alpha_{1}"
    assert latex(Symbol("x_1_2")) != r"x_{2}"
    assert latex(IndexedBase("x")[Symbol("k")]) == "x_{k}"


def test_texts_escape_plain_parts_and_keep_inline_math() -> None:
    assert text("50% of a_b & $x^2$ #1") == r"50\% of a\_b \& $x^2$ \#1"
    assert text("layer 'l' and \"q\"") == "layer `l' and ``q''"
    assert text("μ ≠ 0") == r"$\mu$ $\neq$ 0"
    assert text("a lone $ sign") == r"a lone \$ sign"
    assert text("costs \\$5, not $x$") == r"costs \$5, not $x$"
    assert math_text("the mean of $a$") == r"\text{the mean of }{a}"
    assert math_text("a_b & c", web=True) == r"\text{a}\_\text{b }\&\text{ c}"


# Layouts and options -------------------------------------------------------------------------


def without_declaration(out: str) -> str:
    """The fragment without its trailing ``% symbn-declare`` comment (what the reader takes back)."""
    kept, _, comment = out.partition("% symbn-declare\n")
    assert all(line.startswith("% ") for line in comment.splitlines())
    return kept


def test_a_fragment_ends_with_the_declaration_the_reader_needs(seed: Derivation) -> None:
    assert to_latex(seed).endswith("\\end{align}\n% symbn-declare\n% positive = ['\\epsilon']\n")


def test_align_tags_and_labels_every_line(seed: Derivation) -> None:
    out = without_declaration(to_latex(seed))
    assert out.startswith("\\begin{align}\n") and out.endswith("\\end{align}\n")
    for line in seed.lines:
        assert f"\\tag{{{line.label}}}\\label{{eq:batchnorm-bias:{line.label}}}" in out
    assert r"\text{network input for layer `l'}" in out
    assert "\n &= W^{[l]}" in out  # a continuation starts at the alignment point


def test_a_line_too_wide_for_the_page_gets_its_justification_below(seed: Derivation) -> None:
    out = to_latex(seed).splitlines()
    row = next(k for k, line in enumerate(out) if r"\tag{1.9}" in line)
    assert "substituted" not in out[row]
    assert out[row + 1] == r"&\qquad \text{1.4 substituted for the mean} \notag \\"


def test_no_why_leaves_equations_only(seed: Derivation) -> None:
    out = to_latex(seed, why=False)
    assert r"\text" not in out and r"\qquad" not in out
    assert out.count(r"\tag{") == len(seed.lines)


def test_align_star_is_unnumbered(seed: Derivation) -> None:
    out = to_latex(seed, env="align*")
    assert out.startswith("\\begin{align*}") and r"\tag" not in out and r"\label" not in out


def test_equation_aligned_has_one_number_and_no_tag_inside_aligned(seed: Derivation) -> None:
    out = to_latex(seed, env="equation+aligned")
    inner = out[out.index(r"\begin{aligned}") : out.index(r"\end{aligned}")]
    assert r"\tag" not in inner and r"\label" not in inner
    assert r"\text{(1.9)}" in inner
    assert out.count(r"\label{") == 1 and r"\label{eq:batchnorm-bias}" in out
    assert r"\tag{1.1--C.3}" in out


def test_marks_check_a_derivation_first(seed: Derivation) -> None:
    out = seed.to_latex(marks=True)
    assert r"\mathrel{\overset{\checkmark}{=}}" in out
    assert r"\mathrel{\overset{\scriptscriptstyle\mathrm{def}}{=}}" in out
    assert r"\times" not in out


def test_differs_prints_neq() -> None:
    x = symbn.symbols("x")
    d = symbn.Derivation("Different", name="different").differs(x, x + 1, label="1")
    assert "x &\\neq x + 1" in to_latex(d)


def test_a_refuted_line_shows_its_mark_and_counterexample(seed: Derivation) -> None:
    bad = replaced(seed, "1.12", 2 * seed.line("1.12").rhs)
    out = without_declaration(bad.to_latex(marks=True))
    assert r"\mathrel{\overset{\times}{=}}" in out
    evidence = next(line for line in out.splitlines() if line.startswith(r"\intertext"))
    assert "refuted" in evidence and "m = 2" in evidence and "a^{[l-1](1)} =" in evidence
    assert "left side" in evidence and "right side" in evidence
    assert out.rstrip().endswith("\\notag\n\\end{align}")


def test_report_exports_like_the_derivation(seed: Derivation) -> None:
    report = seed.check()
    assert report.to_latex() == seed.to_latex()
    assert report.to_markdown(marks=True) == seed.to_markdown(marks=True)


def test_standalone_is_a_document_with_title_and_conclusion(seed: Derivation) -> None:
    out = to_latex(seed.check(), standalone=True)
    assert out.startswith("\\documentclass{article}")
    for package in ("amsmath", "amssymb", "cancel"):
        assert f"\\usepackage{{{package}}}" in out
    assert r"\section*{Cancellation of the bias term}" in out
    assert r"\paragraph{Conclusion.} $b^{[l]}$ cancels" in out
    assert "every claim holds" in out
    assert out.rstrip().endswith(r"\end{document}")


def test_misuse_is_a_symbn_error(seed: Derivation) -> None:
    with pytest.raises(DerivationError, match="env must be one of"):
        to_latex(seed, env="gather")
    with pytest.raises(DerivationError, match="Derivation or a Report"):
        to_latex(42)  # type: ignore[arg-type]


# Real pdflatex --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", symbn.names())
def test_every_shipped_derivation_compiles_standalone(name: str, tmp_path: Path) -> None:
    code, out = cli_output("derive", name, "--format", "latex", "--standalone")
    assert code in (0, 1), out
    compile_latex(out, tmp_path)


@pytest.mark.parametrize("env", ["align", "align*", "equation+aligned"])
def test_every_layout_compiles(seed: Derivation, env: str, tmp_path: Path) -> None:
    compile_latex(to_latex(seed.check(), env=env, marks=True, standalone=True), tmp_path)


def test_the_seed_fits_the_page(seed: Derivation, tmp_path: Path) -> None:
    log = compile_latex(to_latex(seed.check(), standalone=True), tmp_path)
    assert "Overfull \\hbox" not in log


def test_a_refuted_derivation_and_awkward_texts_compile(seed: Derivation, tmp_path: Path) -> None:
    bad = replaced(seed, "1.12", 2 * seed.line("1.12").rhs)
    x = symbn.symbols("x")
    bad.step(x, x, label="odd_#1", why="50% & {braces} ~ ^ \\ μ≠σ “quoted” — done…")
    bad.conclude("costs \\$5 and $x^2$ & 100%")
    compile_latex(bad.to_latex(marks=True, standalone=True), tmp_path)


def test_fragment_inputs_into_a_paper(seed: Derivation, tmp_path: Path) -> None:
    (tmp_path / "bn.tex").write_text(seed.to_latex(), encoding="utf-8")
    paper = (
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb,cancel}\n\\begin{document}\n"
        "\\input{bn}\nBy \\eqref{eq:batchnorm-bias:1.12} the bias cancels.\n\\end{document}\n"
    )
    compile_latex(paper, tmp_path, "paper")
    compile_latex(paper, tmp_path, "paper")  # the second run resolves the reference
    aux = (tmp_path / "paper.aux").read_text()
    assert r"\newlabel{eq:batchnorm-bias:1.12}{{{1.12}}" in aux


# Golden file ------------------------------------------------------------------------------------


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SYMBN_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual, (
        f"{name} changed: review the new output by eye, then SYMBN_UPDATE_GOLDEN=1 pytest"
    )


def test_seed_latex_matches_the_reviewed_golden_file() -> None:
    code, out = cli_output("derive", "batchnorm-bias", "--format", "latex", "--standalone")
    assert code == 0
    _golden("batchnorm-bias.tex", out)


def test_seed_markdown_matches_the_reviewed_golden_file() -> None:
    code, out = cli_output("derive", "batchnorm-bias", "--format", "markdown")
    assert code == 0
    _golden("batchnorm-bias.md", out)


def test_golden_latex_numbers_1_1_to_1_12_and_cancels_b() -> None:
    golden = (GOLDEN / "batchnorm-bias.tex").read_text(encoding="utf-8")
    tags = re.findall(r"\\tag\{([^}]*)\}", golden)
    assert tags[:12] == [f"1.{k}" for k in range(1, 13)]
    row = next(line for line in golden.splitlines() if r"\tag{1.11}" in line)
    assert row.count(r"\cancel{b^{[l]}}") == 2
    assert r"\paragraph{Conclusion.}" in golden


def test_an_awkward_derivation_compiles_with_every_option(tmp_path: Path) -> None:
    from tests.awkward import awkward

    report = awkward().check()
    assert {r.verdict.value for r in report} >= {"definition", "proved", "refuted"}
    for k, env in enumerate(("align", "align*", "equation+aligned")):
        source = to_latex(report, env=env, marks=True, standalone=True)
        compile_latex(source, tmp_path, f"awkward{k}")
    compile_latex(to_latex(report, why=False, standalone=True), tmp_path, "plain")
