"""The checker: a pure function from a derivation to a report, one verdict per line.

For each claim the definitions before it are substituted, then two layers decide: the symbolic
normal form of ``lhs − rhs`` (:mod:`symbn.normal`) and exact numeric trials (:mod:`symbn.numeric`).
``proved`` needs both: a normal form of exactly 0 *and* every trial agreeing. Each decision runs
under a time budget (:mod:`symbn.budget`); a timeout or an exception is ``undecided``, never a guess.
"""

from __future__ import annotations

import itertools
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sympy import (
    Basic,
    Derivative,
    Dummy,
    Expr,
    Float,
    Idx,
    Indexed,
    Integer,
    S,
    Symbol,
    exp,
    simplify,
)
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.concrete.summations import Sum
from sympy.core.function import AppliedUndef, Function, Subs
from sympy.core.relational import Relational

from symbn.assumptions import apply_assumptions
from symbn.budget import TIMED_OUT, Failure, run_many
from symbn.model import Derivation, Kind, Line, Relation, defined_name, recursion_step
from symbn.nonsmooth import guarded, unwrapped
from symbn.normal import normal_form
from symbn.notation import meaning
from symbn.numeric import MIN_AGREEING, Counterexample, NotEvaluable, NumericOutcome, compare
from symbn.policy import Decision, Verdict, is_rational_function, policy, rational_normal_form
from symbn.render.protocols import Displayed

if TYPE_CHECKING:
    from symbn.cache import Cache

RECURSION_LIMIT = 20_000
SIMPLIFY_OPS = 400  # remainders larger than this are not handed to SymPy's simplify


