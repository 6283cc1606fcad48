"""The numeric layer: instantiate a claim at concrete sizes and random rational values, and compare.

Values are exact rationals; sums are evaluated term by term at concrete sizes. Where a root of a
rational is irrational the trial is evaluated again in 60-digit arithmetic and a difference is
confirmed at 120 digits before it counts. No text is ever evaluated: this walks SymPy trees.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
from sympy import (
    Abs,
    Add,
    Expr,
    Idx,
    Indexed,
    KroneckerDelta,
    Max,
    Min,
    Mul,
    Pow,
    Sum,
    Symbol,
    exp,
    log,
)
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

MAX_TERMS = 200_000
SINGLE_SIZE_SCHEDULE = (1, 2, 3)
RANDOM_SIZE_RANGE = (4, 30)
TERMS_PER_TRIAL = 5_000
MULTI_SIZE_CAP = {2: 12, 3: 6}
RESAMPLES = 12
TOLERANCE_DIGITS = 40


class NotEvaluable(Exception):
    """The expression holds something the evaluator does not know how to compute."""


class OutOfDomain(Exception):
    """The sampled values leave the expression's domain (a division by zero, a root of a negative)."""


class Inexact(Exception):
    """An exact rational evaluation met an irrational value."""


Number = Any  # Fraction in exact mode, mpmath.mpf otherwise


@dataclass(frozen=True)
class Counterexample:
    """Concrete sizes and values at which the two sides differ, with both values and their difference."""

    assignment: tuple[tuple[str, str], ...]
    lhs: str
    rhs: str
    difference: str
    exact: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "values": dict(self.assignment),
            "lhs": self.lhs,
            "rhs": self.rhs,
            "difference": self.difference,
            "exact": self.exact,
        }


@dataclass(frozen=True)
class NumericOutcome:
    """What the trials found: how many agreed, at which sizes, and a counterexample if one differed."""

    agreed: int
    sizes: tuple[tuple[tuple[str, int], ...], ...]
    counterexample: Counterexample | None = None
    skipped: int = 0
    reason: str = ""


@dataclass
class _Point:
    """One assignment of values, sampled lazily as the evaluator meets symbols and indexed entries."""

    rng: random.Random
    values: dict[Any, Fraction] = field(default_factory=dict)
    used: dict[Any, Fraction] = field(default_factory=dict)

    def symbol(self, sym: Symbol) -> Fraction:
        if sym not in self.values:
            self.values[sym] = _sample(self.rng, sym)
        value = self.values[sym]
        self.used.setdefault(sym, value)
        return value

    def entry(self, item: Indexed, indices: tuple[int, ...]) -> Fraction:
        key = (item.base, indices)
        if key not in self.values:
            self.values[key] = _sample(self.rng, item)
        value = self.values[key]
        self.used.setdefault(key, value)
        return value

    def assignment(self) -> tuple[tuple[str, str], ...]:
        """The values used, by name (``a[2]`` for an entry), in the order they were first met.

        Names are made only here, for a counterexample: printing SymPy names on every lookup costs
        more than the arithmetic.
        """
        named: dict[str, Fraction] = {}
        for key, value in self.used.items():
            if isinstance(key, tuple):
                base, indices = key
                named.setdefault(f"{base}[{', '.join(map(str, indices))}]", value)
            else:
                named.setdefault(str(key), value)
        return tuple((name, str(value)) for name, value in named.items())


def _sample(rng: random.Random, sym: Expr) -> Fraction:
    if sym.is_integer:
        return Fraction(rng.randint(1, 5) if sym.is_positive else rng.randint(-5, 5))
    denominator = rng.randint(1, 7)
    numerator = rng.randint(1, 4 * denominator)
    if sym.is_positive or sym.is_nonnegative:
        return Fraction(numerator, denominator)
    return Fraction(numerator * rng.choice((-1, 1)), denominator)


