"""One display equation of LaTeX → SymPy objects, through symbn's own grammar and a whitelist.

The text is parsed by Lark with ``grammar.lark``; the tree is then walked and each construct the
grammar knows becomes a SymPy object built directly (``Symbol``, ``Idx``, ``Sum``, symbn's
families and display marks). Nothing is ever given to ``eval``, ``sympify`` or ``parse_expr``.
Limits keep hostile input cheap: length, nesting depth, digits of a number, size of an exponent.

The field's notation is read as the library writes it: ``W^{[l]}`` is a name with a layer tag,
``a^{[l-1](i)}`` the ``i``-th example of the family ``a^{[l-1]}``, ``x_i`` an indexed entry,
``\\sigma^2`` a power (unless declared one name), ``\\cancel{x}`` a display mark.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from sympy import (
    Abs,
    Derivative,
    E,
    Eq,
    Expr,
    Function,
    Ge,
    Gt,
    Idx,
    Indexed,
    IndexedBase,
    Integer,
    KroneckerDelta,
    Le,
    Lt,
    Max,
    Min,
    Ne,
    Piecewise,
    Product,
    Rational,
    Sum,
    Symbol,
    binomial,
    cos,
    cosh,
    exp,
    log,
    pi,
    sin,
    sinh,
    sqrt,
    tanh,
)
from sympy.core.function import AppliedUndef

from symbn.notation import (
    Cancel,
    ExampleFamily,
    HiddenIdx,
    Paren,
    RealRoot,
    UnitFamily,
    Written,
    mean,
    meaning,
)
from symbn.parse.declare import Declaration, canonical, canonical_base, name_of

MAX_LENGTH = 20_000
MAX_DEPTH = 60
MAX_DIGITS = 60
MAX_EXPONENT = 1000
MAX_BITS = 20_000
MAX_ROOT = 100

# The whitelist: every construct of the grammar that becomes a SymPy object, one method each.
CONSTRUCTS = frozenset(
    "expr product juxt bigop func scripted scripted_power letter greek number partial paren "
    "bracket group empty arg braced frac sqrt accent cancel word tuple abs binom boxed "
    "underbrace prime fracpair labelarg cases".split()
)

MAX_BINOMIAL = 1000  # \binom{n}{k} of numbers is worked out when read: n and k at most this

# Functions symbn knows, by the name written before their argument (\tanh, or tanh as a word).
KNOWN = {
    "exp": exp,
    "log": log,
    "ln": log,
    "tanh": tanh,
    "sinh": sinh,
    "cosh": cosh,
    "sin": sin,
    "cos": cos,
}
EXTREMA = {"max": Max, "min": Min}
DEFINE = (":=", "\\coloneqq", "\\leftarrow", "\\gets", "\\equiv", "\\triangleq")
APPROXIMATE = "\\approx"
DIFFERENT = ("\\neq", "\\ne")

TERM_START = {
    "LETTER",
    "NUMBER",
    "GREEK",
    "LBRACE",
    "LP",
    "LB",
    "SUM",
    "FRAC",
    "FRACPAIR",
    "SQRT",
    "ACCENT",
    "CANCEL",
    "WORDCMD",
    "PARTIAL",
    "FUNC",
    "BAR",
    "BINOM",
    "BOXED",
    "BRACE_UNDER",
    "BRACE_OVER",
    "CASES",
}
HUMAN = {
    "RP": "')'",
    "RB": "']'",
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "REL": "'='",
    "ADDOP": "'+'/'-'",
    "MULOP": "\\cdot",
    "COMMA": "','",
    "SCRIPTCHAR": "a letter or digit",
    "GREEK": "a Greek letter",
    "WORD": "a word",
    "CIRCUMFLEX": "'^'",
    "UNDERSCORE": "'_'",
    "LB": "'['",
    "$END": "the end of the equation",
}


class MathError(Exception):
    """A problem at a position (an offset into the equation text), said in one line."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


@dataclass(frozen=True)
class Chain:
    """An equation as written: an optional left side, then one or more ``relation right-side`` pairs."""

    lhs: Expr | None
    steps: tuple[tuple[str, Expr], ...]
    lhs_pos: int = 0


@dataclass(frozen=True)
class DerivOp:
    """``\\frac{d}{dx}`` waiting for what it differentiates (the factors after it)."""

    variables: tuple[tuple[Expr, int], ...]


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser of symbn's grammar (built once, its tables cached: :mod:`.parser_cache`)."""
    from symbn.parse.parser_cache import cached_lark

    grammar = resources.files("symbn.parse").joinpath("grammar.lark").read_text(encoding="utf-8")
    return cached_lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse_tree(text: str) -> Tree:
    """The parse tree of one equation, or a :class:`MathError` at the first position that fails."""
    if len(text) > MAX_LENGTH:
        raise MathError(0, f"the equation is {len(text)} characters long; at most {MAX_LENGTH}")
    _check_nesting(text)
    scientific = _SCIENTIFIC.search(text)
    if scientific:
        raise MathError(
            scientific.start(),
            f"{scientific.group(0)} is not a number in TeX (it is a product with the letter "
            f"{scientific.group(0)[len(scientific.group(1))]}); write {scientific.group(1)} "
            f"\\times 10^{{{scientific.group(2)}}} for the number, or put \\cdot between the "
            "factors",
        )
    try:
        tree = parser().parse(_mark_closing_bars(text))
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    _check_scripts(tree)
    return tree


def _check_scripts(tree: Tree) -> None:
    """``x^{}``, ``\\sum_{}^{}``, ``x^{a=b}``: a script that holds nothing (or a relation) is refused
    here, at its place, before the notation of the document is inferred from the tree."""
    for node in tree.iter_subtrees():
        if node.data not in ("sub", "sup"):
            continue
        arg = node.children[0]
        if isinstance(arg, Tree) and arg.data == "empty":
            script, mark = ("superscript", "^") if node.data == "sup" else ("subscript", "_")
            raise MathError(
                _start(node),
                f"an empty {script} ({mark}{{}}): write what it holds, or leave out the {mark}",
            )
        if node.data == "sup" and isinstance(arg, Tree):
            inner = next(
                (c for c in arg.children if isinstance(c, Tree) and c.data == "inner"), None
            )
            for child in inner.children if inner is not None else []:
                if isinstance(child, Token) and child.type == "REL":
                    raise MathError(child.start_pos or 0, "a relation inside a superscript")


# 1e3, 2.5E-4: a programmer's number, which TeX would show as 1·e·3 (never read so silently)
_SCIENTIFIC = re.compile(
    r"(?<![A-Za-z0-9_^{\\.])([0-9]+(?:\.[0-9]+)?)[eE]([+-]?[0-9]+)(?![A-Za-z])"
)

_RELATION_AHEAD = re.compile(r"[=<>&,]|\\(?:le|ge|leq|geq|ne|neq|approx|quad|qquad)(?![A-Za-z])")

_OPENS_AFTER = set("+-=([{,&/*|<>") | {""}


def _mark_closing_bars(text: str) -> str:
    """Each plain ``|`` that closes an absolute value becomes ``\\x01`` (same length, same offsets).

    A ``|`` opens at the start, after an operator or an opening bracket, or when none is open;
    else it closes the innermost one. So ``|a| + |b|`` and ``||a| - |b||`` read as written.
    """
    chars = list(text)
    depth = 0
    last = ""
    k = 0
    while k < len(text):
        char = text[k]
        if char == "\\":
            end = k + 1
            while end < len(text) and text[end].isalpha():
                end += 1
            word = text[k:end] if end > k + 1 else text[k : k + 2]
            if word in ("\\left", "\\right") or word.startswith(("\\big", "\\Big")):
                rest = text[end:].lstrip()
                if rest.startswith("|"):
                    bar = end + (len(text[end:]) - len(rest))
                    depth += 1 if word.startswith("\\left") or word.endswith("l") else -1
                    last = "|" if depth else "x"
                    k = bar + 1
                    continue
            last = "+" if word in ("\\cdot", "\\times", "\\frac", "\\sqrt") else "x"
            k = max(end, k + 2)
            continue
        if char == "|":
            if depth == 0 or last in _OPENS_AFTER:
                depth += 1
                last = "|"
            else:
                # up to the next relation: bars never pair across one
                after = _RELATION_AHEAD.split(text[k + 1 :], maxsplit=1)[0].lstrip()
                if after[:1].isalnum() or (after[:1] == "\\" and after[1:2].isalpha()):
                    if "|" in after and not after.startswith(("\\cdot", "\\times")):
                        # |a|b|c| is |a|·b·|c| or |a·|b|·c|: two readings, so neither
                        raise MathError(
                            k,
                            "this | may close a bar or open one (|a|b|c| reads two ways): write "
                            "\\left| … \\right| for the bars meant, or \\cdot between the factors",
                        )
                chars[k] = "\x01"
                depth -= 1
                last = "x"
        elif not char.isspace():
            last = char if char in _OPENS_AFTER else "x"
        k += 1
    return "".join(chars)


def _check_nesting(text: str) -> None:
    depth = 0
    for pos, char in enumerate(text):
        if char in "{([":
            depth += 1
            if depth > MAX_DEPTH:
                raise MathError(pos, f"brackets nested more than {MAX_DEPTH} deep")
        elif char in "})]":
            depth -= 1


def _syntax_error(text: str, exc: UnexpectedInput) -> MathError:
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        if text[pos] == "\\":
            end = pos + 1
            while end < len(text) and text[end].isalpha():
                end += 1
            command = text[pos : max(end, pos + 2)]
            if command in ("\\top", "\\intercal"):
                return MathError(
                    pos,
                    f"{command} reads as a transpose; symbn checks scalar identities and does "
                    "not read vectors: write the product by entries, as \\sum_{i=1}^{n} w_i x_i",
                )
            return MathError(pos, f"symbn does not read the command {command} here")
        return MathError(
            pos, f"unexpected {text[pos]!r}; expected {_expected(set(exc.allowed or ()))}"
        )
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return MathError(
                len(text), f"the equation ends early; expected {_expected(exc.expected)}"
            )
        return MathError(
            token.start_pos or 0,
            f"unexpected {str(token.value)!r}; expected {_expected(exc.expected)}",
        )
    if isinstance(exc, UnexpectedEOF):
        return MathError(
            len(text), f"the equation ends early; expected {_expected(set(exc.expected))}"
        )
    return MathError(0, "cannot read this equation")


def _expected(names: set[str]) -> str:
    words = []
    if names & TERM_START:
        words.append("a term (a letter, a number, '(' …)")
    words += sorted({HUMAN.get(n, n) for n in names - TERM_START})
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def bound_letters(tree: Tree) -> set[str]:
    """Names used as bounds of sums in ``tree``: they are sizes (positive integers)."""
    found: set[str] = set()
    for node in tree.find_data("bigop"):
        scripts = next((c for c in node.children if isinstance(c, Tree)), None)
        if scripts is None or scripts.data != "scripts":
            continue
        for part in scripts.children:
            items = list(part.children[0].children) if isinstance(part.children[0], Tree) else []
            if part.data == "sub":
                inner = next((c for c in items if isinstance(c, Tree) and c.data == "inner"), None)
                items = list(inner.children[2:]) if inner is not None else []
            for item in items:
                found |= _letters(item)
    return found


