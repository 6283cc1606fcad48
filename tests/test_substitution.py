"""Substituting definitions never captures an index, however the names of summation indices repeat."""

from __future__ import annotations

from sympy import Sum

import symbn
from symbn.check import Verdict

a = symbn.examples("a")
z, w = symbn.examples("z"), symbn.examples("w")
mu = symbn.symbols("mu")
m = symbn.size("m")
i, j = symbn.index("i", m), symbn.index("j", m)


def test_a_family_index_is_not_captured_by_the_definitions_own_sum() -> None:
    d = symbn.Derivation("t", name="t")
    d.define(z[j], Sum(a[i] * a[j], (i, 1, m)), label="1")
    d.step(Sum(z[i], (i, 1, m)), Sum(a[i], (i, 1, m)) ** 2, label="2")
    d.step(Sum(z[i], (i, 1, m)), m * Sum(a[i] ** 2, (i, 1, m)), label="3")
    report = d.check()
    assert report["2"].verdict is Verdict.PROVED
    assert report["3"].verdict is Verdict.REFUTED


def test_definitions_nested_in_definitions_keep_their_own_indices() -> None:
    d = symbn.Derivation("t", name="t")
    d.define(mu, Sum(a[i], (i, 1, m)) / m, label="1")
    d.define(w[j], Sum((a[i] - mu) * a[j], (i, 1, m)), label="2")
    d.step(Sum(w[i], (i, 1, m)), 0, label="3")
    d.step(w[j], 0, label="4")
    d.step(Sum(w[i], (i, 1, m)), Sum(a[i] ** 2, (i, 1, m)) - m * mu**2, label="5")
    report = d.check()
    assert report["3"].verdict is Verdict.PROVED
    assert report["4"].verdict is Verdict.PROVED
    assert report["5"].verdict is Verdict.REFUTED
