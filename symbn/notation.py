"""How the field writes things, shared by every renderer and by the document parser.

Names carry their notation in LaTeX form (``W^{[l]}``, ``z_{norm}^{[l]}``, ``\\tilde{z}^{[l]}``), so a
name prints and parses the same way everywhere. Families of values are SymPy ``IndexedBase``
objects whose class says how their indices are written, and a few display marks (``Written``,
``Paren``, ``Cancel``, ``Mean``) keep a line *as written* while :func:`meaning` gives the plain
mathematics behind it, which is all the checker ever sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sympy import Add, Derivative, Expr, Idx, Indexed, IndexedBase, Integer, Sum, Symbol
from sympy.concrete.expr_with_limits import AddWithLimits
from sympy.core.parameters import evaluate
from sympy.core.relational import Relational
from sympy.core.sympify import SympifyError, _sympify

from symbn.errors import DerivationError

GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
    "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
GREEK_UNICODE = dict(zip(GREEK, "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩ", strict=True))
# Letters written with a command that are not in GREEK: \ell, and the variant Greek forms.
LETTER_UNICODE = {"ell": "ℓ", "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ"}
ACCENT_UNICODE = {"tilde": "\u0303", "bar": "\u0304", "hat": "\u0302", "overline": "\u0304"}

# A script's braces may hold one level more (``\mu_{\mathcal{B}}``), as the reader writes names.
_BRACED = r"\{(?:[^{}]|\{[^{}]*\})*\}"
_NAME = re.compile(
    r"^(?P<base>\\[A-Za-z]+\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z]+)"
    rf"(?P<scripts>(?:[_^](?:{_BRACED}|[A-Za-z0-9]))*)$"
)
_SCRIPT = re.compile(rf"([_^])({_BRACED}|[A-Za-z0-9])")


@dataclass(frozen=True)
class Name:
    """A symbol's name split the way it is written: base, subscript and superscript."""

    base: str
    sub: str = ""
    sup: str = ""

    @property
    def latex_base(self) -> str:
        """The base as LaTeX: ``\\sigma`` for ``sigma``, ``\\mathrm{run}`` for longer words."""
        if self.base.startswith("\\") or len(self.base) == 1:
            return self.base
        if self.base in GREEK_UNICODE or self.base in LETTER_UNICODE:
            return "\\" + self.base
        return r"\mathrm{" + self.base + "}"

    @property
    def unicode_base(self) -> str:
        """The base as Unicode: ``σ`` for ``sigma``, ``z̃`` for ``\\tilde{z}``."""
        accent = re.fullmatch(r"\\([A-Za-z]+)\{(.*)\}", self.base)
        if accent:
            inner = parse_name(accent.group(2)).unicode_base
            return inner + ACCENT_UNICODE.get(accent.group(1), "")
        bare = self.base.lstrip("\\")
        return GREEK_UNICODE.get(bare, LETTER_UNICODE.get(bare, bare))


def parse_name(name: str) -> Name:
    """Split ``W^{[l]}`` into base ``W`` and superscript ``[l]`` (names not in that form stay whole)."""
    match = _NAME.match(name)
    if not match:
        return Name(name)
    parts = {"_": "", "^": ""}
    for mark, body in _SCRIPT.findall(match.group("scripts")):
        parts[mark] = body[1:-1] if body.startswith("{") else body
    return Name(match.group("base"), parts["_"], parts["^"])


def _tagged(name: str, layer: str | None) -> str:
    return f"{name}^{{[{layer}]}}" if layer else name


def _split(names: str) -> list[str]:
    if not isinstance(names, str):
        raise DerivationError(f"names are given as one string, as in 'mu sigma^2'; got {names!r}")
    found = names.replace(",", " ").split()
    if not found:
        raise DerivationError("no names given")
    return found


