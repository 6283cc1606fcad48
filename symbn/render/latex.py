"""LaTeX for papers: an amsmath ``align`` of the derivation, numbered and labelled as the document is.

Expressions go through SymPy's ``LatexPrinter`` with symbn's notation layered on top by
``_print_<Class>`` methods (tagged names, example superscripts, ``\\cancel``, ``\\overline``,
``\\frac{1}{m} \\sum``, ``\\frac{\\partial}{\\partial b}``), so a new notation is a new method, never
string surgery on SymPy's output.

Labels are ``eq:<derivation name>:<line label>``, e.g. ``eq:batchnorm-bias:1.9`` (with
``env="equation+aligned"`` there is one label for the whole block, ``eq:<derivation name>``).
Texts (``why``, the conclusion, notes) are plain text with optional inline math in ``$…$``; the
plain part is escaped, the math is kept but made harmless (:func:`safe_math`): a text comes from a
user, and a document compiled with ``\\immediate\\write18`` or ``\\input`` in it would run them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sympy import (
    Derivative,
    Expr,
    Idx,
    Indexed,
    Mul,
    Pow,
    Rational,
    Sum,
)
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symbn.errors import DerivationError
from symbn.model import Derivation, Kind, Line, Relation
from symbn.notation import (
    _NAME,
    _SCRIPT,
    GREEK_UNICODE,
    Cancel,
    HiddenIdx,
    Mean,
    Paren,
    Written,
    indexed_scripts,
    parse_name,
)
from symbn.render import WIDTHS
from symbn.render.numbers import printing_any_digits

if TYPE_CHECKING:
    from symbn.check import Report, StepResult

ENVIRONMENTS = ("align", "align*", "equation+aligned")
PACKAGES = ("amsmath", "amssymb", "cancel")
"""What the fragment needs in the preamble: ``\\usepackage{amsmath,amssymb,cancel}``."""

LINE_WIDTH = 70
"""How many columns (of the line's Unicode drawing, plus its justification) fit one line of a default
``article`` page beside the equation number; a longer line gets its justification on a row below."""
ALIGNED_NUMBER_WIDTH = 12
"""Columns taken by the line numbers on the left of an ``aligned`` block."""
MAX_VALUES = 8
"""How many values of a counterexample are printed before "and N more"."""
MAX_REMAINDER_TEX = 400
"""The longest remainder (in characters of LaTeX) that a failure's evidence prints."""

PT_PER_COLUMN = 4.4
"""Typeset width (pt, 10 pt display math) per column of the Unicode drawing: measured 3.0–4.3 over
every side of the shipped derivations, so the estimate errs on the wide side."""
PT_PER_CHAR = 5.0
"""Typeset width (pt) per character of a justification's text (measured up to 4.5)."""
RELATION_PT = 14.0
"""``=`` or a marked relation with the space around it."""
QUAD_PT = 10.0
SPLIT_PT = 10.0
"""How much narrower (pt) the left sides of a run of lines must be than the next line's for them to
get an ``align`` block of their own, when the wider one would push their right sides too far."""
TAG_GAP_PT = 14.0
"""Space kept between an equation and its tag."""

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
# The same characters inside math (``\text{}`` of MathJax and KaTeX does not read text macros).
MATH_SPECIALS = {
    "\\": r"\backslash ",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\sim ",
    "^": r"\hat{\ }",
    "$": r"\$",
}
# Control words a user's inline math may use: math only, nothing that reads or writes files,
# defines macros or changes category codes. Any other is shown (\backslash\mathrm{input}), not run.
_SAFE_WORDS = """varepsilon vartheta varphi varpi varrho varsigma ell hbar imath jmath aleph nabla partial
    infty prime emptyset varnothing forall exists neg lnot top bot angle triangle square
    frac dfrac tfrac binom sqrt sum prod coprod int iint oint bigcup bigcap bigoplus bigotimes lim
    limsup liminf sup inf max min arg det exp log ln lg sin cos tan cot sec csc sinh cosh tanh
    arcsin arccos arctan Pr deg dim gcd hom ker mod bmod pmod operatorname
    cdot times div pm mp ast star circ bullet odot oplus otimes ominus setminus wedge vee cap cup
    land lor leq geq le ge neq ne lt gt ll gg approx sim simeq cong equiv propto in notin ni
    subset supset subseteq supseteq subsetneq mid parallel perp to gets mapsto rightarrow
    leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow implies iff longrightarrow
    coloneqq eqqcolon colon ldots cdots vdots ddots dots because therefore checkmark
    left right big Big bigg Bigg bigl bigr Bigl Bigr langle rangle lvert rvert lVert rVert vert
    Vert lbrace rbrace lfloor rfloor lceil rceil backslash
    hat widehat tilde widetilde bar overline underline vec dot ddot acute grave breve check
    overbrace underbrace overset underset stackrel cancel bcancel xcancel boxed not
    mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak boldsymbol text textrm textit
    textbf mathbin mathrel mathop displaystyle textstyle scriptstyle limits nolimits
    quad qquad""".split()
SAFE_COMMANDS = frozenset([*GREEK_UNICODE, *_SAFE_WORDS])
SAFE_SYMBOLS = frozenset(",;:! {}|$%&#_")
TEXT_COMMANDS = frozenset("text textrm textit textbf operatorname".split())
_MATH_TOKEN = re.compile(r"\\([A-Za-z]+|.?)|([%#&])|(\^(?=\^))|([{}])|(\n)", re.S)


def safe_math(tex: str) -> str:
    """A user's inline math with nothing in it that TeX would run, and its braces balanced.

    Control words outside :data:`SAFE_COMMANDS` are shown, not run (``\\backslash\\mathrm{input}``,
    or ``\\textbackslash{}input`` inside ``\\text{…}``); ``%``, ``#`` and ``&`` are escaped (a
    comment would swallow what symbn writes after the math); ``^^`` (TeX's notation for any
    character, a backslash too) is broken; unbalanced braces are all escaped.
    """
    depth, balanced = 0, True
    for match in _MATH_TOKEN.finditer(tex):
        if match.group(4):
            depth += 1 if match.group(4) == "{" else -1
            balanced = balanced and depth >= 0
    balanced = balanced and depth == 0
    out: list[str] = []
    modes = [False]  # per open group: is it text mode (the argument of \text and its kin)?
    text_next = False  # a text command was just read: its argument's group is text mode
    position = 0
    for match in _MATH_TOKEN.finditer(tex):
        out.append(tex[position : match.start()])
        position = match.end()
        command, special, caret, brace, _ = match.groups()
        in_text = modes[-1]
        if command is not None:
            if command in SAFE_COMMANDS or (len(command) == 1 and command in SAFE_SYMBOLS):
                out.append(match.group(0))
                text_next = command in TEXT_COMMANDS
                continue
            shown = command if command.isalpha() else TEXT_SPECIALS.get(command, command)
            if in_text:
                out.append(r"\textbackslash{}" + shown)
            elif command.isalpha():
                out.append(r"\backslash\mathrm{" + command + "}")
            else:
                out.append(r"\backslash " + MATH_SPECIALS.get(command, command))
        elif special is not None:
            out.append("\\" + special)
        elif caret is not None:
            out.append(r"\textasciicircum{}" if in_text else r"\hat{\ }")
        elif brace is not None and not balanced:
            out.append("\\" + brace)
        elif brace == "{":
            modes.append(in_text or text_next)
            out.append(brace)
        elif brace == "}":
            if len(modes) > 1:
                modes.pop()
            out.append(brace)
        else:
            out.append(" ")
        text_next = False
    out.append(tex[position:])
    return "".join(out)


def _web(tex: str) -> str:
    """Math for a web page: no ``<`` or ``>`` that an HTML parser could read as a tag."""
    return tex.replace("<", r"\lt ").replace(">", r"\gt ")


# Unicode that pdflatex cannot typeset as text, written as math instead.
UNICODE_MATH = {
    **{u: "\\" + name for name, u in GREEK_UNICODE.items()},
    "ϵ": r"\epsilon",
    "≠": r"\neq",
    "≤": r"\leq",
    "≥": r"\geq",
    "≈": r"\approx",
    "≔": r"\mathrel{:}=",
    "×": r"\times",
    "·": r"\cdot",
    "⋅": r"\cdot",
    "−": "-",
    "→": r"\to",
    "⇒": r"\Rightarrow",
    "∂": r"\partial",
    "∑": r"\sum",
    "√": r"\surd",
    "∞": r"\infty",
    "±": r"\pm",
    "∈": r"\in",
    "²": "^{2}",
    "³": "^{3}",
    "✓": r"\checkmark",
    "✗": r"\times",
}
# Unicode punctuation with a plain LaTeX spelling.
UNICODE_TEXT = {
    "—": "---",
    "–": "--",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "…": "...",
    "\u00a0": " ",
}

FAILED = ("refuted", "inconsistent")
"""The verdicts whose lines stand out: a label always, red where the format has colour."""
FAILED_COLOUR = "red"

MARKS = {
    "definition": r"\scriptscriptstyle\mathrm{def}",
    "proved": r"\checkmark",
    "checked": r"\approx",
    "refuted": r"\times",
    "undecided": "?",
    "inconsistent": "!",
}
"""The verdict mark set over a line's relation with ``marks=True``; each is no wider than ``=``
(``def`` in the smallest size), so the right sides stay aligned."""


class SymbnLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the field's notation: ``W^{[l]}``, ``a^{[l-1](i)}``, marks."""

    printmethod = "_symbn_latex"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"mul_symbol": "dot", **(settings or {})})

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        if not _in_notation(expr.name):
            return str(super()._print_Symbol(expr, style))
        name = parse_name(expr.name)
        return _scripted(name.latex_base, name.sub, name.sup)

    _print_Dummy = _print_Symbol

    def _print_Idx(self, expr: Idx) -> str:
        return self._print(expr.label)

    def _print_IndexedBase(self, expr: Any) -> str:
        return self._print(expr.label)

    def _print_Indexed(self, expr: Indexed) -> str:
        label = str(expr.base.label)
        if not _in_notation(label):
            return (
                self._print(expr.base) + "_{" + ",".join(self._print(i) for i in expr.indices) + "}"
            )
        parts = indexed_scripts(expr, self._print)
        if parts is None:
            sub = ",".join(self._print(i) for i in expr.indices)
            return f"{parse_name(label).latex_base}_{{{sub}}}"
        name, sub, sup = parts
        return _scripted(name.latex_base, sub, sup)

    def _helper_print_standard_power(self, expr: Pow, template: str) -> str:
        if isinstance(expr.base, (Indexed, Cancel)):
            base = self._print(expr.base)
            if "^" in base:
                base = r"\left(" + base + r"\right)"
            return template % (base, self._print(expr.exp))
        return str(super()._helper_print_standard_power(expr, template))

    def _print_Written(self, expr: Written) -> str:
        """The terms in written order; a term that would change the meaning bare is parenthesised."""
        out = self._print(expr.args[0])
        for term in expr.args[1:]:
            if term.could_extract_minus_sign():
                out += " - " + self.parenthesize(-term, PRECEDENCE["Add"])
                continue
            shown = self._print(term)
            if self._needs_add_brackets(term) or shown.startswith("-"):
                shown = r"\left(" + shown + r"\right)"
            out += " + " + shown
        return out

    def signed_terms(self, expr: Expr) -> list[tuple[str, Expr]] | None:
        """The top-level terms of a sum as printed, each but the first with its sign (``+ b``,
        ``- W \\cdot a``), with the term it shows (without the sign); joined with spaces the
        pieces are exactly ``self._print(expr)``. ``None`` for an expression that is not a sum."""
        if isinstance(expr, Written) and not isinstance(expr, Paren) and len(expr.args) > 1:
            terms, bracket = list(expr.args), True
        elif isinstance(expr, Expr) and expr.is_Add:
            terms, bracket = list(self._as_ordered_terms(expr)), False
        else:
            return None
        pieces: list[tuple[str, Expr]] = [(self._print(terms[0]), terms[0])]
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                shown = (
                    self.parenthesize(-term, PRECEDENCE["Add"]) if bracket else self._print(-term)
                )
                if not bracket and self._needs_add_brackets(-term):
                    shown = r"\left(" + shown + r"\right)"
                pieces.append(("- " + shown, -term))
                continue
            shown = self._print(term)
            if self._needs_add_brackets(term) or (bracket and shown.startswith("-")):
                shown = r"\left(" + shown + r"\right)"
            pieces.append(("+ " + shown, term))
        if " ".join(tex for tex, _ in pieces) != self._print(expr):
            return None  # never break a line into pieces that do not show what it shows whole
        return pieces

    def _needs_add_brackets(self, expr: Any) -> bool:
        """A written sum inside a sum is bracketed, as SymPy brackets an ``Add`` there."""
        if isinstance(expr, Written) and not isinstance(expr, Paren):
            return len(expr.args) > 1 or expr.args[0].could_extract_minus_sign()
        return bool(super()._needs_add_brackets(expr))

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
        """One ``\\sum`` per index, the outermost first; a body that is a sum, written or not, or a
        negative is bracketed (``\\sum_{i=1}^{m} W + b`` would end the sum at ``+``)."""
        signs = "".join(
            rf"\sum_{{{self._print(v)}={self._print(lo)}}}^{{{self._print(hi)}}} "
            for v, lo, hi in reversed(expr.limits)
        )
        body = expr.function
        if body.could_extract_minus_sign():
            return signs + r"\left(" + self._print(body) + r"\right)"
        return signs + self.parenthesize(body, PRECEDENCE["Mul"], strict=True)

    def _print_Derivative(self, expr: Derivative) -> str:
        """Always the partial sign: in ML derivations everything is a function of many variables."""
        below = []
        total = 0
        for var, count in expr.variable_count:
            total += count
            shown = self._print(var)
            if count == 1:
                below.append(r"\partial " + shown)
            else:
                shown = "{" + shown + "}" if "^" in shown else shown
                below.append(rf"\partial {shown}^{{{self._print(count)}}}")
        above = r"\partial" if total == 1 else rf"\partial^{{{self._print(total)}}}"
        body = self.parenthesize(expr.expr, PRECEDENCE["Mul"], strict=True)
        return rf"\frac{{{above}}}{{{' '.join(below)}}} {body}"

    def _print_Mul(self, expr: Mul) -> str:
        from symbn.render.unicode import built_unevaluated

        if built_unevaluated(expr):
            return self._written_product(expr)
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient == -1 and isinstance(rest, Written) and not isinstance(rest, Paren):
            return r"- \left(" + self._print(rest) + r"\right)"
        factors = list(expr.args)
        over = [f for f in factors if _is_over(f)]
        if over and any(isinstance(f, (Sum, Mean)) for f in factors):
            return self._mean_form(expr)
        return str(super()._print_Mul(expr))

    def _written_product(self, expr: Mul) -> str:
        """A product built unevaluated, its factors in the written order: ``\\frac{α (z−μ)}{α √σ²}``."""
        from symbn.render.unicode import written_factors

        top: list[Expr] = []
        below: list[Expr] = []
        for factor in written_factors(expr):
            if factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative:
                below.append(factor.base if factor.exp == -1 else Pow(factor.base, -factor.exp))
            else:
                top.append(factor)
        sign = ""
        if top and top[0] == -1:
            sign, top = "- ", top[1:]

        def product(factors: list[Expr]) -> str:
            if not factors:
                return "1"
            shown = []
            for k, factor in enumerate(factors):
                tex = self._print(factor)
                if self._needs_mul_brackets(factor, first=k == 0, last=k == len(factors) - 1) or (
                    _is_written_sum(factor)
                ):
                    tex = r"\left(" + tex + r"\right)"
                shown.append(tex)
            return r" \cdot ".join(shown)

        if not below:
            return sign + product(top)
        return sign + r"\frac{" + product(top) + "}{" + product(below) + "}"

    def _mean_form(self, expr: Mul) -> str:
        """``x \\cdot \\frac{1}{m} \\sum …``, as the document writes a mean, with every bracket the
        meaning needs: around a sum before it, and around each ``\\sum`` but the last."""
        if expr.could_extract_minus_sign():
            return "- " + self._mean_form(-expr)
        factors = list(expr.args)
        over = [f for f in factors if _is_over(f)]
        rest = [f for f in factors if f not in over]
        sums = [f for f in rest if isinstance(f, (Sum, Mean))]
        plain = Mul(*[f for f in rest if f not in sums])
        from symbn.render.unicode import sizes_first

        bases = sizes_first([f.base for f in over])
        below = r" \cdot ".join(self.parenthesize(f, PRECEDENCE["Mul"]) for f in bases)
        fraction = r"\frac{1}{" + (below if len(bases) > 1 else self._print(bases[0])) + "}"
        shown = [self._print(s) for s in sums]
        shown = [
            r"\left(" + tex + r"\right)" if isinstance(s, Sum) and k < len(sums) - 1 else tex
            for k, (s, tex) in enumerate(zip(sums, shown, strict=True))
        ]
        tail = fraction + " " + r" \cdot ".join(shown)
        if plain == 1:
            return tail
        head = self._print(plain)
        if self._needs_mul_brackets(plain, first=True, last=False) or _is_written_sum(plain):
            head = r"\left(" + head + r"\right)"
        return head + r" \cdot " + tail


