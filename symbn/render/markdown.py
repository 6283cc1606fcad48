"""Markdown with ``$$ … $$`` display math, for notebooks, GitHub and static sites.

Each line is its own display block numbered with ``\\tag``, which both MathJax and KaTeX accept
(KaTeX rejects ``\\tag`` inside ``aligned``); continuation lines begin with ``=`` as in the seed.
"""

from __future__ import annotations

from symbn.model import Derivation
from symbn.render.latex import line_latex


def to_markdown(derivation: Derivation, *, why: bool = True) -> str:
    """The derivation as Markdown: a title, then one numbered display block per line."""
    blocks = [f"## {derivation.title}"]
    for line in derivation.lines:
        lhs, rhs = line_latex(line)
        blocks.append(f"$$\n{lhs} {rhs} \\tag{{{line.label}}}\n$$")
        if why and line.why:
            blocks.append(f"*{line.why}*")
    return "\n\n".join(blocks) + "\n"
