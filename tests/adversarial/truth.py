"""Ground truth for a claim of a derivation, sharing no code with symbn's checker.

A claim is evaluated at concrete sizes and values chosen deliberately outside the checker's ranges
(0, ±1e-12, ±1e12, breakpoints such as 6 and 1e-8, sizes 31, 40 and 100, complex values for
complex symbols, negative values for real ones), with every sum written out term by term. The
arithmetic is exact: Python Fractions while the values stay rational, SymPy's own exact numbers
after that. A comparison of irrational values is decided by SymPy's adaptive-precision evaluation
when the difference is visibly not 0 (full precision reached at two working precisions), else
exactly for an algebraic number (its minimal polynomial); a transcendental difference counts as 0
only when SymPy's adaptive evaluation finds no digit above 10^-300, far below any difference a
false case of this suite makes at the points it samples (the smallest is about 10^-130); at a
checker's counterexample, which may lie further out, a difference is looked for at up to 12,000
digits before the sides are called equal. A derivative is taken by SymPy on the sums already written out at the concrete
sizes. Only symbn's model is read (the derivation's lines, its assumptions, the display marks);
nothing of ``symbn.check``, ``symbn.normal`` or ``symbn.numeric`` is imported.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy
from sympy import (
    Abs,
    Add,
    Derivative,
    Eq,
    Expr,
    Heaviside,
    I,
    Idx,
    Indexed,
    IndexedBase,
    Integer,
    KroneckerDelta,
    Max,
    Min,
    Mul,
    Piecewise,
    Pow,
    Rational,
    Sum,
    Symbol,
    minimal_polynomial,
    nan,
    oo,
    sign,
    zoo,
)
from sympy.core.relational import Relational
from sympy.core.sympify import _sympify

from symbn.model import Derivation, Kind, Relation
from symbn.notation import Cancel, Mean, Written

MAX_TERMS = 60_000
TOTAL_TERMS = 250_000
MAX_BITS = 4_000_000
PRECISIONS = (30, 120)
ZERO_BELOW = sympy.Float("1e-300")
DEEP_DIGITS = 12_000
DEFAULT_TRIALS = 24
MIN_AGREEING = 8

Value = Any  # a Fraction, or an exact SymPy number
Atom = Any  # a Symbol (or Idx), or (IndexedBase, (int, ...)) for an entry of a family

TINY = Fraction(1, 10**12)
HUGE = Fraction(10**12)
REALS = [
    Fraction(0),
    Fraction(1),
    Fraction(-1),
    Fraction(2),
    Fraction(-2),
    Fraction(1, 2),
    Fraction(-1, 3),
    Fraction(7, 2),
    Fraction(-9, 2),
    Fraction(6),
    Fraction(7),
    Fraction(-6),
    Fraction(1, 10**8),
    Fraction(1, 10**9),
    TINY,
    -TINY,
    HUGE,
    -HUGE,
    Fraction(31),
    Fraction(100),
    Fraction(-100),
    Fraction(5, 7),
    Fraction(-1001),
    Fraction(2000),
]
INTEGERS = [0, 1, -1, 2, -2, 3, -3, 5, 6, 7, -7, 30, 31, 40, 100, -100, -1000]
SIZES_ONE = [1, 2, 3, 4, 5, 6, 7, 9, 13, 31, 40, 100]
SIZES_MANY = [1, 2, 3, 4, 5, 7, 9, 13]
COMPLEX = [
    I,
    -I,
    1 + I,
    2 - 3 * I,
    Rational(-1, 2) + Rational(1, 3) * I,
    Integer(-2),
    Integer(0),
    Integer(3),
    10**12 * I,
    Rational(1, 10**12) - I,
]


class Undefined(Exception):
    """A side has no value at this point (a division by zero, the logarithm of 0)."""


class TooBig(Exception):
    """Writing the claim out at these sizes and values would be too much work."""


class Unknown(Exception):
    """A comparison this evaluator cannot decide."""


class Inadmissible(Exception):
    """The point breaks an assumption or an empty index range: no evidence either way."""


@dataclass(frozen=True)
class Claim:
    """One claim with everything needed to evaluate it: the definitions before it, the assumptions."""

    lhs: Expr
    rhs: Expr
    relation: Relation
    symbols: dict[Symbol, Expr]
    families: dict[IndexedBase, tuple[tuple[Expr, ...], Expr]]
    assumptions: tuple[Relational, ...]


@dataclass(frozen=True)
class Truth:
    """The ground truth of a claim: true, false or unknown, a witness when false, and the evidence."""

    verdict: str
    witness: dict[str, str] | None
    agreed: int
    detail: str = ""


@dataclass
class Domains:
    """How to sample each free atom: its kind, its sign constraint, an explicit range for an index."""

    kinds: dict[Any, str] = field(default_factory=dict)
    signs: dict[Any, str] = field(default_factory=dict)
    ranges: dict[Any, tuple[Expr, Expr]] = field(default_factory=dict)


def claim_of(derivation: Derivation, label: str | None = None) -> Claim:
    """The claim at ``label`` (the last line by default) with the definitions before it."""
    symbols: dict[Symbol, Expr] = {}
    families: dict[IndexedBase, tuple[tuple[Expr, ...], Expr]] = {}
    target = derivation.lines[-1].label if label is None else label
    for line in derivation.lines:
        if line.label == target:
            return Claim(
                plain(line.lhs),
                plain(line.rhs),
                line.relation,
                symbols,
                families,
                tuple(derivation.assumptions),
            )
        if line.kind is Kind.DEFINITION:
            if isinstance(line.lhs, Indexed):
                families[line.lhs.base] = (tuple(line.lhs.indices), plain(line.rhs))
            else:
                symbols[line.lhs] = plain(line.rhs)
    raise KeyError(target)


def plain(expr: Any) -> Any:
    """``expr`` without display marks (written order, parentheses, cancel marks, a bar for the mean)."""
    if not isinstance(expr, sympy.Basic) or not _has_marks(expr, {}):
        return expr
    return _unmarked(expr)


def _has_marks(expr: Any, memo: dict[Any, bool]) -> bool:
    """Whether display marks occur in ``expr``, each shared subtree looked at once."""
    if isinstance(expr, Written | Cancel | Mean):
        return True
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return False
    known = memo.get(expr)
    if known is None:
        known = memo[expr] = any(_has_marks(a, memo) for a in expr.args)
    return known


def _has_atoms(expr: Any, memo: dict[Any, bool]) -> bool:
    """Whether a symbol or a family occurs in ``expr``, each shared subtree looked at once."""
    if isinstance(expr, (Symbol, Idx, Indexed, IndexedBase)):
        return True
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return False
    known = memo.get(expr)
    if known is None:
        known = memo[expr] = any(_has_atoms(a, memo) for a in expr.args)
    return known


def _unmarked(expr: Any) -> Any:
    if isinstance(expr, Written):
        return Add(*[_unmarked(t) for t in expr.args])
    if isinstance(expr, Cancel):
        return _unmarked(expr.args[0])
    if isinstance(expr, Mean):
        var, lower, upper = expr.limits[0]
        return Sum(_unmarked(expr.function), (var, lower, upper)) / (upper - lower + 1)
    if not expr.args or isinstance(expr, (Symbol, IndexedBase, Idx, Indexed)):
        return expr
    return expr.func(*[_unmarked(a) for a in expr.args])


# Exact numbers ---------------------------------------------------------------------------------


def _sym(value: Value) -> Expr:
    if isinstance(value, Fraction):
        return Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return Integer(value)
    return value


def _frac(value: Value) -> Value:
    """A SymPy rational back to a Fraction (the fast path), anything else unchanged."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    return value