def _is_over(factor: Expr) -> bool:
    """A ``1/m`` factor: the reciprocal of something that is not a sum."""
    return isinstance(factor, Pow) and factor.exp == -1 and not factor.base.is_Add


def _is_written_sum(expr: Expr) -> bool:
    """A written sum of several terms, not already in parentheses."""
    return isinstance(expr, Written) and not isinstance(expr, Paren) and len(expr.args) > 1


def _in_notation(name: str) -> bool:
    """Whether ``name`` is written in the notation (``W^{[l]}``), at most one sub- and superscript."""
    match = _NAME.match(name)
    if not match:
        return False
    marks = [mark for mark, _ in _SCRIPT.findall(match.group("scripts"))]
    return len(marks) == len(set(marks))


def _scripted(base: str, sub: str, sup: str) -> str:
    out = base
    if sub:
        out += f"_{{{sub}}}"
    if sup:
        out += f"^{{{sup}}}"
    return out


@printing_any_digits
def latex(expr: Expr) -> str:
    """``expr`` in LaTeX, in the document's notation."""
    return str(SymbnLatexPrinter().doprint(expr))


# Texts: plain text with inline math ---------------------------------------------------------

Segment = tuple[bool, str]
"""A piece of a text: ``(True, tex)`` is math, ``(False, text)`` is plain text."""


