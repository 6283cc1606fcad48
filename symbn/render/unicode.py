"""Two-dimensional Unicode drawing of expressions in the field's notation, for the terminal.

SymPy's pretty printer does the layout (sums drawn, fractions stacked); this subclass adds symbn's
notation on top, dispatching on types the way SymPy's printers do: ``_print_<Class>``.
"""

from __future__ import annotations

import re
from typing import Any

from sympy import Derivative, Expr, Idx, Indexed, Mul, Pow, S, Sum
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from symbn.notation import (
    ACCENT_UNICODE,
    GREEK_UNICODE,
    Cancel,
    ExampleFamily,
    HiddenIdx,
    Mean,
    Paren,
    UnitFamily,
    Written,
    parse_name,
)

STRIKE = "\u0336"


def scripted(base: str, sub: str = "", sup: str = "") -> prettyForm:
    """``base`` with a raised superscript and a lowered subscript, as the document writes them."""
    if not sub and not sup:
        return prettyForm(base)
    width = max(len(sub), len(sup))
    rows = []
    if sup:
        rows.append(" " * len(base) + sup.ljust(width))
    rows.append(base + " " * width)
    if sub:
        rows.append(" " * len(base) + sub.ljust(width))
    return prettyForm("\n".join(rows), baseline=1 if sup else 0)


def index_text(indices: list[Any]) -> str:
    """Indices joined as a subscript: ``jk`` for single letters, ``j,k+1`` otherwise."""
    texts = [str(i.label) if isinstance(i, Idx) else str(i) for i in indices]
    return ("" if all(len(t) == 1 for t in texts) else ",").join(texts)


class UnicodePrinter(PrettyPrinter):
    """SymPy's pretty printer with symbn's notation: tagged names, example superscripts, marks."""

    printmethod = "_symbn_unicode"

    def __init__(self) -> None:
        super().__init__({"use_unicode": True, "wrap_line": False})

    def _print_Symbol(self, expr: Any, bold_name: bool = False) -> prettyForm:
        name = parse_name(expr.name)
        return scripted(name.unicode_base, name.sub, name.sup)

    _print_Dummy = _print_Symbol

    def _print_Idx(self, expr: Idx) -> prettyForm:
        return self._print(expr.label)

    def _print_IndexedBase(self, expr: Any) -> prettyForm:
        return self._print(expr.label)

    def _print_Indexed(self, expr: Indexed) -> prettyForm:
        name = parse_name(str(expr.base.label))
        indices = list(expr.indices)
        sup = name.sup
        if isinstance(expr.base, ExampleFamily):
            example = indices.pop()
            if not isinstance(example, HiddenIdx):
                sup += f"({index_text([example])})"
        elif not isinstance(expr.base, UnitFamily) and not name.sub and not sup:
            return prettyForm(f"{name.unicode_base}[{index_text(indices)}]")
        sub = ",".join(filter(None, [name.sub, index_text(indices)])) if indices else name.sub
        return scripted(name.unicode_base, sub, sup)

    def _print_Written(self, expr: Written) -> prettyForm:
        form = self._print(expr.args[0])
        for term in expr.args[1:]:
            if term.could_extract_minus_sign():
                negated = self._print(-term)
                if negated.binding == prettyForm.ADD:
                    negated = prettyForm(*negated.parens())
                form = prettyForm(*form.right(" - ", negated))
            else:
                form = prettyForm(*form.right(" + ", self._print(term)))
        if len(expr.args) > 1:
            form.binding = prettyForm.ADD  # a factor or a base gets parentheses
        return form

    def _print_Paren(self, expr: Paren) -> prettyForm:
        form = prettyForm(*self._print_Written(expr).parens())
        form.binding = prettyForm.ATOM
        return form

    def _print_Cancel(self, expr: Cancel) -> prettyForm:
        form = self._print(expr.args[0])
        rows = ["".join(c + STRIKE if c != " " else c for c in row) for row in form.picture]
        return prettyForm("\n".join(rows), baseline=form.baseline)

    def _print_Mean(self, expr: Mean) -> prettyForm:
        var = expr.limits[0][0]
        body = expr.function
        if isinstance(var, Idx):
            body = body.xreplace({var: HiddenIdx(var.label, (var.lower, var.upper))})
        form = self._print(body)
        return prettyForm(*form.above("_" * form.width()))

    def _print_Derivative(self, deriv: Derivative) -> prettyForm:
        """Always ``∂``, as in the LaTeX export: in ML derivations everything has many variables."""
        below = None
        total = 0
        for var, count in reversed(deriv.variable_count):
            form = prettyForm(*self._print(var).left("∂"))
            total += count
            if count != 1:
                form = form ** prettyForm(str(count))
            below = (
                form if below is None else prettyForm(*prettyForm(*below.right(" ")).right(form))
            )
        body = self._print(deriv.expr)
        if deriv.expr.is_Add or isinstance(deriv.expr, Written):
            body = prettyForm(*body.parens())
        top = prettyForm("∂")
        if total > 1:
            top = top ** prettyForm(str(total))
        form = prettyForm(*top.below(stringPict.LINE, below))
        form.baseline = form.baseline + 1
        form = prettyForm(*stringPict.next(form, " ", body))
        form.binding = prettyForm.MUL
        return form

    def _print_Mul(self, expr: Mul) -> prettyForm:
        factors = list(expr.args)
        over = [f for f in factors if isinstance(f, Pow) and f.exp == -1 and not f.base.is_Add]
        if over and any(isinstance(f, (Sum, Mean)) for f in factors):
            rest = [f for f in factors if f not in over]
            fraction = prettyForm("1") / self._print(Mul(*[f.base for f in over]))
            sums = [f for f in rest if isinstance(f, (Sum, Mean))]
            plain = [f for f in rest if f not in sums]
            head = self._print(Mul(*plain)) if plain else None
            form = fraction if head is None else prettyForm(*head.right("⋅", fraction))
            if plain == [S.NegativeOne]:
                form = prettyForm(*prettyForm("-").right(fraction))
            for term in sums:
                form = prettyForm(*form.right(" ", self._print(term)))
            return form
        return super()._print_Mul(expr)