@dataclass(frozen=True)
class StepResult:
    """The verdict on one line, with the evidence: counterexample, remainder, trials, seed."""

    line: Line
    verdict: Verdict
    reason: str = ""
    remainder: Expr | None = None
    counterexample: Counterexample | None = None
    numeric: NumericOutcome | None = None
    uses: tuple[str, ...] = ()
    seed: int = 0
    exhausted: bool = False  # undecided because time ran out or a worker failed, not by the claim

    @property
    def label(self) -> str:
        return self.line.label

    @property
    def holds(self) -> bool:
        return self.verdict.holds

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary of this result."""
        return {
            "label": self.label,
            "kind": self.line.kind.value,
            "relation": self.line.relation.value,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "uses": list(self.uses),
            "remainder": None if self.remainder is None else str(self.remainder),
            "counterexample": self.counterexample.as_dict() if self.counterexample else None,
            "trials": self.numeric.agreed if self.numeric else 0,
            "sizes": [dict(s) for s in self.numeric.sizes] if self.numeric else [],
            "evidence": _evidence(self.numeric),
            "seed": self.seed,
        }


def _evidence(numeric: NumericOutcome | None) -> dict[str, Any] | None:
    """What the numeric trials rest on, for JSON: counts of each kind and the probability bound."""
    if numeric is None:
        return None
    return {
        "exact_agreements": numeric.agreed,
        "generic_points": numeric.generic,
        "special_points": numeric.special,
        "unresolved": numeric.unresolved,
        "excluded": numeric.skipped,
        "distinct_sizes": numeric.distinct_sizes,
        "degree_bound": numeric.degree,
        "false_accept_bound_per_generic_point": numeric.false_accept_bound,
        "summary": numeric.evidence(),
    }


@dataclass(frozen=True)
class Report(Displayed):
    """The checked derivation: one :class:`StepResult` per line, in order."""

    derivation: Derivation
    results: tuple[StepResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Whether every claim holds (and, for a document, every display was read)."""
        return not self.derivation.not_read and all(r.holds for r in self.results)

    def __iter__(self) -> Iterator[StepResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, label: str) -> StepResult:
        for result in self.results:
            if result.label == label:
                return result
        raise KeyError(label)

    def counts(self) -> dict[Verdict, int]:
        """How many lines got each verdict."""
        return {v: sum(r.verdict is v for r in self.results) for v in Verdict}

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary of the whole report."""
        return {
            "name": self.derivation.name,
            "title": self.derivation.title,
            "ok": self.ok,
            "counts": {v.value: n for v, n in self.counts().items()},
            "not_read": len(self.derivation.not_read),
            "assumptions": [str(a) for a in self.derivation.assumptions],
            "conclusion": self.derivation.conclusion,
            "steps": [r.as_dict() for r in self.results],
        }

    # IPython's pretty printer stops at the first class in the MRO that defines __repr__, so the
    # mixin's _repr_pretty_ must be named here, beside this class's own __repr__.
    _repr_pretty_ = Displayed._repr_pretty_

    def __repr__(self) -> str:
        verdict = "every claim holds" if self.ok else "NOT every claim holds"
        return f"<Report {self.derivation.name!r}: {len(self.results)} lines, {verdict}>"


@dataclass(frozen=True)
class _Definition:
    label: str
    name: Any  # the symbol, or the family (IndexedBase) of an indexed left side
    lhs: Expr
    line: Line


class _Table:
    """Every definition of one derivation, in order, with what has been substituted so far.

    Shared by the :class:`Definitions` of all its claims: a definition's right side only uses
    names defined before it (:func:`symbn.validate.check_definition`), so its substituted form is
    the same for every claim that sees it, and is computed once per worker.
    """

    def __init__(self) -> None:
        self.entries: list[_Definition] = []
        self.position: dict[Any, int] = {}
        self.raw: dict[Any, Any] = {}
        self.full: dict[tuple[Any, frozenset[Any]], tuple[Expr, frozenset[str]]] = {}


class Definitions:
    """The definitions before a claim, substituted lazily and at most once, inside the worker.

    The parent only lists them; meaning, fresh names for bound indices and substitution all grow
    with the input, so they run under the claim's budget (:func:`decide`). A claim's definitions
    are the first ``count`` of its derivation's table: taking them costs nothing, however many.
    """

    def __init__(
        self,
        table: _Table | None = None,
        count: int = 0,
        recursions: tuple[_Definition, ...] = (),
    ) -> None:
        self.table = table if table is not None else _Table()
        self.count = count
        # Q[n + 1] := …: put in for exactly that entry; every other Q[…] stays an unknown
        self.recursions = recursions
        self.by_base = {d.name: d for d in recursions}

    @property
    def entries(self) -> tuple[_Definition, ...]:
        """The definitions, in order (recursions apart)."""
        return tuple(self.table.entries[: self.count])

    def __contains__(self, name: Any) -> bool:
        position = self.table.position.get(name)
        return position is not None and position < self.count

    def __getitem__(self, name: Any) -> _Definition:
        if name not in self:
            raise KeyError(name)
        return self.table.entries[self.table.position[name]]

    def defining(self, name: Any) -> tuple[_Definition, ...]:
        """Every definition of ``name``: its plain definition and its recursion, where it has them."""
        found = (self[name],) if name in self else ()
        return found + ((self.by_base[name],) if name in self.by_base else ())

    def extended(self, definition: _Definition) -> Definitions:
        """These definitions and one more, sharing what has been substituted so far."""
        if isinstance(definition.lhs, Indexed) and recursion_step(definition.lhs) is not None:
            return Definitions(self.table, self.count, (*self.recursions, definition))
        table = self.table
        if len(table.entries) != self.count or definition.name in table.position:
            table = _Table()  # a branch off an earlier point: its own table
            for entry in self.table.entries[: self.count]:
                table.position[entry.name] = len(table.entries)
                table.entries.append(entry)
        table.position[definition.name] = len(table.entries)
        table.entries.append(definition)
        return Definitions(table, self.count + 1, self.recursions)

    def unfolds(self, entry: Indexed) -> bool:
        """Whether the recursion of ``entry``'s family gives it: exactly ``Q[n + c]``, or, for a
        forward recursion whose ``n`` has no upper end, a later term ``Q[n + d]`` (d > c)."""
        definition = self.by_base.get(entry.base)
        return definition is not None and _shift(definition, entry) is not None

    def recursion(self, entry: Indexed, blocked: frozenset[Any]) -> tuple[Expr, frozenset[str]]:
        """The right side of the recursion at ``entry``, definitions put in, and the labels used."""
        definition = self.by_base[entry.base]
        # keyed by how many definitions and recursions there are: what it may put in depends on it
        key = (("recursion", entry, self.count, len(self.recursions)), blocked)
        cache = self.table.full
        if key not in cache:
            step = recursion_step(definition.lhs)
            assert step is not None
            moved = _shift(definition, entry)
            assert moved is not None
            rhs = _fresh_bound(definition.line.rhs_meaning).xreplace({step[1]: step[1] + moved})
            rhs, uses = _substitute(rhs, self, blocked)
            cache[key] = (rhs, uses | {definition.label})
        return cache[key]

    def raw(self, name: Any) -> Expr:
        """The right side of ``name``'s definition as meant, its summation indices made fresh.

        A function's parameters (``x`` in ``σ(x) := 1/(1 + e^{−x})``) become the definition's own
        placeholders, so no definition of a symbol that happens to be called ``x`` reaches them.
        """
        cache = self.table.raw
        if name not in cache:
            definition = self[name]
            rhs = _fresh_bound(definition.line.rhs_meaning)
            if isinstance(definition.lhs, AppliedUndef):
                rhs = rhs.xreplace(
                    dict(zip(definition.lhs.args, self.parameters(name), strict=True))
                )
            cache[name] = rhs
        return cache[name]

    def parameters(self, name: Any) -> tuple[Dummy, ...]:
        """The placeholders of a function definition's parameters, one set per definition."""
        definition = self[name]
        key = ("parameters", name)
        cache = self.table.raw
        if key not in cache:
            cache[key] = tuple(Dummy(str(a)) for a in definition.lhs.args)
        return cache[key]

    def expanded(self, name: Any, blocked: frozenset[Any]) -> tuple[Expr, frozenset[str]]:
        """``name``'s right side with every definition not in ``blocked`` substituted, and the labels used."""
        key = (name, blocked)
        cache = self.table.full
        if key not in cache:
            rhs, uses = _substitute(self.raw(name), self, blocked)
            cache[key] = (rhs, uses | {self[name].label})
        return cache[key]


