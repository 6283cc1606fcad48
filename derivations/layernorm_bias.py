"""Layer Normalization cancels a bias shared by all units, not a per-unit bias.

LayerNorm normalizes over the n units of one example, not over the batch. A bias shared by every
unit, c, is subtracted with the mean over the units and cancels, so the output does not depend on
it. A per-unit bias b_j differs from unit to unit: the mean over the units removes only its average,
and the normalized output does depend on b_j (symbn finds values where it does).
"""

from sympy import Derivative, Sum, sqrt

import symbn

W, b = symbn.units("W", "l"), symbn.units("b", "l")
c = symbn.layer_symbols("c")
a = symbn.units("a", "l-1")
u, z, s = symbn.units("u", "l"), symbn.units("z", "l"), symbn.units("s", "l")
z_norm, s_norm = symbn.units("z_{norm}", "l"), symbn.units("s_{norm}", "l")
mu, var = symbn.symbols("mu sigma^2")
mu_s, var_s = symbn.symbols(r"\mu_s \sigma_s^2")
eps = symbn.symbols("epsilon", positive=True)
n_in, n = symbn.size("n^{[l-1]}"), symbn.size("n^{[l]}")
k = symbn.index("k", n_in)
j, p = symbn.index("j", n), symbn.index("p", n)

u_mean = Sum(u[p], (p, 1, n)) / n

derivation = (
    symbn.Derivation("Layer Normalization and the bias", name="layernorm-bias")
    .define(
        u[j],
        Sum(W[j, k] * a[k], (k, 1, n_in)),
        label="7.1",
        why="unit $j$ of one example, before any bias",
    )
    .define(z[j], symbn.written(u[j], b[j]), label="7.2", why="with a bias $b_j$ per unit")
    .define(
        mu,
        Sum(z[p], (p, 1, n)) / n,
        label="7.3",
        why="LayerNorm's mean: over the $n$ units, not over the batch",
    )
    .define(
        var, Sum(symbn.group(z[p], -mu) ** 2, (p, 1, n)) / n, label="7.4", why="and its variance"
    )
    .define(
        z_norm[j],
        symbn.written(z[j], -mu) / sqrt(symbn.written(var, eps)),
        label="7.5",
        why="the normalized unit $j$",
    )
    .step(
        symbn.written(z[j], -mu),
        symbn.written(u[j], b[j], -u_mean, -Sum(b[p], (p, 1, n)) / n),
        label="7.6",
        why="the mean over the units takes only the average of the biases",
    )
    .differs(
        symbn.written(z[j], -mu),
        symbn.written(u[j], -u_mean),
        label="7.7",
        why="so a per-unit bias does not cancel",
    )
    .differs(
        Derivative(z_norm[j], b[j]),
        0,
        label="7.8",
        why="and the normalized output itself depends on $b_j$",
    )
    .define(
        s[j],
        symbn.written(u[j], c),
        label="7.9",
        why="the same units with one bias $c$ shared by all",
    )
    .define(mu_s, Sum(s[p], (p, 1, n)) / n, label="7.10", why="their mean over the units")
    .define(
        var_s, Sum(symbn.group(s[p], -mu_s) ** 2, (p, 1, n)) / n, label="7.11", why="their variance"
    )
    .define(
        s_norm[j],
        symbn.written(s[j], -mu_s) / sqrt(symbn.written(var_s, eps)),
        label="7.12",
        why="the normalized unit $j$",
    )
    .step(
        symbn.written(s[j], -mu_s),
        symbn.written(u[j], symbn.cancel(c), -u_mean, -symbn.cancel(c)),
        label="7.13",
        why="$c$ is the same for every unit: $\\frac{1}{n}\\sum_p c = c$",
    )
    .then(symbn.written(u[j], -u_mean), label="7.14", why="the shared bias cancels")
    .step(Derivative(var_s, c), 0, label="7.15", why="so the variance does not depend on $c$")
    .step(Derivative(s_norm[j], c), 0, label="7.16", why="nor does the normalized output")
    .conclude(
        "LayerNorm removes a bias shared by all units ($c$ cancels, 7.14-7.16) but not a per-unit"
        " bias $b_j$ (7.7, 7.8): only the units' average bias is subtracted"
    )
    .note("A layer followed by LayerNorm keeps its per-unit bias; a single shared bias is useless.")
)
