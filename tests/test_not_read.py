"""A display that cannot be read is never covered by "every claim holds"."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from symbn.cli import main

DOCUMENT = "$$a + a = 2a \\tag{1}$$\n\n$$x + 1 = \\text{3} + 2 \\tag{2}$$\n"


def test_the_summary_counts_the_display_not_read(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(DOCUMENT)
    result = CliRunner().invoke(main, ["check", str(notes)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())  # however the terminal wrapped it
    assert "1 display not read" in text
    assert "NOT every claim holds" in text
    assert " every claim holds" not in text.replace("NOT every claim holds", "")


def test_json_is_not_ok_while_a_display_is_not_read(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(DOCUMENT)
    result = CliRunner().invoke(main, ["check", str(notes), "--format", "json"])
    assert result.exit_code == 2
    summary = json.loads(result.stdout)
    assert summary["ok"] is False
    assert summary["not_read"] == 1
    assert [s["verdict"] for s in summary["steps"]] == ["proved"]
