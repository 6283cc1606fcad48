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