class _Evaluator:
    """Evaluates a SymPy tree at a point, exactly (Fractions) or in fixed-precision floats (mpf)."""

    def __init__(self, point: _Point, exact: bool) -> None:
        self.point = point
        self.exact = exact
        self.bound: dict[Expr, Fraction] = {}
        self.cache: dict[Expr, Number] = {}
        self.floats: dict[Fraction, Any] = {}
        self.terms = 0

    def number(self, value: Fraction) -> Number:
        if self.exact:
            return value
        converted = self.floats.get(value)
        if converted is None:
            converted = self.floats[value] = mpmath.mpf(value.numerator) / value.denominator
        return converted

    def __call__(self, expr: Any) -> Number:
        kind = _KINDS.get(type(expr))
        if kind is None:
            kind = _KINDS[type(expr)] = _kind_of(expr)
        if kind == "rational":
            value = _RATIONALS.get(expr)
            if value is None:
                value = _RATIONALS[expr] = Fraction(int(expr.p), int(expr.q))
            return self.number(value)
        if kind == "symbol":
            if expr in self.bound:
                return self.number(self.bound[expr])
            return self.number(self.point.symbol(expr))
        if kind == "mul":
            product: Number = self.number(Fraction(1))
            for factor in expr.args:
                product = product * self(factor)
            return product
        if kind == "add":
            return _sum_of(self(a) for a in expr.args)
        if kind == "pow":
            return self.power(self(expr.base), expr.exp)
        if kind == "indexed":
            return self.number(self.point.entry(expr, tuple(self.integer(i) for i in expr.indices)))
        if kind == "sum":
            return self.sum(expr)
        if kind == "float":
            if self.exact:
                raise Inexact
            return mpmath.mpf(str(expr))
        return self.function(expr)

    def integer(self, expr: Expr) -> int:
        known = self.bound.get(expr)
        if known is None:
            known = self.point.values.get(expr)  # a free index or a size, already recorded as used
        if known is not None and known.denominator == 1:
            return int(known)  # the common cases, taken without a detour
        value = self(expr)
        if self.exact and value.denominator == 1:
            return int(value)
        if not self.exact and value == int(value):
            return int(value)
        raise NotEvaluable(f"the index {expr} is not an integer here")

    def power(self, base: Number, exponent: Expr) -> Number:
        if exponent.is_Integer:
            if base == 0 and exponent < 0:
                raise OutOfDomain("division by zero")
            return base ** int(exponent)
        if not exponent.is_Rational:
            return self.function(Pow(base, exponent, evaluate=False))
        if base < 0:
            raise OutOfDomain("a fractional power of a negative number")
        if base == 0 and exponent < 0:
            raise OutOfDomain("division by zero")
        if not self.exact:
            return mpmath.power(base, mpmath.mpf(int(exponent.p)) / int(exponent.q))
        root = _exact_root(base, int(exponent.q))
        return root ** int(exponent.p)

    def sum(self, expr: Sum) -> Number:
        free_bound = _free_symbols(expr) & set(self.bound)
        if not free_bound and expr in self.cache:
            return self.cache[expr]
        result = self.sum_limits(expr.function, list(expr.limits))
        if not free_bound:
            self.cache[expr] = result
        return result

    def sum_limits(self, body: Expr, limits: list[Any]) -> Number:
        if not limits:
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise NotEvaluable(f"more than {MAX_TERMS} terms to add at these sizes")
            return self(body)
        var, lower, upper = limits[-1]
        low, high = self.integer(lower), self.integer(upper)
        total: Number = self.number(Fraction(0))
        saved = self.bound.get(var)
        for value in range(low, high + 1):
            self.bound[var] = Fraction(value)
            total = total + self.sum_limits(body, limits[:-1])
        if saved is None:
            self.bound.pop(var, None)
        else:
            self.bound[var] = saved
        if high < low - 1:
            raise NotEvaluable("a sum whose upper limit is below its lower limit")
        return total

    def function(self, expr: Any) -> Number:
        if isinstance(expr, KroneckerDelta):
            left, right = (self(a) for a in expr.args)
            return self.number(Fraction(int(left == right)))
        if isinstance(expr, Abs):
            return abs(self(expr.args[0]))
        if isinstance(expr, (Max, Min)):
            values = [self(a) for a in expr.args]
            return max(values) if isinstance(expr, Max) else min(values)
        if isinstance(expr, (exp, log)):
            if self.exact:
                raise Inexact
            arg = self(expr.args[0])
            if isinstance(expr, log):
                if arg <= 0:
                    raise OutOfDomain("the logarithm of a non-positive number")
                return mpmath.log(arg)
            return mpmath.exp(arg)
        raise NotEvaluable(f"cannot evaluate {type(expr).__name__} numerically")


_KINDS: dict[type, str] = {}
_RATIONALS: dict[Any, Fraction] = {}


