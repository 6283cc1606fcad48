"""The example notebook, run with nbclient on a real ipykernel: its outputs say what the maths says.

Cells are found by their tags (cell metadata), not their position. The notebook is committed
without outputs; executing it here is what shows it works.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOK = EXAMPLES / "own-derivation.ipynb"
LABELS = [f"2.{k}" for k in range(1, 10)]
EXPECTED = {
    "2.1": "definition",
    "2.2": "definition",
    "2.3": "proved",
    "2.4": "proved",
    "2.5": "proved",
    "2.6": "definition",
    "2.7": "proved",
    "2.8": "proved",
    "2.9": "refuted",
}
RICH = ("text/latex", "text/markdown")


def _kernel_name() -> str:
    """The ipykernel kernel spec of this environment; skip without it, or fail where CI requires it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        message = "no python3 kernel spec; run: python -m ipykernel install --sys-prefix"
        if os.environ.get("SYMBN_REQUIRE_REAL_PARTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return "python3"


@pytest.fixture(scope="module")
def executed() -> dict[str, list[dict[str, Any]]]:
    """The notebook run top to bottom on a real kernel: each tagged cell's outputs, by tag."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name=_kernel_name(),
        resources={"metadata": {"path": str(EXAMPLES)}},
    ).execute()
    outputs: dict[str, list[dict[str, Any]]] = {"*": []}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs["*"].extend(cell.outputs)
        for tag in cell.metadata.get("tags", []):
            outputs[tag] = list(cell.outputs)
    return outputs


def _stdout(outputs: list[dict[str, Any]]) -> str:
    return "".join(
        o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout"
    )


def _verdicts(text: str) -> dict[str, str]:
    return dict(re.findall(r"^(2\.\d) (\w+)$", text, flags=re.MULTILINE))


def _rich(outputs: list[dict[str, Any]], tag: str) -> str:
    """The LaTeX or Markdown the cell displayed; a failure (not a skip) when it displayed none."""
    for output in outputs:
        data = output.get("data", {})
        for mime in RICH:
            if mime in data:
                return str(data[mime])
    kinds = [sorted(o.get("data", {})) for o in outputs]
    pytest.fail(f"the {tag!r} cell displayed no {' or '.join(RICH)} (outputs: {kinds})")


def test_the_notebook_is_committed_without_outputs() -> None:
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


def test_it_runs_without_errors_or_noise(executed: dict[str, list[dict[str, Any]]]) -> None:
    errors = [o for o in executed["*"] if o["output_type"] == "error"]
    assert not errors, [f"{e['ename']}: {e['evalue']}" for e in errors]
    stderr = [o["text"] for o in executed["*"] if o.get("name") == "stderr"]
    assert not stderr, stderr  # check(progress=True) draws no bar in a notebook


def test_the_steps_so_far_are_proved(executed: dict[str, list[dict[str, Any]]]) -> None:
    verdicts = _verdicts(_stdout(executed["first-check"]))
    assert verdicts == {label: EXPECTED[label] for label in LABELS[:5]}


def test_the_verdicts_are_what_the_maths_says(executed: dict[str, list[dict[str, Any]]]) -> None:
    outputs = executed["verdicts"]
    assert _verdicts(_stdout(outputs)) == EXPECTED
    results = [o for o in outputs if o["output_type"] == "execute_result"]
    assert results and results[-1]["data"]["text/plain"] == "False"  # report.ok


def test_the_counterexample_really_refutes_the_sign_slip(
    executed: dict[str, list[dict[str, Any]]],
) -> None:
    """Recompute both sides of 2.9 at the reported values, independently of symbn."""
    text = _stdout(executed["verdicts"])
    found = re.search(r"^counterexample: (.*)$", text, flags=re.MULTILINE)
    sides = re.search(r"^left side: (\S+)  right side: (\S+)$", text, flags=re.MULTILINE)
    assert found and sides
    values = dict(pair.split(" = ") for pair in found.group(1).split(", "))
    m = int(values["m"])
    xs = [Fraction(values.get(f"x[{k}]", "0")) for k in range(1, m + 1)]
    c = Fraction(values.get("c", "0"))
    ys = [x + c for x in xs]
    mean_y = sum(ys) / m
    variance = sum((y - mean_y) ** 2 for y in ys) / m
    slip = sum(x * x for x in xs) / m + (sum(xs) / m) ** 2
    assert (Fraction(sides.group(1)), Fraction(sides.group(2))) == (variance, slip)
    assert variance != slip


def test_the_latex_export_carries_every_label(executed: dict[str, list[dict[str, Any]]]) -> None:
    latex = _stdout(executed["latex"])
    assert latex.startswith("\\begin{align}")
    for label in LABELS:
        assert f"\\tag{{{label}}}" in latex


# These two need the display protocols (_repr_latex_ / _repr_markdown_) of Derivation and Report.


def test_the_derivation_displays_as_math_with_its_labels(
    executed: dict[str, list[dict[str, Any]]],
) -> None:
    shown = _rich(executed["show-derivation"], "show-derivation")
    for label in LABELS[:5]:
        assert label in shown
    assert "\\cancel" in shown


@pytest.mark.parametrize("tag", ["show-derivation", "show-report"])
def test_each_object_is_one_display_with_no_terminal_drawing(
    executed: dict[str, list[dict[str, Any]]], tag: str
) -> None:
    """Exactly one rich output per displayed object, from one MIME bundle; nothing on a stream."""
    outputs = executed[tag]
    shown = [o for o in outputs if o["output_type"] in ("execute_result", "display_data")]
    assert len(shown) == 1, [o["output_type"] for o in outputs]
    assert not [o for o in outputs if o["output_type"] == "stream"]
    data = shown[0]["data"]
    assert set(data) == {"text/plain", "text/latex", "text/markdown", "text/html"}
    plain = data["text/plain"]
    assert plain.startswith("Centering removes a shared offset")
    assert not set(plain) & set("─╲╱⎛⎝‾│")  # a summary, never the terminal drawing
    html = data["text/html"]
    assert 'class="symbn-report"' in html and "katex.render" in html
    assert html.count('class="symbn-line symbn-') == (5 if tag == "show-derivation" else 9)


def test_the_report_summary_names_the_refuted_step(
    executed: dict[str, list[dict[str, Any]]],
) -> None:
    (shown,) = [o for o in executed["show-report"] if o["output_type"] == "execute_result"]
    assert "  (2.9) ✗ refuted: " in shown["data"]["text/plain"]
    assert 'data-label="2.9"' in shown["data"]["text/html"]
    assert "symbn-refuted" in shown["data"]["text/html"]


def test_the_report_displays_the_refuted_step(executed: dict[str, list[dict[str, Any]]]) -> None:
    shown = _rich(executed["show-report"], "show-report")
    for label in LABELS:
        assert label in shown
    assert "refuted" in shown.lower() or "✗" in shown
