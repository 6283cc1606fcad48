"""Sums with symbolic bounds, and where the numeric trials look (red-team findings on both).

A sum over ``i`` from ``a`` to ``b`` is the sum of the terms with ``a ≤ i ≤ b``: empty, 0, when
``b < a`` (a product: 1). SymPy's Karr convention (``Σ_{i=3}^{1} 1 = −1``) made
``Σ_{i=m}^{n} 1 = n − m + 1`` "proved". Generic reals all had the denominator ``2³⁰``, which made
``sin(2³⁰·10³⁰·π x) = 0`` "checked". The ground truth here is plain Python (``Fraction``, the
terms written out), never the checker's code.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path

import pytest
from sympy import Idx, IndexedBase, Integer, Product, Sum, Symbol, isprime, symbols

from symbn.check import check_many
from symbn.evaluate import Evaluator, Point
from symbn.normal import normal_form
from symbn.numeric import MIN_AGREEING, NumericOutcome, _exact_value
from symbn.parse import read_document
from symbn.policy import Verdict, policy
from symbn.sampling import Sampler

HOLDS = ("proved", "checked")


def terms(a: int, b: int, f: object = lambda i: Fraction(1)) -> Fraction:
    """Σ_{i=a}^{b} f(i), the terms written out: none when b < a."""
    return sum((f(i) for i in range(a, b + 1)), Fraction(0))  # type: ignore[operator]


def product(a: int, b: int, f: object) -> Fraction:
    result = Fraction(1)
    for i in range(a, b + 1):
        result *= f(i)  # type: ignore[operator]
    return result


def verdicts(tmp_path: Path, body: str, seeds: range | tuple[int, ...] = (0,)) -> list[dict[str, str]]:
    path = tmp_path / "note.md"
    path.write_text("# note\n\n" + body, encoding="utf-8")
    document = read_document(path)
    assert document.problems == [], document.problems
    assert document.unread == 0
    found = []
    for seed in seeds:
        (report,) = check_many([document.derivation], timeout=20.0, seed=seed)
        found.append({r.label: r.verdict.value for r in report})
    return found


# Ground truth ------------------------------------------------------------------------------------


def test_truth_of_the_empty_sums() -> None:
    # Σ_{i=m}^{n} 1 = n − m + 1 fails at m = 3, n = 1: no terms, while n − m + 1 = −1.
    assert terms(3, 1) == 0 != 1 - 3 + 1
    assert terms(3, 1, lambda i: Fraction(2)) == 0 != 2 * 1 - 2 * 3 + 2
    # ... and holds whenever n ≥ m − 1.
    assert all(terms(m, n) == n - m + 1 for m in range(1, 8) for n in range(m - 1, 12))
    # Σ_{i=a}^{b} f + Σ_{i=b+1}^{c} f = Σ_{i=a}^{c} f fails at a = 1, b = 4, c = 1 (f = 1).
    assert terms(1, 4) + terms(5, 1) == 4 != terms(1, 1)
    # Σ_{i=2}^{n−1} 1 = n − 2 fails at n = 1; Σ_{i=1}^{n−1} 1 = n − 1 and Σ_{i=0}^{n−2} 1 = n − 1 hold.
    assert terms(2, 0) == 0 != 1 - 2
    assert all(terms(1, n - 1) == n - 1 == terms(0, n - 2) for n in range(1, 30))
    # Π_{i=m}^{n} 2 = 2^{n−m+1} fails at m = 4, n = 1.
    assert product(4, 1, lambda i: Fraction(2)) == 1 != Fraction(2) ** (1 - 4 + 1)
    assert all(terms(t, 5) == max(0, 6 - t) for t in range(1, 40)) and terms(7, 5) == 0 != 6 - 7
    assert all(terms(t, t + 1) == 2 and product(1, t, lambda i: Fraction(2)) == 2**t for t in range(1, 40))
    # Nested, dependent bounds (true for every m ≥ 1).
    for m in range(1, 12):
        assert sum(terms(i, m) for i in range(1, m + 1)) == Fraction(m * (m + 1), 2)
        assert sum(terms(i + 2, m) for i in range(1, m + 1)) == Fraction((m - 1) * (m - 2), 2)
        assert sum(terms(1, i - 1) for i in range(1, m + 1)) == Fraction(m * (m - 1), 2)
        assert terms(3, m) == max(0, m - 2)
    # N = 2³⁰·10³⁰ ≡ 1 (mod 3): sin(Nπ/3) = ±sin(π/3) ≠ 0.
    assert (2**30 * 10**30) % 3 == 1
    assert abs(math.sin(math.pi / 3)) > 0.8


# The symbolic layer ------------------------------------------------------------------------------

m, n = symbols("m n", integer=True, positive=True)
i, j, k = symbols("i j k", integer=True)
x = IndexedBase("x", real=True)


def test_the_normal_form_never_proves_a_count_that_may_be_negative() -> None:
    assert normal_form(Sum(1, (i, m, n)) - (n - m + 1)) != 0
    assert normal_form(Sum(2, (i, m, n)) - (2 * n - 2 * m + 2)) != 0
    assert normal_form(Sum(1, (i, 2, n - 1)) - (n - 2)) != 0
    assert normal_form(Sum(1, (i, 3, m)) - (m - 2)) != 0
    assert normal_form(Sum(Sum(1, (j, i + 2, m)), (i, 1, m)) - Sum(m - i - 1, (i, 1, m))) != 0


def test_the_normal_form_still_counts_where_the_declarations_show_the_range() -> None:
    y = Symbol("y", real=True)
    assert normal_form(Sum(1, (i, 1, m)) - m) == 0
    assert normal_form(Sum(y, (i, 1, m)) - m * y) == 0
    assert normal_form(Sum(1, (i, 1, m - 1)) - (m - 1)) == 0
    assert normal_form(Sum(1, (i, 2, m)) - (m - 1)) == 0
    assert normal_form(Sum(1, (i, 0, n - 2)) - (n - 1)) == 0
    # Inside Σ_{i=1}^{m}, Σ_{j=i}^{m} has m − i + 1 ≥ 1 terms and Σ_{j=1}^{i−1} has i − 1 ≥ 0.
    assert normal_form(Sum(Sum(1, (j, i, m)), (i, 1, m)) - Sum(m - i + 1, (i, 1, m))) == 0
    assert normal_form(Sum(Sum(y, (j, 1, i - 1)), (i, 1, m)) - Sum((i - 1) * y, (i, 1, m))) == 0
    # The same sum written with other index names, or the same empty-or-not sum twice.
    assert normal_form(Sum(x[i], (i, m, n)) - Sum(x[j], (j, m, n))) == 0
    assert normal_form(Sum(2, (i, m, n)) - 2 * Sum(1, (j, m, n))) == 0


def test_a_limit_that_runs_to_an_outer_index_keeps_pointing_at_it() -> None:
    # Σ_{i=1}^{m} Σ_{j=1}^{i−1} x_{j,i} has no free i; Σ_{k=1}^{m} Σ_{j=1}^{i−1} x_{j,k} depends
    # on a free i. The canonical renaming kept the first's i unrenamed in the limit, which made the
    # two the same tree (proved). At m = 2, i = 1 with x = 1: 1 against 0.
    left = Sum(Sum(x[j, i], (j, 1, i - 1)), (i, 1, m))
    right = Sum(Sum(x[j, k], (j, 1, i - 1)), (k, 1, m))
    assert sum(terms(1, t - 1) for t in range(1, 3)) == 1 != 2 * terms(1, 0)
    assert normal_form(left - right) != 0
    assert not normal_form(left).has(i)


# Evaluation --------------------------------------------------------------------------------------


def _value(expr: object, values: dict[object, Fraction]) -> Fraction:
    point = Point(lambda key, what: Fraction(0))
    for key, value in values.items():
        point.set(key, value)
    return Evaluator(point, real=True)(expr)


def test_an_empty_range_evaluates_to_no_terms() -> None:
    y = Symbol("y", real=True)
    at = {m: Fraction(4), n: Fraction(1), y: Fraction(3)}
    assert _value(Sum(1, (i, m, n)), at) == terms(4, 1) == 0
    assert _value(Sum(i, (i, m, n)), at) == 0
    assert _value(Product(y, (i, m, n)), at) == product(4, 1, lambda t: Fraction(3)) == 1
    assert _value(Sum(1, (i, n, m)), at) == terms(1, 4) == 4
    assert _value(Sum(Sum(1, (j, i + 2, m)), (i, 1, m)), at) == sum(terms(t + 2, 4) for t in range(1, 5))


def test_the_exact_decision_writes_sums_out_term_by_term() -> None:
    point = Point(lambda key, what: Fraction(0))
    point.set(m, Fraction(4))
    point.set(n, Fraction(1))
    assert _exact_value(Sum(1, (i, m, n)), point) == 0  # SymPy's doit: Karr's −2
    assert _exact_value(Product(2, (i, m, n)), point) == 1  # doit: 1/4
    assert _exact_value(Sum(Sum(1, (j, i + 2, m)), (i, 1, m)), point) == Integer(3)
    assert sum(terms(t + 2, 4) for t in range(1, 5)) == 3
    # The reader's summation indices are Idx objects (not Symbols): written out just the same.
    ii = Idx("i", (1, m))
    assert _exact_value(Sum(ii, (ii, 1, m)), point) == terms(1, 4, lambda t: Fraction(t)) == 10
    assert _exact_value(Sum(ii, (ii, m, n)), point) == 0


# Whole claims, over seeds ------------------------------------------------------------------------

FALSE_SUMS = r"""
$$ \sum_{i=m}^{n} 1 = n - m + 1 \tag{1} $$

