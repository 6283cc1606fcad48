"""The symbolic normal form: it proves identities of finite sums and nothing false."""

from __future__ import annotations

from sympy import I, Idx, IndexedBase, Rational, Sum, Symbol, sqrt, symbols

from symbn.normal import normal_form

m = Symbol("m", integer=True, positive=True)
i, k = Idx("i", (1, m)), Idx("k", (1, m))
a = IndexedBase("a", real=True)
x, y, c = symbols("x y c", real=True)
alpha = Symbol("alpha", positive=True)


def test_linearity_and_constant_sums() -> None:
    lhs = Sum(3 * a[i] + c, (i, 1, m))
    rhs = 3 * Sum(a[k], (k, 1, m)) + m * c
    assert normal_form(lhs - rhs) == 0


def test_index_names_do_not_matter_but_indices_do() -> None:
    assert normal_form(Sum(a[i], (i, 1, m)) - Sum(a[k], (k, 1, m))) == 0
    assert normal_form(Sum(a[i], (i, 1, m)) - Sum(a[k], (k, 1, m - 1))) != 0
    assert normal_form(Sum(a[i] ** 2, (i, 1, m)) - Sum(a[i], (i, 1, m)) ** 2) != 0


def test_centering_sums_to_zero_with_shadowed_indices() -> None:
    mean = Sum(a[i], (i, 1, m)) / m
    assert normal_form(Sum(a[i] - mean, (i, 1, m))) == 0


def test_roots_split_only_non_negative_factors() -> None:
    assert normal_form(sqrt(alpha**2 * x**2 + alpha**2 * y) - alpha * sqrt(x**2 + y)) == 0
    # sqrt(-(x + y)) is not I*sqrt(x + y) when x + y < 0: this must not normalise to 0.
    assert normal_form(sqrt(-x - y) - I * sqrt(x + y)) != 0
    assert normal_form((x * x + x * y) ** Rational(-1, 2) - 1 / (sqrt(x) * sqrt(x + y))) != 0
