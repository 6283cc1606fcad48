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


def test_the_last_term_of_a_sum_peeled_off_is_checked_with_small_sizes() -> None:
    """``R_n`` beside ``Σ_{i=1}^{n} R_i``: ``n`` is the sum's size, not an index ranging to itself
    (sampled as one, it summed 160,000 terms a trial and ran out of time)."""
    from sympy import Indexed, IndexedBase

    n = symbn.size("n")
    i = symbn.index("i", n)
    r = IndexedBase("R", real=True)
    whole = Sum(Indexed(r, i), (i, 1, n))
    fewer = Sum(Indexed(r, i), (i, 1, n - 1))
    d = symbn.Derivation("t", name="t")
    d.step(whole, r[n] + fewer, label="true")
    d.step(whole, r[n - 1] + fewer, label="wrong entry")
    d.step(whole, 2 * r[n] + fewer, label="twice")
    report = d.check(timeout=20)
    assert report["true"].verdict in (Verdict.PROVED, Verdict.CHECKED), report["true"].reason
    for label in ("wrong entry", "twice"):
        result = report[label]
        assert result.verdict is Verdict.REFUTED, (label, result.reason)
        from fractions import Fraction

        values = {k: Fraction(v) for k, v in result.counterexample.assignment}
        # independent truth at the counterexample: the sums written out term by term
        size = int(values["n"])
        entry = {k: values.get(f"R[{k}]", Fraction(0)) for k in range(size + 1)}
        lhs = sum(entry[k] for k in range(1, size + 1))
        rest = sum(entry[k] for k in range(1, size))
        rhs = (entry[size - 1] if label == "wrong entry" else 2 * entry[size]) + rest
        assert lhs != rhs