$$ \sum_{i=m}^{n} 2 = 2n - 2m + 2 \tag{2} $$

$$ \prod_{i=m}^{n} 2 = 2^{n-m+1} \tag{3} $$

$$ \sum_{i=a}^{b} x_i + \sum_{i=b+1}^{c} x_i = \sum_{i=a}^{c} x_i \tag{4} $$

$$ \sum_{i=2}^{n-1} 1 = n - 2 \tag{5} $$

$$ \sum_{i=m}^{n} i = \frac{(n+m)(n-m+1)}{2} \tag{6} $$

$$ \sum_{i=3}^{m} 1 = m - 2 \tag{7} $$

$$ \prod_{i=m}^{n} y = y^{n-m+1} \tag{8} $$

$$ \sum_{i=m}^{5} 1 = 6 - m \tag{9} $$

$$ \sum_{i=m}^{n} y = (n - m + 1) y \tag{10} $$
"""

TRUE_SUMS = r"""
$$ \sum_{i=1}^{m} 1 = m \tag{1} $$

$$ \sum_{i=1}^{n-1} 1 = n - 1 \tag{2} $$

$$ \sum_{i=0}^{n-2} 1 = n - 1 \tag{3} $$

$$ \sum_{i=1}^{m}\sum_{j=i}^{m} 1 = \frac{m \cdot (m+1)}{2} \tag{4} $$

