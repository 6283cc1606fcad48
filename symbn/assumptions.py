"""A derivation's assumptions, made to bind before the two layers look at a claim.

``x = c`` (a symbol equal to an expression free of it) is substituted. A sign fact about a symbol
(``a > 0``, ``a ≥ 0``, ``a < 0``, ``a ≤ 0``, ``a ≠ 0``) or about a whole family (``x[i] > 0``)
becomes a SymPy assumption of the symbol or the family, so the normal form may use it and the
sampler draws only such values. Every other assumption is left for the numeric layer, which
solves equalities and tests inequalities at every index value.
"""

from __future__ import annotations

from typing import Any

from sympy import (
    Eq,
    Expr,
    GreaterThan,
    Idx,
    Indexed,
    IndexedBase,
    LessThan,
    Ne,
    S,
    StrictGreaterThan,
    StrictLessThan,
    Symbol,
)
from sympy.core.relational import Relational

_SIGN_FACTS: dict[type, str] = {
    StrictGreaterThan: "positive",
    GreaterThan: "nonnegative",
    StrictLessThan: "negative",
    LessThan: "nonpositive",
    Ne: "nonzero",
}
_MIRRORED: dict[type, type] = {
    StrictGreaterThan: StrictLessThan,
    GreaterThan: LessThan,
    StrictLessThan: StrictGreaterThan,
    LessThan: GreaterThan,
    Ne: Ne,
}


def apply_assumptions(
    lhs: Expr, rhs: Expr, assumptions: tuple[Relational, ...]
) -> tuple[Expr, Expr, tuple[Relational, ...]]:
    """The claim's sides and the assumptions left over, with equalities substituted and sign facts bound."""
    mapping: dict[Any, Any] = {}
    rest: list[Relational] = []
    for assumption in assumptions:
        if assumption is S.true:
            continue
        fact = _sign_fact(assumption)
        if isinstance(assumption, Eq):
            solved = _solved(assumption)
            if solved is not None and solved[0] not in mapping:
                mapping[solved[0]] = solved[1]
                continue
        if fact is not None:
            target, kind = fact
            current = mapping.get(target, target)
            strengthened = _with_fact(current, kind)
            if strengthened is not None:
                mapping[target] = strengthened
        rest.append(assumption)
    if not mapping:
        return lhs, rhs, tuple(a for a in assumptions if a is not S.true)
    moved = []
    for assumption in rest:
        replaced = assumption.xreplace(mapping)
        if replaced is S.false:
            moved.append(replaced)
        elif replaced is not S.true:
            moved.append(replaced)
    return lhs.xreplace(mapping), rhs.xreplace(mapping), tuple(moved)


def _solved(assumption: Eq) -> tuple[Symbol, Expr] | None:
    for left, right in ((assumption.lhs, assumption.rhs), (assumption.rhs, assumption.lhs)):
        if isinstance(left, Symbol) and not isinstance(left, Idx) and left not in right.free_symbols:
            return left, right
    return None


def _sign_fact(assumption: Relational) -> tuple[Any, str] | None:
    """``(symbol or family, kind)`` for ``a > 0``, ``0 < a``, ``x[i] ≥ 0`` …; None for anything else."""
    kind_of = type(assumption)
    if kind_of not in _SIGN_FACTS:
        return None
    left, right = assumption.lhs, assumption.rhs
    if left == 0 and right != 0:
        left, right, kind_of = right, left, _MIRRORED[kind_of]
    if right != 0:
        return None
    kind = _SIGN_FACTS[kind_of]
    if isinstance(left, Symbol) and not isinstance(left, Idx):
        return left, kind
    if (
        isinstance(left, Indexed)
        and all(isinstance(i, Idx) for i in left.indices)
        and len(set(left.indices)) == len(left.indices)
    ):
        return left.base, kind
    return None


def _with_fact(target: Any, kind: str) -> Any:
    """A copy of a symbol or a family that also carries ``kind`` (positive, nonnegative, …)."""
    if isinstance(target, IndexedBase):
        facts = {**target.label.assumptions0, "real": True, kind: True}
        return _clean(type(target), str(target.label), facts)
    if isinstance(target, Symbol):
        facts = {**target.assumptions0, kind: True}
        if kind != "nonzero":
            facts["real"] = True
        return _clean(Symbol, target.name, facts)
    return None


def _clean(cls: Any, name: str, facts: dict[str, bool]) -> Any:
    """``cls(name, **facts)`` keeping only the facts SymPy takes as given (the others follow)."""
    given = {
        k: v
        for k, v in facts.items()
        if k
        in {
            "real",
            "integer",
            "positive",
            "nonnegative",
            "negative",
            "nonpositive",
            "nonzero",
            "even",
            "odd",
            "rational",
            "complex",
            "commutative",
        }
        and v
    }
    try:
        return cls(name, **given)
    except Exception:
        return None


__all__ = ["apply_assumptions"]
