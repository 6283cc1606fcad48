"""The adversarial cases of issue 10: true and false claims of every class, built as a user would.

Each case is a derivation built with symbn's public API and plain SymPy whose last line is the claim
under test, with its class (1-11, as numbered in issue 10), its truth written by hand ("true" or
"false", confirmed independently by :mod:`tests.adversarial.truth` in a test), and whether
``undecided`` is an acceptable answer for it beyond the rule that applies to every case (a false
claim may be undecided, never accepted; a true one may be undecided, never refuted). A *misuse*
case is one where the issue says building the derivation must be an error (an assumption about a
symbol the derivation does not use): a :class:`symbn.DerivationError` is acceptable there, and its
truth is that of the claim the user meant (``intended``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import (
    Abs,
    Derivative,
    Eq,
    Heaviside,
    Idx,
    KroneckerDelta,
    Max,
    Min,
    Piecewise,
    Pow,
    Rational,
    Sum,
    Symbol,
    conjugate,
    exp,
    expand,
    im,
    log,
    re,
    sign,
    sqrt,
)

import symbn
from symbn import Derivation

CLASSES = {
    1: "values from a narrow range (0, tiny, huge, breakpoints)",
    2: "sizes beyond 30, nested sums, a size only in an index's range",
    3: "irrational values compared with a tolerance",
    4: "points where one side is undefined",
    5: "SymPy's own assumptions on a symbol",
    6: "equality assumptions",
    7: "assumptions dropped or misapplied",
    8: "Kronecker deltas summed over another range; canonical-name collisions",
    9: "substitution into a derivative's variable or a bound index",
    10: "work outside the budget",
    11: "free indices of a family over 1..m",
}


@dataclass(frozen=True)
class Case:
    """One claim with its ground truth written by hand."""

    cls: int
    name: str
    expected: str
    build: Callable[[], Derivation]
    undecided_ok: bool = False
    misuse: bool = False
    intended: Callable[[], Derivation] | None = None
    hints: tuple[dict[str, Any], ...] = ()
    ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"c{self.cls:02d}-{self.name}-{self.expected}"

    def truth_derivation(self) -> Derivation:
        """The derivation whose last claim has this case's truth (the intended one for misuse)."""
        return (self.intended or self.build)()


CASES: list[Case] = []


def _builder(
    cls: int,
    name: str,
    lhs: Any,
    rhs: Any,
    defs: Sequence[tuple[Any, Any]],
    assume: Sequence[Any],
    differs: bool,
) -> Callable[[], Derivation]:
    def build() -> Derivation:
        d = symbn.Derivation(f"adversarial c{cls} {name}")
        for left, right in defs:
            d.define(left, right)
        if differs:
            d.differs(lhs, rhs)
        else:
            d.step(lhs, rhs)
        if assume:
            d.assume(*assume)
        return d

    return build


