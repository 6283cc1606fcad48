"""``symbn check``'s outputs: the export options ``derive`` has, and places in JSON and annotations."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from symbn.cli import main

DOCUMENT = """# Centering

$$y = x + c \\tag{1}$$

$$y - c = x \\tag{2}$$

  $$y - x = 2 c \\tag{3}$$

$$\\weird{x} = 1 \\tag{4}$$
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str = DOCUMENT, name: str = "notes.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_gives_every_step_its_place_and_every_problem_as_an_object(tmp_path: Path) -> None:
    path = write(tmp_path)
    code, out, _ = run("check", str(path), "--format", "json")
    assert code == 2  # (4) cannot be read
    data = json.loads(out)
    places = {s["label"]: (s["file"], s["line"], s["column"]) for s in data["steps"]}
    assert places == {"1": (str(path), 3, 3), "2": (str(path), 5, 3), "3": (str(path), 7, 5)}
    verdicts = {s["label"]: s["verdict"] for s in data["steps"]}
    assert verdicts == {"1": "definition", "2": "proved", "3": "refuted"}
    (problem,) = data["problems"]
    assert (problem["file"], problem["line"], problem["column"]) == (str(path), 9, 3)
    assert "\\weird" in problem["message"] and not problem["message"].startswith(str(path))


def test_a_notebook_problem_names_its_cell(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []},
        {"cell_type": "markdown", "metadata": {}, "source": "# T\n\n$$\\weird{x} = 1$$\n"},
    ]
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}))
    code, out, _ = run("check", str(notebook), "--format", "json")
    assert code == 2
    (problem,) = json.loads(out)["problems"]
    assert (problem["cell"], problem["line"], problem["column"]) == (2, 3, 3)


def test_a_document_that_cannot_be_read_is_a_problem_object_too(tmp_path: Path) -> None:
    path = write(tmp_path, "no mathematics here\n")
    code, out, _ = run("check", str(path), "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert data["problems"] == [{"file": str(path), "message": data["error"]}]


def test_check_writes_latex_with_derives_layout_options(tmp_path: Path) -> None:
    path = write(tmp_path, DOCUMENT.replace("\n$$\\weird{x} = 1 \\tag{4}$$\n", ""))
    target = tmp_path / "out.tex"
    code, out, _ = run(
        "check", str(path), "--format", "latex", "--standalone", "--marks", "-o", str(target)
    )
    assert code == 1 and out == ""  # (3) is refuted; everything went to the file
    text = target.read_text(encoding="utf-8")
    assert text.startswith("\\documentclass") and "\\end{document}" in text
    assert "\\begin{align}" in text
    code, _, err = run("check", str(path), "--format", "latex", "-o", str(target))
    assert code == 2 and "exists" in err and target.read_text(encoding="utf-8") == text
    code, _, _ = run(
        "check", str(path), "--format", "latex", "--env", "align*", "-o", str(target), "--force"
    )
    assert code == 1 and "\\begin{align*}" in target.read_text(encoding="utf-8")


def test_check_markdown_without_justifications(tmp_path: Path) -> None:
    text = DOCUMENT.replace("\n$$\\weird{x} = 1 \\tag{4}$$\n", "").replace(
        "\\tag{2}$$", "\\tag{2}$$\n\n*subtract c from both sides*"
    )
    path = write(tmp_path, text)
    _, with_why, _ = run("check", str(path), "--format", "markdown")
    _, without, _ = run("check", str(path), "--format", "markdown", "--no-why")
    assert "subtract" in with_why and "subtract" not in without


def test_export_options_are_refused_where_they_do_not_apply(tmp_path: Path) -> None:
    path = write(tmp_path)
    code, _, err = run("check", str(path), "--standalone")
    assert code == 2 and "--standalone applies to --format latex" in err
    code, _, err = run(
        "check", str(path), str(path), "--format", "latex", "-o", str(tmp_path / "x.tex")
    )
    assert code == 2 and "one FILE" in err and not (tmp_path / "x.tex").exists()


def test_json_of_several_documents_goes_to_one_file(tmp_path: Path) -> None:
    first = write(tmp_path, DOCUMENT, "a.md")
    second = write(tmp_path, DOCUMENT, "b.md")
    target = tmp_path / "all.json"
    code, out, _ = run("check", str(first), str(second), "--format", "json", "-o", str(target))
    assert code == 2 and out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [d["file"] for d in data] == [str(first), str(second)]


def test_github_annotates_a_problem_on_its_place_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path)
    code, out, _ = run("check", str(path), "--format", "github")
    assert code == 2
    lines = out.splitlines()
    problem = next(line for line in lines if "cannot read" in line)
    assert problem.startswith(f"::error file={path},line=9,col=3,title=symbn cannot read::")
    assert any(line.startswith(f"::error file={path},line=7,col=5,") for line in lines)