def _defined(value: Value) -> Value:
    if isinstance(value, Fraction):
        return value
    if value.has(zoo, nan, oo, -oo) or not value.is_number:
        raise Undefined(_show(value))
    return _frac(value)


def _bits(value: Fraction) -> int:
    return max(abs(value.numerator).bit_length(), value.denominator.bit_length())


_ZEROS: dict[tuple[Expr, bool], bool] = {}


def is_zero(value: Value, deep: bool = False) -> bool:
    """Whether an exact number is 0: rationals at once, others by certified evaluation or exactly.

    Not 0 needs SymPy's adaptive evaluation to reach full precision with a non-zero value at two
    different precisions; 0 needs an exact argument (a minimal polynomial, or SymPy simplifying
    the difference to 0). Anything else is Unknown, never a guess.
    """
    if isinstance(value, Fraction):
        return value == 0
    if value.is_Rational:
        return bool(value == 0)
    if value == 0:
        return True
    known = _ZEROS.get((value, deep))
    if known is None:
        known = _ZEROS[(value, deep)] = _is_zero(value, deep)
    return known


def _is_zero(value: Expr, deep: bool) -> bool:
    if value.has(sympy.log) and (
        sympy.expand_log(value, force=True) == 0 or sympy.logcombine(value, force=True) == 0
    ):
        return True
    nonzero = below = 0
    for digits in PRECISIONS:
        approx = value.evalf(digits, maxn=digits + 600)
        parts = [approx] if approx.is_real else list(approx.as_real_imag())
        if any(
            (part.is_Float and part != 0 and part._prec >= 3 * digits)
            or (part.is_Rational and part != 0)
            for part in parts
        ):
            nonzero += 1
        elif all(part == 0 or (part.is_Float and abs(part) < ZERO_BELOW) for part in parts):
            below += 1
    if nonzero == len(PRECISIONS):
        return False  # SymPy reached the precision asked for, twice: certainly not 0
    if not value.has(sympy.exp, sympy.log, sympy.pi, sympy.E):
        x = Symbol("x")
        try:
            return bool(minimal_polynomial(value, x) == x)
        except Exception:  # not algebraic after all: decided by the bound below
            pass
    if below == len(PRECISIONS) and deep:
        far = value.evalf(30, maxn=DEEP_DIGITS)
        parts = [far] if far.is_real else list(far.as_real_imag())
        if any(part.is_Float and part != 0 and part._prec >= 90 for part in parts):
            return False  # a difference far below 10^-300, resolved at up to DEEP_DIGITS digits
    if below == len(PRECISIONS):
        return True  # no digit above 10^-300 at any working precision SymPy tried
    raise Unknown(f"cannot decide whether {_show(value)} is 0")


def sign_of(value: Value) -> int:
    """The sign of a real exact number (Unknown for a complex one or an undecidable comparison)."""
    if isinstance(value, Fraction):
        return (value > 0) - (value < 0)
    if is_zero(value):
        return 0
    real, imag = value.as_real_imag()
    if not is_zero(imag):
        raise Undefined(f"{_show(value)} is not real, so it has no order")
    approx = real.evalf(PRECISIONS[-1], maxn=PRECISIONS[-1] + 600)
    if not approx.is_Float and not approx.is_Rational:
        raise Unknown(f"cannot order {_show(value)}")
    return 1 if approx > 0 else -1


def compare(left: Value, right: Value) -> int:
    """-1, 0 or 1 as ``left`` is below, equal to or above ``right`` (both real)."""
    if isinstance(left, Fraction) and isinstance(right, Fraction):
        return (left > right) - (left < right)
    return sign_of(_frac(_sym(left) - _sym(right)))


# Points ----------------------------------------------------------------------------------------


class Point:
    """Values for the free atoms of a claim, sampled lazily by their domains, or given."""

    def __init__(self, rng: random.Random, domains: Domains, sizes: dict[Symbol, int]) -> None:
        self.rng = rng
        self.domains = domains
        self.values: dict[Atom, Value] = {s: Fraction(n) for s, n in sizes.items()}
        self.used: dict[Atom, Value] = dict(self.values)

    def get(self, atom: Atom, evaluator: Evaluator) -> Value:
        if atom not in self.values:
            self.values[atom] = self.sample(atom, evaluator)
        value = self.values[atom]
        self.used.setdefault(atom, value)
        return value

    def sample(self, atom: Atom, evaluator: Evaluator) -> Value:
        key = atom[0] if isinstance(atom, tuple) else atom
        rng = self.rng
        if key in self.domains.ranges:
            low, high = (evaluator.integer(e, {}) for e in self.domains.ranges[key])
            if low > high:
                raise Inadmissible(f"{key} has an empty range")
            return Fraction(rng.randint(low, high))
        kind = self.domains.kinds.get(key, "real")
        if kind == "index":
            low, high = evaluator.integer(key.lower, {}), evaluator.integer(key.upper, {})
            if low > high:
                raise Inadmissible(f"the index {key} has an empty range")
            return Fraction(rng.choice([low, high, rng.randint(low, high)]))
        if kind == "size":
            return Fraction(rng.choice(SIZES_MANY))
        if kind == "complex":
            value: Value = (
                _frac(rng.choice(COMPLEX)) if rng.random() < 0.6 else _random_complex(rng)
            )
        elif kind in ("integer", "natural"):
            value = Fraction(rng.choice(INTEGERS) if rng.random() < 0.7 else rng.randint(-50, 50))
        else:
            value = rng.choice(REALS) if rng.random() < 0.6 else _random_real(rng)
        constraint = self.domains.signs.get(key) or {
            "natural": ">=0",
            "positive": ">0",
            "nonnegative": ">=0",
            "negative": "<0",
        }.get(kind)
        return _constrained(value, constraint, rng, integer=kind in ("integer", "natural"))

    def named(self) -> dict[str, str]:
        """The values used, by the names symbn gives them (``x[2]`` for an entry)."""
        return {atom_name(atom): _show(value) for atom, value in self.used.items()}


