"""The shipped derivations against PyTorch's own layers, on random data, within float tolerance.

Each test runs the real layer (``BatchNorm1d``/``BatchNorm2d`` in training and eval mode,
``LayerNorm``, ``fuse_linear_bn_eval``) and evaluates symbn's own definitions of the same quantity:
the derivation's definition lines unfolded into one SymPy expression, its sums expanded at small
concrete sizes by SymPy and the tensors' entries substituted for the indexed symbols. No text is
evaluated. PyTorch is an optional test dependency: without it these tests skip, except under
``SYMBN_REQUIRE_REAL_PARTS=1`` (CI), where they fail.
"""

from __future__ import annotations

import importlib
import itertools
import math
import os
import sys
import warnings
from types import ModuleType
from typing import Any

import pytest
from sympy import Add, Dummy, Expr, Idx, Indexed, IndexedBase, Integer, Mul, Pow, Sum, Symbol

import symbn
from symbn.model import Derivation

TOLERANCE = 1e-9


def require_torch() -> ModuleType:
    """PyTorch, or a skip (a failure under SYMBN_REQUIRE_REAL_PARTS=1) when it is not installed."""
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    try:
        return importlib.import_module("torch")
    except ImportError:
        message = "PyTorch is not installed (pip install torch==2.13.0; tests/install.sh does it)"
        if os.environ.get("SYMBN_REQUIRE_REAL_PARTS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def torch() -> Any:
    torch = require_torch()
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64)
    return torch


def module(name: str) -> Any:
    """The module of a shipped derivation, for its symbols (``W``, ``b``, ``gamma``, ...)."""
    return importlib.import_module("symbn.derivations." + name.replace("-", "_"))


def fresh_bound(expr: Expr) -> Expr:
    """``expr`` with every summation index renamed to a fresh dummy, so substitutions cannot capture it."""

    def freshen(node: Sum) -> Expr:
        mapping = {v: Dummy(str(v), integer=True) for v, *_ in node.limits}
        limits = [(mapping[v], *rest) for v, *rest in node.limits]
        return Sum(node.function.xreplace(mapping), *limits)

    return expr.replace(lambda node: isinstance(node, Sum), freshen)


def unfold(derivation: Derivation, expr: Expr) -> Expr:
    """``expr`` with the derivation's definitions substituted, the latest first, down to its inputs."""
    expr = fresh_bound(expr)
    for line in reversed(derivation.definitions):
        lhs, rhs = line.lhs, fresh_bound(line.rhs_meaning)
        if isinstance(lhs, Indexed):

            def is_entry(node: Any, base: IndexedBase = lhs.base) -> bool:
                return isinstance(node, Indexed) and node.base == base

            def expand(node: Indexed, lhs: Indexed = lhs, rhs: Expr = rhs) -> Expr:
                return rhs.xreplace(dict(zip(lhs.indices, node.indices, strict=True)))

            expr = expr.replace(is_entry, expand)
        else:
            expr = expr.xreplace({lhs: rhs})
    return expr


def evaluate(
    expr: Expr,
    *,
    indices: dict[Idx, int],
    sizes: dict[Symbol, int],
    families: dict[IndexedBase, Any],
    scalars: dict[Symbol, float],
) -> float:
    """``expr`` at 1-based ``indices``, concrete ``sizes``, tensor entries and scalar values.

    SymPy substitutes the indices and sizes; the sums are then added up term by term, each term
    instantiated by SymPy substitution of its summation index, and the tensors' entries looked up.
    """
    concrete = expr.xreplace({k: Integer(v) for k, v in indices.items()})
    concrete = concrete.xreplace({k: Integer(v) for k, v in sizes.items()})
    return _value(concrete, families, scalars)


def _value(expr: Any, families: dict[IndexedBase, Any], scalars: dict[Symbol, float]) -> float:
    if expr.is_Number:
        return float(expr)
    if isinstance(expr, Indexed):
        position = tuple(int(i) - 1 for i in expr.indices)
        return float(families[expr.base][position])
    if isinstance(expr, Symbol):
        return scalars[expr]
    if isinstance(expr, Sum):  # the last limit is the outermost
        *inner, (var, low, high) = expr.limits
        body = Sum(expr.function, *inner) if inner else expr.function
        return sum(
            _value(body.xreplace({var: Integer(v)}), families, scalars)
            for v in range(int(low), int(high) + 1)
        )
    if isinstance(expr, Add):
        return sum(_value(a, families, scalars) for a in expr.args)
    if isinstance(expr, Mul):
        return math.prod(_value(a, families, scalars) for a in expr.args)
    if isinstance(expr, Pow):
        return _value(expr.base, families, scalars) ** _value(expr.exp, families, scalars)
    raise TypeError(f"cannot evaluate {type(expr).__name__} in this test")


