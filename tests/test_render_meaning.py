"""What the LaTeX export shows is what was checked: printed formulas read back with the same meaning.

A hypothesis property builds random expressions from symbn's notation (tagged names, example
families, ``1/m`` sums, written/grouped/cancelled terms, means, powers, roots, negatives, products of
sums), prints them with :func:`symbn.render.latex.latex`, reads the LaTeX back with symbn's own parser
under the matching declaration, and requires the same meaning: the normal form of the difference is
0 and numeric trials agree. Deterministic tests pin each display bug found so far, in LaTeX and in
the terminal's Unicode drawing.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import Expr, Rational, Sum, Symbol, nan, sqrt, zoo

import symbn
from symbn.normal import normal_form
from symbn.numeric import compare
from symbn.parse.declare import Declaration
from symbn.parse.latex import parse_expression
from symbn.render.latex import latex
from symbn.render.unicode import draw, inline, inline_value_name, names_in

W, b, gamma = symbn.layer_symbols("W b gamma")
x, y = symbn.symbols("x y")
var = Symbol("sigma^2", real=True)
run = Symbol("sigma_{run}^2", real=True)
eps = Symbol("epsilon", positive=True)
m = symbn.size("m")
i = symbn.index("i", m)
j = symbn.index("j", m, shown=False)
a = symbn.examples("a", "l-1")
z = symbn.examples("z", "l")
w = symbn.units("w")

DECLARATION = Declaration(
    sizes=frozenset({"m"}),
    positive=frozenset({"epsilon"}),
    names=frozenset({"sigma^2", "sigma_{run}^2"}),
    bar="mean",
    units=frozenset({"w"}),
    families=frozenset({"a^{[l-1]}", "z^{[l]}"}),
    count="m",
    index="i",
    current="j",
)


def read_back(expr: Expr) -> Expr:
    """``expr`` printed as LaTeX and parsed again by symbn's reader."""
    return parse_expression(latex(expr), DECLARATION)


def same_meaning(shown: Expr, original: Expr) -> tuple[bool, str]:
    """Whether two displayed expressions mean the same: normal form of the difference 0, trials agree."""
    left, right = symbn.meaning(shown), symbn.meaning(original)
    if normal_form(left - right) != 0:
        return False, f"normal form of the difference: {normal_form(left - right)}"
    outcome = compare(left, right, seed=7, trials=3)
    if outcome.counterexample is not None:
        return False, f"numeric trials differ at {outcome.counterexample.assignment}"
    return True, ""


def assert_reads_back(expr: Expr) -> None:
    tex = latex(expr)
    parsed = read_back(expr)
    ok, why = same_meaning(parsed, expr)
    assert ok, f"{tex!r} reads back as {parsed}: {why}"


# Strategies ---------------------------------------------------------------------------------

# Leaves outside any sum: names, the current example (hidden index), unit entries, numbers.
outer_leaves = st.sampled_from([W, b, gamma, x, y, var, run, eps, a[j], z[j], w[1], w[2]])
# Leaves inside a sum over i or a mean: the example i, and names that do not depend on it.
inner_leaves = st.sampled_from([W, b, x, var, a[i], a[i], z[i]])
mean_leaves = st.sampled_from([W, b, x, a[i], a[i]])
numbers = st.sampled_from([Rational(2), Rational(3), Rational(1, 2), Rational(-1), Rational(-2, 3)])
positive = st.sampled_from([eps, var**2 + eps, x**2 + eps, W**2 + 1])


def grow(leaves: st.SearchStrategy[Expr], depth: int) -> st.SearchStrategy[Expr]:
    """Expressions over ``leaves``, nested ``depth`` deep, from every construct of the notation."""
    if depth == 0:
        return st.one_of(leaves, leaves, numbers)
    sub = grow(leaves, depth - 1)
    terms = st.lists(sub, min_size=2, max_size=3)
    return st.one_of(
        sub,
        st.builds(lambda p, q: p + q, sub, sub),
        st.builds(lambda p, q: p - q, sub, sub),
        st.builds(lambda p, q: p * q, sub, sub),
        st.builds(lambda p: -p, sub),
        st.builds(lambda p, n: p**n, sub, st.sampled_from([2, 3, -1])),
        st.builds(lambda p: sqrt(p), positive),
        st.builds(lambda p, q: p / sqrt(q), sub, positive),
        st.builds(lambda ts: symbn.written(*ts), terms),
        st.builds(lambda ts: symbn.group(*ts), terms),
        st.builds(lambda ts, k: symbn.written(*ts[:k], -ts[k]), terms, st.integers(0, 1)),
        st.builds(lambda p: symbn.cancel(p), sub),
        st.builds(lambda p, q: symbn.written(symbn.cancel(p), q), sub, sub),
    )


