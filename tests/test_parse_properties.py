"""Property: a random formula printed by symbn's LaTeX printer parses back to the same expression."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Derivative, Expr, I, Integer, Rational, Sum, Symbol, nan, oo, sqrt, zoo

import symbn
from symbn.normal import normal_form
from symbn.notation import Cancel, Mean, Paren, Written
from symbn.parse.declare import Declaration
from symbn.parse.latex import parse_expression
from symbn.render.latex import latex

m = symbn.size("m")
i = symbn.index("i", m)
j = symbn.index("j", m, shown=False)
k = symbn.index("k", m)
a = symbn.examples("a", "l-1")
z = symbn.examples("z", "l")
x = symbn.units("x")
W, b, gamma = symbn.layer_symbols("W b gamma")
mu, var, y = symbn.symbols("mu sigma^2 y")
z_norm, z_tilde = symbn.layer_symbols(r"z_{norm} \tilde{z}")
eps = symbn.symbols("epsilon", positive=True)

DECLARATION = Declaration(
    sizes=frozenset({"m"}),
    positive=frozenset({"epsilon"}),
    names=frozenset({"sigma^2"}),
    bar="mean",
    units=frozenset({"x"}),
    families=frozenset({"a^{[l-1]}", "z^{[l]}"}),
    count="m",
)

names = st.sampled_from([W, b, gamma, mu, var, y, z_norm, z_tilde, eps, m, a[j], z[j], x[k]])
numbers = st.one_of(
    st.integers(min_value=1, max_value=12).map(Integer),
    st.tuples(st.integers(1, 9), st.integers(2, 9)).map(lambda t: Rational(*t)),
)
atoms = st.one_of(names, names, numbers)
summands = st.sampled_from([a[i], z[i], a[i] * W, x[i], a[i] ** 2])


def grouped(*terms: Any) -> Expr:
    """A Paren of terms that are not sums (as the library's group() is used), else a plain sum."""
    if any(t.is_Add for t in terms):
        return sum(terms, Integer(0))
    return Paren(*terms)


def product(left: Expr, right: Expr) -> Expr:
    """``left * right``, with a sum next to a mean written as the library does: group(W, b) · Σ/m."""
    if left.has(Sum, Mean) or right.has(Sum, Mean):
        left, right = (Paren(*f.args) if f.is_Add else f for f in (left, right))
    return left * right


def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.tuples(inner, inner).map(lambda t: t[0] + t[1]),
        st.tuples(inner, inner).map(lambda t: t[0] - t[1]),
        st.tuples(inner, inner).map(lambda t: product(t[0], t[1])),
        st.tuples(inner, st.integers(2, 3)).map(lambda t: t[0] ** t[1]),
        st.tuples(inner, inner).map(lambda t: product(t[0], grouped(t[1], -t[0]))),
        st.tuples(inner, inner).map(lambda t: product(t[0], 1 / (t[1] + 1))),
        inner.map(lambda e: sqrt(e + eps)),
        summands.map(lambda s: Sum(s, (i, 1, m)) / m),
        summands.map(lambda s: Sum(s, (i, 1, m))),
        st.just(symbn.mean(a[i], i)),
    )


expressions = st.recursive(atoms, extend, max_leaves=8).filter(lambda e: not e.has(zoo, nan, oo, I))


# Written keeps terms, not sums: a term that is itself a sum is the library's Paren (group()).
terms_ = expressions.filter(lambda e: not e.is_Add)


def same(parsed: Expr, expr: Expr) -> bool:
    """Equal as trees, or (for Σa Σb, printed side by side and read as Σ(a Σb)) equal normal forms."""
    left, right = symbn.meaning(parsed), symbn.meaning(expr)
    return bool(left == right or normal_form(left - right) == 0)


def top_level(terms: list[Any]) -> Expr:
    return Written(*terms) if len(terms) > 1 else terms[0]


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_printed_formulas_parse_back_to_the_same_expression(expr: Expr) -> None:
    text = latex(expr)
    parsed = parse_expression(text, DECLARATION)
    assert same(parsed, expr), text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(terms_, terms_.map(Cancel)), min_size=1, max_size=4))
def test_written_sums_with_cancelled_terms_parse_back(terms: list[Any]) -> None:
    expr = top_level(terms)
    text = latex(expr)
    parsed = parse_expression(text, DECLARATION)
    assert same(parsed, expr), text


@settings(max_examples=50, deadline=None)
@given(st.sampled_from([var, z_norm, z_tilde, y]), st.sampled_from([b, W, mu]))
def test_derivatives_parse_back(target: Symbol, wrt: Symbol) -> None:
    expr = Derivative(target, wrt)
    assert parse_expression(latex(expr), DECLARATION) == expr
