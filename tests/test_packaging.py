"""A plain, non-editable install carries everything `symbn derive` needs: the derivations too."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_every_derivation_module(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    (wheel,) = tmp_path.glob("symbn-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "derivations").glob("*.py")}
    assert shipped, "no derivations found in the source tree"
    for module in shipped:
        assert f"symbn/derivations/{module}" in names
    assert "symbn/cli.py" in names
    assert "symbn/render/assets/katex/katex.min.js" in names  # the HTML report works offline
    assert "symbn/render/assets/katex/fonts/KaTeX_Main-Regular.woff2" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_a_source_tree_that_is_not_installed_finds_its_derivations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run from a clone without installing, ``derivations/`` is found beside ``symbn/``."""
    import sys

    from symbn import registry

    monkeypatch.setattr(registry, "PACKAGE", "symbn_tree_derivations")
    monkeypatch.delitem(sys.modules, "symbn_tree_derivations", raising=False)
    found = registry.names()
    assert found[0] == "batchnorm-bias" and "layernorm-bias" in found
    assert len(registry.load("batchnorm-bias").lines) == 15
    for name in [n for n in sys.modules if n.startswith("symbn_tree_derivations")]:
        monkeypatch.delitem(sys.modules, name)


def test_without_the_derivations_the_error_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from symbn import registry
    from symbn.errors import SymbnError

    monkeypatch.setattr(registry, "PACKAGE", "symbn_nowhere_derivations")
    monkeypatch.setattr(registry, "SOURCE_TREE", tmp_path)
    with pytest.raises(SymbnError, match="pip install"):
        registry.names()
