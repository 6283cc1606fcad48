"""Display as written: every renderer prints a line's names in the order the derivation's source writes them.

The ground truth is the Python source of each shipped derivation, read with ``ast`` (no SymPy, no
symbn code): for each ``define``/``step``/``then``/``differs`` call, the names of values (symbols and
families, not indices or sizes) in the order they stand in the source, helpers such as
``batch_mean`` read from their own assignment, ``Derivative(f, x)`` read as it is written on paper,
``∂/∂x f``, and ``Sum(…)/m`` as the field writes a mean, ``1/m Σ …``. The printers are instrumented to record the names in the order they print them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from types import ModuleType
from typing import Any

import pytest
from sympy import Idx, Indexed, IndexedBase, Symbol

import symbn
from symbn.model import Derivation, Kind
from symbn.render.latex import SymbnLatexPrinter

CALLS = {"define", "step", "then", "differs"}


def _module(name: str) -> ModuleType:
    return importlib.import_module("derivations." + name.replace("-", "_"))


def _helpers(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``name = expression`` assignments (helpers such as ``batch_mean``), also those
    inside a ``with`` block (``with evaluate(False):``)."""
    out: dict[str, ast.expr] = {}
    body = list(tree.body)
    body += [n for w in tree.body if isinstance(w, ast.With) for n in w.body]
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                out[target.id] = node.value
    return out


def _source_order(node: ast.AST, space: dict[str, Any], helpers: dict[str, ast.expr]) -> list[str]:
    """The names of values in ``node``, in the order they are written."""
    if isinstance(node, ast.Name):
        value = space.get(node.id)
        if isinstance(value, IndexedBase):
            return [str(value.label)]
        if isinstance(value, Symbol):
            return [value.name]
        if node.id in helpers and hasattr(value, "free_symbols"):
            return _source_order(helpers[node.id], space, helpers)
        return []
    if isinstance(node, ast.Subscript):
        return _source_order(node.value, space, helpers)
    if isinstance(node, ast.Call):
        args = list(node.args)
        if isinstance(node.func, ast.Name) and node.func.id == "Derivative":
            args = args[1:] + args[:1]
        return [n for arg in args for n in _source_order(arg, space, helpers)]
    if isinstance(node, ast.BinOp):
        left = _source_order(node.left, space, helpers)
        right = _source_order(node.right, space, helpers)
        if isinstance(node.op, ast.Div) and _is_sum(node.left):
            return right + left  # Sum(…)/m is the field's mean, written 1/m Σ …
        return left + right
    if isinstance(node, ast.UnaryOp):
        return _source_order(node.operand, space, helpers)
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for e in node.elts for n in _source_order(e, space, helpers)]
    if isinstance(node, ast.Starred):
        return _source_order(node.value, space, helpers)
    return []


def _is_sum(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Sum"


def written_lines(name: str) -> dict[str, list[str]]:
    """Each line's value names, by label, as the module's source writes them."""
    module = _module(name)
    tree = ast.parse(inspect.getsource(module))
    space, helpers = vars(module), _helpers(tree)
    out: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in CALLS:
            continue
        label = next((k.value for k in node.keywords if k.arg == "label"), None)
        if isinstance(label, ast.Constant):
            out[str(label.value)] = [
                n for arg in node.args for n in _source_order(arg, space, helpers)
            ]
    return out


MARK = re.compile("\u27e6([^\u27e7]*)\u27e7")


class LatexRecorder(SymbnLatexPrinter):
    """symbn's LaTeX printer with each value's name marked where it is printed, ``⟦name⟧W^{[l]}``.

    The marks are read off the finished output, so the order is the order on the page, whatever
    order the printer built the pieces in.
    """

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        return f"\u27e6{expr.name}\u27e7" + super()._print_Symbol(expr, style)

    def _print_Indexed(self, expr: Indexed) -> str:
        return f"\u27e6{expr.base.label}\u27e7" + super()._print_Indexed(expr)


def values_of(derivation: Derivation) -> set[str]:
    """The names of values: every symbol and family but indices and the sizes bounding them."""
    names: set[str] = set()
    excluded: set[str] = set()
    for line in derivation.lines:
        for side in (line.lhs_meaning, line.rhs_meaning):
            names |= {s.name for s in side.atoms(Symbol)}
            names |= {str(e.base.label) for e in side.atoms(Indexed)}
            for idx in side.atoms(Idx):
                excluded.add(str(idx.label))
                for bound in (idx.lower, idx.upper):
                    excluded |= {str(s) for s in getattr(bound, "free_symbols", ())}
            for entry in side.atoms(Indexed):
                for index in entry.indices:
                    excluded |= {str(s) for s in index.free_symbols}
    return names - excluded


def printed(derivation: Derivation, label: str, keep: set[str]) -> list[str]:
    """The value names of the line in the order its LaTeX prints them."""
    line = derivation.line(label)
    sides = [line.rhs] if line.kind is Kind.CONTINUATION else [line.lhs, line.rhs]
    out = " ".join(LatexRecorder().doprint(side) for side in sides)
    return [n for n in MARK.findall(out) if n in keep]


CASES = [
    (name, label)
    for name in symbn.names()
    for label in [line.label for line in symbn.load(name).lines]
]


@pytest.mark.parametrize(("name", "label"), CASES)
def test_every_line_prints_its_names_in_the_written_order(name: str, label: str) -> None:
    derivation = symbn.load(name)
    source = written_lines(name)
    assert label in source, f"{name} {label}: no define/step/then/differs call with this label"
    keep = values_of(derivation)
    expected = [n for n in source[label] if n in keep]
    assert printed(derivation, label, keep) == expected


def test_the_reader_of_the_source_sees_the_batchnorm_scale_slip() -> None:
    """The ground truth itself: 5.11 is written α(z−μ)/(α√σ²), so α comes twice."""
    assert [n for n in written_lines("batchnorm-scale")["5.11"] if n == "alpha"] == [
        "alpha",
        "alpha",
    ]
