"""What every renderer says about a line that does not hold, in the document's notation.

The checker reports its evidence in its own terms: a remainder whose summation indices are the
normal form's canonical dummies (``_s1_0``), and a counterexample that names every value it drew.
This module turns both into what the reader wrote: summation indices renamed to the document's own
index names, only the values that the line's sides use (through the definitions they rely on), and
a hint when a continuation fails only because the line before it is already refuted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sympy import Basic, Expr, Idx, Indexed, IndexedBase, Symbol, expand
from sympy.concrete.expr_with_limits import ExprWithLimits

from symbn.model import Derivation, Kind, Line, defined_name
from symbn.notation import HiddenIdx
from symbn.render.unicode import named_value, names_in

if TYPE_CHECKING:
    from symbn.check import Report, StepResult

SPARE_INDICES = ("i", "k", "p", "q", "r", "s", "t", "u", "v")
"""Index names for a remainder's summation dummies when the document has no free one."""


def _is_dummy(var: Basic) -> bool:
    """A summation variable the checker made up: its name starts with ``_`` (``_s1_0``)."""
    name = str(var.label) if isinstance(var, Idx) else str(var)
    return name.startswith("_")


def _document_indices(derivation: Derivation) -> list[Idx]:
    """The derivation's own summation and example indices, in order of first use."""
    out: list[Idx] = []
    for line in derivation.lines:
        for side in (line.lhs_meaning, line.rhs_meaning):
            for atom in sorted(side.atoms(Idx), key=str):
                if atom not in out and not isinstance(atom, HiddenIdx):
                    out.append(atom)
    return out


def _name_of(var: Basic) -> str:
    return str(var.label) if isinstance(var, Idx) else str(var)


def _fresh_index(var: Basic, taken: set[str], known: list[Idx]) -> Basic:
    """A document index with ``var``'s range and a name not in ``taken``, else a spare letter."""
    if isinstance(var, Idx):
        for idx in known:
            if _name_of(idx) not in taken and (idx.lower, idx.upper) == (var.lower, var.upper):
                return idx
    for name in SPARE_INDICES:
        if name not in taken:
            if isinstance(var, Idx) and var.lower is not None:
                return Idx(Symbol(name, integer=True), (var.lower, var.upper))
            return Symbol(name, integer=True)
    return var


def _rename(expr: Basic, taken: set[str], known: list[Idx]) -> Basic:
    if not expr.args:
        return expr
    if isinstance(expr, ExprWithLimits):
        outside = taken | {_name_of(s) for s in expr.free_symbols}
        body = expr.function
        limits = []
        inner = set(outside)
        for limit in expr.limits:
            var, rest = limit[0], limit[1:]
            if _is_dummy(var):
                new = _fresh_index(var, inner | {_name_of(s) for s in body.free_symbols}, known)
                body = body.xreplace({var: new})
                var = new
            inner.add(_name_of(var))
            limits.append((var, *rest))
        return expr.func(_rename(body, inner, known), *limits)
    return expr.func(*[_rename(arg, taken, known) for arg in expr.args])


def readable_remainder(remainder: Expr, derivation: Derivation) -> Expr:
    """``remainder`` with the checker's summation dummies renamed to the document's indices."""
    try:
        return _rename(remainder, set(), _document_indices(derivation))
    except Exception:  # only a nicer display: the remainder as it is still says what is left
        return remainder


def _definitions(derivation: Derivation) -> dict[Basic, Line]:
    out: dict[Basic, Line] = {}
    for line in derivation.definitions:
        name = defined_name(line.lhs_meaning)
        out[name.base if isinstance(name, Indexed) else name] = line
    return out


def _atoms(expr: Expr) -> set[Basic]:
    found: set[Basic] = set(expr.atoms(Symbol))
    found |= {entry.base for entry in expr.atoms(Indexed)}
    return found