def segments(text: str) -> list[Segment]:
    """``text`` split into plain and math pieces: ``$…$`` is math, and so is Unicode such as ``μ``.

    ``\\$`` is a literal dollar sign.
    """
    out: list[Segment] = []
    for part in re.split(r"((?<!\\)\$(?:[^$\\]|\\.)+?\$)", text):
        if len(part) > 2 and part.startswith("$") and part.endswith("$"):
            out.append((True, safe_math(part[1:-1])))
            continue
        plain = ""
        for char in part.replace("\\$", "$"):
            if char in UNICODE_MATH:
                if plain:
                    out.append((False, plain))
                    plain = ""
                out.append((True, UNICODE_MATH[char]))
            else:
                plain += char
        if plain:
            out.append((False, plain))
    return out


def _escape(plain: str, table: dict[str, str], *, web: bool = False) -> str:
    """``plain`` with ``table``'s characters replaced; for pdflatex, Unicode it cannot set is spelled out."""
    out = []
    for char in plain:
        if char in table:
            out.append(table[char])
        elif web:
            out.append(char)
        elif char in UNICODE_TEXT:
            out.append(UNICODE_TEXT[char])
        elif ord(char) > 0xFF:
            out.append(f"[U+{ord(char):04X}]")
        else:
            out.append(char)
    return "".join(out)


