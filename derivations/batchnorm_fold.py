"""At inference the bias does not cancel: BN folds into the layer before it.

At inference Batch Normalization uses running statistics μ_run and σ²_run, fixed numbers collected
during training, instead of the batch's own mean and variance. Nothing is subtracted per batch, so
the bias b_j of the layer before does *not* cancel; instead the whole affine map folds into that
layer: W'_{jk} = γ_j W_{jk} / √(σ²_run,j + ε) and b'_j = γ_j (b_j − μ_run,j) / √(σ²_run,j + ε) + β_j
(what torch.nn.utils.fusion.fuse_linear_bn_eval computes).
"""

from sympy import Derivative, KroneckerDelta, Sum, evaluate, sqrt

import symbn

W, b = symbn.units("W", "l"), symbn.units("b", "l")
W_f, b_f = symbn.units(r"\hat{W}", "l"), symbn.units(r"\hat{b}", "l")
gamma, beta = symbn.units("gamma", "l"), symbn.units("beta", "l")
mu_run, var_run = symbn.units("mu_{run}"), symbn.units("sigma_{run}^2")
a = symbn.examples("a", "l-1")
z, z_tilde = symbn.examples("z", "l"), symbn.examples(r"\tilde{z}", "l")
eps = symbn.symbols("epsilon", positive=True)
m, n_in, n_out = symbn.size("m"), symbn.size("n^{[l-1]}"), symbn.size("n^{[l]}")
i = symbn.index("i", m)
k = symbn.index("k", n_in)
j, r = symbn.index("j", n_out), symbn.index("r", n_out)

spread = sqrt(symbn.written(var_run[j], eps))

# Written as on paper, gamma before W: SymPy would put W first.
with evaluate(False):
    folded_weight = gamma[j] * W[j, k] / spread
    folded_term = gamma[j] * W[j, k] / spread * a[k, i]

derivation = (
    symbn.Derivation(
        "Folding Batch Normalization into the layer at inference", name="batchnorm-fold"
    )
    .define(
        z[j, i],
        symbn.written(Sum(W[j, k] * a[k, i], (k, 1, n_in)), b[j]),
        label="6.1",
        why="unit $j$ of layer 'l' for example $i$",
    )
    .define(
        z_tilde[j, i],
        symbn.written(gamma[j] * symbn.group(z[j, i], -mu_run[j]) / spread, beta[j]),
        label="6.2",
        why="Batch Normalization at inference: the running mean and variance, not the batch's",
    )
    .define(
        W_f[j, k],
        folded_weight,
        label="6.3",
        why="the folded weights: row $j$ scaled by $\\gamma_j / \\sqrt{\\sigma_{run,j}^2 + \\epsilon}$",
    )
    .define(
        b_f[j],
        symbn.written(gamma[j] * symbn.group(b[j], -mu_run[j]) / spread, beta[j]),
        label="6.4",
        why="the folded bias",
    )
    .step(
        z_tilde[j, i],
        symbn.written(
            gamma[j] * symbn.group(Sum(W[j, k] * a[k, i], (k, 1, n_in)), b[j], -mu_run[j]) / spread,
            beta[j],
        ),
        label="6.5",
        why="6.1 substituted",
    )
    .then(
        symbn.written(
            Sum(folded_term, (k, 1, n_in)),
            gamma[j] * symbn.group(b[j], -mu_run[j]) / spread,
            beta[j],
        ),
        label="6.6",
        why="the factor $\\gamma_j / \\sqrt{\\sigma_{run,j}^2 + \\epsilon}$ taken into the sum over $k$",
    )
    .then(
        symbn.written(Sum(W_f[j, k] * a[k, i], (k, 1, n_in)), b_f[j]),
        label="6.7",
        why="6.3 and 6.4: one linear layer with weights $\\hat{W}$ and bias $\\hat{b}$",
    )
    .step(
        Derivative(z_tilde[j, i], b[r]),
        gamma[j] * KroneckerDelta(j, r) / spread,
        label="6.8",
        why="the output of unit $j$ depends on its own bias $b_j$, and on no other",
    )
    .differs(
        Derivative(z_tilde[j, i], b[j]),
        0,
        label="6.9",
        why="so at inference the bias does not cancel",
    )
    .conclude(
        "at inference $\\tilde{z}_j = \\sum_k \\hat{W}_{jk} a_k + \\hat{b}_j$: Batch Normalization"
        " folds into the layer before it, and the bias $b_j$ survives in $\\hat{b}_j$"
    )
    .note(
        "In training mode the bias cancels (batchnorm-bias-units); at inference it must be kept,"
        " or folded into $\\beta_j$: $\\hat{b}_j$ depends on $b_j - \\mu_{run,j}$ only."
    )
)
