"""The LaTeX export fits a real paper: every shipped derivation's fragment, ``\\input`` into a
two-column ``article``, and its standalone article compile with pdflatex and no ``Overfull \\hbox``
beyond 1 pt (read from the log). Long lines break before ``+``/``-``; the reader reads them back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symbn
from symbn.errors import DerivationError
from symbn.render.latex import WIDTHS, to_latex
from tests.test_latex import compile_latex

TOLERANCE_PT = 1.0
PAPER = (
    "\\documentclass[twocolumn]{article}\n\\usepackage{amsmath,amssymb,cancel}\n"
    "\\begin{document}\nText of the paper before the derivation, in the first column.\n"
    "\\input{derivation}\nBy \\eqref{eq:NAME:LABEL}, and so on.\n\\end{document}\n"
)


def overfull(log: str) -> list[float]:
    """Every ``Overfull \\hbox`` of a pdflatex log, by how many points it is too wide."""
    return [float(pt) for pt in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def test_overfull_boxes_are_found_in_a_log() -> None:
    log = (
        "Overfull \\hbox (12.5pt too wide) detected at line 3\nOverfull \\hbox (0.3pt too wide) in"
    )
    assert overfull(log) == [12.5, 0.3]


@pytest.mark.parametrize("name", symbn.names())
def test_the_fragment_fits_a_column_of_a_two_column_paper(name: str, tmp_path: Path) -> None:
    derivation = symbn.load(name)
    (tmp_path / "derivation.tex").write_text(to_latex(derivation), encoding="utf-8")
    paper = PAPER.replace("NAME", name).replace("LABEL", derivation.lines[-1].label)
    log = compile_latex(paper, tmp_path, "paper")
    assert [pt for pt in overfull(log) if pt > TOLERANCE_PT] == []


@pytest.mark.parametrize("name", symbn.names())
def test_the_standalone_article_fits_its_text(name: str, tmp_path: Path) -> None:
    log = compile_latex(to_latex(symbn.load(name).check(), standalone=True), tmp_path)
    assert [pt for pt in overfull(log) if pt > TOLERANCE_PT] == []


@pytest.mark.parametrize("options", [{"marks": True}, {"why": False}, {"env": "align*"}])
def test_the_seed_fits_a_column_with_every_option(options: dict, tmp_path: Path) -> None:
    (tmp_path / "derivation.tex").write_text(
        to_latex(symbn.load("batchnorm-bias").check(), **options), encoding="utf-8"
    )
    paper = PAPER.replace("By \\eqref{eq:NAME:LABEL}, and so on.\n", "")
    log = compile_latex(paper, tmp_path, "paper")
    assert [pt for pt in overfull(log) if pt > TOLERANCE_PT] == []


def test_a_long_right_side_breaks_before_a_sign_with_its_tag_on_the_last_row() -> None:
    out = to_latex(symbn.load("batchnorm-bias")).splitlines()
    rows = out[next(k for k, row in enumerate(out) if "\\cancel" in row) :]
    rows = rows[: next(k for k, row in enumerate(rows) if "\\tag{1.11}" in row) + 1]
    assert len(rows) > 1 and all(row.endswith("\\notag \\\\") for row in rows[:-1])
    assert all(re.match(r"&\\quad [+-] ", row) for row in rows[1:])
    assert rows[-1].startswith("&\\quad - \\cancel{b^{[l]}} ") and "\\tag{1.11}" in rows[-1]


def test_text_width_breaks_less_than_column_width() -> None:
    seed = symbn.load("batchnorm-bias")
    column, text = to_latex(seed, width="column"), to_latex(seed, width="text")
    assert text.count("&\\quad") < column.count("&\\quad")
    assert to_latex(seed, width=WIDTHS["text"]) == text
    assert to_latex(seed, standalone=True) == to_latex(seed, standalone=True, width="text")


@pytest.mark.parametrize("width", ["page", 10, 1e9, True])
def test_a_bad_width_is_a_symbn_error(width: object) -> None:
    with pytest.raises(DerivationError, match="width must be"):
        to_latex(symbn.load("batchnorm-bias"), width=width)  # type: ignore[arg-type]


def test_align_star_drops_the_numbers_its_justifications_cite() -> None:
    out = to_latex(symbn.load("batchnorm-bias"), env="align*")
    assert "1.4 substituted" not in out and "1.1 substituted" not in out
    assert "substituted for the mean" in out


def test_every_mark_is_as_wide_as_the_relation() -> None:
    out = to_latex(symbn.load("batchnorm-bias").check(), marks=True)
    assert "\\overset{\\scriptscriptstyle\\mathrm{def}}{=}" in out


def test_align_star_takes_out_whole_numbers_only() -> None:
    x = symbn.symbols("x")
    d = symbn.Derivation("Citations", name="cite")
    d.step(x, x, label="1.1", why="plain")
    d.step(x, x, label="1.10", why="1.10 and (1.1) give it, by Equation 1.1; 1.100, x1.1 stay")
    out = to_latex(d, env="align*")
    assert r"\text{give it; 1.100, x1.1 stay}" in out
    assert "1.10 " not in out and "(1.1)" not in out
