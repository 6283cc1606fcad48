"""Function notation is read as function application, never as a product (issue 15, item 1).

Every expected value is built by hand from SymPy's constructors, not by symbn's reader.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sympy import (
    Abs,
    Derivative,
    E,
    Function,
    Idx,
    Max,
    Min,
    Sum,
    Symbol,
    binomial,
    exp,
    log,
    real_root,
    tanh,
)

from symbn.cli import main
from symbn.model import Kind
from symbn.notation import ExampleFamily
from symbn.parse import read_text
from symbn.parse.declare import Declaration
from symbn.parse.document import Document

x, y, b, w, a, alpha = (Symbol(n, real=True) for n in ("x", "y", "b", "w", "a", "alpha"))


def read(text: str, declaration: Declaration | None = None) -> Document:
    return read_text(text, "doc.md", declaration=declaration)


def sides(text: str) -> list[tuple[Kind, object, object]]:
    document = read(text)
    assert document.problems == []
    return [(line.kind, line.lhs_meaning, line.rhs_meaning) for line in document.derivation.lines]


def f(name: str) -> Function:
    return Function(name, real=True)


@pytest.mark.parametrize(
    ("text", "lhs", "rhs"),
    [
        (
            r"\sigma(x + b) = \sigma(x) + \sigma(b)",
            f("sigma")(x + b),
            f("sigma")(x) + f("sigma")(b),
        ),
        (r"\mathrm{BN}(\alpha x) = \alpha\,\mathrm{BN}(x)", f("BN")(alpha * x), alpha * f("BN")(x)),
        (
            r"\operatorname{ReLU}(x-y) = \operatorname{ReLU}(x) - \operatorname{ReLU}(y)",
            f("ReLU")(x - y),
            f("ReLU")(x) - f("ReLU")(y),
        ),
        (r"f(a+b) = f(b+a)", f("f")(a + b), f("f")(a + b)),
        (r"J(w, b) = g(w) + g(b)", f("J")(w, b), f("g")(w) + f("g")(b)),
        (r"softmax(x) = sigmoid(x)", f("softmax")(x), f("sigmoid")(x)),
        (r"\sigma\left(x\right)^2 = y", f("sigma")(x) ** 2, y),
        (r"\sigma(x)(1 - \sigma(x)) = y", f("sigma")(x) * (1 - f("sigma")(x)), y),
        (r"f_\theta(x) = y", f("f_{\\theta}")(x), y),
        (r"g^{[l]}(a + b) = y", f("g^{[l]}")(a + b), y),
        (r"\hat{f}(x) + y = y", f("\\hat{f}")(x) + y, y),
        (r"y + x = f(2)", x + y, f("f")(2)),
    ],
)
def test_a_name_before_parentheses_is_a_function_applied(
    text: str, lhs: object, rhs: object
) -> None:
    """The four misreadings of the issue, and the other ways papers apply functions."""
    ((_, left, right),) = sides(f"$${text}$$")
    assert left == lhs
    assert right == rhs


def test_the_false_steps_of_the_issue_are_not_products() -> None:
    """σ(x + b) = σ(x) + σ(b) read as σ·x + σ·b would be proved: read as functions it is not."""
    document = read(r"$$\sigma(x + b) = \sigma(x) + \sigma(b)$$")
    (line,) = document.derivation.lines
    assert line.lhs_meaning - line.rhs_meaning != 0
    assert not (line.lhs_meaning - line.rhs_meaning).expand() == 0
    assert Symbol("sigma", real=True) not in line.lhs_meaning.free_symbols


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (r"\exp(x)", exp(x)),
        (r"\log(x)", log(x)),
        (r"\ln x", log(x)),
        (r"\tanh(x)", tanh(x)),
        (r"tanh(x)", tanh(x)),
        (r"\max(x, y)", Max(x, y)),
        (r"\min(x, 0)", Min(x, 0)),
        (r"|x - y|", Abs(x - y)),
        (r"\left| x \right|", Abs(x)),
        (r"|x| + |y|", Abs(x) + Abs(y)),
        (r"||x| - |y||", Abs(Abs(x) - Abs(y))),
        (r"\sqrt[3]{x}", real_root(x, 3)),  # the real root: sign(x) |x|^(1/3)
        (r"\binom{5}{2}", binomial(5, 2)),
        (r"e^{x}", exp(x)),
        (r"e^{-x} e", E * exp(-x)),
        (r"\boxed{x + 1}", x + 1),
        (r"\underbrace{x + y}_{\text{two}}", x + y),
    ],
)
def test_known_functions_and_constants(text: str, value: object) -> None:
    ((_, left, right),) = sides(f"$$q = {text}$$")
    assert left == Symbol("q", real=True)
    assert right == value


def test_e_is_a_quantity_when_the_document_defines_it() -> None:
    e = Symbol("e", real=True)
    found = sides(r"$$e = y - x$$ $$e^{2} = (y - x)^2$$")
    assert found[0] == (Kind.DEFINITION, e, y - x)
    assert found[1][1] == e**2


def test_a_defined_function_is_a_definition_of_the_function_at_its_argument() -> None:
    """σ(x) = 1/(1 + e^{-x}): the shape handed to the checker is define(σ(x), body), x a Symbol."""
    document = read(r"$$\sigma(x) = \frac{1}{1+e^{-x}}$$" "\n\n" r"$$\sigma(b) = \sigma(b)^2$$")
    first, second = document.derivation.lines
    assert first.kind is Kind.DEFINITION
    assert first.lhs == f("sigma")(x)
    assert first.rhs_meaning == 1 / (1 + exp(-x))
    assert second.kind is Kind.CLAIM
    assert second.lhs_meaning == f("sigma")(b)


def test_a_prime_is_the_derivative_at_a_name() -> None:
    ((_, left, right),) = sides(r"$$\sigma'(x) = \sigma(x)(1 - \sigma(x))$$")
    assert right == f("sigma")(x) * (1 - f("sigma")(x))
    assert left == Derivative(f("sigma")(x), x)
    ((_, left, _),) = sides(r"$$f''(t) = 0$$")
    assert left == Derivative(f("f")(Symbol("t", real=True)), (Symbol("t", real=True), 2))


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        (r"$$a(b+c) = ab + ac$$", 3, "a is also used as a value at doc.md:1:12"),
        (r"$$\sigma(x) + \sigma = 1$$", 3, "sigma is also used as a value"),
        (r"$$\mathrm{Var}(2x) = 2\,\mathrm{Var}(x)$$", 3, "expectation or a variance"),
        (r"$$\mathbb{E}[a x + b] = a\,\mathbb{E}[x] + b$$", 3, "expectation or a variance"),
        (r"$$E[x] = y$$", 3, "expectation"),
        (r"$$\mathbb{E}_{x}[y] = y$$", 3, "subscript"),
        (r"$$\mathbb{E} x = y$$", 3, "expectation"),
        (r"$$\sigma(x) = y$$ $$\sigma^{-1}(y) = x$$", 3, "used as a value at doc.md:1:21"),
        (r"$$\sigma'(2x) = y$$", 10, "at a name"),
        (r"$$(x, y) = 1$$", 3, "arguments of a function"),
        (r"$$x' = 1$$", 3, "prime"),
        (r"$$\log_2(x) = 1$$", 7, "subscript"),
        (r"$$ab(c+d) = y$$", 3, "write \\operatorname{ab}(…) for the function"),
        (r"$$BN(x) + y = y$$", 3, "or B N \\cdot (…) for the product"),
        (r"$$Var(2x) = y$$", 3, "expectation or a variance"),
    ],
)
def test_what_cannot_be_read_faithfully_is_refused_where_it_is(
    text: str, column: int, words: str
) -> None:
    document = read(text)
    assert document.problems, text
    assert document.problems[0].startswith(f"doc.md:1:{column}:"), document.problems
    assert words in document.problems[0]


BATCH = Declaration(families=frozenset({"x"}), count="m", sizes=frozenset({"m"}))


def test_expectation_is_the_batch_mean_when_the_batch_is_declared() -> None:
    """E[a x + b] = a E[x] + b over a declared batch: each side is (1/m) Σ over the examples."""
    document = read(r"$$\mathbb{E}[a x + b] = a\,\mathbb{E}[x] + b$$", BATCH)
    assert document.problems == []
    (line,) = document.derivation.lines
    m = Symbol("m", integer=True, positive=True)
    i = Idx("i", (1, m))
    entry = ExampleFamily("x", real=True)[i]
    assert line.lhs_meaning == Sum(a * entry + b, (i, 1, m)) / m
    assert line.rhs_meaning == a * Sum(entry, (i, 1, m)) / m + b
    assert (line.lhs_meaning - line.rhs_meaning).doit().expand().simplify() == 0


def test_variance_is_the_batch_variance_when_the_batch_is_declared() -> None:
    document = read(r"$$v = \mathrm{Var}(x)$$", BATCH)
    assert document.problems == []
    (line,) = document.derivation.lines
    m = Symbol("m", integer=True, positive=True)
    i = Idx("i", (1, m))
    entry = ExampleFamily("x", real=True)[i]
    mean = Sum(entry, (i, 1, m)) / m
    assert line.rhs_meaning == Sum((entry - mean) ** 2, (i, 1, m)) / m


@pytest.mark.parametrize(
    "text",
    [
        r"$$\sigma(x + b) = \sigma(x) + \sigma(b)$$",
        r"$$\mathrm{BN}(\alpha x) = \alpha\,\mathrm{BN}(x)$$",
        r"$$\mathrm{Var}(2x) = 2\,\mathrm{Var}(x)$$",
    ],
)
def test_symbn_check_never_passes_the_misreadings_of_the_issue(text: str, tmp_path: Path) -> None:
    """End to end: the command exits 1 or 2 (never 0) and proves nothing."""
    path = tmp_path / "note.md"
    path.write_text(f"# Note\n\n{text}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    assert result.exit_code in (1, 2)
    data = json.loads(result.stdout)
    assert all(step["verdict"] not in ("proved", "checked") for step in data.get("steps", []))


def test_a_name_declared_a_value_before_parentheses_is_a_product() -> None:
    text = r"$$\sum_{i=1}^{n} i = \frac{n(n+1)}{2}$$"
    refused = read(text)
    assert 'declare values = ["n"]' in refused.problems[0]
    document = read(text, Declaration(values=frozenset({"n"})))
    assert document.problems == []
    (line,) = document.derivation.lines
    n = Symbol("n", integer=True, positive=True)
    assert line.rhs_meaning == n * (n + 1) / 2
