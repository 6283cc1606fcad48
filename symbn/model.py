"""The model of a derivation: an ordered sequence of immutable lines, built with a small public API.

A line is a definition (``μ = (1/m) Σ z^{(i)}``), a claim (``lhs = rhs`` or ``lhs ≠ rhs``), or a
continuation (``= rhs``, whose left side is the previous line's right side). Each line keeps the
form *as written* for display; :attr:`Line.lhs_meaning` and :attr:`Line.rhs_meaning` are the
mathematics the checker sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, overload

from sympy import Basic, Expr, Idx, Indexed, S, Symbol
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational

from symbn.errors import DerivationError
from symbn.notation import as_expr, meaning
from symbn.render.protocols import Displayed
from symbn.validate import RERUN, Names, PendingNames, check_definition, names_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from symbn.cache import Cache
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


def recursion_step(lhs: Indexed) -> tuple[int, Expr, int] | None:
    """Where ``lhs`` of a recursion is shifted: (position, index ``n``, shift ``c``) for ``Q[n + c]``.

    Exactly one index is ``n + c`` (``n`` an integer symbol or index, ``c`` a non-zero integer);
    the others are plain and distinct. None for any other left side (a plain definition's).
    """
    found = None
    plain = []
    for k, index in enumerate(lhs.indices):
        if isinstance(index, (Symbol, Idx)) and index.is_integer:
            plain.append(index)
            continue
        shift, rest = index.as_coeff_Add()
        if found is not None or not (shift.is_Integer and shift != 0):
            return None
        if not (isinstance(rest, (Symbol, Idx)) and rest.is_integer):
            return None
        found = (k, rest, int(shift))
        plain.append(rest)
    if found is None or len(set(plain)) != len(plain):
        return None
    return found


def _why(why: Any, label: str) -> str:
    if not isinstance(why, str):
        raise DerivationError(f"{label}: why= takes the justification as text; got {why!r}")
    return why


class Lines(Sequence[Line]):
    """The first ``count`` lines of an append-only list: an immutable view that costs nothing to take.

    A derivation only ever appends, so a view taken now keeps showing the same lines however many
    are added later; taking one after every line (as a reader does) stays linear in the lines.
    """

    __slots__ = ("_count", "_items")

    def __init__(self, items: list[Line], count: int) -> None:
        self._items = items
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Line, ...]: ...

    def __getitem__(self, index: int | slice) -> Line | tuple[Line, ...]:
        if isinstance(index, slice):
            return tuple(self._items[: self._count][index])
        if not -self._count <= index < self._count:
            raise IndexError("line index out of range")
        return self._items[index % self._count]

    def __iter__(self) -> Iterator[Line]:
        items = self._items
        for k in range(self._count):
            yield items[k]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Lines, tuple, list)):
            return len(other) == self._count and all(
                a == b for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Lines({tuple(self)!r})"



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
        # Append-only, with indexes kept as lines are added, so that adding a line costs the same
        # however many came before it (a 20,000-equation document is read in linear time).
        self._lines: list[Line] = []
        self._definitions: list[Line] = []
        self._labels: dict[str, Line] = {}
        self._defined: dict[Basic, Line] = {}
        self._first_use: dict[Basic, str] = {}
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
        return f"<Derivation {self.name!r}: {len(self._lines)} lines>"

    def __copy__(self) -> Derivation:
        """A copy that can be extended without changing this derivation (its lines are shared)."""
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._lines = list(self._lines)
        twin._definitions = list(self._definitions)
        twin._labels = dict(self._labels)
        twin._defined = dict(self._defined)
        twin._first_use = dict(self._first_use)
        twin._names = self._names.copy()
        return twin

    @property
    def lines(self) -> Lines:
        """Every line, in order (an immutable view)."""
        return Lines(self._lines, len(self._lines))

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
        names = self._names.pending().extend(label, (left, right))
        check_definition(label, left, right, self._defined, self._first_use)
        return self._add(Line(Kind.DEFINITION, label, left, right, why), names)

    def recursion(
        self, lhs: Any, rhs: Any, *, label: str | int | None = None, why: str = ""
    ) -> Derivation:
        """Define the next term of a sequence, ``Q[n + 1]`` as ``rhs`` (which may use ``Q[n]``).

        The checker puts ``rhs`` in for exactly ``Q[n + 1]`` (the same ``n``) and leaves every other
        term unknown: a claim that needs another term is decided only when it holds, or fails,
        whatever those terms are (symbn does not solve recursions or prove by induction).
        """
        label = self._new_label(label)
        why = _why(why, label)
        left = as_expr(lhs, f"the left side of {label}")
        right = as_expr(rhs, f"the right side of {label}")
        if not isinstance(left, Indexed) or recursion_step(left) is None:
            raise DerivationError(
                f"{label}: a recursion defines the next term of a family, as Q[n + 1] with n an "
                f"integer index; got {left}"
            )
        if right.has(left):
            raise DerivationError(f"{label}: the recursion for {left} refers to {left} itself")
        names = self._names.pending().extend(label, (left, right))
        used_at = self._first_use.get(left.base)
        if used_at is not None:
            raise DerivationError(
                f"{label}: {left.base} is used at {used_at} before this recursion; define it first"
            )
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
        if not self._lines:
            label = self._new_label(label)
            raise DerivationError(
                f"{label}: then() continues the previous line, but there is none yet; "
                "start with d.step(lhs, rhs) or d.define(name, value)"
            )
        return self._claim(Kind.CONTINUATION, self._lines[-1].rhs, rhs, label, why, Relation.EQUAL)

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
        names = self._names.pending()
        for relation in relations:
            names.extend("an assumption", (relation.lhs, relation.rhs))
        if self._lines:
            for relation in relations:
                about = names_in(relation.lhs) | names_in(relation.rhs)
                if about and not any(name in self._first_use for name in about):
                    raise DerivationError(
                        f"assume({relation}): no line uses {', '.join(sorted(map(str, about)))}; "
                        "an assumption binds only the objects the lines are built from "
                        "(a new Symbol with the same name is a different variable)"
                    )
        self.assumptions = self.assumptions + tuple(relations)
        names.commit()
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
        names = self._names.pending().extend(label, (left, right))
        return self._add(Line(kind, label, left, right, why, relation), names)

    def _new_label(self, label: str | int | None) -> str:
        """``label`` checked (an int becomes its digits), or the next free number when it is None."""
        taken = self._labels
        if label is None:
            number = len(self._lines) + 1
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
            where = taken[label]
            raise DerivationError(
                f"{label}: the label {label} is used twice (first by the {where.kind.value} "
                f"{where.lhs} = {where.rhs}){RERUN}"
            )
        return label

    def _add(self, line: Line, names: PendingNames) -> Derivation:
        """Append ``line`` (every check has passed) and commit its names and indexes."""
        names.commit()
        self._lines.append(line)
        self._labels[line.label] = line
        if line.kind is Kind.DEFINITION:
            self._definitions.append(line)
            self._defined[defined_name(line.lhs)] = line
        for name in names_in(line.lhs) | names_in(line.rhs):
            self._first_use.setdefault(name, line.label)
        return self

    # Reading ------------------------------------------------------------------------------

    def line(self, label: str) -> Line:
        """The line with this label."""
        if label in self._labels:
            return self._labels[label]
        raise DerivationError(f"no line is labelled {label}")

    @property
    def definitions(self) -> Lines:
        """The definition lines, in order (an immutable view)."""
        return Lines(self._definitions, len(self._definitions))

    @property
    def defined(self) -> Mapping[Basic, Line]:
        """Each name defined so far (a symbol, a family, a function) with its definition line.

        A read-only view that follows the derivation as it grows.
        """
        return MappingProxyType(self._defined)

    def check(
        self,
        *,
        timeout: float | None = 5.0,
        seed: int = 0,
        progress: bool | Callable[[Line], None] | None = None,
        cache: Cache | None = None,
    ) -> Report:
        """Check every line; returns a :class:`~symbn.check.Report` (pure: the derivation is unchanged).

        ``progress=True`` draws a progress bar in a terminal (nothing in a notebook or a pipe);
        a function is called with each line before it is checked. With a ``cache``
        (:func:`symbn.cache.default_cache`), unchanged claims take their stored verdicts.
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
            return check(self, timeout=timeout, seed=seed, progress=callback, cache=cache)
