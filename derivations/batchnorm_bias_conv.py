"""After a convolution, Batch Normalization cancels the per-channel bias.

A convolution computes channel c at position (h, w) of example i as a weighted sum over the input
channels d and the kernel offsets (p, q), plus one bias b_c per channel. Batch Normalization after a
convolution (BatchNorm2d) takes its statistics per channel over the batch *and* every position:
Σ over i, h and w, m·H·W terms. The bias b_c is the same in all of them, so it cancels exactly as
in the seed, and the output does not depend on any channel's bias.
"""

from sympy import Derivative, Expr, Sum, sqrt

import symbn

K, b = symbn.units("K", "l"), symbn.units("b", "l")
gamma, beta = symbn.units("gamma", "l"), symbn.units("beta", "l")
mu, var = symbn.units("mu"), symbn.units("sigma^2")
a = symbn.examples("a", "l-1")
z, y = symbn.examples("z", "l"), symbn.examples("y", "l")
z_tilde = symbn.examples(r"\tilde{z}", "l")
eps = symbn.symbols("epsilon", positive=True)
m, H, Wd = symbn.size("m"), symbn.size("H"), symbn.size("W")
C_in, C_out, R = symbn.size("C^{[l-1]}"), symbn.size("C^{[l]}"), symbn.size("R")
i, h, w = symbn.index("i", m), symbn.index("h", H), symbn.index("w", Wd)
s, u, v = symbn.index("s", m), symbn.index("u", H), symbn.index("v", Wd)
c, e = symbn.index("c", C_out), symbn.index("e", C_out)
d = symbn.index("d", C_in)
p, q = symbn.index("p", R), symbn.index("q", R)


def over(body: Expr, *limits: tuple[Expr, Expr, Expr]) -> Sum:
    """Σ over several indices, the first outermost, so it is written first: Σ_i Σ_h Σ_w."""
    return Sum(body, *reversed(limits))


convolution = over(
    K[c, d, p, q] * a[d, h + p - 1, w + q - 1, i], (d, 1, C_in), (p, 1, R), (q, 1, R)
)
count = m * H * Wd
y_mean = over(y[c, u, v, s], (s, 1, m), (u, 1, H), (v, 1, Wd)) / count

derivation = (
    symbn.Derivation("Cancellation of the bias after a convolution", name="batchnorm-bias-conv")
    .define(
        y[c, h, w, i],
        convolution,
        label="3.1",
        why="the convolution of channel $c$ at position $(h, w)$: kernel $K$ over input channels $d$ and offsets $(p, q)$",
    )
    .define(
        z[c, h, w, i],
        symbn.written(y[c, h, w, i], b[c]),
        label="3.2",
        why="plus the bias of channel $c$",
    )
    .define(
        mu[c],
        over(z[c, h, w, i], (i, 1, m), (h, 1, H), (w, 1, Wd)) / count,
        label="3.3",
        why="the mean of channel $c$ over the batch and every position: $m H W$ terms",
    )
    .then(
        symbn.written(y_mean, b[c]),
        label="3.4",
        why="$b_c$ is the same in all $m H W$ terms",
    )
    .define(
        var[c],
        over(symbn.group(z[c, h, w, i], -mu[c]) ** 2, (i, 1, m), (h, 1, H), (w, 1, Wd)) / count,
        label="3.5",
        why="the variance of channel $c$, over the same $m H W$ terms",
    )
    .define(
        z_tilde[c, h, w, i],
        symbn.written(
            gamma[c] * symbn.group(z[c, h, w, i], -mu[c]) / sqrt(symbn.written(var[c], eps)),
            beta[c],
        ),
        label="3.6",
        why="normalized, scaled and shifted per channel",
    )
    .step(
        symbn.written(z[c, h, w, i], -mu[c]),
        symbn.written(y[c, h, w, i], symbn.cancel(b[c]), -y_mean, -symbn.cancel(b[c])),
        label="3.7",
        why="3.2 and 3.4 substituted: $b_c - b_c = 0$",
    )
    .then(
        symbn.written(y[c, h, w, i], -y_mean),
        label="3.8",
        why="the bias is gone",
    )
    .step(
        Derivative(var[c], b[e]),
        0,
        label="3.9",
        why="the variance of channel $c$ does not depend on the bias of any channel $e$",
    )
    .step(
        Derivative(z_tilde[c, h, w, i], b[e]),
        0,
        label="3.10",
        why="nor does the output at any position",
    )
    .conclude(
        "the per-channel bias $b_c$ of a convolution cancels in Batch Normalization over"
        " $m \\cdot H \\cdot W$ values per channel; the output does not depend on it"
    )
    .note("A convolution followed by BatchNorm2d can be built without a bias (bias=False).")
)