def check(
    derivation: Derivation,
    *,
    timeout: float | None = 5.0,
    seed: int = 0,
    progress: Callable[[Line], None] | None = None,
    cache: Cache | None = None,
) -> Report:
    """Check every line of ``derivation`` in order; ``timeout`` is the budget per line in seconds.

    The claims are decided by budgeted workers (:func:`symbn.budget.run_many`), each claim within
    its own ``timeout``; definitions are substituted there too. With a ``cache``
    (:mod:`symbn.cache`) a claim whose inputs are unchanged takes its stored verdict.
    """
    each = None if progress is None else (lambda _derivation, line: progress(line))
    return check_many([derivation], timeout=timeout, seed=seed, progress=each, cache=cache)[0]


def check_many(
    derivations: Sequence[Derivation],
    *,
    timeout: float | None = 5.0,
    seed: int = 0,
    progress: Callable[[Derivation, Line], None] | None = None,
    total: float | None = None,
    cache: Cache | None = None,
) -> list[Report]:
    """:func:`check` for several derivations at once, their claims shared out among the workers.

    The same verdicts as checking them one by one (every claim has its own seed and budget), but
    no derivation waits for the slowest claim of the one before it. ``progress(derivation, line)``
    is called for each line, in order within each derivation. ``total`` bounds the CPU seconds of
    all the claims together: past it, the claims not decided yet are undecided, saying so. With a
    ``cache``, the claims it holds a valid verdict for are not sent to the workers, and the others'
    verdicts are stored (never one that the ``total`` cut short).
    """
    plans = [_plan(derivation, seed) for derivation in derivations]
    owners: list[tuple[int, int]] = []
    jobs: list[tuple[Any, ...]] = []
    for p, plan in enumerate(plans):
        for k, (_, job) in enumerate(plan):
            if job is not None:
                owners.append((p, k))
                jobs.append(job)
    announced = [0] * len(plans)

    def announce(p: int, upto: int) -> None:
        if progress is not None:
            for line, _ in plans[p][announced[p] : upto + 1]:
                progress(derivations[p], line)
        announced[p] = max(announced[p], upto + 1)

    lookup = cache.lookup(jobs, timeout) if cache is not None else None
    found = lookup.found if lookup is not None else [None] * len(jobs)
    pending = [n for n, hit in enumerate(found) if hit is None]

    def on_start(n: int) -> None:
        announce(*owners[pending[n]])

    ran = run_many(decide, [jobs[n] for n in pending], timeout, on_start, total=total)
    if lookup is not None:
        lookup.store(dict(zip(pending, ran, strict=True)))
    outcomes = list(found)
    for n, outcome in zip(pending, ran, strict=True):
        outcomes[n] = outcome
    decided = dict(zip(owners, outcomes, strict=True))
    reports = []
    for p, (derivation, plan) in enumerate(zip(derivations, plans, strict=True)):
        announce(p, len(plan) - 1)
        order = _label_order(derivation)
        results = []
        for k, (line, job) in enumerate(plan):
            if job is None:
                results.append(StepResult(line, Verdict.DEFINITION))
                continue
            outcome = decided[p, k]
            exhausted = isinstance(outcome, Failure) or outcome.reason.startswith(TIMED_OUT)
            if isinstance(outcome, Failure):
                outcome = Decision(Verdict.UNDECIDED, outcome.reason)
            results.append(
                StepResult(
                    line,
                    outcome.verdict,
                    outcome.reason,
                    outcome.remainder,
                    outcome.counterexample,
                    outcome.numeric,
                    tuple(sorted(outcome.uses, key=order)),
                    job[-1],
                    exhausted,
                )
            )
        reports.append(Report(derivation, tuple(results)))
    return reports


