"""Every display row is read as written or refused at its place (red team, reader rows).

A row that begins with text, a relation hidden in a justification, the spacing after ``\\\\``, a
condition in a justification, two numbers on one row, an ``assume`` error of a sidecar, and
``cases`` whose conditions overlap. Ground truth is worked out by hand: 1 + 1 is 2, not 3;
(a + b)² = a² + 2ab + b² term by term; x = 3 gives x − 3 = 0.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbn.cli import main
from symbn.parse import read_document, read_text
from symbn.parse.document import Document

PLACE = re.compile(r"^doc\.md:\d+:\d+: ")


def read(text: str) -> Document:
    return read_text(text, "doc.md")


def verdicts(document: Document) -> dict[str, str]:
    found = {r.label: r.verdict.value for r in document.derivation.check(timeout=20.0)}
    return {label: verdict for label, verdict in found.items() if verdict != "definition"}


def refused(text: str, words: str = "") -> str:
    """The one located problem of ``text``; it says ``words``."""
    document = read(text)
    assert document.problems, text
    assert document.unread >= 1
    problem = document.problems[0]
    assert PLACE.match(problem), problem
    assert words in problem, problem
    return problem


# 1. A row that begins with text is never dropped ------------------------------------------------


def test_the_red_team_document_is_not_every_claim_holds(tmp_path: Path) -> None:
    path = tmp_path / "L.md"
    path.write_text(
        "$$ 1 + 1 = 2 \\tag{1}$$\n"
        "$$ \\text{total} = 1 + 1 = 3 \\tag{2}$$\n"
        "$$ \\text{c}^2 - c^2 = 1 \\tag{3}$$\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", "--no-cache", str(path)])
    assert result.exit_code != 0
    assert "every claim holds" not in result.stdout.replace("NOT every claim holds", "")
    document = read_document(path)
    assert document.unread == 2
    assert [p.place.line for p in document.problems if p.place] == [2, 3]


@pytest.mark.parametrize(
    "row",
    [
        r"\text{total} = 1 + 1 = 3",
        r"\text{Hence } 1 = 2",
        r"\text{so}\; 1=2",
        r"\text{} 1 = 2",
        r"\mbox{a} = 1 = 2",
        r"\textrm{x} = 1 = 2",
        r"\textit{so} 1 = 2",
        r"\text{a} & 1 = 2",
        r"\text{c}^2 - c^2 = 1",
        r"\quad \text{thus} \quad 2 < 1",
        r"\text{and } 1 \neq 1",
    ],
)
def test_a_display_that_begins_with_text_and_holds_a_relation_is_refused(row: str) -> None:
    refused(f"$$ {row} $$", "begins with text")


@pytest.mark.parametrize(
    "display",
    [
        r"$$ 1 = 1 \quad \text{hence} \quad 1 = 2 $$",
        r"$$ 1 = 1 \quad \text{so } 1 + 1 = 3 $$",
        r"$$ y = 2 \qquad \text{thus} \; y > 5 $$",
    ],
)
def test_a_relation_written_as_mathematics_in_a_justification_is_refused(display: str) -> None:
    refused(display, "never checked")


def test_a_row_below_an_equation_that_begins_with_text_and_holds_a_relation_is_refused() -> None:
    problem = refused(r"$$\begin{aligned} 1 &= 1 \\ \text{hence } & 1 = 2 \end{aligned}$$")
    assert "begins with text" in problem


def test_justifications_without_a_loose_relation_still_read() -> None:
    # words, a relation inside \text{…} or in braces (as symbn's renderers write it), an index range
    for display, why in [
        (r"$$ 1 + 1 = 2 \quad \text{by counting} $$", "by counting"),
        (r"$$ 1 + 1 = 2 \quad \text{as 1 = 1 + 0 says} $$", None),
        (r"$$ 1 + 1 = 2 \quad \text{by } {2 = 1 + 1} $$", "by $2 = 1 + 1$"),
        (r"$$ 1 + 1 = 2 \\ {2 - 2 = 0} $$", "$2 - 2 = 0$"),
        (r"$$ y_i = x_i + 1 \quad \text{for } i = 1, \dots, m $$", r"for $i = 1, \dots, m$"),
        (r"$$ y_i = x_i + 1 \quad \text{for each } i $$", "for each $i$"),
    ]:
        document = read(display)
        if why is None:  # "as … = …" is a condition (refused), which is also never silent
            assert document.problems
            continue
        assert document.problems == [], (display, document.problems)
        assert document.derivation.lines[0].why == why


def test_a_display_of_text_only_holds_no_equation() -> None:
    document = read("$$ 1 + 1 = 2 $$\n\n$$ \\text{that is all} $$\n")
    assert document.problems == [] and document.rows == 1
    assert verdicts(document) == {"1": "proved"}


# 2. The spacing after \\ is layout ------------------------------------------------------------


SQUARE = r"(a+b)^2 &= a^2 + 2ab + b^2 {sep} &= a^2 + b^2 + 2ab"


@pytest.mark.parametrize(
    "sep",
    [
        r"\\[4pt]",
        r"\\[1em]",
        r"\\[1ex]",
        r"\\[2mm]",
        r"\\[-1.5ex]",
        r"\\[.5cm]",
        r"\\[0.3in]",
        r"\\[3bp]",
        r"\\[2mu]",
        r"\\*",
        r"\\*[2pt]",
        r"\\[0.5\baselineskip]",
        r"\\[\jot]",
        r"\\[2pt plus 1pt]",
    ],
)
def test_the_spacing_after_a_row_is_never_mathematics(sep: str) -> None:
    # (a + b)² = a² + 2ab + b² and that = a² + b² + 2ab: both true, checked by expanding
    for a, b in [(Fraction(2), Fraction(3)), (Fraction(-1, 2), Fraction(5))]:
        assert (a + b) ** 2 == a * a + 2 * a * b + b * b == a * a + b * b + 2 * a * b
    for wrap in ("$$\\begin{{aligned}}{}\\end{{aligned}}$$", "\\begin{{align}}{}\\end{{align}}"):
        document = read(wrap.format(SQUARE.format(sep=sep)))
        assert document.problems == [], (sep, document.problems)
        assert verdicts(document) == {"1": "proved", "2": "proved"}


def test_a_definition_after_spacing_is_kept() -> None:
    text = "$$\n\\begin{aligned}\ny &= 2 \\\\[1ex]\nx &= 3\n\\end{aligned}\n$$\n$$ x - 3 = 0 \\tag{5}$$\n"
    document = read(text)
    assert document.problems == []
    assert verdicts(document) == {"5": "proved"}
    document = read(text.replace("x - 3 = 0", "x - 4 = 0"))
    assert verdicts(document) == {"5": "refuted"}


def test_spacing_in_a_plain_display_with_rows() -> None:
    document = read(r"$$ a = 2 \\[4pt] a + a = 4 $$")
    assert document.problems == []
    assert verdicts(document) == {"2": "proved"}


@pytest.mark.parametrize("sep", [r"\\[\foo]", r"\\[pt]", r"\\[4]", r"\\[]", r"\\ [4pt]"])
def test_spacing_symbn_does_not_recognise_is_refused_at_its_place(sep: str) -> None:
    problem = refused(f"$$\\begin{{aligned}} a &= 1 {sep} &= 1 \\end{{aligned}}$$")
    assert problem.startswith("doc.md:1:")


# 3. Conditions in a justification ---------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        r"\text{for positive } x",
        r"\text{since } x>0",
        r"\text{as } x > 0",
        r"\text{(x positive)}",
        r"\text{because } x > 0",
        r"\text{given } x \ge 0",
        r"\text{where } x > 0",
        r"\text{for all } x > 0",
        r"\text{for } x > 0",
        r"\text{if x > 0}",
        r"\text{($x > 0$)}",
        r"\text{for nonnegative } x",
        r"\text{x is positive}",
        r"\text{provided } x \neq -1",
    ],
)
def test_a_condition_is_refused_as_a_condition(note: str) -> None:
    # √(x²) = x holds for x ≥ 0 only (x = -1: √1 = 1 ≠ -1): never refuted, refused
    refused(f"$$\\sqrt{{x^2}} = x \\quad {note}$$", "states a condition")


def test_a_condition_on_the_row_below_refuses_the_equation_above() -> None:
    document = read(r"$$\begin{aligned} \sqrt{x^2} &= x \\ &\text{if } x \ge 0 \end{aligned}$$")
    assert any("states a condition" in p for p in document.problems)
    assert document.derivation.lines == []


def test_a_condition_in_the_italic_line_after_a_display_is_refused() -> None:
    document = read("$$\\sqrt{x^2} = x$$\n*if $x \\ge 0$*\n")
    assert document.problems and "states a condition" in document.problems[0]
    assert document.problems[0].startswith("doc.md:2:")


# 4. Two numbers on one row ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "display",
    [
        r"$$ x = 1 \tag{1}\tag{2} $$",
        r"$$ x = 1 \tag{1} \qquad y = 2 \tag*{2} $$",
        r"$$\begin{aligned}\text{(1)} && x &= 1 \tag{2}\end{aligned}$$",
        r"$$ x = 1 \quad (2) \tag{3} $$",
        r"$$\begin{aligned}\text{(1)} && x &= 1 \quad (2)\end{aligned}$$",
    ],
)
def test_two_numbers_on_one_row_are_refused(display: str) -> None:
    # x = 1 \quad (2) \tag{3}: read as x = 1·2 it would define x = 2, which nobody wrote
    refused(display, "second number")


def test_one_number_per_row_still_reads() -> None:
    document = read(r"$$\begin{aligned} x &= 1 \tag{A} \\ x + x &= 2 \tag{B}\end{aligned}$$")
    assert document.problems == []
    assert verdicts(document) == {"B": "proved"}


# 5. An assume error names its sidecar -----------------------------------------------------------


def test_an_assume_error_of_a_sidecar_names_the_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text("$$ x = 1 \\tag{1}$$\n", encoding="utf-8")
    (tmp_path / "d.md.symbn.toml").write_text('title = "d"\nassume = ["x >"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--no-cache", "--size", "m", str(path)])
    assert result.exit_code == 2
    assert "the command line" not in result.stderr
    assert "d.md.symbn.toml:2: assume 'x >'" in result.stderr


def test_an_assume_error_in_the_document_names_its_place(tmp_path: Path) -> None:
    path = tmp_path / "e.md"
    path.write_text('$$ x = 1 $$\n<!-- symbn: assume = ["y <"] -->\n', encoding="utf-8")
    (tmp_path / "e.md.symbn.toml").write_text('assume = ["x > 0"]\n', encoding="utf-8")
    document = read_document(path)
    assert [p.message for p in document.problems if "assume" in p] == [
        p.message for p in document.problems if p.startswith(f"{path}:2:")
    ]
    assert document.problems


# 6. cases whose conditions overlap ----------------------------------------------------------------


@pytest.mark.parametrize(
    "cases",
    [
        r"1 & x > 0 \\ 2 & x > 1 \\ 0 & \text{otherwise}",
        r"1 & x \ge 0 \\ 2 & x \le 0",
        r"1 & x \ge 0 \\ 2 & x < 5",
    ],
)
def test_overlapping_cases_with_different_values_are_refused(cases: str) -> None:
    refused(f"$$ f(x) = \\begin{{cases}} {cases} \\end{{cases}} $$", "both hold")


@pytest.mark.parametrize(
    "cases",
    [
        r"x & x \ge 0 \\ -x & x \le 0",  # |x|: at 0 both give 0
        r"1 & x > 0 \\ 0 & x < 0 \\ 5 & \text{otherwise}",
        r"1 & x \ge 0 \\ 2 & x \le -1 \\ 3 & \text{otherwise}",
    ],
)
def test_cases_that_agree_where_they_overlap_read(cases: str) -> None:
    document = read(f"$$ f(x) = \\begin{{cases}} {cases} \\end{{cases}} $$")
    assert document.problems == []


# Neighbours: displays in other environments, equations side by side ---------------------------


def test_alignat_and_displaymath_are_read_and_unread_environments_refused() -> None:
    text = (
        "\\begin{equation} 1 + 1 = 2 \\end{equation}\n"
        "\\begin{alignat}{2} 1 + 1 &= 3 \\end{alignat}\n"
        "\\begin{displaymath} 2 = 3 \\end{displaymath}\n"
        "\\begin{dmath} 4 = 5 \\end{dmath}\n"
        "\\begin{IEEEeqnarray}{rCl} 1 &=& 8 \\end{IEEEeqnarray}\n"
    )
    document = read_text(text, "doc.tex", kind="tex")
    assert verdicts(document) == {"1": "proved", "2": "refuted", "3": "refuted"}
    assert [p.place.line for p in document.problems if p.place] == [4, 5]
    assert all("does not read the" in p for p in document.problems)


@pytest.mark.parametrize(
    "display",
    [
        r"\begin{align} a &= 2 & 2 &= 4 \end{align}",
        r"$$\begin{aligned} a &= 2 & 2 &= 4 \end{aligned}$$",
        r"\begin{alignat}{2} a &= 2 &\quad 2 &= 4 \end{alignat}",
        r"$$\begin{array}{cc} a = 2 & 2 = 4 \end{array}$$",
        r"$$ a = 2 & 2 = 4 $$",
        r"\begin{equation}\begin{split} a &= 2 & 2 &= 4 \end{split}\end{equation}",
    ],
)
def test_two_equations_side_by_side_are_two_lines(display: str) -> None:
    # displayed: a = 2 and 2 = 4 (false); never a = 2·2 = 4
    document = read(display)
    assert document.problems == []
    assert verdicts(document) == {"2": "refuted"}


def test_a_column_without_a_relation_is_refused() -> None:
    refused(r"\begin{align} a &= 1 & b \end{align}", "no relation of its own")


def test_rcl_columns_and_continuations_still_read() -> None:
    for display in [
        r"\begin{eqnarray} a &=& 1 \\ a + a &=& 2 \end{eqnarray}",
        r"$$\begin{array}{rcl} a &=& 1 \\ a + a &=& 2 \end{array}$$",
        r"\begin{align} a &= 1 \\ a + a &= 2 & &\text{twice } a \end{align}",
    ]:
        document = read(display)
        assert document.problems == [], display
        assert verdicts(document) == {"2": "proved"}


@pytest.mark.parametrize(
    "display",
    [
        r"$$\begin{aligned}[t] a &= 2 \\ 2a &= 4 \end{aligned}$$",
        r"$$\begin{gathered}[b] a = 2 \\ 2a = 4 \end{gathered}$$",
        r"$$\begin{array}[t]{l} a = 2 \\ 2a = 4 \end{array}$$",
    ],
)
def test_the_position_of_an_inner_environment_is_never_mathematics(display: str) -> None:
    # [t] is never t·a: a = 2 is a definition and 2a = 4 holds
    document = read(display)
    assert document.problems == []
    assert verdicts(document) == {"2": "proved"}


def test_an_unknown_position_is_refused() -> None:
    refused(r"$$\begin{aligned}[x] a &= 2 \end{aligned}$$", "[t], [b] or [c]")


def test_a_row_below_that_begins_with_a_group_and_holds_a_relation_is_mathematics() -> None:
    # {x}^2 = 2 with x = 1 is false (1 ≠ 2), {x}^2 = 1 true: read, never a justification
    document = read(r"$$\begin{aligned} x &= 1 \\ {x}^2 &= 2 \end{aligned}$$")
    assert document.problems == []
    assert verdicts(document) == {"2": "refuted"}
    document = read(r"$$\begin{aligned} x &= 1 \\ {x}^2 &= 1 \end{aligned}$$")
    assert verdicts(document) == {"2": "proved"}


@pytest.mark.parametrize("note", [r"\text{odd terms cancel}", r"\text{large terms kept}"])
def test_words_that_are_no_condition_stay_a_justification(note: str) -> None:
    document = read(f"$$ 1 + 1 = 2 \\quad {note} $$")
    assert document.problems == []