def _random_real(rng: random.Random) -> Fraction:
    numerator = rng.randint(-99, 99)
    denominator = rng.randint(1, 13)
    scale = Fraction(10) ** rng.choice([-12, -8, -3, 0, 0, 0, 1, 3, 8, 12])
    return Fraction(numerator, denominator) * scale


def _random_complex(rng: random.Random) -> Expr:
    return _sym(_random_real(rng)) + I * _sym(_random_real(rng))


def _constrained(value: Value, constraint: str | None, rng: random.Random, integer: bool) -> Value:
    if constraint is None:
        return value
    if not isinstance(value, Fraction):
        value = _frac(Abs(value)) if isinstance(_frac(Abs(value)), Fraction) else Fraction(1)
    magnitude = abs(value)
    if constraint in (">0", "<0") and magnitude == 0:
        magnitude = Fraction(1) if integer else rng.choice([TINY, Fraction(1), Fraction(3, 2)])
    return magnitude if constraint.startswith(">") else -magnitude


def atom_name(atom: Atom) -> str:
    """The name symbn's counterexamples give an atom: ``a``, ``m``, ``x[2]``, ``W[1, 2]``."""
    if isinstance(atom, tuple):
        base, indices = atom
        return f"{base}[{', '.join(str(i) for i in indices)}]"
    return str(atom)


_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|(sqrt|I|pi|E)|(\*\*|[-+*/()]))")


def parse_value(text: str) -> Value:
    """A value as symbn prints it in a counterexample: a rational, a decimal, ``1/2 + 3*I/2``…

    A small parser of numbers, ``I``, ``sqrt(…)``, ``+ - * / **`` and parentheses; nothing is
    evaluated as code.
    """
    tokens: list[str] = []
    position, text = 0, text.strip().lstrip("≈").strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot read the value {text!r}")
        tokens.append(next(g for g in match.groups() if g is not None))
        position = match.end()
    value, rest = _parse_sum(tokens)
    if rest:
        raise ValueError(f"cannot read the value {text!r}")
    return _frac(value)


def _parse_sum(tokens: list[str]) -> tuple[Expr, list[str]]:
    total, tokens = _parse_product(tokens)
    while tokens and tokens[0] in "+-":
        op, (term, tokens) = tokens[0], _parse_product(tokens[1:])
        total = total + term if op == "+" else total - term
    return total, tokens


def _parse_product(tokens: list[str]) -> tuple[Expr, list[str]]:
    if tokens and tokens[0] in "+-":
        value, rest = _parse_product(tokens[1:])
        return (value if tokens[0] == "+" else -value), rest
    value, tokens = _parse_power(tokens)
    while tokens and tokens[0] in ("*", "/"):
        op, (factor, tokens) = tokens[0], _parse_power(tokens[1:])
        value = value * factor if op == "*" else value / factor
    return value, tokens


def _parse_power(tokens: list[str]) -> tuple[Expr, list[str]]:
    base, tokens = _parse_atom(tokens)
    if tokens and tokens[0] == "**":
        exponent, tokens = _parse_product(tokens[1:])
        return Pow(base, exponent), tokens
    return base, tokens


def _parse_atom(tokens: list[str]) -> tuple[Expr, list[str]]:
    if not tokens:
        raise ValueError("a value ends too early")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        value, rest = _parse_sum(rest)
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parentheses in a value")
        return value, rest[1:]
    if head == "sqrt":
        inner, rest = _parse_atom(rest)
        return sympy.sqrt(inner), rest
    constants = {"I": I, "pi": sympy.pi, "E": sympy.E}
    if head in constants:
        return constants[head], rest
    if head[0].isdigit() or head[0] == ".":
        return _sym(Fraction(head)), rest
    raise ValueError(f"unexpected {head!r} in a value")


# Evaluation ------------------------------------------------------------------------------------


def _over_the_reals(claim: Claim) -> bool:
    """Whether every unknown of the claim is real (then a non-real value means undefined)."""
    from sympy.core.function import AppliedUndef

    exprs = [claim.lhs, claim.rhs]
    if any(e.has(I) for e in exprs):
        return False
    for e in exprs:
        for s in e.free_symbols:
            if not isinstance(s, Idx) and not s.is_real:
                return False
        for atom in e.atoms(Indexed, AppliedUndef):
            if not atom.is_real:
                return False
    return True