def draw(expr: Expr) -> str:
    """``expr`` drawn in Unicode, in the document's notation."""
    return UnicodePrinter().doprint(expr)


def draw_equation(lhs: Expr | None, rhs: Expr, relation: str = "=") -> str:
    """``lhs = rhs`` drawn in Unicode; ``lhs=None`` draws a continuation ``= rhs``."""
    printer = UnicodePrinter()
    right = printer._print(rhs)
    if lhs is None:
        form = prettyForm(*prettyForm(f"{relation} ").right(right))
    else:
        form = prettyForm(*printer._print(lhs).right(f" {relation} ", right))
    return form.render(wrap_line=False)


SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
INLINE_MACROS = {
    "neq": "≠",
    "leq": "≤",
    "geq": "≥",
    "approx": "≈",
    "cdot": "⋅",
    "times": "×",
    "sum": "Σ",
    "partial": "∂",
    "infty": "∞",
    "to": "→",
    "pm": "±",
    "in": "∈",
    "ldots": "…",
    "quad": " ",
    "qquad": "  ",
}


def inline_math(tex: str) -> str:
    """Inline math of a text (``b^{[l]} - b^{[l]} = 0``) in one line of Unicode: ``b^[l] - b^[l] = 0``."""
    out = re.sub(
        r"\\(tilde|bar|hat|overline)\{([^{}]*)\}",
        lambda m: inline_math(m.group(2)) + ACCENT_UNICODE[m.group(1)],
        tex,
    )
    out = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", out)
    out = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", out)
    out = re.sub(r"\^\{?(\d+)\}?", lambda m: m.group(1).translate(SUPERSCRIPT_DIGITS), out)
    out = re.sub(
        r"\\([A-Za-z]+) ?",
        lambda m: GREEK_UNICODE.get(m.group(1), INLINE_MACROS.get(m.group(1), m.group(1))),
        out,
    )
    return out.replace("{", "").replace("}", "").replace("\\", "")


def inline_text(text: str) -> str:
    """A justification or conclusion for the terminal: its ``$…$`` math in Unicode, without the ``$``."""
    return re.sub(r"\$([^$]+)\$", lambda m: inline_math(m.group(1)), text)
