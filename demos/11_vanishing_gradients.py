"""Vanishing gradients: the saturating (minimax) generator loss vs the non-saturating one.

    python demos/11_vanishing_gradients.py [--quick] [--pretrain N] [--steps N] [--seed 0] [--out DIR]

Goodfellow et al. 2014 ("Generative Adversarial Nets", §3): early in training D rejects G's samples
with high confidence and log(1 − D(G(z))) saturates; maximising log D(G(z)) instead has the same
fixed point and much stronger gradients. (Arjovsky & Bottou 2017, "Towards Principled Methods for
Training GANs", Theorems 2.4-2.6, make this precise: ‖∇ minimax‖ → 0 as D → D*.)

1. The gradient of each loss in tinygan.gan.losses with respect to D's logit ℓ, measured by
   autograd at D = σ(ℓ) from 1e-6 to 1 − 1e-6, beside the derivatives by hand:
       d/dℓ log(1 − σ(ℓ)) = −D,        d/dℓ [−log σ(ℓ)] = −(1 − D).
   (Both losses are the per-sample mean, so the per-sample derivative is N × the autograd one.)
2. A 2-D GAN on PacGAN's ring with the trainer's models (tinygan.gan MLPGenerator / MLPDiscriminator,
   64 units, as `tinygan train gan --data ring` builds them): D is first trained alone against the
   initial G for --pretrain steps (a strong D), then G and D train together for --steps steps, each
   loss from the same starting point, with G trained by SGD (momentum 0.9, as Goodfellow et al.) and
   by Adam (the trainer's). Before each update the per-sample gradient norm ‖∂loss_G/∂G(z)‖ at G's
   output is measured on a fresh batch (mean and median over the batch).
   What it shows: at the start the minimax gradient is 3-5 orders of magnitude smaller on average
   and ~10 orders for the typical sample; the few samples D is unsure of still pull G, so the minimax
   G does escape, a few steps later than the non-saturating one.
Writes gradients.png, training.png and results.json to --out (default runs/theory/vanishing_gradients).
"""
import copy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))     # for _theory_common

import _theory_common as common  # noqa: E402
import numpy as np  # noqa: E402

import tinygan  # noqa: E402
from tinygan import optim  # noqa: E402
from tinygan.data import toy2d  # noqa: E402
from tinygan.gan import losses  # noqa: E402
from tinygan.gan.models import MLPDiscriminator, MLPGenerator  # noqa: E402

LOSSES = {"minimax": losses.g_loss_minimax, "ns": losses.g_loss_nonsaturating}
ANALYTIC = {"minimax": lambda d: -d, "ns": lambda d: -(1 - d)}    # d loss / d logit, per sample
TABLE_D = (1e-4, 1e-3, 1e-2, 0.1, 0.5, 0.9, 0.99)
D_LR = 5e-4                      # the trainer's Adam for the 2-D GANs (tinygan/gan/train.py), β = (0.5, 0.999)
PRETRAIN_LR = 2e-3               # D's pre-training: 4× faster, to a confident D in a few hundred steps
# G's optimiser: SGD with momentum, as Goodfellow et al. trained (its step is proportional to the
# gradient), and Adam (its step is divided by the gradient's running RMS, so a small gradient
# still moves G: compare the two in the printout).
G_OPTIMISERS = {"sgd": lambda params: optim.SGD(params, lr=1e-3, momentum=0.9),
                "adam": lambda params: optim.Adam(params, lr=D_LR, betas=(0.5, 0.999))}


def logit_gradients(loss, d_values):
    """∂ loss_i / ∂ logit_i by autograd through `loss` at D = d_values (float64)."""
    d_values = np.asarray(d_values, float)
    logits = tinygan.tensor(np.log(d_values / (1 - d_values))[:, None], dtype=np.float64, requires_grad=True)
    grad, = tinygan.grad(loss(logits), logits)
    return grad.numpy()[:, 0] * len(d_values)          # undo the mean over the batch


