"""A derivation that uses many kinds of SymPy expression and awkward texts, for the export tests.

Shipped derivations cover the notation they use; this one covers what others may use later:
functions, derivatives of higher order, piecewise, max, absolute values, floats, unit families,
means, ``≠`` lines, odd labels, a refuted and an undecided line, and texts full of characters that
LaTeX and Markdown treat specially.
"""

from __future__ import annotations

from sympy import (
    Derivative,
    Float,
    Function,
    IndexedBase,
    Max,
    Piecewise,
    Rational,
    Sum,
    sqrt,
    tanh,
)

import symbn
from symbn.model import Derivation


def awkward() -> Derivation:
    x, y = symbn.symbols("x y")
    y_hat = symbn.symbols(r"\hat{y}")
    m, n = symbn.size("m"), symbn.size("n")
    i, k = symbn.index("i", m), symbn.index("k", n)
    j = symbn.index("j", n)
    w = symbn.units("W", "l")
    a = symbn.examples("a", "l-1")
    sigma = Function("sigma")
    v = IndexedBase("v")
    d = symbn.Derivation("Awkward: 100% of {odd} cases & more", name="awkward_case")
    d.define(y_hat, sigma(x) + Rational(1, 2), label="A.1", why="a function of $x$ — with “quotes”")
    d.step(Derivative(tanh(x) * y, x, 2), Derivative(tanh(x) * y, x, 2), label="A.2")
    d.step(Sum(w[j, k] * a[k, i], (k, 1, n)), Sum(w[j, k] * a[k, i], (k, 1, n)), label="A.3")
    d.step(abs(x) ** 3, abs(x) ** 3, label="A.4", why="cubes of $|x|$")
    d.step(Max(x, y), Max(y, x), label="A.5")
    d.step(Piecewise((x, x > 0), (0, True)), Max(x, 0), label="A.6", why="ReLU")
    d.step(sqrt(x**2 + 1) * Float("0.5"), sqrt(x**2 + 1) / 2, label="A.7")
    d.step(symbn.mean(a[k, i], i), Sum(a[k, i], (i, 1, m)) / m, label="A.8")
    d.differs(x + 1, x, label="A.9", why="$x + 1 \\neq x$, 50% & {braces} ~ ^ \\ μ≠σ … #")
    d.step(2 * v[j], v[j] * 2, label="odd label #1_2")
    d.step(x, symbn.written(x, -symbn.written(y, 1)), label="A.11", why="false on purpose")
    d.conclude("Nothing $\\alpha$ costs \\$5 & 50% ~ ^ \\ at all")
    d.note("A note with a lone $ sign")
    return d