def index_letters(tree: Tree) -> set[str]:
    """Letters written as indices (``x_i``, ``x_{j,k}``, ``a^{(i)}``) outside the bounds of sums.

    Such a letter is one integer index everywhere in the document, so ``y_i = i`` means what it says.
    """
    found: set[str] = set()
    for node in tree.find_data("sub"):
        arg = node.children[0]
        first = arg.children[0]
        if isinstance(first, Token) and first.type == "SCRIPTCHAR" and first.value.isalpha():
            found.add(first.value)
            continue
        inner = next((c for c in arg.children if isinstance(c, Tree) and c.data == "inner"), None)
        if inner is None:
            continue
        parts = [c for c in inner.children if not isinstance(c, Token)]
        words = len(parts) == 1 and _only_letters(parts[0]) and len(_letters(parts[0])) > 1
        if any(isinstance(c, Token) and c.type == "REL" for c in inner.children) or words:
            continue
        for part in parts:
            found |= {t.value for t in _plain_letters(part)}
    for node in tree.find_data("sup"):
        inner = next(
            (c for c in node.children[0].children if isinstance(c, Tree) and c.data == "inner"),
            None,
        )
        item = inner.children[0] if inner is not None and len(inner.children) == 1 else None
        if isinstance(item, Tree) and item.data == "juxt" and len(item.children) == 2:
            item = item.children[1] if _is_tag(item.children[0]) else None
        if isinstance(item, Tree) and item.data == "paren":
            found |= {t.value for t in _plain_letters(item)}
    return {letter for letter in found if not letter.isupper()}


def _is_tag(node: Any) -> bool:
    return isinstance(node, Tree) and node.data == "bracket"


def _only_letters(node: Any) -> bool:
    if isinstance(node, Token):
        return node.type == "LETTER"
    return node.data in ("letter", "juxt") and all(_only_letters(c) for c in node.children)


def _plain_letters(node: Any) -> list[Token]:
    if isinstance(node, Token):
        return [node] if node.type == "LETTER" else []
    if node.data in ("scripted", "scripted_power", "bigop", "word", "accent"):
        return []
    return [t for child in node.children for t in _plain_letters(child)]


def _letters(node: Any) -> set[str]:
    if isinstance(node, Token):
        if node.type in ("LETTER", "SCRIPTCHAR") and node.value.isalpha():
            return {node.value}
        if node.type == "GREEK":
            return {canonical_base(node.value)}
        return set()
    if node.data in ("scripted", "sub", "sup", "scripts", "arg"):
        first = node.children[0]
        return _letters(first) if node.data == "scripted" else set()
    out: set[str] = set()
    for child in node.children:
        out |= _letters(child)
    return out