$$ \sum_{i=1}^{m}\sum_{j=i+2}^{m} 1 = \frac{(m-1)(m-2)}{2} \tag{5} $$

$$ \sum_{i=1}^{m}\sum_{j=1}^{i-1} 1 = \frac{m \cdot (m-1)}{2} \tag{6} $$

$$ \sum_{i=1}^{m} c = m c \tag{7} $$

$$ \prod_{i=1}^{m} 2 = 2^{m} \tag{8} $$

$$ \sum_{i=m}^{m+1} 1 = 2 \tag{9} $$
"""


def test_false_claims_on_empty_ranges_are_refuted_at_every_seed(tmp_path: Path) -> None:
    for found in verdicts(tmp_path, FALSE_SUMS, range(6)):
        assert found == dict.fromkeys(found, "refuted"), found
        assert len(found) == 10


def test_true_claims_over_sizes_still_hold(tmp_path: Path) -> None:
    for found in verdicts(tmp_path, TRUE_SUMS, (0, 3)):
        assert all(v in HOLDS for v in found.values()), found
        assert found["1"] == found["2"] == found["3"] == found["7"] == found["9"] == "proved", found


def test_a_sum_between_two_sizes_holds_when_an_assumption_orders_them(tmp_path: Path) -> None:
    body = '<!-- symbn:\nassume = ["n \\\\ge m"]\n-->\n\n$$ \\sum_{i=m}^{n} 1 = n - m + 1 $$\n'
    assert all(terms(a, b) == b - a + 1 for a in range(1, 9) for b in range(a, 20))
    (found,) = verdicts(tmp_path, body)
    assert list(found.values()) in (["proved"], ["checked"]), found


# Where generic points look -----------------------------------------------------------------------

TRIG_FALSE = r"""
$$ \sin(2^{30} \cdot 10^{30} \cdot \pi x) = 0 \tag{1} $$

$$ \sin(2^{30} \cdot 3^{30} \cdot 5^{20} \cdot 7^{20} \cdot \pi x) = 0 \tag{2} $$

$$ \sin(2^{30} \cdot 10^{30} \cdot \pi x) \cdot e^{10^{6} x^{2}} = 0 \tag{3} $$
"""

TRIG_TRUE = r"""
$$ \sin(2\pi x)^2 + \cos(2\pi x)^2 = 1 \tag{1} $$

$$ \sin(x+\pi) = -\sin(x) \tag{2} $$

