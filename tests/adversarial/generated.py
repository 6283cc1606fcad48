"""Random identities true by construction, and their mutants, for the adversarial suite.

An identity is a rewrite that holds for every value by construction (an expansion, distributing a
product, Max/Min/Abs identities, splitting a sum by linearity, pulling a constant out of a sum,
``Σ_{i=1}^{m} c = m c``, a Kronecker delta summed away, the logarithm and exponential rules for
positive arguments). Each comes with a mutant: the same claim with a plausible mistake (a
coefficient off by one, Min for Max, a bound moved, a sign lost), false unless the random parts
happen to make it true, which is why every mutant is confirmed false by
:mod:`tests.adversarial.truth` before it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from sympy import (
    Abs,
    Integer,
    KroneckerDelta,
    Max,
    Min,
    Rational,
    Sum,
    exp,
    expand,
    log,
)

import symbn
from symbn import Derivation

a, b = symbn.symbols("a b")
u, v = symbn.symbols("u v", positive=True)
m = symbn.size("m")
i, j = symbn.index("i", m), symbn.index("j", m)
x = symbn.examples("x")


@dataclass(frozen=True)
class Generated:
    """One identity (true by construction) and its mutant (false once confirmed)."""

    family: str
    lhs: Any
    rhs: Any
    mutant: Any

    def derivation(self, mutated: bool) -> Derivation:
        """The claim as a one-line derivation, with the mutant's right side if ``mutated``."""
        d = symbn.Derivation(f"generated {self.family}{' mutant' if mutated else ''}")
        return d.step(self.lhs, self.mutant if mutated else self.rhs)


constants = st.sampled_from(
    [Integer(1), Integer(2), Integer(-3), Rational(1, 2), Rational(-7, 3), Integer(6)]
)
real_leaves = st.sampled_from([a, b, a + 1, 2 * b - 1, a * b, a - b])
positive_leaves = st.sampled_from([u, v, u + v, u * v, u**2 + 1, 2 * v + Rational(1, 3)])


@st.composite
def reals(draw: Any) -> Any:
    """A small real expression of ``a`` and ``b``: a leaf, or a sum, product or square of leaves."""
    left, right = draw(real_leaves), draw(real_leaves)
    shape = draw(st.sampled_from(["leaf", "sum", "product", "square", "scaled"]))
    if shape == "leaf":
        return left
    if shape == "sum":
        return left + right
    if shape == "product":
        return left * right
    if shape == "square":
        return left**2
    return draw(constants) * left


@st.composite
def pair(draw: Any) -> tuple[Any, Any]:
    """Two different real expressions whose difference is not identically 0."""
    first = draw(reals())
    second = draw(reals().filter(lambda e: expand(e - first) != 0))
    return first, second


@st.composite
def identities(draw: Any) -> Generated:
    """One identity true by construction, with a mutant of it."""
    family = draw(
        st.sampled_from(
            [
                "expand",
                "distribute",
                "max-plus-min",
                "max-via-abs",
                "min-via-max",
                "abs-via-max",
                "relu-split",
                "sum-linear",
                "sum-constant",
                "sum-pull",
                "delta-sum",
                "log-product",
                "log-power",
                "exp-sum",
            ]
        )
    )
    e1, e2 = draw(pair())
    c = draw(constants)
    p1, p2 = draw(positive_leaves), draw(positive_leaves)
    k = draw(st.integers(2, 4))
    monomial = draw(st.sampled_from([Integer(1), a, b, a * b, a**2]))
    sum_i = lambda body: Sum(body, (i, 1, m))  # noqa: E731 - a local shorthand
    if family == "expand":
        product = (e1 + c) * (e2 - c)
        return Generated(family, product, expand(product), expand(product) + monomial)
    if family == "distribute":
        return Generated(family, e1 * (e2 + c), e1 * e2 + e1 * c, e1 * e2 + c)
    if family == "max-plus-min":
        return Generated(family, Max(e1, e2) + Min(e1, e2), e1 + e2, 2 * Max(e1, e2))
    if family == "max-via-abs":
        return Generated(
            family, Max(e1, e2), (e1 + e2 + Abs(e1 - e2)) / 2, (e1 + e2 - Abs(e1 - e2)) / 2
        )
    if family == "min-via-max":
        return Generated(family, Min(e1, e2), -Max(-e1, -e2), Max(-e1, -e2))
    if family == "abs-via-max":
        return Generated(family, Abs(e1 - e2), Max(e1 - e2, e2 - e1), Max(e1 - e2, 0))
    if family == "relu-split":
        return Generated(family, Max(e1, 0) - Max(-e1, 0), e1, Max(e1, 0))
    if family == "sum-linear":
        body_f, body_g = e1 * x[i], c * x[i] ** 2
        return Generated(
            family,
            sum_i(body_f + body_g),
            sum_i(body_f) + sum_i(body_g),
            sum_i(body_f) + Sum(body_g, (i, 1, m - 1)),
        )
    if family == "sum-constant":
        return Generated(family, sum_i(e1**2 + 1), m * (e1**2 + 1), (m - 1) * (e1**2 + 1))
    if family == "sum-pull":
        return Generated(
            family,
            sum_i((e1**2 + 2) * x[i]),
            (e1**2 + 2) * sum_i(x[i]),
            (e1**2 + 2) * sum_i(x[i] ** 2),
        )
    if family == "delta-sum":
        return Generated(
            family,
            sum_i((e1 + c) * x[i] * KroneckerDelta(i, j)),
            (e1 + c) * x[j],
            (e1 + c) * x[j] * KroneckerDelta(j, m),
        )
    if family == "log-product":
        return Generated(family, log(p1 * p2), log(p1) + log(p2), log(p1 + p2))
    if family == "log-power":
        return Generated(family, log((p1 + 1) ** k), k * log(p1 + 1), (k + 1) * log(p1 + 1))
    return Generated(family, exp(e1 + e2), exp(e1) * exp(e2), exp(e1) + exp(e2))


__all__ = ["Generated", "identities"]