def _one_or_many(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else tuple(items)


def symbols(names: str, *, positive: bool = False) -> Any:
    """Real symbols from space-separated names: ``mu, var, eps = symbols("mu sigma^2 epsilon")``."""
    kind = {"positive": True} if positive else {"real": True}
    return _one_or_many([Symbol(n, **kind) for n in _split(names)])


def layer_symbols(names: str, layer: str = "l", *, positive: bool = False) -> Any:
    """Symbols of one layer, tagged as the field writes them: ``W, b = layer_symbols("W b")`` gives ``W^{[l]}, b^{[l]}``."""
    kind = {"positive": True} if positive else {"real": True}
    return _one_or_many([Symbol(_tagged(n, layer), **kind) for n in _split(names)])


def _name(name: Any, what: str) -> str:
    """``name`` if it is a non-empty string, else a DerivationError saying what was expected."""
    if not isinstance(name, str) or not name.strip():
        raise DerivationError(f"{what} needs a name (a non-empty string such as 'm'); got {name!r}")
    return name


def size(name: str) -> Symbol:
    """A size such as the mini-batch size ``m``: a positive integer symbol."""
    return Symbol(_name(name, "symbn.size()"), integer=True, positive=True)


class HiddenIdx(Idx):
    """An index the notation leaves implicit, as the seed writes ``z^{[l]}`` for one example ``z^{[l](j)}``."""


def index(name: str, upper: Expr | int, lower: Expr | int = 1, *, shown: bool = True) -> Idx:
    """An integer index running from ``lower`` to ``upper``; ``shown=False`` keeps it out of the display."""
    if not isinstance(name, str) or not name:
        raise DerivationError(f"an index needs a name such as 'i'; got {name!r}")
    ends = (
        as_expr(lower, f"the lower end of index {name}"),
        as_expr(upper, f"the upper end of index {name}"),
    )
    for end, which in zip(ends, ("lower", "upper"), strict=True):
        if end.is_integer is not True:
            raise DerivationError(
                f"index {name} runs between integers, as symbn.index('{name}', m) with "
                f"m = symbn.size('m'); its {which} end {end} is not known to be an integer"
            )
    cls = Idx if shown else HiddenIdx
    try:
        return cls(name, ends)
    except (TypeError, ValueError):
        raise DerivationError(
            f"index {name} runs between integers, as symbn.index('{name}', m) with m = symbn.size('m'); "
            f"got {ends[0]} to {ends[1]}"
        ) from None


class ExampleFamily(IndexedBase):
    """Values per example: the last index is the example, written ``a^{[l-1](i)}``; others are unit subscripts."""


class UnitFamily(IndexedBase):
    """Values per unit or position: every index is a subscript, ``W_{jk}``, ``b_j``."""


def indexed_scripts(expr: Indexed, show: Callable[[Any], str]) -> tuple[Name, str, str] | None:
    """How the notation writes an entry of a family: its name, subscript and superscript.

    An example family's last index is the superscript ``(i)`` (left out when hidden); the other
    indices are subscripts, run together when each prints as one character. None for a plain
    IndexedBase outside the notation, which printers write as ``x[i, j]``.
    """
    name = parse_name(str(expr.base.label))
    indices = list(expr.indices)
    sup = name.sup
    if isinstance(expr.base, ExampleFamily):
        example = indices.pop()
        if not isinstance(example, HiddenIdx):
            sup += f"({show(example)})"
    elif not isinstance(expr.base, UnitFamily) and not name.sub and not name.sup:
        return None
    texts = [show(i) for i in indices]
    joined = ("" if all(len(t) == 1 for t in texts) else ",").join(texts)
    return name, ",".join(filter(None, [name.sub, joined])), sup


def examples(name: str, layer: str | None = None) -> ExampleFamily:
    """A family of real values, one per example (and per unit if given more indices): ``a = examples("a", "l-1")``."""
    return ExampleFamily(_tagged(_name(name, "symbn.examples()"), layer), real=True)


def units(name: str, layer: str | None = None) -> UnitFamily:
    """A family of real values indexed by units or positions only: ``W = units("W", "l")``, then ``W[j, k]``."""
    return UnitFamily(_tagged(_name(name, "symbn.units()"), layer), real=True)


def as_expr(value: Any, what: str) -> Expr:
    """``value`` as a SymPy expression (numbers allowed, strings never parsed), else a DerivationError."""
    if isinstance(value, str):
        raise DerivationError(
            f"{what} is the string {value!r}; symbn needs a SymPy expression, not text "
            "(build it from symbols, e.g. x = symbn.symbols('x'))"
        )
    if isinstance(value, bool):
        raise DerivationError(
            f"{what} is {value}, not a SymPy expression; Python's == compares at once, "
            "so pass the two sides separately: d.step(lhs, rhs)"
        )
    try:
        result = _sympify(value)
    except SympifyError:
        raise DerivationError(
            f"{what} is {_a(type(value).__name__)}, not a SymPy expression"
        ) from None
    if isinstance(result, Relational):
        raise DerivationError(
            f"{what} is the relation {result}, not an expression; "
            "pass the two sides separately: d.step(lhs, rhs)"
        )
    if not isinstance(result, Expr) or getattr(result, "is_Matrix", False):
        raise DerivationError(
            f"{what} is {_a(type(result).__name__)}, not a scalar SymPy expression "
            "(symbn checks scalar identities: write a matrix entry by entry, as W[j, k])"
        )
    return result


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


class Written(Expr):
    """A sum whose terms stay in the order the document writes them (SymPy would reorder them)."""

    is_commutative = True
    precedence = 40  # binds like a sum in SymPy's printers: W*written(a, b) prints W (a + b)

    def __new__(cls, *terms: Any) -> Written:
        if not terms:
            raise DerivationError("written() and group() need at least one term")
        return Expr.__new__(cls, *[as_expr(t, "a term") for t in terms])


class Paren(Written):
    """A written sum in parentheses, such as ``(W a + b)`` in equation 1.9 of the seed."""

    precedence = 1000  # already in parentheses: binds like an atom


class Cancel(Expr):
    """A term the document strikes through: displayed as ``\\cancel{x}``, checked as ``x``."""

    is_commutative = True

    def __new__(cls, term: Any) -> Cancel:
        return Expr.__new__(cls, as_expr(term, "a cancelled term"))


class Mean(AddWithLimits):
    """The batch mean ``\\overline{a}`` of a body over an index: displayed with a bar, checked as ``(1/n) Σ``."""


class LossGradient(Expr):
    """``∂L/∂v`` of a loss ``L`` the document never defines: shown as that derivative, checked as
    what it means when ``L`` is an unknown function of the document's output ``y``, the chain rule
    ``∂/∂v Σ_j g_j y_j`` with ``g_j = ∂L/∂y_j`` unknowns (first derivatives only)."""

    is_commutative = True

    def __new__(cls, shown: Derivative, meant: Expr) -> LossGradient:
        return Expr.__new__(cls, shown, meant)

    def _shown(self, printer: Any) -> Any:
        return printer._print(self.args[0])

    _symbn_latex = _symbn_unicode = _symbn_inline = _latex = _pretty = _sympystr = _shown


class RealRoot(Expr):
    """``\\sqrt[n]{x}`` of odd degree as written: shown as that root, checked as the real root
    (``\\sqrt[3]{-8}`` is −2, where SymPy's principal root of −8 is not real)."""

    is_commutative = True

    def __new__(cls, radicand: Any, degree: int) -> RealRoot:
        return Expr.__new__(cls, as_expr(radicand, "a radicand"), Integer(degree))

    def _shown(self, printer: Any) -> Any:
        from sympy import Pow, Rational

        radicand, degree = self.args
        return printer._print(Pow(radicand, Rational(1, int(degree)), evaluate=False))

    _symbn_latex = _symbn_unicode = _symbn_inline = _latex = _pretty = _sympystr = _shown


def written(*terms: Any) -> Written:
    """A sum displayed with its terms in the given order: ``written(W*a, b)`` shows ``W a + b``."""
    return Written(*terms)


def group(*terms: Any) -> Paren:
    """A parenthesised sum in the given order: ``group(W*a, b) `` shows ``(W a + b)``."""
    return Paren(*terms)


def cancel(term: Any) -> Cancel:
    """Mark ``term`` as cancelled for display (``\\cancel{b}``); the mathematics is unchanged."""
    return Cancel(term)


def mean(body: Any, idx: Idx) -> Mean:
    """The mean of ``body`` over the range of ``idx``, written with a bar: ``mean(a[i], i)`` shows ``ā``."""
    if not isinstance(idx, Idx) or idx.lower is None or idx.upper is None:
        raise DerivationError(
            "mean() needs an index with a range, made by symbn.index(name, upper)"
        )
    return Mean(as_expr(body, "the body of a mean"), (idx, idx.lower, idx.upper))


def meaning(expr: Expr) -> Expr:
    """The mathematics a displayed expression stands for: display marks removed, everything evaluated."""
    with evaluate(True):
        return _meaning(expr)


def _meaning(expr: Any) -> Any:
    if isinstance(expr, Written):
        return Add(*[_meaning(t) for t in expr.args])
    if isinstance(expr, Cancel):
        return _meaning(expr.args[0])
    if isinstance(expr, LossGradient):
        return _meaning(expr.args[1])
    if isinstance(expr, RealRoot):
        from sympy import real_root

        return real_root(_meaning(expr.args[0]), int(expr.args[1]))
    if isinstance(expr, Mean):
        var, lower, upper = expr.limits[0]
        count = upper - lower + Integer(1)
        return Sum(_meaning(expr.function), (var, lower, upper)) / count
    if not expr.args or isinstance(expr, (Symbol, IndexedBase, Idx)):
        return expr
    if isinstance(expr, Indexed):
        return expr
    return expr.func(*[_meaning(a) for a in expr.args])


__all__ = [
    "Cancel",
    "ExampleFamily",
    "HiddenIdx",
    "LossGradient",
    "Mean",
    "Name",
    "Paren",
    "RealRoot",
    "UnitFamily",
    "Written",
    "cancel",
    "examples",
    "group",
    "index",
    "layer_symbols",
    "mean",
    "meaning",
    "parse_name",
    "size",
    "symbols",
    "units",
    "written",
]
