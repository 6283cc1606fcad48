"""The checker: a pure function from a derivation to a report, one verdict per line.

For each claim the definitions before it are substituted, then two layers decide: the symbolic
normal form of ``lhs − rhs`` (:mod:`symbn.normal`) and exact numeric trials (:mod:`symbn.numeric`).
``proved`` needs both: a normal form of exactly 0 *and* every trial agreeing. Each decision runs
under a time budget (:mod:`symbn.budget`); a timeout or an exception is ``undecided``, never a guess.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from sympy import (
    Derivative,
    Dummy,
    Eq,
    Expr,
    GreaterThan,
    Indexed,
    S,
    StrictGreaterThan,
    Symbol,
)
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.concrete.summations import Sum
from sympy.core.function import AppliedUndef, Function, Subs
from sympy.core.relational import Relational

from symbn.budget import Failure, run_many
from symbn.model import Derivation, Kind, Line, Relation, defined_name
from symbn.normal import normal_form
from symbn.numeric import Counterexample, NotEvaluable, NumericOutcome, compare
from symbn.render.protocols import Displayed

if TYPE_CHECKING:
    pass

TRIALS = 6


class Verdict(str, Enum):
    """The checker's word on one line."""

    DEFINITION = "definition"
    PROVED = "proved"
    CHECKED = "checked"
    REFUTED = "refuted"
    UNDECIDED = "undecided"
    INCONSISTENT = "inconsistent"

    @property
    def holds(self) -> bool:
        """Whether a line with this verdict stands (proved, or checked numerically, or a definition)."""
        return self in (Verdict.DEFINITION, Verdict.PROVED, Verdict.CHECKED)


