"""The numeric trials stay sound where they were made cheaper: sizes beyond 3 are always tried."""

from __future__ import annotations

from sympy import Sum

import symbn
from symbn.check import Verdict
from symbn.numeric import largest_size, sum_depth


def test_a_wrong_factor_that_vanishes_at_m_1_2_3_is_refuted() -> None:
    a = symbn.examples("a")
    c = symbn.symbols("c")
    m = symbn.size("m")
    i = symbn.index("i", m)
    total = Sum(a[i], (i, 1, m))
    wrong = total + (m - 1) * (m - 2) * (m - 3) * c
    result = symbn.Derivation("t", name="t").step(total, wrong, label="1").check()["1"]
    assert result.verdict is Verdict.REFUTED
    assert result.counterexample is not None
    assert int(dict(result.counterexample.assignment)["m"]) >= 4


def test_the_same_factor_is_refuted_inside_four_nested_sums() -> None:
    a = symbn.examples("a")
    m = symbn.size("m")
    idx = [symbn.index(f"i{k}", m) for k in range(4)]
    lhs = Sum(a[idx[0]], *[(x, 1, m) for x in idx])
    right = m**3 * Sum(a[idx[0]], (idx[0], 1, m))
    d = symbn.Derivation("t", name="t").step(lhs, right, label="1")
    d.step(lhs, right + (m - 1) * (m - 2) * (m - 3), label="2")
    report = d.check()
    assert report["1"].verdict is Verdict.PROVED
    assert report["2"].verdict is Verdict.REFUTED


def test_random_sizes_shrink_with_nesting_but_never_below_5() -> None:
    a = symbn.examples("a")
    m = symbn.size("m")
    i, j = symbn.index("i", m), symbn.index("j", m)
    assert sum_depth(Sum(a[i], (i, 1, m)) + 1) == 1
    assert sum_depth(Sum(Sum(a[i] * a[j], (j, 1, m)), (i, 1, m))) == 2
    assert largest_size(1) > 30  # sizes beyond 30: Min(m, 30) = m must fail
    assert largest_size(0) >= 10**9  # no sums: a size costs nothing to try
    assert [largest_size(d) >= 5 for d in range(1, 9)] == [True] * 8
    assert largest_size(4) < largest_size(2)