def close(left: float, right: float) -> bool:
    return abs(left - right) <= TOLERANCE * max(1.0, abs(left), abs(right))


def test_a_bias_before_batchnorm1d_in_training_changes_nothing(torch: Any) -> None:
    mod, d = module("batchnorm-bias-units"), symbn.load("batchnorm-bias-units")
    m, n_in, n_out = 4, 3, 2
    a = torch.randn(m, n_in)
    W, b = torch.randn(n_out, n_in), torch.randn(n_out) * 5
    bn = torch.nn.BatchNorm1d(n_out).train()
    with torch.no_grad():
        bn.weight.copy_(torch.randn(n_out))
        bn.bias.copy_(torch.randn(n_out))
    with_bias = bn(a @ W.T + b).detach()
    without = bn(a @ W.T).detach()
    assert torch.allclose(with_bias, without, atol=1e-12)
    assert not torch.allclose(a @ W.T + b, a @ W.T)

    output = unfold(d, mod.z_tilde[mod.j, mod.i])
    for i in range(1, m + 1):
        for j in range(1, n_out + 1):
            value = evaluate(
                output,
                indices={mod.i: i, mod.j: j},
                sizes={mod.m: m, mod.n_in: n_in, mod.n_out: n_out},
                families={
                    mod.W: W,
                    mod.b: b,
                    mod.a: a.T,  # symbn writes a_k^{(i)}: unit first, example last
                    mod.gamma: bn.weight.detach(),
                    mod.beta: bn.bias.detach(),
                },
                scalars={mod.eps: bn.eps},
            )
            assert close(value, float(with_bias[i - 1, j - 1])), (i, j)


def test_a_channel_bias_before_batchnorm2d_in_training_changes_nothing(torch: Any) -> None:
    mod, d = module("batchnorm-bias-conv"), symbn.load("batchnorm-bias-conv")
    m, c_in, c_out, R, H, W = 2, 2, 2, 2, 2, 3
    x = torch.randn(m, c_in, H + R - 1, W + R - 1)
    conv = torch.nn.Conv2d(c_in, c_out, R, bias=True)
    with torch.no_grad():
        conv.bias.copy_(torch.randn(c_out) * 5)
    bn = torch.nn.BatchNorm2d(c_out).train()
    with torch.no_grad():
        bn.weight.copy_(torch.randn(c_out))
        bn.bias.copy_(torch.randn(c_out))
        with_bias = bn(conv(x))
        without = bn(torch.nn.functional.conv2d(x, conv.weight))
    assert torch.allclose(with_bias, without, atol=1e-12)

    output = unfold(d, mod.z_tilde[mod.c, mod.h, mod.w, mod.i])
    for point in itertools.product(range(1, c_out + 1), range(1, H + 1), range(1, W + 1), (m,)):
        c, h, w, i = point  # channel, position, example
        value = evaluate(
            output,
            indices=dict(zip((mod.c, mod.h, mod.w, mod.i), point, strict=True)),
            sizes={mod.m: m, mod.H: H, mod.Wd: W, mod.C_in: c_in, mod.C_out: c_out, mod.R: R},
            families={
                mod.K: conv.weight.detach(),
                mod.b: conv.bias.detach(),
                mod.a: x.permute(1, 2, 3, 0),  # a_{d,h,w}^{(i)}: example last
                mod.gamma: bn.weight.detach(),
                mod.beta: bn.bias.detach(),
            },
            scalars={mod.eps: bn.eps},
        )
        assert close(value, float(with_bias[i - 1, c - 1, h - 1, w - 1])), point