def _quotes(plain: str) -> str:
    """Straight quotes as LaTeX's opening and closing quotes: ``'l'`` becomes `` `l' ``."""
    plain = re.sub(r"(?:^|(?<=[\s(\[]))'", "`", plain)
    plain = re.sub(r'(?:^|(?<=[\s(\[]))"', "``", plain)
    return plain.replace('"', "''")


def text(value: str | list[Segment]) -> str:
    """A text for text mode (a paragraph, ``\\intertext``): plain parts escaped, math in ``$…$``."""
    parts = segments(value) if isinstance(value, str) else value
    return "".join(
        f"${tex}$" if math else _quotes(_escape(tex, TEXT_SPECIALS)) for math, tex in parts
    )


def math_text(value: str | list[Segment], *, web: bool = False) -> str:
    """A text inside math: plain parts as ``\\text{…}``, math as math (no ``$`` nested in math).

    ``web``: for KaTeX and MathJax, whose ``\\text`` keeps straight quotes (LaTeX's would be wrong).
    """
    parts = segments(value) if isinstance(value, str) else value
    out = []
    for math, tex in parts:
        if math:
            out.append("{" + (_web(tex) if web else tex) + "}")
            continue
        pieces = re.split(r"([\\&%#_{}~^$<>])", tex.replace("\n", " "))
        for piece in pieces:
            if piece in MATH_SPECIALS:
                out.append(MATH_SPECIALS[piece])
            elif piece in ("<", ">"):
                out.append(_web(piece) if web else "{" + piece + "}")
            elif piece:
                piece = _escape(piece, {}, web=web)
                out.append(r"\text{" + (piece if web else _quotes(piece)) + "}")
    return "".join(out)


def tag_text(label: str, *, web: bool = False) -> str:
    """A line label as the argument of ``\\tag`` (text mode; ``web``: for KaTeX and MathJax)."""
    if web:
        return re.sub(r"([_#%&{}$])", r"\\\1", label).replace("<", "‹").replace(">", "›")
    return _escape(label, TEXT_SPECIALS)


def label_key(value: str) -> str:
    """``value`` made safe inside ``\\label{}`` and ``\\ref{}``: letters, digits, ``.``, ``:``, ``-``."""
    return re.sub(r"[^A-Za-z0-9.:\-]+", "-", value)


# Rows: what every format lays out -----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a derivation, typeset: its sides, relation (with a mark), justification and evidence."""

    line: Line
    lhs: str
    relation: str
    rhs: str
    why: list[Segment]
    width: int
    evidence: list[Segment]
    verdict: str = ""
    lhs_pt: float = 0.0
    """Estimated typeset widths (pt): the left side, each piece of the right side (its top-level
    terms, signed, see :meth:`SymbnLatexPrinter.signed_terms`; the whole side when it is not a sum),
    and the justification."""
    pieces: tuple[str, ...] = ()
    piece_pt: tuple[float, ...] = ()
    why_pt: float = 0.0

    @property
    def label(self) -> str:
        return self.line.label

    @property
    def failed(self) -> bool:
        """Whether the line is refuted or inconsistent: it must stand out."""
        return self.verdict in FAILED

    def wide(self, limit: int = LINE_WIDTH) -> bool:
        """Whether the line and its justification are too wide for one row of ``limit`` columns."""
        return bool(self.why) and self.width > limit


