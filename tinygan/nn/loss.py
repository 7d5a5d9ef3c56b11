"""Loss modules in PyTorch's names: each one holds its options and calls the functional form in
tinygan.nn.functional, which is the only place its formula is written.

    loss_fn = nn.BCEWithLogitsLoss()          # reduction="mean" | "sum" | "none"
    loss = loss_fn(logits, targets)           # input first, target second, as in PyTorch

Input and target must have the same shape (class-index targets excepted): an (N, 1) input
against an (N,) target raises a ShapeError instead of broadcasting to (N, N). PyTorch's
deprecated `size_average`/`reduce` arguments and the class `weight`/`ignore_index`/
`label_smoothing` options are not supported; options are keyword-only, so a positional
`weight` fails at construction rather than being taken for something else.
"""
from tinygan.creation import tensor
from tinygan.nn import functional as F
from tinygan.nn.module import Module
from tinygan.tensor import Tensor


class _Loss(Module):
    reductions = F.REDUCTIONS

    def __init__(self, *, reduction="mean"):
        if reduction not in self.reductions:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {self.reductions}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities p ∈ [0, 1]: −[t log p + (1 − t) log(1 − p)], each
    log clamped at −100 as PyTorch does. input and target: any shape, the same; 'none' keeps
    it. Prefer BCEWithLogitsLoss on logits (stable, no clamping). F.binary_cross_entropy."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits x, stable for any |x|: max(x, 0) − x t + log(1 + e^−|x|).

    pos_weight (optional, e.g. shape (C,) for inputs (N, C)) weighs the positive term:
    (1 − t) x + (1 + (pos_weight − 1) t) softplus(−x), as in PyTorch; it is kept as a buffer.
    input and target: the same shape. F.binary_cross_entropy_with_logits."""

    def __init__(self, *, reduction="mean", pos_weight=None):
        super().__init__(reduction=reduction)
        if pos_weight is not None and not isinstance(pos_weight, Tensor):
            pos_weight = tensor(pos_weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction, pos_weight=self.pos_weight)


class MSELoss(_Loss):
    """Squared error (input − target)², averaged, summed or kept elementwise. Same shapes. F.mse_loss."""

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Absolute error |input − target| (gradient 0 where they are equal). Same shapes. F.l1_loss."""

    def forward(self, input, target):
        return F.l1_loss(input, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood −input[n, target[n]] of log-probabilities input (N, C) (e.g. from
    log_softmax) and integer class targets (N,) in [0, C); 'none' gives (N,). F.nll_loss."""

    def forward(self, input, target):
        return F.nll_loss(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits (N, C): −log softmax(input)[n, target[n]] for integer
    class targets (N,), or −Σ_c target[n, c] log softmax(input)[n, c] for class probabilities
    (N, C); 'none' gives (N,). Only (N, C) inputs (no extra spatial axes). F.cross_entropy."""

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.reduction)


class KLDivLoss(_Loss):
    """PyTorch's KL-divergence loss: input = log q (log-probabilities), target = p (or log p with
    log_target=True); pointwise p (log p − log q), with 0 · log 0 = 0. Same shapes.

    reduction='batchmean' divides the sum by the batch size input.shape[0] and is the KL(p ‖ q)
    per example; 'mean' (the default, as in PyTorch) divides by the number of elements instead.
    F.kl_div."""
    reductions = F.REDUCTIONS + ("batchmean",)

    def __init__(self, *, reduction="mean", log_target=False):
        super().__init__(reduction=reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, self.reduction, log_target=self.log_target)