@dataclass
class Builder:
    """Walks parse trees of one document and builds SymPy objects under its declaration."""

    decl: Declaration
    sizes: frozenset[str] = frozenset()
    text: str = ""
    offset: int = 0
    usage: dict[str, dict[str, int]] = field(default_factory=dict)
    bound: dict[str, Expr] = field(default_factory=dict)
    index_mode: bool = False
    mean_index: Idx | None = None
    mean_used: bool = False
    depth: int = 0
    index_letters: frozenset[str] = frozenset()
    sums: dict[str, list[tuple[str, int, Any, Any]]] = field(default_factory=dict)
    free: dict[str, Expr] = field(default_factory=dict)
    ranging: set[str] = field(default_factory=set)
    survey: Survey = field(default_factory=lambda: Survey())
    where: Callable[[int], str] = str
    euler: bool = True
    archimedes: bool = True

    # Entry points --------------------------------------------------------------------------

    def expression(self, text: str) -> Expr:
        """``text`` as one expression with no relation (what a printer writes for one side)."""
        self.text, self.offset = text, 0
        tree = parse_tree(text)
        if tree.data != "bare":
            raise MathError(0, "an expression, not an equation, was expected")
        return self.expr(tree.children[0])

    def chain_of(self, tree: Tree) -> Chain:
        """A parsed equation as a chain of relations."""
        if tree.data == "bare":
            raise MathError(
                _start(tree), "an equation needs a relation: '=' (or ':=' to define, '\\neq')"
            )
        children: list[Any] = list(tree.children)
        lhs = None
        lhs_pos = 0
        if not isinstance(children[0], Token):
            lhs_pos = _start(children[0])
            lhs_node = children.pop(0)
            lhs = self.expr(lhs_node)
            if _could_define(lhs) and not self.written_name(lhs_node):
                # \frac{2y}{2}, 1 \cdot u, v^{1}: SymPy makes a bare name of them, but what is
                # written is not one, so the row is a claim about y, never its definition
                lhs = Written(lhs)
        steps = []
        while children:
            rel, node = children.pop(0), children.pop(0)
            steps.append((relation(str(rel.value)), self.expr(node)))
        if isinstance(lhs, Written) and len(lhs.args) == 1 and steps[0][0] in DEFINE:
            raise MathError(
                lhs_pos,
                f"{steps[0][0]} defines a name written alone; the left side here is not one "
                "(write the name itself, as y := …)",
            )
        return Chain(lhs, tuple(steps), lhs_pos)

    def written_name(self, node: Any) -> bool:
        """Whether ``node`` is written as a name: a letter, ``\\sigma``, ``\\hat{y}``, ``x_i``,
        ``W^{[l]}``, a declared ``\\sigma^2``, or a function of arguments (``f(x, y)``); only such a
        left side may define what it names (the checker sees only SymPy's value, where
        ``\\frac{2y}{2}`` is ``y`` too)."""
        if isinstance(node, Token):
            return node.type == "GREEK"
        if node.data in ("letter", "greek", "word", "accent"):
            return True
        if node.data == "group":
            items = node.children[1].children
            return len(items) == 1 and self.written_name(items[0])
        if node.data == "scripted":
            if self.base_of(node.children[0]) is None:
                return False
            _, sup = _split_scripts(node.children[1])
            if sup is None or _sup_kind(sup) != "exponent":
                return True
            # x^{1} is x in SymPy; x^{2} is a name only when declared one (then not a power)
            return bool(self.exponent(sup) != 1)
        if node.data == "juxt":
            children = list(node.children)
            if len(children) < 2 or not _is_arglist(children[-1]):
                return False
            last = children[-1]
            if not (isinstance(last, Tree) and last.data in ("paren", "tuple")):
                return False  # f(x)^{1}: a power of the value, not the function
            if word_run(children, 0, self.text) == len(children) - 1:
                return True
            return len(children) == 2 and head_key(children[0], self.text) is not None
        return False

    def expr(self, node: Any) -> Expr:
        """``node`` as an expression (an error if it is a derivative operator with nothing after it)."""
        value = self.build(node)
        if isinstance(value, DerivOp):
            raise MathError(
                _start(node), "\\frac{d}{d…} must be followed by what it differentiates"
            )
        return value

    # The walk ------------------------------------------------------------------------------

    def build(self, node: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise MathError(
                    _start(node), f"the expression is nested more than {MAX_DEPTH} deep"
                )
            if isinstance(node, Token):
                return self.token(node)
            if node.data not in CONSTRUCTS:
                raise MathError(_start(node), f"symbn does not read {node.data} here")
            return getattr(self, "_" + str(node.data))(node)
        finally:
            self.depth -= 1

    def token(self, token: Token) -> Any:
        if token.type == "SCRIPTCHAR":
            if token.value.isdigit():
                return Integer(int(token.value))
            return self.plain_name(token.value, token.start_pos)
        if token.type == "GREEK":
            return self.plain_name(canonical_base(token.value), token.start_pos)
        raise MathError(token.start_pos or 0, f"unexpected {token.value!r}")

    def _expr(self, node: Any) -> Expr:
        terms: list[Expr] = []
        sign = "+"
        for child in node.children:
            if isinstance(child, Token) and child.type == "ADDOP":
                sign = child.value
                continue
            value = self.expr(child)
            terms.append(-value if sign == "-" else value)
            sign = "+"
        return terms[0] if len(terms) == 1 else Written(*terms)

    def _product(self, node: Any) -> Expr:
        children = list(node.children)
        value = self.expr(children[0])
        for op, child in zip(children[1::2], children[2::2], strict=True):
            if op.value == "/" and isinstance(child, Tree) and child.data == "juxt":
                raise MathError(
                    _start(child),
                    "a/bc could mean \\frac{a}{bc} or \\frac{a}{b} c: write the one meant "
                    "(or a/(bc))",
                )
            right = self.expr(child)
            if op.value == "/":
                value = value * self.power(right, Integer(-1), child)
            else:
                value = value * right
        return value

    def _juxt(self, node: Any) -> Expr:
        children = list(node.children)
        self.refuse_run_of_numbers(children)
        values: list[Any] = []
        k = 0
        while k < len(children):
            child = children[k]
            if isinstance(child, Tree) and child.data == "word":
                self.refuse_text(child)
            following = children[k + 1] if k + 1 < len(children) else None
            run = word_run(children, k, self.text)
            if run:
                word = "".join(str(c.children[0].value) for c in children[k : k + run])
                if run < 4 and word not in KNOWN | EXTREMA and word not in ("Var", "var"):
                    raise MathError(
                        _start(child),
                        f"{word}(…) could be the function {word} or the product of "
                        f"{', '.join(word)} and (…): write \\operatorname{{{word}}}(…) for the "
                        f"function, or {' '.join(word)} \\cdot (…) for the product",
                    )
                values.append(self.apply(word, word, children[k], children[k + run]))
                k += run + 1
                continue
            if _is_prime(child) and following is not None and _is_arglist(following):
                values.append(self.derivative_of(child, following))
                k += 2
                continue
            if following is not None and _is_arglist(following):
                self.refuse_scripted_word(child)
            key = head_key(child, self.text)
            statistic = self.statistic_name(child)
            if statistic is not None:
                if following is None or not (_is_arglist(following) or _is_bracket(following)):
                    raise MathError(
                        _start(child),
                        f"{self.node_text(child)} reads as an expectation or a variance; write "
                        "what it applies to in brackets right after it, as \\mathbb{E}[x]",
                    )
                values.append(self.statistic(statistic, self.node_text(child), child, following))
                k += 2
                continue
            if key in ("E", "\\mathrm{E}") and _is_bracket(following):
                values.append(self.statistic("E", self.node_text(child), child, following))
                k += 2
                continue
            if (
                key is not None
                and following is not None
                and _is_arglist(following)
                and key not in self.decl.values
            ):
                values.append(self.apply(key, self.node_text(child), child, following))
                k += 2
                continue
            if following is not None and _is_arglist(following):
                self.refuse_powered_function(child, following)
            if following is not None:
                self.refuse_bare_argument(child, following)
            values.append(self.build(child))
            k += 1
        return self.juxtapose(values, node)

    def refuse_run_of_numbers(self, children: list[Any]) -> None:
        """``2 3``, ``1\\,000``, ``1.5 2``: TeX shows one number (23, 1000), so the product is
        never read; ``2\\frac{1}{2}`` reads as 2½ to many: neither is guessed."""
        for left, right in itertools.pairwise(children):
            if not _ends_with_number(left):
                continue
            first, second = self.node_text(left), self.node_text(right)
            if _starts_with_number(right):
                raise MathError(
                    _start(left),
                    f"{first} {second}: two numbers side by side show as one number "
                    f"({first}{second}); write {first} \\cdot {second} for the product, or "
                    f"{first}{second} for the number",
                )
            if _is_numeric_fraction(right):
                raise MathError(
                    _start(left),
                    f"{first}{second} reads as a mixed number or a product; write "
                    f"{first} + {second} or {first} \\cdot {second}",
                )

    def refuse_text(self, node: Any) -> None:
        """``\\text{a}``, ``\\textrm{c}^2`` inside the mathematics: text, displayed but not a name
        (as the README says); ``\\mathrm``, ``\\operatorname``, ``\\mathit`` write names. A
        ``\\text`` label in a subscript (``x_{\\text{max}}``) and ``\\text{d}`` of a derivative are
        read where they stand, never here."""
        command = str(node.children[0].value)
        if command in ("\\text", "\\textrm"):
            word = str(node.children[2].value)
            raise MathError(
                _start(node),
                f"{command}{{{word}}} is text inside the mathematics; write the name as "
                f"mathematics ({word}, \\mathrm{{{word}}} or \\operatorname{{{word}}}), or put "
                "text only after the equation (\\quad \\text{…})",
            )

    def apply(self, key: str, written: str, head: Any, args: Any) -> Expr:
        """``head(args)``: a function symbn knows, else an undefined function of the arguments."""
        pos = _start(head)
        if key in ("E", "\\mathrm{E}"):
            return self.statistic("E", written, head, args)
        if key in ("Var", "var"):
            return self.statistic("Var", written, head, args)
        power = None
        if args.data == "scripted":
            args, power = args.children[0], args.children[1]
        arguments = self.arguments(args)
        if key in KNOWN or key in EXTREMA:
            value = self.known(key, arguments, head)
        else:
            value = self.undefined(key, written, arguments, pos)
        if power is not None:
            _, sup = _split_scripts(power)
            value = self.power(value, self.exponent(sup), sup)
        return value

    def derivative_of(self, head: Any, args: Any) -> Expr:
        """``\\sigma'(x)``, ``f''(t)``: the derivative of the function at a name."""
        atom, primes = head.children[0], len(head.children) - 1
        key = head_key(atom, self.text)
        if key is None:
            raise MathError(_start(head), "a prime is read only after a function's name")
        applied = self.apply(key, self.node_text(atom), atom, args)
        arguments = self.arguments(args.children[0] if args.data == "scripted" else args)
        if len(arguments) != 1 or not isinstance(meaning(arguments[0]), Symbol):
            raise MathError(
                _start(args),
                f"{self.node_text(head)}(…) is read only at a name, as {self.node_text(head)}(x); "
                "write the derivative with \\frac{d}{dx}",
            )
        if args.data == "scripted":
            raise MathError(
                _start(args), "write a power of a derivative with parentheses around it"
            )
        return Derivative(applied, (meaning(arguments[0]), primes))

    def arguments(self, args: Any) -> list[Expr]:
        """The arguments of ``(x)`` or ``(w, b)``, as expressions."""
        if args.data == "paren":
            return [self.expr(args.children[1])]
        return [self.expr(c) for c in args.children if not isinstance(c, Token)]

    def known(self, key: str, arguments: list[Expr], head: Any) -> Expr:
        """A function symbn knows (``\\exp``, ``\\tanh``, ``\\max`` …) applied to ``arguments``."""
        if key in EXTREMA:
            if len(arguments) < 2:
                raise MathError(_start(head), f"\\{key} takes two or more arguments: \\{key}(a, b)")
            return EXTREMA[key](*(meaning(a) for a in arguments))
        if len(arguments) != 1:
            raise MathError(_start(head), f"{key} takes one argument")
        return KNOWN[key](arguments[0])

    def undefined(self, key: str, written: str, arguments: list[Expr], pos: int) -> Expr:
        """``f(x)`` with ``f`` not defined by symbn: an undefined function, unless ``f`` is a value too."""
        used = self.survey.values.get(key)
        if used is not None or self.declared(key) or key in self.bound:
            at = f" at {self.where(used)}" if used is not None else ""
            toml = written.replace("\\", "\\\\")
            raise MathError(
                pos,
                f"{written}(…) reads as a function applied to an argument, but {written} is also "
                f"used as a value{at}; write {written} \\cdot (…) for a product (or declare "
                f'values = ["{toml}"]), or give the function another name',
            )
        return Function(key, real=True)(*arguments)

    def refuse_bare_argument(self, child: Any, following: Any) -> None:
        """``\\sin 2x``, ``\\log x y``, ``\\log \\sigma(z)``: where the argument ends is a guess; refuse it.

        A function followed by another function or a sum (``\\sin x \\cos x``) is not ambiguous.
        """
        if not (isinstance(child, Tree) and child.data == "func"):
            return
        arg = child.children[-1]
        if isinstance(arg, Tree) and (arg.data in ("paren", "tuple", "group") or _is_arglist(arg)):
            return
        if isinstance(following, Tree) and following.data in ("func", "bigop"):
            return
        name = str(child.children[0])
        argument, rest = self.node_text(arg), self.node_text(following)
        raise MathError(
            _start(child),
            f"{name} {argument} {rest}: {name} applies to {argument} alone or to more of "
            f"what follows; write {name}({argument} {rest}) or {name}({argument}) \\cdot {rest}",
        )

    def refuse_scripted_word(self, child: Any) -> None:
        """``\\operatorname{sin}^2(2x)``, ``\\mathrm{log}_2(x)``: a named function with a power,
        or a known one with an index, before its argument. Read on, it would be a symbol's
        power times (2x), or a new function ``log_2``: refused, with what to write."""
        if not (isinstance(child, Tree) and child.data in ("scripted", "scripted_power")):
            return
        head = child.children[0]
        if not (isinstance(head, Tree) and head.data == "word"):
            return
        word = str(getattr(head.children[2], "value", head.children[2]))
        written = self.node_text(child)
        if len(word) > 1 and "^" in written[len(self.node_text(head)) :]:
            raise MathError(
                _start(child),
                f"{written}(…): symbn does not read a power of a named function before its "
                f"argument; write \\operatorname{{{word}}}(…)^{{…}} for the power of its value, "
                "or the product with \\cdot",
            )
        if word in KNOWN or word in EXTREMA:
            raise MathError(
                _start(child),
                f"{written}(…): symbn does not read {word} with an index (a base?); write "
                f"\\operatorname{{{word}}}(…) alone, or \\frac{{\\log x}}{{\\log 2}} for a base",
            )

    def refuse_powered_function(self, child: Any, following: Any) -> None:
        """``\\sigma^{-1}(x)`` where σ is a function elsewhere: neither a product nor a guess."""
        if not (isinstance(child, Tree) and child.data in ("scripted", "scripted_power")):
            return
        base = head_key(child.children[0], self.text)
        if base is not None and base in self.survey.heads:
            raise MathError(
                _start(child),
                f"{self.node_text(child)}(…): {base} is a function in this document, and symbn "
                "does not read a power or inverse of a function; write the product with \\cdot",
            )

    def statistic_name(self, node: Any) -> str | None:
        """``E``/``Var`` when ``node`` writes an expectation or a variance (``\\mathbb{E}``, ``E``, ``\\operatorname{Var}``)."""
        scripted = isinstance(node, Tree) and node.data in ("scripted", "scripted_power")
        key = head_key(node.children[0] if scripted else node, self.text)
        if key in ("\\mathbb{E}", "\\mathbb{V}", "Var", "var"):
            if scripted:
                raise MathError(
                    _start(node),
                    f"{self.node_text(node)}: symbn does not read an expectation with a "
                    "subscript; write the mean over the batch, \\frac{1}{m}\\sum_{i=1}^{m} …",
                )
            return "E" if key == "\\mathbb{E}" else "Var"
        return None

    def statistic(self, key: str, written: str, head: Any, args: Any) -> Expr:
        """``\\mathbb{E}[x]``, ``\\mathrm{Var}(x)``: the mean (variance) over the declared batch."""
        pos = _start(head)
        if (args.data == "scripted" and _is_arglist(args)) or _is_powered_bracket(args):
            # E[x]^2, Var(x)^2: the statistic, then the power
            _, sup = _split_scripts(args.children[1])
            value = self.statistic(key, written, head, args.children[0])
            return self.power(value, self.exponent(sup), sup)
        inner = args.children[1] if args.data in ("paren", "bracket") else None
        count = self.decl.example_count
        hint = (
            "symbn reads it as the mean over the mini-batch when the examples are declared "
            '([examples] families = […], count = "m"); otherwise write the mean out, as '
            "\\frac{1}{m}\\sum_{i=1}^{m} …"
        )
        if inner is None:
            raise MathError(pos, f"{written} takes one argument here; {hint}")
        if not count:
            raise MathError(pos, f"{written} is an expectation or a variance: {hint}")
        if self.mean_index is not None:
            raise MathError(pos, f"{written}[…] inside a mean or an expectation")
        idx = Idx(self.decl.index, (1, self.symbol(count)))
        self.mean_index, self.mean_used = idx, False
        try:
            body = self.expr(inner)
            used = self.mean_used
        finally:
            self.mean_index = None
        if not used:
            raise MathError(
                pos,
                f"{written}[…] is the mean over the mini-batch, but nothing in it is a family of "
                "examples: declare it under [examples] families",
            )
        if key == "Var":
            centred = meaning(body) - meaning(mean(body, idx))
            return mean(centred**2, idx)
        return mean(body, idx)

    def juxtapose(self, values: list[Any], node: Any) -> Expr:
        result: Expr = Integer(1)
        for k, value in enumerate(values):
            if isinstance(value, DerivOp):
                rest = values[k + 1 :]
                if not rest or any(isinstance(v, DerivOp) for v in rest):
                    raise MathError(
                        _start(node), "\\frac{d}{d…} must be followed by what it differentiates"
                    )
                target = self.juxtapose(rest, node)
                return result * Derivative(target, *value.variables)
            result = result * value
        return result

    def _bigop(self, node: Any) -> Expr:
        scripts = next(
            (c for c in node.children if isinstance(c, Tree) and c.data == "scripts"), None
        )
        body = node.children[-1]
        negated = any(
            isinstance(c, Token) and c.type == "ADDOP" and c.value == "-" for c in node.children
        )
        command = str(node.children[0].value)  # \sum or \prod
        what = "a product" if command == "\\prod" else "a sum"
        sub, sup = _split_scripts(scripts)
        if sub is None:
            raise MathError(
                _start(node), f"{what} needs its index and bounds: {command}_{{i=1}}^{{m}}"
            )
        var_node, lower_node = self.sum_index(sub)
        var = self.name_text(var_node)
        if var is None:
            raise MathError(
                _start(sub), f"the index of {what} must be a letter, as in {command}_{{i=1}}^{{m}}"
            )
        count = self.decl.example_count
        ranges = list(dict.fromkeys(self.sum_ranges(var))) if lower_node is None else []
        if lower_node is None and sup is None and len(ranges) == 1:
            # \sum_i: over the range the document gives i elsewhere (\sum_{i=1}^{m})
            lower, upper = ranges[0]
        elif lower_node is None or sup is None:
            if var == self.decl.index and count and lower_node is None and sup is None:
                lower, upper = Integer(1), self.symbol(count)
            else:
                raise MathError(
                    _start(node),
                    f"write the bounds of {what}: {command}_{{{var}=1}}^{{m}} (the "
                    f"document gives {var} no single range elsewhere)",
                )
        else:
            lower = self.index_expr(lower_node)
            upper = self.index_expr(_arg_items(sup)[0])
        try:
            idx = Idx(var, (lower, upper))
        except (TypeError, ValueError):
            raise MathError(
                _start(node),
                f"the bounds of {what} must be integers; declare the letters in them as sizes",
            ) from None
        if command == "\\prod":
            self.refuse_product_scope(node, body, var)
        saved = self.bound.get(var)
        self.bound[var] = idx
        try:
            value = self.expr(body)
            value = -value if negated else value
        finally:
            if saved is None:
                self.bound.pop(var)
            else:
                self.bound[var] = saved
        if command == "\\prod":
            return Product(value, (idx, lower, upper))
        return Sum(value, (idx, lower, upper))

    def refuse_product_scope(self, node: Any, body: Any, var: str) -> None:
        """``\\prod_i x_i \\prod_j y_j``: the grammar puts the second product inside the first,
        ``∏_i (x_i ∏_j y_j)``, which is ``(∏_j y_j)^m`` times the first, not the product of the two a
        reader sees. A big operator after the first factor of a product's body that does not
        use the product's index is refused (a sum's body is linear, so it reads either way)."""
        factors = [body]
        while factors and isinstance(factors[0], Tree) and factors[0].data in ("juxt", "product"):
            head = factors.pop(0)
            factors = [c for c in head.children if not isinstance(c, Token)] + factors
        for factor in factors[1:]:
            if not isinstance(factor, Tree):
                continue
            if factor.data != "bigop":
                # \frac{1}{\prod_j y_j}, (\sum_j y_j), \exp(\sum_j y_j): the same, one level down
                inside = next(factor.find_data("bigop"), None)
                if inside is None or var in _script_letters(factor):
                    continue
                self.refuse_inside_product(node, factor, var)
            inner_var = None
            sub, _ = _split_scripts(
                next(
                    (c for c in factor.children if isinstance(c, Tree) and c.data == "scripts"),
                    None,
                )
            )
            if sub is not None:
                inner_var = self.name_text(self.sum_index(sub)[0])
            if inner_var != var and var in _letters(factor) | _script_letters(factor):
                continue  # \prod_i x_i \sum_j y_{ij}: the inner one depends on i, so inside it
            self.refuse_inside_product(node, factor, var)

    def refuse_inside_product(self, node: Any, factor: Any, var: str) -> None:
        """The refusal of :meth:`refuse_product_scope`, at ``factor``."""
        outer = " ".join(self.text[_start(node) : _start(factor)].split())
        outer = re.sub(r"\s*(\\cdot|\\times|\*)$", "", outer)
        raise MathError(
            _start(factor),
            f"{self.node_text(factor)} does not use {var}, yet stands inside {outer} …: the "
            "product would repeat it once per term; write \\left(" + outer + "\\right) "
            f"{self.node_text(factor)} for the product of the two, or parentheses around "
            "the body meant",
        )

    def sum_index(self, sub: Any) -> tuple[Any, Any]:
        arg = sub.children[0]
        inner = next((c for c in arg.children if isinstance(c, Tree) and c.data == "inner"), None)
        if inner is None:
            return arg.children[0], None
        items: list[Any] = list(inner.children)
        if len(items) == 1:
            return items[0], None
        if len(items) != 3 or items[1].type != "REL" or items[1].value != "=":
            raise MathError(_start(sub), "a sum's subscript must be like i=1")
        return items[0], items[2]

    def _func(self, node: Any) -> Expr:
        name, *rest = node.children
        if len(rest) == 2:
            raise MathError(
                _start(rest[0]),
                f"symbn does not read {name.value} with a subscript or power here "
                f"(a base, a range); write {name.value}(…) alone",
            )
        key = str(name.value)[1:]
        arg = rest[-1]
        if isinstance(arg, Tree) and arg.data == "scripted" and _is_arglist(arg):
            # \sin(x)^2 is (\sin x)^2, as f(x)^2 and softmax(x)^2 are: applied, then the power
            _, sup = _split_scripts(arg.children[1])
            value = self._func(Tree("func", [name, arg.children[0]], node.meta))
            return self.power(value, self.exponent(sup), sup)
        if isinstance(arg, Tree) and arg.data == "tuple":
            return self.known(key, self.arguments(arg), node)
        return self.known(key, [self.expr(arg)], node)

    def _tuple(self, node: Any) -> Expr:
        raise MathError(
            _start(node), "a list (a, b) in parentheses is read only as the arguments of a function"
        )

    def _abs(self, node: Any) -> Expr:
        return Abs(meaning(self.expr(node.children[1])))

    def _binom(self, node: Any) -> Expr:
        _, top, bottom = node.children
        n, k = meaning(self.expr(top)), meaning(self.expr(bottom))
        if any(isinstance(v, Integer) and abs(int(v)) > MAX_BINOMIAL for v in (n, k)):
            # SymPy works out a binomial of two numbers at once, outside every budget
            raise MathError(
                _start(node),
                f"a binomial of a number above {MAX_BINOMIAL}: symbn works binomials out only "
                f"up to \\binom{{{MAX_BINOMIAL}}}{{k}}",
            )
        return binomial(n, k)

    def _boxed(self, node: Any) -> Expr:
        return self.expr(node.children[1])

    def _underbrace(self, node: Any) -> Expr:
        """``\\underbrace{x}_{\\text{…}}``: the braced part is the mathematics, the label a comment."""
        return self.expr(node.children[1])

    def _labelarg(self, node: Any) -> Expr:
        raise MathError(
            _start(node),
            f"{self.node_text(node)} is read only as a label, as in \\mu_\\mathcal{{B}}",
        )

    def _prime(self, node: Any) -> Expr:
        raise MathError(
            _start(node),
            f"{self.node_text(node)}: a prime is read only on a function applied to a name, "
            "as \\sigma'(x) (its derivative)",
        )

    def _scripted(self, node: Any) -> Expr:
        atom, scripts = node.children
        sub, sup = _split_scripts(scripts)
        base = self.base_of(atom)
        if base is None:
            if sub is not None:
                raise MathError(_start(sub), "a subscript needs a name before it, such as x_i")
            value = self.expr(atom)
            assert sup is not None
            return self.power(value, self.exponent(sup), sup)
        return self.scripted_name(base, sub, sup, _start(node))

    def _scripted_power(self, node: Any) -> Expr:
        atom, scripts, sup = node.children
        _, first = _split_scripts(scripts)
        if first is not None and (
            self.base_of(atom) is None or self.sup_shape(first)[2] is not None
        ):
            # x^y^z: TeX's "double superscript"; only a tag (a^{[l](i)}^{2}) may take a power so
            raise MathError(
                _start(sup), "a double superscript: write x^{y^{z}} or (x^{y})^{z}, as meant"
            )
        value = self._scripted(Tree("scripted", [atom, scripts], node.meta))
        return self.power(value, self.exponent(sup), sup)

    def scripted_name(self, base: str, sub: Any | None, sup: Any | None, pos: int) -> Expr:
        sub_raw = self.raw(sub) if sub is not None else ""
        sup_raw = self.raw(sup) if sup is not None else ""
        whole = canonical(base, sub_raw, sup_raw)
        if whole in self.decl.names:
            return self.resolve(whole, [], None, pos)
        tag, example, exponent = "", None, None
        if sup is not None:
            tag, example_node, exponent = self.sup_shape(sup)
            if example_node is not None:
                # a^{(i1)}: as in a subscript, letters and digits run together are refused
                self.refuse_run_together_indices(base, example_node, "", f"{base}^{{{sup_raw}}}")
                example = self.index_expr(example_node)
        subname, indices = "", list[Expr]()
        if base == "delta" and sub is not None and sup is None and not self.declared("delta"):
            pair = self.index_list(sub, split=True)
            if len(pair) == 2:  # \delta_{jr}: Kronecker's delta, as SymPy and papers write it
                return KroneckerDelta(*pair)
        if sub is not None:
            subname, indices = self.subscript(base, sub, sub_raw, tag, sup_raw, example)
        if (
            exponent is not None
            and indices
            and canonical(base, subname, sup_raw) in self.decl.units | self.decl.families
        ):
            # sigma_{c}^{2} with units = ["sigma^2"]: the superscript is part of the family's name
            return self.resolve(canonical(base, subname, sup_raw), indices, example, pos)
        value = self.resolve(canonical(base, subname, tag), indices, example, pos)
        if exponent is not None:
            return self.power(value, self.exponent_of(exponent), sup)
        return value

    def declared(self, name: str) -> bool:
        decl = self.decl
        return name in decl.names | decl.units | decl.families | decl.sizes | decl.positive

    def subscript(
        self, base: str, sub: Any, sub_raw: str, tag: str, sup_raw: str, example: Any
    ) -> tuple[str, list[Expr]]:
        """A subscript as (label word, indices): ``norm``; ``j``; ``norm,j``; ``jk`` of a unit."""
        label = _LABEL.match(sub_raw)
        if label is not None:  # \mu_\mathcal{B}, \sigma^2_{\mathbb{B}}: part of the name
            return f"{label.group(1)}{{{label.group(2)}}}", []
        items = _arg_items(sub)
        if len(items) >= 2:
            self.refuse_run_together_indices(base, sub, sub_raw)
            first = self.node_text(items[0])
            if _is_word(first) and len(first) >= 2:
                # z_{norm,j}: the family z_{norm} at index j (as the renderers write it)
                return _word(first), [self.index_expr(i) for i in items[1:]]
            return "", [self.index_expr(i) for i in items]
        family = canonical(base, "", tag)
        named = canonical(base, "", sup_raw)
        if family in self.decl.units or named in self.decl.units:
            # W_{jk}: one index per letter; W_{j1}, W_{2k} run digits in too: refused
            self.refuse_run_together_indices(base, sub, sub_raw, split=True)
            return "", self.index_list(sub, split=True)
        if not _is_word(sub_raw):
            self.refuse_run_together_indices(base, sub, sub_raw)
            return "", self.index_list(sub)
        word = _word(sub_raw)
        if self.declared(canonical(base, word, tag)) or sub_raw.startswith("\\"):
            return word, []
        letters = set(word)
        indexable = set(self.bound) | self.index_letters | {self.decl.index, self.decl.current}
        is_family = family in self.decl.families or example is not None
        if is_family and word.islower() and letters <= indexable:
            # z_{chw}^{[l](i)}: a family's entry at the indices c, h, w (each an index letter)
            return "", self.index_list(sub, split=True)
        clash = letters & set(self.bound)
        if clash:
            letter = sorted(clash)[0]
            raise MathError(
                _start(sub),
                f"{canonical(base, sub_raw)} is written with the summation index {letter}: "
                f'declare units = ["{base}"] to read it as indexed, or write '
                f"{base}_{{{','.join(word)}}}",
            )
        return word, []

    def refuse_run_together_indices(
        self, base: str, sub: Any, sub_raw: str, shown: str = "", *, split: bool = False
    ) -> None:
        """``a_{i1}``, ``a_{1i}``, ``y_{k2}``, ``r_{00}``: letters and digits run together in a
        subscript are two indices to one reader and a product (or one number) to another, so
        neither is read. ``x_{2k}``, ``x_{2k+1}``, ``x_{2(k+1)}`` (a coefficient of 2 or more
        before one letter or a bracket) and ``x_{10}`` read as written: one index."""
        shown = shown or f"{base}_{{{sub_raw}}}"
        if not isinstance(sub, Tree):
            return
        for node in [sub, *sub.iter_subtrees()]:
            if node.data in ("number", "arg") and not isinstance(node.children[0], Tree):
                token = node.children[0]
                digits = str(token.value)
                if token.type in ("NUMBER", "SCRIPTCHAR") and _leading_zero(digits):
                    raise MathError(
                        _start(node),
                        f"{shown}: the index {digits} is written with a leading zero (as a "
                        f"number it is {int(digits)}); write {','.join(digits)} for "
                        f"{len(digits)} indices, or {int(digits)} for one",
                    )
            if node.data != "juxt":
                continue
            children = list(node.children)
            numbers = [c for c in children if _starts_with_number(c) or _ends_with_number(c)]
            if not numbers:
                continue
            first = children[0]
            literal = self.node_text(first)
            coefficient = (
                len(children) == 2
                and isinstance(first, Tree)
                and first.data == "number"
                and literal.isdigit()
                and int(literal) >= 2
                and not _leading_zero(literal)
                and isinstance(children[1], Tree)
                and children[1].data in ("letter", "greek", "paren")
            )
            if coefficient and not split:
                continue
            parts = [self.node_text(c) for c in children]
            product = " \\cdot ".join(parts)
            raise MathError(
                _start(node),
                f"{shown}: letters and digits run together in an index read as several "
                f"indices or as a product; write {base}_{{{','.join(parts)}}} for "
                f"{len(parts)} indices, or {product} for a product",
            )

    def sup_shape(self, sup: Any) -> tuple[str, Any, Any]:
        """A superscript as (layer tag, example index node, exponent node)."""
        items = _arg_items(sup)
        if len(items) != 1:
            raise MathError(_start(sup), "a superscript holds one expression")
        item = items[0]
        if isinstance(item, Tree):
            if item.data == "bracket":
                return self.tag(item), None, None
            if item.data == "paren":
                return "", item.children[1], None
            if (
                item.data == "juxt"
                and len(item.children) == 2
                and isinstance(item.children[0], Tree)
                and item.children[0].data == "bracket"
                and isinstance(item.children[1], Tree)
                and item.children[1].data == "paren"
            ):
                return self.tag(item.children[0]), item.children[1].children[1], None
        return "", None, item

    def tag(self, bracket: Any) -> str:
        left, _, right = bracket.children
        return "[" + "".join(self.text[left.end_pos : right.start_pos].split()) + "]"

    def exponent(self, sup: Any) -> Expr:
        items = _arg_items(sup)
        if len(items) != 1:
            raise MathError(_start(sup), "a superscript holds one expression")
        return self.exponent_of(items[0])

    def exponent_of(self, node: Any) -> Expr:
        self.refuse_transpose(node)
        saved = self.index_mode
        self.index_mode = False
        try:
            return meaning(self.expr(node))
        finally:
            self.index_mode = saved

    def refuse_transpose(self, node: Any) -> None:
        """``w^\\top x``, ``w^{\\mathsf{T}}``, and ``w^T`` with ``T`` nothing but exponents: a transpose,
        which symbn does not read (its claims are scalar), never a power."""
        written = self.node_text(node)
        letter_t = written == "T" and not (
            "T" in self.sizes
            or self.declared("T")
            or "T" in self.decl.values
            or self.survey.uses.get("T", 0) > self.survey.exponents.get("T", 0)
        )
        if written in ("\\mathsf{T}", "\\mathrm{T}", "\\intercal", "\\top") or letter_t:
            hint = ' (if T is a number here, declare values = ["T"])' if letter_t else ""
            raise MathError(
                _start(node),
                f"^{written} reads as a transpose; symbn checks scalar identities and does not "
                "read vectors: write the product by entries, as \\sum_{i=1}^{n} w_i x_i" + hint,
            )

    def index_list(self, sub: Any, *, split: bool = False) -> list[Expr]:
        items = _arg_items(sub)
        if split and len(items) == 1 and isinstance(items[0], Tree) and items[0].data == "juxt":
            items = list(items[0].children)
        return [self.index_expr(i) for i in items]

    def index_expr(self, node: Any) -> Expr:
        saved = self.index_mode
        self.index_mode = True
        try:
            return meaning(self.expr(node))
        finally:
            self.index_mode = saved

    # Names ---------------------------------------------------------------------------------

    def base_of(self, atom: Any) -> str | None:
        """The canonical base name of a name atom (``x``, ``\\sigma``, ``\\tilde{z}``), else None."""
        if isinstance(atom, Token):
            return canonical_base(atom.value) if atom.type == "GREEK" else None
        if atom.data == "letter":
            return str(atom.children[0].value)
        if atom.data == "greek":
            return canonical_base(atom.children[0].value)
        if atom.data == "word":
            self.refuse_text(atom)
            return str(atom.children[2].value)
        if atom.data == "accent":
            command, arg = atom.children
            if command.value in ("\\bar", "\\overline") and (
                self.decl.bar == "mean" or self.bars_family(arg)
            ):
                return None
            inner = _arg_items(arg)
            written = self.raw(arg)
            if len(inner) == 1 and self.name_text(inner[0]) is not None:
                return f"{command.value}{{{written}}}"
            if command.value in ("\\bar", "\\overline"):
                raise MathError(
                    _start(atom),
                    f"{command.value}{{{written}}}: to read a bar as the batch mean, declare "
                    'bar = "mean" (and the family under [examples] families)',
                )
            if re.fullmatch(r"[A-Za-z]{2,}", written):
                # \mathbf{Wx}: a product of two bold letters, or one name? Never guessed
                apart = "".join(f"{command.value}{{{c}}}" for c in written)
                raise MathError(
                    _start(atom),
                    f"{command.value}{{{written}}}: {command.value} over several letters could "
                    f"be one name or a product; write {apart} for the product, or a name of one "
                    f"letter ({command.value}{{{written[0]}}})",
                )
            raise MathError(_start(atom), f"{command.value} applies to one letter here")
        return None

    def bars_family(self, arg: Any) -> bool:
        """Whether a bar is over a family of examples (``\\overline{a^{[l-1]}}``): then it is their mean."""
        items = _arg_items(arg)
        if len(items) != 1 or not self.decl.example_count:
            return False
        item = items[0]
        key = head_key(item, self.text) if isinstance(item, Tree) else None
        if isinstance(item, Tree) and item.data == "scripted" and key is not None:
            # \overline{a_{k}^{[l-1]}}: the family a^{[l-1]} at the index k
            base = head_key(item.children[0], self.text)
            _, sup = _split_scripts(item.children[1])
            tag = _raw(self.text, sup) if sup is not None and _sup_kind(sup) == "tag" else ""
            key = canonical(base, "", tag) if base is not None and (tag or not sup) else key
        return key is not None and key in self.decl.families

    def name_text(self, node: Any) -> str | None:
        """The canonical name of a lone letter or Greek letter node, else None."""
        if isinstance(node, Token):
            if node.type == "GREEK" or (node.type == "SCRIPTCHAR" and node.value.isalpha()):
                return canonical_base(node.value)
            return None
        if node.data in ("letter", "greek"):
            return canonical_base(str(node.children[0].value))
        return None

    def plain_name(self, name: str, pos: int | None) -> Expr:
        if name in self.bound:
            return self.bound[name]
        as_index = self.index_mode or name in self.index_letters
        if as_index and name not in self.sizes and name not in self.decl.families:
            return self.free_index(name, pos or 0)
        return self.resolve(name, [], None, pos or 0)

    def note_sums(self, tree: Tree, text: str, offset: int) -> None:
        """Remember the bounds of the sums in ``tree`` (one row's): a free index takes their range."""
        for node in tree.find_data("bigop"):
            sub, sup = _split_scripts(
                next(
                    (c for c in node.children if isinstance(c, Tree) and c.data == "scripts"), None
                )
            )
            if sub is None or sup is None:
                continue
            try:
                var_node, lower = self.sum_index(sub)
            except MathError:
                continue
            var = self.name_text(var_node)
            items = _arg_items(sup)
            if var is not None and lower is not None and len(items) == 1:
                self.sums.setdefault(var, []).append((text, offset, lower, items[0]))

    def free_index(self, name: str, pos: int = 0) -> Expr:
        """The letter ``name`` as an index outside any sum: ONE object per name in a document.

        Where the document sums over the letter, the free index has the sum's range (it is the
        same index, as in the library's ``symbn.index``); else the declared number of examples;
        else an integer symbol.
        """
        known = self.free.get(name)
        if known is not None:
            return known
        ranges = self.sum_ranges(name)
        count = self.decl.example_count
        value: Expr
        if len(set(ranges)) > 1:
            shown = ", ".join(f"{lo}..{hi}" for lo, hi in dict.fromkeys(ranges))
            raise MathError(
                pos,
                f"{name} is written as an index outside a sum, and the sums over {name} run over "
                f"different ranges ({shown}); use another letter for one of them",
            )
        if ranges:
            value = Idx(name, ranges[0])
        elif count:
            value = Idx(name, (1, self.symbol(count)))
        else:
            value = Symbol(name, integer=True)
        self.free[name] = value
        return value

    def sum_ranges(self, name: str) -> list[tuple[Expr, Expr]]:
        """The (lower, upper) bounds of every sum over ``name`` in the document."""
        if name in self.ranging:
            return []
        saved = (self.text, self.offset, self.bound, self.mean_index)
        self.ranging.add(name)
        found = []
        try:
            for text, offset, lower, upper in self.sums.get(name, []):
                self.text, self.offset, self.bound, self.mean_index = text, offset, {}, None
                try:
                    found.append((self.index_expr(lower), self.index_expr(upper)))
                except MathError:
                    continue
        finally:
            self.text, self.offset, self.bound, self.mean_index = saved
            self.ranging.discard(name)
        return found

    def resolve(self, name: str, indices: list[Expr], example: Expr | None, pos: int) -> Expr:
        """The object a written name stands for: a symbol, an indexed entry, or an example."""
        if name in self.decl.families or example is not None:
            if example is None:
                example = self.current_example(name, pos)
            self.record(name, "family", pos)
            return ExampleFamily(name, real=True)[(*indices, example)]
        if indices:
            self.record(name, "indexed", pos)
            family = UnitFamily if name in self.decl.units else IndexedBase
            return family(name, real=True)[tuple(indices)]
        if name in self.bound:
            return self.bound[name]
        if name == "e" and self.euler:
            return E  # Euler's number, unless the document makes e something else
        if name == "pi" and self.archimedes:
            return pi  # the constant, unless the document makes \pi something else
        self.record(name, "alone", pos)
        return self.symbol(name)

    def current_example(self, name: str, pos: int) -> Idx:
        if self.mean_index is not None:
            self.mean_used = True
            return self.mean_index
        count = self.decl.example_count
        if not count:
            raise MathError(
                pos,
                f"{name} alone means the current example, but the number of examples is not "
                'declared: add count = "m" under [examples]',
            )
        return HiddenIdx(self.decl.current, (1, self.symbol(count)))

    def symbol(self, name: str) -> Symbol:
        if name in self.sizes:
            return Symbol(name, integer=True, positive=True)
        if name in self.decl.positive:
            return Symbol(name, positive=True)
        return Symbol(name, real=True)

    def record(self, name: str, how: str, pos: int) -> None:
        self.usage.setdefault(name, {}).setdefault(how, self.offset + pos)

    def raw(self, arg: Any) -> str:
        """The text of a script's argument, braces and spaces removed: ``[l-1]``, ``norm``."""
        node = arg.children[0] if arg.data in ("sub", "sup") else arg
        text = self.text[node.meta.start_pos : node.meta.end_pos]
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1]
        return "".join(text.split())

    # Atoms ---------------------------------------------------------------------------------

    def _letter(self, node: Any) -> Expr:
        return self.plain_name(str(node.children[0].value), _start(node))

    def _greek(self, node: Any) -> Expr:
        return self.plain_name(canonical_base(node.children[0].value), _start(node))

    def _word(self, node: Any) -> Expr:
        self.refuse_text(node)
        return self.plain_name(str(node.children[2].value), _start(node))

    def _number(self, node: Any) -> Expr:
        text = str(node.children[0].value)
        if len(text) > MAX_DIGITS:
            raise MathError(_start(node), f"a number with more than {MAX_DIGITS} digits")
        whole, _, fraction = text.partition(".")
        if fraction:
            return Rational(int(whole + fraction), 10 ** len(fraction))
        return Integer(int(whole))

    def _partial(self, node: Any) -> Expr:
        raise MathError(_start(node), "\\partial is read only in \\frac{\\partial}{\\partial x}")

    def _paren(self, node: Any) -> Expr:
        value = self.expr(node.children[1])
        if isinstance(value, Written) and not isinstance(value, Paren):
            return Paren(*value.args)
        return value

    _bracket = _paren

    def _group(self, node: Any) -> Expr:
        items = node.children[1].children
        if len(items) != 1:
            raise MathError(_start(node), "braces hold one expression here")
        return self.expr(items[0])

    def _empty(self, node: Any) -> Expr:
        raise MathError(_start(node), "empty braces")

    def _arg(self, node: Any) -> Any:
        items = _arg_items(node)
        if len(items) != 1:
            raise MathError(_start(node), "braces hold one expression here")
        return self.build(items[0])

    _braced = _arg

    def _frac(self, node: Any) -> Any:
        _, top, bottom = node.children
        top_parts = _juxt_parts(_arg_items(top))
        bottom_parts = _juxt_parts(_arg_items(bottom))
        head = self.derivative_head(top_parts[0]) if len(top_parts) >= 1 else None
        below = self.derivative_head(bottom_parts[0]) if len(bottom_parts) >= 1 else None
        if head is not None and below is not None:
            # \frac{d}{dx}, \frac{d^2 y}{dx^2}, \frac{\partial^2 f}{\partial x \partial y}: never a
            # product of d's
            return self.derivative_frac(node, head, top_parts[1:], bottom_parts)
        numerator = self.expr(top)
        denominator = self.expr(bottom)
        return numerator * self.power(denominator, Integer(-1), bottom)

    def derivative_head(self, node: Any) -> tuple[str, int] | None:
        """``d`` (``\\mathrm{d}``, ``\\text{d}``, ``\\partial``) as (mark, 1), ``d^2`` as (mark, 2),
        ``d^x`` as (mark, 0): not an order (refused if the fraction is a derivative)."""
        mark = _derivative_mark(self.node_text(node))
        if mark is not None:
            return mark, 1
        if isinstance(node, Tree) and node.data == "scripted":
            mark = _derivative_mark(self.node_text(node.children[0]))
            sub, sup = _split_scripts(node.children[1])
            if mark is None or sub is not None:
                return None  # d_1: a name
            order = self.derivative_order(sup) if sub is None and sup is not None else None
            return mark, 0 if order is None else order
        return None

    def derivative_order(self, sup: Any) -> int | None:
        """The whole number a superscript writes (``^2``, ``^{3}``), else None."""
        items = _arg_items(sup)
        if len(items) != 1:
            return None
        text = self.node_text(items[0])
        if not text.isdigit() or len(text) > 2 or int(text) < 1:
            return None
        return int(text)

    def derivative_frac(
        self, node: Any, head: tuple[str, int], target: list[Any], below: list[Any]
    ) -> Any:
        """A derivative written as a fraction: the top's mark and order, the bottom's variables."""
        mark, order = head
        if order == 0:
            raise MathError(
                _start(node),
                f"{self.node_text(node)}: the order of a derivative is written as a whole number, "
                "as \\frac{d^2}{dx^2} f",
            )
        shape = "write \\frac{d}{dx} f, \\frac{d^2 f}{dx^2}, or \\frac{\\partial^2 f}{\\partial x \\partial y}"
        variables: list[tuple[Expr, int]] = []
        k = 0
        while k < len(below):
            found = self.derivative_head(below[k])
            if found is None or found[1] != 1 or found[0] != mark or k + 1 >= len(below):
                raise MathError(
                    _start(below[k]),
                    f"{self.node_text(node)}: the bottom of a derivative is "
                    f"{'d' if mark == 'd' else chr(92) + 'partial'} and a variable, for each "
                    f"variable, with the same mark as the top; {shape}",
                )
            variables.append(self.derivative_variable(below[k + 1]))
            k += 2
        if sum(count for _, count in variables) != order:
            raise MathError(
                _start(node),
                f"{self.node_text(node)}: the order on top ({order}) is not the sum of the "
                f"orders below; {shape}",
            )
        merged: list[tuple[Expr, int]] = []
        for var, count in variables:
            if merged and merged[-1][0] == var:
                merged[-1] = (var, merged[-1][1] + count)
            else:
                merged.append((var, count))
        if not target:
            return DerivOp(tuple(merged))
        value = self.juxtapose([self.build(p) for p in target], node)
        return Derivative(value, *merged)

    def derivative_variable(self, node: Any) -> tuple[Expr, int]:
        """``x`` as (x, 1), ``x^2`` (of ``dx^2``) as (x, 2), ``x_i`` as (x_i, 1)."""
        if isinstance(node, Tree) and node.data == "scripted" and self.base_of(node.children[0]):
            sub, sup = _split_scripts(node.children[1])
            if sup is not None and not isinstance(self.expr(node), (Symbol, Indexed)):
                # x^2 in d x^2 is the order; \sigma^2_\mathcal{B}, a name, is the variable
                count = self.derivative_order(sup)
                if count is None:
                    raise MathError(
                        _start(sup),
                        "in the bottom of a derivative, d x^{2} is the second derivative; "
                        "write the order as a whole number",
                    )
                bare = node.children[0]
                if sub is not None:
                    bare = Tree("scripted", [bare, Tree("scripts", [sub])], node.meta)
                return self.derivative_var(bare), count
        return self.derivative_var(node), 1

    def _fracpair(self, node: Any) -> Expr:
        token = node.children[0]
        pair = "".join(str(token.value).split())[-2:]
        top, bottom = pair[0], pair[1]
        pos = (token.start_pos or 0) + len(str(token.value)) - 2
        values = []
        for char, at in ((top, pos), (bottom, pos + 1)):
            values.append(Integer(int(char)) if char.isdigit() else self.plain_name(char, at))
        return values[0] * self.power(values[1], Integer(-1), node)

    def node_text(self, node: Any) -> str:
        if isinstance(node, Token):
            return str(node.value)
        return "".join(self.text[node.meta.start_pos : node.meta.end_pos].split())

    def derivative_var(self, node: Any) -> Expr:
        var = self.expr(node)
        if not isinstance(var, (Symbol, Indexed)):
            raise MathError(_start(node), "a derivative is taken with respect to a name")
        return var

    def _sqrt(self, node: Any) -> Expr:
        children = node.children
        value = self.expr(children[-1])
        if len(children) == 2:
            return sqrt(value)
        degree = self.expr(children[2])
        if not (degree.is_Integer and 2 <= int(degree) <= MAX_ROOT):
            raise MathError(
                _start(children[2]), f"a root's degree must be an integer 2..{MAX_ROOT}"
            )
        root = self.power(value, Rational(1, int(degree)), node)
        if int(degree) % 2 and value.is_extended_real is not False:
            return RealRoot(value, int(degree))  # \sqrt[3]{-8} is −2, the real root
        return root

    def _accent(self, node: Any) -> Expr:
        command, arg = node.children
        base = self.base_of(node)
        if base is not None:
            return self.plain_name(base, _start(node))
        count = self.decl.example_count
        if not count:
            raise MathError(
                _start(node),
                "a bar is the batch mean here, but the number of examples is not declared: add "
                'count = "m" under [examples]',
            )
        if self.mean_index is not None:
            raise MathError(_start(node), "a bar inside a bar")
        idx = Idx(self.decl.index, (1, self.symbol(count)))
        self.mean_index, self.mean_used = idx, False
        try:
            body = self.expr(arg)
            used = self.mean_used
        finally:
            self.mean_index = None
        if not used:
            raise MathError(
                _start(node),
                f'{command.value}{{{self.raw(arg)}}} is a batch mean (bar = "mean"), but nothing '
                "in it is a family of examples: declare it under [examples] families",
            )
        return mean(body, idx)

    def _cases(self, node: Any) -> Expr:
        """``\\begin{cases} v_1 & c_1 \\\\ … \\end{cases}``: SymPy's ``Piecewise``, the first case that
        holds; with no ``\\text{otherwise}`` row it is undefined where no condition holds."""
        token = node.children[0]
        start = token.start_pos or 0
        written = str(token.value)
        body_start = start + written.index("}") + 1
        body_end = start + written.rindex("\\end")
        pieces: list[tuple[Expr, Any]] = []
        rows = [r for r in _top_level_split(self.text, body_start, body_end, "\\\\")]
        rows = [(a, b) for a, b in rows if self.text[a:b].strip()]
        for k, (row_start, row_end) in enumerate(rows):
            cells = _top_level_split(self.text, row_start, row_end, "&")
            if len(cells) != 2:
                raise MathError(
                    row_start,
                    "each case is a value & its condition: x & x > 0 \\\\ 0 & \\text{otherwise}",
                )
            (v_start, v_end), (c_start, c_end) = cells
            value = self.part(v_start, _trim(self.text, v_start, v_end))
            condition = self.condition(c_start, c_end, last=k == len(rows) - 1)
            pieces.append((meaning(value), condition))
        if not pieces:
            raise MathError(start, "a cases environment with no case")
        return Piecewise(*pieces)

    def part(self, start: int, end: int) -> Expr:
        """The expression written at ``[start, end)`` of this row, parsed on its own."""
        tree = parse_tree(" " * start + self.text[start:end])
        if tree.data != "bare":
            raise MathError(start, "a case's value is an expression, not an equation")
        return self.expr(tree.children[0])

    def condition(self, start: int, end: int, *, last: bool) -> Any:
        """A case's condition: one comparison (``x > 0``, ``x \\le 0``, ``\\text{if } x \\ge 0``), or
        ``\\text{otherwise}`` in the last case."""
        text = self.text[start:end]
        lead = _CASE_IF.match(text)
        if lead is not None:
            start += lead.end()
            text = self.text[start:end]
        if _CASE_OTHERWISE.fullmatch(text):
            if not last:
                raise MathError(start, "\\text{otherwise} is the condition of the last case only")
            return True
        found = [m for m in _COMPARISON.finditer(text) if _depth_at(text, m.start()) == 0]
        if len(found) != 1 or "\\text" in text or "\\mbox" in text:
            raise MathError(
                start,
                "a case's condition is one comparison (x > 0, x \\le 0, \\text{if } x \\ge 0) or "
                "\\text{otherwise}; write a condition with two comparisons as two cases",
            )
        match = found[0]
        left = self.part(start, start + match.start())
        right = self.part(start + match.end(), _trim(self.text, start + match.end(), end))
        relation = _COMPARE[match.group(0).replace("\\leq", "\\le").replace("\\geq", "\\ge")]
        return relation(meaning(left), meaning(right))

    def _cancel(self, node: Any) -> Expr:
        return Cancel(self.expr(node.children[1]))

    # Powers --------------------------------------------------------------------------------

    def power(self, base: Expr, exponent: Expr, where: Any) -> Expr:
        """``base ** exponent``, refused when the numbers involved would be too large to compute."""
        pos = _start(where)
        if exponent.is_Number:
            if abs(exponent) > MAX_EXPONENT:
                raise MathError(
                    pos, f"the exponent {_short(exponent)} is too large (at most {MAX_EXPONENT})"
                )
            if base.is_zero and exponent.is_negative:
                raise MathError(pos, "division by zero")
            if base.is_Rational:
                bits = (int(base.p).bit_length() + int(base.q).bit_length()) * abs(exponent)
                if bits > MAX_BITS:
                    raise MathError(
                        pos, f"the number {_short(base)}^{_short(exponent)} is too large"
                    )
        elif exponent.is_number and not exponent.is_Number:
            raise MathError(pos, "an exponent must be a number or an expression with names")
        return base**exponent