def relation_latex(line: Line, result: StepResult | None = None, *, colour: bool = False) -> str:
    """``=`` or ``\\neq``, with the verdict's mark over it when ``result`` is given (in red for a
    line that fails, with ``colour``: see :func:`coloured`)."""
    relation = "=" if line.relation is Relation.EQUAL else r"\neq"
    if result is None:
        return relation
    marked = rf"\overset{{{MARKS[result.verdict.value]}}}{{{relation}}}"
    if colour and result.verdict.value in FAILED:
        marked = coloured(marked)
    # \mathrel keeps the spacing of a relation in KaTeX too, whose \neq is a composite.
    return rf"\mathrel{{{marked}}}"


def coloured(tex: str) -> str:
    """``tex`` in the failure colour, read alike by xcolor, KaTeX, MathJax 3 and MathJax 2.

    ``{\\color{red}{…}}``: MathJax 2's ``\\color`` takes the text as an argument, the others switch
    colour until the group ends, so the outer braces make both mean the same; ``\\textcolor``
    would need MathJax's color extension.
    """
    return rf"{{\color{{{FAILED_COLOUR}}}{{{tex}}}}}"


def evidence_label(row: Row, *, colour: bool, math: bool) -> str:
    """The verdict that starts a failing line's evidence, in bold (and red with ``colour``).

    ``math``: for use inside math (``\\text{…}``), else for text mode.
    """
    label = r"\textbf{" + row.verdict + ":}"
    if math:
        label = r"\text{" + label + "}"
    if colour and row.failed:
        label = coloured(label)
    return label + (r"\ " if math else " ")


def _width(line: Line) -> int:
    """The width of the line drawn in Unicode: a measure of its typeset width."""
    from symbn.render.unicode import draw_equation

    lhs = None if line.kind is Kind.CONTINUATION else line.lhs
    try:
        drawing = draw_equation(lhs, line.rhs, line.relation.value)
    except Exception:  # only a measure for the layout: a drawing problem must not stop the export
        return len(latex(line.rhs)) // 2
    return max((len(row) for row in drawing.splitlines()), default=0)


@printing_any_digits
def _drawn_pt(expr: Expr) -> float:
    """An estimate of ``expr``'s typeset width in display math, from its Unicode drawing."""
    from symbn.render.unicode import STRIKE, draw

    try:
        drawing = draw(expr).replace(STRIKE, "")
    except Exception:  # only a measure for the layout: a drawing problem must not stop the export
        return len(latex(expr)) * PT_PER_COLUMN / 2
    return max((len(row) for row in drawing.splitlines()), default=0) * PT_PER_COLUMN


@printing_any_digits
def _pieces(rhs: Expr) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The right side as pieces where a long line may break (before each ``+`` or ``-`` between
    its top-level terms), with their estimated widths; one piece when it is not a sum."""
    terms = SymbnLatexPrinter().signed_terms(rhs) if isinstance(rhs, Expr) else None
    if not terms:
        return (latex(rhs),), (_drawn_pt(rhs),)
    widths = [
        _drawn_pt(term) + (3 * PT_PER_COLUMN if k else 0) for k, (_, term) in enumerate(terms)
    ]
    return tuple(tex for tex, _ in terms), tuple(widths)


def _text_pt(parts: list[Segment]) -> float:
    return _visible_length(parts) * PT_PER_CHAR


def _visible_length(parts: list[Segment]) -> int:
    return sum(
        len(re.sub(r"\\[A-Za-z]+|[{}^_]", "", tex)) if math else len(tex) for math, tex in parts
    )


def evidence(
    result: StepResult, derivation: Derivation, report: Report | None = None
) -> list[Segment]:
    """Why a line does not hold, as a text in the document's notation: the verdict (a label that
    stands out), the reason, whether it only inherits a refuted line's slip, the values the sides
    use, the two sides there, and the symbolic remainder."""
    from symbn.render.failure import inherited, readable_remainder, used_values

    parts: list[Segment] = [(False, f"{result.verdict.value}: ")]
    parts += segments(result.reason or "no reason given")
    hint = inherited(result, report) if report is not None else None
    if hint is not None:
        parts.append((False, f" ({hint.sentence()})"))
    example = result.counterexample
    if example is not None:
        values = used_values(result, derivation)
        shown = [
            (True, f"{math_text(name) if obj is None else latex(obj)} = {_number(value)}")
            for obj, name, value in values[:MAX_VALUES]
        ]
        parts.append((False, "; at "))
        for k, part in enumerate(shown):
            parts += [(False, ", ")] if k else []
            parts.append(part)
        more = len(values) - MAX_VALUES
        if more > 0:
            parts.append((False, f" and {more} more values"))
        parts += [
            (False, ": left side "),
            (True, _number(example.lhs)),
            (False, ", right side "),
            (True, _number(example.rhs)),
        ]
    remainder = result.remainder
    if remainder is not None and remainder != 0:
        shown_remainder = latex(readable_remainder(remainder, derivation))
        if len(shown_remainder) <= MAX_REMAINDER_TEX:
            parts += [(False, "; left side minus right side "), (True, "= " + shown_remainder)]
    parts.append((False, "."))
    return parts


def _names(derivation: Derivation) -> dict[str, Expr]:
    """Every symbol and indexed family of the derivation, by the name the numeric trials report."""
    from symbn.render.unicode import names_in

    return names_in([s for line in derivation.lines for s in (line.lhs_meaning, line.rhs_meaning)])


def _value_name(name: str, names: dict[str, Expr]) -> str:
    """A counterexample's name (``a^{[l-1]}[1]``) in the notation (``a^{[l-1](1)}``)."""
    from symbn.render.unicode import named_value

    value = named_value(name, names)
    return math_text(name) if value is None else latex(value)


@printing_any_digits
def _number(value: str) -> str:
    """An exact value (``-5/3``) as ``-\\frac{5}{3}``; anything else as it is, escaped."""
    fraction = re.fullmatch(r"(-?\d+)/(\d+)", value.strip())
    if fraction:
        return latex(Rational(int(fraction.group(1)), int(fraction.group(2))))
    if re.fullmatch(r"-?[\d.]+(?:e-?\d+)?", value.strip()):
        return value.strip()
    return math_text(value)


