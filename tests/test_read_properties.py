"""Property: every claim the reader produces is the one written (issue 15).

Hypothesis writes documents that mix prose, ``\\text`` justifications, function applications and
several equations per display line, together with the SymPy objects each equation means (built
with SymPy's own operators, never by the reader). The reader must give exactly those claims, in
order, and nothing else.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Expr, Function, Integer, Symbol, exp, expand

from symbn.model import Kind
from symbn.parse import read_text

VALUES = {name: Symbol(name, real=True) for name in ("a", "b", "c", "x")}
GREEK = {r"\alpha": Symbol("alpha", real=True), r"\beta": Symbol("beta", real=True)}
FUNCTIONS = {
    "f": Function("f", real=True),
    "g": Function("g", real=True),
    r"\sigma": Function("sigma", real=True),
    r"\mathrm{BN}": Function("BN", real=True),
    r"\operatorname{ReLU}": Function("ReLU", real=True),
    "softmax": Function("softmax", real=True),
}
Written = tuple[str, Any]

atoms: st.SearchStrategy[Written] = st.one_of(
    st.sampled_from(sorted(VALUES.items())),
    st.sampled_from(sorted(GREEK.items())),
    st.integers(1, 9).map(lambda n: (str(n), Integer(n))),
)


def _compound(inner: st.SearchStrategy[Written]) -> st.SearchStrategy[Written]:
    def plus(pair: tuple[Written, Written]) -> Written:
        (s, u), (t, v) = pair
        return f"{s} + {t}", u + v

    def minus(pair: tuple[Written, Written]) -> Written:
        (s, u), (t, v) = pair
        return f"{s} - ({t})", u - v

    def times(pair: tuple[Written, Written]) -> Written:
        (s, u), (t, v) = pair
        return f"({s}) \\cdot ({t})", u * v

    def over(pair: tuple[Written, int]) -> Written:
        (s, u), n = pair
        return f"\\frac{{{s}}}{{{n}}}", u / Integer(n)

    def applied(pair: tuple[str, Written]) -> Written:
        name, (s, u) = pair
        return f"{name}({s})", FUNCTIONS[name](u)

    def two(pair: tuple[Written, Written]) -> Written:
        (s, u), (t, v) = pair
        return f"g({s}, {t})", FUNCTIONS["g"](u, v)

    def exponential(item: Written) -> Written:
        s, u = item
        return f"\\exp({s})", exp(u)

    pairs = st.tuples(inner, inner)
    return st.one_of(
        pairs.map(plus),
        pairs.map(minus),
        pairs.map(times),
        st.tuples(inner, st.integers(2, 9)).map(over),
        st.tuples(st.sampled_from(sorted(set(FUNCTIONS) - {"g"})), inner).map(applied),
        pairs.map(two),
        inner.map(exponential),
    )


expressions = st.recursive(atoms, _compound, max_leaves=6)


@st.composite
def equations(draw: st.DrawFn) -> tuple[str, Expr, Expr]:
    """``lhs = rhs`` with a left side that is never a plain name (so always a claim)."""
    (s, u), (t, v) = draw(expressions), draw(expressions)
    (r, w) = draw(expressions)
    return f"{s} + {t} = {r}", u + v, w


SEPARATORS = [r" \qquad ", r",\quad ", r" \text{ and } ", r" \quad ", r" \Rightarrow "]
NOTES = [
    r"\quad \text{by linearity}",
    r"\qquad \text{for each } i",
    r"&& \text{definition of } \mu",
    r"\quad \text{using } {a = b}",  # "since a = b" is a condition, refused (test_read_rows_faithful)
    "",
]
PROSE = st.sampled_from(
    ["Then we have", "Hence, using the chain rule:", "Note that $a$ is real.", "So", ""]
)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[Expr, Expr]]]:
    parts: list[str] = ["# Notes\n"]
    expected: list[tuple[Expr, Expr]] = []
    for _ in range(draw(st.integers(1, 3))):
        parts.append(draw(PROSE))
        row = draw(st.lists(equations(), min_size=1, max_size=3))
        separators = [draw(st.sampled_from(SEPARATORS)) for _ in row[1:]]
        text = row[0][0] + "".join(sep + eq[0] for sep, eq in zip(separators, row[1:], strict=True))
        note = draw(st.sampled_from(NOTES))
        if note.startswith("&&"):
            text = f"\\begin{{aligned}} {text} {note} \\end{{aligned}}"
        else:
            text = f"{text} {note}"
        parts.append(f"$${text}$$")
        expected += [(lhs, rhs) for _, lhs, rhs in row]
    return "\n\n".join(parts) + "\n", expected


@settings(max_examples=60, deadline=None)
@given(documents())
def test_each_claim_read_is_the_claim_written(case: tuple[str, list[tuple[Expr, Expr]]]) -> None:
    text, expected = case
    document = read_text(text, "notes.md")
    assert document.problems == [], text
    lines = document.derivation.lines
    assert all(line.kind is Kind.CLAIM for line in lines), text
    read = [(line.lhs_meaning, line.rhs_meaning) for line in lines]
    assert len(read) == len(expected), text
    for (lhs, rhs), (want_lhs, want_rhs) in zip(read, expected, strict=True):
        # The same mathematics: equal as written, or equal once both are expanded (a(a+b)/2 and
        # a(a/2 + b/2) are one claim; a different term, factor or function is not).
        for got, want in ((lhs, want_lhs), (rhs, want_rhs)):
            assert got == want or expand(got - want) == 0, text