_CASE_IF = re.compile(
    r"\s*(?:,\s*)?(?:\\q?quad\s*)?(?:\\(?:text|mbox|textrm)\s*\{\s*(?:if|for|when)\s*\}|if(?![A-Za-z]))\s*"
)
_CASE_OTHERWISE = re.compile(
    r"\s*(?:\\(?:text|mbox|textrm)\s*\{\s*(?:otherwise|else)\s*[.,]?\s*\}|otherwise|else)\s*[.,]?\s*"
)
_COMPARISON = re.compile(
    r"\\g(?:eq?)(?![A-Za-z])|\\l(?:eq?)(?![A-Za-z])|\\neq?(?![A-Za-z])|>=|<=|[<>=]"
)
_COMPARE: dict[str, Any] = {
    "<": Lt,
    ">": Gt,
    "=": Eq,
    "<=": Le,
    ">=": Ge,
    "\\le": Le,
    "\\ge": Ge,
    "\\ne": Ne,
    "\\neq": Ne,
}


def _depth_at(text: str, pos: int) -> int:
    depth = 0
    for char in text[:pos]:
        depth += 1 if char in "{([" else -1 if char in "})]" else 0
    return depth


def _top_level_split(text: str, start: int, end: int, mark: str) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` between the ``mark`` (``&``, ``\\\\``) outside braces."""
    spans, begin, depth, k = [], start, 0, start
    while k < end:
        if text.startswith(mark, k) and depth == 0:
            spans.append((begin, k))
            k += len(mark)
            begin = k
            continue
        char = text[k]
        if char == "\\" and not text.startswith(mark, k):
            k += 2
            continue
        depth += 1 if char == "{" else -1 if char == "}" else 0
        k += 1
    spans.append((begin, end))
    return spans


def _trim(text: str, start: int, end: int) -> int:
    """``end`` moved back over trailing spaces and punctuation (``x,`` in a case)."""
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;"):
        end -= 1
    return end


def relation(written: str) -> str:
    """The relation of a REL token: a verdict mark over it (``\\overset{\\checkmark}{=}``) is dropped,
    so a marked document reads as the same document unmarked."""
    if not written.startswith("\\mathrel"):
        return written
    inner = written.rstrip("} \t\n")
    return "\\neq" if inner.endswith(("\\neq", "\\ne")) else "="


def parse_expression(text: str, declaration: Declaration | None = None) -> Expr:
    """One LaTeX expression as a SymPy object under ``declaration`` (sum bounds become sizes)."""
    decl = declaration or Declaration()
    tree = parse_tree(text)
    builder = Builder(decl, frozenset(decl.sizes | bound_letters(tree)))
    builder.note_sums(tree, text, 0)
    return builder.expression(text)


def _short(value: Expr) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:17] + "…"


def _start(node: Any) -> int:
    if isinstance(node, Token):
        return node.start_pos or 0
    meta = getattr(node, "meta", None)
    return getattr(meta, "start_pos", 0) if meta is not None and not meta.empty else 0


def _split_scripts(scripts: Any | None) -> tuple[Tree | None, Tree | None]:
    sub = sup = None
    for part in scripts.children if scripts is not None else []:
        if part.data == "sub":
            sub = part
        else:
            sup = part
    return sub, sup


def _arg_items(arg: Any) -> list[Any]:
    """The expressions inside a script or argument, separators dropped."""
    node = arg.children[0] if arg.data in ("sub", "sup") else arg
    if isinstance(node, Token):
        return [node]
    if node.data == "empty":
        raise MathError(_start(node), "empty braces")
    inner = next((c for c in node.children if isinstance(c, Tree) and c.data == "inner"), None)
    if inner is None:
        return [
            c
            for c in node.children
            if not (isinstance(c, Token) and c.type in ("LBRACE", "RBRACE"))
        ]
    items = []
    for child in inner.children:
        if isinstance(child, Token) and child.type == "REL":
            raise MathError(child.start_pos or 0, "a relation inside braces")
        if not (isinstance(child, Token) and child.type == "COMMA"):
            items.append(child)
    return items


def _ends_with_number(node: Any) -> bool:
    """Whether ``node`` is displayed ending in a number literal (``2``, ``{1.5}``)."""
    if not isinstance(node, Tree):
        return isinstance(node, Token) and node.type == "NUMBER"
    if node.data == "number":
        return True
    if node.data == "group":
        items = node.children[1].children
        return len(items) == 1 and _ends_with_number(items[0])
    if node.data == "juxt":
        return _ends_with_number(node.children[-1])
    return False


def _starts_with_number(node: Any) -> bool:
    """Whether ``node`` is displayed starting with a number literal (``3``, ``3^2``, ``{3}x``)."""
    if not isinstance(node, Tree):
        return isinstance(node, Token) and node.type == "NUMBER"
    if node.data == "number":
        return True
    if node.data in ("scripted", "scripted_power", "juxt"):
        return _starts_with_number(node.children[0])
    if node.data == "group":
        items = node.children[1].children
        return len(items) >= 1 and _starts_with_number(items[0])
    return False


def _is_numeric_fraction(node: Any) -> bool:
    """``\\frac{1}{2}``, ``\\frac12``: a fraction of two number literals."""
    if not isinstance(node, Tree):
        return False
    if node.data == "fracpair":
        token = node.children[0]
        return isinstance(token, Token) and "".join(str(token.value).split())[-2:].isdigit()
    if node.data == "frac":
        parts = [_arg_items(part) for part in node.children[1:]]
        return all(
            len(p) == 1
            and _ends_with_number(p[0])
            and _starts_with_number(p[0])
            and (not isinstance(p[0], Tree) or p[0].data in ("number", "group"))
            for p in parts
        )
    return False


def _script_letters(node: Any) -> set[str]:
    """Every letter written anywhere in ``node``, subscripts and superscripts included."""
    if isinstance(node, Token):
        if node.type in ("LETTER", "SCRIPTCHAR") and node.value.isalpha():
            return {str(node.value)}
        return {canonical_base(node.value)} if node.type == "GREEK" else set()
    out: set[str] = set()
    for child in node.children:
        out |= _script_letters(child)
    return out


def _leading_zero(digits: str) -> bool:
    """``00``, ``01``: an integer written with a leading zero (``0`` and ``0.5`` are not)."""
    return len(digits) > 1 and digits[0] == "0" and digits[1] != "."


def _could_define(value: Any) -> bool:
    """Whether a left side's value is of a kind a definition introduces (a name, an entry, f(x))."""
    return isinstance(value, (Symbol, Indexed, AppliedUndef))


def _juxt_parts(items: list[Any]) -> list[Any]:
    if len(items) == 1 and isinstance(items[0], Tree) and items[0].data == "juxt":
        return list(items[0].children)
    return items


_UPRIGHT_D = {
    f"\\{command}{{d}}" for command in ("mathrm", "text", "textrm", "operatorname", "mathit")
}


def _derivative_mark(text: str) -> str | None:
    if text == "d" or text in _UPRIGHT_D:
        return "d"
    if text == "\\partial":
        return "partial"
    return None


_LABEL = re.compile(r"^(\\(?:mathcal|mathbb|mathsf|mathbf|mathfrak))\{?([A-Za-z]+)\}?$")


def _is_word(raw: str) -> bool:
    """A subscript that labels rather than indexes: a word (``norm``), or a capital (``\\mu_B``)."""
    if raw.startswith("\\"):
        return raw.split("{")[0] in ("\\mathrm", "\\text", "\\textrm", "\\operatorname", "\\mathit")
    return (len(raw) >= 2 and raw.isalpha()) or (len(raw) == 1 and raw.isupper())


def _word(raw: str) -> str:
    if raw.startswith("\\"):
        return raw[raw.index("{") + 1 : -1]
    return raw


# Function application ---------------------------------------------------------------------------


def _is_prime(node: Any) -> bool:
    return isinstance(node, Tree) and node.data == "prime"


def _is_bracket(node: Any) -> bool:
    return (isinstance(node, Tree) and node.data == "bracket") or _is_powered_bracket(node)


def _is_powered_bracket(node: Any) -> bool:
    """``[x]^2``: a bracket with only a superscript (an expectation, squared)."""
    if not (isinstance(node, Tree) and node.data == "scripted"):
        return False
    first = node.children[0]
    sub, sup = _split_scripts(node.children[1])
    return isinstance(first, Tree) and first.data == "bracket" and sub is None and sup is not None


def _is_arglist(node: Any) -> bool:
    """A parenthesised argument list: ``(x)``, ``(w, b)``, also ``(x)^2`` (applied, then squared)."""
    if not isinstance(node, Tree):
        return False
    if node.data in ("paren", "tuple"):
        return True
    if node.data == "scripted" and isinstance(node.children[0], Tree):
        sub, sup = _split_scripts(node.children[1])
        return node.children[0].data in ("paren", "tuple") and sub is None and sup is not None
    return False


def _raw(text: str, node: Any) -> str:
    """The text of a script or argument node, outer braces and spaces removed."""
    node = node.children[0] if isinstance(node, Tree) and node.data in ("sub", "sup") else node
    if isinstance(node, Token):
        return str(node.value)
    raw = text[node.meta.start_pos : node.meta.end_pos]
    if raw.startswith("{") and raw.endswith("}"):
        raw = raw[1:-1]
    return "".join(raw.split())


def head_key(node: Any, text: str) -> str | None:
    """The name a node writes when it can be a function applied to what follows it, else None.

    ``f``, ``\\sigma``, ``\\mathrm{BN}``, ``\\mathbb{E}``, ``f_\\theta``, ``g^{[l]}``: a name, with
    a subscript or a layer tag; a name with an exponent (``x^2``) is a value.
    """
    if isinstance(node, Token):
        return canonical_base(node.value) if node.type == "GREEK" else None
    if node.data == "letter":
        return str(node.children[0].value)
    if node.data == "greek":
        return canonical_base(str(node.children[0].value))
    if node.data == "word":
        return str(node.children[2].value)
    if node.data == "accent":
        command = str(node.children[0].value)
        inner = _raw(text, node.children[1])
        if command in ("\\mathbb", "\\mathcal", "\\mathsf") or re.fullmatch(r"\\?[A-Za-z]+", inner):
            return f"{command}{{{inner}}}"  # \hat{f}(x) is the function \hat{f} applied
        return None
    if node.data == "scripted":
        base = head_key(node.children[0], text)
        if base is None or node.children[0].data == "accent":
            return None
        sub, sup = _split_scripts(node.children[1])
        tag = ""
        if sup is not None:
            if _sup_kind(sup) != "tag":
                return None
            tag = _raw(text, sup)
        return canonical(base, _raw(text, sub) if sub is not None else "", tag)
    return None


def value_key(node: Any, text: str) -> str | None:
    """The name a node writes used as a value: ``x``, ``\\sigma`` of ``\\sigma^2``, ``x_i``."""
    if isinstance(node, Tree) and node.data in ("scripted", "scripted_power"):
        base = head_key(node.children[0], text)
        if base is None:
            return None
        sub, _ = _split_scripts(node.children[1])
        return canonical(base, _raw(text, sub) if sub is not None else "")
    return head_key(node, text)


def word_run(children: list[Any], k: int, text: str) -> int:
    """How many letters from ``children[k]`` are written as one word right before ``(``: 0 if none.

    ``softmax(x)`` is the function softmax applied to x, not s·o·f·t·m·a·x·(x).
    """
    end = k
    while (
        end < len(children)
        and isinstance(children[end], Tree)
        and children[end].data == "letter"
        and (end == k or _start(children[end]) == children[end - 1].meta.end_pos)
    ):
        end += 1
    if end - k < 2 or end >= len(children) or not _is_arglist(children[end]):
        return 0
    return end - k


@dataclass
class Survey:
    """Where each name is applied to an argument (a function) and where it is used as a value."""

    heads: dict[str, int] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    uses: dict[str, int] = field(default_factory=dict)  # how often each name is a value
    exponents: dict[str, int] = field(default_factory=dict)  # … of which a whole superscript, x^T

    def walk(self, node: Any, text: str, offset: int) -> None:
        """Record the names of ``node`` (a parse tree of text at ``offset`` of the file)."""
        if isinstance(node, Token):
            if node.type == "GREEK":
                self.values.setdefault(canonical_base(node.value), offset + (node.start_pos or 0))
            elif node.type == "SCRIPTCHAR" and node.value.isalpha():
                self.uses[node.value] = self.uses.get(node.value, 0) + 1
            return
        if node.data == "sub":
            return  # indices and labels, not values
        if node.data == "sup":
            items = _arg_items(node.children[0])
            lone = node.children[0].children[0] if not items else items[0]
            letter = lone.children[0] if isinstance(lone, Tree) and lone.data == "letter" else lone
            if isinstance(letter, Token) and letter.type in ("LETTER", "SCRIPTCHAR"):
                self.exponents[letter.value] = self.exponents.get(letter.value, 0) + 1
        if node.data == "juxt":
            children = list(node.children)
            k = 0
            while k < len(children):
                run = word_run(children, k, text)
                if run:
                    word = "".join(str(c.children[0].value) for c in children[k : k + run])
                    self.heads.setdefault(word, offset + _start(children[k]))
                    k += run
                    continue
                child = children[k]
                following = children[k + 1] if k + 1 < len(children) else None
                if _is_prime(child):
                    child = child.children[0]
                key = head_key(child, text)
                if key is not None and following is not None and _is_arglist(following):
                    self.heads.setdefault(key, offset + _start(child))
                    if isinstance(child, Tree) and child.data == "scripted":
                        self.walk(child.children[1], text, offset)
                    k += 1
                    continue
                self.walk(child, text, offset)
                k += 1
            return
        key = value_key(node, text)
        if key is not None:
            self.values.setdefault(key, offset + _start(node))
            if node.data in ("letter", "greek", "word"):
                self.uses[key] = self.uses.get(key, 0) + 1
                return
        for child in node.children:
            if node.data in ("scripted", "scripted_power") and child is node.children[0]:
                continue
            self.walk(child, text, offset)


# Inferring the notation -------------------------------------------------------------------------


def _base_name(atom: Any, text: str) -> str | None:
    """The canonical base of a name atom, accents included (``\\tilde{z}``), else None."""
    if isinstance(atom, Tree) and atom.data == "accent":
        inner = _raw(text, atom.children[1])
        return f"{atom.children[0]}{{{inner}}}" if re.fullmatch(r"\\?[A-Za-z]+", inner) else None
    return head_key(atom, text)


def _sup_kind(sup: Any) -> str:
    """What a superscript is: ``tag`` ([l]), ``example`` ((i), [l](i)) or ``exponent``."""
    items = _arg_items(sup)
    item = items[0] if len(items) == 1 else None
    if isinstance(item, Tree):
        if item.data == "bracket":
            return "tag"
        if item.data == "paren":
            return "example"
        if (
            item.data == "juxt"
            and len(item.children) == 2
            and all(isinstance(c, Tree) for c in item.children)
            and item.children[0].data == "bracket"
            and item.children[1].data == "paren"
        ):
            return "example"
    return "exponent"


@dataclass
class Inference:
    """What a document's own writing says about its notation, gathered from its parse trees."""

    families: dict[str, set[str]] = field(default_factory=dict)  # name → uppers of its sums
    powered: set[tuple[str, str, str]] = field(default_factory=set)  # x_c^2 = … : (x, c, 2)
    plain: set[str] = field(default_factory=set)  # names written with no exponent
    numbered: dict[str, set[str]] = field(default_factory=dict)  # eps → {eps_0}: eps_0 written
    lettered: set[str] = field(default_factory=set)  # bases indexed by a letter somewhere: x_i
    words: dict[str, set[str]] = field(default_factory=dict)  # W → {jk}: W_{jk} written
    summed: set[str] = field(default_factory=set)  # the letters sums run over
    bounds: set[str] = field(default_factory=set)  # the upper bounds of sums, as written
    exponents: dict[str, set[str]] = field(default_factory=dict)  # sigma → {2}: powers written
    entries: set[tuple[str, str, str]] = field(default_factory=set)  # (base, sub, tag) of x^{(i)}

    def walk(self, tree: Tree, text: str, offset: int) -> None:
        """Gather from one row's tree."""
        if tree.data == "relations" and isinstance(tree.children[0], Tree):
            lhs = tree.children[0]
            if lhs.data == "scripted":
                base = _base_name(lhs.children[0], text)
                sub, sup = _split_scripts(lhs.children[1])
                if base is not None and sup is not None and _sup_kind(sup) == "exponent":
                    items = _arg_items(sup)
                    number = len(items) == 1 and (
                        isinstance(items[0], Token)
                        or (isinstance(items[0], Tree) and items[0].data == "number")
                    )
                    if number:
                        sub_raw = _raw(text, sub) if sub is not None else ""
                        self.powered.add((base, sub_raw, _raw(text, sup)))
        self._names(tree, text, [])

    def _names(self, node: Any, text: str, uppers: list[tuple[str, str]]) -> None:
        if isinstance(node, Token):
            if node.type == "GREEK":
                self.plain.add(canonical_base(node.value))
            return
        if node.data == "bigop":
            scripts = next(
                (c for c in node.children if isinstance(c, Tree) and c.data == "scripts"), None
            )
            _, sup = _split_scripts(scripts)
            upper = _raw(text, sup) if sup is not None else ""
            sub, _ = _split_scripts(scripts)
            var = _raw(text, sub).split("=")[0] if sub is not None else ""
            self.summed.add(var)
            if upper:
                self.bounds.add(upper)
            self._names(node.children[-1], text, [*uppers, (var, upper)])
            return
        if node.data in ("letter", "greek", "word"):
            key = head_key(node, text)
            if key is not None:
                self.plain.add(key)
            return
        if node.data in ("scripted", "scripted_power"):
            base = _base_name(node.children[0], text)
            sub, sup = _split_scripts(node.children[1])
            sub_raw = _raw(text, sub) if sub is not None else ""
            kind = _sup_kind(sup) if sup is not None else "none"
            if base is not None and sub is not None:
                tag = _raw(text, sup) if kind == "tag" else ""
                if sub_raw.isdigit() or re.fullmatch(r"[a-z]", sub_raw):
                    self.numbered.setdefault(canonical(base, "", tag), set()).add(sub_raw)
                elif re.fullmatch(r"[a-z]([,+-][a-z0-9])*", sub_raw):
                    self.lettered.add(canonical(base, "", tag))
                elif re.fullmatch(r"[a-z]{2,4}", sub_raw):
                    self.words.setdefault(canonical(base, "", tag), set()).add(sub_raw)
            if base is not None:
                if kind == "example":
                    tag, _, example = _raw(text, sup).partition("(")
                    self.entries.add((base, sub_raw, tag))
                    family = self.families.setdefault(canonical(base, sub_raw, tag), set())
                    over = [upper for var, upper in uppers if var == example.rstrip(")")]
                    family.update(over[-1:])
                elif kind in ("none", "tag") and node.data == "scripted":
                    tag = _raw(text, sup) if sup is not None else ""
                    self.plain.add(canonical(base, sub_raw, tag))
            if sup is not None and kind == "exponent":
                if base is not None:
                    self.exponents.setdefault(canonical(base, sub_raw), set()).add(_raw(text, sup))
                self._names(sup, text, uppers)
            if node.data == "scripted_power":
                self._names(node.children[2], text, uppers)
            return
        for child in node.children:
            self._names(child, text, uppers)

    def declaration(self, decl: Declaration, index_letters: set[str]) -> Declaration:
        """The notation inferred, as a declaration to merge under the document's own;
        ``index_letters``: the letters the document writes as indices."""
        indices = self.summed | index_letters
        found: dict[str, set[str]] = {}
        for base, sub, tag in self.entries:
            # z_{chw}^{[l](i)}: entries of the family z^{[l]}; z_{norm}^{[l](i)}: of z_{norm}^{[l]}
            label = "" if set(sub.replace(",", "")) <= indices else sub
            found.setdefault(canonical(base, label, tag), set()).update(
                self.families.get(canonical(base, sub, tag), set())
            )
        families = frozenset(found) - decl.names
        uppers = {u for name in families for u in found[name]}
        count = ""
        if families and not decl.example_count and len(uppers) == 1:
            (count,) = uppers
            if not count.isalpha():
                count = ""
        names: set[str] = set()
        powered_units: set[str] = set()
        for base, sub, exponent in self.powered:
            if canonical(base, sub) in self.plain or canonical(base, "", exponent) in decl.units:
                continue  # sigma is also written alone (sigma^2 is its square), or declared
            if exponent != "2" or self.exponents.get(canonical(base, sub), set()) - {"2"}:
                continue  # only a square names a quantity (the variance), and only when no
                # other power of it is written: x^2 = 4 with x^4 elsewhere is about powers
            alone = (base, "", exponent) in self.powered or canonical(
                base, "", exponent
            ) in decl.names
            if sub and set(sub.replace(",", "")) <= indices and not alone:
                powered_units.add(canonical(base, "", exponent))  # sigma_c^2: one per unit c
            elif canonical(base, sub, exponent) not in decl.families:
                names.add(canonical(base, sub, exponent))
        for base, subs in self.numbered.items():
            # epsilon and epsilon_0 (or mu and mu_s) both written, the subscript never an index
            # a sum runs over: two names
            if base in self.plain and base not in decl.units | decl.families | families:
                names |= {
                    _with_sub(base, sub) for sub in subs if sub.isdigit() or sub not in self.summed
                }
        units = frozenset(
            base
            for base, words in self.words.items()
            if base not in decl.families | decl.names | set(families)
            and all(set(word) <= indices for word in words)
            and any(set(word) & self.summed for word in words)
        )
        sizes = {count} if count else set()
        for bound in self.bounds:
            if re.fullmatch(r"[A-Za-z]\^\{?\[[^\]]*\]\}?", bound):  # n^{[l-1]}: a layer's size
                sizes.add(name_of(bound))
        return Declaration(
            units=(units | powered_units) - decl.units,
            names=frozenset(names) - decl.names,
            families=families - decl.families if (count or decl.example_count) else frozenset(),
            count=count,
            sizes=frozenset(sizes) - decl.positive - decl.names,
        )


STABILITY = ("epsilon", "varepsilon")


def stability_constants(trees: list[Any]) -> set[str]:
    """``\\epsilon`` names written only as a term added under a square root or a power's base
    (``\\sqrt{\\sigma^2 + \\epsilon}``, ``(\\sigma^2 + \\epsilon)^{-3/2}``), at least once under a root:
    the stability constant of normalizations, positive by convention (and said so)."""
    good: dict[str, int] = {}
    bad: set[str] = set()

    def name(node: Any) -> str | None:
        token = node.children[0] if isinstance(node, Tree) and node.data == "greek" else node
        if isinstance(token, Token) and token.type == "GREEK":
            found = canonical_base(token.value)
            return found if found in STABILITY else None
        return None

    def terms(node: Any, root: bool) -> None:
        """The summands of a radicand (``root``) or of a power's base."""
        items = _arg_items(node) if isinstance(node, Tree) and node.data == "arg" else [node]
        if len(items) == 1 and isinstance(items[0], Tree) and items[0].data == "expr":
            items = list(items[0].children)
        for item in items:
            found = name(item)
            if found is not None:
                good[found] = good.get(found, 0) + (2 if root else 1)
            elif not isinstance(item, Token):
                walk(item)

    def walk(node: Any) -> None:
        found = name(node)
        if found is not None:
            bad.add(found)
            return
        if isinstance(node, Token):
            return
        if node.data == "sqrt":
            for child in node.children[1:-1]:
                walk(child)
            terms(node.children[-1], True)
            return
        if node.data in ("scripted", "scripted_power") and isinstance(node.children[0], Tree):
            atom = node.children[0]
            if atom.data == "paren":
                terms(atom.children[1], False)
                for child in node.children[1:]:
                    walk(child)
                return
        for child in node.children:
            walk(child)

    for tree in trees:
        if tree is None:
            continue
        if tree.data == "relations" and name(tree.children[0]) is not None:
            bad.add(str(name(tree.children[0])))  # ε = …: the document says what it is
        walk(tree)
    return {n for n, count in good.items() if n not in bad and count >= 2}


def _with_sub(name: str, sub: str) -> str:
    """``mu`` with the subscript ``s``: ``mu_s``; ``W^{[l]}`` with ``0``: ``W_0^{[l]}``."""
    base, mark, tag = name.partition("^")
    return canonical(base, sub, tag.strip("{}") if mark else "")