def rows(
    derivation: Derivation,
    report: Report | None,
    *,
    why: bool,
    marks: bool,
    colour: bool = False,
) -> list[Row]:
    """The lines of ``derivation`` typeset; with ``marks``, each carries its verdict from ``report``
    (``colour``: a failing line's mark in red)."""
    results = {r.label: r for r in report.results} if report is not None else {}
    out = []
    for line in derivation.lines:
        result = results.get(line.label) if marks else None
        note = segments(line.why) if why and line.why else []
        width = _width(line) + (_visible_length(note) + 4 if note else 0)
        proof = (
            evidence(result, derivation, report) if result is not None and not result.holds else []
        )
        continuation = line.kind is Kind.CONTINUATION
        pieces, piece_pt = _pieces(line.rhs)
        out.append(
            Row(
                line,
                "" if continuation else latex(line.lhs),
                relation_latex(line, result, colour=colour),
                latex(line.rhs),
                note,
                width,
                proof,
                result.verdict.value if result is not None else "",
                0.0 if continuation else _drawn_pt(line.lhs),
                pieces,
                piece_pt,
                _text_pt(note),
            )
        )
    return out


# The LaTeX document ------------------------------------------------------------------------


def resolve(obj: Any, *, marks: bool) -> tuple[Derivation, Report | None]:
    """The derivation and its report from a :class:`Derivation` or a checked ``Report``."""
    from symbn.check import Report, check

    if isinstance(obj, Report):
        return obj.derivation, obj
    if isinstance(obj, Derivation):
        return obj, check(obj) if marks else None
    raise DerivationError(f"expected a Derivation or a Report to render; got {type(obj).__name__}")


def broken(row: Row, first: float, more: float) -> list[tuple[str, float]]:
    """The right side in rows, each with its estimated width: as many pieces as fit ``first``
    (pt) on the first row and ``more`` on each row after it; a piece wider than that stands alone."""
    chunks: list[tuple[list[str], float]] = [([], 0.0)]
    for tex, pt in zip(row.pieces, row.piece_pt, strict=True):
        taken, used = chunks[-1]
        if taken and used + pt > (first if len(chunks) == 1 else more):
            chunks.append(([], 0.0))
            taken, used = chunks[-1]
        chunks[-1] = ([*taken, tex], used + pt)
    return [(" ".join(taken), used) for taken, used in chunks]


@dataclass(frozen=True)
class Layout:
    """Where a row's pieces go: its right side in rows, and its justification beside the last of
    them, on a row of its own below, or (too long for either) as a paragraph below."""

    chunks: list[str]
    why: str  # "beside", "below", "paragraph" or "" (no justification)


def layout(row: Row, width: float | None, lhs_pt: float, tag_pt: float) -> Layout:
    """How ``row`` fits ``width`` pt (``None``: one row, the justification beside it unless the
    line is wide) in a block whose widest left side is ``lhs_pt`` and whose tags take ``tag_pt``."""
    if width is None or not row.pieces:
        return Layout([row.rhs], ("below" if row.wide() else "beside") if row.why else "")
    room = width - lhs_pt - RELATION_PT - tag_pt
    chunks = broken(row, room, room - QUAD_PT)
    last = chunks[-1][1] + (QUAD_PT if len(chunks) > 1 else 0.0)
    where = ""
    if row.why:
        if last + 2 * QUAD_PT + row.why_pt <= room:
            where = "beside"
        elif 2 * QUAD_PT + row.why_pt <= width - lhs_pt - RELATION_PT:
            where = "below"
        else:
            where = "paragraph"
    return Layout([tex for tex, _ in chunks], where)


def tag_pt(label: str) -> float:
    """The estimated width of a tag ``(label)`` and the space before it."""
    return (len(label) + 2) * PT_PER_CHAR + TAG_GAP_PT


def _align_rows(
    name: str,
    rows: list[Row],
    *,
    numbered: bool,
    colour: bool = False,
    width: float | None = None,
) -> list[str]:
    """The rows of an ``align``: a long right side continues on ``&\\quad`` rows before a ``+`` or
    ``-``, its tag on the last of them; a justification that does not fit beside goes below."""
    out = []
    lhs_pt = max((row.lhs_pt for row in rows), default=0.0)
    tags = max((tag_pt(row.label) for row in rows), default=0.0) if numbered else 0.0
    notag = r" \notag" if numbered else ""
    for k, row in enumerate(rows):
        tail = (
            f"\\tag{{{tag_text(row.label)}}}\\label{{eq:{label_key(name)}:{label_key(row.label)}}}"
        )
        tail = " " + tail if numbered else ""
        shape = layout(row, width, lhs_pt, tags)
        first, *more = shape.chunks
        equations = [f"{row.lhs} &{row.relation} {first}", *(r"&\quad " + c for c in more)]
        if shape.why == "beside":
            equations[-1] += r" \qquad " + math_text(row.why)
        out += [equation + notag for equation in equations[:-1]]
        # A page may break after a line, never inside it (no \\allowdisplaybreaks needed).
        breakable = width is not None and k < len(rows) - 1
        out.append(equations[-1] + tail + (r" \displaybreak[0]" if breakable else ""))
        if shape.why == "below":
            out.append(r"&\qquad " + math_text(row.why) + notag)
        elif shape.why == "paragraph":
            out.append(r"\intertext{" + text(row.why) + "}")
        if row.evidence:
            label = evidence_label(row, colour=colour, math=False)
            out.append(r"\intertext{\small " + label + text(row.evidence[1:]) + "}")
    return out


def _join_align(lines: list[str], *, numbered: bool) -> str:
    """Rows joined with ``\\\\``; an ``\\intertext`` follows a ``\\\\`` and needs none after it."""
    body = ""
    for k, line in enumerate(lines):
        body += line
        if k < len(lines) - 1 and not line.startswith(r"\intertext"):
            body += r" \\"
        body += "\n"
    if lines and lines[-1].startswith(r"\intertext") and numbered:
        body += "\\notag\n"
    return body


