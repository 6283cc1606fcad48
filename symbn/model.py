"""The model of a derivation: an ordered sequence of immutable lines, built with a small public API.

A line is a definition (``μ = (1/m) Σ z^{(i)}``), a claim (``lhs = rhs`` or ``lhs ≠ rhs``), or a
continuation (``= rhs``, whose left side is the previous line's right side). Each line keeps the
form *as written* for display; :attr:`Line.lhs_meaning` and :attr:`Line.rhs_meaning` are the
mathematics the checker sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from sympy import Expr, Idx, Indexed, S, Symbol
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational

from symbn.errors import DerivationError
from symbn.notation import as_expr, meaning
from symbn.render.protocols import Displayed
from symbn.validate import RERUN, Names, check_definition, names_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from symbn.check import Report


class Kind(str, Enum):
    """What a line does in a derivation."""

    DEFINITION = "definition"
    CLAIM = "claim"
    CONTINUATION = "continuation"


class Relation(str, Enum):
    """The relation a line claims between its sides."""

    EQUAL = "="
    DIFFERENT = "≠"


@dataclass(frozen=True)
class Line:
    """One numbered line of a derivation, with its two faces: as written, and as meant."""

    kind: Kind
    label: str
    lhs: Expr
    rhs: Expr
    why: str = ""
    relation: Relation = Relation.EQUAL

    @property
    def lhs_meaning(self) -> Expr:
        """The left side as mathematics (display marks removed)."""
        return meaning(self.lhs)

    @property
    def rhs_meaning(self) -> Expr:
        """The right side as mathematics (display marks removed)."""
        return meaning(self.rhs)

    @property
    def is_claim(self) -> bool:
        """Whether the checker must decide this line (everything but a definition)."""
        return self.kind is not Kind.DEFINITION


def defined_name(lhs: Expr) -> Expr:
    """What a definition's left side names: the symbol itself, or the family of an indexed left side."""
    return lhs.base if isinstance(lhs, Indexed) else lhs


def _why(why: Any, label: str) -> str:
    if not isinstance(why, str):
        raise DerivationError(f"{label}: why= takes the justification as text; got {why!r}")
    return why