def _kind_of(expr: Any) -> str:
    """How the evaluator treats every expression of this class (decided once per class)."""
    if expr.is_Rational:
        return "rational"
    if expr.is_Float:
        return "float"
    for kind, cls in (
        ("symbol", (Symbol, Idx)),
        ("indexed", Indexed),
        ("sum", Sum),
        ("add", Add),
        ("mul", Mul),
        ("pow", Pow),
    ):
        if isinstance(expr, cls):
            return kind
    return "function"


@lru_cache(maxsize=4096)
def _free_symbols(expr: Expr) -> frozenset[Any]:
    """``expr.free_symbols``, remembered: SymPy recomputes it for a Sum on every call, at every trial."""
    return frozenset(expr.free_symbols)


def _sum_of(values: Any) -> Number:
    iterator = iter(values)
    total = next(iterator)
    for value in iterator:
        total = total + value
    return total


def _exact_root(value: Fraction, degree: int) -> Fraction:
    numerator = _integer_root(value.numerator, degree)
    denominator = _integer_root(value.denominator, degree)
    return Fraction(numerator, denominator)


def _integer_root(n: int, degree: int) -> int:
    root = round(n ** (1.0 / degree)) if n < 2**1000 else None
    if root is None:
        raise Inexact
    for candidate in (root - 1, root, root + 1):
        if candidate >= 0 and candidate**degree == n:
            return candidate
    raise Inexact


def _size_symbols(free: frozenset[Any]) -> list[Symbol]:
    found = {
        s
        for s in free
        if isinstance(s, Symbol) and not isinstance(s, Idx) and s.is_integer and s.is_positive
    }
    return sorted(found, key=str)


def sum_depth(expr: Expr) -> int:
    """The most summation indices nested around any term of ``expr`` (0 without sums)."""
    if isinstance(expr, Sum):
        return len(expr.limits) + sum_depth(expr.function)
    return max((sum_depth(a) for a in expr.args if isinstance(a, Expr)), default=0)


def largest_size(depth: int) -> int:
    """The largest random size to try for sums nested ``depth`` deep: about 30, fewer when deeply nested.

    A trial adds up to ``size ** depth`` terms; the cap keeps that near TERMS_PER_TRIAL, but never
    below the first random size (4), so a wrong factor such as (m−1)(m−2)(m−3) is still caught.
    """
    low, high = RANDOM_SIZE_RANGE
    if depth <= 1:
        return high
    return max(low, min(high, int(TERMS_PER_TRIAL ** (1 / depth))))


def size_schedule(
    sizes: list[Symbol], rng: random.Random, trials: int, depth: int = 1
) -> list[dict[Symbol, int]]:
    """Concrete sizes for each trial: small ones first (1, 2, 3), then random ones up to about 30."""
    if not sizes:
        return [{} for _ in range(trials)]
    if len(sizes) == 1:
        chosen = list(SINGLE_SIZE_SCHEDULE)
        while len(chosen) < trials:
            chosen.append(rng.randint(RANDOM_SIZE_RANGE[0], largest_size(depth)))
        return [{sizes[0]: n} for n in chosen[:trials]]
    cap = MULTI_SIZE_CAP.get(len(sizes), 4)
    plans = [dict.fromkeys(sizes, 1), dict.fromkeys(sizes, 2)]
    while len(plans) < trials:
        plans.append({s: rng.randint(1, cap) for s in sizes})
    return plans[:trials]


def compare(
    lhs: Expr,
    rhs: Expr,
    *,
    seed: int,
    trials: int = 6,
    assumptions: tuple[Relational, ...] = (),
) -> NumericOutcome:
    """Evaluate both sides at ``trials`` random points and report agreement or a counterexample."""
    rng = random.Random(seed)
    free = _free_symbols(lhs) | _free_symbols(rhs)
    sizes = _size_symbols(free)
    indices = sorted((s for s in free if isinstance(s, Idx)), key=str)
    exactness = _Exactness()
    agreed, skipped, reason = 0, 0, ""
    used_sizes: list[tuple[tuple[str, int], ...]] = []
    depth = max(sum_depth(lhs), sum_depth(rhs))
    for plan in size_schedule(sizes, rng, trials, depth):
        try:
            result = _one_trial(lhs, rhs, plan, rng, assumptions, indices, exactness)
        except OutOfDomain as exc:
            skipped, reason = skipped + 1, str(exc)
            continue
        if isinstance(result, Counterexample):
            return NumericOutcome(agreed, tuple(used_sizes), result, skipped, reason)
        agreed += 1
        used_sizes.append(tuple((str(s), n) for s, n in plan.items()))
    return NumericOutcome(agreed, tuple(used_sizes), None, skipped, reason)