def test_normalized_values_have_mean_0_and_variance_sigma2_over_sigma2_plus_eps(torch: Any) -> None:
    mod, d = module("batchnorm-stats"), symbn.load("batchnorm-stats")
    m, eps = 5, 0.5
    z = torch.randn(m, 1) * 0.7
    bn = torch.nn.BatchNorm1d(1, eps=eps, affine=False).train()
    out = bn(z).detach()[:, 0]
    variance = float(z[:, 0].var(unbiased=False))
    assert abs(float(out.mean())) < 1e-12
    torch_variance = float(out.var(unbiased=False))
    assert close(torch_variance, variance / (variance + eps))
    assert not close(torch_variance, 1.0)

    where = {"sizes": {mod.m: m}, "families": {mod.z: z[:, 0]}, "scalars": {mod.eps: eps}}
    assert abs(evaluate(unfold(d, mod.mu_hat), indices={}, **where)) < 1e-12  # type: ignore[arg-type]
    symbn_variance = evaluate(unfold(d, mod.var_hat), indices={}, **where)  # type: ignore[arg-type]
    assert close(symbn_variance, torch_variance)
    for i in range(1, m + 1):
        value = evaluate(unfold(d, mod.z_norm[mod.i]), indices={mod.i: i}, **where)  # type: ignore[arg-type]
        assert close(value, float(out[i - 1]))


def test_scaling_the_weights_changes_batchnorm_only_when_eps_is_positive(torch: Any) -> None:
    mod, d = module("batchnorm-scale"), symbn.load("batchnorm-scale")
    m, alpha = 4, 3.0
    a = torch.randn(m)
    W = 0.8
    outputs = {}
    # PyTorch refuses eps = 0 in training mode; the smallest positive float64 is 0 next to σ²
    # in float64 arithmetic (σ² + tiny == σ²), so it computes the ε = 0 normalization exactly.
    tiny = torch.finfo(torch.float64).tiny
    for eps in (tiny, 1.0):
        bn = torch.nn.BatchNorm1d(1, eps=eps, affine=False).train()
        scaled = bn((alpha * W * a)[:, None]).detach()[:, 0]
        plain = bn((W * a)[:, None]).detach()[:, 0]
        outputs[eps] = (scaled, plain)
    assert torch.allclose(*outputs[tiny], atol=1e-12)
    assert not torch.allclose(*outputs[1.0], atol=1e-3)

    # Line 5.15 (ε > 0): symbn's two sides are torch's two outputs, and they differ.
    line = d.line("5.15")
    where = {
        "sizes": {mod.m: m},
        "families": {mod.a: a},
        "scalars": {mod.W: W, mod.alpha: alpha, mod.eps: 1.0},
    }
    scaled, plain = outputs[1.0]
    for i in range(1, m + 1):
        left = evaluate(unfold(d, line.lhs_meaning), indices={mod.i: i}, **where)  # type: ignore[arg-type]
        right = evaluate(unfold(d, line.rhs_meaning), indices={mod.i: i}, **where)  # type: ignore[arg-type]
        assert close(left, float(scaled[i - 1])) and close(right, float(plain[i - 1]))
    # Line 5.10 (ε₀ = 0): both sides equal torch's (equal) outputs.
    line = d.line("5.10")
    where["scalars"] = {mod.W: W, mod.alpha: alpha, mod.eps0: 0.0}
    scaled, plain = outputs[tiny]
    for i in range(1, m + 1):
        left = evaluate(unfold(d, line.lhs_meaning), indices={mod.i: i}, **where)  # type: ignore[arg-type]
        assert close(left, float(scaled[i - 1])) and close(left, float(plain[i - 1]))


