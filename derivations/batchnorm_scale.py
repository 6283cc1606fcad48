"""Batch Normalization is invariant to scaling the weights by α > 0 exactly when ε = 0.

Scaling the weights of the layer before by α > 0 scales its outputs z^{(i)} by α, their mean by α
and their variance by α². With ε = 0 the normalization divides the α out again: BN(α W a) =
BN(W a). With ε > 0 it does not: √(α² σ² + ε) is not α √(σ² + ε), and symbn finds values where the
normalized outputs differ. The ε = 0 case is written with its own symbol ε₀, assumed to be 0.
"""

from sympy import Eq, Expr, Sum, evaluate, sqrt

import symbn

W = symbn.layer_symbols("W")
alpha = symbn.symbols("alpha")
mu, var, mu_s, var_s = symbn.symbols(r"mu sigma^2 \hat{\mu} \hat{\sigma}^2")
eps = symbn.symbols("epsilon", positive=True)
eps0 = symbn.symbols("epsilon_0")
a = symbn.examples("a", "l-1")
z, z_s = symbn.examples("z", "l"), symbn.examples(r"\hat{z}", "l")
m = symbn.size("m")
i, t = symbn.index("i", m), symbn.index("t", m)


def normalized(value: Expr, mean: Expr, variance: Expr, epsilon: Expr) -> Expr:
    """(value - mean) / √(variance + epsilon), written as the document writes it."""
    return symbn.written(value, -mean) / sqrt(symbn.written(variance, epsilon))


# Written as on paper: SymPy would reorder the factors (W α a) and cancel α/α at once.
with evaluate(False):
    scaled_input = alpha * W * a[i]
    alpha_over_alpha = alpha * symbn.group(z[i], -mu) / (alpha * sqrt(var))

derivation = (
    symbn.Derivation("Scale invariance of Batch Normalization", name="batchnorm-scale")
    .assume(alpha > 0, Eq(eps0, 0))
    .define(
        z[i], W * a[i], label="5.1", why="the layer's output for example $i$ (no bias: it cancels)"
    )
    .define(mu, Sum(z[t], (t, 1, m)) / m, label="5.2", why="its batch mean")
    .define(
        var, Sum(symbn.group(z[i], -mu) ** 2, (i, 1, m)) / m, label="5.3", why="its batch variance"
    )
    .define(
        z_s[i],
        scaled_input,
        label="5.4",
        why="the same layer with its weights scaled by $\\alpha$",
    )
    .define(mu_s, Sum(z_s[t], (t, 1, m)) / m, label="5.5", why="the batch mean of the scaled layer")
    .define(
        var_s,
        Sum(symbn.group(z_s[i], -mu_s) ** 2, (i, 1, m)) / m,
        label="5.6",
        why="the batch variance of the scaled layer",
    )
    .step(mu_s, alpha * mu, label="5.7", why="$\\alpha$ does not depend on $i$")
    .step(
        symbn.written(z_s[i], -mu_s),
        alpha * symbn.group(z[i], -mu),
        label="5.8",
        why="5.4 and 5.7",
    )
    .step(var_s, alpha**2 * var, label="5.9", why="5.8 squared, $\\alpha^2$ taken out of the sum")
    .step(
        normalized(z_s[i], mu_s, var_s, eps0),
        alpha * symbn.group(z[i], -mu) / sqrt(symbn.written(alpha**2 * var)),
        label="5.10",
        why="with $\\epsilon_0 = 0$: 5.8 and 5.9 substituted",
    )
    .then(
        alpha_over_alpha,
        label="5.11",
        why="$\\sqrt{\\alpha^2} = \\alpha$ because $\\alpha > 0$",
    )
    .then(
        normalized(z[i], mu, var, eps0),
        label="5.12",
        why="$\\alpha$ cancels: the normalized output of the scaled layer is unchanged",
    )
    .step(
        sqrt(symbn.written(var_s, eps)),
        sqrt(symbn.written(alpha**2 * var, eps)),
        label="5.13",
        why="with $\\epsilon > 0$, 5.9 substituted",
    )
    .differs(
        sqrt(symbn.written(alpha**2 * var, eps)),
        alpha * sqrt(symbn.written(var, eps)),
        label="5.14",
        why="$\\alpha$ does not come out of the root: $\\alpha^2 \\epsilon \\neq \\epsilon$ unless $\\alpha = 1$",
    )
    .differs(
        normalized(z_s[i], mu_s, var_s, eps),
        normalized(z[i], mu, var, eps),
        label="5.15",
        why="so with $\\epsilon > 0$ scaling the weights changes the normalized output",
    )
    .conclude(
        "$BN(\\alpha W a) = BN(W a)$ for every $\\alpha > 0$ when $\\epsilon = 0$; with"
        " $\\epsilon > 0$ the claim is false, and 5.15 gives values where the outputs differ"
    )
    .note(
        "In practice $\\epsilon$ is small next to $\\sigma^2$, so BN is nearly scale invariant:"
        " weight decay then mostly changes the effective learning rate."
    )
)
