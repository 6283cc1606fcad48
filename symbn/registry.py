"""The derivations symbn ships, found by name without importing SymPy (``symbn list`` stays fast)."""

from __future__ import annotations

import ast
import copy
import importlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from symbn.errors import SymbnError, UnknownDerivationError

if TYPE_CHECKING:
    from symbn.model import Derivation

PACKAGE = "symbn.derivations"
DEFAULT = "batchnorm-bias"
SOURCE_TREE = Path(__file__).resolve().parent.parent  # a clone's root, when run from one


@dataclass(frozen=True)
class Shipped:
    """A shipped derivation: its name, its title (the first line of its module docstring), its module."""

    name: str
    title: str
    module: str


def _package() -> None:
    """Make :data:`PACKAGE` importable: installed, or the ``derivations/`` folder of a source tree.

    Installed, the top-level ``derivations/`` folder becomes ``symbn.derivations``; run from a
    clone without installing, it is found beside the ``symbn/`` folder and registered under that
    name. Neither: an error that says how to install, never an empty list.
    """
    import importlib.util
    import sys

    if PACKAGE in sys.modules or importlib.util.find_spec(PACKAGE) is not None:
        return
    folder = SOURCE_TREE / "derivations"
    init = folder / "__init__.py"
    if not init.is_file():
        raise SymbnError(
            "the shipped derivations are not installed (symbn.derivations is missing); "
            "install symbn with `pip install .` (or `pip install -e .` in a clone)"
        )
    spec = importlib.util.spec_from_file_location(
        PACKAGE, init, submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)


def shipped() -> list[Shipped]:
    """Every shipped derivation, sorted by name, read from the modules' docstrings (nothing is run)."""
    _package()
    found = []
    for entry in resources.files(PACKAGE).iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("_"):
            continue
        stem = entry.name[: -len(".py")]
        docstring = ast.get_docstring(ast.parse(entry.read_text(encoding="utf-8"))) or stem
        found.append(
            Shipped(stem.replace("_", "-"), docstring.splitlines()[0], f"{PACKAGE}.{stem}")
        )
    return sorted(found, key=lambda s: (s.name != DEFAULT, s.name))


def names() -> list[str]:
    """The names of the shipped derivations, the seed's first."""
    return [s.name for s in shipped()]


def load(name: str) -> Derivation:
    """A copy of the shipped derivation called ``name`` (see :func:`names`), free to extend."""
    by_name = {s.name: s for s in shipped()}
    if name not in by_name:
        known = ", ".join(by_name)
        raise UnknownDerivationError(f"no derivation named {name!r}; known: {known}")
    try:
        module = importlib.import_module(by_name[name].module)
    except SymbnError as exc:
        raise SymbnError(f"the shipped derivation {name!r} is malformed: {exc}") from exc
    derivation = getattr(module, "derivation", None)
    from symbn.model import Derivation

    if not isinstance(derivation, Derivation):
        raise SymbnError(f"{by_name[name].module} defines no `derivation`")
    return copy.copy(derivation)