_Plan = list[tuple[Line, tuple[Any, ...] | None]]


def _plan(derivation: Derivation, seed: int) -> _Plan:
    """Each line with, for a claim, the arguments of :func:`decide`; nothing here grows with the mathematics."""
    definitions = Definitions()
    plan: _Plan = []
    for line in derivation.lines:
        if line.kind is Kind.DEFINITION:
            name = line.lhs.func if isinstance(line.lhs, AppliedUndef) else defined_name(line.lhs)
            entry = _Definition(line.label, name, line.lhs, line)
            definitions = definitions.extended(entry)
            plan.append((line, None))
            continue
        line_seed = zlib.crc32(f"{seed}:{derivation.name}:{line.label}".encode())
        plan.append((line, (line, definitions, derivation.assumptions, line_seed)))
    return plan


def _label_order(derivation: Derivation) -> Callable[[str], int]:
    order = {line.label: k for k, line in enumerate(derivation.lines)}
    return lambda label: order.get(label, len(order))


def substitute(expr: Expr, definitions: Definitions) -> tuple[Expr, frozenset[str]]:
    """``expr`` with every defined name replaced by its definition, and the labels used.

    A bound summation index is never replaced, and a derivative's variable stays a variable: the
    derivative is taken with the definitions of everything else put in, then the variable's own.
    """
    return _substitute(expr, definitions, frozenset())


def _substitute(
    expr: Any, definitions: Definitions, blocked: frozenset[Any]
) -> tuple[Expr, frozenset[str]]:
    memo: dict[Any, tuple[Any, frozenset[str]]] = {}

    def walk(node: Any, blocked: frozenset[Any]) -> tuple[Any, frozenset[str]]:
        key = (node, blocked)
        if key in memo:
            return memo[key]
        result = visit(node, blocked)
        memo[key] = result
        return result

    def visit(node: Any, blocked: frozenset[Any]) -> tuple[Any, frozenset[str]]:
        if isinstance(node, Symbol) and not isinstance(node, Idx):
            if node in definitions and node not in blocked:
                return definitions.expanded(node, blocked)
            return node, frozenset()
        if isinstance(node, AppliedUndef) and node.func in definitions:
            parts = [walk(a, blocked) for a in node.args]
            uses = frozenset().union(*(u for _, u in parts))
            if node.func in blocked:
                return node.func(*[p for p, _ in parts]), uses
            rhs, more = definitions.expanded(node.func, blocked)
            mapping = dict(
                zip(definitions.parameters(node.func), [p for p, _ in parts], strict=True)
            )
            return rhs.xreplace(mapping), uses | more
        if isinstance(node, Indexed):
            indices = [walk(i, blocked) for i in node.indices]
            uses = frozenset().union(*(u for _, u in indices))
            values = [v for v, _ in indices]
            if node.base in definitions and node.base not in blocked:
                definition = definitions[node.base]
                rhs, more = definitions.expanded(node.base, blocked)
                mapping = dict(zip(definition.lhs.indices, values, strict=True))
                return rhs.xreplace(mapping), uses | more
            entry = node.func(node.base, *values)
            if node.base not in blocked and definitions.unfolds(entry):
                rhs, more = definitions.recursion(entry, blocked)
                return rhs, uses | more
            return entry, uses
        if not getattr(node, "args", ()) or not isinstance(node, Basic):
            return node, frozenset()
        if isinstance(node, Derivative):
            return derivative(node, blocked)
        if isinstance(node, ExprWithLimits):
            bound = frozenset(v for v, *_ in node.limits)
            body, uses = walk(node.function, blocked | bound)
            limits = []
            for var, *ends in node.limits:
                walked = [walk(e, blocked) for e in ends]
                uses = uses.union(*(u for _, u in walked))
                limits.append((var, *[w for w, _ in walked]))
            return node.func(body, *limits), uses
        parts = [walk(a, blocked) for a in node.args]
        uses = frozenset().union(*(u for _, u in parts))
        if all(new is old for (new, _), old in zip(parts, node.args, strict=True)):
            return node, uses
        return node.func(*[p for p, _ in parts]), uses

    def derivative(node: Derivative, blocked: frozenset[Any]) -> tuple[Any, frozenset[str]]:
        variables = frozenset(
            v.base if isinstance(v, Indexed) else v for v, _ in node.variable_count
        )
        held = frozenset(v for v in variables if v in definitions)
        if not held:
            inner, uses = walk(node.expr, blocked)
            return _carry_out(Derivative(inner, *node.variable_count)), uses
        inner, uses = walk(node.expr, blocked | held)
        taken = _carry_out(Derivative(inner, *node.variable_count))
        result, more = walk(taken, blocked)
        return result, uses | more

    return walk(expr, blocked)


