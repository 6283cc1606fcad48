"""Sequences defined by recursion (issue 15): ``Q_{n+1} = Q_n + \\frac{1}{n}(R_n - Q_n)`` defines the
next term; it is never a claim, and later claims use it only where that is sound.

The checker puts the recursion in for ``Q_{n+1}`` (and, when ``n`` has no upper end and the
recursion only looks back, for later terms ``Q_{n+d}``); every other term is an unknown, so a claim
is proved only when it holds whatever they are, refuted only when its difference does not depend on
them, and undecided otherwise. Ground truth for the corpus document: the sequences computed with
plain Fractions.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from sympy import Idx, IndexedBase, Symbol

from symbn.check import check
from symbn.errors import DerivationError
from symbn.model import Derivation, Kind
from symbn.parse import read_text

CORPUS = Path(__file__).parent / "data" / "corpus"


def verdicts(text: str) -> dict[str, str]:
    document = read_text(text, "doc.md")
    assert document.problems == [], document.problems
    return {r.label: r.verdict.value for r in check(document.derivation, timeout=20.0)}


def test_the_corpus_recursions_match_the_sequences_computed_with_fractions() -> None:
    rng = random.Random(3)
    truth: dict[str, bool] = {}
    checks: dict[str, list[bool]] = {
        k: [] for k in ("2.4a", "2.4b", "2.4c", "slip", "2.6", "slip2", "2.7")
    }
    for _ in range(5):
        rewards = [Fraction(rng.randint(-20, 20), rng.randint(1, 4)) for _ in range(12)]
        q = {1: Fraction(rng.randint(-9, 9), 3)}
        for n in range(1, 11):
            q[n + 1] = q[n] + Fraction(1, n) * (rewards[n] - q[n])
        for n in range(1, 11):
            r = rewards[n]
            checks["2.4a"].append(q[n + 1] == Fraction(n - 1, n) * q[n] + Fraction(1, n) * r)
            checks["2.4b"].append(n * q[n + 1] == (n - 1) * q[n] + r)
            checks["2.4c"].append(q[n + 1] - q[n] == (r - q[n]) / n)
            checks["slip"].append(q[n + 1] == Fraction(n - 1, n) * q[n] + Fraction(1, n + 1) * r)
        alpha = Fraction(rng.randint(1, 9), 10)
        gains = [Fraction(rng.randint(-20, 20), rng.randint(1, 4)) for _ in range(12)]
        v = {0: Fraction(rng.randint(-9, 9))}
        for k in range(0, 11):
            v[k + 1] = v[k] + alpha * (gains[k] - v[k])
        for k in range(0, 10):
            g = gains[k]
            checks["2.6"].append(v[k + 1] == (1 - alpha) * v[k] + alpha * g)
            checks["slip2"].append(v[k + 1] == (1 - alpha) * v[k] + g)
            checks["2.7"].append(
                v[k + 2] == (1 - alpha) ** 2 * v[k] + alpha * (1 - alpha) * g + alpha * gains[k + 1]
            )
    truth = {label: all(found) for label, found in checks.items()}
    wanted = json.loads((CORPUS / "incremental-update.md.expected.json").read_text("utf-8"))
    assert {k for k, holds in truth.items() if not holds} == set(wanted["slips"])
    assert all(wanted["verdicts"][k] in ("holds", "undecided") for k, v in truth.items() if v)


PREFIX = "$$Q_{n+1} = Q_n + \\frac{1}{n}\\left(R_n - Q_n\\right)$$\n\n"


def test_a_recursion_is_a_definition() -> None:
    document = read_text(PREFIX, "doc.md")
    assert document.problems == []
    (line,) = document.derivation.lines
    assert line.kind is Kind.DEFINITION
    assert [r.verdict.value for r in check(document.derivation)] == ["definition"]


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        (r"Q_{n+1} = \frac{n-1}{n} Q_n + \frac{R_n}{n}", "proved"),
        (r"Q_{n+1} - Q_n = \frac{R_n - Q_n}{n}", "proved"),
        # the difference does not depend on the unknown Q_n: a counterexample whatever Q_n is
        (r"Q_{n+1} - Q_n = \frac{R_n - Q_n}{n} + 1", "refuted"),
        (r"Q_{n+1} = \frac{n-1}{n} Q_n + \frac{R_n}{n + 1}", "refuted"),
        # these differ for some values of Q_n only: never refuted (nor proved)
        (r"Q_{n+1} = Q_n", "undecided"),
        (r"Q_{n+1} = Q_n + \frac{R_n}{n}", "undecided"),
        (r"Q_{n} = R_n", "undecided"),
        (r"Q_{n+1} \neq Q_n + \frac{1}{n}(R_n - Q_n)", "refuted"),
        (r"Q_{n+1} \neq Q_n", "undecided"),
        (r"Q_{n+1} \neq Q_n + \frac{1}{n}(R_n - Q_n) + 1", "proved"),
        # later terms by the recursion at n + 1, then at n
        (
            r"Q_{n+2} = Q_{n+1} + \frac{1}{n+1}(R_{n+1} - Q_{n+1})",
            "proved",
        ),
        (r"Q_{n+2} = Q_{n+1} + \frac{1}{n}(R_{n+1} - Q_{n+1})", "undecided"),
    ],
)
def test_claims_on_a_recursion(claim: str, verdict: str) -> None:
    assert verdicts(PREFIX + f"$${claim} \\tag{{c}}$$\n")["c"] == verdict


def test_a_ranged_index_unfolds_only_the_term_defined() -> None:
    # k runs from 1 to K (a sum over it): V_{k+2} would need the recursion at k + 1 = K + 1
    text = (
        "$$V_{k+1} = V_k + G_k$$\n\n$$S = \\sum_{k=1}^{K} G_k$$\n\n"
        "$$V_{k+2} = V_k + G_k + G_{k+1} \\tag{c}$$\n\n$$V_{k+1} - V_k = G_k \\tag{d}$$\n"
    )
    found = verdicts(text)
    assert found["c"] == "undecided"
    assert found["d"] == "proved"


def test_a_recursion_that_looks_ahead_is_not_unfolded_forever() -> None:
    text = "$$Q_{n+1} = Q_{n+2} - 1$$\n\n$$Q_{n+3} = Q_{n+3} \\tag{c}$$\n\n$$Q_{n+2} = Q_{n+3} - 1 \\tag{d}$$\n"
    found = verdicts(text)
    assert found["c"] == "proved"
    assert found["d"] == "undecided"


def test_a_shifted_closed_form_is_a_definition_too() -> None:
    text = "$$S_{n+1} = 2 R_n$$\n\n$$S_{n+1} - R_n = R_n \\tag{c}$$\n\n$$S_{n+2} = 2 R_{n+1} \\tag{d}$$\n\n$$S_{n+2} = 2 R_n \\tag{e}$$\n"
    found = verdicts(text)
    assert found == {"1": "definition", "c": "proved", "d": "proved", "e": "refuted"}


def test_a_recursion_after_a_use_is_refused_at_that_row_not_refuted() -> None:
    text = "$$Q_n = Q_n$$\n\n$$Q_{n+1} = Q_n + 1$$\n"
    (problem,) = read_text(text, "doc.md").problems
    assert problem.startswith("doc.md:3:")
    assert "reads as the recursion that defines Q, which (1) uses before it" in problem
    listed = "<!-- symbn: claims = [\"2\"] -->\n\n" + text
    assert verdicts(listed)["2"] == "refuted"  # as a claim about every sequence Q, it is false


def test_the_library_refuses_what_is_not_a_recursion() -> None:
    n = Symbol("n", integer=True)
    q, r = IndexedBase("Q", real=True), IndexedBase("R", real=True)
    i = Idx("i", (1, Symbol("m", integer=True, positive=True)))
    with pytest.raises(DerivationError, match="next term of a family"):
        Derivation("t").recursion(q[i], r[i])
    with pytest.raises(DerivationError, match="next term of a family"):
        Derivation("t").recursion(q[2 * n], r[n])
    with pytest.raises(DerivationError, match="refers to Q\\[n \\+ 1\\] itself"):
        Derivation("t").recursion(q[n + 1], q[n + 1] + 1)
    d = Derivation("t").step(q[n], r[n])
    with pytest.raises(DerivationError, match="used at 1 before this recursion"):
        d.recursion(q[n + 1], q[n])
    ok = Derivation("t").recursion(q[n + 1], q[n] + r[n]).step(q[n + 1] - q[n], r[n])
    assert [res.verdict.value for res in check(ok)] == ["definition", "proved"]
