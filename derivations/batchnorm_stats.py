"""Over the batch, normalized values have mean 0 and variance σ²/(σ²+ε), not 1.

Batch Normalization normalizes one unit's values z^{(i)} over the mini-batch. The deviations from
the mean sum to exactly 0 (the inner sum of the mean runs over its own index t, the outer over i),
so the normalized values have mean exactly 0; their variance is σ²/(σ²+ε), which is not 1: the ε
that keeps the division safe also shrinks the variance.
"""

from sympy import Sum, sqrt

import symbn

mu, var = symbn.symbols("mu sigma^2")
mu_hat, var_hat = symbn.symbols(r"\hat{\mu} \hat{\sigma}^2")
eps = symbn.symbols("epsilon", positive=True)
z = symbn.examples("z", "l")
z_norm = symbn.examples("z_{norm}", "l")
m = symbn.size("m")
i, t = symbn.index("i", m), symbn.index("t", m)

spread = sqrt(symbn.written(var, eps))

derivation = (
    symbn.Derivation("Mean and variance of the normalized values", name="batchnorm-stats")
    .define(mu, Sum(z[t], (t, 1, m)) / m, label="4.1", why="the batch mean, over the index $t$")
    .define(
        var,
        Sum(symbn.group(z[i], -mu) ** 2, (i, 1, m)) / m,
        label="4.2",
        why="the batch variance",
    )
    .define(
        z_norm[i],
        symbn.written(z[i], -mu) / spread,
        label="4.3",
        why="the normalized value of example $i$",
    )
    .step(
        Sum(symbn.written(z[i], -mu), (i, 1, m)),
        symbn.written(Sum(z[i], (i, 1, m)), -m * mu),
        label="4.4",
        why="the sum split; $\\mu$ does not depend on $i$, so it is added $m$ times",
    )
    .then(
        symbn.written(Sum(z[i], (i, 1, m)), -Sum(z[t], (t, 1, m))),
        label="4.5",
        why="4.1: $m \\mu = \\sum_t z^{(t)}$",
    )
    .then(0, label="4.6", why="the same sum, whatever its index is called")
    .define(
        mu_hat, Sum(z_norm[i], (i, 1, m)) / m, label="4.7", why="the mean of the normalized values"
    )
    .then(
        Sum(symbn.written(z[i], -mu), (i, 1, m)) / (m * spread),
        label="4.8",
        why="4.3 substituted; $\\sqrt{\\sigma^2 + \\epsilon}$ does not depend on $i$",
    )
    .then(0, label="4.9", why="by 4.4-4.6")
    .define(
        var_hat,
        Sum(symbn.group(z_norm[i], -mu_hat) ** 2, (i, 1, m)) / m,
        label="4.10",
        why="the variance of the normalized values",
    )
    .then(
        Sum(z_norm[i] ** 2, (i, 1, m)) / m,
        label="4.11",
        why="their mean $\\hat{\\mu}$ is 0 (4.9)",
    )
    .then(
        Sum(symbn.group(z[i], -mu) ** 2, (i, 1, m)) / (m * symbn.group(var, eps)),
        label="4.12",
        why="4.3 substituted",
    )
    .then(var / symbn.written(var, eps), label="4.13", why="4.2")
    .differs(var_hat, 1, label="4.14", why="so the variance is not 1 when $\\epsilon > 0$")
    .conclude(
        "the normalized values have batch mean exactly 0 and batch variance"
        " $\\sigma^2 / (\\sigma^2 + \\epsilon)$, which is less than 1"
    )
    .note("With $\\epsilon = 0$ and $\\sigma^2 > 0$ the variance would be exactly 1.")
)
