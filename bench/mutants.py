"""Soundness benchmark: wrong variants of every equality step must be refuted, every true step proved.

For each equality step (claims and ``= …`` continuations) of every shipped derivation, wrong
variants ("mutants") of the step's right side (and of a claim's left side) are generated
systematically from its meaning: each term's sign flipped, each term dropped, each symbol and each
family of values scaled by 2, each summation bound moved (``m → m−1``, ``1 → 2``), each summation
or free index swapped for another, ``1/m → 1/(m−1)``, a square moved into or out of a sum, a term
or a factor moved into or out of a sum where that is not allowed, the order of a non-commutative
product reversed. Each mutant is checked by rebuilding the derivation up to its line (the
definitions before it, then the mutated line) and calling symbn's checker. A mutant that the
checker proves equal to the original side is skipped and counted.

Beside them it runs the adversarial suite of issue 10 (``tests/adversarial``): hand-written true
and false claims of every class of the issue, each under three seeds, and random identities true
by construction with their mutants (confirmed false by the suite's independent evaluator). It
reports per class how many true steps were proved / checked / undecided / refuted and how many
false steps were refuted / undecided / wrongly accepted, and how many checks ran past their budget.

    python bench/mutants.py [--names NAME ...] [--timeout S] [--jobs N] [--json]
                            [--adversarial with|skip|only] [--examples N]

Exit status 1 when a mutant is wrongly accepted (proved or checked), a true step is not proved,
a layer is inconsistent, or fewer than 99% of the mutants are refuted with a counterexample; and
when an adversarial false step is wrongly accepted, a true one refuted, a check raises or hangs,
or a refutation's counterexample is one where the sides agree.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from sympy import (
    Add,
    Dummy,
    Expr,
    Idx,
    Indexed,
    MatMul,
    Mul,
    Pow,
    Sum,
    Symbol,
    preorder_traversal,
)

import symbn
from symbn.check import Verdict
from symbn.model import Derivation, Kind, Relation

BAR = 0.99
MAX_EQUAL_SHARE = 0.5
MAX_MUTANTS_PER_SIDE = 80


@dataclass(frozen=True)
class Outcome:
    """What became of one mutant."""

    name: str
    label: str
    side: str
    mutation: str
    verdict: str  # refuted | undecided | accepted | equal | inconsistent
    reason: str
    counterexample: bool
    mutant: str


# Mutant generation ---------------------------------------------------------------------------


def _nodes(expr: Expr) -> list[Expr]:
    """Distinct sub-expressions of ``expr``, in a stable order."""
    seen: dict[Expr, None] = {}
    for node in preorder_traversal(expr):
        if isinstance(node, Expr):
            seen.setdefault(node, None)
    return list(seen)


def _replace_node(expr: Expr, old: Expr, new: Expr) -> Expr:
    return expr.xreplace({old: new})


def _terms(expr: Expr) -> list[Expr]:
    """Top-level terms of ``expr`` and of its expansion, without repeats."""
    found: dict[Expr, None] = dict.fromkeys(Add.make_args(expr))
    try:
        found.update(dict.fromkeys(Add.make_args(expr.expand())))
    except Exception:  # pragma: no cover - an expansion SymPy cannot do only loses mutants
        pass
    return list(found)


def _indices(expr: Expr) -> list[Idx]:
    return sorted({s for s in expr.free_symbols if isinstance(s, Idx)}, key=str)


def _sizes(expr: Expr) -> list[Symbol]:
    return sorted(
        {
            s
            for s in expr.free_symbols
            if isinstance(s, Symbol) and not isinstance(s, Idx) and s.is_integer and s.is_positive
        },
        key=str,
    )


def _fresh_index(like: Any, taken: set[str]) -> Idx:
    lower = getattr(like, "lower", None)
    upper = getattr(like, "upper", None)
    name = next(n for n in "kpqrstuvw" if n not in taken)
    if lower is None or upper is None:
        return Idx(name)
    return Idx(name, (lower, upper))


Mutants = Iterator[tuple[str, Expr]]


def mutant_families(expr: Expr) -> list[Mutants]:
    """Generators of wrong variants of ``expr``, one per kind of mistake and per sum or node.

    Some variants may happen to be equal to ``expr``; the caller decides with the checker. A
    variant SymPy cannot build ends only its own generator.
    """
    free = _indices(expr)
    taken = {str(s) for s in expr.free_symbols} | {
        str(v) for s in expr.atoms(Sum) for v, *_ in s.limits
    }
    nodes = _nodes(expr)
    return [
        _term_mutants(expr),
        _scale_mutants(expr),
        _size_mutants(expr, nodes),
        _free_index_mutants(expr, free, taken),
        *[_sum_mutants(expr, s, free, taken) for s in nodes if isinstance(s, Sum)],
        *[_node_mutants(expr, node) for node in nodes],
    ]


def mutants(expr: Expr) -> Mutants:
    """Every wrong variant of ``expr``, family by family (see :func:`mutant_families`)."""
    for family in mutant_families(expr):
        yield from family


def _term_mutants(expr: Expr) -> Mutants:
    terms = Add.make_args(expr)
    for k, term in enumerate(_terms(expr)):
        yield f"flip the sign of term {k} ({term})", expr - 2 * term
        yield f"drop term {k} ({term})", expr - term
    if len(terms) == 1 and expr != 0:
        yield "flip the sign of the whole side", -expr


def _scale_mutants(expr: Expr) -> Mutants:
    labels = {e.base.label for e in expr.atoms(Indexed)}
    symbols_ = sorted(
        (
            s
            for s in expr.free_symbols
            if isinstance(s, Symbol) and not isinstance(s, Idx) and s not in labels
        ),
        key=str,
    )
    for s in symbols_:
        yield f"scale {s} by 2", expr.xreplace({s: 2 * s})
    for base in sorted({e.base for e in expr.atoms(Indexed)}, key=str):
        entries = {e: 2 * e for e in expr.atoms(Indexed) if e.base == base}
        yield f"scale every {base}[…] by 2", expr.xreplace(entries)


def _size_mutants(expr: Expr, nodes: list[Expr]) -> Mutants:
    for m in _sizes(expr):
        for node in nodes:
            if isinstance(node, Pow) and node.base == m and node.exp.is_negative:
                yield f"1/{m} → 1/({m}−1)", _replace_node(expr, node, Pow(m - 1, node.exp))
                break


def _free_index_mutants(expr: Expr, free: list[Idx], taken: set[str]) -> Mutants:
    for j in free:
        others = [x for x in free if x != j] or [_fresh_index(j, taken)]
        yield f"free index {j} → {others[0]}", expr.xreplace({j: others[0]})


def _sum_mutants(expr: Expr, s: Sum, free: list[Idx], taken: set[str]) -> Mutants:
    body = s.function
    for position, (var, lower, upper) in enumerate(s.limits):
        limits = list(s.limits)
        limits[position] = (var, lower, upper - 1)
        yield (
            f"upper bound {upper} → {upper}−1 in {s}",
            _replace_node(expr, s, Sum(body, *limits)),
        )
        limits[position] = (var, lower + 1, upper)
        yield (
            f"lower bound {lower} → {lower}+1 in {s}",
            _replace_node(expr, s, Sum(body, *limits)),
        )
        candidates = [x for x in free if x != var] or [_fresh_index(var, taken)]
        other = candidates[0]
        yield (
            f"summation index {var} → {other} in the body of {s}",
            _replace_node(expr, s, Sum(body.xreplace({var: other}), *s.limits)),
        )
    if isinstance(body, Pow) and body.exp == 2:
        yield f"square moved out of {s}", _replace_node(expr, s, Sum(body.base, *s.limits) ** 2)
    else:
        yield f"square moved into {s}", _replace_node(expr, s, Sum(body**2, *s.limits))
    variables = {v for v, *_ in s.limits}
    for factor in Mul.make_args(body):
        if factor.free_symbols & variables and factor != body:
            rest = body / factor
            yield (
                f"factor {factor} pulled out of {s}",
                _replace_node(expr, s, factor.xreplace(_outside(s)) * Sum(rest, *s.limits)),
            )


def _node_mutants(expr: Expr, node: Expr) -> Mutants:
    if isinstance(node, Pow) and node.exp == 2 and isinstance(node.base, Sum):
        inner = node.base
        yield (
            f"square moved into {inner}",
            _replace_node(expr, node, Sum(inner.function**2, *inner.limits)),
        )
    if isinstance(node, Add):
        inside = [t for t in node.args if isinstance(t, Sum) and len(t.limits) == 1]
        outside = [t for t in node.args if not isinstance(t, Sum)]
        if inside and outside:
            s, t = inside[0], outside[0]
            moved = Add(*[a for a in node.args if a not in (s, t)]) + Sum(s.function + t, *s.limits)
            yield f"term {t} moved into {s}", _replace_node(expr, node, moved)
    if isinstance(node, Mul):
        sums_in = [f for f in node.args if isinstance(f, Sum)]
        rest = [f for f in node.args if not isinstance(f, Sum)]
        if sums_in and rest and len(node.args) == 2:
            s, c = sums_in[0], rest[0]
            yield (
                f"factor {c} moved into {s} as a term",
                _replace_node(expr, node, Sum(s.function + c, *s.limits)),
            )
        nc = [f for f in node.args if not f.is_commutative]
        if len(nc) >= 2:
            c = [f for f in node.args if f.is_commutative]
            yield (
                "non-commutative product reversed",
                _replace_node(expr, node, Mul(*c) * Mul(*reversed(nc))),
            )
    if isinstance(node, MatMul) and len(node.args) >= 2:
        swapped = MatMul(*reversed(node.args))
        swapped.shape  # noqa: B018 - an order whose shapes do not fit raises: no mutant
        yield "matrix product reversed", _replace_node(expr, node, swapped)


def _outside(s: Sum) -> dict[Expr, Expr]:
    """Summation variables as they would read outside ``s``: a plain index over the same range."""
    mapping: dict[Expr, Expr] = {}
    for var, lower, upper in s.limits:
        if isinstance(var, Dummy):
            mapping[var] = Idx(var.name or "i", (lower, upper))
        elif not isinstance(var, Idx):
            mapping[var] = Idx(str(var), (lower, upper))
    return mapping


def distinct_mutants(expr: Expr) -> list[tuple[str, Expr]]:
    """The mutants of ``expr`` without repeats and without ``expr`` itself (structurally)."""
    out: dict[Expr, str] = {}
    for family in mutant_families(expr):
        while len(out) < MAX_MUTANTS_PER_SIDE:
            try:
                description, mutant = next(family)
            except StopIteration:
                break
            except Exception:  # a variant SymPy cannot build ends its family, not the run
                break
            if isinstance(mutant, Expr) and mutant != expr and mutant not in out:
                out[mutant] = description
    return [(d, m) for m, d in out.items()]


# Checking ------------------------------------------------------------------------------------


@cache
def _derivation(name: str) -> Derivation:
    return symbn.load(name)


def rebuilt(derivation: Derivation, label: str, lhs: Expr, rhs: Expr) -> Derivation:
    """The definitions of ``derivation`` before ``label``, then the claim ``lhs = rhs`` at ``label``."""
    out = symbn.Derivation(derivation.title, name=derivation.name)
    out.assume(*derivation.assumptions)
    for line in derivation.lines:
        if line.label == label:
            return out.step(lhs, rhs, label=label)
        if line.kind is Kind.DEFINITION:
            out.define(line.lhs, line.rhs, label=line.label)
    raise KeyError(label)


def equality_labels(derivation: Derivation) -> list[str]:
    """The labels of the equality steps: claims and continuations with relation ``=``."""
    return [
        line.label
        for line in derivation.lines
        if line.kind is not Kind.DEFINITION and line.relation is Relation.EQUAL
    ]


def check_step(task: tuple[str, str, float | None]) -> list[Outcome]:
    """Every mutant of one step, checked: refuted, undecided, wrongly accepted, or equal (skipped)."""
    name, label, timeout = task
    derivation = _derivation(name)
    line = derivation.line(label)
    lhs, rhs = line.lhs_meaning, line.rhs_meaning
    sides = [("rhs", rhs)]
    if line.kind is Kind.CLAIM:
        sides.append(("lhs", lhs))
    outcomes = []
    for side, original in sides:
        for description, mutant in distinct_mutants(original):
            pair = (lhs, mutant) if side == "rhs" else (mutant, rhs)
            try:
                result = rebuilt(derivation, label, *pair).check(timeout=timeout)[label]
            except Exception as exc:  # the checker must never crash: that is a finding too
                outcomes.append(
                    Outcome(
                        name,
                        label,
                        side,
                        description,
                        "inconsistent",
                        f"crash: {exc!r}",
                        False,
                        str(mutant),
                    )
                )
                continue
            verdict = result.verdict
            if verdict is Verdict.REFUTED:
                kind = "refuted"
            else:
                same = rebuilt(derivation, label, original, mutant).check(timeout=timeout)[label]
                if same.verdict is Verdict.PROVED:
                    kind = "equal"
                elif verdict is Verdict.INCONSISTENT:
                    kind = "inconsistent"
                elif verdict.holds:
                    kind = "accepted"
                else:
                    kind = "undecided"
            outcomes.append(
                Outcome(
                    name,
                    label,
                    side,
                    description,
                    kind,
                    result.reason,
                    result.counterexample is not None,
                    str(mutant),
                )
            )
    return outcomes


def true_steps(name: str, timeout: float) -> Counter[str]:
    """Verdicts of the shipped derivation's own claims."""
    report = _derivation(name).check(timeout=timeout)
    return Counter(r.verdict.value for r in report if r.line.kind is not Kind.DEFINITION)