SEED = Path(__file__).parent / "data" / "batchnorm-bias-cancellation.md"
CORPUS = sorted(
    p for p in (Path(__file__).parent / "data" / "corpus").iterdir()
    if p.suffix in (".md", ".tex", ".ipynb")
)


def test_the_written_declaration_reads_every_corpus_document_the_same(tmp_path: Path) -> None:
    """What --write-declaration saves, read back as the sidecar, gives the very same lines."""
    import shutil

    from symbn.parse.declare import to_mapping
    from symbn.parse.document import read_document

    for source in CORPUS:
        path = tmp_path / source.name
        shutil.copy(source, path)
        inferred = read_document(path)
        if not to_mapping(inferred.inferred):
            continue
        _, _, err = run("check", str(path), "--write-declaration", "--timeout", "0.01")
        assert f"wrote {path}.symbn.toml" in err, (source.name, err)
        declared = read_document(path)
        assert to_mapping(declared.inferred) == {}, source.name  # nothing is left to infer
        assert [  # printed: a backward pass's bound indices are fresh dummies in each reading
            (line.label, line.kind, str(line.lhs_meaning), str(line.rhs_meaning))
            for line in declared.derivation.lines
        ] == [
            (line.label, line.kind, str(line.lhs_meaning), str(line.rhs_meaning))
            for line in inferred.derivation.lines
        ], source.name


def test_write_declaration_never_replaces_a_sidecar_without_force(tmp_path: Path) -> None:
    path = tmp_path / "seed.md"
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    mine = tmp_path / "seed.symbn.toml"  # the other name a sidecar may have
    code, out, err = run("check", str(path))
    assert code == 0 and "Notation inferred" in out and "examples.families" in out
    code, _, err = run("check", str(path), "--write-declaration")
    assert code == 0 and (tmp_path / "seed.md.symbn.toml").is_file()
    written = (tmp_path / "seed.md.symbn.toml").read_text(encoding="utf-8")
    assert 'families = ["a^{[l-1]}", "z^{[l]}"]' in written
    (tmp_path / "seed.md.symbn.toml").unlink()
    (tmp_path / "seed.md.symbn.toml").symlink_to(mine)
    code, _, err = run("check", str(path), "--write-declaration")
    assert code == 2 and "symbolic link" in err and not mine.exists()
    code, _, err = run("check", str(path), "--write-declaration", "--force")
    assert code == 0 and not mine.exists() and "wrote" in err
    assert not (tmp_path / "seed.md.symbn.toml").is_symlink()


def test_json_reports_what_was_inferred(tmp_path: Path) -> None:
    seed = tmp_path / "seed.md"  # away from the sidecar beside the test copy
    seed.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run("check", str(seed), "--format", "json")
    assert code == 0
    inferred = json.loads(out)["inferred"]
    assert inferred["examples"]["families"] == ["a^{[l-1]}", "z^{[l]}"]
    assert inferred["names"] == ["sigma^2"]
