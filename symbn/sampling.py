"""Where the numeric trials look: values for every unknown, sizes, and the indices' ranges.

Two kinds of point. A **generic** point draws every value uniformly from a large finite set (for
reals ``k / q`` with ``|k| ≤ 2**40`` and ``q`` a prime drawn afresh for each point from
``[2**30, 2**31)``, one that divides no number the claim writes; for integers ``|k| ≤ 2**40``), so
that a false rational-function identity agrees at it with probability at most
``degree / size of the set`` (Schwartz–Zippel). The denominator varies because a fixed one is a
structure a claim can exploit: with every real a multiple of ``2**-30``, ``sin(2**30·10**30·π x)``
is 0 at every generic point, yet not 0 at ``x = 1/3``. A **special** point draws
from values where identities that hold only on part of the domain break: 0, ±1, ±tiny, ±huge, the
constants the claim itself contains and their neighbours, and values already drawn (so that
``a = b`` and ``a = −b`` happen). Every value respects every SymPy assumption of its symbol
(integer, positive, nonnegative, nonzero, even, odd, real or complex).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sympy import Basic, Expr, Float, Idx, Indexed, Number, Symbol

from symbn.evaluate import Gauss, NotEvaluable

GENERIC_DENOMINATORS = (2**30, 2**31)  # generic reals k/q, q a prime here: within ±1024 (e^x is computable)
GENERIC_REACH = 2**40  # numerators of generic reals, and generic integers, lie in [-reach, reach]
TINY = (Fraction(1, 10**3), Fraction(1, 10**9), Fraction(1, 10**15), Fraction(1, 10**30))
HUGE = (Fraction(10**3), Fraction(10**9), Fraction(10**15), Fraction(10**30))
SPECIAL_REALS = (
    Fraction(0),
    Fraction(1),
    Fraction(-1),
    Fraction(2),
    Fraction(-2),
    Fraction(1, 2),
    Fraction(-1, 2),
    Fraction(1, 3),
    Fraction(1, 4),
    Fraction(-1, 4),
    Fraction(3, 4),
    Fraction(-1, 3),
    Fraction(1, 10),
    Fraction(3),
    Fraction(7),
)


@dataclass(frozen=True)
class Domain:
    """The values an unknown may take, read off its SymPy assumptions."""

    integer: bool = False
    complex: bool = False
    positive: bool = False
    nonnegative: bool = False
    negative: bool = False
    nonpositive: bool = False
    nonzero: bool = False
    even: bool = False
    odd: bool = False
    zero: bool = False

    def admits(self, value: Any) -> bool:
        """Whether ``value`` satisfies every assumption of this domain."""
        if isinstance(value, Gauss):
            return self.complex and not self.zero and not self.integer
        if not isinstance(value, Fraction):
            return False
        checks = (
            (self.integer, value.denominator == 1),
            (self.positive, value > 0),
            (self.nonnegative, value >= 0),
            (self.negative, value < 0),
            (self.nonpositive, value <= 0),
            (self.nonzero, value != 0),
            (self.zero, value == 0),
            (self.even, value.denominator == 1 and value.numerator % 2 == 0),
            (self.odd, value.denominator == 1 and value.numerator % 2 == 1),
        )
        return all(ok for required, ok in checks if required)

    @property
    def description(self) -> str:
        facts = [
            name
            for name in ("positive", "nonnegative", "negative", "nonpositive", "nonzero", "even", "odd")
            if getattr(self, name)
        ]
        kind = "integer" if self.integer else "complex" if self.complex else "real"
        return " ".join([*facts, kind])


_UNSAMPLABLE = ("prime", "composite", "irrational", "transcendental", "infinite", "noninteger")


def domain_of(what: Basic) -> Domain:
    """The domain of a symbol, a family entry or an unknown function's value, from its assumptions."""
    for fact in _UNSAMPLABLE:
        if getattr(what, f"is_{fact}", None):
            raise NotEvaluable(f"cannot draw values that are {fact} (for {what})")
    if getattr(what, "is_zero", None):
        return Domain(zero=True, integer=bool(what.is_integer))
    real = bool(what.is_real or what.is_extended_real)
    integer = bool(what.is_integer)
    if isinstance(what, Idx):
        integer, real = True, True
    if getattr(what, "is_imaginary", None):
        raise NotEvaluable(f"cannot draw purely imaginary values (for {what})")
    return Domain(
        integer=integer,
        complex=not real and not integer,
        positive=bool(what.is_positive),
        nonnegative=bool(what.is_nonnegative),
        negative=bool(what.is_negative),
        nonpositive=bool(what.is_nonpositive),
        nonzero=bool(what.is_nonzero) or bool(what.is_positive) or bool(what.is_negative),
        even=bool(what.is_even),
        odd=bool(what.is_odd),
    )


