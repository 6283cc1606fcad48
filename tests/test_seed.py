"""The seed derivation: every step proved, and wrong versions of every step refuted."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sympy import Idx, Indexed, Integer, Rational, Sum, Symbol

import symbn
from symbn.check import Verdict
from symbn.model import Derivation, Kind
from tests.conftest import replaced

EQUALITY_STEPS = ["1.3", "1.4", "1.8", "1.9", "1.10", "1.11", "1.12"]


def test_seed_has_the_documents_twelve_equations_in_order(seed: Derivation) -> None:
    labels = [line.label for line in seed.lines]
    assert labels[:12] == [f"1.{k}" for k in range(1, 13)]
    kinds = {line.label: line.kind for line in seed.lines}
    assert {k for k, v in kinds.items() if v is Kind.DEFINITION} == {
        "1.1",
        "1.2",
        "1.5",
        "1.6",
        "1.7",
    }
    assert {k for k, v in kinds.items() if v is Kind.CONTINUATION} == {
        "1.3",
        "1.4",
        "1.9",
        "1.10",
        "1.11",
        "1.12",
    }


def test_every_step_of_the_seed_is_proved(seed: Derivation) -> None:
    report = seed.check()
    assert report.ok
    for result in report:
        expected = Verdict.DEFINITION if result.line.kind is Kind.DEFINITION else Verdict.PROVED
        assert result.verdict is expected, (result.label, result.reason)


def test_the_whole_claim_is_proved(seed: Derivation) -> None:
    report = seed.check()
    for label in ("C.1", "C.2", "C.3"):
        assert report[label].verdict is Verdict.PROVED
        assert "1.5" in report[label].uses


def _term_mutants(expr):  # type: ignore[no-untyped-def]
    """Wrong variants of an expression's meaning: each term negated, each term dropped."""
    terms = symbn.meaning(expr).expand().args
    for k, term in enumerate(terms):
        yield f"flip term {k}", sum(terms) - 2 * term
        yield f"drop term {k}", sum(terms) - term


def _mutants(seed: Derivation, label: str):  # type: ignore[no-untyped-def]
    line = seed.line(label)
    rhs = symbn.meaning(line.rhs)
    b = Symbol("b^{[l]}", real=True)
    W = Symbol("W^{[l]}", real=True)
    m = symbn.size("m")
    yield from _term_mutants(line.rhs)
    yield "b -> 2b", rhs.xreplace({b: 2 * b})
    yield "W -> 2W", rhs.xreplace({W: 2 * W})
    yield "W -> W^2", rhs.xreplace({W: W**2})
    yield "1/m -> 1/(m-1)", rhs.subs(1 / m, 1 / (m - 1))
    for s in rhs.atoms(Sum):
        ((var, lo, hi),) = s.limits
        other = Idx("j", (1, m))
        yield (
            "index i -> j inside the sum",
            rhs.xreplace({s: Sum(s.function.xreplace({var: other}), (var, lo, hi))}),
        )
        yield "upper bound m -> m-1", rhs.xreplace({s: Sum(s.function, (var, lo, hi - 1))})
        yield "lower bound 1 -> 2", rhs.xreplace({s: Sum(s.function, (var, Integer(2), hi))})


@pytest.mark.parametrize("label", EQUALITY_STEPS)
def test_wrong_versions_of_each_step_are_refuted(seed: Derivation, label: str) -> None:
    original = symbn.meaning(seed.line(label).rhs)
    tried = 0
    for name, mutant in _mutants(seed, label):
        if (mutant - original).expand() == 0:
            continue
        tried += 1
        report = replaced(seed, label, mutant).check()
        result = report[label]
        assert result.verdict is Verdict.REFUTED, (
            label,
            name,
            mutant,
            result.verdict,
            result.reason,
        )
        assert result.counterexample is not None
        assert Fraction(result.counterexample.difference) != 0 or not result.counterexample.exact
    assert tried >= 4


def test_a_counterexample_really_makes_the_sides_differ(seed: Derivation) -> None:
    """Re-evaluate the reported counterexample independently, with SymPy's own substitution."""
    b = Symbol("b^{[l]}", real=True)
    mutated = replaced(seed, "1.12", symbn.meaning(seed.line("1.12").rhs) + b)
    result = mutated.check()["1.12"]
    assert result.verdict is Verdict.REFUTED
    example = result.counterexample
    assert example is not None and example.exact
    values = {name: Rational(value) for name, value in example.assignment}
    line = mutated.line("1.12")
    difference = symbn.meaning(line.lhs) - symbn.meaning(line.rhs)
    difference = difference.xreplace(
        {x: Symbol(str(x.label), integer=True) for x in difference.atoms(Idx)}
    )
    sizes = {s: values[str(s)] for s in difference.free_symbols if str(s) in ("m", "j")}
    concrete = difference.subs(sizes).doit()
    entries = {
        e: values[f"{e.base}[{', '.join(map(str, e.indices))}]"] for e in concrete.atoms(Indexed)
    }
    symbols = {s: values[s.name] for s in concrete.free_symbols if isinstance(s, Symbol)}
    independent = concrete.xreplace(entries).xreplace(symbols)
    assert independent == Rational(example.difference) != 0
