"""Reading derivations from documents: Markdown or LaTeX display equations → a checked ``Derivation``.

:func:`read_document` finds the equations (:mod:`symbn.parse.document`), parses each with symbn's
own grammar into SymPy objects (:mod:`symbn.parse.latex`) under the document's declaration
(:mod:`symbn.parse.declare`). No text from a document is ever evaluated as code.
"""

from __future__ import annotations

from symbn.parse.declare import Declaration, from_toml
from symbn.parse.document import Document, read_document, read_text

__all__ = ["Declaration", "Document", "from_toml", "read_document", "read_text"]