def constants_of(exprs: list[Expr]) -> list[Fraction]:
    """The numbers a claim writes (beyond 0 and ±1), each a place where a piecewise rule may turn."""
    found: set[Fraction] = set()
    for expr in exprs:
        for number in expr.atoms(Number):
            if isinstance(number, Float):
                sign, man, exponent, _ = number._mpf_
                value = Fraction(int(man)) * Fraction(2) ** int(exponent) * (-1 if sign else 1)
            elif number.is_Rational:
                value = Fraction(int(number.p), int(number.q))
            else:
                continue
            if value not in (0, 1, -1) and abs(value.numerator) < 10**60 and value.denominator < 10**60:
                found.add(value)
    return sorted(found, key=lambda v: (abs(v), v))[:24]


class Sampler:
    """Draws values for one trial; ``generic`` picks the Schwartz–Zippel set, else special values."""

    def __init__(
        self,
        rng: random.Random,
        constants: list[Fraction],
        *,
        generic: bool,
        reach: int = 0,
    ) -> None:
        self.rng = rng
        self.constants = constants
        self.generic = generic
        self.reach = reach  # generic reals are k/q times 4^e, |e| ≤ reach (0 unless assumptions reject)
        self.drawn: list[Fraction] = []
        self._denominator: int | None = None

    @property
    def denominator(self) -> int:
        """This point's denominator of generic reals: a random prime that divides no constant of the claim."""
        if self._denominator is None:
            from sympy import nextprime

            low, high = GENERIC_DENOMINATORS
            while True:
                q = int(nextprime(self.rng.randrange(low, high - 2**20)))
                if not any(c.numerator % q == 0 or c.denominator % q == 0 for c in self.constants if c):
                    break
            self._denominator = q
        return self._denominator

    def __call__(self, key: Any, what: Basic) -> Any:
        domain = domain_of(what)
        for _ in range(200):
            value = self.candidate(domain)
            if domain.admits(value):
                if isinstance(value, Fraction):
                    self.drawn.append(value)
                return value
        raise NotEvaluable(f"cannot draw a value that is {domain.description} (for {what})")

    def candidate(self, domain: Domain) -> Any:
        if domain.zero:
            return Fraction(0)
        if domain.complex:
            shape = self.rng.random()
            real, imag = self.real(domain), self.real(domain)
            if shape < 0.15:
                return real
            if shape < 0.3:
                return Gauss(Fraction(0), imag) if imag else Gauss(Fraction(0), Fraction(1))
            return Gauss(real, imag) if imag else real
        value = self.integer(domain) if domain.integer else self.real(domain)
        if domain.positive or domain.nonnegative:
            value = abs(value)
            if domain.positive and value == 0:
                value = Fraction(1)
        elif domain.negative or domain.nonpositive:
            value = -abs(value)
            if domain.negative and value == 0:
                value = Fraction(-1)
        if domain.even and value.denominator == 1 and value.numerator % 2:
            value += 1
        if domain.odd and value.denominator == 1 and value.numerator % 2 == 0:
            value += 1
        return value

    def real(self, domain: Domain) -> Fraction:
        if self.generic:
            k = self.rng.randint(-GENERIC_REACH, GENERIC_REACH)
            value = Fraction(k, self.denominator)
            if self.reach:
                value *= Fraction(4) ** self.rng.randint(-self.reach, self.reach)
            return value
        return self.special(integer=False)

    def integer(self, domain: Domain) -> Fraction:
        if self.generic:
            return Fraction(self.rng.randint(-GENERIC_REACH, GENERIC_REACH))
        value = self.special(integer=True)
        if value.denominator != 1:
            value = Fraction(value.numerator // value.denominator)
        return value

    def special(self, *, integer: bool) -> Fraction:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12 and self.drawn:
            earlier = rng.choice(self.drawn)
            return earlier if rng.random() < 0.6 else -earlier
        if roll < 0.42 and self.constants:
            c = rng.choice(self.constants)
            step = Fraction(1) if integer else rng.choice((Fraction(1), *TINY[:2], c / 2))
            return rng.choice((c, -c, c + step, c - step, 2 * c, c / 2 if not integer else c))
        if roll < 0.6:
            return rng.choice(SPECIAL_REALS)
        if roll < 0.72:
            value = rng.choice(HUGE) if integer or rng.random() < 0.5 else rng.choice(TINY)
            return value * rng.choice((1, -1))
        if integer:
            return Fraction(rng.randint(-1000, 1000))
        denominator = rng.choice((1, 2, 3, 7, 10, 64, 1000))
        return Fraction(rng.randint(-50 * denominator, 50 * denominator), denominator)


def is_size(s: Any) -> bool:
    """Whether ``s`` is a size: a positive integer symbol that is not an index."""
    return isinstance(s, Symbol) and not isinstance(s, Idx) and bool(s.is_integer and s.is_positive)


def family_ranges(exprs: list[Expr]) -> dict[tuple[Any, int], tuple[Expr, Expr]]:
    """For each family and index position, the range a sum or an index gives it in the claim."""
    from sympy import Sum

    ranges: dict[tuple[Any, int], tuple[Expr, Expr]] = {}

    def visit(expr: Any, limits: dict[Any, tuple[Expr, Expr]]) -> None:
        if isinstance(expr, Sum):
            inner = dict(limits)
            for var, low, high in expr.limits:
                inner[var] = (low, high)
            visit(expr.function, inner)
            return
        if isinstance(expr, Indexed):
            for position, index in enumerate(expr.indices):
                if index in limits:
                    ranges.setdefault((expr.base, position), limits[index])
                elif isinstance(index, Idx) and index.lower is not None:
                    ranges.setdefault((expr.base, position), (index.lower, index.upper))
        for arg in getattr(expr, "args", ()):
            if isinstance(arg, Basic):
                visit(arg, limits)

    for expr in exprs:
        visit(expr, {})
    return ranges


def free_integer_indices(
    exprs: list[Expr], ranges: dict[tuple[Any, int], tuple[Expr, Expr]]
) -> dict[Symbol, tuple[Expr, Expr]]:
    """Free integer symbols written as an index of a family with a known range: they range over it.

    ``∂ℓ/∂x_k`` of a loss over a batch ``x_1 … x_m`` is about ``k`` in ``1..m``, not ``k = −4``.
    A range that runs to the symbol itself (``R_n`` beside ``Σ_{i=1}^{n} R_i``) gives it none:
    ``n`` is then the sum's size, sampled as sizes are.
    """
    found: dict[Symbol, tuple[Expr, Expr]] = {}
    for expr in exprs:
        for entry in sorted(expr.atoms(Indexed), key=str):
            for position, index in enumerate(entry.indices):
                if (
                    isinstance(index, Symbol)
                    and not isinstance(index, Idx)
                    and index.is_integer
                    and (entry.base, position) in ranges
                    and index in expr.free_symbols
                    and not any(
                        index in bound.free_symbols for bound in ranges[entry.base, position]
                    )
                ):
                    found.setdefault(index, ranges[entry.base, position])
    return found


__all__ = [
    "GENERIC_REACH",
    "Domain",
    "Sampler",
    "constants_of",
    "domain_of",
    "family_ranges",
    "free_integer_indices",
    "is_size",
]
