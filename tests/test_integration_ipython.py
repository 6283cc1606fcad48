"""The IPython extension on a real kernel (nbclient + ipykernel): ``%load_ext symbn``, the magics.

Ground truth: ``y = x + c`` makes ``y - x = 2c`` false wherever ``c ≠ 0`` (the sides are ``c`` and
``2c``), and ``√(a²) = a`` holds exactly when ``a`` is declared positive; the counterexample the
cell displays is re-evaluated here with fractions.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from tests.test_notebook import _kernel_name

CELL = """%%symbn
<!-- symbn: positive = ["a"] -->

$$\\sqrt{a^2} = a \\tag{P}$$

$$y = x + c \\quad (1)$$

$$y - x = 2 c \\tag{R}$$

$$z = \\frob{x}$$
"""

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
(README_CELL,) = re.findall(r"^```ipython\n(.*?)^```", README, flags=re.M | re.S)

LATEX_CELL = """%%symbn
% symbn-declare
% positive = ["a"]

% $$\\sqrt{a^2} = -a \\tag{N}$$ is a comment, never read
\\begin{align}
\\sqrt{a^2} &= a \\tag{T}
\\end{align}
"""

CELLS = {
    "load": "%load_ext symbn",
    "cell": CELL,
    "undeclared": "%%symbn\n$$\\sqrt{a^2} = a \\tag{P}$$\n",
    "shipped": "%symbn batchnorm-bias --seed 3",
    "unknown": "%symbn no-such-thing",
    "empty": "%%symbn\nno equations at all\n",
    "options": "%symbn batchnorm-bias --timeout nope",
    "list": "%symbn",
    "readme": README_CELL,
    "latex": LATEX_CELL,
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Each cell's outputs, by name, from one run on a real kernel."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    here: Path = tmp_path_factory.mktemp("magic")
    NotebookClient(
        notebook, timeout=300, kernel_name=_kernel_name(), resources={"metadata": {"path": here}}
    ).execute()
    return {name: list(cell.outputs) for name, cell in zip(CELLS, notebook.cells, strict=True)}


def _stream(outputs: list[dict[str, Any]], name: str) -> str:
    return "".join(o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == name)


def _displayed(outputs: list[dict[str, Any]]) -> dict[str, Any]:
    (shown,) = [o for o in outputs if o["output_type"] == "display_data"]
    return dict(shown["data"])


def test_no_cell_raises(outputs: dict[str, list[dict[str, Any]]]) -> None:
    errors = [o for cell in outputs.values() for o in cell if o["output_type"] == "error"]
    assert not errors, [f"{e['ename']}: {e['evalue']}" for e in errors]
    assert outputs["load"] == []


def test_the_cell_displays_its_report_as_a_mime_bundle(
    outputs: dict[str, list[dict[str, Any]]],
) -> None:
    data = _displayed(outputs["cell"])
    assert {"text/plain", "text/markdown", "text/latex"} <= set(data)
    markdown = data["text/markdown"]
    assert "\\tag{P}" in markdown and "\\tag{R}" in markdown
    assert "refuted" in markdown and "NOT every claim holds" in " ".join(data["text/plain"].split())
    match = re.search(
        r"\(R\) ✗.*?at c = (\S+)\s+lhs = (\S+), rhs = (\S+),", data["text/plain"], re.S
    )
    assert match, data["text/plain"]
    c, lhs, rhs = (Fraction(v) for v in match.groups())
    assert c != 0 and (lhs, rhs) == (c, 2 * c)
    assert re.search(r"\(P\) ✓", data["text/plain"])  # a is declared positive at the cell's top


def test_the_inline_declaration_is_what_proves_p(outputs: dict[str, list[dict[str, Any]]]) -> None:
    plain = _displayed(outputs["undeclared"])["text/plain"]
    assert re.search(r"\(P\) ✗", plain)  # without it, a = -1 is a counterexample


def test_an_unreadable_line_is_one_message_at_its_line_in_the_cell(
    outputs: dict[str, list[dict[str, Any]]],
) -> None:
    stderr = _stream(outputs["cell"], "stderr")
    line = CELL.splitlines().index("$$z = \\frob{x}$$") + 1  # the cell's own line numbers
    assert stderr == f"symbn: cell:{line}:7: symbn does not read the command \\frob here\n"
    assert "Traceback" not in stderr


def test_a_shipped_derivation_is_displayed_checked(
    outputs: dict[str, list[dict[str, Any]]],
) -> None:
    data = _displayed(outputs["shipped"])
    assert "every claim holds" in data["text/plain"]
    assert "\\tag{1.12}" in data["text/markdown"] and "1.12" in data["text/latex"]
    assert _stream(outputs["shipped"], "stderr") == ""


def test_mistakes_are_one_line_messages(outputs: dict[str, list[dict[str, Any]]]) -> None:
    unknown = _stream(outputs["unknown"], "stderr")
    assert unknown.startswith("symbn: no derivation named 'no-such-thing'; known: batchnorm-bias")
    assert unknown.count("\n") == 1
    assert _stream(outputs["empty"], "stderr") == (
        "symbn: cell: no display equations found ($$ … $$, equation, align)\n"
    )
    assert _stream(outputs["options"], "stderr") == (
        "symbn: --timeout takes a number, not 'nope'\n"
    )
    assert all(
        o["output_type"] == "stream"
        for name in ("unknown", "empty", "options")
        for o in outputs[name]
    )


def test_the_line_magic_alone_lists_the_shipped_derivations(
    outputs: dict[str, list[dict[str, Any]]],
) -> None:
    listed = _stream(outputs["list"], "stdout").splitlines()
    assert listed[0].startswith("batchnorm-bias ")
    assert len(listed) >= 7


def test_the_readme_cell_holds(outputs: dict[str, list[dict[str, Any]]]) -> None:
    assert README_CELL.startswith("%%symbn\n")
    assert "every claim holds" in _displayed(outputs["readme"])["text/plain"]
    assert _stream(outputs["readme"], "stderr") == ""


def test_a_latex_cell_has_its_declarations_and_comments(
    outputs: dict[str, list[dict[str, Any]]],
) -> None:
    plain = _displayed(outputs["latex"])["text/plain"]
    assert re.search(r"\(T\) ✓", plain) and "(N)" not in plain
    assert "every claim holds" in plain
    assert _stream(outputs["latex"], "stderr") == ""