class Derivation(Displayed):
    """A derivation in document order: definitions, claims and ``= …`` continuations, each numbered.

    Build it line by line with :meth:`define`, :meth:`step`, :meth:`then` and :meth:`differs`;
    each call returns the derivation, so calls can be chained. Lines are immutable once added.
    """

    def __init__(self, title: str, *, name: str | None = None, conclusion: str = "") -> None:
        if not isinstance(title, str) or not title.strip():
            raise DerivationError(f"a derivation needs a title (a non-empty string); got {title!r}")
        self.title = title
        self.name = name or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        self.conclusion = conclusion
        self.lines: tuple[Line, ...] = ()
        self.assumptions: tuple[Relational, ...] = ()
        self.notes: tuple[str, ...] = ()
        # What a reader could not read of the document this derivation came from: while there
        # is any, not every claim of the document was checked, and the report says so.
        self.not_read: tuple[str, ...] = ()
        self._names = Names()

    # IPython's pretty printer stops at the first class in the MRO that defines __repr__, so the
    # mixin's _repr_pretty_ must be named here, beside this class's own __repr__.
    _repr_pretty_ = Displayed._repr_pretty_

    def __repr__(self) -> str:
        return f"<Derivation {self.name!r}: {len(self.lines)} lines>"

    # Building -----------------------------------------------------------------------------

    def define(
        self, lhs: Any, rhs: Any, *, label: str | int | None = None, why: str = ""
    ) -> Derivation:
        """Define ``lhs`` as ``rhs`` for later steps; an indexed ``lhs`` (``z[i]``) defines it for every index."""
        label = self._new_label(label)
        why = _why(why, label)
        left = as_expr(lhs, f"the left side of {label}")
        right = as_expr(rhs, f"the right side of {label}")
        if isinstance(left, Indexed):
            if not all(isinstance(i, (Idx, Symbol)) for i in left.indices) or len(
                set(left.indices)
            ) != len(left.indices):
                raise DerivationError(
                    f"{label}: an indexed definition needs distinct plain indices on its left side, "
                    f"as in z[i]; got {left}"
                )
        elif isinstance(left, AppliedUndef):
            # f(x) = …: the function f for every argument (the checker substitutes f(a) by …[x:=a])
            if not all(isinstance(a, Symbol) and not isinstance(a, Idx) for a in left.args) or len(
                set(left.args)
            ) != len(left.args):
                raise DerivationError(
                    f"{label}: a function's definition needs distinct plain names as its arguments, "
                    f"as in f(x); got {left}"
                )
        elif not isinstance(left, Symbol):
            raise DerivationError(
                f"{label}: a definition's left side must be a symbol or an indexed family such as z[i]; got {left}"
            )
        names = self._names.extend(label, (left, right))
        check_definition(label, left, right, self.lines)
        return self._add(Line(Kind.DEFINITION, label, left, right, why), names)

    def step(
        self, lhs: Any, rhs: Any, *, label: str | int | None = None, why: str = ""
    ) -> Derivation:
        """Claim that ``lhs`` equals ``rhs``."""
        return self._claim(Kind.CLAIM, lhs, rhs, label, why, Relation.EQUAL)

    def differs(
        self, lhs: Any, rhs: Any, *, label: str | int | None = None, why: str = ""
    ) -> Derivation:
        """Claim that ``lhs`` and ``rhs`` differ (``≠``): it holds when symbn finds values where they do."""
        return self._claim(Kind.CLAIM, lhs, rhs, label, why, Relation.DIFFERENT)

    def then(self, rhs: Any, *, label: str | int | None = None, why: str = "") -> Derivation:
        """Claim that the previous line's right side equals ``rhs`` (a ``= …`` line)."""
        if not self.lines:
            label = self._new_label(label)
            raise DerivationError(
                f"{label}: then() continues the previous line, but there is none yet; "
                "start with d.step(lhs, rhs) or d.define(name, value)"
            )
        return self._claim(Kind.CONTINUATION, self.lines[-1].rhs, rhs, label, why, Relation.EQUAL)

    def assume(self, *relations: Any) -> Derivation:
        """State assumptions such as ``alpha > 0`` or ``Eq(epsilon, 0)``, used by both checking layers."""
        relations = tuple(r for r in relations if r is not S.true)  # already implied, as m >= 1
        for relation in relations:
            if relation is S.false:
                raise DerivationError(
                    "assume(): this contradicts what the symbols already say: SymPy finds it false "
                    "for every value (symbols are real unless made complex, a size is a positive "
                    "integer)"
                )
            if not isinstance(relation, Relational):
                raise DerivationError(
                    f"assume() takes relations such as alpha > 0 or Eq(epsilon, 0); got {relation!r}"
                )
        names = self._names
        for relation in relations:
            names = names.extend("an assumption", (relation.lhs, relation.rhs))
        if self.lines:
            used = set().union(*(names_in(line.lhs) | names_in(line.rhs) for line in self.lines))
            for relation in relations:
                about = names_in(relation.lhs) | names_in(relation.rhs)
                if about and not about & used:
                    raise DerivationError(
                        f"assume({relation}): no line uses {', '.join(sorted(map(str, about)))}; "
                        "an assumption binds only the objects the lines are built from "
                        "(a new Symbol with the same name is a different variable)"
                    )
        self.assumptions = self.assumptions + tuple(relations)
        self._names = names
        return self

    def conclude(self, statement: str) -> Derivation:
        """State what the derivation establishes, shown after its last line."""
        self.conclusion = statement
        return self

    def note(self, text: str) -> Derivation:
        """Add a remark shown with the conclusion (such as "1.12 can replace z − μ in 1.6")."""
        self.notes = (*self.notes, text)
        return self

    def _claim(
        self,
        kind: Kind,
        lhs: Any,
        rhs: Any,
        label: str | int | None,
        why: str,
        relation: Relation,
    ) -> Derivation:
        label = self._new_label(label)
        why = _why(why, label)
        left = as_expr(lhs, f"the left side of {label}")
        right = as_expr(rhs, f"the right side of {label}")
        names = self._names.extend(label, (left, right))
        return self._add(Line(kind, label, left, right, why, relation), names)

    def _new_label(self, label: str | int | None) -> str:
        """``label`` checked (an int becomes its digits), or the next free number when it is None."""
        taken = {line.label for line in self.lines}
        if label is None:
            number = len(self.lines) + 1
            while str(number) in taken:
                number += 1
            return str(number)
        if isinstance(label, int) and not isinstance(label, bool):
            label = str(label)
        if isinstance(label, float):
            raise DerivationError(
                f"a label must be a string such as '1.10' (a number loses digits: 1.10 is 1.1); got {label!r}"
            )
        if not isinstance(label, str) or not label.strip():
            raise DerivationError(f"a label must be a non-empty string; got {label!r}")
        if label in taken:
            where = next(line for line in self.lines if line.label == label)
            raise DerivationError(
                f"{label}: the label {label} is used twice (first by the {where.kind.value} "
                f"{where.lhs} = {where.rhs}){RERUN}"
            )
        return label

    def _add(self, line: Line, names: Names) -> Derivation:
        self.lines = (*self.lines, line)
        self._names = names
        return self

    # Reading ------------------------------------------------------------------------------

    def line(self, label: str) -> Line:
        """The line with this label."""
        for line in self.lines:
            if line.label == label:
                return line
        raise DerivationError(f"no line is labelled {label}")

    @property
    def definitions(self) -> tuple[Line, ...]:
        """The definition lines, in order."""
        return tuple(line for line in self.lines if line.kind is Kind.DEFINITION)

    def check(
        self,
        *,
        timeout: float | None = 5.0,
        seed: int = 0,
        progress: bool | Callable[[Line], None] | None = None,
    ) -> Report:
        """Check every line; returns a :class:`~symbn.check.Report` (pure: the derivation is unchanged).

        ``progress=True`` draws a progress bar in a terminal (nothing in a notebook or a pipe);
        a function is called with each line before it is checked.
        """
        from symbn.check import check
        from symbn.progress import reporting

        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 < timeout <= 86_400  # also refuses nan; the same bound as symbn.budget's
        ):
            raise DerivationError(
                f"timeout= takes seconds (a positive number up to 86400, one day) or None; "
                f"got {timeout!r}"
            )
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise DerivationError(f"seed= takes an integer; got {seed!r}")

        with reporting(progress, self.lines) as callback:
            return check(self, timeout=timeout, seed=seed, progress=callback)
