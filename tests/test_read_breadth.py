"""The notation of ML notes: environments inside $$, algorithm relations, unbounded sums, labels as
subscripts, skip markers and Jupyter notebooks (issue 15, item 5). Expected values built by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sympy import Idx, IndexedBase, Sum, Symbol

from symbn.model import Kind
from symbn.parse import read_document, read_text

a, b, c, x, y, z = (Symbol(n, real=True) for n in "abcxyz")


def lines(text: str, kind: str = "md") -> list[tuple[str, Kind, object, object]]:
    document = read_text(text, "doc.md", kind=kind)
    assert document.problems == [], document.problems
    return [
        (line.label, line.kind, line.lhs_meaning, line.rhs_meaning)
        for line in document.derivation.lines
    ]


@pytest.mark.parametrize(
    "body",
    [
        r"\begin{align} y &= 2a \\ &= a + a \end{align}",
        r"\begin{align*} y &= 2a \\ &= a + a \end{align*}",
        r"\begin{gather*} y = 2a \\ = a + a \end{gather*}",
        r"\begin{eqnarray} y &=& 2a \\ &=& a + a \end{eqnarray}",
        r"\begin{split} y &= 2a \\ &= a + a \end{split}",
        r"\begin{array}{rcl} y &=& 2a \\ &=& a + a \end{array}",
        r"\begin{aligned} y &= 2a \\ &\vdots \\ &= a + a \end{aligned}",
    ],
)
def test_environments_inside_dollars(body: str) -> None:
    found = lines(f"$$\n{body}\n$$")
    assert [f[1:] for f in found] == [
        (Kind.DEFINITION, y, 2 * a),
        (Kind.CONTINUATION, 2 * a, 2 * a),
    ]


@pytest.mark.parametrize("relation", [r"\leftarrow", ":=", r"\coloneqq", r"\equiv", r"\gets"])
def test_algorithm_relations_define(relation: str) -> None:
    found = lines(f"$$y = 1$$ $$z {relation} y + 1$$ $$z = 2$$")
    assert found[1][1:] == (Kind.DEFINITION, z, y + 1)
    assert found[2][1] is Kind.CLAIM


def test_approximations_are_shown_not_checked() -> None:
    document = read_text(r"$$y = 2$$ $$y \approx 2.01$$ $$y = 1 + 1 \approx 2.0001$$", "doc.md")
    assert document.problems == []
    assert [line.label for line in document.derivation.lines] == ["1", "3"]
    assert document.derivation.lines[1].rhs_meaning == 2
    assert len(document.derivation.notes) == 2
    assert "approximation" in document.derivation.notes[0]


def test_boxed_and_underbrace_hold_the_mathematics() -> None:
    found = lines(r"$$y = \boxed{a + b} + \underbrace{c\,x}_{\text{scaled}}$$")
    assert found[0][3] == a + b + c * x


def test_a_sum_without_bounds_runs_over_the_range_of_its_index() -> None:
    found = lines(r"$$\mu = \frac{1}{H}\sum_{i=1}^{H} a_i$$ $$s = \sum_i (a_i - \mu)$$")
    h = Symbol("H", integer=True, positive=True)
    i = Idx("i", (1, h))
    assert found[1][3] == Sum(IndexedBase("a", real=True)[i] - Symbol("mu", real=True), (i, 1, h))


def test_a_sum_without_bounds_and_no_range_is_refused() -> None:
    document = read_text(r"$$s = \sum_k a_k$$", "doc.md")
    assert document.problems and "bounds" in document.problems[0]


@pytest.mark.parametrize("written", [r"\mu_\mathcal{B}", r"\mu_{\mathcal{B}}", r"\mu_{\mathcal B}"])
def test_a_calligraphic_subscript_is_part_of_the_name(written: str) -> None:
    found = lines(f"$$y = {written} + 1$$")
    assert found[0][3] == Symbol("mu_{\\mathcal{B}}", real=True) + 1


def test_skip_markers() -> None:
    md = "<!-- symbn: skip -->\n$$a = \\weird$$\n\n$$b = 1$$\n\n$$c = \\weird % symbn: skip\n$$\n"
    assert [f[2] for f in lines(md)] == [b]
    tex = "% symbn: skip\n\\[ a = \\weird \\]\n\\[ b = 1 \\]\n\\[ c = \\weird % symbn: skip\n\\]\n"
    assert [f[2] for f in lines(tex, "tex")] == [b]


def test_a_notebook_is_read_from_its_markdown_cells_with_cell_numbers(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "source": ["# Notes\n", "\n", "$$a = 1$$\n"]},
        {"cell_type": "code", "source": ["raise SystemExit('never run')"], "outputs": []},
        {"cell_type": "markdown", "source": "Then\n\n$$a + 1 = 2$$\n\n$$b = \\weird$$"},
    ]
    path = tmp_path / "notes.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4}), encoding="utf-8")
    document = read_document(path)
    assert [(line.lhs_meaning, line.rhs_meaning) for line in document.derivation.lines] == [
        (a, 1),
        (a + 1, 2),
    ]
    assert document.problems == [f"{path}:cell 3:5:7: symbn does not read the command \\weird here"]


def test_a_file_that_is_not_a_notebook_is_one_line_error(tmp_path: Path) -> None:
    from symbn.errors import InputError

    path = tmp_path / "bad.ipynb"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not a Jupyter notebook"):
        read_document(path)


def test_a_square_names_a_quantity_only_when_no_other_power_is_written() -> None:
    document = read_text("$$x^2 = 4$$\n\n$$x^4 = 15$$\n", "doc.md")
    assert document.problems and "power of x" in document.problems[0]
    found = lines(r"$$\sigma^2 = 4$$ $$y = \sigma^2 + 1$$")
    sigma2 = Symbol("sigma^2", real=True)
    assert found == [("1", Kind.DEFINITION, sigma2, 4), ("2", Kind.DEFINITION, y, sigma2 + 1)]


def test_every_line_read_has_its_location() -> None:
    document = read_text("# T\n\n$$a = 1 \\qquad b = 2$$\n\n$$a + b = 3$$\n", "loc.md")
    assert {label: str(place) for label, place in document.locations.items()} == {
        "1": "loc.md:3:3",
        "2": "loc.md:3:16",
        "3": "loc.md:5:3",
    }
