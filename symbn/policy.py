"""The verdict policy: how the symbolic and the numeric layers' findings become one verdict.

- **proved**: the normal form of ``lhs − rhs`` is exactly 0 and no numeric trial disagrees (at
  least one trial could be evaluated to cross-check it).
- **refuted**: a certified counterexample (the values differ, or one side is undefined there and
  the other is not), unless the normal form is 0: then ``inconsistent``, a bug to report.
- **checked**: the normal form is not 0 and not a rational function (which would decide the claim
  exactly), and at least :data:`~symbn.numeric.MIN_AGREEING` trials agree exactly, over at least
  :data:`~symbn.numeric.MIN_SIZE_ASSIGNMENTS` distinct sizes when the claim has sizes, and, when
  no Schwartz–Zippel bound applies, at least :data:`~symbn.numeric.MIN_GENERIC` of them generic.
- **undecided**: anything else, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sympy import (
    Add,
    Expr,
    Idx,
    Indexed,
    Integer,
    Mul,
    Pow,
    Symbol,
    cancel,
    expand,
    factor_terms,
    fraction,
    together,
)

from symbn.numeric import (
    MIN_AGREEING,
    MIN_GENERIC,
    MIN_SIZE_ASSIGNMENTS,
    Counterexample,
    NumericOutcome,
)


class Verdict(str, Enum):
    """The checker's word on one line."""

    DEFINITION = "definition"
    PROVED = "proved"
    CHECKED = "checked"
    REFUTED = "refuted"
    UNDECIDED = "undecided"
    INCONSISTENT = "inconsistent"

    @property
    def holds(self) -> bool:
        """Whether a line with this verdict stands (proved, or checked numerically, or a definition)."""
        return self in (Verdict.DEFINITION, Verdict.PROVED, Verdict.CHECKED)


@dataclass(frozen=True)
class Decision:
    """What the two layers found for one claim, before it is attached to its line."""

    verdict: Verdict
    reason: str = ""
    remainder: Expr | None = None
    counterexample: Counterexample | None = None
    numeric: NumericOutcome | None = None
    uses: frozenset[str] = frozenset()


INCONSISTENT = "the normal form is 0 but a numeric trial differs: a bug in a checking layer"


def is_rational_function(expr: Expr) -> bool:
    """Whether ``expr`` is built from numbers, symbols and family entries by +, × and integer powers."""
    if expr.is_Number:
        return bool(expr.is_Rational)
    if isinstance(expr, (Symbol, Idx)):
        return True
    if isinstance(expr, Indexed):
        return all(is_rational_function(i) for i in expr.indices)
    if isinstance(expr, (Add, Mul)):
        return all(is_rational_function(a) for a in expr.args)
    if isinstance(expr, Pow):
        return bool(expr.exp.is_Integer) and is_rational_function(expr.base)
    return False


def rational_normal_form(expr: Expr) -> Expr:
    """A rational function as one fraction with an expanded numerator: 0 exactly when it is 0."""
    numerator, denominator = fraction(together(expr))
    numerator = expand(numerator)
    if numerator == 0:
        return Integer(0)
    return numerator / expand(denominator)


