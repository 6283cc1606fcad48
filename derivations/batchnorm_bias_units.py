"""Per unit, with a weight matrix, Batch Normalization cancels every bias b_j.

The seed's claim for a whole layer: unit j of layer l computes z_j^{(i)} = Σ_k W_{jk} a_k^{(i)} + b_j
for each example i, and Batch Normalization takes the mean and variance of each unit over the
mini-batch. The bias b_j is the same for every example of unit j, so it cancels from z_j - μ_j, and
the normalized output of any unit j does not depend on the bias b_r of any unit r (the derivative is
0 both for r = j and for r ≠ j: the Kronecker delta δ_{jr} cancels as well).
"""

from sympy import Derivative, Sum, sqrt

import symbn

W, b = symbn.units("W", "l"), symbn.units("b", "l")
gamma, beta = symbn.units("gamma", "l"), symbn.units("beta", "l")
mu, var = symbn.units("mu"), symbn.units("sigma^2")
a = symbn.examples("a", "l-1")
z = symbn.examples("z", "l")
z_norm, z_tilde = symbn.examples("z_{norm}", "l"), symbn.examples(r"\tilde{z}", "l")
eps = symbn.symbols("epsilon", positive=True)
m, n_in, n_out = symbn.size("m"), symbn.size("n^{[l-1]}"), symbn.size("n^{[l]}")
i, t = symbn.index("i", m), symbn.index("t", m)
k = symbn.index("k", n_in)
j, r = symbn.index("j", n_out), symbn.index("r", n_out)

weighted = Sum(W[j, k] * a[k, i], (k, 1, n_in))
weighted_bar = Sum(W[j, k] * symbn.mean(a[k, i], i), (k, 1, n_in))
weighted_mean = Sum(W[j, k] * Sum(a[k, t], (t, 1, m)) / m, (k, 1, n_in))

derivation = (
    symbn.Derivation("Cancellation of the bias, per unit", name="batchnorm-bias-units")
    .define(
        z[j, i],
        symbn.written(weighted, b[j]),
        label="2.1",
        why="unit $j$ of layer 'l' for example $i$: a weighted sum of the units $k$ before, plus its bias",
    )
    .define(mu[j], Sum(z[j, i], (i, 1, m)) / m, label="2.2", why="the batch mean of unit $j$")
    .then(
        symbn.written(weighted_bar, b[j]),
        label="2.3",
        why="the sums over $i$ and $k$ exchanged; $b_j$ is the same for every example",
    )
    .then(
        symbn.written(weighted_mean, b[j]),
        label="2.4",
        why="the bar written out, over its own index $t$",
    )
    .define(
        var[j],
        Sum(symbn.group(z[j, i], -mu[j]) ** 2, (i, 1, m)) / m,
        label="2.5",
        why="the batch variance of unit $j$",
    )
    .define(
        z_norm[j, i],
        symbn.written(z[j, i], -mu[j]) / sqrt(symbn.written(var[j], eps)),
        label="2.6",
        why="normalization of unit $j$",
    )
    .define(
        z_tilde[j, i],
        symbn.written(gamma[j] * z_norm[j, i], beta[j]),
        label="2.7",
        why="scale and shift of unit $j$",
    )
    .step(
        symbn.written(z[j, i], -mu[j]),
        symbn.written(weighted, symbn.cancel(b[j]), -weighted_bar, -symbn.cancel(b[j])),
        label="2.8",
        why="2.1 and 2.3 substituted: $b_j - b_j = 0$",
    )
    .then(
        Sum(W[j, k] * symbn.group(a[k, i], -Sum(a[k, t], (t, 1, m)) / m), (k, 1, n_in)),
        label="2.9",
        why="one sum over $k$, $W_{jk}$ factored out",
    )
    .step(
        Derivative(var[j], b[r]),
        0,
        label="2.10",
        why="the variance of unit $j$ does not depend on the bias of any unit $r$",
    )
    .step(
        Derivative(z_tilde[j, i], b[r]),
        0,
        label="2.11",
        why="nor does the output: $\\partial b_j / \\partial b_r = \\delta_{jr}$ appears in $z_j$ and in $\\mu_j$ and cancels",
    )
    .differs(
        Derivative(z[j, i], b[j]),
        0,
        label="2.12",
        why="while the unit's input itself does depend on its bias",
    )
    .conclude(
        "for every unit $j$, $b_j$ cancels from $z_j - \\mu_j$; $\\sigma_j^2$ and $\\tilde{z}_j$ do"
        " not depend on any bias $b_r$ of the layer"
    )
    .note(
        "The bias of a layer followed by Batch Normalization can be dropped, unit by unit;"
        " $\\beta_j$ takes over its role."
    )
)
