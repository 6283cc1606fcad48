"""Two-dimensional Unicode drawing of expressions in the field's notation, for the terminal.

SymPy's pretty printer does the layout (sums drawn, fractions stacked); this subclass adds symbn's
notation on top, dispatching on types the way SymPy's printers do: ``_print_<Class>``.
"""

from __future__ import annotations

import re
from typing import Any

from sympy import (
    Derivative,
    Expr,
    Idx,
    Indexed,
    IndexedBase,
    Integer,
    Mul,
    Number,
    Pow,
    Rational,
    S,
    Sum,
    Symbol,
)
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict
from sympy.printing.str import StrPrinter

from symbn.notation import (
    ACCENT_UNICODE,
    GREEK_UNICODE,
    LETTER_UNICODE,
    Cancel,
    HiddenIdx,
    Mean,
    Paren,
    Written,
    indexed_scripts,
    parse_name,
)
from symbn.render.numbers import printing_any_digits

STRIKE = "\u0336"
"""Follows each character of a cancelled term in a drawing: a marker that the terminal turns into
rich's strike style (a combining stroke would shift the columns in many fonts and terminals)."""
CANCEL_MARK = "~"
"""Around a cancelled term in a drawing meant for plain text (no styles): ``~b~``."""


_SCRIPT_CAPITALS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "𝒜ℬ𝒞𝒟ℰℱ𝒢ℋℐ𝒥𝒦ℒℳ𝒩𝒪𝒫𝒬ℛ𝒮𝒯𝒰𝒱𝒲𝒳𝒴𝒵", strict=True))


def script_text(text: str) -> str:
    """A sub- or superscript's TeX as text: ``\\mathcal{B}`` → ``ℬ``, ``\\mathrm{run}`` → ``run``,
    ``\\sigma`` → ``σ`` (what is not known stays as written)."""
    if "\\" not in text:
        return text
    text = re.sub(r"\\mathcal\{([A-Z])\}", lambda m: _SCRIPT_CAPITALS[m.group(1)], text)
    text = re.sub(r"\\(?:mathrm|text|textrm|mathit|mathbf|operatorname)\{([^{}]*)\}", r"\1", text)
    return re.sub(
        r"\\([A-Za-z]+)",
        lambda m: GREEK_UNICODE.get(m.group(1), LETTER_UNICODE.get(m.group(1), m.group(0))),
        text,
    )