def sums(depth: int) -> st.SearchStrategy[Expr]:
    """Sums over the examples, bare or with ``1/m``, and batch means."""
    body = grow(inner_leaves, depth)
    return st.one_of(
        st.builds(lambda p: Sum(p, (i, 1, m)), body),
        st.builds(lambda p: Sum(p, (i, 1, m)) / m, body),
        # A bar over no family reads as a name with an accent (the parser's rule): keep a[i] in it.
        st.builds(
            lambda p, q: symbn.mean(a[i] * p + q, i), grow(mean_leaves, 1), mean_leaves
        ).filter(lambda e: e.function.has(a[i])),
    )


def expressions() -> st.SearchStrategy[Expr]:
    """Whole formulas: notation mixed with sums and means, products of sums included."""
    base = st.one_of(grow(outer_leaves, 2), sums(1))
    return st.one_of(
        base,
        st.builds(lambda p, s: p * s, grow(outer_leaves, 1), sums(1)),
        st.builds(lambda s, t: s * t, sums(1), sums(1)),
        st.builds(lambda p, s: symbn.written(p, s), grow(outer_leaves, 1), sums(1)),
        st.builds(lambda p, s: symbn.written(p, -s), grow(outer_leaves, 1), sums(1)),
        st.builds(lambda p, s: (p * s) ** 2, grow(outer_leaves, 1), sums(0)),
        st.builds(lambda s, n: s**n, sums(1), st.sampled_from([2, -1])),
        st.builds(lambda s: sqrt(s**2 + eps), sums(0)),
        st.builds(lambda p, s, t: p * s - t, grow(outer_leaves, 1), sums(0), sums(0)),
        st.builds(lambda s, t: symbn.group(s, -t) * x, sums(0), sums(0)),
        st.builds(lambda s: Sum(s * a[j], (i, 1, m)), sums(0)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_printed_latex_reads_back_with_the_same_meaning(expr: Expr) -> None:
    assume(not normal_form(symbn.meaning(expr)).has(zoo, nan))  # 1/(W - W) means nothing to compare
    assert_reads_back(expr)
    assert draw(expr)  # the terminal draws every such formula too


# One test per display bug ------------------------------------------------------------------


def test_a_power_of_a_tagged_name_is_parenthesised() -> None:
    assert latex(W**2) == r"\left(W^{[l]}\right)^{2}"
    assert latex(run**2) == r"\left(\sigma_{run}^{2}\right)^{2}"
    assert "^{[l]}^" not in latex(W**3 * x) and "}^{2}^" not in latex(var**2)
    assert draw(W**2).splitlines()[0].strip() == "2"
    assert "⎛" in draw(W**2) and "⎛" in draw(a[i] ** 2) and "⎛" in draw(var**2)
    assert "⎛" not in draw(x**2)
    for expr in (W**2, run**2, a[i] ** 2, symbn.cancel(W) ** 2, var**-1):
        assert_reads_back(expr)


def test_a_written_term_that_is_a_difference_keeps_its_parentheses() -> None:
    expr = symbn.written(W, y - sqrt(x))
    assert latex(expr) == r"W^{[l]} - \left(\sqrt{x} - y\right)"
    assert draw(expr).splitlines()[-1] == "W    - (√x - y)"
    nested = symbn.written(W, symbn.written(-x, y))
    assert latex(nested) == r"W^{[l]} + \left(- x + y\right)"
    assert "+ (-x + y)" in draw(nested)
    assert latex(x - symbn.written(y, W)) == r"x - \left(y + W^{[l]}\right)"
    for e in (expr, nested, x - symbn.written(y, W), symbn.written(x, -symbn.written(y, W))):
        assert_reads_back(e)


def test_a_sum_times_a_mean_keeps_its_parentheses() -> None:
    expr = (W + b) * Sum(a[i], (i, 1, m)) / m
    assert latex(expr) == (
        r"\left(W^{[l]} + b^{[l]}\right) \cdot \frac{1}{m} \sum_{i=1}^{m} a^{[l-1](i)}"
    )
    assert "⎛ [l]    [l]⎞" in draw(expr)
    written = symbn.written(x, y) * Sum(a[i], (i, 1, m)) / m
    assert latex(written).startswith(r"\left(x + y\right) \cdot \frac{1}{m}")
    assert "(x + y)⋅" in draw(written)
    negative = -x * Sum(a[i], (i, 1, m)) / m
    assert latex(negative) == r"- x \cdot \frac{1}{m} \sum_{i=1}^{m} a^{[l-1](i)}"
    for e in (expr, written, negative, -2 * Sum(a[i], (i, 1, m)) / m):
        assert_reads_back(e)


def test_a_product_of_two_sums_is_unambiguous() -> None:
    first, second = Sum(a[i], (i, 1, m)), Sum(x * a[i], (i, 1, m))
    over_m = first * second / m
    assert latex(over_m) == (
        r"\frac{1}{m} \left(\sum_{i=1}^{m} a^{[l-1](i)}\right) \cdot "
        r"\sum_{i=1}^{m} x \cdot a^{[l-1](i)}"
    ) or latex(over_m) == (
        r"\frac{1}{m} \left(\sum_{i=1}^{m} x \cdot a^{[l-1](i)}\right) \cdot "
        r"\sum_{i=1}^{m} a^{[l-1](i)}"
    )
    assert r"\left(\sum" in latex(first * second)
    assert draw(first * second).count("⎛") == 1
    assert draw(over_m).count("⎛") == 1
    # A free i after the sum over i must not be read as part of its body.
    outside = Sum(a[i], (i, 1, m)) * a[j]
    for e in (over_m, first * second, outside, first * second * x):
        assert_reads_back(e)


def test_counterexample_names_print_in_the_notation() -> None:
    names = names_in([W * run + a[j] + symbn.units("W", "l")[1, 2] + run])
    runs = symbn.units("sigma_{run}^2")
    names.update(names_in([runs[3], a[1]]))
    assert inline_value_name("sigma_{run}^2[3]", names) == "σ²_run,3"
    assert inline_value_name("W^{[l]}[1, 2]", names) == "W^[l]_12"
    assert inline_value_name("a^{[l-1]}[1]", names) == "a^[l-1](1)"
    assert inline_value_name("sigma_{run}^2", names) == "σ²_run"
    assert inline_value_name("unknown", names) == "unknown"
    assert inline(-var - a[1]) == "-σ² - a^[l-1](1)"


def test_a_refuted_step_shows_its_values_in_the_notation() -> None:
    from symbn.render.display import plain

    weights, runs = symbn.units("W", "l"), symbn.units("sigma_{run}^2")
    out = symbn.Derivation("names", name="names")
    out.define(y, weights[1, 2] * runs[3] + a[1])
    out.step(y, weights[1, 2] * runs[3] + 2 * a[1])
    shown = plain(out.check(), 120)
    assert "W^[l]_12 = " in shown and "a^[l-1](1) = " in shown and "σ²_run,3 = " in shown
    assert "{" not in shown and "[1, 2]" not in shown
    drawn = shown[shown.index("remainder:") :].splitlines()
    assert any(row.strip().startswith("lhs - rhs = -a") for row in drawn)
    assert "(1)" in drawn[drawn.index(next(r for r in drawn if "lhs - rhs" in r)) - 1]
    assert "**" not in shown and "*" not in shown


def test_the_terminal_drawing_does_not_import_sympy_physics() -> None:
    import subprocess
    import sys

    code = (
        "import sys, symbn\n"
        "from symbn.render.unicode import draw\n"
        "x = symbn.symbols('x'); m = symbn.size('m')\n"
        "draw(2 * x / m); draw(symbn.load('batchnorm-bias').line('1.12').rhs)\n"
        "print('sympy.physics.units' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"


def test_a_count_of_sizes_prints_batch_size_first() -> None:
    height, width = symbn.size("H"), symbn.size("W")
    h = symbn.index("h", height)
    mean_over = Sum(Sum(a[h, i], (h, 1, height)), (i, 1, m)) / (m * height * width)
    assert latex(mean_over).startswith(r"\frac{1}{m \cdot H \cdot W} \sum")
    assert "m⋅H⋅W" in draw(mean_over)
    sizes = replace(DECLARATION, sizes=frozenset({"m", "H", "W"}))
    tex = latex(Sum(a[i], (i, 1, m)) / (m * height * width))
    ok, why = same_meaning(
        parse_expression(tex, sizes), Sum(a[i], (i, 1, m)) / (m * height * width)
    )
    assert ok, why


def test_inline_math_of_texts_reads_nested_braces() -> None:
    from symbn.render.unicode import inline_math

    assert inline_math(r"\gamma_j / \sqrt{\sigma_{run,j}^2 + \epsilon}") == "γ_j / √(σ_run,j² + ε)"
    assert inline_math(r"\frac{1}{\sqrt{x^{2}}}") == "(1)/(√(x²))"
    assert inline_math(r"\bar{z}^{[l]}") == "z̄^[l]"
