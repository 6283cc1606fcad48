"""A normal form for expressions with finite indexed sums, the symbolic layer of the checker.

Every rewrite here is an identity of finite sums, so two expressions whose difference normalises
to exactly 0 are equal; a non-zero result proves nothing (the normal form is not complete, and the
numeric layer decides then). The rewrites: expand; split sums by linearity; pull out factors that
do not depend on the summation index; a sum of an index-free body is the count of terms times the
body; sum a Kronecker delta against its index (only when the delta's other side provably lies in
the summation range); merge nested sums, over any number of indices; rename summation indices
canonically so that sums differing only in index names compare equal; bring a sum under a
non-integer or negative power to one primitive form (one fraction, content out, sign fixed),
taking a factor out of a root only when it is known to be non-negative.
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

from sympy import (
    Add,
    Derivative,
    Dummy,
    Expr,
    Idx,
    Integer,
    KroneckerDelta,
    Mul,
    Pow,
    Product,
    Sum,
    Symbol,
    expand,
    factor_terms,
    fraction,
    together,
)
from sympy.core.sorting import default_sort_key

MAX_PERMUTED_LIMITS = 4


Ranges = dict[Any, tuple[Any, Any]]
_NO_RANGES: Ranges = {}


# Normal forms already computed in this process, by expression and ranges: the claims of one run
# share their definitions' subtrees (a mean, a variance), which are then normalised once. Every
# entry is the normal form of exactly its key (the rewrites are deterministic, and expressions
# that compare equal are the same tree), so a hit changes the cost, never the result. Bounded:
# the memo is emptied when it reaches MEMO_ENTRIES.
MEMO_ENTRIES = 4096
_MEMO: dict[tuple[Any, frozenset[Any]], Any] = {}


def normal_form(expr: Expr) -> Expr:
    """The normal form of ``expr``; equal normal forms mean equal expressions."""
    return _normal(expr, _NO_RANGES)


def _normal(expr: Any, ranges: Ranges) -> Any:
    """The normal form of ``expr`` inside sums whose indices run over ``ranges`` (memoised)."""
    if expr.is_Atom:
        return expr
    key = (expr, frozenset(ranges.items()))
    found = _MEMO.get(key)
    if found is not None:
        return found
    result = _rewrite(expr, ranges)
    if len(_MEMO) >= MEMO_ENTRIES:
        _MEMO.clear()
    _MEMO[key] = result
    return result


def _rewrite(expr: Any, ranges: Ranges) -> Any:
    """One step of :func:`_normal`: the rewrite for ``expr``'s kind, its parts normalised."""
    if isinstance(expr, Sum):
        return _normal_sum(expr, ranges)
    if isinstance(expr, Product):
        # Within a product its indices run over its own limits (a count of terms inside relies on it).
        limits = [(v, _normal(lo, ranges), _normal(hi, ranges)) for v, lo, hi in expr.limits]
        inner = {**ranges, **{v: (lo, hi) for v, lo, hi in limits}}
        return Product(_normal(expr.function, inner), *limits)
    if isinstance(expr, Derivative):
        inner = _normal(expr.expr, ranges)
        taken = inner.diff(*expr.variable_count)
        if isinstance(taken, Derivative):
            # Left unevaluated by SymPy (f'(x) of an unknown f): normalising it again would only
            # take the same derivative again, without end.
            return taken
        return _normal(taken, ranges)
    args = [_normal(a, ranges) for a in expr.args]
    if isinstance(expr, Add):
        return Add(*args)
    if isinstance(expr, Mul):
        return _expand(Mul(*args))
    if isinstance(expr, Pow):
        return _normal_pow(*args)
    return expr.func(*args)


def _expand(expr: Expr) -> Expr:
    return expand(expr, deep=False, power_base=False, power_exp=False, log=False)


def _normal_pow(base: Expr, exponent: Expr) -> Expr:
    if exponent.is_Integer and exponent > 0:
        return _expand(Pow(base, exponent))
    if base.is_Add:
        content, rest = _primitive(base)
        if exponent.is_Integer:
            return _expand(Pow(content, exponent) * Pow(rest, exponent))
        outside = [f for f in Mul.make_args(content) if f.is_nonnegative]
        inside = [f for f in Mul.make_args(content) if not f.is_nonnegative]
        # (c·P)^e = c^e·P^e for c ≥ 0 and real P; other factors stay under the power.
        return _expand(Pow(Mul(*outside), exponent) * Pow(Mul(*inside) * rest, exponent))
    return Pow(base, exponent)


