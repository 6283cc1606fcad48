"""LaTeX for papers: an amsmath ``align`` of the derivation, numbered and labelled as the document is.

Expressions go through SymPy's ``LatexPrinter`` with symbn's notation layered on top by
``_print_<Class>`` methods (tagged names, example superscripts, ``\\cancel``, ``\\overline``,
``\\frac{1}{m} \\sum``). Labels are ``eq:<derivation name>:<line label>``, e.g. ``eq:batchnorm-bias:1.9``.
"""

from __future__ import annotations

import re
from typing import Any

from sympy import Expr, Idx, Indexed, Mul, Pow, Sum
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symbn.model import Derivation, Kind, Line
from symbn.notation import (
    Cancel,
    ExampleFamily,
    HiddenIdx,
    Mean,
    Paren,
    UnitFamily,
    Written,
    parse_name,
)

TEXT_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "$": r"\$",
}


class SymbnLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the field's notation: ``W^{[l]}``, ``a^{[l-1](i)}``, marks."""

    printmethod = "_symbn_latex"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"mul_symbol": "dot", **(settings or {})})

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        name = parse_name(expr.name)
        return _scripted(name.latex_base, name.sub, name.sup)

    _print_Dummy = _print_Symbol

    def _print_Idx(self, expr: Idx) -> str:
        return self._print(expr.label)

    def _print_IndexedBase(self, expr: Any) -> str:
        return self._print(expr.label)

    def _print_Indexed(self, expr: Indexed) -> str:
        name = parse_name(str(expr.base.label))
        indices = list(expr.indices)
        sup = name.sup
        if isinstance(expr.base, ExampleFamily):
            example = indices.pop()
            if not isinstance(example, HiddenIdx):
                sup += f"({self._print(example)})"
        elif not isinstance(expr.base, UnitFamily) and not name.sub and not name.sup:
            sub = ",".join(self._print(i) for i in indices)
            return f"{name.latex_base}_{{{sub}}}"
        joined = ("" if all(len(self._print(i)) == 1 for i in indices) else ",").join(
            self._print(i) for i in indices
        )
        sub = ",".join(filter(None, [name.sub, joined]))
        return _scripted(name.latex_base, sub, sup)

    def _print_Written(self, expr: Written) -> str:
        out = self._print(expr.args[0])
        for term in expr.args[1:]:
            if term.could_extract_minus_sign():
                out += " - " + self._print(-term)
            else:
                out += " + " + self._print(term)
        return out

    def _print_Paren(self, expr: Paren) -> str:
        return r"\left(" + self._print_Written(expr) + r"\right)"

    def _print_Cancel(self, expr: Cancel) -> str:
        return r"\cancel{" + self._print(expr.args[0]) + "}"

    def _print_Mean(self, expr: Mean) -> str:
        var = expr.limits[0][0]
        body = expr.function
        if isinstance(var, Idx):
            body = body.xreplace({var: HiddenIdx(var.label, (var.lower, var.upper))})
        return r"\overline{" + self._print(body) + "}"

    def _print_Sum(self, expr: Sum) -> str:
        """A sum over several indices as one ``\\sum`` per index, the outermost first."""
        if len(expr.limits) == 1:
            return str(super()._print_Sum(expr))
        signs = "".join(
            rf"\sum_{{{self._print(v)}={self._print(lo)}}}^{{{self._print(hi)}}} "
            for v, lo, hi in reversed(expr.limits)
        )
        return signs + self.parenthesize(expr.function, PRECEDENCE["Mul"], strict=True)

    def _helper_print_standard_power(self, expr: Pow, template: str) -> str:
        """Brace an indexed base that carries a superscript: ``{z^{[l](i)}}^{2}``, not a double ``^``."""
        if isinstance(expr.base, Indexed):
            base = self._print(expr.base)
            if "^" in base:
                return template % ("{" + base + "}", self._print(expr.exp))
        return str(super()._helper_print_standard_power(expr, template))

    def _print_Mul(self, expr: Mul) -> str:
        factors = list(expr.args)
        over = [f for f in factors if isinstance(f, Pow) and f.exp == -1 and not f.base.is_Add]
        if over and any(isinstance(f, (Sum, Mean)) for f in factors):
            rest = [f for f in factors if f not in over]
            sums = [f for f in rest if isinstance(f, (Sum, Mean))]
            plain = [f for f in rest if f not in sums]
            fraction = r"\frac{1}{" + self._print(Mul(*[f.base for f in over])) + "}"
            tail = " ".join([fraction, *(self._print(s) for s in sums)])
            if not plain:
                return tail
            if plain == [-1]:
                return "- " + tail
            return self._print(Mul(*plain)) + r" \cdot " + tail
        return str(super()._print_Mul(expr))


def _scripted(base: str, sub: str, sup: str) -> str:
    out = base
    if sub:
        out += f"_{{{sub}}}"
    if sup:
        out += f"^{{{sup}}}"
    return out


def latex(expr: Expr) -> str:
    """``expr`` in LaTeX, in the document's notation."""
    return str(SymbnLatexPrinter().doprint(expr))


def text(why: str) -> str:
    """A justification for ``\\text{…}``: special characters escaped, ``$…$`` kept as inline math."""
    parts = re.split(r"(\$[^$]*\$)", why)
    return "".join(
        p if p.startswith("$") and p.endswith("$") and len(p) > 1 else _escape(p) for p in parts
    )


def _escape(plain: str) -> str:
    return "".join(TEXT_SPECIALS.get(c, c) for c in plain)


def line_latex(line: Line) -> tuple[str, str]:
    """The left and right parts of a line, split at its relation for alignment."""
    relation = "=" if line.relation.value == "=" else r"\neq"
    lhs = "" if line.kind is Kind.CONTINUATION else latex(line.lhs)
    return lhs, f"{relation} {latex(line.rhs)}"


def to_latex(derivation: Derivation, *, why: bool = True) -> str:
    """The derivation as an amsmath ``align`` fragment, each line tagged and labelled."""
    rows = []
    for line in derivation.lines:
        lhs, rhs = line_latex(line)
        note = f" && \\text{{{text(line.why)}}}" if why and line.why else ""
        tag = f"\\tag{{{line.label}}}\\label{{eq:{derivation.name}:{line.label}}}"
        rows.append(f"{lhs} &{rhs}{note} {tag}")
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}\n"
