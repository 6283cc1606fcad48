"""The pre-commit hook, run by the real pre-commit (``pre-commit try-repo``) on a scratch repository.

``try-repo`` clones this repository (its HEAD, plus a shadow commit of uncommitted changes), builds
the hook's virtualenv with pip (from the package index pip is configured with) and runs the hook
as a paper repository's commit would. One run on both files (the hook gets them in one call),
since every try-repo builds its environment anew (half a minute). Ground truth for the bad
document: ``y = x + c`` makes ``y - x = 2c`` false at any ``c ≠ 0``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

BAD = """# A slip

$$y = x + c \\quad (1)$$

$$y - x = 2 c \\tag{1.10}$$
"""


def _require(message: str) -> None:
    if os.environ.get("SYMBN_REQUIRE_REAL_PARTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo`` of this repository's symbn-check hook on a good and a bad document."""
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists() or shutil.which("git") is None:
        _require("pre-commit (the test extra) or git is not installed; run tests/install.sh")
    repo = tmp_path_factory.mktemp("papers")
    shutil.copy(DATA / "batchnorm-bias-cancellation.md", repo / "good.md")
    shutil.copy(DATA / "batchnorm-bias-cancellation.md.symbn.toml", repo / "good.md.symbn.toml")
    (repo / "bad.md").write_text(BAD, encoding="utf-8")
    (repo / "notes.txt").write_text("not a document the hook takes\n", encoding="utf-8")
    git = ["git", "-c", "user.name=symbn tests", "-c", "user.email=tests@symbn.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "papers"], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}
    command = [str(pre_commit), "try-repo", str(ROOT), "symbn-check"]
    result = subprocess.run(
        [*command, "--color", "never", "--verbose", "--all-files"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )
    if result.returncode not in (0, 1) and "pip" in result.stdout:
        last = result.stdout.strip().splitlines()[-1]
        _require(f"pre-commit could not build the hook's environment with pip: {last}")
    return result


def test_the_manifest_is_valid() -> None:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        _require("pre-commit (the test extra) is not installed; run tests/install.sh")
    manifest = ROOT / ".pre-commit-hooks.yaml"
    result = subprocess.run(
        [str(pre_commit), "validate-manifest", str(manifest)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = manifest.read_text(encoding="utf-8")
    for line in (
        "id: symbn-check",
        "entry: symbn check",
        "language: python",
        "types_or: [markdown, tex, jupyter]",
    ):
        assert line in text


def _section(out: str, name: str) -> str:
    """What ``symbn check`` printed for one of the files the hook was given (``== name`` on)."""
    start = out.index(f"== {name}\n")
    following = out.find("\n== ", start + 1)
    return out[start : following if following >= 0 else len(out)]


def test_the_hook_fails_the_commit_on_the_bad_document(
    run: subprocess.CompletedProcess[str],
) -> None:
    assert run.returncode == 1, run.stdout
    lines = run.stdout.splitlines()
    assert any(line.startswith("symbn check") and line.endswith("Failed") for line in lines)
    assert "- exit code: 1" in run.stdout
    assert "notes.txt" not in run.stdout  # only Markdown, LaTeX and notebooks reach symbn


def test_the_good_document_holds(run: subprocess.CompletedProcess[str]) -> None:
    good = _section(run.stdout, "good.md")
    assert "12 lines: 5 definitions, 7 proved, 0 refuted — every claim holds" in good
    assert "✗" not in good


def test_the_bad_document_is_refuted_under_its_label(run: subprocess.CompletedProcess[str]) -> None:
    bad = _section(run.stdout, "bad.md")
    assert any(line.lstrip().startswith("(1.10) ✗") for line in bad.splitlines()), bad
    assert "refuted: the sides differ" in bad
    assert "NOT every claim holds" in bad