def scripted(base: str, sub: str = "", sup: str = "") -> prettyForm:
    """``base`` with a raised superscript and a lowered subscript, as the document writes them."""
    sub, sup = script_text(sub), script_text(sup)
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

    def __init__(self, *, plain: bool = False) -> None:
        """``plain``: for text without styles, a cancelled term between :data:`CANCEL_MARK`\\ s
        rather than each of its characters followed by :data:`STRIKE`."""
        super().__init__({"use_unicode": True, "wrap_line": False})
        self.plain = plain

    def _print_Symbol(self, expr: Any, bold_name: bool = False) -> prettyForm:
        name = parse_name(expr.name)
        return scripted(name.unicode_base, name.sub, name.sup)

    _print_Dummy = _print_Symbol

    def _print_Idx(self, expr: Idx) -> prettyForm:
        return self._print(expr.label)

    def _print_IndexedBase(self, expr: Any) -> prettyForm:
        return self._print(expr.label)

    def _print_Indexed(self, expr: Indexed) -> prettyForm:
        parts = indexed_scripts(expr, lambda i: index_text([i]))
        if parts is None:
            name = parse_name(str(expr.base.label))
            return prettyForm(f"{name.unicode_base}[{index_text(list(expr.indices))}]")
        name, sub, sup = parts
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
                shown = self._print(term)
                if shown.binding in (prettyForm.ADD, prettyForm.NEG) or str(shown).startswith("-"):
                    shown = prettyForm(*shown.parens())
                form = prettyForm(*form.right(" + ", shown))
        if len(expr.args) > 1:
            form.binding = prettyForm.ADD  # a factor or a base gets parentheses
        return form

    def _print_Paren(self, expr: Paren) -> prettyForm:
        form = prettyForm(*self._print_Written(expr).parens())
        form.binding = prettyForm.ATOM
        return form

    def _print_Cancel(self, expr: Cancel) -> prettyForm:
        form = self._print(expr.args[0])
        if self.plain:
            marked = prettyForm(*prettyForm(*form.left(CANCEL_MARK)).right(CANCEL_MARK))
            marked.binding = form.binding
            return marked
        rows = ["".join(c + STRIKE if c != " " else c for c in row) for row in form.picture]
        return prettyForm("\n".join(rows), baseline=form.baseline)

    def _print_Mean(self, expr: Mean) -> prettyForm:
        var = expr.limits[0][0]
        body = expr.function
        if isinstance(var, Idx):
            body = body.xreplace({var: HiddenIdx(var.label, (var.lower, var.upper))})
        form = self._print(body)
        return prettyForm(*form.above("_" * form.width()))

    def _print_Sum(self, expr: Sum) -> prettyForm:
        """A written sum as the body of a ``Σ`` is parenthesised, as SymPy does for an ``Add``."""
        body = expr.function
        if isinstance(body, Written) and not isinstance(body, Paren) and len(body.args) > 1:
            expr = Sum(Paren(*body.args), *expr.limits)
        return super()._print_Sum(expr)

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

    def _print_Pow(self, power: Pow) -> prettyForm:
        """A power of a name that already carries a superscript (``W^[l]``, ``σ²``) is parenthesised."""
        form = super()._print_Pow(power)
        base = power.base
        if form.binding == prettyForm.POW and isinstance(base, (Symbol, Indexed, Cancel)):
            drawn = self._print(base)
            if drawn.baseline > 0:  # something is raised above the base's letter
                exponent = self._print(power.exp)
                return prettyForm(*drawn.parens()) ** exponent
        return form

    def _print_Mul(self, product: Mul) -> prettyForm:
        """Products drawn without SymPy's (whose import of ``sympy.physics.units`` costs ~70 ms).

        Sums other than the last factor are parenthesised (``(Σ a)⋅Σ b``, never ``Σ a⋅Σ b``), and a
        product with a sum and a ``1/m`` is drawn as the document writes it: ``x⋅(1/m) Σ …``.
        """
        args = product.args
        if args[0] is S.One or any(isinstance(arg, Number) for arg in args[1:]):
            return self._unevaluated_mul(list(args))
        if product.could_extract_minus_sign() and _has_mean_form(product):
            form = self._print(-product)
            if form.binding == prettyForm.ADD:
                form = prettyForm(*form.parens())
            return prettyForm(*prettyForm("-").right(form), binding=prettyForm.NEG)
        if built_unevaluated(product):
            factors = written_factors(product)
        elif self.order not in ("old", "none"):
            factors = product.as_ordered_factors()
        else:
            factors = list(args)
        if _has_mean_form(product) and not built_unevaluated(product):
            return self._mean_form(factors)
        numerator: list[Expr] = []
        denominator: list[Expr] = []
        for item in factors:
            if (
                item.is_commutative
                and item.is_Pow
                and item.exp.is_Rational
                and item.exp.is_negative
            ):
                if item.exp != -1:
                    denominator.append(Pow(item.base, -item.exp, evaluate=False))
                else:
                    denominator.append(Pow(item.base, -item.exp))
            elif item.is_Rational and item is not S.Infinity:
                if item.p != 1:
                    numerator.append(Rational(item.p))
                if item.q != 1:
                    denominator.append(Rational(item.q))
            else:
                numerator.append(item)
        top = self._factors(numerator) if numerator else self._print(S.One)
        if not denominator:
            return top
        return top / self._factors(denominator)

    def _unevaluated_mul(self, args: list[Expr]) -> prettyForm:
        """An unevaluated product, every factor shown in its order (as SymPy draws it)."""
        forms = [self._print(arg) for arg in args]
        negative_one = str(forms[0]) == "-1"
        if negative_one:
            forms[0] = prettyForm("1")
        form = prettyForm.__mul__(*forms)
        if negative_one:
            form = prettyForm("-" + str(form), form.baseline, form.binding)
        return form

    def _factors(self, factors: list[Expr]) -> prettyForm:
        """Factors joined with ``⋅``, parenthesised where needed (a sum that is not the last factor)."""
        forms = []
        for k, factor in enumerate(factors):
            form = self._print(factor)
            if k < len(factors) - 1 and factor.has(Sum) and form.binding <= prettyForm.MUL:
                form = prettyForm(*form.parens())
            forms.append(form)
        return prettyForm.__mul__(*forms)

    def _mean_form(self, factors: list[Expr]) -> prettyForm:
        """``x⋅(1/m) Σ …``: the document's way of writing a mean, whatever SymPy's order of factors."""
        over = [f for f in factors if _is_over(f)]
        rest = [f for f in factors if not _is_over(f)]
        sums = [f for f in rest if isinstance(f, (Sum, Mean))]
        plain = [f for f in rest if f not in sums]
        bases = sizes_first([f.base for f in over])
        below = self._factors(bases) if len(bases) > 1 else self._print(bases[0])
        fraction = prettyForm("1") / below
        form = fraction
        if plain:
            head = self._print(Mul(*plain))
            if head.binding > prettyForm.MUL or plain_needs_parens(Mul(*plain)):
                head = prettyForm(*head.parens())
            form = prettyForm(*head.right("⋅", fraction))
        for k, term in enumerate(sums):
            drawn = self._print(term)
            if k < len(sums) - 1 and isinstance(term, Sum):
                drawn = prettyForm(*drawn.parens())
            form = prettyForm(*form.right(" " if k == 0 else "⋅", drawn))
        form.binding = prettyForm.MUL
        return form


