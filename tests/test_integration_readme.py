"""The README's section on integrations stays true: its YAML parses and says what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with pre-commit, in the test extra

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Where you already work"


def _blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    section = text[start : text.index("\n## ", start + len(SECTION))]
    return re.findall(rf"^```{language}\n(.*?)^```", section, flags=re.M | re.S)


def test_the_workflow_is_five_lines_that_run_symbn_check_for_github() -> None:
    workflow, _ = _blocks("yaml")
    assert len(workflow.splitlines()) == 5
    parsed = yaml.safe_load(workflow)
    assert set(parsed[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as True
    steps = parsed["jobs"]["symbn"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4"}
    assert "symbn check --format github paper/*.md" in steps[-1]["run"]


def test_the_pre_commit_config_names_the_shipped_hook() -> None:
    _, config = _blocks("yaml")
    (repo,) = yaml.safe_load(config)["repos"]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in repo["hooks"]] == [hooks[0]["id"]] == ["symbn-check"]


def test_the_pytest_ini_example_is_valid_toml() -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: symbn depends on tomli there
        import tomli as tomllib

    (example,) = _blocks("toml")
    paths = tomllib.loads(example)["tool"]["pytest"]["ini_options"]["symbn_paths"]
    assert all(isinstance(p, str) for p in paths)
