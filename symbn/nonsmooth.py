"""Derivatives of functions that are not smooth everywhere: |u|, max, min, sign, ⌊u⌋, cases.

SymPy differentiates ``|x|`` to ``sign(x)``, ``max(x, 0)`` to ``Heaviside(x)`` and a ``Piecewise``
piece by piece: expressions that have a value at the breakpoints (``sign(0) = 0``), where the
derivative does not exist. A derivative the checker takes of such an expression is therefore
kept as a :class:`KinkedDerivative`: SymPy's formula, which is the derivative wherever every
non-smooth piece is away from its breakpoint, together with the function it was taken of. The
numeric evaluation (:mod:`symbn.evaluate`) uses the formula away from the breakpoints and, at
one, decides from the one-sided branches whether the derivative exists (or leaves the point
undecided); the normal form sees an opaque term, so such a claim is never proved by the formula.
"""

from __future__ import annotations

from typing import Any

from sympy import (
    Abs,
    Basic,
    DiracDelta,
    Dummy,
    Expr,
    Heaviside,
    Indexed,
    Integer,
    KroneckerDelta,
    Max,
    Min,
    Piecewise,
    Subs,
    Symbol,
    Tuple,
    ceiling,
    floor,
    sign,
)
from sympy.core.relational import Relational

# The functions whose derivative SymPy gives a value at a breakpoint where there is none.
KINKED = (Abs, sign, Heaviside, Max, Min, floor, ceiling, KroneckerDelta, DiracDelta)


class KinkedDerivative(Expr):
    """``d^k F / d v^k`` at ``v = point``, whose formula away from F's breakpoints is ``formula``.

    Arguments: ``formula`` and ``function`` in the bound variables ``variables`` (Dummies for
    symbols, the entry itself for a family entry), ``counts`` how often each is differentiated,
    and ``points`` the values the variables take (the symbols of the claim). Binding the variables
    keeps them apart from what an assumption ``x = 0`` substitutes for the claim's ``x``.
    """

    is_commutative = True

    def __new__(
        cls, formula: Expr, function: Expr, variables: Tuple, counts: Tuple, points: Tuple
    ) -> KinkedDerivative:
        return Expr.__new__(cls, formula, function, variables, counts, points)

    @property
    def formula(self) -> Expr:
        return self.args[0]

    @property
    def function(self) -> Expr:
        return self.args[1]

    @property
    def variables(self) -> tuple[Any, ...]:
        return tuple(self.args[2])

    @property
    def counts(self) -> tuple[int, ...]:
        return tuple(int(c) for c in self.args[3])

    @property
    def points(self) -> tuple[Any, ...]:
        return tuple(self.args[4])

    @property
    def bound_variables(self) -> set[Any]:
        return {v for v, p in zip(self.variables, self.points, strict=True) if v != p}

    @property
    def free_symbols(self) -> set[Basic]:
        bound = self.bound_variables
        inner = (self.formula.free_symbols | self.function.free_symbols) - bound
        points: set[Basic] = set().union(*(p.free_symbols for p in self.points))
        return inner | points

    def at_points(self, expr: Expr) -> Expr:
        """``expr`` (the formula, the function) with the bound variables at their points."""
        mapping = {v: p for v, p in zip(self.variables, self.points, strict=True) if v != p}
        return expr.xreplace(mapping)

    def as_written(self) -> Expr:
        """The plain derivative this stands for (a ``Subs`` when a point is not its symbol)."""
        pairs = list(zip(self.variables, self.counts, strict=True))
        taken: Any = _unevaluated(self.function, pairs)
        moved = [(v, p) for v, p in zip(self.variables, self.points, strict=True) if v != p]
        if not moved:
            return taken
        if all(isinstance(p, Symbol) and p.name == v.name for v, p in moved):
            return taken.xreplace(dict(moved))
        # Shown with plain symbols of the same names (a Dummy prints as _x).
        shown = {v: Symbol(v.name, **v.assumptions0) for v, _ in moved}
        return Subs(taken.xreplace(shown), [shown[v] for v, _ in moved], [p for _, p in moved])

    def _shown(self, printer: Any, *_: Any, **__: Any) -> Any:
        """Every printer (SymPy's and symbn's renderers) shows the derivative as written."""
        return printer._print(self.as_written())

    _sympystr = _pretty = _latex = _symbn_unicode = _symbn_inline = _symbn_latex = _shown


def _unevaluated(function: Expr, pairs: list[tuple[Any, int]]) -> Expr:
    from sympy import Derivative

    return Derivative(function, *pairs, evaluate=False)


def kinks_in(function: Expr, variables: list[Any]) -> list[Basic]:
    """The non-smooth pieces of ``function`` (and conditions of its cases) that depend on a variable."""

    # A variable that a definition has replaced (∂/∂z_r, z_i := W a_i + b, put in afterwards) no
    # longer shows which pieces depend on it: every piece counts.
    replaced = any(not isinstance(v, (Symbol, Indexed)) for v in variables)

    def depends(node: Basic) -> bool:
        if replaced:
            return True
        for v in variables:
            if isinstance(v, Indexed):
                if node.has(v.base):
                    return True
            elif node.has(v):
                return True
        return False

    found: list[Basic] = []
    for node in function.atoms(*KINKED, Piecewise):
        if isinstance(node, Piecewise):
            for _, condition in node.args:
                for relation in _relations(condition):
                    if depends(relation):
                        found.append(relation)
            continue
        if depends(node):
            found.append(node)
    return found