def built_unevaluated(product: Mul) -> bool:
    """Whether ``product`` was built with ``evaluate=False``: its factors stay in the written order.

    SymPy would reorder (``α⋅W`` to ``W⋅α``) or cancel (``α/α``) them; an evaluated product is
    exactly what evaluating its own factors again gives.
    """
    from sympy import evaluate

    if not isinstance(product, Mul):  # SymPy's LaTeX printer hands a Pow x^{-1} to _print_Mul
        return False
    with evaluate(True):
        again = Mul(*product.args)
    return again.func is not Mul or again.args != product.args


def written_factors(product: Mul) -> list[Expr]:
    """The factors of a product built unevaluated, in the written order: nested products opened,
    except a fraction, which stays one factor (``(γ W / s) a`` is not ``γ W a / s``)."""
    out: list[Expr] = []
    for factor in product.args:
        if isinstance(factor, Mul) and not any(
            f.is_Pow and f.exp.is_Rational and f.exp.is_negative for f in factor.args
        ):
            out += written_factors(factor)
        else:
            out.append(factor)
    return out


def sizes_first(factors: list[Expr]) -> list[Expr]:
    """The factors of a count as the field writes them: ``m⋅H⋅W``, not SymPy's ``H⋅W⋅m``."""
    return sorted(factors, key=lambda f: (not f.is_Number, f.is_Symbol and str(f)[:1].isupper()))


def _is_over(factor: Expr) -> bool:
    """A ``1/m`` factor: a reciprocal of something that is not a sum."""
    return isinstance(factor, Pow) and factor.exp == -1 and not factor.base.is_Add


def _has_mean_form(product: Mul) -> bool:
    """Whether a product is written ``(1/m) Σ …``: it has a reciprocal and a sum or mean."""
    factors = product.args
    return any(_is_over(f) for f in factors) and any(isinstance(f, (Sum, Mean)) for f in factors)


def plain_needs_parens(expr: Expr) -> bool:
    """Whether the factors before ``(1/m) Σ`` need parentheses: a sum, or a sum of written terms."""
    return bool(expr.is_Add) or (isinstance(expr, Written) and not isinstance(expr, Paren))


@printing_any_digits
def draw(expr: Expr) -> str:
    """``expr`` drawn in Unicode, in the document's notation."""
    return UnicodePrinter().doprint(expr)


