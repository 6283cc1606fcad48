"""The numeric layer: instantiate a claim at concrete sizes and values, and compare its sides.

Each trial draws a point (:mod:`symbn.sampling`), makes it satisfy the assumptions (an equality
is solved for one of its unknowns, an inequality must hold for every index value), and evaluates
both sides exactly or with certified intervals (:mod:`symbn.evaluate`), raising the precision
while the intervals overlap. A trial ends in one of:

- **agree**: the two values are exactly equal (rationals, or algebraic numbers decided by SymPy);
- **differ**: the values are certainly different, or one side is undefined there and the other
  is not: a counterexample;
- **excluded**: both sides are undefined there (or no admissible point was found);
- **unresolved**: the values agree to the highest precision tried but could not be decided
  exactly (transcendental numbers). This is never counted as agreement.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
from sympy import (
    Abs,
    Add,
    Basic,
    Dummy,
    Expr,
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
    Rational,
    Sum,
    Symbol,
    ceiling,
    floor,
    log,
    sign,
)
from sympy.core.function import AppliedUndef
from sympy.core.relational import Equality, Relational
from sympy.logic.boolalg import BooleanAtom

from symbn.evaluate import (
    Evaluator,
    Gauss,
    KinkUndecided,
    NotEvaluable,
    Point,
    TooLarge,
    Undefined,
    Undetermined,
    equal,
    is_exact,
    precision,
)
from symbn.nonsmooth import KinkedDerivative, kink_places
from symbn.sampling import (
    GENERIC_REACH,
    Sampler,
    constants_of,
    domain_of,
    family_ranges,
    free_integer_indices,
    is_size,
)

# How many trials, and what "checked" needs.
QUICK_TRIALS = 6  # a cross-check of a claim the normal form has proved
SEARCH_TRIALS = 36  # a claim the normal form could not prove: look hard for a counterexample
MIN_AGREEING = 8  # fewer exact agreements than this is not evidence: undecided
MIN_SIZE_ASSIGNMENTS = 3  # ... nor is agreement at fewer distinct sizes, when there are sizes
MIN_GENERIC = 3  # ... nor, without a probability bound, agreement at fewer generic points
RESAMPLES = 40  # attempts at an admissible point for one trial
UNDEFINED_RETRIES = 4  # points where both sides are undefined before a trial's sizes are given up
PRECISIONS = (128, 512, 2048, 8192)  # bits, raised while the intervals of the two sides overlap
QUICK_PRECISION = 128
EXACT_OPS = 300  # larger differences are not handed to SymPy's minimal_polynomial

# Sizes: how many terms a trial may add up.
TERMS_SMALL = 3_000
TERMS_LARGE = 20_000
SMALL_SIZE_CAP = 60
LARGE_SIZE_CAP = 400
MAX_INSTANCES = 2_000
MAX_SOLVE_KEYS = 6  # unknowns tried when solving for a value
MAX_CRITICALS = 24  # poles, roots, ties and edges aimed at
NARROWING_DIGITS = 7  # digits an excluded aim beside a turn moves closer
MAX_NARROWINGS = 12  # ... at most this many times (to 10⁻⁹³ from 10⁻⁹)
MAX_SCALE_STEPS = 25  # generic reals rejected by the assumptions are scaled by up to 4^±25
REVERSED_GAP = 2  # sizes this far apart make a range between two of them empty by more than one
MAX_REVERSED_SIZES = 4  # summed sizes each tried alone large (the others 1) and alone small
FACTOR_OPS = 60  # denominators larger than this are not factored to find their poles  # index values an assumption about a whole family is checked at


@dataclass(frozen=True)
class Counterexample:
    """Concrete sizes and values at which the two sides differ (or one side is undefined)."""

    assignment: tuple[tuple[str, str], ...]
    lhs: str
    rhs: str
    difference: str
    exact: bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "values": dict(self.assignment),
            "lhs": self.lhs,
            "rhs": self.rhs,
            "difference": self.difference,
            "exact": self.exact,
            "note": self.note,
        }


@dataclass(frozen=True)
class NumericOutcome:
    """What the trials found, and what an agreement rests on."""

    agreed: int
    sizes: tuple[tuple[tuple[str, int], ...], ...]
    counterexample: Counterexample | None = None
    skipped: int = 0
    reason: str = ""
    unresolved: int = 0
    generic: int = 0
    degree: int | None = None  # a bound on the claim's degree in its values, None if not rational
    special: int = 0
    beyond: int | None = None  # a size where a piece may turn, larger than every size tried
    # solutions of an equality assumption that no agreeing trial reached (x = 0 of x³ = x)
    unreached: tuple[str, ...] = ()
    open_kinks: int = 0  # trials at a breakpoint where a derivative's existence was not decided
    generic_unresolved: int = 0  # generic points whose sides agree to 8192 bits, undecided exactly

    @property
    def thin(self) -> bool:
        """Whether the agreements say too little for "checked": no probability bound, few generic points.

        Without a Schwartz–Zippel bound (a claim that is not a rational function, or one under
        assumptions) the evidence is what the points show, and special points share a structure a
        claim can exploit (small denominators, powers of ten, the claim's own constants): fewer than
        :data:`MIN_GENERIC` generic points agreeing (exactly or to 8192 bits) is not enough.
        """
        return self.false_accept_bound is None and self.generic + self.generic_unresolved < MIN_GENERIC

    @property
    def distinct_sizes(self) -> int:
        return len(set(self.sizes))

    @property
    def false_accept_bound(self) -> float | None:
        """Schwartz–Zippel: the chance that a false rational identity agrees at one generic point."""
        if self.degree is None or not self.generic:
            return None
        # A sign assumption folds the set in half: 2**40 values at least, whatever the domain.
        return min(1.0, self.degree / GENERIC_REACH)

    def cross_check(self) -> str:
        """One phrase: the trials that cross-checked a symbolic proof."""
        text = f"{self.agreed} exact trials agree"
        if self.unresolved:
            text += f", {self.unresolved} more to the working precision"
        return text

    def evidence(self) -> str:
        """One sentence: what the agreeing trials rest on."""
        distinct = sorted(set(self.sizes))
        shown = ["; ".join(f"{k}={v}" for k, v in s) for s in distinct[:8] if s]
        more = f" and {len(distinct) - 8} more" if len(distinct) > 8 else ""
        where = f" at {', '.join(shown)}{more}" if shown else ""
        text = f"{self.agreed} exact trials agree{where}"
        parts = []
        if self.generic:
            bound = self.false_accept_bound
            if bound is not None:
                parts.append(
                    f"{self.generic} at generic points, where a false identity of degree "
                    f"≤ {self.degree} agrees with probability ≤ {bound:.1e} each (Schwartz–Zippel)"
                )
            else:
                parts.append(f"{self.generic} at generic points (no probability bound: not a rational function)")
        if self.special:
            parts.append(f"{self.special} at special values (0, ±1, tiny, huge, the claim's constants, ties)")
        if self.unresolved:
            parts.append(f"{self.unresolved} more agree to 8192 bits but could not be decided exactly")
        if self.skipped:
            parts.append(f"{self.skipped} points excluded ({self.reason})")
        if parts:
            text += ": " + "; ".join(parts)
        if self.sizes and any(self.sizes):
            text += "; nothing is claimed for sizes not tried"
        return text


KINK_OPEN = "whether a derivative exists at a breakpoint was not decided"


@dataclass
class _Trial:
    kind: str  # agree, differ, excluded, unresolved
    counterexample: Counterexample | None = None
    reason: str = ""
    # the factors of the equality assumptions this trial's point was solved on; "open" when a
    # non-polynomial equality was solved on a grid (other solutions may exist)
    branches: frozenset[Any] = frozenset()


@dataclass
class _Claim:
    """Everything about a claim that the trials need, computed once."""

    lhs: Expr
    rhs: Expr
    equalities: list[Relational]
    conditions: list[Relational]
    sizes: list[Symbol]
    sum_sizes: set[Symbol]
    indices: dict[Any, tuple[Expr, Expr]]
    constants: list[Fraction]
    real: bool
    depth: int
    degree: int | None = None
    criticals: list[tuple[Expr, Fraction]] = field(default_factory=list)
    turn_sizes: list[int] = field(default_factory=list)
    # Each equality's solutions, one factor of it each (x³ = x: x = 0, x = 1, x = −1), and
    # whether the equality is a polynomial (else its solutions found on a grid may not be all).
    branches: list[list[Expr]] = field(default_factory=list)
    polynomial: list[bool] = field(default_factory=list)
    # the factors linear in none of their unknowns (x² + y² − 1, |x| − 1, sin x): the solver
    # reaches only the few of their solutions on its grid, so agreement there is no evidence
    # about the others; an equality without factors that is neither polynomial nor linear in
    # one of its unknowns is "open" in the same way
    curved: list[set[int]] = field(default_factory=list)
    turn: int = 0


def compare(
    lhs: Expr,
    rhs: Expr,
    *,
    seed: int,
    trials: int | None = None,
    assumptions: tuple[Relational, ...] = (),
    thorough: bool = True,
    want_difference: bool = False,
) -> NumericOutcome:
    """Evaluate both sides at many points; report exact agreements or a counterexample.

    ``thorough=False`` runs the quick cross-check of a claim already proved symbolically.
    ``want_difference`` (a ``≠`` claim) counts only points where both sides are defined and differ.
    """
    rng = random.Random(seed)
    claim = _prepare(lhs, rhs, assumptions)
    count = trials if trials is not None else SEARCH_TRIALS if thorough else QUICK_TRIALS
    bits = PRECISIONS if thorough else (QUICK_PRECISION,)
    agreed_sizes: list[tuple[tuple[str, int], ...]] = []
    skipped = unresolved = generic = special = open_kinks = generic_unresolved = 0
    reached: set[Any] = set()
    reason = ""
    fallback: _Trial | None = None

    def outcome(found: Counterexample | None) -> NumericOutcome:
        return NumericOutcome(
            len(agreed_sizes),
            tuple(agreed_sizes),
            found,
            skipped,
            reason,
            unresolved,
            generic,
            claim.degree,
            special,
            _beyond(claim, agreed_sizes) if found is None else None,
            unreached=_unreached(claim, reached),
            open_kinks=open_kinks,
            generic_unresolved=generic_unresolved,
        )

    plans = _size_plans(claim, rng, count, quick=not thorough)
    aims: list[tuple[Expr, Fraction] | None] = [None] * len(plans)
    if claim.criticals:
        extra = claim.criticals if thorough else [c for c in claim.criticals if c[1] == 0][:3]
        for k, critical in enumerate(extra):
            plans.append(plans[k % len(plans)] if plans else {})
            aims.append(critical)
    for n, (plan, aim) in enumerate(zip(plans, aims, strict=True)):
        is_generic = aim is None and n % 2 == 1
        trial = _one_trial(claim, plan, rng, is_generic, bits, want_difference, aim)
        if trial.kind == "differ" and trial.counterexample and trial.counterexample.note:
            # Undefined on one side only: a counterexample, but one where both sides are defined
            # and differ is plainer (and holds whatever one takes a non-real value to mean).
            fallback = fallback or trial
            continue
        if trial.kind == "differ":
            return outcome(trial.counterexample)
        if trial.kind == "agree":
            reached |= trial.branches
            agreed_sizes.append(tuple((str(size), value) for size, value in plan.items()))
            generic += is_generic
            special += not is_generic
        elif trial.kind == "unresolved":
            unresolved += 1
            open_kinks += trial.reason == KINK_OPEN
            # an open breakpoint is no agreement: only sides equal to 8192 bits count here
            generic_unresolved += is_generic and trial.reason != KINK_OPEN
        else:
            skipped += 1
            reason = trial.reason or reason
    return outcome(fallback.counterexample if fallback else None)


# Preparing a claim ------------------------------------------------------------------------


def _prepare(lhs: Expr, rhs: Expr, assumptions: tuple[Relational, ...]) -> _Claim:
    exprs = [lhs, rhs]
    kept = [a for a in assumptions if not isinstance(a, BooleanAtom)]
    if any(a is not None and isinstance(a, BooleanAtom) and not bool(a) for a in assumptions):
        raise NotEvaluable("the assumptions contradict each other")
    everything = exprs + [a.lhs for a in kept] + [a.rhs for a in kept]
    free: set[Any] = set()
    for expr in everything:
        free |= _all_symbols(expr)
    ranges = family_ranges(exprs)
    indices: dict[Any, tuple[Expr, Expr]] = {}
    for expr in exprs:
        for s in sorted(expr.free_symbols, key=str):
            if isinstance(s, Idx):
                if s.lower is None or s.upper is None:
                    raise NotEvaluable(
                        f"the index {s} has no range; make it with symbn.index(name, upper)"
                    )
                indices[s] = (s.lower, s.upper)
    for s, span in free_integer_indices(exprs, ranges).items():
        indices.setdefault(s, span)
    sizes = sorted((s for s in free if is_size(s) and s not in indices), key=str)
    sum_sizes: set[Symbol] = set()
    for expr in everything:
        for total in expr.atoms(Sum, Product):
            for _, low, high in total.limits:
                sum_sizes |= {s for s in (low.free_symbols | high.free_symbols) if is_size(s)}
    claim = _Claim(
        lhs,
        rhs,
        [a for a in kept if isinstance(a, Equality)],
        [a for a in kept if not isinstance(a, Equality)],
        sizes,
        sum_sizes,
        indices,
        constants_of(everything),
        all(_is_real(e) for e in everything),
        max(sum_depth(lhs), sum_depth(rhs)),
    )
    # Solved or filtered values are not uniform: no Schwartz–Zippel bound under assumptions.
    claim.degree = None if kept else _degree_bound(lhs, rhs)
    claim.criticals = critical_points(exprs)
    for equality in claim.equalities:
        factors, polynomial = _equality_factors(equality, set(sizes) | set(indices))
        claim.branches.append(factors)
        held = set(sizes) | set(indices)
        gap = equality.lhs - equality.rhs
        claim.polynomial.append(polynomial or _linear_somewhere(gap, held))
        claim.curved.append({k for k, f in enumerate(factors) if not _linear_somewhere(f, held)})
    if sizes and _turns_with_sizes(exprs, set(sizes)):
        claim.turn_sizes = _turn_sizes(claim.constants)
    return claim


_PIECES = (Abs, sign, Heaviside, KroneckerDelta, Max, Min, Piecewise, floor, ceiling)


def _turns_with_sizes(exprs: list[Expr], sizes: set[Symbol]) -> bool:
    """Whether a piece (Max, δ, ⌊⌋, Piecewise …) depends on a summation index or a size.

    Such a claim may change at a size the trials never reach: ``Σ_{i=1}^{m} δ_{i,1000} = 0``
    holds for every m below 1000.
    """
    for expr in exprs:
        bound = {v for total in expr.atoms(Sum, Product) for v, *_ in total.limits}
        for piece in expr.atoms(*_PIECES):
            # An index inside an entry (Max(x_i, 10⁻⁹)) does not make the piece turn with the size.
            free = piece.replace(lambda e: isinstance(e, Indexed), lambda e: Dummy()).free_symbols
            if free & (bound | sizes) or any(isinstance(s, Idx) for s in free):
                return True
    return False


def _turn_sizes(constants: list[Fraction]) -> list[int]:
    """The sizes at which a piece written with these constants may turn, and their neighbours."""
    found: set[int] = set()
    for c in constants:
        for at in {abs(c)} | ({1 / abs(c)} if 0 < abs(c) < 1 else set()):
            whole = at.numerator // at.denominator
            found |= {v for v in (whole - 1, whole, whole + 1, whole + 2) if v >= 1}
    return sorted(found)


def _all_symbols(expr: Expr) -> set[Any]:
    """Free symbols, with the symbols of free indices' ranges (a size written only as a range counts)."""
    found = set(expr.free_symbols)
    for s in list(found):
        if isinstance(s, Idx) and s.lower is not None:
            found |= s.lower.free_symbols | s.upper.free_symbols
    return found


def _is_real(expr: Expr) -> bool:
    """Whether every unknown of ``expr`` is real (then the evaluation is over the reals)."""
    from sympy import I

    if expr.has(I):
        return False
    for s in expr.free_symbols:
        if isinstance(s, Idx):
            continue
        if not (s.is_real or s.is_extended_real):
            return False
    for entry in expr.atoms(Indexed):
        if not (entry.is_real or entry.is_extended_real):
            return False
    for call in expr.atoms(AppliedUndef):
        if not (call.is_real or call.is_extended_real):
            return False
    return True


def sum_depth(expr: Expr) -> int:
    """The most summation (or product) indices nested around any term of ``expr`` (0 without sums)."""
    if isinstance(expr, (Sum, Product)):
        return len(expr.limits) + sum_depth(expr.function)
    return max((sum_depth(a) for a in expr.args if isinstance(a, Expr)), default=0)


def largest_size(depth: int, terms: int = TERMS_SMALL, cap: int = SMALL_SIZE_CAP) -> int:
    """The largest size to try for sums nested ``depth`` deep: fewer when deeply nested, never below 5.

    A trial adds up to ``size ** depth`` terms; the cap keeps that near ``terms``, but never below
    5, so a wrong factor such as (m−1)(m−2)(m−3)(m−4) is still caught.
    """
    if depth <= 0:
        return 10**9
    return max(5, min(cap, int(terms ** (1 / depth))))


def _degree_bound(lhs: Expr, rhs: Expr) -> int | None:
    """A bound on the degree of ``N`` in ``lhs − rhs = N/D`` at the sizes tried, or None if not rational."""
    try:
        nl, dl = _degree(lhs)
        nr, dr = _degree(rhs)
    except _NotRational:
        return None
    return max(nl + dr, nr + dl, 1)


class _NotRational(Exception):
    pass


def _degree(expr: Any) -> tuple[int, int]:
    if expr.is_Number or isinstance(expr, Idx):
        return 0, 0
    if isinstance(expr, (Symbol, Indexed)):
        return (0, 0) if is_size(expr) else (1, 0)
    if isinstance(expr, Add):
        parts = [_degree(a) for a in expr.args]
        den = sum(d for _, d in parts)
        return max(n + den - d for n, d in parts), den
    if isinstance(expr, Mul):
        parts = [_degree(a) for a in expr.args]
        return sum(n for n, _ in parts), sum(d for _, d in parts)
    if isinstance(expr, Pow) and expr.exp.is_Integer:
        n, d = _degree(expr.base)
        k = int(expr.exp)
        return (n * k, d * k) if k >= 0 else (d * -k, n * -k)
    if isinstance(expr, Sum):
        n, d = _degree(expr.function)
        terms = LARGE_SIZE_CAP ** len(expr.limits)
        return n + (terms - 1) * d, terms * d
    raise _NotRational


def critical_points(exprs: list[Expr]) -> list[tuple[Expr, Fraction]]:
    """Where a claim's pieces turn: ``(g, t)`` pairs at which a trial makes ``g = t``.

    Poles (a denominator at 0), roots and logarithms at and below 0, the ties and edges of
    ``Max``/``Min``/``Abs``/``sign``/``Heaviside``/``KroneckerDelta``/``Piecewise``, and just
    either side of each: an identity that holds only on part of the domain fails there.
    """
    found: dict[tuple[Expr, Fraction], None] = {}
    tiny = Fraction(1, 10**9)

    def add(g: Expr, targets: tuple[Fraction, ...], bound: frozenset[Any]) -> None:
        if g.is_number or g.free_symbols & bound:
            return
        for t in targets:
            found.setdefault((g, t), None)

    def visit(expr: Any, bound: frozenset[Any]) -> None:
        if isinstance(expr, KinkedDerivative):
            # Its pieces are written in its own variables: aim at them at the claim's values.
            visit(expr.at_points(expr.function), bound)
            visit(expr.at_points(expr.formula), bound)
            for place in kink_places(expr):
                add(place, (Fraction(0),), bound)
            return
        if isinstance(expr, Sum) or getattr(expr, "is_Product", False):
            bound = bound | {v for v, *_ in expr.limits}
        elif isinstance(expr, Pow):
            if expr.exp.is_negative:
                add(expr.base, (Fraction(0),), bound)
                for factor in _factors(expr.base):
                    add(factor, (Fraction(0),), bound)
            if not expr.exp.is_Integer:
                add(expr.base, (Fraction(0), -tiny, Fraction(-1)), bound)
        elif isinstance(expr, log):
            add(expr.args[0], (Fraction(0), Fraction(-1)), bound)
        elif isinstance(expr, (Abs, sign, Heaviside)):
            add(expr.args[0], (Fraction(0), tiny, -tiny), bound)
        elif isinstance(expr, (Max, Min)):
            for a, b in itertools.combinations(expr.args, 2):
                add(a - b, (Fraction(0), tiny, -tiny), bound)
        elif isinstance(expr, KroneckerDelta):
            add(expr.args[0] - expr.args[1], (Fraction(0),), bound)
        elif isinstance(expr, Piecewise):
            for _, condition in expr.args:
                if isinstance(condition, Relational):
                    add(condition.lhs - condition.rhs, (Fraction(0), tiny, -tiny), bound)
        for arg in getattr(expr, "args", ()):
            if isinstance(arg, Basic):
                visit(arg, bound)

    for expr in exprs:
        visit(expr, frozenset())
    return list(found)[:MAX_CRITICALS]


def _equality_factors(equality: Relational, fixed: set[Any]) -> tuple[list[Expr], bool]:
    """The factors of an equality's difference that may vanish, and whether it is a polynomial.

    ``x³ = x`` has the factors x, x − 1, x + 1: each is a part of the solutions. A factor that
    is never 0 (a positive constant, x² + 1 for a real x) or that is in the sizes alone is not.
    """
    from sympy import factor_list, fraction, together

    gap = equality.lhs - equality.rhs
    polynomial = _polynomial_like(gap)
    if gap.has(Sum, Product, AppliedUndef) or gap.count_ops() > 10 * FACTOR_OPS:
        return [], polynomial
    try:
        numerator, _ = fraction(together(gap))
        _, found = factor_list(numerator)
    except Exception:
        return [], False
    factors = []
    for factor, _ in found:
        if factor.is_number or factor.is_positive or factor.is_negative or factor.is_nonzero:
            continue
        if not factor.free_symbols - fixed - {f for f in factor.free_symbols if isinstance(f, Idx)}:
            continue
        factors.append(factor)
    return factors, polynomial


def _linear_somewhere(factor: Expr, fixed: set[Any]) -> bool:
    """Whether a factor is of degree 1 in one of its unknowns (solved exactly: b·eᵃ − 1 for b)."""
    from sympy import Poly

    unknowns = [
        u
        for u in factor.free_symbols | factor.atoms(Indexed)
        if u not in fixed and not isinstance(u, (Idx, IndexedBase))
    ]
    labels = {e.base.label for e in factor.atoms(Indexed)}
    for u in unknowns:
        if u in labels:
            continue
        try:
            if Poly(factor, u).degree() == 1:
                return True
        except Exception:
            continue
    return False


def _polynomial_like(expr: Any) -> bool:
    """Whether ``expr`` is built from numbers, symbols, entries and sums by +, × and integer powers.

    Only then is solving it exact: the factors of a polynomial are all its solutions, and its
    value is affine in an unknown when three values say so. ``|x| − 1`` looks affine at 0, 1, 2.
    """
    if expr.is_Number:
        return bool(expr.is_Rational)
    if isinstance(expr, (Symbol, Idx, Indexed)):
        return True
    if isinstance(expr, (Add, Mul)):
        return all(_polynomial_like(a) for a in expr.args)
    if isinstance(expr, Pow):
        return bool(expr.exp.is_Integer) and _polynomial_like(expr.base)
    if isinstance(expr, Sum):
        return _polynomial_like(expr.function) and all(
            _polynomial_like(b) for _, *bounds in expr.limits for b in bounds
        )
    return False


def _unreached(claim: _Claim, reached: set[Any]) -> tuple[str, ...]:
    """The factors of the equality assumptions that no agreeing trial was solved on."""
    missing = []
    for e, factors in enumerate(claim.branches):
        equality = claim.equalities[e]
        if (e, "open") in reached:
            missing.append(
                f"{equality.lhs} = {equality.rhs} (not a polynomial: the values found may not be "
                "all its solutions)"
            )
        missing.extend(
            f"{factor} = 0 (of {equality.lhs} = {equality.rhs}: "
            + (
                "linear in none of its unknowns"
                if _polynomial_like(factor)
                else "not a polynomial, nor linear in one of its unknowns"
            )
            + ", so the trials reach only a few of its solutions)"
            for k, factor in enumerate(factors)
            if (e, "curved", k) in reached
        )
        if len(factors) > 1:
            missing.extend(
                f"{factor} = 0 (of {equality.lhs} = {equality.rhs})"
                for k, factor in enumerate(factors)
                if (e, k) not in reached
            )
    return tuple(missing)


def _factors(expr: Expr) -> list[Expr]:
    """The irreducible factors of a small polynomial without sums (a pole of 1/(a² − 4) is at a = 2)."""
    from sympy import factor_list

    if expr.has(Sum) or not expr.is_polynomial() or expr.count_ops() > FACTOR_OPS:
        return []
    try:
        _, factors = factor_list(expr)
    except Exception:
        return []
    return [f for f, _ in factors if not f.is_number]


# Sizes ------------------------------------------------------------------------------------


def _beyond(claim: _Claim, agreed: list[tuple[tuple[str, int], ...]]) -> int | None:
    """The smallest size where a piece may turn that is larger than every size tried, if any."""
    if not claim.turn_sizes:
        return None
    summed = {str(s) for s in claim.sum_sizes}
    tried = max(
        (value for plan in agreed for name, value in plan if not summed or name in summed),
        default=0,
    )
    untried = [t for t in claim.turn_sizes if t > tried]
    return untried[0] if untried else None


def _turn_limit(claim: _Claim, costly: list[Symbol]) -> int:
    """The largest size a trial may give every summed size at once within ``TERMS_LARGE`` terms."""
    if not costly:
        return 10**9
    return max(1, int(TERMS_LARGE ** (1 / (max(1, claim.depth) * len(costly)))))


def _size_plans(
    claim: _Claim, rng: random.Random, count: int, *, quick: bool
) -> list[dict[Symbol, int]]:
    """Concrete sizes for each trial: 1, 2, 3 first, then random ones, large ones and the constants' neighbours."""
    sizes = claim.sizes
    if not sizes:
        return [{} for _ in range(count)]
    costly = [s for s in sizes if s in claim.sum_sizes]
    depth = max(1, claim.depth)
    small = largest_size(depth if costly else 0)
    large = largest_size(depth if costly else 0, TERMS_LARGE, LARGE_SIZE_CAP)
    near = sorted(
        {int(c) + k for c in claim.constants if c.denominator == 1 and c > 0 for k in (0, 1, -1)}
    )
    share = len(costly) or 1

    def one(s: Symbol, roll: float) -> int:
        limit_small = small if s in costly else 10**9
        limit_large = large if s in costly else 10**9
        if share > 1 and s in costly:
            limit_small = max(2, int(TERMS_SMALL ** (1 / (depth * share))) + 2)
            limit_large = max(limit_small, int(TERMS_LARGE ** (1 / (depth * share))) + 1)
        if roll < 0.15 and near:
            fitting = [v for v in near if 1 <= v <= limit_large]
            if fitting:
                return rng.choice(fitting)
        if roll < 0.25:
            return rng.randint(max(1, limit_small // 2), limit_large)
        if s not in costly and roll < 0.5:
            return rng.choice((10, 100, 1000, 10**6, 10**9, rng.randint(1, 10**5)))
        return rng.randint(1, max(4, min(limit_small, 40)))

    plans: list[dict[Symbol, int]] = [dict.fromkeys(sizes, n) for n in (1, 2, 3)]
    if len(costly) > 1:
        # Sizes far apart both ways: a range between two of them (Σ_{i=m}^{n}, Σ_{i=b+1}^{c}) is
        # then empty with its upper limit well below its lower one, where Σ_{i=m}^{n} 1 is 0 and
        # not n − m + 1 (a claim true only in SymPy's Karr convention is refuted there).
        # Two values only (1 and 3), alternating, so a trial costs no more than the one at 3.
        apart = REVERSED_GAP
        plans.append({s: 1 + apart * (costly.index(s) % 2) if s in costly else 1 for s in sizes})
        plans.append({s: 1 + apart * (1 - costly.index(s) % 2) if s in costly else 1 for s in sizes})
        if not quick:
            for s in costly[:MAX_REVERSED_SIZES]:
                plans.append({t: 1 + apart if t == s else 1 for t in sizes})
                plans.append({t: 1 if t == s else 1 + apart for t in sizes})
    if len(sizes) > 1:
        # Every size different from the others (cycling through 1-3 in a quick cross-check).
        spread = 3 if quick else len(sizes)
        plans.append({s: 1 + k % spread for k, s in enumerate(sizes)})
        plans.append({s: spread - k % spread for k, s in enumerate(sizes)})
    if not quick:
        plans.append(dict.fromkeys(sizes, 4 if costly else 5))
        # Where a piece written with the claim's constants may turn (δ_{i,450}, ⌊i/700⌋), as far
        # as the terms allow: a claim that changes there is refuted there, not "checked" below it.
        reach = _turn_limit(claim, costly)
        turning = [t for t in claim.turn_sizes if t <= reach]
        for t in turning[: max(0, count - len(plans) - 8) // 2]:
            plans.append(dict.fromkeys(sizes, t))
            plans.append({s: t if s in costly or not costly else 1 for s in sizes})
    while len(plans) < count:
        if quick:
            # A cross-check of a proved claim: small random sizes, a few terms each.
            top = 6 if len(costly) <= 1 else 4 if len(costly) == 2 else 3
            plans.append({s: rng.randint(1, top) for s in sizes})
        else:
            plans.append({s: one(s, rng.random()) for s in sizes})
    plans = plans[:count]
    # Smaller sizes first, so that a counterexample is the smallest the trials meet.
    head, tail = plans[:3], plans[3:]
    rng.shuffle(tail)
    tail.sort(key=lambda plan: max(plan.values(), default=0))
    return head + tail


# One trial --------------------------------------------------------------------------------


def _one_trial(
    claim: _Claim,
    plan: dict[Symbol, int],
    rng: random.Random,
    generic: bool,
    bits: tuple[int, ...],
    want_difference: bool,
    aim: tuple[Expr, Fraction] | None = None,
) -> _Trial:
    last = "no admissible values"
    undefined = 0
    narrowed = 0
    rejected = 0
    for _ in range(RESAMPLES):
        if undefined >= UNDEFINED_RETRIES:
            break  # both sides are undefined at these sizes, whatever the values (m = 1 in 1/(m−1))
        # Generic reals lie within ±1024; where the assumptions keep rejecting them (x > 2000,
        # 0 < y < 10⁻⁶) each is next scaled by a random 4^e, |e| ≤ the rejections so far (at most
        # MAX_SCALE_STEPS), so that the trial still finds a generic point and does not rest on the
        # special values alone.
        sampler = Sampler(rng, claim.constants, generic=generic, reach=min(rejected, MAX_SCALE_STEPS))
        point = Point(sampler)
        for s, n in plan.items():
            point.set(s, Fraction(n))
            point.used[s] = Fraction(n)
        try:
            if not _fix_indices(claim, point, rng):
                last = "an index has an empty range at these sizes"
                continue
            if aim is not None:
                _aim(claim, point, rng, _narrowed(aim, narrowed))
            if not _satisfy(claim, point, rng):
                last = "the assumptions do not hold"
                narrowed += aim is not None and aim[1] != 0
                rejected += 1
                continue
        except (Undefined, Undetermined, TooLarge) as exc:
            last = f"no admissible point here ({exc})"
            undefined += isinstance(exc, TooLarge)
            continue
        trial = _evaluate(claim, point, bits, want_difference)
        if trial.kind == "excluded":
            last = trial.reason
            undefined += 1
            continue
        trial.branches = point.solved_on
        return trial
    return _Trial("excluded", reason=last)


def _narrowed(aim: tuple[Expr, Fraction], times: int) -> tuple[Expr, Fraction]:
    """The aim "just beside a turn", moved closer each time the assumptions excluded it.

    Under ``x > 1 + 10⁻³⁰`` the left side of the kink of ``|x − 1 − 2·10⁻³⁰|`` is an interval of
    width 10⁻³⁰: an offset of 10⁻⁹ lands outside it, 10⁻³⁷ inside.
    """
    if times == 0 or aim[1] == 0:
        return aim
    return aim[0], aim[1] / Fraction(10) ** (NARROWING_DIGITS * min(times, MAX_NARROWINGS))


def _fix_indices(claim: _Claim, point: Point, rng: random.Random) -> bool:
    """Give each free index a value inside its range at this point's sizes."""
    for idx, (lower, upper) in claim.indices.items():
        evaluator = Evaluator(point, real=True)
        low, high = evaluator.integer(lower), evaluator.integer(upper)
        if low > high:
            return False
        value = Fraction(rng.randint(low, high))
        point.set(idx, value)
        point.used[idx] = value
    return True


def _aim(claim: _Claim, point: Point, rng: random.Random, aim: tuple[Expr, Fraction]) -> None:
    """Move the point onto a critical place if one unknown allows it; else leave it where it is."""
    fixed = set(claim.sizes) | set(claim.indices)
    try:
        with precision(QUICK_PRECISION):
            _solve(aim[0], aim[1], point, claim, {}, fixed, rng)
    except (Undefined, Undetermined, TooLarge):
        pass


def _instances(assumption: Relational, point: Point, claim: _Claim) -> list[dict[Any, Fraction]]:
    """The index values an assumption must hold at: every value of each index it leaves free."""
    free = sorted((s for s in assumption.free_symbols if isinstance(s, Idx)), key=str)
    if not free:
        return [{}]
    ranges = []
    for idx in free:
        if idx.lower is None or idx.upper is None:
            raise NotEvaluable(f"the index {idx} of an assumption has no range")
        evaluator = Evaluator(point, real=True)
        ranges.append(range(evaluator.integer(idx.lower), evaluator.integer(idx.upper) + 1))
    total = 1
    for r in ranges:
        total *= max(1, len(r))
    if total > MAX_INSTANCES:
        raise NotEvaluable(f"an assumption about more than {MAX_INSTANCES} entries at these sizes")
    return [
        {idx: Fraction(v) for idx, v in zip(free, values, strict=True)}
        for values in itertools.product(*ranges)
    ]


def _evaluator(point: Point, claim: _Claim, bound: dict[Any, Fraction]) -> Evaluator:
    evaluator = Evaluator(point, real=claim.real)
    evaluator.bound.update(bound)
    return evaluator


def _satisfy(claim: _Claim, point: Point, rng: random.Random) -> bool:
    """Make the point satisfy every assumption: solve each equality, then test the inequalities.

    An equality whose difference factors (x³ − x = x(x − 1)(x + 1)) is solved for one factor,
    the next one at the next trial, so that every solution is tried, not only the first one a
    search meets; the factors used are noted on the point.
    """
    fixed = set(claim.sizes) | set(claim.indices)
    chosen: set[Any] = set()
    claim.turn += 1
    with precision(QUICK_PRECISION):
        for e, equality in enumerate(claim.equalities):
            factors = claim.branches[e] if e < len(claim.branches) else []
            for k, bound in enumerate(_instances(equality, point, claim)):
                gap = equality.lhs - equality.rhs
                if factors:
                    # In turn for the first instance; at random for the others, so that the
                    # entries of a family mix their factors every way (not always alternating).
                    pick = claim.turn % len(factors) if k == 0 else rng.randrange(len(factors))
                    gap = factors[pick]
                    chosen.add((e, pick))
                    if e < len(claim.curved) and pick in claim.curved[e]:
                        chosen.add((e, "curved", pick))
                if not _solve(gap, Fraction(0), point, claim, bound, fixed, rng):
                    return False
                if not factors and not (e < len(claim.polynomial) and claim.polynomial[e]):
                    # |x| = 1, sin x = 0: whatever value solved it, there may be others.
                    chosen.add((e, "open"))
        point.solved_on = frozenset(chosen)
        for equality in claim.equalities:
            for bound in _instances(equality, point, claim):
                if not _evaluator(point, claim, bound).truth(equality):
                    return False
        for condition in claim.conditions:
            for bound in _instances(condition, point, claim):
                if not _evaluator(point, claim, bound).truth(condition):
                    return False
    return True


def _solve(
    gap: Expr,
    target: Fraction,
    point: Point,
    claim: _Claim,
    bound: dict[Any, Fraction],
    fixed: set[Any],
    rng: random.Random,
) -> bool:
    """Make ``gap`` equal ``target`` by solving for one unknown it is affine in, in that unknown's domain."""

    def at(key: Any | None = None, value: Any = None) -> Any:
        if key is not None:
            point.values[key] = value
        result = _evaluator(point, claim, bound)(gap)
        if not is_exact(result):
            raise Undetermined("an irrational value where a value is solved for")
        return result - target

    point.touched = set()
    try:
        start = at()
        keys = sorted(
            (k for k in point.touched if k not in fixed and k not in bound), key=_key_name
        )
    finally:
        point.touched = None
    if start == 0:
        return True
    rng.shuffle(keys)
    for key in keys[:MAX_SOLVE_KEYS]:
        saved = point.values[key]
        try:
            g0, g1, g2 = at(key, Fraction(0)), at(key, Fraction(1)), at(key, Fraction(2))
        except Undefined:
            point.values[key] = saved
            continue
        slope = g1 - g0
        if slope == 0 or g2 - 2 * g1 + g0 != 0:
            found = _grid_solve(at, key, target, point, rng)
            if found:
                return True
            point.values[key] = saved
            continue
        value = -g0 / slope
        if isinstance(value, Gauss) and not domain_of(point.what[key]).complex:
            point.values[key] = saved
            continue
        if not domain_of(point.what[key]).admits(value):
            point.values[key] = saved
            continue
        point.values[key] = value
        point.used[key] = value
        try:
            if at() == 0:
                return True
        except Undefined:
            pass
        point.values[key] = saved
    return False


_GRID = sorted({Fraction(k, 8) for k in range(-24, 25)} | {Fraction(1, 10**6), Fraction(-1, 10**6)})


def _grid_solve(
    at: Any, key: Any, target: Fraction, point: Point, rng: random.Random | None = None
) -> bool:
    """For ``g`` not affine in ``key``: a grid value with ``g = target`` exactly, or on the same side.

    ``target`` 0 needs an exact root on the grid; ``±tiny`` asks only for the sign, which finds the
    inside of ``b (2b − 1) < 0`` at ``b = 1/4`` where no affine solve can. A root is picked at
    random among the grid's roots (x² + y² = 1 at y = 0: x = −1 or x = 1, not always the first).
    """
    domain = domain_of(point.what[key])
    wanted = (target > 0) - (target < 0)
    grid = list(_GRID)
    if wanted == 0 and rng is not None:
        roots = []
        for value in grid:
            if not domain.admits(value):
                continue
            try:
                gap = at(key, value)
            except (Undefined, Undetermined):
                continue
            if not isinstance(gap, Gauss) and gap == 0:
                roots.append(value)
        if not roots:
            return False
        grid = [rng.choice(roots)]
    for value in grid:
        if not domain.admits(value):
            continue
        try:
            gap = at(key, value)
        except (Undefined, Undetermined):
            continue
        if isinstance(gap, Gauss):
            continue
        side = (gap + target > 0) - (gap + target < 0)  # the sign of g itself
        if (gap == 0) if wanted == 0 else side == wanted:
            point.used[key] = value
            return True
    return False


def _side(expr: Expr, point: Point, claim: _Claim) -> Any:
    """The value of one side, or the exception that says why it has none."""
    try:
        return _evaluator(point, claim, {})(expr)
    except (Undefined, Undetermined, TooLarge) as exc:
        return exc
    except ZeroDivisionError:
        return Undefined("division by zero")


def _evaluate(claim: _Claim, point: Point, bits: tuple[int, ...], want_difference: bool) -> _Trial:
    """Compare the two sides at ``point``, raising the precision while that cannot decide."""
    left: Any = None
    right: Any = None
    for width in bits:
        with precision(width):
            left, right = _side(claim.lhs, point, claim), _side(claim.rhs, point, claim)
            if isinstance(left, TooLarge) or isinstance(right, TooLarge):
                return _Trial("excluded", reason=str(left if isinstance(left, TooLarge) else right))
            undetermined = isinstance(left, Undetermined) or isinstance(right, Undetermined)
            left_undefined, right_undefined = isinstance(left, Undefined), isinstance(right, Undefined)
            if left_undefined and right_undefined:
                return _Trial("excluded", reason=f"both sides undefined: {left}")
            if undetermined:
                continue
            if left_undefined or right_undefined:
                if want_difference:
                    return _Trial("excluded", reason="one side undefined")
                which, why = ("left", left) if left_undefined else ("right", right)
                note = f"the {which} side is undefined here ({why}); the other side is not"
                return _Trial("differ", _counterexample(point, left, right, note))
            try:
                same = equal(left, right)
            except Undetermined:
                continue
            if same:
                return _Trial("agree")
            return _Trial("differ", _counterexample(point, left, right, ""))
    if isinstance(left, KinkUndecided) or isinstance(right, KinkUndecided):
        return _Trial("unresolved", reason=KINK_OPEN)
    if isinstance(left, Undefined) or isinstance(right, Undefined) or len(bits) == 1:
        return _Trial("unresolved")
    exact = _decide_exactly(claim, point)
    if exact is True:
        return _Trial("agree")
    if exact is False:
        with precision(bits[-1]):
            return _Trial("differ", _counterexample(point, left, right, ""))
    return _Trial("unresolved")


def _decide_exactly(claim: _Claim, point: Point) -> bool | None:
    """Whether the sides are equal at ``point``, decided by SymPy's exact algebraic numbers; None if it cannot."""
    from sympy import minimal_polynomial
    from sympy.polys.polyerrors import NotAlgebraic

    opaque = (AppliedUndef, KinkedDerivative)
    if claim.lhs.has(*opaque) or claim.rhs.has(*opaque):
        return None
    try:
        difference = _exact_value(claim.lhs - claim.rhs, point)
        if difference == 0:
            return True
        if difference.free_symbols or difference.count_ops() > EXACT_OPS:
            return None
        if _high_order_angle(difference):
            return None
        x = Dummy("x")
        polynomial = minimal_polynomial(difference, x)
        return bool(polynomial == x)
    except (NotAlgebraic, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        return None


MAX_ANGLE_DENOMINATOR = 120  # sin(π p/q) beyond this q is not handed to minimal_polynomial


def _high_order_angle(expr: Expr) -> bool:
    """Whether ``expr`` has sin, cos, tan or exp of ``π·p/q`` (times i for exp) with a large ``q``.

    Such a value is algebraic of degree about ``q``, and SymPy's ``minimal_polynomial`` of it does
    not finish (sin(2π·12345/2¹⁰) runs for minutes): at a generic point ``q`` is a 31-bit prime.
    """
    from sympy import I, exp, pi
    from sympy.functions.elementary.trigonometric import TrigonometricFunction

    for call in expr.atoms(TrigonometricFunction, exp):
        turn = call.args[0] / (pi * I if isinstance(call, exp) else pi)
        if turn.is_Rational and turn.q > MAX_ANGLE_DENOMINATOR:
            return True
    return False


def _exact_value(expr: Expr, point: Point) -> Expr:
    """``expr`` at the point as an exact SymPy number: values put in, sums written out term by term."""
    symbols: dict[Any, Expr] = {}
    entries: dict[Any, Expr] = {}
    for key, value in point.values.items():
        number = _sympy_number(value)
        if isinstance(key, tuple):
            base, indices = key[0], key[1]
            if isinstance(indices, tuple) and all(isinstance(i, int) for i in indices):
                entries[base[tuple(Integer(i) for i in indices)]] = number
        else:
            symbols[key] = number
    result = _written_out(expr.xreplace(symbols)).doit(deep=True)
    return result.xreplace(entries)


def _written_out(expr: Any) -> Any:
    """Every sum and product with integer limits written out term by term, as the evaluator does.

    The terms are those of ``lower ≤ i ≤ upper`` (none when the upper limit is below the lower: a
    sum 0, a product 1). SymPy's ``doit`` would use Karr's convention there (``Σ_{i=3}^{1} 1 = −1``)
    and closed forms for symbolic limits: neither is how the claim is read.
    """
    if not isinstance(expr, Basic) or not expr.has(Sum, Product):
        return expr
    if isinstance(expr, (Sum, Product)):
        *inner, (var, lower, upper) = expr.limits
        low, high = _written_out(lower), _written_out(upper)
        if not isinstance(var, (Symbol, Idx)) or not (low.is_Integer and high.is_Integer):
            raise ValueError("a limit that is not an integer here")
        body = expr.func(expr.function, *inner) if inner else expr.function
        terms = [_written_out(body.xreplace({var: Integer(v)})) for v in range(int(low), int(high) + 1)]
        return Add(*terms) if isinstance(expr, Sum) else Mul(*terms)
    return expr.func(*[_written_out(a) for a in expr.args])


def _sympy_number(value: Any) -> Expr:
    from sympy import I

    if isinstance(value, Gauss):
        return Rational(value.re.numerator, value.re.denominator) + I * Rational(
            value.im.numerator, value.im.denominator
        )
    if isinstance(value, Fraction):
        return Rational(value.numerator, value.denominator)
    raise ValueError("not an exact value")


# Showing a counterexample -----------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, Undetermined):
        return "an algebraic number (the sides' difference is not 0, decided exactly)"
    if isinstance(value, Exception):
        return f"undefined ({value})"
    if is_exact(value):
        return str(value)
    if type(value).__name__ == "ivmpc":
        return f"{_midpoint(value.real)} + {_midpoint(value.imag)}*I"
    return _midpoint(value)


def _midpoint(interval: Any) -> str:
    """An interval's midpoint to 15 digits, with ``≈`` (the interval itself is certified)."""
    middle = (mpmath.mpf(interval.a) + mpmath.mpf(interval.b)) / 2
    return f"≈ {mpmath.nstr(middle, 15)}"


def _counterexample(point: Point, left: Any, right: Any, note: str) -> Counterexample:
    exact = is_exact(left) and is_exact(right)
    if isinstance(left, Exception) or isinstance(right, Exception):
        difference = "undefined"
    elif exact:
        difference = str(left - right)
    else:
        from symbn.evaluate import subtract

        difference = _show(subtract(left, right))
    return Counterexample(_assignment(point), _show(left), _show(right), difference, exact, note)


def _assignment(point: Point) -> tuple[tuple[str, str], ...]:
    """The values used, by name (``a[2]`` for an entry, ``f(1/2)`` for an unknown function), in order."""
    named: dict[str, str] = {}
    for key, value in point.used.items():
        named.setdefault(_key_name(key), str(value))
    return tuple(named.items())


def _key_name(key: Any) -> str:
    if isinstance(key, tuple) and len(key) == 2:
        base, indices = key
        return f"{base}[{', '.join(map(str, indices))}]"
    if isinstance(key, tuple) and len(key) == 3:
        func, derivatives, args = key
        primes = "".join(f"_d{position}" * count for position, count in derivatives)
        return f"{func}{primes}({', '.join(map(str, args))})"
    return str(key)


__all__ = [
    "MIN_AGREEING",
    "MIN_GENERIC",
    "MIN_SIZE_ASSIGNMENTS",
    "Counterexample",
    "NotEvaluable",
    "NumericOutcome",
    "compare",
    "largest_size",
    "sum_depth",
]