def _shift(definition: _Definition, entry: Indexed) -> int | None:
    """How far ``entry`` is from the recursion's left side ``Q[n + c]``: 0 for it exactly, ``d - c``
    for ``Q[n + d]``, d > c, when that is sound; else None.

    Q[n + d] is the recursion at n + d - c, which holds when n has no upper end (an integer, or a
    size) and every term the recursion uses is earlier (Q[n + e], e < c), so unfolding ends.
    """
    lhs = definition.lhs
    step = recursion_step(lhs)
    if step is None or len(entry.indices) != len(lhs.indices):
        return None
    k, n, c = step
    pairs = enumerate(zip(entry.indices, lhs.indices, strict=True))
    if any(a != b for j, (a, b) in pairs if j != k):
        return None
    d = entry.indices[k] - n
    if not d.is_Integer or d < c:
        return None
    if d == c:
        return 0
    if isinstance(n, Idx):
        return None
    for used in definition.line.rhs_meaning.atoms(Indexed):
        if used.base != entry.base:
            continue
        if len(used.indices) != len(lhs.indices):
            return None
        e = used.indices[k] - n
        pairs = enumerate(zip(used.indices, lhs.indices, strict=True))
        if not e.is_Integer or e >= c or any(a != b for j, (a, b) in pairs if j != k):
            return None
    return int(d) - c


def _fresh_bound(expr: Expr) -> Expr:
    """``expr`` with every summation index renamed to a fresh dummy, so substituting it cannot capture."""

    def is_bound(node: Any) -> bool:
        return isinstance(node, ExprWithLimits)

    def freshen(node: ExprWithLimits) -> Expr:
        mapping = {v: Dummy(str(getattr(v, "label", v)), integer=True) for v, *_ in node.limits}
        body = node.function.xreplace(mapping)
        limits = [(mapping[v], *rest) for v, *rest in node.limits]
        return node.func(body, *limits)

    return expr.replace(is_bound, freshen)


def decide(
    line: Line, definitions: Definitions, assumptions: tuple[Relational, ...], seed: int
) -> Decision:
    """The verdict on one claim: its definitions put in, then both layers, combined by the policy.

    Deeply nested expressions (a continued fraction 300 levels deep) need more of Python's stack
    than its default; the limit is raised for this computation only.
    """
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved, RECURSION_LIMIT))
    try:
        return _decide(line, definitions, assumptions, seed)
    finally:
        sys.setrecursionlimit(saved)