class Ring:
    """G and D as `tinygan train gan --data ring` builds them, D already trained to be strong;
    fork() gives each experiment an identical copy of that starting point."""

    def __init__(self, pretrain, seed, batch=100):
        tinygan.manual_seed(seed)
        self.data, self.batch, self.seed = toy2d.ring(), batch, seed
        self.rng = np.random.default_rng(seed)
        self.g = MLPGenerator(nz=2, hidden=64, layers=4)
        self.d = MLPDiscriminator(hidden=64, layers=3)
        self.opt_d = optim.Adam(self.d.parameters(), lr=PRETRAIN_LR, betas=(0.5, 0.999))
        for _ in range(pretrain):               # D alone against the initial, fixed G
            self.d_step(self.fake(grad=False))
        self.opt_d.param_groups[0]["lr"] = D_LR
        self.snapshot = copy.deepcopy({"g": self.arrays(self.g), "d": self.arrays(self.d),
                                       "opt_d": self.opt_d.state_dict(), "rng": tinygan.get_rng_state()})

    @staticmethod
    def arrays(module):
        return {k: v.numpy().copy() for k, v in module.state_dict().items()}

    def fork(self):
        state = copy.deepcopy(self.snapshot)
        self.g.load_state_dict(state["g"])
        self.d.load_state_dict(state["d"])
        self.opt_d.load_state_dict(state["opt_d"])
        tinygan.set_rng_state(state["rng"])
        self.rng = np.random.default_rng(self.seed + 1)

    def fake(self, grad=True):
        with tinygan.set_grad_enabled(grad):
            return self.g(tinygan.randn(self.batch, 2))

    def d_step(self, fake):
        real = tinygan.tensor(self.data.sample(self.batch, self.rng))
        loss = losses.d_loss(self.d(real), self.d(fake.detach()))
        self.opt_d.zero_grad()
        loss.backward()
        self.opt_d.step()

    def output_gradient(self, loss):
        """The per-sample ‖∂ loss / ∂ x‖ at G's outputs x = G(z) for a fresh batch: (mean, median),
        and the mean D(x). The mean is what G's parameters get in aggregate; the median is the
        typical sample's (a few samples near the data, which D is unsure of, dominate the mean)."""
        fake = self.fake(grad=False).requires_grad_()
        logits = self.d(fake)
        grad, = tinygan.grad(loss(logits), fake)
        per_sample = np.linalg.norm(grad.numpy(), axis=1) * self.batch
        return float(per_sample.mean()), float(np.median(per_sample)), float(tinygan.sigmoid(logits).numpy().mean())

    def trace(self, loss, make_opt_g, steps):
        """From the snapshot: `steps` GAN steps (one D step, then one G step on the same batch),
        recording the gradient at G's output and the mean D(G(z)) before each (output_gradient)."""
        self.fork()
        opt_g = make_opt_g(self.g.parameters())
        record = {"grad_mean": [], "grad_median": [], "d_fake": []}
        for _ in range(steps):
            for key, value in zip(record, self.output_gradient(loss)):
                record[key].append(value)
            fake = self.fake()
            self.d_step(fake)
            loss_g = loss(self.d(fake))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
        return record