def _tasks(names: list[str], timeout: float) -> list[tuple[str, str, float]]:
    return [(n, label, timeout) for n in names for label in equality_labels(_derivation(n))]


def run(names: list[str], timeout: float, jobs: int) -> dict[str, Any]:
    """The whole benchmark: per derivation, the true steps' verdicts and the mutants' fates."""
    started = time.perf_counter()
    tasks = _tasks(names, timeout)
    if jobs > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            truth_futures = {n: pool.submit(true_steps, n, timeout) for n in names}
            results = [o for batch in pool.map(check_step, tasks) for o in batch]
            truths = {n: f.result() for n, f in truth_futures.items()}
    else:
        truths = {n: true_steps(n, timeout) for n in names}
        results = [o for task in tasks for o in check_step(task)]
    per: dict[str, Any] = {}
    for n in names:
        mine = [o for o in results if o.name == n]
        fates = Counter(o.verdict for o in mine)
        per[n] = {
            "true_steps": {
                v: truths[n].get(v, 0)
                for v in ("proved", "checked", "undecided", "refuted", "inconsistent")
            },
            "mutants": {
                "refuted": fates["refuted"],
                "refuted_with_counterexample": sum(
                    o.verdict == "refuted" and o.counterexample for o in mine
                ),
                "undecided": fates["undecided"],
                "wrongly_accepted": fates["accepted"],
                "inconsistent": fates["inconsistent"],
                "skipped_equal": fates["equal"],
            },
            "failures": [asdict(o) for o in mine if o.verdict in ("accepted", "inconsistent")],
            "undecided": [asdict(o) for o in mine if o.verdict == "undecided"],
        }
    return {
        "derivations": per,
        "seconds": round(time.perf_counter() - started, 2),
        "timeout": timeout,
    }