def _decide(
    line: Line, definitions: Definitions, assumptions: tuple[Relational, ...], seed: int
) -> Decision:
    lhs, lhs_uses = substitute(line.lhs_meaning, definitions)
    rhs, rhs_uses = substitute(line.rhs_meaning, definitions)
    meant = []
    for assumption in assumptions:
        left, _ = substitute(meaning(assumption.lhs), definitions)
        right, _ = substitute(meaning(assumption.rhs), definitions)
        meant.append(assumption.func(left, right))
    decision = decide_sides(lhs, rhs, line.relation, tuple(meant), seed)
    decision = _unsolved(decision, lhs, rhs, line.relation, definitions)
    return replace(decision, uses=lhs_uses | rhs_uses)


def _unsolved(
    decision: Decision, lhs: Expr, rhs: Expr, relation: Relation, definitions: Definitions
) -> Decision:
    """A claim on terms of a recursion other than the one it defines: those terms were unknowns.

    What holds for every value of them holds, and a difference that does not depend on them (a
    remainder free of them, at a point where both sides are defined) is a counterexample; any
    other difference is undecided: symbn does not solve recursions.
    """
    families = {d.name: d for d in definitions.recursions}
    terms = {entry.base for entry in (lhs - rhs).atoms(Indexed)} & set(families)
    differs = Verdict.PROVED if relation is Relation.DIFFERENT else Verdict.REFUTED
    if not terms or decision.verdict is not differs:
        return decision
    remainder, found = decision.remainder, decision.counterexample
    if (
        remainder is not None
        and remainder != 0
        and not {entry.base for entry in remainder.atoms(Indexed)} & set(families)
        and found is not None
        and not found.note
    ):
        return decision
    name = sorted(terms, key=str)[0]
    definition = families[name]
    return Decision(
        Verdict.UNDECIDED,
        f"uses terms of {name} other than {definition.lhs}, which the recursion "
        f"({definition.label}) defines; symbn does not solve recursions, so they are unknowns "
        "here, and the sides differ only for some values of them",
        remainder,
    )


def decide_sides(
    lhs: Expr,
    rhs: Expr,
    relation: Relation,
    assumptions: tuple[Relational, ...],
    seed: int,
) -> Decision:
    """The verdict on ``lhs relation rhs``: both layers, combined by the soundness rules."""
    lhs, rhs, assumptions = apply_assumptions(lhs, rhs, assumptions)
    inexact = _inexact_float([lhs, rhs, *assumptions])
    if inexact is not None:
        return Decision(
            Verdict.UNDECIDED,
            f"{inexact} is a binary floating-point number whose value is not the decimal it "
            "shows, and SymPy rounds arithmetic on floats as it builds the expression "
            "(1 + 1e-20 becomes 1.0): the claim checked may not be the one written; write "
            f"Rational('{inexact}') instead",
            None,
        )
    if any(a is S.false for a in assumptions):
        return Decision(
            Verdict.UNDECIDED,
            "the assumptions contradict each other (with the sign facts bound and the definitions "
            "put in): no point satisfies them, so nothing is claimed",
            None,
        )
    lhs, rhs = _differentiate(lhs), _differentiate(rhs)
    remainder = normal_form(lhs - rhs)
    if remainder != 0 and is_rational_function(remainder):
        remainder = rational_normal_form(remainder)
    symbolic_zero = remainder == 0
    equalities_left = any(a.rel_op == "==" for a in assumptions)
    try:
        numeric = compare(
            lhs,
            rhs,
            seed=seed,
            assumptions=assumptions,
            thorough=not symbolic_zero or relation is Relation.DIFFERENT,
            want_difference=relation is Relation.DIFFERENT,
        )
    except NotEvaluable as exc:
        return Decision(Verdict.UNDECIDED, f"numeric trials impossible: {exc}", remainder)
    if (
        not symbolic_zero
        and numeric.counterexample is None
        and numeric.agreed < MIN_AGREEING
        and _simplifies_to_zero(remainder)
    ):
        # The trials met values they could not decide exactly; SymPy's simplify shows the
        # difference is 0, and the policy then treats it as a normal form of 0.
        decision = policy(
            relation is Relation.DIFFERENT, Integer(0), numeric, rational_known=not equalities_left
        )
        note = "the normal form was not 0, SymPy's simplify() of it is"
        return replace(decision, reason=f"{note}; {decision.reason}")
    return policy(
        relation is Relation.DIFFERENT, remainder, numeric, rational_known=not equalities_left
    )