def used_objects(line: Line, derivation: Derivation) -> set[Basic]:
    """The symbols and families the line's sides use, directly or through the definitions."""
    definitions = _definitions(derivation)
    lhs = line.lhs_meaning
    todo = list(_atoms(lhs) | _atoms(line.rhs_meaning))
    seen: set[Basic] = set()
    while todo:
        atom = todo.pop()
        if atom in seen:
            continue
        seen.add(atom)
        if atom in definitions:
            todo.extend(_atoms(definitions[atom].rhs_meaning))
        if isinstance(atom, IndexedBase) and atom.label in definitions:
            todo.extend(_atoms(definitions[atom.label].rhs_meaning))
    return seen


def used_values(result: StepResult, derivation: Derivation) -> list[tuple[Expr | None, str, str]]:
    """The counterexample's values that the line uses: (object in the notation or ``None``, name, value).

    Sizes and indices are kept when a side uses them (a size bounds the sums); a hidden index (the
    current example, never written) and values of symbols the line never reaches are left out.
    """
    example = result.counterexample
    if example is None:
        return []
    names = names_in([s for line in derivation.lines for s in (line.lhs_meaning, line.rhs_meaning)])
    used = used_objects(result.line, derivation)
    used_names = {str(a) for a in used}
    for atom in list(used):
        if isinstance(atom, Idx):
            used_names.add(str(atom.label))
            used_names |= {
                str(s) for b in (atom.lower, atom.upper) if b is not None for s in b.free_symbols
            }
    hidden = {
        str(idx.label)
        for line in derivation.lines
        for side in (line.lhs_meaning, line.rhs_meaning)
        for idx in side.atoms(HiddenIdx)
    }
    out: list[tuple[Expr | None, str, str]] = []
    for name, value in example.assignment:
        shown = named_value(name, names)
        if name in hidden:
            continue
        entry = re.fullmatch(r"(.+)\[[-\d, ]+\]", name)
        base = entry.group(1) if entry and isinstance(shown, Indexed) else name
        if used_names and base not in used_names and not _bounds_a_sum(name, derivation):
            continue
        out.append((shown, name, value))
    return out or [(named_value(n, names), n, v) for n, v in example.assignment]


def _bounds_a_sum(name: str, derivation: Derivation) -> bool:
    """Whether ``name`` is a size: the upper bound of some index of the derivation."""
    return any(
        idx.upper is not None and name in {str(s) for s in idx.upper.free_symbols}
        for idx in _document_indices(derivation)
    )


@dataclass(frozen=True)
class Inherited:
    """A refuted continuation whose line before it is refuted: the slip is there, not here."""

    previous: str
    follows: bool

    def sentence(self) -> str:
        """``follows from 1.10, which is refuted``, or the weaker hint when that is not clear."""
        if self.follows:
            return f"follows from {self.previous}, which is refuted"
        return f"the line before it, {self.previous}, is refuted"


def inherited(result: StepResult, report: Report) -> Inherited | None:
    """Whether ``result`` is a refuted continuation whose previous line is refuted too.

    ``follows`` says this line's right side is the same expression, once expanded (exact algebra,
    no sampling), as what the refuted line started from: this line would hold against the line
    before that one, and fails only through the refuted line.
    """
    line = result.line
    if line.kind is not Kind.CONTINUATION or result.verdict.value != "refuted":
        return None
    lines = list(report.derivation.lines)
    position = next(k for k, entry in enumerate(lines) if entry.label == line.label)
    if position == 0:
        return None
    before = lines[position - 1]
    previous = {r.label: r for r in report.results}.get(before.label)
    if previous is None or previous.verdict.value != "refuted":
        return None
    if before.kind is Kind.CONTINUATION and position >= 2:
        start = lines[position - 2].rhs_meaning
    else:
        start = before.lhs_meaning
    try:
        follows = expand(start - line.rhs_meaning) == 0
    except Exception:  # only a hint: without a clear answer the weaker one is given
        follows = False
    return Inherited(before.label, bool(follows))


__all__ = ["Inherited", "inherited", "readable_remainder", "used_objects", "used_values"]