class Evaluator:
    """Evaluates a claim's expressions at one point, writing every sum out term by term."""

    def __init__(self, claim: Claim, point: Point) -> None:
        self.claim = claim
        self.point = point
        self.real = _over_the_reals(claim)
        self.terms = 0
        self.memo: dict[Expr, Value] = {}
        self.entries: dict[tuple[IndexedBase, tuple[int, ...]], Symbol] = {}
        self.entry_of: dict[Symbol, tuple[IndexedBase, tuple[int, ...]]] = {}

    def count(self, n: int = 1) -> None:
        self.terms += n
        if self.terms > MAX_TERMS:
            raise TooBig(f"more than {MAX_TERMS} terms")

    def integer(self, expr: Any, env: dict[Any, int]) -> int:
        value = self.value(expr, env)
        if not isinstance(value, Fraction) or value.denominator != 1:
            raise Undefined(f"the index {expr} is not an integer ({_show(value)})")
        return int(value)

    def value(self, expr: Any, env: dict[Any, int]) -> Value:
        """The exact value of ``expr`` with the bound indices ``env``."""
        if not env and expr in self.memo:
            return self.memo[expr]
        result = self._value(expr, env)
        if self.real and not isinstance(result, Fraction) and _sym(result).is_real is False:
            # symbn's documented semantics: over real symbols a non-real value is undefined
            raise Undefined(f"{expr} is not real here")
        if not env:
            self.memo[expr] = result
        return result

    def _value(self, expr: Any, env: dict[Any, int]) -> Value:
        if isinstance(expr, (int, Fraction)):
            return Fraction(expr)
        if expr.is_Rational:
            return Fraction(int(expr.p), int(expr.q))
        if isinstance(expr, (Symbol, Idx)):
            if expr in env:
                return Fraction(env[expr])
            if expr in self.entry_of:
                base, indices = self.entry_of[expr]
                if base in self.claim.families:
                    names, body = self.claim.families[base]
                    return self.value(body, dict(zip(names, indices, strict=True)))
                return self.point.get((base, indices), self)
            if expr in self.claim.symbols:
                return self.value(self.claim.symbols[expr], {})
            return self.point.get(expr, self)
        if isinstance(expr, Indexed):
            indices = tuple(self.integer(i, env) for i in expr.indices)
            if expr.base in self.claim.families:
                names, body = self.claim.families[expr.base]
                return self.value(body, dict(zip(names, indices, strict=True)))
            return self.point.get((expr.base, indices), self)
        if isinstance(expr, Sum):
            return self.sum(expr.function, list(expr.limits), env)
        if isinstance(expr, Add):
            total: Value = Fraction(0)
            for term in expr.args:
                total = _add(total, self.value(term, env))
            return total
        if isinstance(expr, Mul):
            product: Value = Fraction(1)
            for factor in expr.args:
                product = _mul(product, self.value(factor, env))
            return product
        if isinstance(expr, Pow):
            return self.power(self.value(expr.base, env), self.value(expr.exp, env))
        if isinstance(expr, Derivative):
            return self.derivative(expr, env)
        if isinstance(expr, (Max, Min)):
            values = [self.value(a, env) for a in expr.args]
            best = values[0]
            for v in values[1:]:
                c = compare(v, best)
                if (c > 0 and isinstance(expr, Max)) or (c < 0 and isinstance(expr, Min)):
                    best = v
            return best
        if isinstance(expr, Abs):
            v = self.value(expr.args[0], env)
            if isinstance(v, Fraction):
                return abs(v)
            real, imag = _sym(v).as_real_imag()
            if is_zero(_frac(imag)):
                return _frac(real) if sign_of(_frac(real)) >= 0 else _frac(-real)
            return _defined(sympy.sqrt(real**2 + imag**2))
        if isinstance(expr, sign):
            v = self.value(expr.args[0], env)
            if isinstance(v, Fraction) or is_zero(_frac(sympy.im(_sym(v)))):
                return Fraction(sign_of(_frac(sympy.re(_sym(v)))))
            return _defined(_sym(v) / sympy.sqrt(sympy.re(v) ** 2 + sympy.im(v) ** 2))
        if isinstance(expr, Heaviside):
            s = sign_of(self.value(expr.args[0], env))
            return Fraction(1) if s > 0 else Fraction(0) if s < 0 else Fraction(1, 2)
        if isinstance(expr, KroneckerDelta):
            left, right = (self.value(a, env) for a in expr.args[:2])
            return Fraction(int(is_zero(_frac(_sym(left) - _sym(right)))))
        if isinstance(expr, Piecewise):
            for piece, condition in expr.args:
                if self.holds(condition, env):
                    return self.value(piece, env)
            raise Undefined("no piece of a Piecewise applies")
        if isinstance(expr, Written | Cancel | Mean):
            return self.value(plain(expr), env)
        if expr.is_number and not expr.free_symbols:
            return self.number(expr)
        args = [_sym(self.value(a, env)) for a in expr.args]
        return _defined(expr.func(*args))

    def number(self, expr: Expr) -> Value:
        """A constant such as ``sqrt(2)``, ``exp(-200)`` or a huge unevaluated power tower."""
        if isinstance(expr, Pow):
            return self.power(self.number(expr.base), self.number(expr.exp))
        if isinstance(expr, (Add, Mul)):
            return self._value(expr, {})
        if expr.is_Float:
            return _frac(sympy.nsimplify(expr, rational=True))
        return _defined(expr)

    def power(self, base: Value, exponent: Value) -> Value:
        if isinstance(exponent, Fraction) and exponent.denominator == 1:
            e = int(exponent)
            if isinstance(base, Fraction):
                if base == 0 and e < 0:
                    raise Undefined("division by zero")
                if abs(base) not in (0, 1) and abs(e) * max(_bits(base), 1) > MAX_BITS:
                    raise TooBig("a power too large to write out")
                return base**e
            if abs(e) > 10_000:
                raise TooBig("a power too large to write out")
        elif not isinstance(exponent, Fraction) or abs(exponent) > 10**6:
            if not isinstance(base, Fraction) or abs(base) not in (0, 1):
                if (
                    isinstance(exponent, Fraction)
                    or sign_of(_frac(Abs(_sym(exponent)) - 10**6)) > 0
                ):
                    raise TooBig("a power too large to write out")
        elif (
            isinstance(base, Fraction)
            and abs(base) not in (0, 1)
            and isinstance(exponent, Fraction)
        ):
            if abs(exponent) * _bits(base) > MAX_BITS or exponent.denominator > 1000:
                raise TooBig("a power too large (or a root too deep) to write out")
        return _defined(Pow(_sym(base), _sym(exponent)))

    def sum(self, body: Expr, limits: list[Any], env: dict[Any, int]) -> Value:
        if not limits:
            self.count()
            return self.value(body, env)
        var, lower, upper = limits[0]
        low, high = self.integer(lower, env), self.integer(upper, env)
        if high - low + 1 > MAX_TERMS:
            raise TooBig("a sum with too many terms")
        total: Value = Fraction(0)
        for k in range(low, high + 1):
            total = _add(total, self.sum(body, limits[1:], {**env, var: k}))
        return total

    def holds(self, condition: Any, env: dict[Any, int]) -> bool:
        if condition is sympy.true or condition is True:
            return True
        if condition is sympy.false or condition is False:
            return False
        if isinstance(condition, sympy.And):
            return all(self.holds(c, env) for c in condition.args)
        if isinstance(condition, sympy.Or):
            return any(self.holds(c, env) for c in condition.args)
        if isinstance(condition, sympy.Not):
            return not self.holds(condition.args[0], env)
        if isinstance(condition, Relational):
            left, right = self.value(condition.lhs, env), self.value(condition.rhs, env)
            op = condition.rel_op
            if op in ("==", "!="):
                equal = is_zero(_frac(_sym(left) - _sym(right)))
                return equal if op == "==" else not equal
            c = compare(left, right)
            return {">": c > 0, ">=": c >= 0, "<": c < 0, "<=": c <= 0}[op]
        raise Unknown(f"cannot decide the condition {condition}")

    # Derivatives: SymPy differentiates the claim written out at the concrete sizes -------------

    def derivative(self, expr: Derivative, env: dict[Any, int]) -> Value:
        return self.value(self.differentiated(expr, env, frozenset()), {})

    def differentiated(self, expr: Derivative, env: dict[Any, int], keep: frozenset[Any]) -> Expr:
        """``expr`` carried out by SymPy on its body written out; a defined variable stays a variable."""
        variables = []
        held = set(keep)
        for var, count in expr.variable_count:
            if isinstance(var, Indexed):
                concrete = self.entry(var.base, tuple(self.integer(i, env) for i in var.indices))
                held.add(var.base)
            else:
                concrete = var
                held.add(var)
            variables.append((concrete, int(count)))
        body = self.explicit(expr.expr, env, frozenset(held))
        result = sympy.diff(body, *variables)
        return self.explicit(result, {}, keep)

    def entry(self, base: IndexedBase, indices: tuple[int, ...]) -> Symbol:
        """A plain symbol standing for one entry of a family while SymPy differentiates."""
        key = (base, indices)
        found = self.entries.get(key)
        if found is None:
            found = self.entries[key] = sympy.Dummy(
                atom_name(key), real=bool(Indexed(base, 1).is_real)
            )
            self.entry_of[found] = key
        return found

    def explicit(self, expr: Any, env: dict[Any, int], keep: frozenset[Any]) -> Any:
        """``expr`` with sums written out, definitions expanded (but those in ``keep``), sizes set."""
        if not isinstance(expr, sympy.Basic) or expr.is_Number:
            return expr
        if isinstance(expr, (Symbol, Idx)):
            if expr in env:
                return Integer(env[expr])
            if expr in keep:
                return expr
            if expr in self.claim.symbols:
                return self.explicit(self.claim.symbols[expr], {}, keep)
            if expr.is_integer or isinstance(expr, Idx):
                return _sym(self.point.get(expr, self))
            return expr
        if isinstance(expr, Indexed):
            indices = tuple(self.integer(i, env) for i in expr.indices)
            if expr.base in self.claim.families and expr.base not in keep:
                names, body = self.claim.families[expr.base]
                return self.explicit(body, dict(zip(names, indices, strict=True)), keep)
            return self.entry(expr.base, indices)
        if isinstance(expr, Sum):
            return self.explicit_sum(expr.function, list(expr.limits), env, keep)
        if isinstance(expr, Derivative):
            return self.differentiated(expr, env, keep)
        if isinstance(expr, Written | Cancel | Mean):
            return self.explicit(plain(expr), env, keep)
        if not expr.args:
            return expr
        return expr.func(*[self.explicit(a, env, keep) for a in expr.args])

    def explicit_sum(
        self, body: Expr, limits: list[Any], env: dict[Any, int], keep: frozenset[Any]
    ) -> Expr:
        if not limits:
            self.count()
            return self.explicit(body, env, keep)
        var, lower, upper = limits[0]
        low, high = self.integer(lower, env), self.integer(upper, env)
        if high - low + 1 > MAX_TERMS:
            raise TooBig("a sum with too many terms")
        return Add(
            *[
                self.explicit_sum(body, limits[1:], {**env, var: k}, keep)
                for k in range(low, high + 1)
            ]
        )


