"""Evaluation of a SymPy tree at one point: exact where the values are rational, certified elsewhere.

Values are exact rationals (:class:`~fractions.Fraction`), exact Gaussian rationals
(:class:`Gauss`) or mpmath intervals. An operation on exact values stays exact; an irrational
result (``sqrt(2)``, ``exp(1)``, ``pi``) becomes an interval that certainly contains the true value
at the working precision. Nothing is ever compared within a tolerance: a comparison of intervals
that overlap is :class:`Undetermined` (the caller raises the precision or decides otherwise).

Over the reals (every symbol real) a value that would not be real (``sqrt(-2)``, ``log(-1)``) is
:class:`Undefined`, as is a division by an exact zero: the caller decides what a side that is
undefined at a point means. No text is ever evaluated: this walks SymPy trees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
from mpmath import iv
from sympy import (
    Abs,
    Add,
    Basic,
    Derivative,
    DiracDelta,
    Expr,
    Float,
    Heaviside,
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
    Product,
    Sum,
    Symbol,
    atan,
    binomial,
    ceiling,
    conjugate,
    cos,
    cosh,
    erf,
    exp,
    factorial,
    floor,
    im,
    log,
    re,
    sign,
    sin,
    sinh,
    tan,
    tanh,
)
from sympy.core.function import AppliedUndef, Subs
from sympy.core.numbers import (
    ComplexInfinity,
    Exp1,
    ImaginaryUnit,
    Infinity,
    NaN,
    NegativeInfinity,
    Pi,
)
from sympy.core.relational import Relational
from sympy.logic.boolalg import And, BooleanAtom, BooleanFalse, BooleanTrue, Not, Or

from symbn.nonsmooth import KinkedDerivative, kinks_in

MAX_TERMS = 200_000
MAX_FACTORIAL = 2_000
MAX_EXACT_BITS = 200_000
MAX_EXPONENT = 2**20  # e^x beyond this is skipped at that point (its digits alone would not fit)  # a rational with more bits than this is carried as an interval


class NotEvaluable(Exception):
    """The expression holds something the evaluator cannot compute (said in the message)."""


class TooLarge(NotEvaluable):
    """This point needs more work than allowed (terms, digits, a factorial): another point may not."""


class Undefined(Exception):
    """The expression has no value at this point: a division by zero, or a non-real value over the reals."""


class Undetermined(Exception):
    """An interval straddles a point where the answer changes: more precision might decide it."""


class KinkUndecided(Undetermined):
    """Whether a derivative exists at a breakpoint of a non-smooth piece could not be decided."""


@dataclass(frozen=True, slots=True)
class Gauss:
    """An exact complex rational ``re + im·i``."""

    re: Fraction
    im: Fraction

    @staticmethod
    def of(value: Any) -> Gauss:
        return value if isinstance(value, Gauss) else Gauss(Fraction(value), Fraction(0))

    def simplified(self) -> Fraction | Gauss:
        return self.re if self.im == 0 else self

    def __add__(self, other: Any) -> Fraction | Gauss:
        o = Gauss.of(other)
        return Gauss(self.re + o.re, self.im + o.im).simplified()

    __radd__ = __add__

    def __neg__(self) -> Gauss:
        return Gauss(-self.re, -self.im)

    def __sub__(self, other: Any) -> Fraction | Gauss:
        return self + (-Gauss.of(other))

    def __rsub__(self, other: Any) -> Fraction | Gauss:
        return Gauss.of(other) - self

    def __mul__(self, other: Any) -> Fraction | Gauss:
        o = Gauss.of(other)
        return Gauss(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re).simplified()

    __rmul__ = __mul__

    def inverse(self) -> Gauss:
        norm = self.re * self.re + self.im * self.im
        if norm == 0:
            raise Undefined("division by zero")
        return Gauss(self.re / norm, -self.im / norm)

    def __truediv__(self, other: Any) -> Fraction | Gauss:
        return self * Gauss.of(other).inverse()

    def __rtruediv__(self, other: Any) -> Fraction | Gauss:
        return Gauss.of(other) * self.inverse()

    def __pow__(self, n: int) -> Fraction | Gauss:
        base: Gauss = self if n >= 0 else self.inverse()
        result: Fraction | Gauss = Fraction(1)
        for _ in range(abs(n)):
            result = base * result
        return result

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Fraction, int)):
            return self.im == 0 and self.re == other
        if isinstance(other, Gauss):
            return self.re == other.re and self.im == other.im
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.re, self.im))

    def __str__(self) -> str:
        if self.re == 0:
            return f"{self.im}*I"
        sign_ = "+" if self.im >= 0 else "-"
        return f"{self.re} {sign_} {abs(self.im)}*I"


Value = Any  # Fraction | Gauss | iv.mpf | ivmpc


def is_exact(value: Value) -> bool:
    """Whether ``value`` is an exact rational or Gaussian rational (not an interval)."""
    return isinstance(value, (Fraction, Gauss))


@contextmanager
def precision(bits: int) -> Iterator[None]:
    """Interval arithmetic at ``bits`` of working precision, restored afterwards."""
    saved = iv.prec
    iv.prec = bits
    try:
        yield
    finally:
        iv.prec = saved


def to_interval(value: Value) -> Any:
    """An interval that contains ``value`` exactly."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return iv.mpf(value.numerator)
        return iv.mpf(value.numerator) / value.denominator
    if isinstance(value, Gauss):
        return iv.mpc(to_interval(value.re), to_interval(value.im))
    return value