def kink_places(derivative: KinkedDerivative) -> list[Expr]:
    """Expressions that are 0 where a piece of the derivative's function is at its breakpoint.

    Written at the claim's own values (the points); a piece inside a sum is taken at its
    summation indices' lower limits, so that a trial can aim at one term's breakpoint.
    """
    function = derivative.at_points(derivative.function)
    from sympy import Sum

    def first_term(node: Any) -> Any:
        return node.function.xreplace({var: low for var, low, _ in node.limits})

    while function.has(Sum):
        function = function.replace(lambda e: isinstance(e, Sum), first_term)
    places: list[Expr] = []
    for piece in kinks_in(function, list(derivative.points)):
        if isinstance(piece, (Max, Min)):
            args = piece.args
            places.extend(a - b for k, a in enumerate(args) for b in args[k + 1 :])
        elif isinstance(piece, Relational):
            places.append(piece.lhs - piece.rhs)
        elif isinstance(piece, KroneckerDelta):
            places.append(piece.args[0] - piece.args[1])
        else:
            places.append(piece.args[0])
    # w·x₁ = 0 also holds at x₁ = 0, where the derivative in w exists: aim at w = 0 too.
    solved: list[Expr] = []
    for place in places:
        for p in derivative.points:
            if isinstance(p, Symbol) and place.has(p) and place.count_ops() <= SOLVED_OPS:
                solved.extend(p - root for root in _roots(place, p))
    return places + solved


SOLVED_OPS = 30  # places larger than this are not solved for the variable


def _roots(place: Expr, p: Symbol) -> list[Expr]:
    """The solutions of ``place = 0`` for ``p``, where SymPy finds them as a polynomial's."""
    from sympy import Poly, roots

    try:
        poly = Poly(place, p)
        if poly.degree() < 1 or poly.degree() > 2:
            return []
        return [root for root in roots(poly) if not root.has(p) and root.is_real is not False]
    except Exception:
        return []


def _relations(condition: Any) -> list[Relational]:
    if isinstance(condition, Relational):
        return [condition]
    return [r for arg in getattr(condition, "args", ()) for r in _relations(arg)]


_BOUND_BASE = 7_100_000_000
_BOUND: dict[tuple[str, tuple[tuple[str, bool], ...]], Dummy] = {}


def _bound_variable(symbol: Symbol) -> Dummy:
    """A Dummy standing for ``symbol`` inside a derivative: the same one every time, same facts."""
    facts = tuple(sorted((k, bool(v)) for k, v in symbol.assumptions0.items()))
    key = (symbol.name, facts)
    if key not in _BOUND:
        _BOUND[key] = Dummy(
            symbol.name, dummy_index=_BOUND_BASE + len(_BOUND), **dict(symbol.assumptions0)
        )
    return _BOUND[key]


def unwrapped(expr: Expr) -> Expr:
    """``expr`` with every :class:`KinkedDerivative` replaced by its formula (to differentiate it)."""
    if not expr.has(KinkedDerivative):
        return expr
    return expr.replace(
        lambda node: isinstance(node, KinkedDerivative),
        lambda node: node.at_points(unwrapped(node.formula)),
    )


def _steps_derivative(node: Any) -> bool:
    from sympy import Derivative

    if isinstance(node, Subs):
        node = node.expr
    return isinstance(node, Derivative) and isinstance(node.expr, (floor, ceiling, KroneckerDelta))


def guarded(function: Expr, taken: Expr, variable_count: Any) -> Expr:
    """``taken`` (the derivative of ``function``), kept as a :class:`KinkedDerivative` when
    ``function`` has a non-smooth piece in one of the variables; else ``taken`` itself."""
    pairs = [(v, c) for v, c in variable_count]
    variables = [v for v, _ in pairs]
    if not kinks_in(function, variables) and not function.has(KinkedDerivative):
        return taken
    if any(not isinstance(v, (Symbol, Indexed)) for v in variables):
        return taken
    bound: list[Any] = []
    mapping: dict[Any, Any] = {}
    for v in variables:
        if isinstance(v, Symbol):
            dummy = _bound_variable(v)
            mapping[v] = dummy
            bound.append(dummy)
        else:
            bound.append(v)
    # One entry per variable (∂²/∂x² is x twice, counted once with count 2).
    merged: dict[Any, Any] = {}
    points: dict[Any, Any] = {}
    for v, c in pairs:
        key = mapping.get(v, v)
        merged[key] = merged.get(key, 0) + c
        points[key] = v
    # SymPy leaves d⌊u⌋/dx (and dδ(u, v)/dx) unevaluated; the formula is only used away from
    # the breakpoints, where they are locally constant.
    taken = taken.replace(_steps_derivative, lambda _: Integer(0))
    return KinkedDerivative(
        taken.xreplace(mapping),
        function.xreplace(mapping),
        Tuple(*merged),
        Tuple(*merged.values()),
        Tuple(*points.values()),
    )


__all__ = ["KINKED", "KinkedDerivative", "guarded", "kink_places", "kinks_in", "unwrapped"]