def _add(a: Value, b: Value) -> Value:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return _frac(_sym(a) + _sym(b))


def _mul(a: Value, b: Value) -> Value:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    return _frac(_sym(a) * _sym(b))


# Integers too large to write out: compared modulo small numbers --------------------------------


def _phi(n: int) -> int:
    result, k, m = n, 2, n
    while k * k <= m:
        if m % k == 0:
            while m % k == 0:
                m //= k
            result -= result // k
        k += 1
    if m > 1:
        result -= result // m
    return result


def residue(expr: Expr, n: int) -> tuple[int, int | None]:
    """``expr mod n`` for a tree of positive integers, sums, products and powers, however huge.

    The second value is ``expr`` itself when it is small. A huge exponent is reduced with
    ``a^e ≡ a^(e mod φ(n) + φ(n)) (mod n)``, valid for every ``a`` once ``e ≥ log2 n``.
    """
    if expr.is_Integer:
        v = int(expr)
        return v % n, v if abs(v) < 2**64 else None
    if isinstance(expr, (Add, Mul)):
        parts = [residue(a, n) for a in expr.args]
        r = 0 if isinstance(expr, Add) else 1
        exact: int | None = 0 if isinstance(expr, Add) else 1
        for pr, pe in parts:
            r = (r + pr) % n if isinstance(expr, Add) else (r * pr) % n
            if exact is not None and pe is not None:
                exact = exact + pe if isinstance(expr, Add) else exact * pe
                if abs(exact) >= 2**64:
                    exact = None
            else:
                exact = None
        return r, exact
    if isinstance(expr, Pow):
        base_r, base_e = residue(expr.base, n)
        phi = _phi(n)
        exp_r, exp_e = residue(expr.exp, phi)
        if exp_e is not None and exp_e < 0:
            raise Unknown("a negative exponent")
        if exp_e is not None and exp_e < 4096:
            exact = base_e**exp_e if base_e is not None and exp_e * 64 < 4096 else None
            if exact is not None and abs(exact) >= 2**64:
                exact = None
            return pow(base_r, exp_e, n), exact
        return pow(base_r, exp_r + phi, n), None
    raise Unknown(f"not an integer expression: {type(expr).__name__}")


# Deciding a claim ------------------------------------------------------------------------------


