"""The terminal at 60 columns: wide equations wrap before a + or − instead of being cut, a single
term too wide is cut into strips (never left out), the ``--all`` table keeps the names, and a
cancelled term is struck through without combining characters (which shift columns)."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console

import symbn
from symbn.cli import main
from symbn.render.display import plain, renderable
from symbn.render.unicode import STRIKE


def styled(obj: object, width: int = 60) -> str:
    """The terminal rendering with ANSI styles, as a colour terminal gets it."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard", force_terminal=True)
    console.print(renderable(obj))  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("name", symbn.names())
def test_every_row_fits_60_columns(name: str) -> None:
    shown = plain(symbn.load(name).check(), 60)
    assert max(cell_len(row) for row in shown.splitlines()) <= 60


@pytest.mark.parametrize("name", symbn.names())
def test_no_equation_is_cut_at_60_columns(name: str) -> None:
    shown = plain(symbn.load(name).check(), 60)
    assert "…" not in shown and STRIKE not in shown


def test_a_term_wider_than_the_space_is_cut_into_strips_not_dropped() -> None:
    shown = plain(symbn.load("batchnorm-fold").check(), 60)
    block = shown[shown.index("(6.5)") : shown.index("(6.6)")]
    assert "↪" in block and "μ" in block and "β" in block  # the strips carry every term


def test_the_seed_keeps_both_cancelled_terms_of_1_11() -> None:
    shown = plain(symbn.load("batchnorm-bias").check(), 60)
    block = shown[shown.index("(1.11)") : shown.index("(1.12)")]
    rows = block.splitlines()
    marked = [row for row in rows if "~b" in row]
    assert len(marked) == 2  # + ~b~ on the first row, − ~b~ wrapped onto its own row
    assert marked[1].strip().startswith("- ~b")
    assert any(row.strip().startswith("=") for row in rows)


def test_a_colour_terminal_strikes_the_cancelled_terms_through_cell_for_cell() -> None:
    out = styled(symbn.load("batchnorm-bias").check())
    assert STRIKE not in out and "~b" not in out
    block = out[out.index("(1.11)") : out.index("(1.12)")]
    assert "\x1b[9m" in block or ";9m" in block  # SGR 9: crossed out
    visible = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert max(cell_len(row) for row in visible.splitlines()) <= 60


def test_a_cancelled_term_without_styles_keeps_every_column() -> None:
    x, y = symbn.symbols("x y")
    d = symbn.Derivation("Cancel", name="c").step(
        symbn.written(x, symbn.cancel(y), -symbn.cancel(y)), x, label="1"
    )
    shown = plain(d, 60)
    row = next(r for r in shown.splitlines() if "~y~" in r)
    assert row.count("~y~") == 2 and len(row) == cell_len(row)


def test_the_all_table_keeps_the_names_at_60_columns() -> None:
    result = CliRunner().invoke(main, ["derive", "--all"], env={"COLUMNS": "60"}, terminal_width=60)
    assert result.exit_code == 0, result.output
    for name in symbn.names():
        assert re.search(rf"^\s*{re.escape(name)}\s", result.stdout, re.M), name
    assert max(cell_len(row) for row in result.stdout.splitlines()) <= 60
    assert "✓ proved" in result.stdout  # the legend of the narrow headings