def aligned_rows(
    rows: list[Row], *, web: bool = False, colour: bool = False, width: float | None = None
) -> list[str]:
    """The rows of an ``aligned`` block: number on the left (``aligned`` allows no ``\\tag``), then the line.

    ``web``: for KaTeX and MathJax rather than LaTeX (straight quotes in texts). ``width``: the
    width (pt) to fit, as in :func:`layout` (a justification too long for a row still takes one).
    """
    out = []
    # the numbers' column and the 2em that ``aligned`` keeps between its column pairs
    numbers = max(((len(row.label) + 2) * PT_PER_CHAR for row in rows), default=0.0) + 2 * QUAD_PT
    lhs_pt = max((row.lhs_pt for row in rows), default=0.0)
    for row in rows:
        number = r"\text{(" + tag_text(row.label, web=web) + ")}"
        shape = layout(row, width, lhs_pt, numbers)
        first, *more = shape.chunks
        equations = [f"{number} && {row.lhs} &{row.relation} {first}"]
        equations += [r"&& &\quad " + chunk for chunk in more]
        if shape.why == "beside":
            equations[-1] += r" \qquad " + math_text(row.why, web=web)
        out += equations
        if shape.why in ("below", "paragraph"):  # an aligned has no paragraphs: a row below
            out.append(r"&& &\qquad " + math_text(row.why, web=web))
        if row.evidence:
            label = evidence_label(row, colour=colour, math=True)
            out.append(r"&& &\qquad " + label + math_text(row.evidence[1:], web=web))
    return out


def target_width(width: str | float | None, *, standalone: bool) -> float:
    """The width (pt) to fit: ``column``, ``text`` (see :data:`WIDTHS`) or a number of points;
    ``None``: the column of a two-column paper for a fragment, the text for the standalone article."""
    if width is None:
        return WIDTHS["text" if standalone else "column"]
    if isinstance(width, str):
        if width not in WIDTHS:
            raise DerivationError(
                f"width must be one of {', '.join(WIDTHS)} or a number of points; got {width!r}"
            )
        return WIDTHS[width]
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 50 <= width <= 2000:
        raise DerivationError(f"width must be between 50 and 2000 points; got {width!r}")
    return float(width)


def fragment(
    derivation: Derivation,
    report: Report | None,
    *,
    env: str,
    why: bool,
    marks: bool,
    colour: bool = False,
    width: float | None = None,
) -> str:
    """The math environment alone, ready to ``\\input`` (see :data:`PACKAGES` for the preamble;
    ``colour`` needs ``xcolor`` too), laid out to fit ``width`` pt (``None``: no line is broken)."""
    if env not in ENVIRONMENTS:
        raise DerivationError(f"env must be one of {', '.join(ENVIRONMENTS)}; got {env!r}")
    typeset = rows(derivation, report, why=why, marks=marks, colour=colour)
    if env == "align*":
        typeset = [unreferenced(row, derivation) for row in typeset]
    if env == "equation+aligned":
        first, last = derivation.lines[0].label, derivation.lines[-1].label
        span = text(first if first == last else f"{first}–{last}")
        inner = None if width is None else width - tag_pt(first + "--" + last)
        body = " \\\\\n".join(aligned_rows(typeset, colour=colour, width=inner))
        return (
            "\\begin{equation}\n\\begin{aligned}\n"
            + body
            + f"\n\\end{{aligned}}\n\\tag{{{span}}}\\label{{eq:{label_key(derivation.name)}}}\n"
            + "\\end{equation}\n"
        )
    numbered = env == "align"
    out = ""
    for block in blocks(typeset, width, numbered=numbered):
        body = _join_align(
            _align_rows(derivation.name, block, numbered=numbered, colour=colour, width=width),
            numbered=numbered,
        )
        out += f"\\begin{{{env}}}\n{body}\\end{{{env}}}\n"
    return out


def blocks(rows: list[Row], width: float | None, *, numbered: bool) -> list[list[Row]]:
    """The rows cut into consecutive ``align`` blocks, so that a wide left side (a derivative)
    does not push a long right side elsewhere past ``width``: every row of a block shares the
    widest left side of the block. A line and its continuations stay in one block."""
    if width is None:
        return [rows]
    groups: list[list[Row]] = []
    for row in rows:
        if groups and row.line.kind is Kind.CONTINUATION:
            groups[-1].append(row)
        else:
            groups.append([row])

    def fits(block: list[Row], lhs_pt: float, tags: float) -> bool:
        return all(
            max(row.piece_pt, default=0.0) + lhs_pt + RELATION_PT + tags <= width for row in block
        )

    def tags_of(block: list[Row]) -> float:
        return max((tag_pt(row.label) for row in block), default=0.0) if numbered else 0.0

    out: list[list[Row]] = []
    for group in groups:
        if out:
            joined = [*out[-1], *group]
            lhs_pt, tags = max(row.lhs_pt for row in joined), tags_of(joined)
            # apart only when the other's wider left side would push a part past the width
            pushed = any(
                lhs_pt - max(row.lhs_pt for row in part) > SPLIT_PT and not fits(part, lhs_pt, tags)
                for part in (out[-1], group)
            )
            if not pushed:
                out[-1] = joined
                continue
        out.append(group)
    return out


def _citation(derivation: Derivation) -> re.Pattern[str]:
    """A citation of one of ``derivation``'s line numbers in prose: "1.4", "(1.4)", "Equation 1.12",
    "from 1.10" (a longer number such as 1.10 is never read as 1.1)."""
    labels = "|".join(re.escape(line.label) for line in derivation.lines)
    return re.compile(
        rf"(?:\b(?:by|from|of|in|see|and|with)\s+)?(?:\beq(?:uation)?s?\.?\s*)?"
        rf"\(?(?<![\w.])(?:{labels})(?![\w]|\.\d)\)?",
        re.IGNORECASE,
    )