def _walk(
    expr: Any, claim: Claim, bound: frozenset[Any], found: dict[str, set[Any]], seen: set[Any]
) -> None:
    if not isinstance(expr, sympy.Basic) or (expr, bound) in seen:
        return
    seen.add((expr, bound))
    if isinstance(expr, Idx):
        if expr not in bound:
            found["indices"].add(expr)
            for end in (expr.lower, expr.upper):
                if end is not None:
                    _walk(end, claim, bound, found, seen)
        return
    if isinstance(expr, Symbol):
        if expr in bound:
            return
        if expr in claim.symbols:
            if expr not in seen:
                seen.add(expr)
                _walk(claim.symbols[expr], claim, frozenset(), found, seen)
            return
        found["symbols"].add(expr)
        return
    if isinstance(expr, Indexed):
        for i in expr.indices:
            _walk(i, claim, bound, found, seen)
        if expr.base in claim.families:
            if expr.base not in seen:
                seen.add(expr.base)
                names, body = claim.families[expr.base]
                _walk(body, claim, frozenset(names), found, seen)
        else:
            found["families"].add(expr.base)
        return
    if isinstance(expr, Sum):
        variables = frozenset(v for v, *_ in expr.limits)
        for _, *ends in expr.limits:
            for end in ends:
                _walk(end, claim, bound, found, seen)
        _walk(expr.function, claim, bound | variables, found, seen)
        return
    for arg in expr.args:
        _walk(arg, claim, bound, found, seen)


def _kind(atom: Any) -> str:
    probe = Indexed(atom, 1) if isinstance(atom, IndexedBase) else atom
    if isinstance(atom, Idx):
        return "index" if atom.lower is not None else "integer"
    if probe.is_integer:
        if probe.is_positive:
            return "size"
        return "natural" if probe.is_nonnegative else "integer"
    if probe.is_positive:
        return "positive"
    if probe.is_nonnegative:
        return "nonnegative"
    if probe.is_negative:
        return "negative"
    if probe.is_real:
        return "real"
    return "complex"


def _by_name(claim: Claim, found: dict[str, set[Any]]) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for group in ("symbols", "families", "indices"):
        for atom in found[group]:
            names[str(atom)] = atom
    for name in claim.symbols:
        names[str(name)] = name
    for base in claim.families:
        names[str(base)] = base
    return names


def _renamed(relation: Relational, names: dict[str, Any]) -> Relational:
    """An assumption with each symbol read as the derivation's symbol of the same name."""
    labels = {base.label for base in relation.atoms(IndexedBase)}
    mapping = {}
    for s in relation.atoms(Symbol, IndexedBase) - labels:
        target = names.get(str(s))
        if target is not None and target != s and isinstance(target, type(s)):
            mapping[s] = target
    return relation.xreplace(mapping) if mapping else relation


@dataclass
class Problem:
    """A claim prepared for sampling: its atoms, their domains, its assumptions split by use."""

    claim: Claim
    sizes: list[Symbol]
    domains: Domains
    equalities: list[Relational]
    checks: list[Relational]
    names: dict[str, Any]
    depth: int
    spent: int = 0
    deep: bool = False


def sum_depth(expr: Any, claim: Claim, memo: dict[Any, int] | None = None) -> int:
    """The most summation indices nested around any term, definitions included."""
    memo = {} if memo is None else memo
    if not isinstance(expr, sympy.Basic):
        return 0
    if expr in memo:
        return memo[expr]
    if isinstance(expr, Symbol) and expr in claim.symbols:
        memo[expr] = 0
        depth = sum_depth(claim.symbols[expr], claim, memo)
    elif isinstance(expr, Indexed) and expr.base in claim.families:
        memo[expr] = 0
        depth = sum_depth(claim.families[expr.base][1], claim, memo)
    elif isinstance(expr, Sum):
        depth = len(expr.limits) + sum_depth(expr.function, claim, memo)
    else:
        depth = max((sum_depth(a, claim, memo) for a in expr.args), default=0)
    memo[expr] = depth
    return depth


def terms(expr: Any, claim: Claim, evaluator: Evaluator, largest: int, memo: dict[Any, int]) -> int:
    """About how many terms of sums writing ``expr`` out takes here (a shared subtree counts once)."""
    if not isinstance(expr, sympy.Basic) or (not expr.args and not isinstance(expr, Symbol)):
        return 0
    if expr in memo:
        return 0
    memo[expr] = 0
    if isinstance(expr, Symbol):
        if expr not in claim.symbols:
            return 0
        count = terms(claim.symbols[expr], claim, evaluator, largest, memo)
    elif isinstance(expr, Indexed) and expr.base in claim.families:
        count = terms(claim.families[expr.base][1], claim, evaluator, largest, {})
    elif isinstance(expr, Sum):
        count = max(1, terms(expr.function, claim, evaluator, largest, {}))
        for _, lower, upper in expr.limits:
            try:
                span = evaluator.integer(upper, {}) - evaluator.integer(lower, {}) + 1
            except (Undefined, Inadmissible, TooBig, Unknown, KeyError, TypeError):
                span = largest + 1  # a bound that depends on an outer summation index
            count *= max(span, 0)
    else:
        count = sum(terms(a, claim, evaluator, largest, memo) for a in expr.args)
    return count


def prepare(claim: Claim, ranges: dict[str, tuple[Any, Any]] | None = None) -> Problem:
    """The atoms of a claim, their domains, and its assumptions read for sampling."""
    found: dict[str, set[Any]] = {"symbols": set(), "families": set(), "indices": set()}
    seen: set[Any] = set()
    for side in (claim.lhs, claim.rhs, *[a.lhs - a.rhs for a in claim.assumptions]):
        _walk(side, claim, frozenset(), found, seen)
    names = _by_name(claim, found)
    assumptions = [_renamed(a, names) for a in claim.assumptions]
    for a in assumptions:
        _walk(a.lhs - a.rhs, claim, frozenset(), found, seen)
    domains = Domains()
    for atom in found["symbols"] | found["families"] | found["indices"]:
        domains.kinds[atom] = _kind(atom)
    for name, (low, high) in (ranges or {}).items():
        domains.ranges[names[name]] = (_sympify(low), _sympify(high))  # never text
    sizes = sorted((s for s in found["symbols"] if domains.kinds[s] == "size"), key=str)
    equalities, checks = [], []
    for a in assumptions:
        simple = (
            isinstance(a.lhs, (Symbol, Indexed))
            and a.rhs == 0
            and a.rel_op in (">", ">=", "<", "<=")
        )
        key = a.lhs.base if isinstance(a.lhs, Indexed) else a.lhs
        if simple and key not in claim.symbols and key not in claim.families:
            domains.signs[key] = {">": ">0", ">=": ">=0", "<": "<0", "<=": "<=0"}[a.rel_op]
            checks.append(a)
        elif isinstance(a, Eq):
            equalities.append(a)
        else:
            checks.append(a)
    memo: dict[Any, int] = {}
    depth = max(
        sum_depth(e, claim, memo)
        for e in (claim.lhs, claim.rhs, *[a.lhs - a.rhs for a in assumptions])
    )
    return Problem(claim, sizes, domains, equalities, checks, names, depth)