def verdict_of(summary: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether the bar holds, and why not."""
    problems = []
    checked = refuted_ce = 0
    for name, entry in summary["derivations"].items():
        truth, fates = entry["true_steps"], entry["mutants"]
        not_proved = sum(n for v, n in truth.items() if v != "proved")
        if not_proved:
            problems.append(f"{name}: {not_proved} true step(s) not proved")
        if fates["wrongly_accepted"]:
            problems.append(f"{name}: {fates['wrongly_accepted']} mutant(s) WRONGLY ACCEPTED")
        if fates["inconsistent"]:
            problems.append(f"{name}: {fates['inconsistent']} mutant(s) inconsistent or crashed")
        tried = (
            fates["refuted"]
            + fates["undecided"]
            + fates["wrongly_accepted"]
            + fates["inconsistent"]
        )
        judged_equal = fates["skipped_equal"]
        if judged_equal > MAX_EQUAL_SHARE * (tried + judged_equal):
            problems.append(
                f"{name}: {judged_equal} of {tried + judged_equal} mutants judged equal to the "
                "original (a checker that proves too much would look like this)"
            )
        checked += tried
        refuted_ce += fates["refuted_with_counterexample"]
    if not checked:
        problems.append("no mutant was checked")
    share = refuted_ce / checked if checked else 0.0
    summary["refuted_with_counterexample_share"] = round(share, 4)
    if share < BAR:
        problems.append(
            f"only {share:.1%} of mutants refuted with a counterexample (bar {BAR:.0%})"
        )
    return not problems, problems


def print_table(summary: dict[str, Any]) -> None:
    header = (
        f"{'derivation':24} {'true: proved/checked/undec/refuted':>36}   "
        f"{'mutants: refuted/undec/WRONG':>30} {'equal':>6}"
    )
    print(header)
    print("-" * len(header))
    for name, entry in summary["derivations"].items():
        t, f = entry["true_steps"], entry["mutants"]
        true_cell = (
            f"{t['proved']}/{t['checked']}/{t['undecided']}/{t['refuted'] + t['inconsistent']}"
        )
        mutant_cell = f"{f['refuted']}/{f['undecided']}/{f['wrongly_accepted'] + f['inconsistent']}"
        print(f"{name:24} {true_cell:>36}   {mutant_cell:>30} {f['skipped_equal']:>6}")
        for o in entry["failures"]:
            print(
                f"  WRONGLY ACCEPTED ({o['label']}, {o['side']}): {o['mutation']}: {o['mutant']} [{o['reason']}]"
            )
        for o in entry["undecided"]:
            print(f"  undecided ({o['label']}, {o['side']}): {o['mutation']}: {o['reason']}")


# The adversarial suite of issue 10 ----------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PAST_BUDGET_SLACK = 2.0


def _adversarial_modules() -> tuple[Any, Any, Any, Any]:
    """The suite's modules (under tests/), importable when this runs as ``python bench/mutants.py``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.adversarial import cases, generated, runner, truth

    return cases, generated, runner, truth


def _fate(case: Any, outcome: Any) -> str:
    """One check's fate: a verdict, or how it failed to give one (build error, exception, hang)."""
    if outcome.ending == "build-error":
        return "rejected at build" if case.misuse else "build error"
    if outcome.ending != "checked":
        return outcome.ending
    if outcome.verdict == "inconsistent":
        return "inconsistent"
    return outcome.verdict


def generated_cases(examples: int) -> list[Any]:
    """The property-based identities and their confirmed mutants, as adversarial cases (class 0)."""
    cases, generated, _, truth = _adversarial_modules()
    from hypothesis import HealthCheck, given, settings

    drawn: list[Any] = []

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(generated.identities())
    def collect(one: Any) -> None:
        drawn.append(one)

    collect()
    out = []
    for k, one in enumerate(drawn):
        out.append(cases.Case(0, f"{one.family}-{k}", "true", partial(one.derivation, False)))
        if truth.decide(one.derivation(True), trials=16).verdict == "false":
            out.append(cases.Case(0, f"{one.family}-{k}", "false", partial(one.derivation, True)))
    return out


def run_adversarial(timeout: float, jobs: int, examples: int) -> dict[str, Any]:
    """Every adversarial case under every seed, and the generated ones under seed 0, tallied by class."""
    cases, _, runner, truth = _adversarial_modules()
    started = time.perf_counter()
    suite = [(c, runner.SEEDS) for c in cases.CASES]
    suite += [(c, (0,)) for c in generated_cases(examples)]
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        outcomes = list(pool.map(lambda cs: runner.run_seeds(cs[0], cs[1], timeout), suite))
    per: dict[str, Any] = {}
    findings: list[dict[str, Any]] = []
    for (case, _seeds), runs in zip(suite, outcomes, strict=True):
        key = str(case.cls) if case.cls else "generated"
        entry = per.setdefault(
            key,
            {
                "description": cases.CLASSES.get(case.cls, "random identities and their mutants"),
                "true": Counter(),
                "false": Counter(),
                "past_budget": 0,
            },
        )
        for seed, outcome in runs.items():
            fate = _fate(case, outcome)
            entry[case.expected][fate] += 1
            if outcome.seconds > timeout + PAST_BUDGET_SLACK:
                entry["past_budget"] += 1
            problem = runner.wrong(case, outcome)
            if not problem and fate == "refuted" and outcome.assignment is not None:
                where = truth.at(case.truth_derivation(), outcome.assignment, ranges=case.ranges)
                if where != "differ":
                    problem = f"refuted at {dict(outcome.assignment)}, but the sides agree there ({where})"
            if problem:
                findings.append({"case": case.id, "seed": seed, "problem": problem})
    for entry in per.values():
        entry["true"], entry["false"] = dict(entry["true"]), dict(entry["false"])
    return {
        "classes": per,
        "findings": findings,
        "seconds": round(time.perf_counter() - started, 2),
        "timeout": timeout,
    }


WRONGLY_ACCEPTED = ("proved", "checked", "inconsistent")
TRUE_REFUTED = ("refuted", "inconsistent")
BROKEN = ("exception", "hang", "build error")


def adversarial_verdict(summary: dict[str, Any]) -> tuple[bool, list[str]]:
    """The CI bar: no false step accepted, no true step refuted, no traceback, no hang."""
    problems = []
    for key, entry in summary["classes"].items():
        accepted = sum(entry["false"].get(f, 0) for f in WRONGLY_ACCEPTED)
        refuted = sum(entry["true"].get(f, 0) for f in TRUE_REFUTED)
        broken = sum(entry[t].get(f, 0) for t in ("true", "false") for f in BROKEN)
        if accepted:
            problems.append(f"class {key}: {accepted} false step(s) WRONGLY ACCEPTED")
        if refuted:
            problems.append(f"class {key}: {refuted} true step(s) refuted")
        if broken:
            problems.append(f"class {key}: {broken} check(s) raised, hung or failed to build")
    bogus = [f for f in summary["findings"] if f["problem"].startswith("refuted at")]
    if bogus:
        problems.append(f"{len(bogus)} refutation(s) with a counterexample where the sides agree")
    return not problems, problems


def print_adversarial(summary: dict[str, Any]) -> None:
    """The adversarial suite's table, one row per class, then every finding."""
    header = (
        f"{'class':10} {'true: proved/checked/undec/refuted/broken':>42}   "
        f"{'false: refuted/undec/WRONG/broken':>34} {'past budget':>12}"
    )
    print(header)
    print("-" * len(header))
    for key, entry in summary["classes"].items():
        t, f = entry["true"], entry["false"]
        true_cell = "/".join(
            str(n)
            for n in (
                t.get("proved", 0),
                t.get("checked", 0),
                t.get("undecided", 0) + t.get("rejected at build", 0),
                sum(t.get(x, 0) for x in TRUE_REFUTED),
                sum(t.get(x, 0) for x in BROKEN),
            )
        )
        false_cell = "/".join(
            str(n)
            for n in (
                f.get("refuted", 0),
                f.get("undecided", 0) + f.get("rejected at build", 0),
                sum(f.get(x, 0) for x in WRONGLY_ACCEPTED),
                sum(f.get(x, 0) for x in BROKEN),
            )
        )
        print(f"{key:10} {true_cell:>42}   {false_cell:>34} {entry['past_budget']:>12}")
    for finding in summary["findings"]:
        print(f"  {finding['case']} (seed {finding['seed']}): {finding['problem']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", nargs="+", help="derivations to mutate (default: all shipped)")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds per checked step")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--json", action="store_true", help="print the full summary as JSON")
    parser.add_argument(
        "--adversarial",
        choices=("with", "skip", "only"),
        default="with",
        help="the adversarial suite of issue 10 beside the mutants (default), or skip it, or only it",
    )
    parser.add_argument(
        "--examples", type=int, default=40, help="generated identities in the adversarial suite"
    )
    args = parser.parse_args(argv)
    known = symbn.names()
    names = args.names or known
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"unknown derivation(s): {', '.join(unknown)}; known: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    summary: dict[str, Any] = {}
    ok, problems = True, []
    if args.adversarial != "only":
        summary = run(names, args.timeout, max(1, args.jobs))
        ok, problems = verdict_of(summary)
    if args.adversarial != "skip":
        summary["adversarial"] = run_adversarial(args.timeout, max(1, args.jobs), args.examples)
        adversarial_ok, adversarial_problems = adversarial_verdict(summary["adversarial"])
        ok, problems = ok and adversarial_ok, problems + adversarial_problems
    summary["ok"], summary["problems"] = ok, problems
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        if args.adversarial != "only":
            print_table(summary)
            total = sum(
                n
                for e in summary["derivations"].values()
                for fate, n in e["mutants"].items()
                if fate != "refuted_with_counterexample"
            )
            print(
                f"\n{total} mutants in {summary['seconds']} s; "
                f"{summary['refuted_with_counterexample_share']:.2%} of the checked ones refuted with a counterexample"
            )
        if args.adversarial != "skip":
            adversarial = summary["adversarial"]
            print(f"\nAdversarial suite (issue 10), {adversarial['seconds']} s:")
            print_adversarial(adversarial)
        print("OK: the soundness bar holds" if ok else "FAIL: " + "; ".join(problems))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