def _one_trial(
    lhs: Expr,
    rhs: Expr,
    plan: dict[Symbol, int],
    rng: random.Random,
    assumptions: tuple[Relational, ...],
    indices: list[Idx],
    exactness: _Exactness,
) -> Counterexample | None:
    last = "no admissible values"
    for _ in range(RESAMPLES):
        point = _Point(rng, {s: Fraction(n) for s, n in plan.items()})
        for s, n in plan.items():
            point.used[s] = Fraction(n)
        try:
            _fix_indices(indices, point)
            if not all(_holds(a, point) for a in assumptions):
                continue
            return _differ(lhs, rhs, point, exactness)
        except OutOfDomain as exc:
            last = str(exc)
    raise OutOfDomain(last)


def _fix_indices(indices: list[Idx], point: _Point) -> None:
    """Give each free index a value inside its declared range at this point's sizes."""
    for idx in indices:
        if idx.lower is None or idx.upper is None:
            raise NotEvaluable(
                f"the index {idx} has no range; make it with symbn.index(name, upper)"
            )
        evaluator = _Evaluator(point, exact=True)
        low, high = evaluator.integer(idx.lower), evaluator.integer(idx.upper)
        if low > high:
            raise OutOfDomain(f"the index {idx} has an empty range here")
        point.values[idx] = point.used[idx] = Fraction(point.rng.randint(low, high))


def _holds(assumption: Relational, point: _Point) -> bool:
    if isinstance(assumption, BooleanAtom):
        return bool(assumption)
    evaluator = _Evaluator(point, exact=False)
    with mpmath.workdps(60):
        left, right = evaluator(assumption.lhs), evaluator(assumption.rhs)
        return _relation(assumption, left, right)


def _relation(assumption: Relational, left: Number, right: Number) -> bool:
    op = assumption.rel_op
    return {
        "==": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


@dataclass
class _Exactness:
    """Whether exact rational evaluation is still worth trying for this claim.

    Once it has met an irrational value (a square root of a non-square) the remaining trials go
    straight to high-precision floats, which decide just as soundly (a difference is confirmed at
    120 digits), without first redoing most of the work in rationals.
    """

    worth_trying: bool = True


def _differ(
    lhs: Expr, rhs: Expr, point: _Point, exactness: _Exactness | None = None
) -> Counterexample | None:
    exactness = exactness or _Exactness()
    try:
        if exactness.worth_trying:
            evaluator = _Evaluator(point, exact=True)
            left, right = evaluator(lhs), evaluator(rhs)
            if left == right:
                return None
            return _counterexample(point, left, right, exact=True)
    except ZeroDivisionError:
        raise OutOfDomain("division by zero") from None
    except Inexact:
        exactness.worth_trying = False
    try:
        return _differ_in_floats(lhs, rhs, point)
    except ZeroDivisionError:
        raise OutOfDomain("division by zero") from None


def _differ_in_floats(lhs: Expr, rhs: Expr, point: _Point) -> Counterexample | None:
    with mpmath.workdps(60):
        evaluator = _Evaluator(point, exact=False)
        left, right = evaluator(lhs), evaluator(rhs)
        if _close(left, right, TOLERANCE_DIGITS):
            return None
    with mpmath.workdps(120):
        evaluator = _Evaluator(point, exact=False)
        left, right = evaluator(lhs), evaluator(rhs)
        if _close(left, right, 2 * TOLERANCE_DIGITS):
            return None
        return _counterexample(point, left, right, exact=False)


def _close(left: Number, right: Number, digits: int) -> bool:
    scale = max(mpmath.mpf(1), abs(left), abs(right))
    return bool(abs(left - right) <= scale * mpmath.mpf(10) ** (-digits))


def _counterexample(point: _Point, left: Number, right: Number, *, exact: bool) -> Counterexample:
    show = str if exact else (lambda v: mpmath.nstr(v, 15))
    return Counterexample(point.assignment(), show(left), show(right), show(left - right), exact)
