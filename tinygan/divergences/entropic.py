"""Entropic optimal transport between point clouds (Cuturi 2013), log-domain, and the debiased
Sinkhorn divergence (Genevay, Peyré & Cuturi 2018; Feydy et al. 2019).

    OT_ε(α, β) = min_{π ∈ Π(a, b)} ⟨π, C⟩ + ε KL(π ‖ a⊗b),   C_ij = ‖x_i − y_j‖^p
               = max_{f, g} ⟨a, f⟩ + ⟨b, g⟩ − ε ⟨a⊗b, e^{(f⊕g − C)/ε} − 1⟩

Design (Feydy et al. 2019, geomloss): the dual ascent — Sinkhorn's alternating soft
c-transforms, f ← T(g), g ← T(f), with T(g)_i = −ε log Σ_j b_j e^{(g_j − C_ij)/ε} — runs on
NumPy arrays outside the graph, with ε-scaling (start at ε = max C, halve down to the target)
so that a cold start at small ε does not take thousands of iterations. The value is then
recomputed by a differentiable soft c-transform in tinygan ops from the converged, detached
potentials. By the envelope theorem (Danskin) ∂OT_ε/∂C = π*, the optimal plan; the semi-dual
g ↦ ⟨a, T(g)⟩ + ⟨b, g⟩ is maximal at g*, so its derivative in C at fixed g* is exactly the plan
e^{(T(g*) ⊕ g* − C)/ε} a⊗b, and autograd sends it on to the points through C. The average of
that semi-dual and its mirror (f fixed, g transformed) keeps OT_ε(x, y) = OT_ε(y, x).
(Extrapolating *both* potentials and adding ⟨a, T(g)⟩ + ⟨b, T(f)⟩ would count the plan twice.)
Gradients are first-order ones: differentiating them again (double backward) is not supported.
"""
import warnings

import numpy as np

from tinygan.backend import to_numpy
from tinygan.divergences._common import like, point_pair, positive, sq_dists, weights
from tinygan.ops import where
from tinygan.tensor import Tensor


def cost_matrix(x, y, p=2):
    """C_ij = ‖x_i − y_j‖^p as a Tensor. For p ≠ 2 the root is taken only where the distance is
    positive (and 0 elsewhere) so coincident points get a zero subgradient rather than NaN."""
    sq = sq_dists(x, y)
    if p == 2:
        return sq
    positive_ = sq.array > 0
    safe = where(positive_, sq, 1.0)             # the masked branch must not see 0 ** (p/2 − 1)
    return where(positive_, safe ** (p / 2), 0.0)


_FLOOR = -600.0        # kernel entries below e^-600 are clipped there: negligible mass, and their
                      # products with the scalings stay normal floats (denormals slow BLAS 50x)
_ABSORB = 30.0        # fold the scalings into the potentials once |log u| or |log v| exceeds this


def _kernel(cost, f, g, log_a, log_b, eps, out):
    """K̃_ij = a_i b_j e^{(f_i + g_j − C_ij)/ε}: the plan of the potentials (f, g), whose entries
    are plan-sized whatever ε is — the Gibbs kernel e^{−C/ε} itself would underflow."""
    np.subtract(g + eps * log_b, cost, out=out)
    out += (f + eps * log_a)[:, None]
    out *= 1 / eps
    np.maximum(out, _FLOOR, out=out)
    return np.exp(out, out=out)


_blas = None


