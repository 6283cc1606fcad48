"""A row that cannot be read is never silently skipped (issue 15, item 4)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from symbn.cli import main
from symbn.parse import read_text

BROKEN = r"""# Variance

$$\mu = \frac{1}{m} \sum_{i=1}^{m} x_i$$

$$\sigma^2 = \frac{1}{m} \sum_{i=1}^{m} (x_i - \mu)^2 \#$$

$$y = \sigma^2 + 1$$

$$= 1 + \sigma^2$$

$$z = \mu + 1$$
"""


def test_rows_using_a_definition_that_did_not_read_point_at_it() -> None:
    document = read_text(BROKEN, "v.md")
    assert [line.label for line in document.derivation.lines] == ["1", "5"]
    assert document.problems[0].startswith("v.md:5:")
    assert document.problems[1] == (
        "v.md:7:3: (3) uses \\sigma^2, whose definition at v.md:5:3 could not be read; "
        "it is not checked"
    )
    assert document.problems[2].startswith("v.md:9:3: (4)")
    assert document.unread == 3
    assert document.rows == 5


def test_the_command_does_not_exit_0_when_a_display_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "v.md"
    path.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    assert result.exit_code == 2
    assert "could not be read" in result.stderr


def test_a_document_that_reads_has_nothing_unread() -> None:
    document = read_text("$$a = 1$$\n\n$$b = a + 1$$", "ok.md")
    assert document.unread == 0 and document.problems == []


def test_a_definition_after_its_first_use_is_said_at_the_use_not_refuted() -> None:
    document = read_text("$$y = x + 1$$\n\n$$x = 2$$\n", "late.md")
    assert document.problems == [
        "late.md:3:3: (2) reads as the definition of x, which (1) uses before it: define x before "
        'its first use, or list "2" under claims to check this line as a claim'
    ]


def test_a_claim_about_a_name_through_its_definitions_is_still_a_claim() -> None:
    document = read_text("$$y = 2a$$\n\n$$a = \\frac{y}{2}$$\n", "ok.md")
    assert document.problems == []
    assert [line.kind.value for line in document.derivation.lines] == ["definition", "claim"]


def test_a_derivative_with_respect_to_a_defined_quantity_is_checked_with_it_as_the_variable() -> None:
    """∂y/∂u with y = 3u, u = 2x is 3 (u stays the variable); 6 there is refuted, ∂y/∂x = 6 holds."""
    text = (
        "$$u = 2 x$$\n\n$$y = 3 u$$\n\n$$\\frac{\\partial y}{\\partial u} = 3$$\n\n"
        "$$\\frac{\\partial y}{\\partial x} = 6$$\n\n$$\\frac{\\partial y}{\\partial u} = 6$$\n"
    )
    document = read_text(text, "d.md")
    assert document.problems == []
    report = document.derivation.check()
    assert [r.verdict.value for r in report] == [
        "definition",
        "definition",
        "proved",
        "proved",
        "refuted",
    ]