def case(
    cls: int,
    name: str,
    expected: str,
    lhs: Any,
    rhs: Any,
    *,
    defs: Sequence[tuple[Any, Any]] = (),
    assume: Sequence[Any] = (),
    intended_assume: Sequence[Any] | None = None,
    differs: bool = False,
    undecided_ok: bool = False,
    hints: Sequence[dict[str, Any]] = (),
    ranges: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    """Add a case: the claim ``lhs = rhs`` (or ``≠``) after ``defs``, under ``assume``."""
    assert expected in ("true", "false"), expected
    build = _builder(cls, name, lhs, rhs, defs, assume, differs)
    intended = None
    if intended_assume is not None:
        intended = _builder(cls, name, lhs, rhs, defs, intended_assume, differs)
    CASES.append(
        Case(
            cls,
            name,
            expected,
            build,
            undecided_ok=undecided_ok,
            misuse=intended is not None,
            intended=intended,
            hints=tuple(hints),
            ranges=dict(ranges or {}),
        )
    )


a, b, c, d_ = symbn.symbols("a b c d")
u, v = symbn.symbols("u v", positive=True)
k = Symbol("k", integer=True)
m, n, K = symbn.size("m"), symbn.size("n"), symbn.size("K")
i, j = symbn.index("i", m), symbn.index("j", m)
x, y = symbn.examples("x"), symbn.examples("y")
TINY = Rational(1, 10**8)

# 1. Values from a narrow range ------------------------------------------------------------------

relu = Max(a, 0)
case(1, "relu6-clips-in-either-order", "true", Min(Max(a, 0), 6), Max(Min(a, 6), 0))
case(1, "relu-difference", "true", Max(a, 0) - Max(-a, 0), a)
case(1, "max-floor-above-it", "true", Max(a, TINY), a, assume=[a >= TINY])
case(1, "delta-at-zero-times-a", "true", KroneckerDelta(a, 0) * a, 0)
case(1, "abs-is-max", "true", Abs(a), Max(a, -a))
case(1, "max-k-6-split", "true", Max(k, 6), 6 + Max(k - 6, 0))
case(1, "relu6-as-two-relus", "true", Min(Max(a, 0), 6), Max(a, 0) - Max(a - 6, 0))
case(1, "heaviside-times-a", "true", Heaviside(a) * a, relu)
case(1, "sign-times-abs", "true", sign(a) * Abs(a), a)
case(1, "max-plus-min", "true", Max(a, b) + Min(a, b), a + b)
case(1, "heaviside-from-sign", "true", Heaviside(a), (sign(a) + 1) / 2)
case(1, "delta-k-6-squared", "true", KroneckerDelta(k, 6) ** 2, KroneckerDelta(k, 6))

case(1, "relu6-is-relu", "false", Min(Max(a, 0), 6), relu, hints=[{"a": 7}])
case(
    1, "max-floor-1e-8", "false", Max(a, TINY), a, assume=[a > 0], hints=[{"a": Rational(1, 10**9)}]
)
case(1, "delta-a-0-is-0", "false", KroneckerDelta(a, 0), 0, hints=[{"a": 0}])
case(1, "max-k-6-is-6", "false", Max(k, 6), 6, hints=[{"k": 7}])
case(1, "max-4-is-max-5", "false", Max(a, 4), Max(a, 5), hints=[{"a": Rational(9, 2)}])
case(1, "abs-shifted-1e12", "false", Abs(a - 10**12), 10**12 - a, hints=[{"a": 2 * 10**12}])
case(1, "delta-k-6-is-0", "false", KroneckerDelta(k, 6), 0, hints=[{"k": 6}])
case(1, "heaviside-nonneg-is-1", "false", Heaviside(a), 1, assume=[a >= 0], hints=[{"a": 0}])
case(1, "sign-squared-is-1", "false", sign(a) ** 2, 1, hints=[{"a": 0}])
case(1, "piecewise-above-6", "false", Piecewise((a, a > 6), (0, True)), 0, hints=[{"a": 7}])
case(1, "min-a-1000", "false", Min(a, 1000), a, hints=[{"a": 2000}])
case(
    1,
    "relu-tiny-negative",
    "false",
    Max(a, 0),
    a,
    assume=[a > -TINY],
    hints=[{"a": -Rational(1, 10**9)}],
)

# 2. Sizes -------------------------------------------------------------------------------------

i1, i2, i3, i4, i5, i6 = (symbn.index(f"i_{q}", m) for q in range(1, 7))
six_fold = Sum(1, (i1, 1, m), (i2, 1, m), (i3, 1, m), (i4, 1, m), (i5, 1, m), (i6, 1, m))
four_fold = Sum(1, (i1, 1, m), (i2, 1, m), (i3, 1, m), (i4, 1, m))
jn, r = symbn.index("j", n), symbn.index("r", n)
p3 = symbn.size("p")
falling = sympy.Mul(*[(m - q) for q in range(1, 9)])

case(2, "min-30-plus-excess", "true", Min(m, 30) + Max(m - 30, 0), m)
case(2, "count-terms", "true", Sum(1, (i, 1, m)), m)
case(2, "six-fold-count", "true", six_fold, m**6)
case(2, "delta-over-index-range", "true", Sum(KroneckerDelta(jn, r), (jn, 1, n)), 1)
case(2, "double-count", "true", Sum(1, (i, 1, m), (jn, 1, n)), m * n)
case(2, "gauss-sum", "true", Sum(i, (i, 1, m)), m * (m + 1) / 2)
case(2, "max-m-1", "true", Max(m, 1), m)
case(2, "diagonal-deltas", "true", Sum(KroneckerDelta(i, j), (i, 1, m), (j, 1, m)), m)
case(2, "last-term", "true", Sum(x[i], (i, 1, m)) - Sum(x[i], (i, 1, m - 1)), x[m])
case(2, "four-fold-with-zero-factor", "true", four_fold + falling * (m - m), m**4)

case(2, "min-m-30", "false", Min(m, 30), m, hints=[{"m": 31}])
case(
    2,
    "six-fold-planted",
    "false",
    six_fold + (m - 1) * (m - 2) * (m - 3) * (m - 4) * c,
    m**6,
    hints=[{"m": 5, "c": 1}],
)
case(
    2,
    "delta-over-index-range-wrong",
    "false",
    Sum(KroneckerDelta(jn, r), (jn, 1, n)),
    KroneckerDelta(r, 1),
    hints=[{"n": 2, "r": 2}],
)
case(
    2,
    "min-three-sizes",
    "false",
    Min(m * n * p3, 300),
    m * n * p3,
    hints=[{"m": 7, "n": 7, "p": 7}],
)
case(2, "four-fold-planted-8", "false", four_fold + falling * c, m**4, hints=[{"m": 9, "c": 1}])
case(
    2,
    "two-sizes-planted-12",
    "false",
    Sum(1, (i, 1, m), (jn, 1, n)) + sympy.Mul(*[(m - q) for q in range(1, 13)]) * c,
    m * n,
    hints=[{"m": 13, "n": 1, "c": 1}],
)
case(
    2,
    "falling-30",
    "false",
    sympy.Mul(*[(m - q) for q in range(1, 31)]) * c,
    0,
    hints=[{"m": 31, "c": 1}],
)
case(2, "delta-m-31", "false", KroneckerDelta(m, 31), 0, hints=[{"m": 31}])
case(2, "excess-over-30", "false", Max(m - 30, 0), 0, hints=[{"m": 40}])
case(2, "min-m-n-40", "false", Min(m + n, 40), m + n, hints=[{"m": 31, "n": 31}])

# 3. Irrational values -------------------------------------------------------------------------

case(
    3, "delta-equal-irrationals", "true", KroneckerDelta((1 + sqrt(u)) ** 2, 1 + u + 2 * sqrt(u)), 1
)
case(3, "delta-equal-logs", "true", KroneckerDelta(log(u * v), log(u) + log(v)), 1)
case(3, "root-of-square", "true", sqrt(u**2 + 2 * u + 1), u + 1)
case(3, "sigmoid-forms", "true", 1 / (1 + exp(-a)), exp(a) / (1 + exp(a)))
case(3, "exact-huge-root", "true", sqrt(10**200 + 2 * 10**100 + 1), 10**100 + 1)
case(3, "square-of-root-sum", "true", (sqrt(2) + sqrt(3)) ** 2, 5 + 2 * sqrt(6))
case(3, "log-of-product", "true", log(u * v), log(u) + log(v))
case(3, "max-of-close-values", "true", Max(sqrt(2), Rational(1414213562373095, 10**15)), sqrt(2))
case(3, "softplus-difference", "true", log(1 + exp(a)) - log(1 + exp(-a)), a)

case(3, "sigmoid-200-is-1", "false", 1 / (1 + exp(-200)), 1)
case(3, "softplus-200", "false", log(1 + exp(200)), 200)
case(3, "huge-root", "false", sqrt(10**200 + 1), 10**100)
case(
    3,
    "delta-near-irrational",
    "false",
    KroneckerDelta(sqrt(2), Rational(14142135623730951, 10**16)),
    1,
)
case(3, "root-scaled-1e-50", "false", sqrt(u) * (1 + Rational(1, 10**50)), sqrt(u))
case(3, "exp-plus-exp-300", "false", exp(a) + exp(-300), exp(a))
case(3, "root-shift-1e-60", "false", sqrt(u + Rational(1, 10**60)), sqrt(u))
case(3, "steep-sigmoid", "false", 1 / (1 + exp(-200 * u)), 1)
case(3, "pi-rational", "false", sympy.pi, Rational(355, 113))

# 4. Domains -----------------------------------------------------------------------------------

case(4, "log-square-positive", "true", log(u**2), 2 * log(u))
case(4, "root-product-positive", "true", sqrt(u * v), sqrt(u) * sqrt(v))
case(4, "root-of-square-real", "true", sqrt(a**2), Abs(a))
case(4, "log-square-abs", "true", log(a**2), 2 * log(Abs(a)))
case(4, "cancel-above-1", "true", (a**2 - 1) / (a - 1), a + 1, assume=[a > 1])
case(4, "root-quotient-positive", "true", sqrt(u) / sqrt(v), sqrt(u / v))
case(4, "log-quotient-positive", "true", log(u / v), log(u) - log(v))
case(4, "root-square-times-positive", "true", sqrt(a**2 * u), Abs(a) * sqrt(u))
case(4, "log-power-positive-base", "true", log(u**a), a * log(u))

case(4, "log-square-real", "false", log(a**2), 2 * log(a), hints=[{"a": -2}])
case(4, "root-product-real", "false", sqrt(a * b), sqrt(a) * sqrt(b), hints=[{"a": -1, "b": -1}])
case(4, "cancel-everywhere", "false", (a**2 - 1) / (a - 1), a + 1, hints=[{"a": 1}])
case(4, "root-of-square-is-a", "false", sqrt(a**2), a, hints=[{"a": -2}])
case(4, "log-product-real", "false", log(a * b), log(a) + log(b), hints=[{"a": -1, "b": -1}])
case(4, "cancel-at-2", "false", (a - 2) / (a**2 - 4), 1 / (a + 2), hints=[{"a": 2}])
case(4, "harmonic-form", "false", 1 / (1 / a + 1 / b), a * b / (a + b), hints=[{"a": 0, "b": 1}])
case(4, "root-quotient-real", "false", sqrt(a / b), sqrt(a) / sqrt(b), hints=[{"a": 1, "b": -1}])

# 5. SymPy's own assumptions -------------------------------------------------------------------

n0 = Symbol("n_0", integer=True, nonnegative=True)
z, w = Symbol("z"), Symbol("w")
q = Symbol("q", negative=True)

case(5, "cube-dominates-naturals", "true", Max(n0**3, n0), n0**3)
case(5, "modulus-squared", "true", Abs(z) ** 2, z * conjugate(z))
case(5, "abs-natural", "true", Abs(n0), n0)
case(5, "abs-negative", "true", Abs(q), -q)
case(5, "relu-negative", "true", Max(q, 0), 0)
case(5, "re-im-modulus", "true", re(z) ** 2 + im(z) ** 2, Abs(z) ** 2)
case(5, "min-natural-0", "true", Min(n0, 0), 0)
case(5, "heaviside-positive", "true", Heaviside(u), 1)
case(5, "abs-product-complex", "true", Abs(z * w), Abs(z) * Abs(w))
case(5, "square-natural-dominates", "true", Max(n0**2, n0), n0**2)

case(5, "modulus-squared-is-square", "false", Abs(z) ** 2, z**2, hints=[{"z": sympy.I}])
case(5, "max-natural-1", "false", Max(n0, 1), n0, hints=[{"n_0": 0}])
case(5, "conjugate-is-self", "false", conjugate(z), z, hints=[{"z": sympy.I}])
case(5, "root-of-square-complex", "false", sqrt(z**2), z, hints=[{"z": -1}])
case(5, "min-natural-1", "false", Min(n0, 1), 1, hints=[{"n_0": 0}])
case(5, "real-part-is-self", "false", (z + conjugate(z)) / 2, z, hints=[{"z": sympy.I}])
case(5, "triangle-equality", "false", Abs(z + w), Abs(z) + Abs(w), hints=[{"z": 1, "w": -1}])
case(5, "delta-natural-0", "false", KroneckerDelta(n0, 0), 0, hints=[{"n_0": 0}])
case(5, "abs-is-self-complex", "false", Abs(z), z, hints=[{"z": sympy.I}])

# 6. Equality assumptions ----------------------------------------------------------------------

Y = symbn.units("Y")
p, pq = symbn.index("p", K), symbn.index("q", K)
total_one = Eq(Sum(Y[p], (p, 1, K)), 1)

case(6, "scaled-total", "true", Sum(Y[p], (p, 1, K)) * c, c, assume=[total_one])
case(6, "centered-total", "true", Sum(Y[p] - 1 / K, (p, 1, K)), 0, assume=[total_one])
case(6, "solve-sum", "true", a, 1 - b, assume=[Eq(a + b, 1)])
case(6, "product-one", "true", a * b * c, c, assume=[Eq(a * b, 1)])
case(6, "double", "true", a - b, b, assume=[Eq(a, 2 * b)])
case(
    6,
    "zero-total-shift",
    "true",
    Sum(Y[p] + c, (p, 1, K)),
    K * c,
    assume=[Eq(Sum(Y[p], (p, 1, K)), 0)],
)
case(6, "square-is-b", "true", a**2 + b, 2 * b, assume=[Eq(a**2, b)])
case(6, "cubes", "true", a**3 + b**3 + c**3, 3 * a * b * c, assume=[Eq(a + b + c, 0)])
case(6, "outer-total", "true", Sum(Y[p] * Y[pq], (p, 1, K), (pq, 1, K)), 1, assume=[total_one])

case(6, "one-entry-is-total", "false", Y[pq], 1, assume=[total_one], hints=[{"K": 2}])
case(
    6, "squares-total", "false", Sum(Y[p] ** 2, (p, 1, K)), 1, assume=[total_one], hints=[{"K": 2}]
)
case(6, "quarter", "false", a * b, Rational(1, 4), assume=[Eq(a + b, 1)])
case(6, "product-one-sum-2", "false", a + b, 2, assume=[Eq(a * b, 1)])
case(
    6, "zero-total-entry", "false", Y[pq], 0, assume=[Eq(Sum(Y[p], (p, 1, K)), 0)], hints=[{"K": 2}]
)
case(6, "zero-sum-product", "false", a * b * c, 0, assume=[Eq(a + b + c, 0)])
case(6, "circle-line", "false", a + b, 1, assume=[Eq(a**2 + b**2, 1)])
case(6, "uniform-entry", "false", Y[pq], 1 / K, assume=[total_one], hints=[{"K": 2}])
case(6, "equal-is-opposite", "false", a, -b, assume=[Eq(a, b)])

# 7. Assumptions that bind ---------------------------------------------------------------------

S, T = symbn.symbols("S T")
a_other = Symbol("a")
sum_y = Sum(y[i], (i, 1, m))
sum_x = Sum(x[i], (i, 1, m))

case(
    7, "other-a-positive-root", "true", sqrt(a**2), a, assume=[a_other > 0], intended_assume=[a > 0]
)
case(7, "defined-total-scaled", "true", S * c, c, defs=[(S, sum_y)], assume=[Eq(S, 1)])
case(7, "defined-total-written", "true", sum_y, 1, defs=[(S, sum_y)], assume=[Eq(S, 1)])
case(7, "family-positive-root", "true", sqrt(x[j] ** 2), x[j], assume=[x[i] > 0])
case(7, "family-positive-abs-sum", "true", Abs(sum_x), sum_x, assume=[x[i] > 0])
case(7, "defined-gap-positive", "true", Max(a, b), a, defs=[(T, a - b)], assume=[T > 0])
case(7, "family-nonneg-abs", "true", Sum(Abs(x[i]), (i, 1, m)), sum_x, assume=[x[i] >= 0])
case(7, "defined-total-positive-root", "true", sqrt(S**2), S, defs=[(S, sum_x)], assume=[S > 0])
case(7, "family-positive-relu", "true", Max(x[j], 0), x[j], assume=[x[i] > 0])

case(
    7,
    "defined-total-entry",
    "false",
    y[j],
    1,
    defs=[(S, sum_y)],
    assume=[Eq(S, 1)],
    hints=[{"m": 2}],
)
case(7, "family-positive-sum-is-entry", "false", sum_x, x[j], assume=[x[i] > 0], hints=[{"m": 2}])
case(7, "other-a-positive-abs", "false", Abs(a), -a, assume=[a_other > 0], intended_assume=[a > 0])
case(7, "defined-gap-max-b", "false", Max(a, b), b, defs=[(T, a - b)], assume=[T > 0])
case(
    7,
    "family-positive-max-1",
    "false",
    Max(x[j], 1),
    x[j],
    assume=[x[i] > 0],
    hints=[{"x[1]": Rational(1, 2), "x[2]": Rational(1, 2), "x[3]": Rational(1, 2)}],
)
case(
    7,
    "defined-total-positive-abs",
    "false",
    Abs(x[j]),
    x[j],
    defs=[(S, sum_x)],
    assume=[S > 0],
    hints=[{"m": 2, "j": 2, "x[1]": 3, "x[2]": -1}],
)
case(7, "family-nonneg-squares", "false", sum_x, Sum(x[i] ** 2, (i, 1, m)), assume=[x[i] >= 0])
case(
    7,
    "other-a-positive-max",
    "false",
    Max(a, 1),
    a,
    assume=[a_other > 0],
    intended_assume=[a > 0],
    hints=[{"a": Rational(1, 2)}],
)
case(
    7,
    "defined-zero-total-squares",
    "false",
    Sum(y[i] ** 2, (i, 1, m)),
    0,
    defs=[(S, sum_y)],
    assume=[Eq(S, 0)],
    hints=[{"m": 2}],
)

# 8. The normal form: delta ranges and canonical names -----------------------------------------

s1 = Symbol("_s1_0", real=True)
s2 = Symbol("_s2_0", real=True)
jm = symbn.index("j", m)
i2m = symbn.index("i", m, 2)

case(8, "delta-picks-entry", "true", Sum(x[i] * KroneckerDelta(i, jm), (i, 1, m)), x[jm])
case(
    8,
    "delta-over-min-range",
    "true",
    Sum(x[i] * KroneckerDelta(i, jm), (i, 1, m), (jm, 1, n)),
    Sum(x[jm], (jm, 1, Min(m, n))),
)
case(8, "collision-product", "true", Sum(x[i], (i, 1, m)) * s1, s1 * Sum(x[i], (i, 1, m)))
case(8, "delta-diagonal", "true", Sum(KroneckerDelta(i, jm), (i, 1, m), (jm, 1, m)), m)
case(8, "delta-first", "true", Sum(KroneckerDelta(i, 1), (i, 1, m)), 1)
case(8, "delta-beyond", "true", Sum(KroneckerDelta(i, m + 1), (i, 1, m)), 0)
case(8, "collision-shift", "true", Sum(x[i] + s1, (i, 1, m)), Sum(x[i], (i, 1, m)) + m * s1)
case(
    8,
    "delta-from-2",
    "true",
    Sum(x[i] * KroneckerDelta(i, jm), (i, 2, m)),
    x[jm] - KroneckerDelta(jm, 1) * x[1],
)
case(
    8, "collision-two-names", "true", Sum(x[i] * s1 * s2, (i, 1, m)), s2 * s1 * Sum(x[i], (i, 1, m))
)

case(
    8,
    "delta-over-other-range",
    "false",
    Sum(x[i] * KroneckerDelta(i, jm), (i, 1, m), (jm, 1, n)),
    Sum(x[jm], (jm, 1, n)),
    hints=[{"m": 1, "n": 2}],
)
case(
    8,
    "delta-free-index-other-size",
    "false",
    Sum(x[i] * KroneckerDelta(i, jn), (i, 1, m)),
    x[jn],
    hints=[{"m": 1, "n": 2, "j": 2}],
)
case(8, "delta-beyond-is-1", "false", Sum(KroneckerDelta(i, m + 1), (i, 1, m)), 1)
case(8, "collision-dropped", "false", Sum(x[i], (i, 1, m)) * s1, Sum(x[i], (i, 1, m)))
case(
    8,
    "delta-from-2-missing",
    "false",
    Sum(x[i] * KroneckerDelta(i, jm), (i, 2, m)),
    x[jm],
    hints=[{"j": 1}],
)
case(
    8,
    "delta-two-sizes-is-m",
    "false",
    Sum(KroneckerDelta(i, jn), (i, 1, m), (jn, 1, n)),
    m,
    hints=[{"m": 2, "n": 1}],
)
case(8, "collision-added", "false", Sum(x[i], (i, 1, m)) + s1, Sum(x[i], (i, 1, m)))
case(
    8,
    "delta-over-index-beyond",
    "false",
    Sum(KroneckerDelta(jn, symbn.index("r", m)), (jn, 1, n)),
    1,
    hints=[{"m": 2, "n": 1, "r": 2}],
)
case(8, "collision-swapped", "false", Sum(x[i] * s2, (i, 1, m)), Sum(x[i], (i, 1, m)) * s1)

# 9. Substitution: a derivative's variable, a bound index ---------------------------------------

zeta, eta, ww, bb, uu, L = symbn.symbols("zeta eta w b u L")
W, beta = symbn.symbols("W beta")
act = symbn.examples("a")
zz = symbn.examples("z")
rr = symbn.index("r", m)
kk = Symbol("k", integer=True)
zeta_def = [(zeta, ww * c + bb)]
backprop_defs = [(zz[jm], W * act[jm] + beta), (L, Sum(zz[i] ** 2, (i, 1, m)) / m)]

case(9, "derivative-by-defined-name", "true", Derivative(zeta**2, zeta), 2 * zeta, defs=zeta_def)
case(
    9, "derivative-through-definition", "true", Derivative(zeta**2, ww), 2 * zeta * c, defs=zeta_def
)
case(
    9,
    "backprop-by-defined-family",
    "true",
    Derivative(L, zz[rr]),
    2 * zz[rr] / m,
    defs=backprop_defs,
)
case(9, "product-by-defined-name", "true", Derivative(uu * ww, uu), ww, defs=[(uu, c**2)])
case(
    9,
    "bound-index-not-substituted",
    "true",
    Sum(x[kk], (kk, 1, m)),
    Sum(x[i], (i, 1, m)),
    defs=[(kk, 2)],
)
case(9, "defined-name-by-itself", "true", Derivative(zeta, zeta), 1, defs=zeta_def)
case(
    9,
    "through-defined-family",
    "true",
    Derivative(Sum(y[i], (i, 1, m)), x[rr]),
    2 * x[rr],
    defs=[(y[jm], x[jm] ** 2)],
)
case(
    9,
    "chain-of-definitions",
    "true",
    Derivative(eta, zeta),
    3 * zeta**2,
    defs=[*zeta_def, (eta, zeta**3)],
)
case(9, "linear-in-defined-name", "true", Derivative(ww * zeta, zeta), ww, defs=zeta_def)

case(
    9,
    "derivative-by-defined-name-drops-b",
    "false",
    Derivative(zeta**2, zeta),
    2 * ww * c,
    defs=zeta_def,
    hints=[{"b": 1}],
)
case(9, "derivative-by-defined-name-is-0", "false", Derivative(zeta**2, zeta), 0, defs=zeta_def)
case(9, "backprop-missing-mean", "false", Derivative(L, zz[rr]), 2 * zz[rr], defs=backprop_defs)
case(
    9,
    "product-chain-rule-misapplied",
    "false",
    Derivative(uu * ww, uu),
    2 * c * ww,
    defs=[(uu, c**2)],
)
case(
    9,
    "bound-index-substituted",
    "false",
    Sum(x[kk], (kk, 1, m)),
    m * x[2],
    defs=[(kk, 2)],
    hints=[{"m": 2}],
)
case(9, "defined-name-by-itself-is-0", "false", Derivative(zeta, zeta), 0, defs=zeta_def)
case(
    9,
    "chain-of-definitions-wrong",
    "false",
    Derivative(eta, zeta),
    3 * zeta,
    defs=[*zeta_def, (eta, zeta**3)],
)
case(
    9,
    "through-defined-family-wrong",
    "false",
    Derivative(Sum(y[i], (i, 1, m)), x[rr]),
    2 * Sum(x[i], (i, 1, m)),
    defs=[(y[jm], x[jm] ** 2)],
    hints=[{"m": 2}],
)
case(
    9,
    "backprop-drops-bias",
    "false",
    Derivative(L, zz[rr]),
    2 * W * act[rr] / m,
    defs=backprop_defs,
)

# 10. Work outside the budget ------------------------------------------------------------------

tower = Pow(9, Pow(9, Pow(9, 9, evaluate=False), evaluate=False), evaluate=False)
xp = symbn.symbols("x", positive=True)


def continued_fraction(depth: int) -> Any:
    """``1 + 1/(1 + 1/(… + 1/x))``, ``depth`` levels deep, built unevaluated (SymPy recurses)."""
    out: Any = xp
    for _ in range(depth):
        out = sympy.Add(1, Pow(out, -1, evaluate=False), evaluate=False)
    return out


def shared(levels: int) -> list[Any]:
    """``e_0 = x + 1``, ``e_{k+1} = e_k² + e_k``: each level uses the one below twice."""
    out = [c + 1]
    for _ in range(levels):
        out.append(out[-1] * out[-1] + out[-1])
    return out


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number (F_0 = 0, F_1 = 1)."""
    low, high = 0, 1
    for _ in range(n):
        low, high = high, low + high
    return low


def closed_form(depth: int, shift: int = 0) -> Any:
    """The continued fraction of ``depth`` levels as one ratio: (F_{n+1} x + F_n)/(F_n x + F_{n-1})."""
    f = fibonacci
    return (f(depth + 1) * xp + f(depth)) / (f(depth) * xp + f(depth - 1) + shift)


cf300, cf299 = continued_fraction(300), continued_fraction(299)
factors = sympy.Mul(*[(a + b + q) for q in range(1, 9)])
e = shared(16)
poly = (xp + 1) ** 60

case(10, "tower-is-itself", "true", tower, tower, undecided_ok=True)
unwound = Pow(sympy.Add(cf300, -1, evaluate=False), -1, evaluate=False)
case(10, "continued-fraction-unwinds", "true", unwound, cf299, undecided_ok=True)
case(10, "shared-subtrees-unwind", "true", e[16] - e[15] ** 2, e[15], undecided_ok=True)
case(10, "continued-fraction-is-itself", "true", cf300, cf300, undecided_ok=True)
case(
    10,
    "power-of-two-forms",
    "true",
    Pow(2, Pow(10, 6, evaluate=False), evaluate=False),
    Pow(4, 500000, evaluate=False),
    undecided_ok=True,
)
case(10, "polynomial-expanded", "true", poly, expand(poly), undecided_ok=True)
case(10, "shared-subtrees-itself", "true", e[16], e[16], undecided_ok=True)

case(10, "fibonacci-closed-form", "true", cf300, closed_form(300), undecided_ok=True)
case(10, "product-expanded", "true", expand(factors), factors, undecided_ok=True)

case(10, "tower-plus-one", "false", tower, tower + 1, undecided_ok=True)
case(
    10,
    "fibonacci-off-by-one",
    "false",
    cf300,
    closed_form(300, 1),
    undecided_ok=True,
    hints=[{"x": 1}],
)
case(10, "product-expanded-wrong", "false", expand(factors) + a * b, factors, undecided_ok=True)
case(
    10,
    "continued-fraction-one-level-off",
    "false",
    cf300,
    cf299,
    undecided_ok=True,
    hints=[{"x": 1}],
)
case(
    10,
    "shared-subtrees-plus-one",
    "false",
    e[16] - e[15] ** 2,
    e[15] + 1,
    undecided_ok=True,
    hints=[{"c": -1}],
)
case(
    10,
    "power-of-two-off-by-one",
    "false",
    Pow(2, Pow(10, 6, evaluate=False), evaluate=False),
    Pow(4, 500000, evaluate=False) + 1,
    undecided_ok=True,
)
case(
    10,
    "polynomial-extra-term",
    "false",
    poly,
    expand(poly) + xp**59,
    undecided_ok=True,
    hints=[{"x": 1}],
)
case(
    10,
    "continued-fraction-tiny-shift",
    "false",
    unwound,
    sympy.Add(cf299, Rational(1, 10**100), evaluate=False),
    undecided_ok=True,
    hints=[{"x": 1}],
)
case(
    10, "shared-subtrees-is-other", "false", e[16], e[16] + 1, undecided_ok=True, hints=[{"c": -1}]
)

# 11. Free indices of a family over 1..m --------------------------------------------------------

t = symbn.symbols("t")
k_idx = Idx("k")
k_int = Symbol("k", integer=True)
loss = Sum((x[i] - t) ** 2, (i, 1, m)) / m
over_batch = {"k": (1, m)}
kr = symbn.index("k", m)

case(11, "loss-gradient-ranged", "true", Derivative(loss, x[kr]), 2 * (x[kr] - t) / m)
case(
    11,
    "loss-gradient-idx",
    "true",
    Derivative(loss, x[k_idx]),
    2 * (x[k_idx] - t) / m,
    ranges=over_batch,
)
case(
    11,
    "delta-picks-idx",
    "true",
    Sum(x[i] * KroneckerDelta(i, k_idx), (i, 1, m)),
    x[k_idx],
    ranges=over_batch,
)
case(
    11,
    "squares-gradient-int",
    "true",
    Derivative(Sum(x[i] ** 2, (i, 1, m)), x[k_int]),
    2 * x[k_int],
    ranges=over_batch,
)
case(
    11,
    "linear-gradient-idx",
    "true",
    Derivative(Sum(c * x[i], (i, 1, m)), x[k_idx]),
    c,
    ranges=over_batch,
)
case(
    11,
    "mean-gradient-idx",
    "true",
    Derivative(Sum(x[i], (i, 1, m)) / m, x[k_idx]),
    1 / m,
    ranges=over_batch,
)
case(
    11,
    "inner-product-gradient",
    "true",
    Derivative(Sum(x[i] * y[i], (i, 1, m)), x[k_idx]),
    y[k_idx],
    ranges=over_batch,
)
case(
    11,
    "double-sum-gradient",
    "true",
    Derivative(Sum(x[i] * x[jm], (i, 1, m), (jm, 1, m)), x[k_idx]),
    2 * Sum(x[i], (i, 1, m)),
    ranges=over_batch,
)

case(
    11,
    "loss-gradient-missing-mean",
    "false",
    Derivative(loss, x[k_idx]),
    2 * (x[k_idx] - t),
    ranges=over_batch,
    hints=[{"m": 2}],
)
case(
    11,
    "squares-gradient-plus-1",
    "false",
    Derivative(Sum(x[i] ** 2, (i, 1, m)), x[k_int]),
    2 * x[k_int] + 1,
    ranges=over_batch,
)
case(
    11,
    "delta-picks-nothing",
    "false",
    Sum(x[i] * KroneckerDelta(i, k_idx), (i, 1, m)),
    0,
    ranges=over_batch,
)
case(
    11,
    "linear-gradient-is-0",
    "false",
    Derivative(Sum(c * x[i], (i, 1, m)), x[k_idx]),
    0,
    ranges=over_batch,
)
case(
    11,
    "mean-gradient-is-1",
    "false",
    Derivative(Sum(x[i], (i, 1, m)) / m, x[k_idx]),
    1,
    ranges=over_batch,
    hints=[{"m": 2}],
)
case(
    11,
    "inner-product-gradient-wrong",
    "false",
    Derivative(Sum(x[i] * y[i], (i, 1, m)), x[k_idx]),
    x[k_idx],
    ranges=over_batch,
)
case(
    11, "delta-count-is-0", "false", Sum(KroneckerDelta(i, k_idx), (i, 1, m)), 0, ranges=over_batch
)
case(
    11,
    "double-sum-gradient-half",
    "false",
    Derivative(Sum(x[i] * x[jm], (i, 1, m), (jm, 1, m)), x[k_idx]),
    Sum(x[i], (i, 1, m)),
    ranges=over_batch,
)


def by_class() -> dict[int, list[Case]]:
    """The cases grouped by class, in order."""
    grouped: dict[int, list[Case]] = {cls: [] for cls in CLASSES}
    for one in CASES:
        grouped[one.cls].append(one)
    return grouped


__all__ = ["CASES", "CLASSES", "Case", "by_class"]
