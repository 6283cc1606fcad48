"""Derivatives through sums: the checker's faster route must give what SymPy's ``diff`` gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Derivative, Expr, Rational, Sum, exp, log, sqrt

import symbn
from symbn.check import Verdict, _differentiate, derivative_through_sums
from symbn.numeric import compare

a = symbn.examples("a")
b, c = symbn.symbols("b c")
eps = symbn.symbols("epsilon", positive=True)
m = symbn.size("m")
i, k = symbn.index("i", m), symbn.index("k", m)
j = symbn.index("j", m, shown=False)
S = Sum(a[i] + b, (i, 1, m))
INNER = Sum(a[k] * b + c, (k, 1, m))

CASES = [
    S,
    S**2,
    1 / sqrt(Sum((a[i] + b - S / m) ** 2, (i, 1, m)) / m + eps),
    (a[j] + b - S / m) / sqrt(Sum((a[i] + b - S / m) ** 2, (i, 1, m)) / m + eps),
    Sum(a[i] * INNER, (i, 1, m)),
    Sum(Sum(a[i] * a[k] * b**2, (k, 1, m)), (i, 1, m)),
    exp(S / m) * log(S**2 + 1),
    b**3 * c + Sum(a[i], (i, 1, m)),
    Sum(a[i] * b, (i, 1, b + m)),  # the bound depends on b: left to SymPy
]


def _agree(mine: Expr, theirs: Expr) -> bool:
    outcome = compare(mine, theirs, seed=11, trials=6)
    return outcome.counterexample is None and outcome.agreed > 0


@pytest.mark.parametrize("expr", CASES, ids=range(len(CASES)))
def test_the_same_derivative_as_sympy(expr: Expr) -> None:
    mine = derivative_through_sums(expr, b)
    if expr.has(Sum) and not any(
        b in hi.free_symbols for s in expr.atoms(Sum) for *_, hi in s.limits
    ):
        assert not mine.has(Derivative)
    if not mine.has(Derivative):
        assert _agree(mine, expr.diff(b))


def test_second_derivatives_and_other_variables() -> None:
    expr = CASES[3]
    second = _differentiate(Derivative(expr, b, 2))
    assert _agree(second, expr.diff(b, 2))
    mixed = _differentiate(Derivative(expr * c, b, c))
    assert _agree(mixed, (expr * c).diff(b, c))


def test_derivative_by_an_entry_is_left_to_sympy() -> None:
    expr = Sum(a[i] ** 2, (i, 1, m))
    assert _differentiate(Derivative(expr, a[j])) == expr.diff(a[j])


def test_a_wrong_derivative_claim_is_still_refuted() -> None:
    z = CASES[3]
    d = symbn.Derivation("t", name="t").step(Derivative(z, b), 1, label="1")
    d.step(Derivative(S**2, b), 2 * S, label="2")
    d.step(Derivative(S**2, b), 2 * m * S, label="3")
    report = d.check()
    assert report["1"].verdict is Verdict.REFUTED
    assert report["2"].verdict is Verdict.REFUTED
    assert report["3"].verdict is Verdict.PROVED


def _expressions() -> Any:
    leaves = st.sampled_from([b, c, a[i], a[j], eps, Rational(3, 2), b**2])

    def extend(children: Any) -> Any:
        return st.one_of(
            st.tuples(children, children).map(lambda p: p[0] + p[1]),
            st.tuples(children, children).map(lambda p: p[0] * p[1]),
            children.map(lambda e: Sum(e, (i, 1, m))),
            children.map(lambda e: sqrt(e**2 + eps)),
            children.map(lambda e: e**3),
        )

    return st.recursive(leaves, extend, max_leaves=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_random_expressions_agree_with_sympy(expr: Expr) -> None:
    mine = derivative_through_sums(expr, b)
    theirs = expr.diff(b)
    outcome = compare(mine, theirs, seed=3, trials=4)
    assert outcome.counterexample is None


def test_a_users_own_function_is_never_taken_for_a_hidden_sum() -> None:
    from sympy import Function

    for name in ("S_0", "S_1", "_symbn_sum_0"):
        own = Function(name)(b)
        expr = own * S + own**2
        assert (derivative_through_sums(expr, b) - expr.diff(b)).doit().expand() == 0