def policy(
    relation_is_difference: bool,
    remainder: Expr,
    numeric: NumericOutcome,
    *,
    rational_known: bool,
) -> Decision:
    """The verdict from the remainder of the normal form and the numeric trials."""
    if relation_is_difference:
        return _difference(remainder, numeric)
    symbolic_zero = remainder == 0
    found = numeric.counterexample
    if found is not None:
        # The normal form is an identity where both sides are defined; a point where only one
        # of them is does not contradict it.
        if symbolic_zero and not found.note:
            return Decision(Verdict.INCONSISTENT, INCONSISTENT, remainder, found, numeric)
        why = found.note or "the sides differ"
        return Decision(Verdict.REFUTED, why, remainder, found, numeric)
    evaluated = numeric.agreed + numeric.unresolved
    if symbolic_zero:
        if evaluated:
            reason = f"the normal form of lhs − rhs is 0; cross-checked: {numeric.cross_check()}"
            return Decision(Verdict.PROVED, reason, None, numeric=numeric)
        return Decision(
            Verdict.UNDECIDED,
            "the normal form is 0, but no numeric trial could be evaluated to cross-check it "
            f"({numeric.reason or 'no admissible values'})",
            remainder,
            numeric=numeric,
        )
    if rational_known and is_rational_function(remainder):
        return Decision(
            Verdict.UNDECIDED,
            "the sides differ by a non-zero rational function, but no admissible point where "
            f"it is non-zero was found; {numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    if numeric.unreached:
        # Agreement on part of an assumption's solutions says nothing about the rest:
        # x² = 1 holds at x = ±1 but not at x = 0, all three solutions of x³ = x.
        return Decision(
            Verdict.UNDECIDED,
            "not proved symbolically; no agreeing trial reached every solution of the "
            f"assumptions, not: {'; '.join(numeric.unreached[:3])}; {numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    if numeric.open_kinks:
        # A derivative through |u|, max, cases … fails, if anywhere, at a breakpoint: agreement
        # elsewhere says nothing about the points that matter.
        return Decision(
            Verdict.UNDECIDED,
            f"not proved symbolically; at {numeric.open_kinks} point(s) where a piece of a "
            "differentiated function (|u|, max, min, sign, ⌊u⌋, cases) is at its breakpoint, "
            "symbn could not decide whether the derivative exists; "
            f"{numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    enough_sizes = numeric.distinct_sizes >= MIN_SIZE_ASSIGNMENTS or not any(numeric.sizes)
    blind = _blind_size_factor(remainder, numeric) if numeric.agreed >= MIN_AGREEING else None
    if enough_sizes and blind is not None:
        return Decision(
            Verdict.UNDECIDED,
            f"not proved symbolically; lhs − rhs has the factor {_short(blind)}, which depends on the sizes "
            "alone and is 0 at almost every size tried, so the agreements there say nothing; "
            f"{numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    if numeric.agreed >= MIN_AGREEING and enough_sizes and numeric.beyond is not None:
        return Decision(
            Verdict.UNDECIDED,
            f"not proved symbolically; a piece of the claim may turn at size {numeric.beyond}, "
            f"beyond every size the trials could reach; {numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    unreachable = unreachable_switch(remainder) if numeric.agreed >= MIN_AGREEING else None
    if enough_sizes and unreachable is not None:
        return Decision(
            Verdict.UNDECIDED,
            f"not proved symbolically; the claim switches (|u|, max, min, sign, ⌊u⌋, cases) where "
            f"{_short(unreachable)} = 0, which the trials cannot reach exactly (an irrational or "
            f"transcendental breakpoint, or a turn past the sizes tried); {numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    if numeric.agreed >= MIN_AGREEING and enough_sizes and numeric.thin:
        return Decision(
            Verdict.UNDECIDED,
            "not proved symbolically, and the agreements rest on special values: without a "
            f"probability bound at least {MIN_GENERIC} generic points must agree; {numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    if numeric.agreed >= MIN_AGREEING and enough_sizes:
        return Decision(
            Verdict.CHECKED,
            f"not proved symbolically; {numeric.evidence()}",
            remainder,
            numeric=numeric,
        )
    return Decision(
        Verdict.UNDECIDED,
        f"not proved symbolically, and too little numeric evidence (at least {MIN_AGREEING} exact "
        f"agreements over {MIN_SIZE_ASSIGNMENTS} sizes are needed); {numeric.evidence()}",
        remainder,
        numeric=numeric,
    )


def unreachable_switch(expr: Expr) -> Expr | None:
    """Where ``expr`` switches branch at a point no trial can reach exactly: the expression
    ``g`` (``g = 0`` is the breakpoint) of the first such piece, else None.

    The trials aim at breakpoints by solving ``g = 0`` in rationals, and find where a piece of a
    sum turns by its polynomial in the sizes. That reaches every breakpoint only when each
    irreducible factor of ``g`` (a polynomial with rational coefficients in symbols and entries)
    is linear in one of its unknowns, has no real root, or is in the sizes and indices alone. A
    claim that may differ only at ``x = \\sqrt 2``, ``x = \\pi`` or ``i = 900`` of ``2^i`` is
    never checked by agreement elsewhere.
    """
    from sympy import (
        Abs,
        Heaviside,
        Max,
        Min,
        Piecewise,
        Poly,
        PolynomialError,
        ceiling,
        factor_list,
        floor,
        preorder_traversal,
        sign,
    )
    from sympy.core.relational import Relational

    switches: list[Expr] = []
    for node in preorder_traversal(expr):
        if isinstance(node, (Abs, sign, Heaviside, floor, ceiling)):
            switches.append(node.args[0])
        elif isinstance(node, (Max, Min)):
            args = list(node.args)
            switches.extend(a - b for k, a in enumerate(args) for b in args[k + 1 :])
        elif isinstance(node, Piecewise):
            for _, condition in node.args:
                if isinstance(condition, Relational):
                    switches.append(condition.lhs - condition.rhs)
                else:
                    switches.extend(r.lhs - r.rhs for r in condition.atoms(Relational))
    for g in switches:
        try:
            poly = Poly(g)
        except (PolynomialError, ValueError, TypeError):
            return g
        if not poly.domain.is_QQ and not poly.domain.is_ZZ:
            return g
        if not all(isinstance(gen, (Symbol, Indexed)) for gen in poly.gens):
            return g
        try:
            _, factors = factor_list(poly)
        except (PolynomialError, ValueError, TypeError):
            return g
        for factor, _ in factors:
            unknowns = [v for v in factor.gens if factor.degree(v) > 0]
            if all(getattr(v, "is_integer", False) for v in unknowns):
                continue  # a turn in the sizes: the trials' own polynomial analysis finds it
            if any(factor.degree(v) == 1 for v in unknowns):
                continue
            if len(unknowns) == 1 and factor.count_roots() == 0:
                continue
            return g
    return None


def _short(expr: Expr, limit: int = 80) -> str:
    text = str(expr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


PROBE_SIZES = (41, 157, 1_009, 10_007)  # where a factor in the sizes alone is evaluated
MAX_FACTORED_OPS = 3_000  # larger remainders are not searched for a factor in the sizes alone


def _blind_size_factor(remainder: Expr, numeric: NumericOutcome) -> Expr | None:
    """A factor of ``remainder`` in the sizes alone that is 0 at all but a few of the sizes tried.

    ``Σ_{i,j,k} x_i x_j x_k · (m−1)(m−2)…(m−30)`` is 0 at every size a trial of a triple sum can
    afford (m ≤ 27), yet not 0: agreements at the roots of such a factor are no evidence about the
    rest. A remainder in the sizes alone has no rest: its trials are the evidence (as for any
    claim on sizes, nothing is claimed for the sizes not tried).
    """
    if not any(numeric.sizes) or remainder.count_ops() > MAX_FACTORED_OPS:
        return None
    sizes = {
        str(s): s
        for s in remainder.free_symbols
        if isinstance(s, Symbol) and not isinstance(s, Idx) and s.is_integer and s.is_positive
    }
    if not sizes:
        return None
    try:
        factored = factor_terms(remainder)
    except Exception:
        return None
    pieces = [
        f
        for f in Mul.make_args(factored)
        if not f.is_number and f.free_symbols and f.free_symbols <= set(sizes.values())
    ]
    rest = [f for f in Mul.make_args(factored) if f not in pieces]
    if not pieces or all(f.is_number for f in rest):
        # The claim is then about the sizes alone, and each size tried tests it exactly.
        return None
    factor = Mul(*pieces)
    try:
        if factor.is_rational_function() and cancel(factor) == 0:
            return None  # 0 identically (1/(n+1) − 1/n + 1/(n(n+1))): agreeing is no accident
    except Exception:
        return None
    informative = 0
    for plan in set(numeric.sizes):
        point = {sizes[name]: Integer(value) for name, value in plan if name in sizes}
        try:
            value = factor.xreplace(point)
        except Exception:
            return None
        if value.is_number and value != 0:
            informative += 1
    if informative >= MIN_SIZE_ASSIGNMENTS:
        return None
    # A factor 0 at far sizes too is 0 as written, not a blind spot (the normal form left
    # 1/(n+1) − 1/n + 1/(n(n+1)) unsimplified): the trials then stand as before.
    for far in PROBE_SIZES:
        try:
            value = factor.xreplace({s: Integer(far + k) for k, s in enumerate(sizes.values())})
        except Exception:
            return None
        if value.is_number and value != 0:
            return factor
    return None


def _difference(remainder: Expr, numeric: NumericOutcome) -> Decision:
    symbolic_zero = remainder == 0
    found = numeric.counterexample
    if found is not None:
        if symbolic_zero:
            return Decision(Verdict.INCONSISTENT, INCONSISTENT, remainder, found, numeric)
        return Decision(Verdict.PROVED, "the sides differ at these values", remainder, found, numeric)
    if symbolic_zero and numeric.agreed + numeric.unresolved:
        return Decision(
            Verdict.REFUTED,
            "the sides are equal: their difference normalises to 0",
            Integer(0),
            numeric=numeric,
        )
    return Decision(
        Verdict.UNDECIDED,
        f"no values found where the sides differ; {numeric.evidence()}",
        remainder,
        numeric=numeric,
    )


__all__ = ["Decision", "Verdict", "is_rational_function", "policy", "rational_normal_form"]