def _size_plans(
    sizes: list[Symbol], rng: random.Random, trials: int
) -> Iterator[dict[Symbol, int]]:
    if not sizes:
        for _ in range(trials):
            yield {}
        return
    if len(sizes) == 1:
        schedule = list(SIZES_ONE)
        while len(schedule) < trials:
            schedule.append(rng.choice([1, 2, 3, 4, 5, 6, 8, 11, 31, 40]))
        for n in schedule[:trials]:
            yield {sizes[0]: n}
        return
    yield dict.fromkeys(sizes, 1)
    yield dict.fromkeys(sizes, 2)
    for k in range(trials - 2):
        plan = {s: rng.choice(SIZES_MANY) for s in sizes}
        if k % 5 == 4:
            plan[rng.choice(sizes)] = rng.choice([31, 40])
        yield plan


def _free_indices(relation: Relational) -> list[Idx]:
    return sorted((s for s in relation.free_symbols if isinstance(s, Idx)), key=str)


def _assumption_holds(problem: Problem, evaluator: Evaluator, relation: Relational) -> bool:
    """Whether an assumption holds at the point; a free index in it ranges over all its values.

    A sign assumption about a family (``x[i] > 0``) is checked on the entries this point has
    values for: every other entry is sampled with that sign.
    """
    if isinstance(relation.lhs, Indexed) and relation.lhs.base in problem.domains.signs:
        base = relation.lhs.base
        entries = [k for k in evaluator.point.values if isinstance(k, tuple) and k[0] == base]
        op = relation.rel_op
        return all(
            {">": c > 0, ">=": c >= 0, "<": c < 0, "<=": c <= 0}[op]
            for c in (sign_of(evaluator.point.values[k]) for k in entries)
        )
    free = [i for i in _free_indices(relation) if i not in evaluator.point.values]
    env_choices: list[dict[Any, int]] = [{}]
    for idx in free:
        low, high = evaluator.integer(idx.lower, {}), evaluator.integer(idx.upper, {})
        if (high - low + 1) * len(env_choices) > MAX_TERMS:
            raise TooBig(f"the assumption {relation} would be checked at too many indices")
        env_choices = [{**e, idx: k} for e in env_choices for k in range(low, high + 1)]
    return all(evaluator.holds(relation, env) for env in env_choices)


def _solve(problem: Problem, evaluator: Evaluator, relation: Relational) -> None:
    """Meet an equality assumption exactly: solve it for one atom (linearly if one can be)."""
    expr = evaluator.explicit(relation.lhs - relation.rhs, {}, frozenset())
    atoms = sorted((s for s in expr.atoms(Symbol) if not s.is_integer), key=str)
    evaluator.point.rng.shuffle(atoms)
    for linear in (True, False):
        for atom in atoms:
            slope = sympy.diff(expr, atom)
            if linear:
                if atom in slope.free_symbols:
                    continue
                a = evaluator.value(slope, {})
                if is_zero(a):
                    continue
                rest = evaluator.value(expr.xreplace({atom: 0}), {})
                solution = _frac(-_sym(rest) / _sym(a))
            else:
                others = {o: _sym(evaluator.value(o, {})) for o in atoms if o != atom}
                roots = [r for r in sympy.solve(expr.xreplace(others), atom) if r.is_real]
                if not roots:
                    continue
                solution = _frac(evaluator.point.rng.choice(roots))
            key = evaluator.entry_of.get(atom, atom)
            evaluator.point.values[key] = solution
            evaluator.point.used[key] = solution
            evaluator.memo.clear()
            return
    raise Inadmissible(f"cannot solve {relation} for any one value")


def outcome(problem: Problem, point: Point) -> tuple[str, str]:
    """What the claim's sides do at ``point``: differ, equal, undefined (both), or no evidence."""
    evaluator = Evaluator(problem.claim, point)
    largest = max((int(v) for s, v in point.values.items() if s in problem.sizes), default=1)
    try:
        work = max(
            terms(side, problem.claim, evaluator, largest, {})
            for side in (problem.claim.lhs, problem.claim.rhs)
        )
    except (Undefined, Inadmissible, TooBig, Unknown):
        work = (largest + 1) ** problem.depth
    if work > MAX_TERMS:
        return "unknown", f"about {work} terms to write out"
    try:
        for relation in problem.equalities:
            _solve(problem, evaluator, relation)
        for relation in problem.equalities + problem.checks:
            if not _assumption_holds(problem, evaluator, relation):
                return "inadmissible", f"the assumption {relation} fails"
    except (Inadmissible, Undefined) as exc:
        return "inadmissible", str(exc)
    except (TooBig, Unknown) as exc:
        return "unknown", str(exc)
    try:
        return _compare_sides(problem, evaluator)
    finally:
        problem.spent += evaluator.terms


def _compare_sides(problem: Problem, evaluator: Evaluator) -> tuple[str, str]:
    sides = []
    for side in (problem.claim.lhs, problem.claim.rhs):
        try:
            sides.append(evaluator.value(side, {}))
        except Undefined as exc:
            sides.append(Undefined(str(exc)))
        except Inadmissible as exc:
            return "inadmissible", str(exc)
        except (TooBig, Unknown, RecursionError) as exc:
            return "unknown", f"{type(exc).__name__}: {exc}"
    left, right = sides
    if isinstance(left, Undefined) and isinstance(right, Undefined):
        return "undefined", "both sides are undefined"
    if isinstance(left, Undefined) or isinstance(right, Undefined):
        which = "left" if isinstance(left, Undefined) else "right"
        return "differ", f"the {which} side is undefined, the other is not"
    try:
        same = is_zero(_frac(_sym(left) - _sym(right)), problem.deep)
    except Unknown as exc:
        return "unknown", str(exc)
    if same:
        return "equal", f"both {_show(left)}"
    return "differ", f"{_show(left)} ≠ {_show(right)}"


def _show(value: Value) -> str:
    """A value for a message, cut short (a number of a million digits is not printed)."""
    try:
        text = str(_sym(value))
    except ValueError:
        return "a number too long to print"
    return text if len(text) <= 200 else text[:200] + "…"


