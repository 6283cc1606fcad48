"""Misuse of the builder API, caught at the call that caused it with a message naming the label.

The checker would otherwise meet these mistakes much later, as a puzzling verdict: two different
symbols that print the same (``sympy.Symbol("c")`` and the real ``symbn.symbols("c")``), a family
used without its index, a definition that depends on itself or on a name defined only later, an
indexed definition whose right side has an index its left side lacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sympy import Basic, Dummy, Expr, Idx, Indexed, IndexedBase, Symbol
from sympy.concrete.expr_with_limits import ExprWithLimits

from symbn.errors import DerivationError
from symbn.notation import HiddenIdx

if TYPE_CHECKING:
    from symbn.model import Line

RERUN = (
    "; in a notebook, re-running a cell adds its lines again: "
    "re-run from the cell that creates the derivation"
)


def _uses(expr: Any) -> Iterator[tuple[Basic, int | None]]:
    """Every named object in ``expr``: symbols, indices, and families with their index count (None: bare).

    Each distinct subtree is visited once, so an expression that shares subtrees (a tower of
    ``x = y*y; y = z*z …``) costs its number of distinct nodes, not of paths.
    """
    seen: set[Any] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, Indexed):
            yield node.base, len(node.indices)
            stack.extend(node.indices)
        elif isinstance(node, IndexedBase):
            yield node, None
        elif isinstance(node, Dummy):
            continue
        elif isinstance(node, Symbol):
            yield node, 0
        elif isinstance(node, Idx):
            yield node, 0
            stack.extend(node.args[1:])
        else:
            stack.extend(getattr(node, "args", ()))


def _key(obj: Basic) -> str:
    return str(obj.label) if isinstance(obj, (IndexedBase, Idx)) else str(obj)


def _same(first: Basic, second: Basic) -> bool:
    """Whether two objects with the same name are one thing (indices of one name are: shown or hidden,
    their range is the sum's business)."""
    if isinstance(first, Idx) and isinstance(second, Idx):
        return bool(first.label == second.label)
    return bool(first == second)


def _describe(obj: Basic) -> str:
    if isinstance(obj, Idx):
        return f"an index running from {obj.lower} to {obj.upper}"
    if isinstance(obj, IndexedBase):
        real = "real " if obj.label.is_real else ""
        return f"a {real}family ({type(obj).__name__})"
    facts = [k for k in ("positive", "integer", "real") if obj.assumptions0.get(k)]
    return f"a {' '.join(facts)} symbol" if facts else "a symbol with no assumptions"


class Names:
    """Every name a derivation uses so far, with the line that first used it, and each family's index count.

    Names are added through a :class:`PendingNames` that is committed only once every check of a
    line has passed, so a call that fails leaves nothing half-added; a copy of a derivation
    (``symbn.load``) gets its own :meth:`copy`. Adding a line costs its own names, not all names.
    """

    def __init__(self) -> None:
        self.objects: dict[str, tuple[Basic, str]] = {}
        self.arity: dict[str, tuple[int, str]] = {}

    def copy(self) -> Names:
        """An independent copy."""
        twin = Names()
        twin.objects, twin.arity = dict(self.objects), dict(self.arity)
        return twin

    def pending(self) -> PendingNames:
        """A set of additions to these names, checked as they are made, committed by the caller."""
        return PendingNames(self)


class PendingNames:
    """Names about to be added to a :class:`Names`: checked against it and each other, then committed."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.objects: dict[str, tuple[Basic, str]] = {}
        self.arity: dict[str, tuple[int, str]] = {}

    def _object(self, key: str) -> tuple[Basic, str] | None:
        return self.objects.get(key) or self.names.objects.get(key)

    def _arity(self, key: str) -> tuple[int, str] | None:
        return self.arity.get(key) or self.names.arity.get(key)

    def extend(self, label: str, exprs: Iterable[Expr]) -> PendingNames:
        """Add the names of ``exprs`` (the sides of line ``label``), or raise a DerivationError."""
        for expr in exprs:
            for obj, count in _uses(expr):
                key = _key(obj)
                known = self._object(key)
                if known is not None and not _same(known[0], obj):
                    first, where = known
                    raise DerivationError(
                        f"{label}: two different things are both named {key}: {_describe(first)} "
                        f"(used at {where}) and {_describe(obj)} here; they would be checked as "
                        "different variables. Make each name once (with symbn.symbols, "
                        "symbn.examples, symbn.index …) and reuse it"
                    )
                if known is None:
                    self.objects[key] = (obj, label)
                if not isinstance(obj, IndexedBase):
                    continue
                if count is None:
                    raise DerivationError(
                        f"{label}: {key} is a family of values, one per index; write it with its "
                        f"index, as {key}[i]"
                    )
                arity = self._arity(key)
                if arity is not None and arity[0] != count:
                    known_count, where = arity
                    raise DerivationError(
                        f"{label}: {key} has {count} index(es) here but {known_count} at {where}"
                    )
                if arity is None:
                    self.arity[key] = (count, label)
        return self

    def commit(self) -> None:
        """Add these names to the :class:`Names` they were checked against."""
        self.names.objects.update(self.objects)
        self.names.arity.update(self.arity)


def names_in(expr: Expr) -> set[Basic]:
    """The symbols and families ``expr`` mentions (a family once, whatever its index)."""
    return {obj for obj, _ in _uses(expr) if not isinstance(obj, Idx)}


def free_indices(expr: Any) -> set[Idx]:
    """The indices of ``expr`` not bound by a sum or mean inside it."""
    if isinstance(expr, Idx):
        return {expr}
    if isinstance(expr, ExprWithLimits):
        bound = {limit[0] for limit in expr.limits}
        found = free_indices(expr.function) - bound
        for limit in expr.limits:
            for end in limit[1:]:
                found |= free_indices(end)
        return found
    found = set()
    for arg in getattr(expr, "args", ()):
        found |= free_indices(arg)
    return found


def check_definition(
    label: str,
    left: Expr,
    right: Expr,
    defined: Mapping[Basic, Line],
    first_use: Mapping[Basic, str],
) -> None:
    """Raise a DerivationError if defining ``left`` as ``right`` is a misuse.

    ``defined`` maps each name defined before to its line, ``first_use`` each name the lines
    before use to the label of the first that does: the check costs the size of this definition
    (and of the path back, only when there is one), never a scan of the earlier lines.
    """
    from symbn.model import defined_name

    name = defined_name(left)
    if name in names_in(right):
        raise DerivationError(f"{label}: the definition of {name} refers to {name} itself")
    if name in defined:
        raise DerivationError(f"{label}: {name} is already defined at {defined[name].label}{RERUN}")
    if name in first_use:
        # Only an earlier line can lead back here, and then the name was used before.
        path = _path_back(name, right, defined)
        if path:
            through = ", ".join(f"{defined_name(line.lhs)} ({line.label})" for line in path)
            raise DerivationError(
                f"{label}: the definition of {name} refers to {name} itself, through {through}"
            )
        raise DerivationError(
            f"{label}: {name} is used at {first_use[name]} before this definition; define it first"
        )
    own = set(left.indices) if isinstance(left, Indexed) else set()
    stray = sorted((i for i in free_indices(right) - own if not isinstance(i, HiddenIdx)), key=str)
    if stray:
        shown = ", ".join(map(str, stray))
        raise DerivationError(
            f"{label}: the definition of {left} depends on the index {shown}, which its left side "
            f"does not have; sum or average over it, put it on the left side (as {name}[{shown}]), "
            "or make it an implicit index with symbn.index(..., shown=False)"
        )


def _path_back(name: Basic, right: Expr, definitions: Mapping[Basic, Line]) -> list[Line]:
    """The chain of earlier definitions through which ``right`` leads back to ``name`` (empty if none)."""
    stack: list[tuple[Basic, list[Line]]] = [
        (used, []) for used in names_in(right) if used in definitions
    ]
    seen: set[Basic] = set()
    while stack:
        used, path = stack.pop()
        if used in seen:
            continue
        seen.add(used)
        line = definitions[used]
        onward = names_in(line.rhs)
        if name in onward:
            return [*path, line]
        stack.extend((n, [*path, line]) for n in onward if n in definitions)
    return []
