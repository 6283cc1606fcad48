"""Names of a package imported from their modules on first use (PEP 562), so that importing the
package stays cheap: ``symbn --help`` and the run cache start without SymPy."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(package: str, table: dict[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name of ``table`` imported from the module
    it maps to when first asked for, then kept in ``namespace`` (the package's globals)."""

    def getattr_(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(table[name]), name)
        namespace[name] = value
        return value

    return getattr_