@printing_any_digits
def draw_equation(
    lhs: Expr | None,
    rhs: Expr,
    relation: str = "=",
    width: int | None = None,
    *,
    plain: bool = False,
) -> str:
    """``lhs = rhs`` drawn in Unicode; ``lhs=None`` draws a continuation ``= rhs``.

    ``width``: a drawing wider than this is wrapped before a ``+`` or ``−`` of the right side, each
    further row indented under the right side; a single term wider than that is cut into strips
    of ``width`` columns, one below the other, joined by ``↪`` (nothing is left out).
    ``plain``: cancelled terms marked for text without styles (see :class:`UnicodePrinter`).
    """
    printer = UnicodePrinter(plain=plain)
    right = printer._print(rhs)
    if lhs is None:
        head = prettyForm(f"{relation} ")
    else:
        head = prettyForm(*printer._print(lhs).right(f" {relation} "))
    form = prettyForm(*head.right(right))
    terms = _signed_terms(printer, rhs) if width is not None and form.width() > width else None
    if not terms:
        return _strips(form, width)
    rows: list[prettyForm] = []
    current = prettyForm(*head.right(terms[0][1]))
    for sign, term in terms[1:]:
        candidate = prettyForm(*current.right(f" {sign} ", term))
        if candidate.width() <= (width or 0):
            current = candidate
            continue
        rows.append(current)
        current = prettyForm(*prettyForm(" " * max(head.width() - 2, 0)).right(f"{sign} ", term))
    rows.append(current)
    return "\n".join(_strips(row, width) for row in rows)


def _strips(form: prettyForm, width: int | None) -> str:
    """``form`` rendered, cut into strips of ``width`` columns if it is wider (SymPy's wrapping)."""
    if width is None or form.width() <= width:
        return str(form.render(wrap_line=False))
    return str(form.render(wrap_line=True, num_columns=max(width, 10), use_unicode=True))


def _signed_terms(printer: UnicodePrinter, rhs: Expr) -> list[tuple[str, prettyForm]] | None:
    """The terms of a sum drawn one by one with their signs, as ``_print_Written`` joins them."""
    if isinstance(rhs, Written) and not isinstance(rhs, Paren) and len(rhs.args) > 1:
        terms = list(rhs.args)
    elif rhs.is_Add:
        terms = list(printer._as_ordered_terms(rhs))
    else:
        return None
    out: list[tuple[str, prettyForm]] = [("", printer._print(terms[0]))]
    for term in terms[1:]:
        if term.could_extract_minus_sign():
            negated = printer._print(-term)
            if negated.binding == prettyForm.ADD:
                negated = prettyForm(*negated.parens())
            out.append(("-", negated))
        else:
            shown = printer._print(term)
            if shown.binding in (prettyForm.ADD, prettyForm.NEG) or str(shown).startswith("-"):
                shown = prettyForm(*shown.parens())
            out.append(("+", shown))
    return out


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


def _braced_args(tex: str, start: int, count: int) -> tuple[list[str], int] | None:
    """``count`` brace groups of ``tex`` from ``start`` (nesting allowed), and where they end."""
    args = []
    pos = start
    for _ in range(count):
        while pos < len(tex) and tex[pos] == " ":
            pos += 1
        if pos >= len(tex) or tex[pos] != "{":
            return None
        depth, end = 0, pos
        while end < len(tex):
            depth += {"{": 1, "}": -1}.get(tex[end], 0)
            if depth == 0:
                break
            end += 1
        if depth:
            return None
        args.append(tex[pos + 1 : end])
        pos = end + 1
    return args, pos


INLINE_COMMANDS = {
    **{name: 1 for name in ACCENT_UNICODE},
    "frac": 2,
    "sqrt": 1,
}


def _commands(tex: str) -> str:
    """Accents, fractions and roots (arguments with nested braces too) in one line of Unicode."""
    out, pos = "", 0
    for found in re.finditer(r"\\(" + "|".join(INLINE_COMMANDS) + r")(?![A-Za-z])", tex):
        if found.start() < pos:
            continue
        name = found.group(1)
        parsed = _braced_args(tex, found.end(), INLINE_COMMANDS[name])
        if parsed is None:
            continue
        args, end = parsed
        inner = [inline_math(a) for a in args]
        if name == "frac":
            shown = f"({inner[0]})/({inner[1]})"
        elif name == "sqrt":
            shown = f"√({inner[0]})"
        else:
            shown = inner[0] + ACCENT_UNICODE[name]
        out += tex[pos : found.start()] + shown
        pos = end
    return out + tex[pos:]


