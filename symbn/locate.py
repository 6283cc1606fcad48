"""Where each line of a derivation is written, by label: for CI annotations and test reports.

A document's rows are found by the reader's own scan (the same rows ``symbn check`` reads, so the
labels agree); a Python module's lines by the ``label="…"`` keywords of its calls, read with
:mod:`ast` (nothing is run). A label that cannot be placed has no location, never a guessed one.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Mapping
from pathlib import Path

MARKUP = (".md", ".markdown", ".tex", ".latex", ".ltx")

Location = tuple[int, int]
"""A 1-based (line, column)."""


def in_document(path: str | Path, text: str | None = None) -> dict[str, Location]:
    """The (line, column) of every row of the Markdown or LaTeX document at ``path``, by label.

    Nothing for any other file (a notebook): no location rather than a wrong one.
    """
    from symbn.parse import document as reader

    file = Path(path)
    if file.suffix.lower() not in MARKUP:
        return {}  # a notebook's offsets are in its JSON, not in its cells' lines
    try:
        if text is None:
            text = file.read_bytes().decode("utf-8")
        kind = "tex" if file.suffix.lower() in (".tex", ".latex", ".ltx") else "md"
        positions = reader._Positions(str(file), text)
        visible, _, skips = reader._declarations(text, kind, positions)
        rows, _ = reader._rows(visible, kind, positions, skips)
    except Exception:  # a document the reader refuses has no locations; the reader says why
        return {}
    found: dict[str, Location] = {}
    for row in rows:
        offset = row.offset + len(row.text) - len(row.text.lstrip())
        line = _line_of(positions.starts, offset)
        found.setdefault(row.label, (line + 1, offset - positions.starts[line] + 1))
    return found


def in_module(path: str | Path) -> dict[str, Location]:
    """The (line, column) of each ``label="…"`` keyword in the Python module at ``path``."""
    try:
        tree = ast.parse(Path(path).read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return {}
    found: dict[str, Location] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "label"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    previous = found.get(value.value)
                    here = (keyword.lineno, keyword.col_offset + 1)
                    found[value.value] = min(previous, here) if previous else here
    return found


def lookup(locations: Mapping[str, Location], label: str, *, chains: bool) -> Location | None:
    """Where ``label`` is written; with ``chains``, a row's later claim (``1.9.2``) is on its row.

    Labels are unique, so in a document a label that is no row's is the ``N.k`` of row ``N``.
    """
    if label in locations:
        return locations[label]
    head, dot, tail = label.rpartition(".")
    if chains and dot and tail.isdigit():
        return locations.get(head)
    return None


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def shipped_module(name: str) -> str | None:
    """The file of the shipped derivation ``name``'s module, relative to here, or ``None``."""
    import importlib.util

    from symbn.registry import shipped

    for entry in shipped():
        if entry.name == name:
            spec = importlib.util.find_spec(entry.module)
            return relative(spec.origin) if spec is not None and spec.origin else None
    return None


def relative(path: str | Path) -> str | None:
    """``path`` relative to the working directory (a repository's root in CI), ``None`` if outside."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return None
