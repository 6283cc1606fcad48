"""Misuse of the library is a DerivationError at the call, never SymPy's TypeError or silence."""

from __future__ import annotations

import pytest
import sympy

import symbn
from symbn.errors import DerivationError


@pytest.mark.parametrize(
    "call",
    [
        lambda: symbn.size(None),
        lambda: symbn.size(""),
        lambda: symbn.examples(3),
        lambda: symbn.units(3),
        lambda: symbn.index("k", symbn.symbols("x")),
        lambda: symbn.index("k", sympy.Rational(1, 2)),
        lambda: symbn.Derivation("t").step(sympy.Matrix([1]), sympy.Matrix([1])),
        lambda: symbn.Derivation("t").step(1, 1).to_latex(standalone="no"),
        lambda: symbn.Derivation("t").step(1, 1).to_markdown(marks=1),
    ],
)
def test_misuse_is_a_derivation_error_at_the_call(call) -> None:
    with pytest.raises(DerivationError):
        call()


def test_an_assumption_about_another_object_with_the_same_name_is_an_error() -> None:
    a = symbn.symbols("a")
    d = symbn.Derivation("t", name="t").step(sympy.sqrt(a**2), a)
    with pytest.raises(DerivationError, match="two different things are both named a"):
        d.assume(sympy.Symbol("a") > 0)


def test_an_assumption_about_nothing_the_lines_use_is_an_error() -> None:
    a, b = symbn.symbols("a b")
    d = symbn.Derivation("t", name="t").step(a, a)
    with pytest.raises(DerivationError, match="no line uses b"):
        d.assume(b > 0)
    d.assume(sympy.Eq(a * b, 1))  # about a, which the line uses: fine