@contextmanager
def _deep() -> Iterator[None]:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _huge_integers(claim: Claim) -> Truth | None:
    """Sides that are integer constants too large to write out: compared modulo small numbers."""
    memo: dict[Any, bool] = {}
    if _has_atoms(claim.lhs, memo) or _has_atoms(claim.rhs, memo):
        return None
    if claim.lhs == claim.rhs:
        return Truth("true", None, 1, "the two sides are the same expression")
    try:
        for n in (7, 11, 13, 101, 997, 65537):
            left, right = residue(claim.lhs, n)[0], residue(claim.rhs, n)[0]
            if left != right:
                return Truth("false", {}, 0, f"the sides differ modulo {n}: {left} ≠ {right}")
    except Unknown:
        return None
    return None


def decide(
    derivation: Derivation,
    *,
    label: str | None = None,
    ranges: dict[str, tuple[Any, Any]] | None = None,
    hints: tuple[dict[str, Any], ...] = (),
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
) -> Truth:
    """The truth of a claim: false with a witness if some admissible point tells the sides apart."""
    with _deep():
        claim = claim_of(derivation, label)
        differ_means = "false" if claim.relation is Relation.EQUAL else "true"
        same_means = "true" if differ_means == "false" else "false"
        if claim.lhs == claim.rhs:
            verdict = "true" if claim.relation is Relation.EQUAL else "false"
            return Truth(verdict, None, 1, "the two sides are the same expression")
        huge = _huge_integers(claim)
        if huge is not None and claim.relation is Relation.EQUAL:
            return huge
        problem = prepare(claim, ranges)
        rng = random.Random(seed)
        agreed, sizes_seen, notes = 0, set(), []
        plans = list(_size_plans(problem.sizes, rng, trials))
        points = [_hinted(problem, rng, hint) for hint in hints]
        points += [Point(rng, problem.domains, plan) for plan in plans]
        for point in points:
            if problem.spent > TOTAL_TERMS and agreed >= MIN_AGREEING:
                break
            kind, why = outcome(problem, point)
            if kind == "differ":
                return Truth(differ_means, point.named(), agreed, why)
            if kind in ("equal", "undefined"):
                agreed += 1
                sizes_seen.add(
                    tuple(
                        sorted((str(s), v) for s, v in point.values.items() if s in problem.sizes)
                    )
                )
            elif len(notes) < 3:
                notes.append(why)
    if agreed >= MIN_AGREEING:
        return Truth(
            same_means, None, agreed, f"{agreed} points agree over {len(sizes_seen)} size plans"
        )
    return Truth("unknown", None, agreed, "; ".join(notes))


def _hinted(problem: Problem, rng: random.Random, hint: dict[str, Any]) -> Point:
    sizes = {s: int(hint[str(s)]) for s in problem.sizes if str(s) in hint}
    for s in problem.sizes:
        sizes.setdefault(s, rng.choice(SIZES_MANY))
    point = Point(rng, problem.domains, sizes)
    for name, value in hint.items():
        atom = _atom_of(problem, name)
        if atom is not None:
            point.values[atom] = _frac(_sym(value))
    return point


def _atom_of(problem: Problem, name: str) -> Atom | None:
    entry = re.fullmatch(r"(.*)\[([-\d, ]+)\]", name)
    if entry:
        base = problem.names.get(entry.group(1))
        if base is None:
            return None
        return (base, tuple(int(k) for k in entry.group(2).split(",")))
    return problem.names.get(name)


def at(
    derivation: Derivation,
    assignment: dict[str, str] | tuple[tuple[str, str], ...],
    *,
    label: str | None = None,
    ranges: dict[str, tuple[Any, Any]] | None = None,
    fillings: int = 3,
) -> str:
    """What the claim's sides do at a reported counterexample: ``differ``, ``equal``, ``inadmissible``…

    Values the assignment leaves out are filled at random, ``fillings`` times: a real
    counterexample differs whatever they are, so every filling must differ.
    """
    values = dict(assignment)
    with _deep():
        claim = claim_of(derivation, label)
        problem = prepare(claim, ranges)
        problem.deep = True
        kinds = []
        for k in range(fillings):
            rng = random.Random(1000 + k)
            sizes = {}
            for s in problem.sizes:
                if str(s) not in values:
                    return f"inadmissible: the size {s} is not in the counterexample"
                sizes[s] = int(parse_value(values[str(s)]))
            point = Point(rng, problem.domains, sizes)
            for name, text in values.items():
                atom = _atom_of(problem, name)
                if atom is not None:
                    point.values[atom] = _frac(_sym(parse_value(text)))
            bad = _violates_domain(problem, point)
            if bad:
                return f"inadmissible: {bad}"
            kind, why = outcome(problem, point)
            kinds.append(kind if kind == "differ" else f"{kind}: {why}")
        if all(k == "differ" for k in kinds):
            return "differ"
        return next(k for k in kinds if k != "differ")


def _violates_domain(problem: Problem, point: Point) -> str:
    """A given value outside its symbol's own domain (a negative value for a nonnegative integer)."""
    for atom, value in point.values.items():
        key = atom[0] if isinstance(atom, tuple) else atom
        kind = problem.domains.kinds.get(key)
        if kind is None:
            continue
        v = _sym(value)
        if kind != "complex" and not is_zero(_frac(sympy.im(v))):
            return f"{atom_name(atom)} = {_show(v)} is not real"
        if kind in ("size", "integer", "natural", "index") and not (
            isinstance(value, Fraction) and value.denominator == 1
        ):
            return f"{atom_name(atom)} = {_show(v)} is not an integer"
        if kind in ("size", "positive") and not sign_of(_frac(sympy.re(v))) > 0:
            return f"{atom_name(atom)} = {_show(v)} is not positive"
        if kind in ("natural", "nonnegative") and sign_of(_frac(sympy.re(v))) < 0:
            return f"{atom_name(atom)} = {_show(v)} is negative"
        if kind == "negative" and not sign_of(_frac(sympy.re(v))) < 0:
            return f"{atom_name(atom)} = {_show(v)} is not negative"
        if kind == "index" and key not in problem.domains.ranges:
            evaluator = Evaluator(problem.claim, point)
            low, high = evaluator.integer(key.lower, {}), evaluator.integer(key.upper, {})
            if not low <= value <= high:
                return f"{atom_name(atom)} = {_show(v)} is outside its range {low}..{high}"
    return ""


__all__ = ["Truth", "at", "claim_of", "compare", "decide", "is_zero", "parse_value", "residue"]
