"""symbn's own exports read back with no declaration at all: the notation is inferred (issue 15).

Each shipped derivation is rendered as Markdown and as LaTeX, read with no sidecar, and checked;
the verdicts must be the library's. batchnorm-scale states an assumption (ε₀ = 0) only in prose,
which the reader never turns into mathematics: without it the rows that need it are refuted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbn
from symbn.check import check_many
from symbn.parse import read_document
from tests.test_parse_roundtrip import rendered

NEEDS_ITS_ASSUMPTION = {"batchnorm-scale": {"5.10", "5.11", "5.12"}}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, str]]:
    folder = tmp_path_factory.mktemp("exports")
    documents = {}
    for name in symbn.names():
        for fmt, suffix in (("markdown", ".md"), ("latex", ".tex")):
            path = Path(folder) / f"{name}{suffix}"
            path.write_text(rendered(name, fmt), encoding="utf-8")
            document = read_document(path)
            assert document.problems == [], (name, fmt, document.problems)
            documents[(name, fmt)] = document.derivation
    reports = check_many(list(documents.values()), timeout=20.0, seed=0)
    return {
        key: {r.label: r.verdict.value for r in report}
        for key, report in zip(documents, reports, strict=True)
    }


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
@pytest.mark.parametrize("name", symbn.names())
def test_exports_read_back_with_the_library_verdicts_and_no_sidecar(
    name: str, fmt: str, verdicts: dict[tuple[str, str], dict[str, str]]
) -> None:
    expected = {r.label: r.verdict.value for r in symbn.load(name).check()}
    found = verdicts[(name, fmt)]
    assert list(found) == list(expected)
    differ = {label for label in expected if found[label] != expected[label]}
    assert differ == NEEDS_ITS_ASSUMPTION.get(name, set())
    assert all(found[label] == "refuted" for label in differ)