def _primitive(base: Expr) -> tuple[Expr, Expr]:
    """``base`` as ``content · rest``: one fraction, its content out, ``rest`` an expanded sum of sign fixed.

    ``together`` and ``factor_terms`` are identities, so equal sums (however written) give equal
    pieces, and ``base == content * rest`` wherever ``base`` is defined.
    """
    numerator, denominator = fraction(together(base))
    factored = factor_terms(_expand(numerator))
    content = Mul(*[f for f in Mul.make_args(factored) if not f.is_Add])
    rest = Mul(*[f for f in Mul.make_args(factored) if f.is_Add])
    rest = _expand(rest)
    if rest.is_Add and rest.could_extract_minus_sign():
        content, rest = -content, _expand(-rest)
    return content / denominator, rest


def _normal_sum(expr: Sum, ranges: Ranges) -> Expr:
    limits = [(var, _normal(lo, ranges), _normal(hi, ranges)) for var, lo, hi in expr.limits]
    inner = {**ranges, **{var: (lo, hi) for var, lo, hi in limits}}
    body = _normal(expr.function, inner)
    for k, (var, lower, upper) in enumerate(limits):
        # Within this sum, its outer indices still run over their own limits.
        around = {**ranges, **{v: (lo, hi) for v, lo, hi in limits[k + 1 :]}}
        body = _sum_over(body, var, lower, upper, around)
    return body


def _sum_over(body: Expr, var: Symbol, lower: Expr, upper: Expr, ranges: Ranges) -> Expr:
    """Σ_{var=lower}^{upper} body, for an expanded ``body``, as a sum of normalised terms."""
    count: Expr | None = None
    out = []
    for term in Add.make_args(_expand(body)):
        free: list[Expr] = []
        bound: list[Expr] = []
        for factor in Mul.make_args(term):
            (bound if var in factor.free_symbols else free).append(factor)
        if not bound:
            if count is None:
                count = _count(var, lower, upper, ranges)
            out.append(Mul(*free) * count)
        else:
            out.append(Mul(*free) * _sum_of_product(bound, var, lower, upper, ranges))
    return _expand(Add(*out))


MAX_CORNERS = 64  # corners of the enclosing indices' ranges tried to bound a count of terms


def _count(var: Symbol, lower: Expr, upper: Expr, ranges: Ranges) -> Expr:
    """The number of terms of Σ_{var=lower}^{upper}: ``upper − lower + 1`` where that is known ≥ 0.

    A range whose upper limit is below its lower limit is empty (0 terms, as a reader reads it),
    so ``upper − lower + 1`` (SymPy's Karr convention, −1 for Σ_{i=3}^{1}) is the count only where
    the declarations show ``upper ≥ lower − 1`` (``Σ_{i=1}^{m}`` with ``m`` a size; ``Σ_{j=i}^{m}``
    inside ``Σ_{i=1}^{m}``). Elsewhere the count stays the sum ``Σ 1``, which proves nothing.
    """
    count = _expand(upper - lower + Integer(1))
    if _nonnegative(count, ranges):
        return count
    return _canonical_sum(Integer(1), [(var, lower, upper)])


def _nonnegative(expr: Expr, ranges: Ranges) -> bool:
    """Whether ``expr`` is known ≥ 0 for every value of the indices it has, each within its range.

    SymPy's assumptions decide it, else an enclosing summation index (or a free index, over its
    declared range) is replaced by both ends of its range, innermost first: an expression affine in
    that index is smallest at an end (and over an empty range there is nothing to bound).
    """
    pending = [_expand(expr)]
    for _ in range(MAX_CORNERS):
        if not pending:
            return True
        current = pending.pop()
        if current.is_nonnegative:
            continue
        spans: dict[Any, tuple[Expr, Expr]] = {}
        for v in current.free_symbols:
            span = _span(v, ranges)
            if span is not None:
                spans[v] = span
        inner = [
            v
            for v in spans
            if not any(
                v in spans[w][0].free_symbols | spans[w][1].free_symbols for w in spans if w != v
            )
        ]
        if not inner:
            return False
        v = sorted(inner, key=default_sort_key)[0]
        poly = current.as_poly(v) if current.is_polynomial(v) else None
        if poly is None or poly.degree() > 1:
            return False  # not affine in v: its least value need not be at an end
        pending.extend(_expand(current.xreplace({v: end})) for end in spans[v])
    return False