$$ \sin(2 \pi x) = 2 \sin(\pi x) \cos(\pi x) \tag{3} $$
"""


def test_sin_of_a_huge_multiple_of_pi_x_is_never_accepted(tmp_path: Path) -> None:
    # (3) is 0 only where N·x is an integer; e^{10⁶x²} is too large to evaluate at almost every
    # generic point, so what agrees is special values (0, 1/2, 10⁻ᵏ …): not evidence.
    for found in verdicts(tmp_path, TRIG_FALSE, range(10)):
        assert all(v not in HOLDS for v in found.values()), found
        assert found["1"] == found["2"] == "refuted", found


def test_true_trig_identities_still_hold(tmp_path: Path) -> None:
    for found in verdicts(tmp_path, TRIG_TRUE, (0, 1)):
        assert all(v in HOLDS for v in found.values()), found


def test_generic_denominators_vary_and_are_large_primes() -> None:
    rng = random.Random(5)
    y = Symbol("y", real=True)
    seen = set()
    for _ in range(20):
        sampler = Sampler(rng, [Fraction(2**30 * 10**30)], generic=True)
        value = sampler(y, y)
        assert abs(value) <= 1024
        seen.add(value.denominator)
    assert len(seen) >= 15
    assert all(isprime(q) and 2**30 <= q < 2**31 for q in seen if q != 1)


def test_agreement_only_at_special_values_is_not_checked_without_a_bound() -> None:
    y = Symbol("y", real=True)
    remainder = y - abs(y)  # not a rational function: no Schwartz–Zippel bound
    sizes = ((),) * 12
    special_only = NumericOutcome(12, sizes, special=12)
    assert special_only.agreed >= MIN_AGREEING
    assert policy(False, remainder, special_only, rational_known=True).verdict is Verdict.UNDECIDED
    with_generic = NumericOutcome(12, sizes, special=6, generic=6)
    assert policy(False, remainder, with_generic, rational_known=True).verdict is Verdict.CHECKED
    unresolved_generic = NumericOutcome(12, sizes, special=12, unresolved=6, generic_unresolved=6)
    assert policy(False, remainder, unresolved_generic, rational_known=True).verdict is Verdict.CHECKED


@pytest.mark.parametrize("seed", [0, 7])
def test_the_shipped_style_claims_over_a_batch_still_hold(tmp_path: Path, seed: int) -> None:
    body = (
        "$$ \\frac{1}{m} \\sum_{i=1}^{m} (x_i - \\frac{1}{m} \\sum_{j=1}^{m} x_j) = 0 \\tag{1} $$\n\n"
        "$$ \\sum_{i=1}^{m} (x_i + c) = \\sum_{i=1}^{m} x_i + m c \\tag{2} $$\n"
    )
    (found,) = verdicts(tmp_path, body, (seed,))
    assert found == {"1": "proved", "2": "proved"}, found


def test_sizes_far_apart_cost_no_more_than_the_trial_at_three() -> None:
    from symbn.numeric import _prepare, _size_plans

    a, b, c, d, e = symbols("a b c d e", integer=True, positive=True)
    claim = _prepare(Sum(x[i], (i, a, b)) + Sum(x[i], (i, c, d)) * Sum(x[i], (i, 1, e)), Integer(0), ())
    quick = _size_plans(claim, random.Random(0), 6, quick=True)
    assert all(v <= 3 for plan in quick for v in plan.values())
    # Some quick trial has a range between two summed sizes empty by more than one, both ways.
    assert any(plan[b] < plan[a] - 1 for plan in quick) and any(plan[a] < plan[b] - 1 for plan in quick)
    thorough = _size_plans(claim, random.Random(0), 36, quick=False)
    assert any(plan[a] == plan[c] == 1 and plan[b] == 3 for plan in thorough)


# Generic points where the assumptions leave no room within ±1024 ----------------------------------

REGION = r"""<!-- symbn:
assume = ["x > 2000"]
-->

$$ \sin(2^{30} \cdot 10^{30} \cdot \pi x) = 0 \tag{1} $$

$$ \max(x, 1000) = x \tag{2} $$

$$ |x - 1000| = x - 1000 \tag{3} $$
"""

TINY_REGION = r"""<!-- symbn:
assume = ["y > 0", "y < 10^{-6}"]
-->

$$ \sin(2^{30} \cdot 10^{30} \cdot \pi y) = 0 \tag{1} $$

$$ \min(y, 10^{-3}) = y \tag{2} $$
"""


def test_assumptions_outside_the_generic_range_still_get_generic_points(tmp_path: Path) -> None:
    # Generic reals lay within ±1024, so under x > 2000 only special values (10⁹, 2000 + 10⁻³ …,
    # all with N·x an integer) were tried, and sin(N π x) = 0 was checked. True: max and |·| there.
    assert max(Fraction(2001), 1000) == 2001 and abs(Fraction(2001) - 1000) == 1001
    assert min(Fraction(1, 10**7), Fraction(1, 10**3)) == Fraction(1, 10**7)
    for found in verdicts(tmp_path, REGION, range(3)):
        assert found["1"] == "refuted", found
        assert found["2"] in HOLDS and found["3"] in HOLDS, found
    for found in verdicts(tmp_path, TINY_REGION, range(3)):
        assert found["1"] == "refuted", found
        assert found["2"] in HOLDS, found