def _simplifies_to_zero(remainder: Expr) -> bool:
    """Whether SymPy's ``simplify`` takes a small remainder without sums to exactly 0."""
    if remainder.has(Sum) or remainder.count_ops() > SIMPLIFY_OPS:
        return False
    try:
        return bool(simplify(remainder.rewrite(exp)) == 0 or simplify(remainder) == 0)
    except Exception:
        return False


def _inexact_float(exprs: list[Any]) -> str | None:
    """The first Float in ``exprs`` whose binary value differs from the decimal it prints as."""
    for expr in exprs:
        for number in sorted(expr.atoms(Float), key=str):
            shown = str(number)
            try:
                decimal = Fraction(shown)
            except ValueError:
                return shown
            sign, mantissa, exponent, _ = number._mpf_
            value = Fraction(int(mantissa)) * Fraction(2) ** int(exponent)
            if (-value if sign else value) != decimal:
                if "e" in shown or "." not in shown:
                    return shown
                return shown.rstrip("0").rstrip(".")
    return None


def _differentiate(expr: Expr) -> Expr:
    """``expr`` with every ``Derivative`` carried out (through sums, by SymPy's rules)."""
    if not expr.has(Derivative):
        return expr
    return expr.replace(lambda node: isinstance(node, Derivative), _carry_out)


def _carry_out(node: Any) -> Expr:
    """One derivative carried out: by :func:`derivative_through_sums` where it applies, else by SymPy."""
    if not isinstance(node, Derivative):
        return node
    # A derivative of |u|, max, ⌊u⌋, cases …: SymPy's formula has a value at the breakpoints,
    # where there is no derivative; it is kept with its function, which decides there.
    plain = unwrapped(node.expr)
    result = plain
    for var, count in node.variable_count:
        if not isinstance(var, Symbol) or not count.is_Integer:
            return guarded(node.expr, plain.diff(*node.variable_count), node.variable_count)
        for _ in range(int(count)):
            result = derivative_through_sums(result, var)
    return guarded(node.expr, result, node.variable_count)


def derivative_through_sums(expr: Expr, x: Symbol) -> Expr:
    """``d expr / d x``, the same as SymPy's ``expr.diff(x)``, several times faster on sums.

    SymPy's chain rule builds powers and products of whole sums, and asks of each whether it is
    positive, which costs most of the time. Here every sum that depends on ``x`` is first hidden
    behind an undefined function ``S(x)`` (about which nothing can be asked), SymPy differentiates
    the rest, and then each ``S(x)`` is put back with ``dS/dx = Σ d(body)/dx`` (the sum rule; its
    bounds do not depend on ``x``). Every step is SymPy's own differentiation or the linearity of
    a finite sum. Anything else, or any leftover placeholder, falls back to ``expr.diff(x)``.
    """
    hidden: dict[Expr, Sum] = {}
    taken = {f.func.__name__ for f in expr.atoms(AppliedUndef)}

    def fresh_placeholder() -> Expr:
        name = f"_symbn_sum_{next(_PLACEHOLDERS)}"
        while name in taken:
            name = f"_symbn_sum_{next(_PLACEHOLDERS)}"
        return Function(name)(x)

    def hide(node: Any) -> Any:
        if x not in node.free_symbols:
            return node
        if isinstance(node, Sum):
            if any(x in bound.free_symbols for _, *bounds in node.limits for bound in bounds):
                raise _NotThroughSums
            placeholder = fresh_placeholder()
            hidden[placeholder] = node
            return placeholder
        if not node.args or not isinstance(node, Expr):
            return node
        return node.func(*[hide(a) for a in node.args])

    try:
        derivative = hide(expr).diff(x)
        back: dict[Expr, Expr] = {}
        for placeholder, total in hidden.items():
            back[placeholder] = total
            back[Derivative(placeholder, x)] = Sum(
                derivative_through_sums(total.function, x), *total.limits
            )
        result = derivative.xreplace(back)
    except _NotThroughSums:
        return expr.diff(x)
    if any(f in hidden for f in result.atoms(AppliedUndef)) or result.has(Subs):
        return expr.diff(x)
    return result


# Placeholder names are never reused and never one of the expression's own functions, so a
# placeholder can only ever stand for its own sum.
_PLACEHOLDERS = itertools.count()


class _NotThroughSums(Exception):
    """A sum whose bounds depend on the variable: left to SymPy."""


__all__ = ["Report", "StepResult", "Verdict", "check", "check_many", "decide", "substitute"]
