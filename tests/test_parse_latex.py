"""The grammar and the builder: the field's notation read into symbn's objects, and clear errors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sympy import Derivative, Idx, Indexed, IndexedBase, Integer, Pow, Sum, Symbol, sqrt

import symbn
from symbn.errors import InputError
from symbn.model import Kind, Relation
from symbn.notation import (
    Cancel,
    ExampleFamily,
    HiddenIdx,
    Mean,
    Paren,
    RealRoot,
    UnitFamily,
    Written,
    meaning,
)
from symbn.parse import read_text
from symbn.parse.declare import Declaration, from_toml, name_of
from symbn.parse.latex import MathError, parse_expression

m = symbn.size("m")
i = symbn.index("i", m)
EXAMPLES = Declaration(
    sizes=frozenset({"m"}), families=frozenset({"a^{[l-1]}"}), count="m", bar="mean"
)


def test_a_layer_tag_is_part_of_a_name_not_a_power() -> None:
    assert parse_expression("W^{[l]}") == Symbol("W^{[l]}", real=True)
    assert parse_expression(r"\tilde{z}^{[l]}") == Symbol(r"\tilde{z}^{[l]}", real=True)
    assert parse_expression("z_{norm}^{[l]}") == Symbol("z_{norm}^{[l]}", real=True)


def test_an_example_superscript_is_an_entry_of_an_example_family() -> None:
    value = parse_expression(r"\sum_{i=1}^{m} a^{[l-1](i)}")
    a = symbn.examples("a", "l-1")
    assert value == Sum(a[i], (i, 1, m))
    assert isinstance(value.function.base, ExampleFamily)


def test_a_declared_family_written_alone_is_the_current_example() -> None:
    value = parse_expression("a^{[l-1]}", EXAMPLES)
    assert isinstance(value, Indexed) and isinstance(value.indices[0], HiddenIdx)
    assert value == symbn.examples("a", "l-1")[symbn.index("j", m, shown=False)]


def test_subscripts_are_indices_unless_they_are_a_word() -> None:
    x = IndexedBase("x", real=True)
    j, k = Symbol("j", integer=True), Symbol("k", integer=True)
    assert parse_expression("x_j") == x[j]
    assert parse_expression("x_{j,k}") == x[j, k]
    assert parse_expression("x_{j+1}") == x[j + 1]
    assert parse_expression("x_{max}") == Symbol("x_{max}", real=True)
    assert parse_expression(r"\mu_B") == Symbol("mu_B", real=True)
    assert parse_expression(r"\mathbf{W}") == Symbol(r"\mathbf{W}", real=True)
    assert parse_expression(r"\hat{y}_j") == IndexedBase(r"\hat{y}", real=True)[j]


def test_declared_units_split_their_subscripts() -> None:
    decl = Declaration(units=frozenset({"W"}))
    value = parse_expression(r"\sum_{j=1}^{n} W_{jk}", decl)
    assert isinstance(value, Sum) and isinstance(value.function.base, UnitFamily)
    assert value.function.indices[0] == value.limits[0][0]


def test_a_summation_index_inside_a_name_is_an_error_that_says_what_to_declare() -> None:
    with pytest.raises(MathError, match=r'declare units = \["W"\]'):
        parse_expression(r"\sum_{j=1}^{n} W_{jk}")


def test_the_sum_that_reads_x_i_as_a_symbol_is_not_made_true() -> None:
    """parse_latex reads x_i as a symbol free of i, so Σ x_i = m x_i would hold: here it must not."""
    left = parse_expression(r"\sum_{i=1}^{m} x_i")
    right = parse_expression("m x_i")
    assert symbn.meaning(left) != symbn.meaning(right)
    document = read_text("$$\\sum_{i=1}^{m} x_i = m x_i$$")
    assert document.derivation.check()["1"].verdict.value == "refuted"


def test_sigma_squared_is_a_power_unless_declared_a_name() -> None:
    sigma = Symbol("sigma", real=True)
    assert parse_expression(r"\sigma^2") == Pow(sigma, 2)
    assert parse_expression(r"\sigma^{2}", Declaration(names=frozenset({"sigma^2"}))) == Symbol(
        "sigma^2", real=True
    )


def test_a_bar_is_a_name_by_default_and_the_batch_mean_when_declared() -> None:
    assert parse_expression(r"\bar{x}") == Symbol(r"\bar{x}", real=True)
    value = parse_expression(r"\overline{a^{[l-1]}}", EXAMPLES)
    a = symbn.examples("a", "l-1")
    assert isinstance(value, Mean)
    assert value == symbn.mean(a[i], i)
    assert symbn.meaning(value) == Sum(a[i], (i, 1, m)) / m


def test_a_bar_over_a_family_without_the_declaration_says_what_to_declare() -> None:
    with pytest.raises(MathError, match='bar = "mean"'):
        parse_expression(r"\overline{a^{[l-1]}}")


def test_cancel_is_display_markup_that_checks_as_its_content() -> None:
    value = parse_expression(r"x + \cancel{b}")
    assert value == Written(Symbol("x", real=True), Cancel(Symbol("b", real=True)))
    assert symbn.meaning(value) == Symbol("x", real=True) + Symbol("b", real=True)


def test_fractions_sums_roots_and_parentheses() -> None:
    x = IndexedBase("x", real=True)
    a, b = Symbol("a", real=True), Symbol("b", real=True)
    assert parse_expression(r"\frac{1}{m}\sum_{i=1}^m x_i") == Sum(x[i], (i, 1, m)) / m
    double = parse_expression(r"\sum_{i=1}^{m} \sum_{j=1}^{n} x_{i,j}")
    assert isinstance(double, Sum) and len(double.limits) == 2
    assert parse_expression(r"\sqrt{a} \cdot \left( a - b \right)") == sqrt(a) * Paren(a, -b)
    assert parse_expression(r"\sqrt[3]{a}") == RealRoot(a, 3)  # an odd root is the real root
    assert meaning(parse_expression(r"\sqrt[3]{-8}")) == -2
    assert parse_expression("0.25 a") == a / 4
    assert parse_expression("x^23") == Symbol("x", real=True) ** 2 * 3


def test_a_sum_body_runs_to_the_next_plus_or_minus() -> None:
    x = IndexedBase("x", real=True)
    c = Symbol("c", real=True)
    assert parse_expression(r"\sum_{i=1}^m x_i \cdot c + c") == Written(Sum(x[i] * c, (i, 1, m)), c)


def test_derivatives() -> None:
    x = Symbol("x", real=True)
    assert parse_expression(r"\frac{d}{d x} x^{2}") == Derivative(x**2, x)
    assert parse_expression(r"\frac{\partial}{\partial x} \left(x^{2} + x\right)") == Derivative(
        Paren(x**2, x), x
    )
    assert parse_expression(r"\frac{d y}{d x}") == Derivative(Symbol("y", real=True), x)


def test_declared_names_are_written_as_in_the_document() -> None:
    assert name_of(r"\sigma^2") == name_of(r"\sigma^{2}") == "sigma^2"
    assert name_of("a^{[l-1]}") == "a^{[l-1]}"
    assert name_of(r"\epsilon") == "epsilon"
    assert name_of(r"z_{norm}^{[l]}") == "z_{norm}^{[l]}"
    with pytest.raises(InputError):
        name_of("__import__('os')")


def test_declaration_errors_name_the_key() -> None:
    with pytest.raises(InputError, match="unknown key 'size'"):
        from_toml('size = ["m"]', "x.toml")
    with pytest.raises(InputError, match="bar must be"):
        from_toml('bar = "average"', "x.toml")
    with pytest.raises(InputError, match="not valid TOML"):
        from_toml("sizes = [", "x.toml")


# Documents ----------------------------------------------------------------------------------

LATEX = r"""\documentclass{article}
% symbn-declare
% sizes = ["n"]
\begin{document}
\section{Mean of a shifted sample}
\begin{align}
\mu &= \frac{1}{n} \sum_{i=1}^{n} x_i && \text{the mean} \label{eq:mean} \\
\frac{1}{n} \sum_{i=1}^{n} (x_i + c) &= \mu + c \tag{S} \\
&= c + \frac{1}{n} \sum_{k=1}^{n} x_k && \text{reordered}
\end{align}
\begin{equation*}
\mu \neq \mu + 1
\end{equation*}
\end{document}
"""


def test_latex_align_rows_tags_labels_and_text() -> None:
    document = read_text(LATEX, "shift.tex", kind="tex")
    assert document.problems == []
    lines = document.derivation.lines
    assert [line.label for line in lines] == ["1", "S", "2", "3"]
    assert lines[0].kind is Kind.DEFINITION and lines[0].why == "the mean"
    assert lines[2].kind is Kind.CONTINUATION and lines[2].why == "reordered"
    assert lines[3].relation is Relation.DIFFERENT
    assert document.derivation.title == "Mean of a shifted sample"
    report = document.derivation.check()
    assert [r.verdict.value for r in report] == ["definition", "proved", "proved", "proved"]


def test_definition_rule_first_occurrence_on_a_left_side() -> None:
    text = "$$y = 2$$\n\n$$y = 3$$\n\n$$t := y + 1$$\n\n$$u = u$$\n"
    document = read_text(text)
    kinds = [line.kind for line in document.derivation.lines]
    # y is new: a definition; y again: a claim (refuted); := defines; u = u uses u on its right.
    assert kinds == [Kind.DEFINITION, Kind.CLAIM, Kind.DEFINITION, Kind.CLAIM]
    report = document.derivation.check()
    assert report["2"].verdict.value == "refuted"


def test_a_declared_claim_is_not_a_definition() -> None:
    decl = Declaration(claims=frozenset({"1"}))
    document = read_text("$$y = 2$$\n", declaration=decl)
    assert document.derivation.lines[0].kind is Kind.CLAIM


def test_errors_are_one_line_with_file_line_column_and_what_was_expected() -> None:
    text = "# t\n\n$$x = 1 +$$\n\n$$y = \\int x$$\n\n$$z = 2 \\quad (3)$$\n"
    document = read_text(text, "doc.md")
    assert document.problems == [
        "doc.md:3:10: the equation ends early; expected a term (a letter, a number, '(' …)",
        "doc.md:5:7: symbn does not read the command \\int here",
    ]
    assert [line.label for line in document.derivation.lines] == ["3"]


def test_a_continuation_of_an_unreadable_line_is_skipped_with_a_reason() -> None:
    text = "$$a = b + c$$\n$$= b + ) \\quad (2)$$\n$$= c + b \\quad (3)$$\n$$a = a \\quad (4)$$\n"
    document = read_text(text, "doc.md")
    assert len(document.problems) == 2
    assert "(3) continues a line that could not be read" in document.problems[1]
    assert [line.label for line in document.derivation.lines] == ["1", "4"]


def test_no_equations_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no display equations"):
        read_text("just prose, $x$ inline only\n")


def test_the_renderers_why_paragraph_is_the_justification() -> None:
    document = read_text("$$\nx = 1 \\tag{A}\n$$\n\n*because*\n")
    assert document.derivation.line("A").why == "because"


def test_numbers_are_exact_and_never_too_large() -> None:
    assert parse_expression("2^{10}") == Integer(1024)
    for text in ("9^{9^{9^{9}}}", "x^{100000}", "2^{5000} ^ {4}", "1" * 100):
        with pytest.raises(MathError):
            parse_expression(text)


def test_the_parser_never_evaluates_text() -> None:
    """No eval/exec/sympify/parse_expr/parse_latex/lambdify anywhere in the parse package."""
    banned = {"eval", "exec", "sympify", "parse_expr", "parse_latex", "lambdify"}
    package = Path(symbn.__file__).parent / "parse"
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{source.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Name):
                assert node.id not in banned | {"compile", "S"}, f"{where} uses {node.id}"
            elif isinstance(node, ast.Attribute):
                assert node.attr not in banned, f"{where} uses {node.attr}"
            elif isinstance(node, ast.alias):
                assert node.name not in banned | {"S"}, f"{where} imports {node.name}"


def test_reading_a_document_evaluates_no_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from symbn.parse.latex import parser

    parser()
    evaluated: list[str] = []

    def guard(real: object) -> object:
        def run(source: object, *args: object, **kwargs: object) -> object:
            if isinstance(source, (str, bytes)):
                evaluated.append(str(source)[:80])
                raise AssertionError("text was evaluated")
            return real(source, *args, **kwargs)  # type: ignore[operator]

        return run

    monkeypatch.setattr(builtins, "eval", guard(builtins.eval))
    monkeypatch.setattr(builtins, "exec", guard(builtins.exec))
    text = "$$y = __import__('os').system('true') + x$$\n$$z = x^{2} + \\sum_{i=1}^{m} a^{(i)}$$\n"
    document = read_text(text)
    monkeypatch.undo()
    assert evaluated == []
    assert len(document.problems) == 1 and len(document.derivation.lines) == 1
    assert isinstance(document.derivation.lines[0].rhs, Written)
    assert any(isinstance(s, Idx) for s in document.derivation.lines[0].rhs.atoms(Idx))


def test_a_comment_declaration_and_a_stem_sidecar(tmp_path: Path) -> None:
    text = '<!-- symbn:\nnames = ["\\\\sigma^2"]\n-->\n$$\\sigma^2 = 4$$\n$$\\sigma^2 - 4 = 0$$\n'
    document = read_text(text)
    assert document.problems == []
    assert document.derivation.lines[0].lhs == Symbol("sigma^2", real=True)
    path = tmp_path / "notes.md"
    path.write_text("$$\\frac{1}{n} \\sum_{i=1}^{n} c = c$$\n", encoding="utf-8")
    (tmp_path / "notes.symbn.toml").write_text('title = "From the stem"\n', encoding="utf-8")
    from symbn.parse import read_document

    assert read_document(path).derivation.title == "From the stem"


def test_the_grammar_ships_in_the_package() -> None:
    """A non-editable install needs the subpackage, its grammar file and lark (see pyproject)."""
    from symbn.parse.declare import tomllib

    pyproject = tomllib.loads(
        (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    )
    setuptools = pyproject["tool"]["setuptools"]
    assert "symbn.parse" in setuptools["packages"]
    assert "grammar.lark" in setuptools["package-data"]["symbn.parse"]
    assert any(d.startswith("lark") for d in pyproject["project"]["dependencies"])


def test_a_derivative_of_an_undefined_name_is_refused_not_proved_zero() -> None:
    text = "$$\\frac{d y}{d x} = 0$$\n$$L = w^2$$\n$$\\frac{\\partial L}{\\partial w} = 2 w$$\n"
    document = read_text(text, "d.md")
    assert len(document.problems) == 1 and "y is not defined" in document.problems[0]
    report = document.derivation.check()
    assert [r.verdict.value for r in report] == ["definition", "proved"]


def test_too_many_equations_is_an_input_error() -> None:
    from symbn.parse.document import MAX_EQUATIONS

    with pytest.raises(InputError, match=f"more than {MAX_EQUATIONS} equations"):
        read_text("$$x = x$$\n" * (MAX_EQUATIONS + 1))


def test_every_whitelisted_construct_has_a_builder_and_nothing_else_is_built() -> None:
    from symbn.parse.latex import CONSTRUCTS, Builder, parser

    assert all(callable(getattr(Builder, "_" + name, None)) for name in CONSTRUCTS)
    # Rules marked ? in the grammar are inlined when they have one child: they leave no node.
    rules = {
        rule.alias or rule.origin.name
        for rule in parser().rules
        if rule.alias or not rule.options.expand1
    }
    structural = {"start", "relations", "bare", "scripts", "sub", "sup", "inner"}
    built = {str(r) for r in rules if not str(r).startswith("_")} - structural
    assert built <= CONSTRUCTS


def test_a_letter_written_as_an_index_is_the_same_integer_everywhere() -> None:
    document = read_text(
        "$$y_i = i$$\n$$y_2 = 2$$\n$$y_3 = 4$$\n$$(x + b)^2 = x^2 + 2 x b + b^2$$\n"
    )
    assert document.problems == []
    verdicts = [r.verdict.value for r in document.derivation.check()]
    assert verdicts == ["definition", "proved", "refuted", "proved"]
    # Letters in ordinary parentheses stay real numbers: only indices are integers.
    assert all(not s.is_integer for s in document.derivation.lines[3].lhs.free_symbols)


def test_a_free_index_is_the_same_object_as_the_sums_over_it() -> None:
    """x-hat_i = … and sum_{i=1}^m x-hat_i use ONE i (an index over 1..m), not an Idx and a symbol."""
    document = read_text(
        "$$\\hat{x}_i = x_i - \\frac{1}{m} \\sum_{i=1}^{m} x_i$$\n\n"
        "$$\\sum_{i=1}^{m} \\hat{x}_i = 0$$\n\n$$\\sum_{i=1}^{m} \\hat{x}_i = 1$$"
    )
    assert document.problems == []
    report = document.derivation.check()
    assert report["2"].verdict.value == "proved"
    assert report["3"].verdict.value == "refuted"


def test_kronecker_delta_and_run_together_family_indices() -> None:
    """delta_{jr} is Kronecker's delta; z_{chw}^{[l](i)} of a declared family, with c, h, w all
    summation indices, is the entry at c, h, w (as the renderer writes it), not a name z_{chw}."""
    from sympy import Indexed, KroneckerDelta

    assert isinstance(parse_expression("\\delta_{j r}"), KroneckerDelta)
    decl = Declaration(families=frozenset({"z^{[l]}"}))
    value = parse_expression(
        "\\sum_{c=1}^{C} \\sum_{h=1}^{H} \\sum_{w=1}^{W} z_{chw}^{[l](i)}", decl
    )
    (entry,) = symbn.meaning(value).atoms(Indexed)
    assert str(entry.base) == "z^{[l]}" and [str(i) for i in entry.indices] == ["c", "h", "w", "i"]
    with pytest.raises(MathError, match="summation index"):
        parse_expression("\\sum_{h=1}^{H} x_{hw}")


def test_adjacent_inline_math_is_not_a_display() -> None:
    """$\\sigma$$^{2}$ in prose (as the Markdown export writes a title) is two inline maths."""
    document = read_text(
        "# Variance $\\sigma$$^{2}$ of $x$\n\n$$2 \\cdot 3 = 5$$\n\nthen $a$$b$.\n"
    )
    assert document.problems == [] and [line.label for line in document.derivation.lines] == ["1"]
    assert document.derivation.check()["1"].verdict.value == "refuted"


def test_justification_beside_or_below_a_line_is_not_part_of_it() -> None:
    """The renderers' \\qquad \\text{…}{math} and a justification row of its own are notes, so the
    braced math in them is never multiplied into the equation."""
    text = (
        "$$\\begin{gathered} y = 2 \\\\ \\text{two }{x = 1} \\end{gathered} \\tag{1}$$\n\n"
        "$$= 1 + 1 \\qquad {y}\\text{ written out} \\tag{2}$$\n\n"
        "\\begin{align}\n= 2 \\tag{3} \\\\\n&\\qquad {2 = 2} \\notag\n\\end{align}\n"
    )
    document = read_text(text)
    assert document.problems == []
    lines = {line.label: line for line in document.derivation.lines}
    assert lines["1"].why == "two $x = 1$" and lines["2"].why == "$y$ written out"
    assert lines["3"].why == "$2 = 2$"
    report = document.derivation.check()
    assert report["2"].verdict.value == "proved" and report["3"].verdict.value == "proved"


def test_a_verdict_mark_over_a_relation_is_the_relation() -> None:
    document = read_text(
        "$$y \\mathrel{\\overset{\\mathrm{def}}{=}} 2$$\n\n"
        "$$y \\mathrel{\\overset{\\checkmark}{\\neq}} 3$$\n\n$$y \\mathrel{\\overset{?}{=}} 3$$"
    )
    assert document.problems == []
    verdicts = [r.verdict.value for r in document.derivation.check().results]
    assert verdicts == ["definition", "proved", "refuted"]
