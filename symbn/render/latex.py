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
from dataclasses import dataclass
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

MARKS = {
    "definition": r"\mathrm{def}",
    "proved": r"\checkmark",
    "checked": r"\approx",
    "refuted": r"\times",
    "undecided": "?",
    "inconsistent": "!",
}
"""The verdict mark set over a line's relation with ``marks=True``."""


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
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient == -1 and isinstance(rest, Written) and not isinstance(rest, Paren):
            return r"- \left(" + self._print(rest) + r"\right)"
        factors = list(expr.args)
        over = [f for f in factors if _is_over(f)]
        if over and any(isinstance(f, (Sum, Mean)) for f in factors):
            return self._mean_form(expr)
        return str(super()._print_Mul(expr))

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

    @property
    def label(self) -> str:
        return self.line.label

    def wide(self, limit: int = LINE_WIDTH) -> bool:
        """Whether the line and its justification are too wide for one row of ``limit`` columns."""
        return bool(self.why) and self.width > limit


def relation_latex(line: Line, result: StepResult | None = None) -> str:
    """``=`` or ``\\neq``, with the verdict's mark over it when ``result`` is given."""
    relation = "=" if line.relation is Relation.EQUAL else r"\neq"
    if result is None:
        return relation
    # \mathrel keeps the spacing of a relation in KaTeX too, whose \neq is a composite.
    return rf"\mathrel{{\overset{{{MARKS[result.verdict.value]}}}{{{relation}}}}}"


def _width(line: Line) -> int:
    """The width of the line drawn in Unicode: a measure of its typeset width."""
    from symbn.render.unicode import draw_equation

    lhs = None if line.kind is Kind.CONTINUATION else line.lhs
    try:
        drawing = draw_equation(lhs, line.rhs, line.relation.value)
    except Exception:  # only a measure for the layout: a drawing problem must not stop the export
        return len(latex(line.rhs)) // 2
    return max((len(row) for row in drawing.splitlines()), default=0)


def _visible_length(parts: list[Segment]) -> int:
    return sum(
        len(re.sub(r"\\[A-Za-z]+|[{}^_]", "", tex)) if math else len(tex) for math, tex in parts
    )


def evidence(result: StepResult, derivation: Derivation) -> list[Segment]:
    """Why a line does not hold, as a text: the verdict, the reason, and the counterexample's values."""
    parts: list[Segment] = [(False, f"{result.verdict.value}: ")]
    parts += segments(result.reason or "no reason given")
    example = result.counterexample
    if example is not None:
        names = _names(derivation)
        shown = [
            (True, f"{_value_name(name, names)} = {_number(value)}")
            for name, value in example.assignment[:MAX_VALUES]
        ]
        parts.append((False, "; at "))
        for k, part in enumerate(shown):
            parts += [(False, ", ")] if k else []
            parts.append(part)
        more = len(example.assignment) - MAX_VALUES
        if more > 0:
            parts.append((False, f" and {more} more values"))
        parts += [
            (False, ": left side "),
            (True, _number(example.lhs)),
            (False, ", right side "),
            (True, _number(example.rhs)),
        ]
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