def test_fuse_linear_bn_eval_computes_the_folded_weights_and_bias(torch: Any) -> None:
    mod, d = module("batchnorm-fold"), symbn.load("batchnorm-fold")
    m, n_in, n_out = 3, 3, 2
    linear = torch.nn.Linear(n_in, n_out)
    bn = torch.nn.BatchNorm1d(n_out)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(n_out))
        bn.bias.copy_(torch.randn(n_out))
        bn.running_mean.copy_(torch.randn(n_out))
        bn.running_var.copy_(torch.rand(n_out) + 0.5)
    linear.eval()
    bn.eval()
    fused = torch.nn.utils.fusion.fuse_linear_bn_eval(linear, bn)
    a = torch.randn(m, n_in)
    with torch.no_grad():
        assert torch.allclose(fused(a), bn(linear(a)), atol=1e-12)
        # At inference the bias does not cancel.
        without = bn(torch.nn.functional.linear(a, linear.weight))
        assert not torch.allclose(bn(linear(a)), without, atol=1e-3)

    where = {
        "sizes": {mod.m: m, mod.n_in: n_in, mod.n_out: n_out},
        "families": {
            mod.W: linear.weight.detach(),
            mod.b: linear.bias.detach(),
            mod.gamma: bn.weight.detach(),
            mod.beta: bn.bias.detach(),
            mod.mu_run: bn.running_mean,
            mod.var_run: bn.running_var,
        },
        "scalars": {mod.eps: bn.eps},
    }
    folded_w, folded_b = unfold(d, mod.W_f[mod.j, mod.k]), unfold(d, mod.b_f[mod.j])
    for j in range(1, n_out + 1):
        value = evaluate(folded_b, indices={mod.j: j}, **where)  # type: ignore[arg-type]
        assert close(value, float(fused.bias.detach()[j - 1]))
        for k in range(1, n_in + 1):
            value = evaluate(folded_w, indices={mod.j: j, mod.k: k}, **where)  # type: ignore[arg-type]
            assert close(value, float(fused.weight.detach()[j - 1, k - 1]))


def test_layernorm_keeps_a_per_unit_bias_and_drops_a_shared_one(torch: Any) -> None:
    mod, d = module("layernorm-bias"), symbn.load("layernorm-bias")
    n_in, n = 3, 4
    a = torch.randn(n_in)
    W, b, c = torch.randn(n, n_in), torch.randn(n), 2.5
    layer = torch.nn.LayerNorm(n, elementwise_affine=False)
    with torch.no_grad():
        per_unit, shared, plain = layer(W @ a + b), layer(W @ a + c), layer(W @ a)
    assert not torch.allclose(per_unit, plain, atol=1e-3)
    assert torch.allclose(shared, plain, atol=1e-12)

    where = {
        "sizes": {mod.n_in: n_in, mod.n: n},
        "families": {mod.W: W, mod.b: b, mod.a: a},
        "scalars": {mod.c: c, mod.eps: layer.eps},
    }
    for j in range(1, n + 1):
        value = evaluate(unfold(d, mod.z_norm[mod.j]), indices={mod.j: j}, **where)  # type: ignore[arg-type]
        assert close(value, float(per_unit[j - 1]))
        value = evaluate(unfold(d, mod.s_norm[mod.j]), indices={mod.j: j}, **where)  # type: ignore[arg-type]
        assert close(value, float(shared[j - 1]))


def test_without_torch_the_cross_checks_skip_or_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    monkeypatch.delenv("SYMBN_REQUIRE_REAL_PARTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"torch==2\.13\.0"):
        require_torch()
    monkeypatch.setenv("SYMBN_REQUIRE_REAL_PARTS", "1")
    with pytest.raises(pytest.fail.Exception, match="PyTorch is not installed"):
        require_torch()


def test_the_cross_check_catches_a_wrong_definition(torch: Any) -> None:
    """With the unbiased variance (1/(m-1)) in 4.2, symbn's normalized values no longer match torch's."""
    mod, d = module("batchnorm-stats"), symbn.load("batchnorm-stats")
    m, eps = 5, 1e-5
    wrong = symbn.Derivation(d.title, name=d.name)
    for line in d.definitions:
        rhs = line.rhs_meaning
        if line.label == "4.2":
            rhs = Sum((mod.z[mod.i] - mod.mu) ** 2, (mod.i, 1, mod.m)) / (mod.m - 1)
        wrong.define(line.lhs, rhs, label=line.label)
    z = torch.randn(m, 1)
    out = torch.nn.BatchNorm1d(1, eps=eps, affine=False).train()(z).detach()[:, 0]
    where = {"sizes": {mod.m: m}, "families": {mod.z: z[:, 0]}, "scalars": {mod.eps: eps}}
    right = evaluate(unfold(d, mod.z_norm[mod.i]), indices={mod.i: 1}, **where)  # type: ignore[arg-type]
    off = evaluate(unfold(wrong, mod.z_norm[mod.i]), indices={mod.i: 1}, **where)  # type: ignore[arg-type]
    assert close(right, float(out[0]))
    assert not close(off, float(out[0]))