def _one_blas_thread():
    """Matrix–vector products are memory-bound: a second OpenBLAS thread gains little and, on a
    busy 2-core machine, its spin-waiting made the loop 3-5x slower (measured), so the loop
    runs on one BLAS thread. The controller is built once (~1 ms); each limit costs ~15 µs."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def dual_potentials(cost, a, b, eps, max_iter=1000, tol=1e-6, scaling=0.5, symmetric=False):
    """Sinkhorn's dual potentials (f, g) on NumPy arrays; returns (f, g, iterations at ε, error).

    Stabilised scaling (Schmitzer 2019): the potentials live in the log domain and the
    iteration runs on the kernel K̃ relative to them, π = diag(u) K̃ diag(v), so that each step
    u ← a / K̃v, v ← b / K̃ᵀu (Sinkhorn's f ← T(g), g ← T(f)) is two matrix–vector products
    instead of two log-sum-exps over the matrix; u and v are folded back into (f, g) — and
    K̃ rebuilt — at every ε of the annealing and whenever they drift far from 1.
    At the target ε the steps may be over-relaxed (see _Relaxation). symmetric (cost = costᵀ,
    a = b: OT(α, α)) uses the averaged step f ← ½ (f + T(f)) of Feydy et al. 2019 instead:
    alternating steps crawl there, since a plan near the identity hardly feels (f + h, f − h).
    The error is Σ_i |(π1)_i − a_i| of the current plan, whose column sums are exact.
    Weights must be positive."""
    with _one_blas_thread():
        return _scaling_loop(cost, a, b, eps, max_iter, tol, scaling, symmetric)


def _scaling_loop(cost, a, b, eps, max_iter, tol, scaling, symmetric):
    log_a, log_b = np.log(a), np.log(b)
    f, g = np.zeros(cost.shape[0]), np.zeros(cost.shape[1])
    kernel = np.empty_like(cost)
    schedule = []
    level = float(cost.max())
    while level > eps:
        schedule.append(level)
        level *= scaling
    schedule.append(eps)
    err, it = np.inf, 0
    for stage, e in enumerate(schedule):
        final = stage == len(schedule) - 1
        budget, target = (max_iter, tol) if final else (20, max(tol, 1e-2))
        u, v = np.ones_like(f), np.ones_like(g)
        _kernel(cost, f, g, log_a, log_b, e, kernel)
        relax, best = _Relaxation() if final and not symmetric else None, None
        for it in range(1, budget + 1):
            kv = kernel @ v
            err = float(np.abs(u * kv - a).sum())
            if best is not None and not err < 10 * best[0]:    # NaN or a jump: ω overshot, so go
                err, f, g = best                                 # back to the best potentials
                u, v, relax = np.ones_like(f), np.ones_like(g), None   # and plain steps
                kv = _kernel(cost, f, g, log_a, log_b, e, kernel) @ v
            elif best is None or err < best[0]:
                best = (err, f + e * np.log(u), g + e * np.log(v))
            if err < target:
                break
            if symmetric:
                u = v = u * np.sqrt(a / (u * kv))
            else:
                omega = relax.omega(err) if relax else 1.0
                u *= (a / (u * kv)) ** omega
                v *= (b / (v * (kernel.T @ u))) ** omega
            if max(np.abs(np.log(u)).max(), np.abs(np.log(v)).max()) > _ABSORB:
                f, g = f + e * np.log(u), g + e * np.log(v)
                u, v = np.ones_like(f), np.ones_like(g)
                _kernel(cost, f, g, log_a, log_b, e, kernel)
        f, g = f + e * np.log(u), g + e * np.log(v)
    if err >= tol:
        warnings.warn(f"sinkhorn: marginal error {err:.2e} after {it} iterations at ε = {eps:g} is above "
                      f"tol {tol:g}; raise max_iter or epsilon", RuntimeWarning, stacklevel=4)
    return f, g, it, err


class _Relaxation:
    """Over-relaxation u ← u (a / (u ⊙ K̃v))^ω, i.e. f ← (1 − ω) f + ω T(g) (Thibault et al.
    2017), tried once per solve. Windows of plain steps: the first absorbs the transient of the
    new ε, the second measures the linear rate η; then ω = 2 / (1 + √(1 − η)), the optimum of
    SOR theory (Young; Lehmann et al. 2021). After one window of its own transient, ω is kept
    only while its windows converge faster than the plain one did. On 1 000 points at
    ε = 0.01 it needs ~4x fewer steps; where it does not help, it costs two windows."""

    window, cap = 10, 1.9

    def __init__(self):
        self.errors, self.plain_rate, self.value = [], None, 1.0

    def omega(self, err):
        self.errors.append(err)
        k, w = len(self.errors), self.window
        if k % w == 0 and k >= 2 * w:
            rate = (self.errors[-1] / self.errors[-w]) ** (1 / (w - 1))      # per step, over the window
            if self.plain_rate is None:
                self.plain_rate = rate
                self.value = min(2 / (1 + np.sqrt(1 - rate)), self.cap) if 0 < rate < 1 else 1.0
            elif k >= 4 * w and not rate < self.plain_rate:
                self.value = 1.0
        return self.value


def _soft_ctransform(cost, h, eps, axis):
    """−ε log Σ e^{(h − C)/ε} along `axis`, in tinygan ops so that the gradient reaches C.
    The max is a detached shift: LSE(z) = m + log Σ e^{z − m} for any constant m."""
    z = (h - cost) * (1 / eps)
    top = like(z.array.max(axis=axis, keepdims=True), cost)
    return -eps * (((z - top).exp().sum(axis=axis)).log() + top.reshape(-1))


def sinkhorn(x, y, epsilon, a=None, b=None, max_iter=1000, tol=1e-5, p=2, scaling=0.5, return_plan=False):
    """Entropic OT_ε between the point clouds x (n, d) and y (m, d) with weights a, b (uniform by
    default; probability vectors otherwise) and cost ‖x_i − y_j‖^p (Cuturi 2013; log-domain
    stabilised, ε-scaled as in Feydy et al. 2019).

    epsilon is in the units of the cost (geomloss's "blur" σ is ε = σ^p); the log-domain
    updates stay finite for ε ≪ max C. Returns ⟨π, C⟩ + ε KL(π ‖ a⊗b) at the optimum, a 0-d
    Tensor differentiable in x and y if either is a Tensor (see the module docstring), else a
    float; with return_plan also the (n, m) NumPy plan. As ε → 0, OT_ε → the exact OT cost
    (emd), within ε log(min(n, m)) for uniform weights. `tol` bounds the L1 marginal error;
    `max_iter` counts iterations at the target ε, after the annealing.
    """
    name = "sinkhorn"
    tx, ty, ax, ay = point_pair(name, x, y)
    eps = positive(name, "epsilon", epsilon)
    p = positive(name, "p", p)
    if p < 1:
        raise ValueError(f"{name}: p must be ≥ 1, got {p}")
    if not 0 < scaling < 1:
        raise ValueError(f"{name}: scaling must be in (0, 1), got {scaling}")
    a = weights(name, "a", a, ax.shape[0], tol=1e-6)
    b = weights(name, "b", b, ay.shape[0], tol=1e-6)
    rows, cols = np.flatnonzero(a > 0), np.flatnonzero(b > 0)   # massless points do not take part
    if len(rows) < len(a):
        tx = tx[rows]
    if len(cols) < len(b):
        ty = ty[cols]
    a, b = a[rows], b[cols]
    cost = cost_matrix(tx, ty, p)
    c = to_numpy(cost.array).astype(np.float64)
    symmetric = x is y and np.array_equal(a, b)                 # OT(α, α), as in sinkhorn_divergence
    f, g, _, _ = dual_potentials(c, a, b, eps, max_iter, tol, scaling, symmetric)
    wa, wb = like(a, cost), like(b, cost)
    f_ext = _soft_ctransform(cost, like((g + eps * np.log(b))[None, :], cost), eps, axis=1)
    g_ext = _soft_ctransform(cost, like((f + eps * np.log(a))[:, None], cost), eps, axis=0)
    value = 0.5 * ((wa * f_ext).sum() + float(b @ g) + float(a @ f) + (wb * g_ext).sum())
    if not (isinstance(x, Tensor) or isinstance(y, Tensor)):
        value = value.item()
    if not return_plan:
        return value
    plan = np.zeros((ax.shape[0], ay.shape[0]))
    plan[np.ix_(rows, cols)] = np.exp((f[:, None] + g[None, :] - c) / eps) * a[:, None] * b[None, :]
    return value, plan


def sinkhorn_divergence(x, y, epsilon, a=None, b=None, **kwargs):
    """Debiased S_ε(α, β) = OT_ε(α, β) − ½ OT_ε(α, α) − ½ OT_ε(β, β) (Genevay et al. 2018;
    Feydy et al. 2019): removes the entropic bias, so S_ε(α, α) = 0 and S_ε ≥ 0, and it
    interpolates between W_p^p (ε → 0) and an MMD (ε → ∞). Same arguments as sinkhorn."""
    kwargs.pop("return_plan", None)
    xy = sinkhorn(x, y, epsilon, a, b, **kwargs)
    xx = sinkhorn(x, x, epsilon, a, a, **kwargs)
    yy = sinkhorn(y, y, epsilon, b, b, **kwargs)
    return xy - 0.5 * xx - 0.5 * yy
