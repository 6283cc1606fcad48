"""Backward passes as written: ``\\frac{\\partial L}{\\partial v}`` of a loss ``L`` never defined.

Such an ``L`` is read as an unknown function of the document's *output* ``y`` (the quantity the
forward pass ends in: the one defined quantity no other definition uses, or the ones declared
``outputs = ["y"]``). Then ``∂L/∂y_i`` is an unknown ``g_i``, and every other ``∂L/∂v`` is the
chain rule through the definitions, ``∂/∂v Σ_j g_j y_j``, which the checker differentiates with
``v`` held as a variable and the definitions of everything else put in: the partial derivatives
of a computation graph, as Ioffe & Szegedy write their backward pass. Only first derivatives are
read this way (``g`` is not differentiated again); anything that would need a guess is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sympy import Add, Derivative, Dummy, Expr, Idx, Indexed, IndexedBase, Mul, Sum, Symbol
from sympy.core.function import AppliedUndef

from symbn.model import Derivation, defined_name
from symbn.notation import LossGradient, meaning
from symbn.parse.latex import MathError


@dataclass(frozen=True)
class Output:
    """One quantity an undefined loss is a function of, and the unknowns ``∂L/∂y`` standing for it."""

    lhs: Expr  # the definition's left side: y, or y[i]
    gradient: Expr  # ∂L/∂y at fresh indices: a symbol, or an entry of a family
    entry: Expr  # y at the same fresh indices
    limits: tuple[tuple[Expr, Expr, Expr], ...]


@dataclass(frozen=True)
class Loss:
    """An undefined loss, the outputs it is a function of, and the line that first differentiated it."""

    symbol: Symbol
    outputs: tuple[Output, ...]
    reach: frozenset[Any]  # the names the outputs depend on, the outputs included
    label: str
    inferred: bool

    def describe(self) -> str:
        """What the reader took the loss to be, said once (shown with the derivation's notes)."""
        shown = ", ".join(f"${_tex(out.lhs)}$" for out in self.outputs)
        how = "the quantity the definitions end in" if self.inferred else "as declared"
        return (
            f"({self.label}) ${_tex(self.symbol)}$ is not defined: it is read as an unknown "
            f"function of {shown} ({how}), so $\\partial {_tex(self.symbol)}/\\partial$ of "
            "anything else is the chain rule through the definitions"
        )

    def meaning(self, variable: Expr) -> Expr:
        """``∂L/∂variable`` by the chain rule through the outputs: ``∂/∂v Σ_j g_j y_j``."""
        terms = []
        for out in self.outputs:
            term = Mul(out.gradient, out.entry)
            terms.append(Sum(term, *out.limits) if out.limits else term)
        return Derivative(Add(*terms), variable)


@dataclass
class Backward:
    """The undefined losses of one document, each read the same way in every row."""

    declared: frozenset[str] = frozenset()
    losses: dict[Symbol, Loss] = field(default_factory=dict)
    written: dict[Symbol, set[Any]] = field(default_factory=dict)  # ∂L/∂v anywhere: L → v's names

    def survey(self, expr: Expr) -> None:
        """Remember the derivatives ``expr`` writes of plain names (before any row is added)."""
        for node in expr.atoms(Derivative):
            if _could_be_loss(node.expr):
                for variable, _ in node.variable_count:
                    name = variable.base if isinstance(variable, Indexed) else variable
                    self.written.setdefault(node.expr, set()).add(name)

    def read(self, derivation: Derivation, expr: Expr, used: set[Any], label: str) -> Expr:
        """``expr`` with each derivative of an undefined loss read as a :class:`LossGradient`."""
        derivatives = expr.atoms(Derivative)
        if not derivatives:
            return expr  # most rows: nothing to read
        defined = derivation.defined  # a loss is a plain symbol: its key is itself (no rescan)
        found: dict[Derivative, LossGradient] = {}
        for node in derivatives:
            loss = node.expr
            if not _could_be_loss(loss) or loss in defined:
                continue
            if loss in used and loss not in self.losses:
                continue  # a value used before: the derivative is refused as before
            variable = node.variable_count[0][0]
            if len(node.variable_count) != 1 or node.variable_count[0][1] != 1:
                raise MathError(
                    0,
                    f"{_tex(node)}: symbn reads only first derivatives of {_tex(loss)}, which the "
                    f"document does not define; define {_tex(loss)} to take higher ones",
                )
            if loss in variable.free_symbols:
                continue
            known = self.losses.get(loss) or self.choose(derivation, loss, variable, label)
            name = variable.base if isinstance(variable, Indexed) else variable
            if name not in known.reach:
                shown = ", ".join(_tex(out.lhs) for out in known.outputs)
                raise MathError(
                    0,
                    f"{_tex(node)}: {_tex(loss)} is read as an unknown function of {shown} (from "
                    f"({known.label})), which does not depend on {_tex(variable)}; define "
                    f'{_tex(loss)}, or declare what it is a function of (outputs = ["…"])',
                )
            if loss not in self.losses:
                self.losses[loss] = known
                derivation.note(known.describe())
            found[node] = LossGradient(node, known.meaning(variable))
        if not found:
            return expr
        result = expr.xreplace(found)
        for node in result.atoms(Derivative):
            if node.has(LossGradient):
                raise MathError(
                    0,
                    f"{_tex(node)}: a derivative of the derivative of an undefined loss; symbn "
                    "reads only first derivatives of a loss the document does not define",
                )
        return result

    def refuse_value_use(self, sides: list[Expr | None], label: str) -> None:
        """A loss read as undefined may not be used (or defined) as a value later: one reading per name."""
        if not self.losses:
            return
        for side in sides:
            if side is None:
                continue
            names = meaning(side).free_symbols
            for loss, known in self.losses.items():
                if loss in names:
                    raise MathError(
                        0,
                        f"({label}) uses {_tex(loss)} as a value, but ({known.label}) reads it as "
                        f"an undefined loss (∂{_tex(loss)}/∂… by the chain rule): define "
                        f"{_tex(loss)} before its first derivative, or give one of them another name",
                    )

    def choose(self, derivation: Derivation, loss: Symbol, variable: Expr, label: str) -> Loss:
        """What ``loss`` is a function of: the declared outputs, else the one quantity the forward
        pass ends in; a located refusal when that is not clear."""
        lines = [line for line in derivation.definitions if not isinstance(line.lhs, AppliedUndef)]
        by_name = {_key(line.lhs): line for line in lines}
        node = f"\\frac{{\\partial {_tex(loss)}}}{{\\partial {_tex(variable)}}}"
        if self.declared:
            missing = sorted(n for n in self.declared if n not in {str(k) for k in by_name})
            if missing:
                raise MathError(
                    0,
                    f"{node}: the declared output {missing[0]} is not defined before this line; "
                    "define it first",
                )
            chosen = [line for key, line in by_name.items() if str(key) in self.declared]
            inferred = False
        else:
            feeding: set[Any] = set()
            for line in lines:
                feeding |= _names(line.rhs_meaning)
            chosen = [line for key, line in by_name.items() if key not in feeding]
            inferred = True
            if not chosen:
                raise MathError(
                    0,
                    f"{node}: {_tex(loss)} is not defined, and no quantity is defined before this "
                    f"line; define {_tex(loss)}, or write the forward pass (y = …) before its "
                    "derivatives",
                )
            if len(chosen) > 1:
                shown = ", ".join(_tex(line.lhs) for line in chosen)
                names = ", ".join(f'"{_toml(str(_key(line.lhs)))}"' for line in chosen)
                raise MathError(
                    0,
                    f"{node}: {_tex(loss)} is not defined; symbn reads it as an unknown function "
                    f"of the quantity the definitions end in, but they end in several ({shown}): "
                    f"declare which, as outputs = [{names.split(', ')[0]}] (one of {names})",
                )
            (last,) = chosen
            if _key(last.lhs) not in self.written.get(loss, set()):
                # the author's upstream gradient is some other ∂L/∂…: L(last) would be a guess
                raise MathError(
                    0,
                    f"{node}: {_tex(loss)} is not defined; symbn would read it as an unknown "
                    f"function of {_tex(last.lhs)}, the quantity the definitions end in, but the "
                    f"document never writes the derivative of {_tex(loss)} by it; declare what "
                    f'{_tex(loss)} is a function of, as outputs = ["y"]',
                )
        reach: set[Any] = set()
        todo = [_key(line.lhs) for line in chosen]
        while todo:
            name = todo.pop()
            if name in reach:
                continue
            reach.add(name)
            if name in by_name:
                todo += list(_names(by_name[name].rhs_meaning))
        outputs = tuple(_output(loss, line.lhs, node) for line in chosen)
        return Loss(loss, outputs, frozenset(reach), label, inferred)

    def outputs(self) -> frozenset[str]:
        """The outputs the document's losses were found to be functions of (for the inferred notation)."""
        return frozenset(
            str(_key(out.lhs))
            for loss in self.losses.values()
            if loss.inferred
            for out in loss.outputs
        )


def _output(loss: Symbol, lhs: Expr, node: str) -> Output:
    """The unknowns ``∂loss/∂y`` for the output defined by ``lhs``, at fresh indices of its ranges."""
    name = f"d{loss.name}/d{_key(lhs)}"
    if not isinstance(lhs, Indexed):
        return Output(lhs, Symbol(name, real=True), lhs, ())
    fresh = []
    limits = []
    for index in lhs.indices:
        if not isinstance(index, Idx) or index.lower is None or index.upper is None:
            raise MathError(
                0,
                f"{node}: {_tex(loss)} is read as a function of every {_tex(lhs)}, but the index "
                f"{index} has no range; write a sum over it with its bounds (\\sum_{{{index}=1}}^{{m}})",
            )
        new = Idx(Dummy(str(index.label), integer=True), (index.lower, index.upper))
        fresh.append(new)
        limits.append((new, index.lower, index.upper))
    family = type(lhs.base)(name, real=True)
    assert isinstance(family, IndexedBase)
    return Output(lhs, family[tuple(fresh)], lhs.base[tuple(fresh)], tuple(limits))


def _could_be_loss(expr: Expr) -> bool:
    return isinstance(expr, Symbol) and not isinstance(expr, Idx) and not expr.is_integer


def _key(lhs: Expr) -> Any:
    return lhs.func if isinstance(lhs, AppliedUndef) else defined_name(lhs)


def _names(expr: Expr) -> set[Any]:
    found: set[Any] = set(expr.atoms(Symbol))
    found |= {i.base for i in expr.atoms(Indexed)}
    return found


def _tex(expr: Expr) -> str:
    from symbn.render.latex import latex

    return str(latex(expr))


def _toml(text: str) -> str:
    return text.replace("\\", "\\\\")
