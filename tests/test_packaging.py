"""A plain, non-editable install carries everything `symbn derive` needs: the derivations too."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

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