def _span(v: Any, ranges: Ranges) -> tuple[Expr, Expr] | None:
    """The range an index runs over here: an enclosing sum's limits, or a free index's declared range."""
    if v in ranges:
        return ranges[v]
    if isinstance(v, Idx) and v.lower is not None and v.upper is not None:
        return v.lower, v.upper
    return None


def _sum_of_product(
    factors: list[Expr], var: Symbol, lower: Expr, upper: Expr, ranges: Ranges
) -> Expr:
    """Σ_{var} of a product of factors that all depend on ``var``."""
    for k, factor in enumerate(factors):
        if isinstance(factor, KroneckerDelta) and var in factor.args[:2]:
            other = factor.args[1] if factor.args[0] == var else factor.args[0]
            if var not in other.free_symbols and _within(other, lower, upper, ranges):
                rest = Mul(*(factors[:k] + factors[k + 1 :]))
                return _normal(rest.xreplace({var: other}), ranges)
    sums = [f for f in factors if isinstance(f, Sum)]
    if len(sums) == 1:
        inner = sums[0]
        others = [f for f in factors if f is not inner]
        fresh = {v: Dummy() for v, _, _ in inner.limits}
        inner_body = inner.function.xreplace(fresh)
        # An inner limit may run to an index of the same sum (Σ_{j=1}^{k} Σ_{k=1}^{m}): renamed too.
        limits = [(fresh[v], lo.xreplace(fresh), hi.xreplace(fresh)) for v, lo, hi in inner.limits]
        return _canonical_sum(Mul(*others) * inner_body, [*limits, (var, lower, upper)])
    return _canonical_sum(Mul(*factors), [(var, lower, upper)])


def _within(value: Expr, lower: Expr, upper: Expr, ranges: Ranges) -> bool:
    """Whether an index value provably lies in [lower, upper].

    A summation index of an enclosing sum runs over that sum's limits (not the range its Idx was
    declared with); a free index over its declared range; an integer is compared.
    """
    if value.is_Integer and lower.is_Integer and upper.is_Integer:
        return bool(lower <= value <= upper)
    if value in ranges:
        return ranges[value] == (lower, upper)
    return isinstance(value, Idx) and (value.lower, value.upper) == (lower, upper)


def _canonical_sum(body: Expr, limits: list[tuple[Expr, Expr, Expr]]) -> Expr:
    """A Sum with its indices renamed canonically (by nesting height, then by the best order)."""
    height = 1 + max((_height(s) for s in body.atoms(Sum)), default=0)
    variables = [v for v, _, _ in limits]
    bounds_free = set().union(*(lo.free_symbols | hi.free_symbols for _, lo, hi in limits))
    orders: Any = [limits]
    if len(limits) <= MAX_PERMUTED_LIMITS and not bounds_free & set(variables):
        orders = permutations(limits)
    best: Expr | None = None
    for order in orders:
        names = {v: _index_name(height, k) for k, (v, _, _) in enumerate(order)}
        # A limit that runs to an outer index (Σ_{j=1}^{i−1} inside Σ_i) names it as the body does.
        candidate = Sum(
            body.xreplace(names),
            *[(names[v], lo.xreplace(names), hi.xreplace(names)) for v, lo, hi in order],
        )
        if best is None or default_sort_key(candidate) < default_sort_key(best):
            best = candidate
    assert best is not None
    return best


def _height(expr: Sum) -> int:
    inner = [s for s in expr.function.atoms(Sum)]
    return 1 + max((_height(s) for s in inner), default=0)


_INDEX_NAMES: dict[tuple[int, int], Dummy] = {}
# Canonical indices are Dummies with fixed indices far above SymPy's own counter: equal wherever
# the normal form makes them, and never equal to any symbol a user or a document can write.
_CANONICAL_BASE = 7_000_000_000


def _index_name(height: int, position: int) -> Dummy:
    key = (height, position)
    if key not in _INDEX_NAMES:
        _INDEX_NAMES[key] = Dummy(
            f"s{height}_{position}",
            dummy_index=_CANONICAL_BASE + 1000 * height + position,
            integer=True,
        )
    return _INDEX_NAMES[key]