def _is_complex_interval(value: Value) -> bool:
    return type(value).__name__ == "ivmpc"


def real_part(value: Value) -> Value:
    if isinstance(value, Gauss):
        return value.re
    if _is_complex_interval(value):
        return value.real
    return value


def imag_part(value: Value) -> Value:
    if isinstance(value, Gauss):
        return value.im
    if _is_complex_interval(value):
        return value.imag
    if isinstance(value, Fraction):
        return Fraction(0)
    return iv.mpf(0)


def sign_of(value: Value) -> int:
    """The sign of a real value, certified: -1, 0 or 1 (an interval must lie on one side of 0)."""
    if isinstance(value, Fraction):
        return (value > 0) - (value < 0)
    if isinstance(value, Gauss) or _is_complex_interval(value):
        raise NotEvaluable("a comparison of complex values")
    if value.a > 0:
        return 1
    if value.b < 0:
        return -1
    if value.a == 0 and value.b == 0:
        return 0
    raise Undetermined("an interval contains 0")


def compare(left: Value, right: Value) -> int:
    """-1, 0 or 1 as ``left`` is below, equal to or above ``right`` (certified)."""
    if isinstance(left, Fraction) and isinstance(right, Fraction):
        return (left > right) - (left < right)
    return sign_of(subtract(left, right))


def equal(left: Value, right: Value) -> bool:
    """Whether two values are equal: exact values compared exactly; intervals only when disjoint."""
    if is_exact(left) and is_exact(right):
        return bool(left == right)
    difference = to_interval(subtract(left, right))
    if _is_complex_interval(difference):
        parts = [difference.real, difference.imag]
    else:
        parts = [difference]
    if any(p.a > 0 or p.b < 0 for p in parts):
        return False
    raise Undetermined("the two values agree to the working precision")


def subtract(left: Value, right: Value) -> Value:
    if is_exact(left) and is_exact(right):
        return left - right
    return to_interval(left) - to_interval(right)


def _exact_fraction(expr: Any) -> Fraction:
    return Fraction(int(expr.p), int(expr.q))


def _float_fraction(expr: Float) -> Fraction:
    sign_, man, exponent, _ = expr._mpf_
    value = Fraction(int(man)) * (Fraction(2) ** int(exponent))
    return -value if sign_ else value