def _uncited(plain: str, cite: re.Pattern[str], *, first: bool) -> str:
    """``plain`` with the citations taken out and the spacing and punctuation left tidy."""
    plain = re.sub(r"\s{2,}", " ", cite.sub("", plain))
    plain = re.sub(r"\s+([,;.:])", r"\1", plain)
    plain = re.sub(r"[,;:]+(?=[,;.:])", "", plain)  # "given, by 1.4;" leaves one mark, not ",;"
    return re.sub(r"^[\s,;:]+", "", plain) if first else plain


def unreferenced(row: Row, derivation: Derivation) -> Row:
    """``row`` with the line numbers its justification cites taken out (``align*`` shows none):
    "1.4 substituted for the mean" becomes "substituted for the mean"."""
    if not row.why:
        return row
    cite = _citation(derivation)
    why: list[Segment] = []
    for math, piece in row.why:
        if not math:
            piece = _uncited(piece, cite, first=not why)
        if piece:
            why.append((math, piece))
    return replace(row, why=why, width=row.width, why_pt=_text_pt(why))


def summary_sentence(report: Report) -> str:
    """One sentence on what the checker found: "Checked by symbn: 7 definitions, 8 proved; every claim holds"."""
    counts = report.counts()
    words = [
        f"{n} {'definitions' if v.value == 'definition' and n != 1 else v.value}"
        for v, n in counts.items()
        if n
    ]
    verdict = "every claim holds" if report.ok else "not every claim holds"
    return f"Checked by symbn: {', '.join(words)}; {verdict}."


def closing_texts(derivation: Derivation, report: Report | None) -> list[tuple[str, str]]:
    """The conclusion and notes as (heading, text) pairs; a conclusion that did not check says so."""
    out = []
    if derivation.conclusion:
        heading = (
            "Conclusion" if report is None or report.ok else "Claimed conclusion (not established)"
        )
        out.append((heading, _sentence(derivation.conclusion)))
    out += [("Note", _sentence(note)) for note in derivation.notes]
    return out


def _sentence(statement: str) -> str:
    statement = statement.strip()
    return statement if statement.endswith((".", "!", "?", ":")) else statement + "."


def declaration_lines(derivation: Derivation) -> list[str]:
    """What the document must declare to mean what the derivation means: its positive symbols and
    its assumptions, as TOML lines for a ``symbn:`` comment, so an export reads back the same."""
    from sympy import Idx, Symbol

    positive: set[str] = set()
    for line in derivation.lines:
        for side in (line.lhs, line.rhs):
            for symbol in side.free_symbols:
                if isinstance(symbol, Symbol) and not isinstance(symbol, Idx):
                    if symbol.is_positive and not symbol.is_integer:
                        positive.add(latex(symbol))
    assumed = [latex(a) for a in derivation.assumptions]
    found = []
    for key, values in (("positive", sorted(positive)), ("assume", assumed)):
        literal = [f"'{v}'" for v in values if "'" not in v and "\n" not in v]  # TOML literals
        if literal:
            found.append(f"{key} = [{', '.join(literal)}]")
    return found


def _declaration_comment(derivation: Derivation) -> list[str]:
    lines = declaration_lines(derivation)
    return ["% symbn-declare", *(f"% {line}" for line in lines)] if lines else []


def standalone_document(derivation: Derivation, report: Report | None, body: str) -> str:
    """``body`` in a complete ``article``: title, assumptions, the checker's summary, conclusion, notes."""
    parts = [
        "\\documentclass{article}",
        "\\usepackage[margin=25mm]{geometry}",
        *(f"\\usepackage{{{p}}}" for p in (*PACKAGES, "xcolor")),
        "\\allowdisplaybreaks",
        *_declaration_comment(derivation),
        "",
        "\\begin{document}",
        "",
        f"\\section*{{{text(derivation.title)}}}",
        "",
    ]
    if derivation.assumptions:
        assumed = ", ".join(f"${latex(a)}$" for a in derivation.assumptions)
        parts += [f"Assuming {assumed}.", ""]
    parts.append(body.rstrip("\n"))
    parts.append("")
    if report is not None:
        parts += [text(summary_sentence(report)), ""]
    for heading, statement in closing_texts(derivation, report):
        parts += [f"\\paragraph{{{heading}.}} {text(statement)}", ""]
    parts.append("\\end{document}")
    return "\n".join(parts) + "\n"


def to_latex(
    obj: Derivation | Report,
    *,
    env: str = "align",
    why: bool = True,
    marks: bool = False,
    standalone: bool = False,
    width: str | float | None = None,
) -> str:
    """A derivation (or a checked report) as LaTeX.

    ``env``: ``align`` (each line tagged with its label and ``\\label{eq:<name>:<label>}``),
    ``align*`` (unnumbered), or ``equation+aligned`` (one numbered block, line numbers beside).
    ``why``: the justifications as ``\\text{…}``. ``marks``: each relation carries its verdict mark
    (a derivation is checked first), and a line that does not hold shows its counterexample.
    ``standalone``: a complete ``article`` with the title and conclusion, for ``pdflatex``.
    ``width``: what to fit, ``"column"`` (a column of a two-column paper, 229.5 pt, the default
    for a fragment), ``"text"`` (455 pt, the default for ``standalone``) or a number of points: a
    long right side breaks before a ``+`` or ``-`` onto ``&\\quad`` rows, a justification too long
    to stand beside goes below (as a paragraph, ``\\intertext``, when a row cannot hold it).
    """
    derivation, report = resolve(obj, marks=marks)
    target = target_width(width, standalone=standalone)
    body = fragment(
        derivation, report, env=env, why=why, marks=marks, colour=standalone, width=target
    )
    if not standalone:
        comment = _declaration_comment(derivation)  # after the block: \input sees it first
        return body + "".join(f"{line}\n" for line in comment)
    return standalone_document(derivation, report, body)


__all__ = [
    "ENVIRONMENTS",
    "PACKAGES",
    "Row",
    "SymbnLatexPrinter",
    "latex",
    "math_text",
    "rows",
    "segments",
    "text",
    "to_latex",
]
