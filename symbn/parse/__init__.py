"""Reading derivations from documents: Markdown or LaTeX display equations → a checked ``Derivation``.

:func:`read_document` finds the equations (:mod:`symbn.parse.document`), parses each with symbn's
own grammar into SymPy objects (:mod:`symbn.parse.latex`) under the document's declaration
(:mod:`symbn.parse.declare`). No text from a document is ever evaluated as code.

The names here are imported when first used, so that :mod:`symbn.parse.files` (reading a file, no
mathematics) loads without SymPy: the run cache digests documents with it before anything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from symbn.lazy import exports

if TYPE_CHECKING:
    from symbn.parse.declare import Declaration, from_toml
    from symbn.parse.document import Document, read_document, read_text

_EXPORTS = {
    "Declaration": "symbn.parse.declare",
    "from_toml": "symbn.parse.declare",
    "Document": "symbn.parse.document",
    "read_document": "symbn.parse.document",
    "read_text": "symbn.parse.document",
}

__all__ = ["Declaration", "Document", "from_toml", "read_document", "read_text"]


__getattr__ = exports("symbn.parse", _EXPORTS, globals())
