"""Where each line of a derivation is written, by label: for CI annotations and test reports.

A document's lines are placed by the reader itself (the places it records while reading, so the
labels agree); a Python module's lines by the ``label="…"`` keywords of its calls, read with
:mod:`ast` (nothing is run). A label that cannot be placed has no location, never a guessed one.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symbn.parse.document import Document


Location = tuple[int, int]
"""A 1-based (line, column)."""


def in_document(document: Document) -> dict[str, Location]:
    """The (line, column) of every line the reader built from ``document``, by label.

    Nothing for a notebook: its places are lines of cells, not of the file an annotation names.
    """
    return {
        label: (place.line, place.column)
        for label, place in document.locations.items()
        if place.cell is None
    }


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