def inline_math(tex: str) -> str:
    """Inline math of a text (``b^{[l]} - b^{[l]} = 0``) in one line of Unicode: ``b^[l] - b^[l] = 0``."""
    out = _commands(tex)
    out = re.sub(r"\^\{?(\d+)\}?", lambda m: m.group(1).translate(SUPERSCRIPT_DIGITS), out)
    out = re.sub(
        r"\\([A-Za-z]+) ?",
        lambda m: GREEK_UNICODE.get(
            m.group(1), LETTER_UNICODE.get(m.group(1), INLINE_MACROS.get(m.group(1), m.group(1)))
        ),
        out,
    )
    return out.replace("{", "").replace("}", "").replace("\\", "")


def inline_text(text: str) -> str:
    """A justification or conclusion for the terminal: its ``$…$`` math in Unicode, without the ``$``."""
    return re.sub(r"\$([^$]+)\$", lambda m: inline_math(m.group(1)), text)


def _inline_scripted(base: str, sub: str, sup: str) -> str:
    """A scripted name on one line: ``σ²_run``, ``W^[l]_12``, ``a^[l-1](1)``."""
    sub, sup = script_text(sub), script_text(sup)
    out = base
    if sup:
        out += sup.translate(SUPERSCRIPT_DIGITS) if sup.isdigit() else "^" + sup
    if sub:
        out += "_" + sub
    return out


class InlinePrinter(StrPrinter):
    """Expressions on one line with names in the notation (``a^[l-1](1)``, not ``a^{[l-1]}[1]``),
    for counterexamples and remainders in the terminal."""

    printmethod = "_symbn_inline"

    def _print_Symbol(self, expr: Any) -> str:
        name = parse_name(expr.name)
        return _inline_scripted(name.unicode_base, name.sub, name.sup)

    _print_Dummy = _print_Symbol

    def _print_Idx(self, expr: Idx) -> str:
        return str(self._print(expr.label))

    def _print_IndexedBase(self, expr: Any) -> str:
        return str(self._print(expr.label))

    def _print_Indexed(self, expr: Indexed) -> str:
        parts = indexed_scripts(expr, lambda i: str(self._print(i)))
        if parts is None:
            name = parse_name(str(expr.base.label))
            return f"{name.unicode_base}[{', '.join(self._print(i) for i in expr.indices)}]"
        name, sub, sup = parts
        return _inline_scripted(name.unicode_base, sub, sup)


@printing_any_digits
def inline(expr: Expr) -> str:
    """``expr`` on one line in the notation: ``-σ² - a^[l-1](1)``."""
    return str(InlinePrinter().doprint(expr))


def names_in(sides: list[Expr]) -> dict[str, Expr]:
    """Every symbol and indexed family in ``sides``, by the name the numeric trials report."""
    found: dict[str, Expr] = {}
    for side in sides:
        for atom in side.atoms(Symbol, Idx):
            found.setdefault(str(atom), atom)
        for entry in side.atoms(Indexed):
            found[str(entry.base)] = entry.base
    return found


def named_value(name: str, names: dict[str, Expr]) -> Expr | None:
    """The object a counterexample's name stands for: ``a^{[l-1]}[1]`` is the entry ``a[1]``."""
    entry = re.fullmatch(r"(.+)\[(-?\d+(?:, *-?\d+)*)\]", name)
    if entry and isinstance(names.get(entry.group(1)), IndexedBase):
        indices = [Integer(int(k)) for k in entry.group(2).split(",")]
        return Indexed(names[entry.group(1)], *indices)
    return names.get(name)


def inline_value_name(name: str, names: dict[str, Expr]) -> str:
    """A counterexample's name in the notation on one line (``W^{[l]}[1, 2]`` → ``W^[l]_12``)."""
    value = named_value(name, names)
    return name if value is None else inline(value)