@dataclass(frozen=True)
class Decision:
    """What the two layers found for one claim, before it is attached to its line."""

    verdict: Verdict
    reason: str = ""
    remainder: Expr | None = None
    counterexample: Counterexample | None = None
    numeric: NumericOutcome | None = None


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
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Report(Displayed):
    """The checked derivation: one :class:`StepResult` per line, in order."""

    derivation: Derivation
    results: tuple[StepResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Whether every claim holds."""
        return all(r.holds for r in self.results)

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
    name: Expr
    lhs: Expr
    rhs: Expr
    uses: frozenset[str]


def check(
    derivation: Derivation,
    *,
    timeout: float | None = 5.0,
    seed: int = 0,
    progress: Callable[[Line], None] | None = None,
) -> Report:
    """Check every line of ``derivation`` in order; ``timeout`` is the budget per line in seconds.

    Definitions are substituted here; the claims are then decided by budgeted workers
    (:func:`symbn.budget.run_many`), each claim within its own ``timeout``.
    """
    each = None if progress is None else (lambda _derivation, line: progress(line))
    return check_many([derivation], timeout=timeout, seed=seed, progress=each)[0]


def check_many(
    derivations: Sequence[Derivation],
    *,
    timeout: float | None = 5.0,
    seed: int = 0,
    progress: Callable[[Derivation, Line], None] | None = None,
) -> list[Report]:
    """:func:`check` for several derivations at once, their claims shared out among the workers.

    The same verdicts as checking them one by one (every claim has its own seed and budget), but
    no derivation waits for the slowest claim of the one before it. ``progress(derivation, line)``
    is called for each line, in order within each derivation.
    """
    plans = [_plan(derivation, seed) for derivation in derivations]
    owners: list[tuple[int, int]] = []
    jobs: list[tuple[Any, ...]] = []
    for p, plan in enumerate(plans):
        for k, (_, _, job) in enumerate(plan):
            if job is not None:
                owners.append((p, k))
                jobs.append(job)
    announced = [0] * len(plans)

    def announce(p: int, upto: int) -> None:
        if progress is not None:
            for line, _, _ in plans[p][announced[p] : upto + 1]:
                progress(derivations[p], line)
        announced[p] = max(announced[p], upto + 1)

    def on_start(n: int) -> None:
        announce(*owners[n])

    outcomes = run_many(decide, jobs, timeout, on_start)
    decided = dict(zip(owners, outcomes, strict=True))
    reports = []
    for p, (derivation, plan) in enumerate(zip(derivations, plans, strict=True)):
        announce(p, len(plan) - 1)
        results = []
        for k, (line, uses, job) in enumerate(plan):
            if job is None:
                results.append(StepResult(line, Verdict.DEFINITION, uses=tuple(sorted(uses))))
                continue
            outcome = decided[p, k]
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
                    tuple(sorted(uses, key=_label_order(derivation))),
                    job[-1],
                )
            )
        reports.append(Report(derivation, tuple(results)))
    return reports


_Plan = list[tuple[Line, frozenset[str], tuple[Any, ...] | None]]


def _plan(derivation: Derivation, seed: int) -> _Plan:
    """Each line with the labels it uses and, for a claim, the arguments of :func:`decide`."""
    definitions: list[_Definition] = []
    plan: _Plan = []
    for line in derivation.lines:
        if line.kind is Kind.DEFINITION:
            # Fresh names for this definition's own summation indices, before substituting: the
            # definitions substituted into it have fresh ones already, and renaming the small
            # original costs far less than renaming the substituted whole.
            rhs, uses = substitute(_fresh_bound(line.rhs_meaning), definitions)
            definitions.append(_Definition(line.label, defined_name(line.lhs), line.lhs, rhs, uses))
            plan.append((line, uses, None))
            continue
        lhs, lhs_uses = substitute(line.lhs_meaning, definitions)
        rhs, rhs_uses = substitute(line.rhs_meaning, definitions)
        line_seed = zlib.crc32(f"{seed}:{derivation.name}:{line.label}".encode())
        job = (lhs, rhs, line.relation, derivation.assumptions, line_seed)
        plan.append((line, lhs_uses | rhs_uses, job))
    return plan


def _label_order(derivation: Derivation) -> Callable[[str], int]:
    order = {line.label: k for k, line in enumerate(derivation.lines)}
    return lambda label: order.get(label, len(order))


def substitute(expr: Expr, definitions: list[_Definition]) -> tuple[Expr, frozenset[str]]:
    """``expr`` with every defined name replaced by its definition, and the labels used."""
    uses: set[str] = set()
    symbols = {d.name: d for d in definitions if isinstance(d.lhs, Symbol)}
    families = {d.name: d for d in definitions if isinstance(d.lhs, Indexed)}

    def is_family_entry(node: Any) -> bool:
        return isinstance(node, Indexed) and node.base in families

    def expand_entry(node: Indexed) -> Expr:
        definition = families[node.base]
        uses.update(definition.uses | {definition.label})
        return definition.rhs.xreplace(dict(zip(definition.lhs.indices, node.indices, strict=True)))

    if families:
        expr = expr.replace(is_family_entry, expand_entry)
    present = expr.free_symbols & set(symbols)
    for name in present:
        uses.update(symbols[name].uses | {symbols[name].label})
    if present:
        expr = expr.xreplace({name: symbols[name].rhs for name in present})
    return expr, frozenset(uses)


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
    lhs: Expr,
    rhs: Expr,
    relation: Relation,
    assumptions: tuple[Relational, ...],
    seed: int,
) -> Decision:
    """The verdict on ``lhs relation rhs``: both layers, combined by the soundness rules."""
    lhs, rhs, assumptions = _apply_assumptions(lhs, rhs, assumptions)
    lhs, rhs = _differentiate(lhs), _differentiate(rhs)
    remainder = normal_form(lhs - rhs)
    symbolic_zero = remainder == 0
    try:
        numeric = compare(lhs, rhs, seed=seed, trials=TRIALS, assumptions=assumptions)
    except NotEvaluable as exc:
        return Decision(Verdict.UNDECIDED, f"numeric trials impossible: {exc}", remainder)
    if relation is Relation.DIFFERENT:
        return _decide_difference(symbolic_zero, remainder, numeric)
    if numeric.counterexample is not None:
        if symbolic_zero:
            return Decision(
                Verdict.INCONSISTENT,
                "the normal form is 0 but a numeric trial differs: a bug in a checking layer",
                remainder,
                numeric.counterexample,
                numeric,
            )
        return Decision(
            Verdict.REFUTED, "the sides differ", remainder, numeric.counterexample, numeric
        )
    if numeric.agreed == 0:
        return Decision(
            Verdict.UNDECIDED,
            f"no admissible values for a numeric trial ({numeric.reason})",
            remainder,
            numeric=numeric,
        )
    if symbolic_zero:
        return Decision(Verdict.PROVED, _trials_text(numeric), None, numeric=numeric)
    return Decision(
        Verdict.CHECKED,
        f"not proved symbolically; {_trials_text(numeric)}",
        remainder,
        numeric=numeric,
    )


def _decide_difference(symbolic_zero: bool, remainder: Expr, numeric: NumericOutcome) -> Decision:
    if numeric.counterexample is not None:
        if symbolic_zero:
            return Decision(
                Verdict.INCONSISTENT,
                "the normal form is 0 but a numeric trial differs: a bug in a checking layer",
                remainder,
                numeric.counterexample,
                numeric,
            )
        return Decision(
            Verdict.PROVED,
            "the sides differ at these values",
            remainder,
            numeric.counterexample,
            numeric,
        )
    if symbolic_zero and numeric.agreed:
        return Decision(
            Verdict.REFUTED,
            "the sides are equal: their difference normalises to 0",
            0,
            numeric=numeric,
        )
    return Decision(
        Verdict.UNDECIDED,
        f"no values found where the sides differ; {_trials_text(numeric)}",
        remainder,
        numeric=numeric,
    )


def _trials_text(numeric: NumericOutcome) -> str:
    sizes = sorted({", ".join(f"{k}={v}" for k, v in s) for s in numeric.sizes if s})
    where = f" at {'; '.join(sizes)}" if sizes else ""
    return f"{numeric.agreed} exact trials agree{where}"


def _apply_assumptions(
    lhs: Expr, rhs: Expr, assumptions: tuple[Relational, ...]
) -> tuple[Expr, Expr, tuple[Relational, ...]]:
    """Substitute ``x = c`` assumptions and give ``x > 0`` / ``x ≥ 0`` symbols that property."""
    mapping: dict[Expr, Expr] = {}
    rest = []
    for assumption in assumptions:
        left, right = assumption.lhs, assumption.rhs
        if (
            isinstance(assumption, Eq)
            and isinstance(left, Symbol)
            and left not in right.free_symbols
        ):
            mapping[left] = right
        elif (
            isinstance(assumption, (StrictGreaterThan, GreaterThan))
            and isinstance(left, Symbol)
            and right == 0
        ):
            kind = "positive" if isinstance(assumption, StrictGreaterThan) else "nonnegative"
            kept = {**left.assumptions0, "real": True, kind: True}
            mapping[left] = Symbol(left.name, **kept)
            rest.append(assumption)
        else:
            rest.append(assumption)
    if not mapping:
        return lhs, rhs, assumptions
    moved = tuple(a.xreplace(mapping) for a in rest)
    return lhs.xreplace(mapping), rhs.xreplace(mapping), tuple(a for a in moved if a is not S.true)


def _differentiate(expr: Expr) -> Expr:
    """``expr`` with every ``Derivative`` carried out (through sums, by SymPy's rules)."""
    if not expr.has(Derivative):
        return expr
    return expr.replace(lambda node: isinstance(node, Derivative), _carry_out)


def _carry_out(node: Derivative) -> Expr:
    """One derivative carried out: by :func:`derivative_through_sums` where it applies, else by SymPy."""
    result = node.expr
    for var, count in node.variable_count:
        if not isinstance(var, Symbol) or not count.is_Integer:
            return node.expr.diff(*node.variable_count)
        for _ in range(int(count)):
            result = derivative_through_sums(result, var)
    return result


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
