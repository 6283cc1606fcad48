"""The corpus: notes written as people write them, each with planted slips, checked for real.

Each document in ``tests/data/corpus`` has ``NAME.expected.json`` beside it: the verdict of each
line (``holds`` = proved or checked) and the labels of the planted slips. The documents carry no
declaration: what they need is inferred. Every slip must be refuted under its number, no true
step refuted, no definition read as a claim, and every display read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symbn.check import check_many
from symbn.parse import read_document

CORPUS = Path(__file__).parent / "data" / "corpus"
DOCUMENTS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".tex", ".ipynb"))


def expected(path: Path) -> dict[str, object]:
    return json.loads((CORPUS / (path.name + ".expected.json")).read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_every_document_has_its_expectations() -> None:
    assert len(DOCUMENTS) >= 15
    assert {p.suffix for p in DOCUMENTS} == {".md", ".tex", ".ipynb"}
    for path in DOCUMENTS:
        data = expected(path)
        assert data["slips"], path.name
        assert not list(CORPUS.glob(path.name + ".symbn.toml")), "the corpus needs no declaration"


@pytest.fixture(scope="module")
def checked() -> dict[str, dict[str, str]]:
    documents = {path.name: read_document(path) for path in DOCUMENTS}
    for name, document in documents.items():
        assert document.problems == [], (name, document.problems)
        assert document.unread == 0, name
    reports = check_many([d.derivation for d in documents.values()], timeout=20.0, seed=0)
    return {
        name: {r.label: r.verdict.value for r in report}
        for name, report in zip(documents, reports, strict=True)
    }


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_each_slip_is_refuted_and_every_true_step_holds(
    path: Path, checked: dict[str, dict[str, str]]
) -> None:
    found = checked[path.name]
    data = expected(path)
    wanted = data["verdicts"]
    assert isinstance(wanted, dict)
    assert list(found) == list(wanted)
    for label, verdict in wanted.items():
        if verdict == "holds":
            assert found[label] in ("proved", "checked"), (label, found[label])
        else:
            assert found[label] == verdict, (label, found[label])
    slips = data["slips"]
    assert isinstance(slips, list)
    assert all(found[label] == "refuted" for label in slips)
    assert all(v != "refuted" for label, v in found.items() if label not in slips)
