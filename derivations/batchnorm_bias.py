"""Batch Normalization cancels the bias of the layer before it.

The seed derivation (A. Majumdar, "Batch Normalization equations", 2021), equations 1.1-1.12:
BN subtracts the mini-batch mean, so the bias b^{[l]} added to every example cancels. The
conclusion goes further than the document states: the variance, the normalized value and the
batch-normalized output do not depend on b^{[l]} at all.
"""

from sympy import Derivative, Sum, sqrt

import symbn

W, b, gamma, beta = symbn.layer_symbols("W b gamma beta")
z_norm, z_tilde = symbn.layer_symbols(r"z_{norm} \tilde{z}")
mu, var = symbn.symbols("mu sigma^2")
eps = symbn.symbols("epsilon", positive=True)
a = symbn.examples("a", "l-1")
z = symbn.examples("z", "l")
m = symbn.size("m")
i = symbn.index("i", m)
j = symbn.index("j", m, shown=False)

batch_mean = Sum(a[i], (i, 1, m)) / m

derivation = (
    symbn.Derivation("Cancellation of the bias term", name="batchnorm-bias")
    .define(z[j], symbn.written(W * a[j], b), label="1.1", why="network input for layer 'l'")
    .define(mu, Sum(z[i], (i, 1, m)) / m, label="1.2", why="mean for layer 'l'")
    .then(symbn.written(W * symbn.mean(a[i], i), b), label="1.3", why="the mean of $a^{[l-1]}$")
    .then(symbn.written(W * batch_mean, b), label="1.4", why="the bar written out")
    .define(
        var,
        Sum(symbn.group(z[i], -mu) ** 2, (i, 1, m)) / m,
        label="1.5",
        why="variance for layer 'l'",
    )
    .define(
        z_norm,
        symbn.written(z[j], -mu) / sqrt(symbn.written(var, eps)),
        label="1.6",
        why="normalization for layer 'l'",
    )
    .define(
        z_tilde,
        symbn.written(gamma * z_norm, beta),
        label="1.7",
        why="batch normalized input for layer 'l'",
    )
    .step(
        symbn.written(z[j], -mu),
        symbn.written(symbn.group(W * a[j], b), -mu),
        label="1.8",
        why="1.1 substituted for $z^{[l]}$",
    )
    .then(
        symbn.written(symbn.group(W * a[j], b), -symbn.group(W * batch_mean, b)),
        label="1.9",
        why="1.4 substituted for the mean",
    )
    .then(
        symbn.written(W * a[j], b, -W * batch_mean, -b),
        label="1.10",
        why="parentheses removed",
    )
    .then(
        symbn.written(W * a[j], symbn.cancel(b), -W * batch_mean, -symbn.cancel(b)),
        label="1.11",
        why="$b^{[l]} - b^{[l]} = 0$",
    )
    .then(
        W * symbn.group(a[j], -batch_mean),
        label="1.12",
        why="$W^{[l]}$ factored out",
    )
    .step(Derivative(var, b), 0, label="C.1", why="the variance does not depend on $b^{[l]}$")
    .step(Derivative(z_norm, b), 0, label="C.2", why="nor does the normalized value")
    .step(Derivative(z_tilde, b), 0, label="C.3", why="nor the batch-normalized output")
    .conclude(
        "$b^{[l]}$ cancels: $z^{[l]} - \\mu$, $\\sigma^2$, $z_{norm}^{[l]}$ and $\\tilde{z}^{[l]}$"
        " do not depend on the bias of the layer before"
    )
    .note("Equation 1.12 can replace $z^{[l]} - \\mu$ in 1.6: the bias $b^{[l]}$ can be dropped.")
)