def rows(derivation: Derivation, report: Report | None, *, why: bool, marks: bool) -> list[Row]:
    """The lines of ``derivation`` typeset; with ``marks``, each carries its verdict from ``report``."""
    results = {r.label: r for r in report.results} if report is not None else {}
    out = []
    for line in derivation.lines:
        result = results.get(line.label) if marks else None
        note = segments(line.why) if why and line.why else []
        width = _width(line) + (_visible_length(note) + 4 if note else 0)
        proof = evidence(result, derivation) if result is not None and not result.holds else []
        out.append(
            Row(
                line,
                "" if line.kind is Kind.CONTINUATION else latex(line.lhs),
                relation_latex(line, result),
                latex(line.rhs),
                note,
                width,
                proof,
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


def _align_rows(name: str, rows: list[Row], *, numbered: bool) -> list[str]:
    out = []
    for row in rows:
        tail = (
            f"\\tag{{{tag_text(row.label)}}}\\label{{eq:{label_key(name)}:{label_key(row.label)}}}"
        )
        tail = " " + tail if numbered else ""
        equation = f"{row.lhs} &{row.relation} {row.rhs}"
        if row.why and not row.wide():
            equation += r" \qquad " + math_text(row.why)
        out.append(equation + tail)
        if row.wide():
            out.append(r"&\qquad " + math_text(row.why) + (r" \notag" if numbered else ""))
        if row.evidence:
            out.append(r"\intertext{\small " + text(row.evidence) + "}")
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


def aligned_rows(rows: list[Row], *, web: bool = False) -> list[str]:
    """The rows of an ``aligned`` block: number on the left (``aligned`` allows no ``\\tag``), then the line.

    ``web``: for KaTeX and MathJax rather than LaTeX (straight quotes in texts).
    """
    out = []
    limit = LINE_WIDTH - ALIGNED_NUMBER_WIDTH
    for row in rows:
        number = r"\text{(" + tag_text(row.label, web=web) + ")}"
        equation = f"{number} && {row.lhs} &{row.relation} {row.rhs}"
        if row.why and not row.wide(limit):
            equation += r" \qquad " + math_text(row.why, web=web)
        out.append(equation)
        if row.wide(limit):
            out.append(r"&& &\qquad " + math_text(row.why, web=web))
        if row.evidence:
            out.append(r"&& &\qquad " + math_text(row.evidence, web=web))
    return out


def fragment(
    derivation: Derivation, report: Report | None, *, env: str, why: bool, marks: bool
) -> str:
    """The math environment alone, ready to ``\\input`` (see :data:`PACKAGES` for the preamble)."""
    if env not in ENVIRONMENTS:
        raise DerivationError(f"env must be one of {', '.join(ENVIRONMENTS)}; got {env!r}")
    typeset = rows(derivation, report, why=why, marks=marks)
    if env == "equation+aligned":
        first, last = derivation.lines[0].label, derivation.lines[-1].label
        span = text(first if first == last else f"{first}–{last}")
        body = " \\\\\n".join(aligned_rows(typeset))
        return (
            "\\begin{equation}\n\\begin{aligned}\n"
            + body
            + f"\n\\end{{aligned}}\n\\tag{{{span}}}\\label{{eq:{label_key(derivation.name)}}}\n"
            + "\\end{equation}\n"
        )
    numbered = env == "align"
    body = _join_align(_align_rows(derivation.name, typeset, numbered=numbered), numbered=numbered)
    return f"\\begin{{{env}}}\n{body}\\end{{{env}}}\n"


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


def standalone_document(derivation: Derivation, report: Report | None, body: str) -> str:
    """``body`` in a complete ``article``: title, assumptions, the checker's summary, conclusion, notes."""
    parts = [
        "\\documentclass{article}",
        "\\usepackage[margin=25mm]{geometry}",
        *(f"\\usepackage{{{p}}}" for p in PACKAGES),
        "\\allowdisplaybreaks",
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
) -> str:
    """A derivation (or a checked report) as LaTeX.

    ``env``: ``align`` (each line tagged with its label and ``\\label{eq:<name>:<label>}``),
    ``align*`` (unnumbered), or ``equation+aligned`` (one numbered block, line numbers beside).
    ``why``: the justifications as ``\\text{…}``. ``marks``: each relation carries its verdict mark
    (a derivation is checked first), and a line that does not hold shows its counterexample.
    ``standalone``: a complete ``article`` with the title and conclusion, for ``pdflatex``.
    """
    derivation, report = resolve(obj, marks=marks)
    body = fragment(derivation, report, env=env, why=why, marks=marks)
    if not standalone:
        return body
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