def main(argv=None):
    def extra(parser):
        parser.add_argument("--pretrain", type=int, default=None, help="D-only steps first (default 1000, quick 500)")
        parser.add_argument("--steps", type=int, default=None, help="GAN steps traced (default 300, quick 40)")
    args = common.parse_args(argv, __doc__, "vanishing_gradients", extra)
    pretrain = args.pretrain if args.pretrain is not None else (500 if args.quick else 1000)
    steps = args.steps or (40 if args.quick else 300)

    # 1. the derivative w.r.t. the logit, by autograd through the project's loss functions
    curve_d = 1 / (1 + np.exp(-np.linspace(-14, 14, 281)))
    curve = {name: logit_gradients(loss, curve_d) for name, loss in LOSSES.items()}
    table = {name: logit_gradients(loss, TABLE_D) for name, loss in LOSSES.items()}
    max_rel_err = max(float(np.max(np.abs(g - ANALYTIC[name](curve_d)) / np.abs(ANALYTIC[name](curve_d))))
                      for name, g in curve.items())
    print("gradient of G's loss w.r.t. D's logit (per sample), by autograd through tinygan.gan.losses:")
    print(common.table(["D(G(z))", "minimax", "by hand: -D", "non-sat.", "by hand: -(1-D)", "|ns / minimax|"],
                       [(d, table["minimax"][i], -d, table["ns"][i], -(1 - d), table["ns"][i] / table["minimax"][i])
                        for i, d in enumerate(TABLE_D)], [".4g", ".6g", ".6g", ".6g", ".6g", ".4g"]))
    print(f"largest relative difference autograd vs by hand over D in [{curve_d[0]:.1e}, 1 − {1 - curve_d[-1]:.1e}]: "
          f"{max_rel_err:.2e}")

    # 2. a strong D on the ring: the gradient that reaches G's output
    with common.one_blas_thread():
        ring = Ring(pretrain, args.seed)
        traces = {f"{loss}/{opt}": ring.trace(LOSSES[loss], make, steps)
                  for opt, make in G_OPTIMISERS.items() for loss in LOSSES}
    marks = sorted({s for s in (0, 1, 2, 3, 5, 10, 20, 50, 100, 200, steps - 1) if s < steps})
    print(f"\nring: D (Adam {D_LR:g}) trained {pretrain} steps alone against the initial G, then {steps} GAN steps;")
    print("mean D(G(z)) and the per-sample ‖∂ loss_G/∂G(z)‖ (mean, median over the batch) before each step:")
    for opt in G_OPTIMISERS:
        mm, ns = traces[f"minimax/{opt}"], traces[f"ns/{opt}"]
        print(f"G by {opt}:")
        print(common.table(["step", "D(G(z)) mm", "|grad| mm", "median mm", "D(G(z)) ns", "|grad| ns", "median ns",
                            "ns/mm mean"],
                           [(s, mm["d_fake"][s], mm["grad_mean"][s], mm["grad_median"][s], ns["d_fake"][s],
                             ns["grad_mean"][s], ns["grad_median"][s], ns["grad_mean"][s] / mm["grad_mean"][s])
                            for s in marks], ["d"] + [".3g"] * 7))
    escape = {name: next((i for i, d in enumerate(r["d_fake"]) if d > 0.1), None) for name, r in traces.items()}
    print("first step at which the mean D(G(z)) exceeds 0.1 (D no longer rejects G's samples): "
          + ", ".join(f"{name} {'never' if i is None else i}" for name, i in escape.items()))

    results = {
        "pretrain": pretrain, "steps": steps, "max_rel_err_vs_analytic": max_rel_err,
        "table": {"d": list(TABLE_D), **{name: g.tolist() for name, g in table.items()}},
        "curve": {"d": curve_d.tolist(), **{name: g.tolist() for name, g in curve.items()}},
        "ring": traces, "escape_step": escape,
        "g_optimisers": {"sgd": "SGD lr 0.001 momentum 0.9", "adam": f"Adam {D_LR:g} betas (0.5, 0.999)"},
    }
    plot(args.out, curve_d, curve, traces)
    common.write_json(args.out, "results.json", results)
    return results


def plot(out, curve_d, curve, traces):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(curve_d, np.log1p(-curve_d), label="minimax: log(1 − D)")
    axes[0].plot(curve_d, -np.log(curve_d), label="non-saturating: −log D")
    axes[0].set(title="G's loss against D(G(z))", xlabel="D(G(z))", ylim=(-5, 5))
    axes[1].loglog(curve_d, np.abs(curve["minimax"]), label="minimax: |∂/∂ℓ| = D")
    axes[1].loglog(curve_d, np.abs(curve["ns"]), label="non-saturating: |∂/∂ℓ| = 1 − D")
    axes[1].set(title="|gradient w.r.t. D's logit ℓ| (autograd)", xlabel="D(G(z))")
    for ax in axes:
        ax.axvspan(curve_d[0], 0.01, color="0.92", zorder=-1)     # where a strong D puts G's samples
        ax.legend(fontsize=8)
    common.save_figure(fig, out, "gradients.png")

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    colours = {"minimax": "tab:blue", "ns": "tab:orange"}
    for name, record in traces.items():
        loss, opt = name.split("/")
        style = dict(color=colours[loss], ls="-" if opt == "sgd" else ":",
                     label=f"{'minimax log(1 − D)' if loss == 'minimax' else 'non-saturating −log D'}, G by {opt}")
        for ax, key in zip(axes, ("grad_mean", "grad_median", "d_fake")):
            ax.semilogy(record[key], **style)
    for ax, title in zip(axes, ("mean per-sample ‖∂ loss_G / ∂ G(z)‖", "median per-sample ‖∂ loss_G / ∂ G(z)‖",
                                "mean D(G(z))")):
        ax.set(title=title, xlabel="GAN step (after D's pre-training)", xscale="symlog")
        ax.legend(fontsize=7)
    common.save_figure(fig, out, "training.png")


if __name__ == "__main__":
    main()