def _integer_root(n: int, degree: int) -> int | None:
    """The exact ``degree``-th root of a non-negative integer, or None."""
    if n < 2:
        return n
    if n.bit_length() > MAX_EXACT_BITS:
        return None
    low, high = 0, 1 << (n.bit_length() // degree + 1)
    while low < high:
        mid = (low + high) // 2
        if mid**degree < n:
            low = mid + 1
        else:
            high = mid
    return low if low**degree == n else None


class Point:
    """One assignment of values, drawn lazily by ``draw`` as evaluation meets each unknown.

    Keys are symbols, ``(base, indices)`` for family entries, and ``(function, ...)`` tuples for
    the values of undefined functions (a random function: one value per distinct argument).
    """

    def __init__(self, draw: Callable[[Any, Basic], Value]) -> None:
        self.draw = draw
        self.values: dict[Any, Value] = {}
        self.used: dict[Any, Value] = {}
        self.what: dict[Any, Basic] = {}
        self.touched: set[Any] | None = None
        self.solved_on: frozenset[Any] = frozenset()  # the factors of equalities solved here

    def value(self, key: Any, what: Basic) -> Value:
        if key not in self.values:
            self.values[key] = self.draw(key, what)
        self.what.setdefault(key, what)
        value = self.values[key]
        if key not in self.used:
            self.used[key] = value
        if self.touched is not None:
            self.touched.add(key)
        return value

    def set(self, key: Any, value: Value) -> None:
        self.values[key] = value


class Evaluator:
    """Evaluates SymPy trees at a :class:`Point`; ``real`` selects the semantics over the reals."""

    def __init__(self, point: Point, *, real: bool) -> None:
        self.point = point
        self.real = real
        self.bound: dict[Any, Fraction] = {}
        self.counters: dict[Any, int] = {}  # the same summation indices, as plain integers
        self.cache: dict[Any, Value] = {}
        self.terms = 0
        # While the function of a derivative through |u|, max, cases … is evaluated: its pieces
        # that depend on the variable, and whether one of them was at its breakpoint.
        self.watch: frozenset[Any] | None = None
        self.kinked = False

    # Dispatch -----------------------------------------------------------------------------

    def __call__(self, expr: Any) -> Value:
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            handler = _HANDLERS[type(expr)] = _handler_for(expr)
        return handler(self, expr)

    def _rational(self, expr: Any) -> Value:
        return _exact_fraction(expr)

    def _float(self, expr: Any) -> Value:
        return _float_fraction(expr)

    def _symbol(self, expr: Any) -> Value:
        known = self.bound.get(expr)
        if known is not None:
            return known
        return self.point.value(expr, expr)

    def _indexed(self, expr: Indexed) -> Value:
        indices = tuple(self.integer(i) for i in expr.indices)
        return self.point.value((expr.base, indices), expr)

    def _add(self, expr: Add) -> Value:
        values = [self(a) for a in expr.args]
        total = values[0]
        for value in values[1:]:
            total = self.plus(total, value)
        return total

    def _mul(self, expr: Mul) -> Value:
        product: Value = Fraction(1)
        for factor in expr.args:
            product = self.times(product, self(factor))
        return product

    def _pow(self, expr: Pow) -> Value:
        return self.power(self(expr.base), expr.exp)

    def _sum(self, expr: Sum) -> Value:
        return self.bounded(expr, Fraction(0), self.plus)

    def _product(self, expr: Product) -> Value:
        return self.bounded(expr, Fraction(1), self.times)

    def _constant(self, expr: Any) -> Value:
        if isinstance(expr, ImaginaryUnit):
            if self.real:
                raise NotEvaluable("the imaginary unit in a real evaluation")
            return Gauss(Fraction(0), Fraction(1))
        if isinstance(expr, Pi):
            return iv.pi
        if isinstance(expr, Exp1):
            return iv.e
        if isinstance(expr, (ComplexInfinity, NaN, Infinity, NegativeInfinity)):
            raise Undefined(f"the value {expr}")
        raise NotEvaluable(f"cannot evaluate the constant {expr}")

    def _boolean(self, expr: Any) -> Value:
        return self.truth(expr)

    # Arithmetic ---------------------------------------------------------------------------

    def plus(self, left: Value, right: Value) -> Value:
        if is_exact(left) and is_exact(right):
            return left + right
        return to_interval(left) + to_interval(right)

    def times(self, left: Value, right: Value) -> Value:
        if is_exact(left) and is_exact(right):
            result = left * right
            if isinstance(result, Fraction) and (
                result.numerator.bit_length() > MAX_EXACT_BITS
                or result.denominator.bit_length() > MAX_EXACT_BITS
            ):
                raise TooLarge("a number with more than 200,000 bits")
            return result
        if (is_exact(left) and left == 0) or (is_exact(right) and right == 0):
            return Fraction(0)
        return to_interval(left) * to_interval(right)

    def inverse(self, value: Value) -> Value:
        if isinstance(value, Fraction):
            if value == 0:
                raise Undefined("division by zero")
            return 1 / value
        if isinstance(value, Gauss):
            return value.inverse()
        self.nonzero(value)
        return 1 / value

    def nonzero(self, value: Value) -> None:
        """Raise Undetermined when an interval may contain 0 (its value might be a pole)."""
        parts = [value.real, value.imag] if _is_complex_interval(value) else [value]
        if all(p.a <= 0 <= p.b for p in parts):
            raise Undetermined("a divisor whose interval contains 0")

    def power(self, base: Value, exponent: Expr) -> Value:
        if exponent.is_Integer:
            n = int(exponent)
            if n < 0:
                base = self.inverse(base)
                n = -n
            if is_exact(base):
                if n * max(1, _bits(base)) > MAX_EXACT_BITS:
                    raise TooLarge("a power with more than 200,000 bits")
                return base**n
            return base**n
        if exponent.is_Rational:
            return self.rational_power(base, int(exponent.p), int(exponent.q))
        value = self(exponent)
        if isinstance(value, Fraction):
            # A symbolic exponent that is exactly rational here ((-1)^m, (-1)^i in a sum, x^(1/m))
            # is that power: (-1)^1 = -1, not "a non-integer power of a negative number".
            if value.denominator == 1:
                return self.power(base, Integer(value.numerator))
            return self.rational_power(base, value.numerator, value.denominator)
        return self.general_power(base, value)

    def rational_power(self, base: Value, p: int, q: int) -> Value:
        """``base ** (p/q)`` on the principal branch (undefined over the reals below 0)."""
        if isinstance(base, Fraction):
            if base == 0:
                if p < 0:
                    raise Undefined("division by zero")
                return Fraction(0)
            if base > 0:
                top, bottom = _integer_root(base.numerator, q), _integer_root(base.denominator, q)
                if top is not None and bottom is not None:
                    return self.power(Fraction(top, bottom), Integer(p))
            elif self.real:
                raise Undefined("a fractional power of a negative number is not real")
            elif q == 2:
                top, bottom = _integer_root(-base.numerator, 2), _integer_root(base.denominator, 2)
                if top is not None and bottom is not None:
                    return Gauss(Fraction(0), Fraction(top, bottom)) ** p
        elif self.real and not is_exact(base) and not _is_complex_interval(base):
            if base.b < 0:
                raise Undefined("a fractional power of a negative number is not real")
            if base.a < 0:
                raise Undetermined("a fractional power of an interval around 0")
        return self.general_power(base, Fraction(p, q))

    def general_power(self, base: Value, exponent: Value) -> Value:
        """``base ** exponent`` on the principal branch, for an exponent that is not an integer."""
        complex_base = isinstance(base, Gauss) or _is_complex_interval(base)
        complex_exponent = isinstance(exponent, Gauss) or _is_complex_interval(exponent)
        if not complex_base:
            side = sign_of(base)
            if side == 0:
                if sign_of(real_part(exponent)) <= 0:
                    raise Undefined("a non-positive power of zero")
                return Fraction(0)
            if side > 0 and not complex_exponent:
                power = to_interval(exponent) * iv.log(to_interval(base))
                if abs(power).b > MAX_EXPONENT:
                    raise TooLarge(f"a power beyond e^{MAX_EXPONENT}")
                return iv.exp(power)
            if side < 0 and self.real:
                raise Undefined("a non-integer power of a negative number is not real")
        if self.real:
            raise NotEvaluable("a complex power in a real evaluation")
        return iv.exp(to_interval(exponent) * self.complex_log(base))

    def complex_log(self, value: Value) -> Any:
        """The principal logarithm of a non-zero value, as a complex interval."""
        if isinstance(value, Fraction) and value < 0:
            return iv.mpc(iv.log(to_interval(-value)), iv.pi)
        z = to_interval(value)
        if not _is_complex_interval(z):
            z = iv.mpc(z)
        self.nonzero(z)
        return _complex_log(z)

    def integer(self, expr: Expr) -> int:
        """An index or a bound, which must be an exact integer here."""
        fast = self.counters.get(expr)
        if fast is not None:
            return fast
        known = self.bound.get(expr)
        if known is None:
            known = self(expr)
        if isinstance(known, Fraction) and known.denominator == 1:
            return int(known)
        raise NotEvaluable(f"the index {expr} is not an integer here")

    def bounded(self, expr: Any, start: Value, combine: Callable[[Value, Value], Value]) -> Value:
        """A finite sum or product, term by term at the point's sizes.

        The terms are those of the indices ``lower ≤ i ≤ upper``: a range whose upper limit is
        below its lower limit is empty (a sum 0, a product 1), as a reader reads it, and never
        SymPy's Karr convention (under which ``Σ_{i=3}^{1} 1 = −1``).
        """
        free = _free_symbols(expr) & set(self.bound)
        if not free and expr in self.cache:
            return self.cache[expr]
        result = self._limits(expr.function, list(expr.limits), start, combine)
        if not free:
            self.cache[expr] = result
        return result

    def _limits(
        self, body: Expr, limits: list[Any], start: Value, combine: Callable[[Value, Value], Value]
    ) -> Value:
        if not limits:
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise TooLarge(f"more than {MAX_TERMS} terms to add at these sizes")
            return self(body)
        var, lower, upper = limits[-1]
        low, high = self.integer(lower), self.integer(upper)
        total = start
        if high < low:
            return total  # an empty range: no terms
        saved, saved_counter = self.bound.get(var), self.counters.get(var)
        try:
            for value in range(low, high + 1):
                self.bound[var] = _fraction_of(value)
                self.counters[var] = value
                total = combine(total, self._limits(body, limits[:-1], start, combine))
        finally:
            if saved is None:
                self.bound.pop(var, None)
                self.counters.pop(var, None)
            else:
                self.bound[var] = saved
                if saved_counter is not None:
                    self.counters[var] = saved_counter
        return total

    # Functions ----------------------------------------------------------------------------

    def _function(self, expr: Any) -> Value:
        for cls, method in _FUNCTIONS:
            if isinstance(expr, cls):
                return method(self, expr)
        raise NotEvaluable(f"cannot evaluate {type(expr).__name__} numerically")

    def real_value(self, expr: Any) -> Value:
        value = self(expr)
        if isinstance(value, Gauss) or _is_complex_interval(value):
            raise NotEvaluable(f"{type(expr).__name__} of a complex value")
        return value

    def _kink(self, expr: Any, at: bool) -> None:
        """Note that a watched piece is at its breakpoint (``at``), for the derivative being taken."""
        if at and self.watch is not None and expr in self.watch:
            self.kinked = True

    def _watched(self, expr: Any) -> bool:
        return self.watch is not None and expr in self.watch

    def _abs(self, expr: Abs) -> Value:
        value = self(expr.args[0])
        if self._watched(expr):
            if is_exact(value):
                self._kink(expr, value == 0)
            else:
                self.nonzero(to_interval(value))
        if isinstance(value, Fraction):
            return abs(value)
        if isinstance(value, Gauss):
            return self.rational_power(value.re**2 + value.im**2, 1, 2)
        if _is_complex_interval(value):
            return iv.sqrt(value.real**2 + value.imag**2)
        return abs(value)

    def _max_min(self, expr: Any) -> Value:
        values = [self.real_value(a) for a in expr.args]
        best = values[0]
        pick_max = isinstance(expr, Max)
        if self._watched(expr):
            # Two arguments at the extreme: a breakpoint (max(x, 0) at x = 0).
            top = values[0]
            for value in values[1:]:
                order = compare(value, top)
                if (order > 0) if pick_max else (order < 0):
                    top = value
            ties = sum(value is top or compare(value, top) == 0 for value in values)
            self._kink(expr, ties >= 2)
        for value in values[1:]:
            if is_exact(best) and is_exact(value):
                best = max(best, value) if pick_max else min(best, value)
                continue
            a, b = to_interval(best), to_interval(value)
            low = max(a.a, b.a) if pick_max else min(a.a, b.a)
            high = max(a.b, b.b) if pick_max else min(a.b, b.b)
            best = iv.mpf([low, high])
        return best

    def _sign(self, expr: sign) -> Value:
        s = sign_of(self.real_value(expr.args[0]))
        self._kink(expr, s == 0)
        return Fraction(s)

    def _heaviside(self, expr: Heaviside) -> Value:
        s = sign_of(self.real_value(expr.args[0]))
        self._kink(expr, s == 0)
        if s == 0:
            if len(expr.args) > 1:
                return self(expr.args[1])
            return Fraction(1, 2)
        return Fraction(int(s > 0))

    def _delta(self, expr: KroneckerDelta) -> Value:
        left, right = (self(a) for a in expr.args[:2])
        same = equal(left, right)
        self._kink(expr, same)
        return Fraction(int(same))

    def _dirac(self, expr: Any) -> Value:
        """δ(u) as a function: 0 wherever u ≠ 0 (SymPy's derivative of a step); no value at 0."""
        if sign_of(self.real_value(expr.args[0])) == 0:
            raise Undetermined("DiracDelta at 0 is not a number")
        return Fraction(0)

    def _piecewise(self, expr: Piecewise) -> Value:
        for piece, condition in expr.args:
            if self.truth(condition):
                return self(piece)
        raise Undefined("no piece of the Piecewise applies")

    def _floor_ceiling(self, expr: Any) -> Value:
        value = self.real_value(expr.args[0])
        if not is_exact(value):
            low, high = mpmath.floor(value.a), mpmath.floor(value.b)
            if isinstance(expr, ceiling):
                low, high = mpmath.ceil(value.a), mpmath.ceil(value.b)
            if low != high:
                raise Undetermined("an interval across an integer")
            touches = value.a == mpmath.floor(value.a) or value.b == mpmath.floor(value.b)
            if self._watched(expr) and touches:
                raise Undetermined("an interval that reaches an integer")
            return Fraction(int(low))
        self._kink(expr, value.denominator == 1)
        if isinstance(expr, floor):
            return Fraction(value.numerator // value.denominator)
        return Fraction(-((-value.numerator) // value.denominator))

    def _factorial(self, expr: Any) -> Value:
        n = self.integer(expr.args[0])
        if n < 0:
            raise Undefined("the factorial of a negative integer")
        if n > MAX_FACTORIAL:
            raise TooLarge(f"a factorial of more than {MAX_FACTORIAL}")
        product = 1
        for k in range(2, n + 1):
            product *= k
        return Fraction(product)

    def _binomial(self, expr: Any) -> Value:
        n, k = (self.integer(a) for a in expr.args)
        if abs(n) > MAX_FACTORIAL or abs(k) > MAX_FACTORIAL:
            raise TooLarge(f"a binomial beyond {MAX_FACTORIAL}")
        if k < 0:
            return Fraction(0)
        result = Fraction(1)
        for j in range(k):
            result = result * (n - j) / (j + 1)
        return result

    def _conjugate(self, expr: Any) -> Value:
        value = self(expr.args[0])
        if isinstance(value, Gauss):
            return Gauss(value.re, -value.im)
        if _is_complex_interval(value):
            return iv.mpc(value.real, -value.imag)
        return value

    def _re_im(self, expr: Any) -> Value:
        value = self(expr.args[0])
        return real_part(value) if isinstance(expr, re) else imag_part(value)

    def _exp(self, expr: exp) -> Value:
        value = self(expr.args[0])
        if is_exact(value) and value == 0:
            return Fraction(1)
        x = to_interval(value)
        if abs(real_part(x)).b > MAX_EXPONENT:
            raise TooLarge(f"an exponential of a number beyond {MAX_EXPONENT}")
        return iv.exp(x)

    def _log(self, expr: log) -> Value:
        value = self(expr.args[0])
        if is_exact(value):
            if value == 0:
                raise Undefined("the logarithm of zero")
            if value == 1:
                return Fraction(0)
        if not isinstance(value, Gauss) and not _is_complex_interval(value):
            side = sign_of(value)
            if side > 0:
                return iv.log(to_interval(value))
            if side == 0:
                raise Undefined("the logarithm of zero")
            if self.real:
                raise Undefined("the logarithm of a negative number is not real")
        if self.real:
            raise NotEvaluable("a complex logarithm in a real evaluation")
        return self.complex_log(value)

    def _trig(self, expr: Any) -> Value:
        value = self(expr.args[0])
        if is_exact(value) and value == 0 and not isinstance(expr, (cos, cosh)):
            return Fraction(0)
        if isinstance(value, Gauss) or _is_complex_interval(value):
            raise NotEvaluable(f"{type(expr).__name__} of a complex value")
        x = to_interval(value)
        if isinstance(expr, sin):
            return iv.sin(x)
        if isinstance(expr, cos):
            return iv.cos(x)
        if isinstance(expr, tan):
            c = iv.cos(x)
            self.nonzero(c)
            return iv.sin(x) / c
        if isinstance(expr, (sinh, cosh, tanh)):
            up, down = iv.exp(x), iv.exp(-x)
            if isinstance(expr, sinh):
                return (up - down) / 2
            if isinstance(expr, cosh):
                return (up + down) / 2
            # tanh x = 1 − 2/(e^{2x}+1): one occurrence of x, so the interval stays tight.
            return 1 - 2 / (iv.exp(2 * x) + 1)
        if isinstance(expr, atan):
            return iv.atan2(x, iv.mpf(1))
        if isinstance(expr, erf):
            return iv.erf(x)
        raise NotEvaluable(f"cannot evaluate {type(expr).__name__} numerically")

    def _kinked_derivative(self, expr: KinkedDerivative) -> Value:
        """A derivative of a function with non-smooth pieces (|u|, max, ⌊u⌋, cases …).

        Where none of the pieces that depend on the variable is at its breakpoint, the function
        is smooth nearby and SymPy's formula is its derivative. At a breakpoint the derivative
        exists exactly when the branches on either side meet the function's value there with
        equal derivatives (:meth:`_one_sided`); what cannot be decided so is Undetermined.
        """
        if any(not c.is_Integer or c < 0 for c in expr.args[3]):
            raise NotEvaluable("a derivative of a non-smooth function to a symbolic order")
        saved_bound = dict(self.bound)
        outer = (self.watch, self.kinked, self.cache)
        try:
            for v, p in zip(expr.variables, expr.points, strict=True):
                if v != p:
                    self.bound[v] = self(p)
            self.watch, self.kinked, self.cache = _watch_of(expr), False, {}
            try:
                value = self(expr.function)
            finally:
                kinked = self.kinked
                self.watch, self.cache = outer[0], outer[2]
                # A kink inside a derivative is a kink of any derivative taken of it.
                self.kinked = outer[1] or kinked
            if not kinked:
                return self(expr.formula)
            try:
                return self._one_sided(expr, value)
            except KinkUndecided:
                raise
            except Undetermined as exc:
                raise KinkUndecided(f"at a breakpoint: {exc}") from exc
        finally:
            self.bound = saved_bound

    def _one_sided(self, expr: KinkedDerivative, value: Value) -> Value:
        """The derivative at a breakpoint, from the smooth branches on either side of it.

        The function is made one of the variable alone: every other value put in, sums written
        out term by term at this point's sizes. Its branches just right and just left of the
        point must meet its value there, with equal derivatives up to the order taken.
        """
        from sympy import Dummy as _Dummy

        if len(expr.variables) != 1:
            raise KinkUndecided("a partial derivative at a breakpoint of a non-smooth piece")
        v, count = expr.variables[0], expr.counts[0]
        at, x, x0 = self._alone(expr.function, v)
        if not isinstance(x, _Dummy):
            raise KinkUndecided("a derivative at a breakpoint")
        sides = [_Branches(self, x, x0, side).of(at) for side in (1, -1)]
        values = []
        for order in range(count + 1):
            pair = [self._at(branch.diff(x, order) if order else branch, x, x0) for branch in sides]
            if order == 0:
                pair.append(value)
            values.append(pair)
        for order, pair in enumerate(values):
            try:
                same = all(equal(pair[0], other) for other in pair[1:])
            except Undetermined as exc:
                why = f"one-sided derivatives that agree to the precision ({exc})"
                raise KinkUndecided(why) from exc
            if not same:
                what = "the function jumps" if order == 0 else "the one-sided derivatives differ"
                raise Undefined(f"no derivative here: {what} at this breakpoint")
        return values[count][0]

    def _alone(self, function: Expr, v: Any) -> tuple[Expr, Any, Fraction]:
        """``function`` as one of the variable ``v`` alone, with the variable and its value here.

        A family entry ``x[r]`` becomes a fresh variable once the sums are written out and the
        entry is located; every other symbol and entry takes this point's exact value.
        """
        from sympy import Dummy as _Dummy
        from sympy import Rational as _Rational

        def number(value: Value) -> Any:
            if not isinstance(value, Fraction):
                raise KinkUndecided("a derivative at a breakpoint with irrational values")
            return _Rational(value.numerator, value.denominator)

        if function.has(AppliedUndef, Derivative, KinkedDerivative, Product):
            raise KinkUndecided("a derivative at a breakpoint, of a function with unknowns")
        variable: Any = v
        target: Any = None
        if isinstance(v, Indexed):
            target = (v.base, tuple(self.integer(i) for i in v.indices))
            variable = _Dummy(str(v.base), real=True)
        x0 = self(v)
        if not isinstance(x0, Fraction):
            raise KinkUndecided("a derivative at an irrational breakpoint")
        families = {e.base for e in function.atoms(Indexed)}
        labels = {b.label for b in families} | families
        mapping = {
            s: number(self(s))
            for s in function.free_symbols
            if s != v and not isinstance(s, (Indexed, IndexedBase)) and s not in labels
        }
        written = function.xreplace(mapping)
        if written.has(Sum):
            written = _written_out(written)
        entries = {}
        for entry in written.atoms(Indexed):
            if not all(i.is_Integer for i in entry.indices):
                raise KinkUndecided("a family entry whose index is not known at a breakpoint")
            key = (entry.base, tuple(int(i) for i in entry.indices))
            entries[entry] = variable if key == target else number(self(entry))
        written = written.xreplace(entries)
        if written.free_symbols - {variable}:
            raise KinkUndecided("a derivative at a breakpoint with values not known")
        return written, variable, x0

    def _at(self, expr: Expr, v: Any, x0: Fraction) -> Value:
        """``expr`` (a smooth branch) at ``v = x0``; a branch without a value there is undecided."""
        saved = self.bound.get(v)
        self.bound[v] = x0
        try:
            return self(expr)
        except Undefined as exc:
            raise KinkUndecided(f"a branch beside a breakpoint has no value there ({exc})") from exc
        finally:
            if saved is None:
                self.bound.pop(v, None)
            else:
                self.bound[v] = saved

    def _undefined_function(self, expr: AppliedUndef) -> Value:
        args = tuple(self.exact_key(a) for a in expr.args)
        return self.point.value((expr.func, (), args), expr)

    def _derivative(self, expr: Derivative) -> Value:
        inner = expr.expr
        if not isinstance(inner, AppliedUndef):
            raise NotEvaluable("a derivative that could not be carried out")
        positions = []
        for var, count in expr.variable_count:
            if var not in inner.args or not count.is_Integer:
                raise NotEvaluable("a derivative of an unknown function in a composite argument")
            positions.append((inner.args.index(var), int(count)))
        args = tuple(self.exact_key(a) for a in inner.args)
        return self.point.value((inner.func, tuple(sorted(positions)), args), expr)

    def _subs(self, expr: Subs) -> Value:
        saved = dict(self.bound)
        try:
            for var, point in zip(expr.variables, expr.point, strict=True):
                value = self(point)
                if not is_exact(value):
                    raise NotEvaluable("an unknown function at an irrational argument")
                self.bound[var] = value
            return self(expr.expr)
        finally:
            self.bound = saved

    def exact_key(self, expr: Expr) -> Value:
        value = self(expr)
        if not is_exact(value):
            raise NotEvaluable("an unknown function at an irrational argument")
        return value

    # Truth --------------------------------------------------------------------------------

    def truth(self, condition: Any) -> bool:
        """Whether a condition holds at this point (certified, else Undetermined)."""
        return truth_of(
            condition,
            self._relation,
            lambda kind: NotEvaluable(f"cannot decide the condition {kind}"),
        )

    def _relation(self, condition: Relational) -> bool:
        left, right = self(condition.lhs), self(condition.rhs)
        op = condition.rel_op
        if op in ("==", "!="):
            same = equal(left, right)
            self._kink(condition, same)
            return same if op == "==" else not same
        order = compare(left, right)
        self._kink(condition, order == 0)
        return {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[op]


def truth_of(
    condition: Any, relation: Callable[[Relational], bool], refuse: Callable[[str], Exception]
) -> bool:
    """Whether ``condition`` holds: true, false, ``And``/``Or``/``Not`` taken here, each relation
    decided by ``relation``; ``refuse(kind)`` is raised for any other kind of condition."""
    if isinstance(condition, BooleanTrue):
        return True
    if isinstance(condition, BooleanFalse):
        return False
    if isinstance(condition, And):
        return all(truth_of(c, relation, refuse) for c in condition.args)
    if isinstance(condition, Or):
        return any(truth_of(c, relation, refuse) for c in condition.args)
    if isinstance(condition, Not):
        return not truth_of(condition.args[0], relation, refuse)
    if isinstance(condition, Relational):
        return relation(condition)
    raise refuse(type(condition).__name__)


MAX_WRITTEN_TERMS = 2_000  # terms a sum may be written out to, at a breakpoint of a derivative


def _written_out(expr: Expr) -> Expr:
    """``expr`` with every sum (its limits numbers now) written out term by term."""

    def spans(node: Any) -> int:
        total = 1
        for _, low, high in node.limits:
            if not (low.is_Integer and high.is_Integer):
                raise KinkUndecided("a sum whose limits are not known at a breakpoint")
            total *= max(1, int(high) - int(low) + 1)
        return total * max((spans(inner) for inner in node.function.atoms(Sum)), default=1)

    if sum(spans(node) for node in expr.atoms(Sum)) > MAX_WRITTEN_TERMS:
        raise KinkUndecided(f"more than {MAX_WRITTEN_TERMS} terms to write out at a breakpoint")

    def write(node: Any) -> Any:
        body = node.function.replace(lambda e: isinstance(e, Sum), write)
        terms = [body]
        for var, low, high in node.limits:
            span = range(int(low), int(high) + 1)
            terms = [t.xreplace({var: Integer(k)}) for t in terms for k in span]
        return Add(*terms)

    return expr.replace(lambda e: isinstance(e, Sum), write)


MAX_SIDE_ORDER = 8  # derivatives looked at to tell on which side of 0 a piece's argument lies


class _Branches:
    """A function with no non-smooth piece left: each replaced by its branch on one side of ``x0``.

    ``side`` is +1 (just right of ``x0``) or −1 (just left). The pieces are replaced from the
    innermost out, so the argument of each is already smooth; its sign beside ``x0`` is the sign
    of its first derivative there that is not 0 (turned by the side for odd orders). Anything that
    cannot be decided that way (an argument flat to every order tried) is Undetermined.
    """

    def __init__(self, evaluator: Evaluator, v: Any, x0: Fraction, side: int) -> None:
        self.evaluator, self.v, self.x0, self.side = evaluator, v, x0, side

    def sign(self, g: Expr) -> int:
        for order in range(MAX_SIDE_ORDER + 1):
            value = self.evaluator._at(g.diff(self.v, order) if order else g, self.v, self.x0)
            s = sign_of(real_part(value))
            if s:
                return s * (self.side**order)
            if not g.has(self.v):
                break
        raise KinkUndecided("a piece's argument is flat at a breakpoint")

    def value(self, g: Expr) -> Fraction:
        value = self.evaluator._at(g, self.v, self.x0)
        if not isinstance(value, Fraction):
            raise KinkUndecided("an irrational value at a breakpoint")
        return value

    def truth(self, condition: Any) -> bool:
        """Whether a condition holds just beside the breakpoint (on this branch's side)."""
        return truth_of(
            condition, self._relation, lambda kind: KinkUndecided(f"a condition {kind} at a breakpoint")
        )

    def _relation(self, condition: Relational) -> bool:
        s = self.sign(self.of(condition.lhs - condition.rhs))
        op = condition.rel_op
        return {">": s > 0, ">=": s > 0, "<": s < 0, "<=": s < 0, "==": False, "!=": True}[op]

    def of(self, expr: Any) -> Any:
        if not isinstance(expr, Basic) or not expr.args or not expr.has(self.v):
            return expr
        if isinstance(expr, Piecewise):
            for piece, condition in expr.args:
                if self.truth(condition):
                    return self.of(piece)
            raise KinkUndecided("no case applies beside a breakpoint")
        args = [self.of(a) for a in expr.args]
        if isinstance(expr, Abs):
            return self.sign(args[0]) * args[0]
        if isinstance(expr, sign):
            return Integer(self.sign(args[0]))
        if isinstance(expr, Heaviside):
            return Integer(int(self.sign(args[0]) > 0))
        if isinstance(expr, (Max, Min)):
            pick_max = isinstance(expr, Max)
            for a in args:
                others = [self.sign(a - b) for b in args if b is not a]
                if all((o > 0) if pick_max else (o < 0) for o in others):
                    return a
            raise KinkUndecided("arguments of max or min that meet to every order")
        if isinstance(expr, (floor, ceiling)):
            u0 = self.value(args[0])
            if u0.denominator != 1:
                whole = u0.numerator // u0.denominator
                return Integer(whole if isinstance(expr, floor) else whole + 1)
            s = self.sign(args[0] - Integer(int(u0)))
            n = int(u0)
            if isinstance(expr, floor):
                return Integer(n if s > 0 else n - 1)
            return Integer(n + 1 if s > 0 else n)
        if isinstance(expr, (KroneckerDelta, DiracDelta)):
            difference = args[0] - args[1] if isinstance(expr, KroneckerDelta) else args[0]
            self.sign(difference)
            return Integer(0)
        return expr.func(*args)


@lru_cache(maxsize=1024)
def _watch_of(expr: KinkedDerivative) -> frozenset[Any]:
    """The pieces of a derivative's function whose breakpoints matter: those on its variables."""
    return frozenset(kinks_in(expr.function, list(expr.variables)))


@lru_cache(maxsize=8192)
def _free_symbols(expr: Expr) -> frozenset[Any]:
    """``expr.free_symbols``, remembered: SymPy recomputes it for a Sum on every call."""
    return frozenset(expr.free_symbols)


_SMALL_FRACTIONS = [Fraction(n) for n in range(4096)]


def _fraction_of(n: int) -> Fraction:
    """``Fraction(n)``, shared for the small integers a summation index runs over."""
    return _SMALL_FRACTIONS[n] if 0 <= n < 4096 else Fraction(n)


def _bits(value: Fraction | Gauss) -> int:
    if isinstance(value, Gauss):
        return max(_bits(value.re), _bits(value.im))
    return max(value.numerator.bit_length(), value.denominator.bit_length())


def _complex_log(z: Any) -> Any:
    """The principal logarithm of a complex interval that does not straddle the negative real axis."""
    x, y = z.real, z.imag
    if x.b < 0 and y.a <= 0 <= y.b and not (y.a == 0 and y.b == 0):
        raise Undetermined("a complex logarithm across its branch cut")
    modulus = iv.sqrt(x * x + y * y)
    return iv.mpc(iv.log(modulus), iv.atan2(y, x))


_FUNCTIONS: list[tuple[Any, Callable[[Evaluator, Any], Value]]] = [
    (KinkedDerivative, Evaluator._kinked_derivative),
    (DiracDelta, Evaluator._dirac),
    (Abs, Evaluator._abs),
    ((Max, Min), Evaluator._max_min),
    (sign, Evaluator._sign),
    (Heaviside, Evaluator._heaviside),
    (KroneckerDelta, Evaluator._delta),
    (Piecewise, Evaluator._piecewise),
    ((floor, ceiling), Evaluator._floor_ceiling),
    (factorial, Evaluator._factorial),
    (binomial, Evaluator._binomial),
    (conjugate, Evaluator._conjugate),
    ((re, im), Evaluator._re_im),
    (exp, Evaluator._exp),
    (log, Evaluator._log),
    ((sin, cos, tan, sinh, cosh, tanh, atan, erf), Evaluator._trig),
    (AppliedUndef, Evaluator._undefined_function),
    (Derivative, Evaluator._derivative),
    (Subs, Evaluator._subs),
]

_HANDLERS: dict[type, Callable[[Evaluator, Any], Value]] = {}


def _handler_for(expr: Any) -> Callable[[Evaluator, Any], Value]:
    """How the evaluator treats every expression of this class (decided once per class)."""
    if isinstance(expr, (BooleanAtom, Relational, And, Or, Not)):
        return Evaluator._boolean
    if getattr(expr, "is_Rational", False):
        return Evaluator._rational
    if getattr(expr, "is_Float", False):
        return Evaluator._float
    for cls, handler in (
        ((Symbol, Idx), Evaluator._symbol),
        (Indexed, Evaluator._indexed),
        (Sum, Evaluator._sum),
        (Product, Evaluator._product),
        (Add, Evaluator._add),
        (Mul, Evaluator._mul),
        (Pow, Evaluator._pow),
    ):
        if isinstance(expr, cls):
            return handler
    if getattr(expr, "is_NumberSymbol", False) or (getattr(expr, "is_number", False) and not expr.args):
        return Evaluator._constant
    if isinstance(expr, (ImaginaryUnit, ComplexInfinity, NaN, Infinity, NegativeInfinity)):
        return Evaluator._constant
    return Evaluator._function


__all__ = [
    "Evaluator",
    "Gauss",
    "KinkUndecided",
    "NotEvaluable",
    "Point",
    "TooLarge",
    "Undefined",
    "Undetermined",
    "equal",
    "is_exact",
    "precision",
    "to_interval",
]
