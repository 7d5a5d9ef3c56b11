"""Training GANs on the 2-D mixtures (ring, grid) and scoring them with PacGAN's mode metrics.

One step = n_critic discriminator updates, then one generator update. Every random draw (data,
noise, init) comes from tinygan's central generator, so a checkpoint (models, optimisers,
generator state, step, history) resumes bit-identically.
"""
import json
import os
from dataclasses import asdict, dataclass

import numpy as np

import tinygan
from tinygan import optim, random
from tinygan.data import toy2d
from tinygan.gan import losses, tricks, unrolled
from tinygan.gan.models import MLPDiscriminator, MLPGenerator
from tinygan.metrics.toy2d import NUM_SAMPLES, mode_stats
from tinygan.training import fit

LOSSES = ("minimax", "ns", "wgan", "wgan-gp")
UNROLL_LR = 1e-2   # SGD step of the simulated discriminator updates


@dataclass
class Config:
    data: str = "ring"
    loss: str = "ns"
    pack: int = 1
    steps: int = 2000
    batch: int = 100
    nz: int = 2
    g_hidden: int = 400      # G: 4 ReLU+BN layers of 400, D: 3 LeakyReLU layers of 200, the sizes of the
    d_hidden: int = 200      # 2-D experiments in VEEGAN/PacGAN (D there uses maxout units)
    seed: int = 0
    label_smoothing: bool = False
    feature_matching: bool = False
    instance_noise: float = 0.0      # σ₀ of the instance noise, annealed linearly to 0 over the run
    unrolled: int = 0                # K unrolled discriminator steps for G's loss (0: off)
    unrolled_stop_gradient: bool = False
    vbn: bool = False                # VirtualBatchNorm in G (reference batch of `batch` codes)
    eval_every: int = 500
    checkpoint_every: int = 1000

    def check(self):
        if self.loss not in LOSSES:
            raise ValueError(f"train gan: unknown --loss {self.loss!r}; choose one of {LOSSES}")
        if self.pack < 1 or self.batch < 2 or self.steps < 1:
            raise ValueError(f"train gan: need --pack >= 1, --batch >= 2, --steps >= 1 (got {self.pack}, {self.batch}, {self.steps})")
        if self.label_smoothing and self.loss.startswith("wgan"):
            raise ValueError("train gan: --label-smoothing applies to the cross-entropy losses, not to --loss "
                             f"{self.loss} (a critic has no labels)")
        if self.feature_matching and self.loss not in ("minimax", "ns"):
            raise ValueError("train gan: --feature-matching replaces the generator loss of --loss minimax|ns, "
                             f"not of --loss {self.loss}")
        if self.unrolled < 0 or (self.unrolled and self.loss not in ("minimax", "ns")):
            raise ValueError(f"train gan: --unrolled K needs K >= 0 and --loss minimax|ns (got K={self.unrolled}, "
                             f"--loss {self.loss})")
        if self.unrolled and self.feature_matching:
            raise ValueError("train gan: choose one of --unrolled and --feature-matching (both replace G's loss)")
        if self.instance_noise < 0:
            raise ValueError(f"train gan: --instance-noise must be >= 0, got {self.instance_noise}")
        toy2d.get(self.data)
        return self


def _optimisers(cfg, g, d):
    """Each paper's own settings: WGAN RMSprop 5e-5 (Arjovsky et al.), WGAN-GP Adam 1e-4 β=(0.5, 0.9)
    (Gulrajani et al.), the cross-entropy GANs Adam 1e-4 β₁ = 0.5 (on the ring, 2e-4 left HQ lower)."""
    if cfg.loss == "wgan":
        return optim.RMSprop(g.parameters(), lr=5e-5), optim.RMSprop(d.parameters(), lr=5e-5), 5
    if cfg.loss == "wgan-gp":
        return (optim.Adam(g.parameters(), lr=1e-4, betas=(0.5, 0.9)),
                optim.Adam(d.parameters(), lr=1e-4, betas=(0.5, 0.9)), 5)
    return (optim.Adam(g.parameters(), lr=1e-4, betas=(0.5, 0.999)),
            optim.Adam(d.parameters(), lr=1e-4, betas=(0.5, 0.999)), 1)


class Run:
    """Models, optimisers and history of one training run."""

    def __init__(self, cfg):
        self.cfg = cfg.check()
        tinygan.manual_seed(cfg.seed)
        self.dataset = toy2d.get(cfg.data)
        self.g = MLPGenerator(nz=cfg.nz, hidden=cfg.g_hidden, layers=4, norm="vbn" if cfg.vbn else "bn",
                              reference_size=cfg.batch)
        self.d = MLPDiscriminator(pack=cfg.pack, hidden=cfg.d_hidden, layers=3)
        self.opt_g, self.opt_d, self.n_critic = _optimisers(cfg, self.g, self.d)
        self.step, self.history = 0, {"step": [], "losses": [], "eval": []}

    def _real(self, n):
        return tinygan.tensor(self.dataset.sample(n, random.generator()))

    def _d_loss(self, real, fake):
        if self.cfg.loss.startswith("wgan"):
            loss = losses.critic_loss_wasserstein(self.d(real), self.d(fake))
            if self.cfg.loss == "wgan-gp":
                loss = loss + losses.gradient_penalty(self.d, _packed(real, self.cfg.pack), _packed(fake, self.cfg.pack))
            return loss
        return losses.d_loss(self.d(real), self.d(fake), 0.9 if self.cfg.label_smoothing else 1.0)

    def _g_loss(self, fake):
        if self.cfg.unrolled:
            g_loss = losses.g_loss_minimax if self.cfg.loss == "minimax" else losses.g_loss_nonsaturating
            return unrolled.unrolled_generator_loss(
                self.d, g_loss, self._noisy(self._real(fake.shape[0])), fake, self.cfg.unrolled, UNROLL_LR,
                through=not self.cfg.unrolled_stop_gradient, real_target=0.9 if self.cfg.label_smoothing else 1.0)
        if self.cfg.feature_matching:
            real = self._noisy(self._real(fake.shape[0]))
            return tricks.feature_matching_loss(self.d.features(real), self.d.features(fake))
        scores = self.d(fake)
        return {"minimax": losses.g_loss_minimax, "ns": losses.g_loss_nonsaturating}.get(
            self.cfg.loss, losses.g_loss_wasserstein)(scores)

    def _noisy(self, x):
        return tricks.instance_noise(x, tricks.annealed_sigma(self.step, self.cfg.steps, self.cfg.instance_noise))

    def train_step(self):
        n = self.cfg.batch * self.cfg.pack
        for _ in range(self.n_critic):
            fake = self._noisy(self.g(tinygan.randn(n, self.cfg.nz)).detach())
            loss_d = self._d_loss(self._noisy(self._real(n)), fake)
            self.opt_d.zero_grad()
            loss_d.backward()
            self.opt_d.step()
            if self.cfg.loss == "wgan":
                losses.clip_weights(self.d, 0.01)
        loss_g = self._g_loss(self._noisy(self.g(tinygan.randn(n, self.cfg.nz))))
        self.opt_g.zero_grad()
        loss_g.backward()
        self.opt_g.step()
        self.step += 1
        return {"loss_d": loss_d.item(), "loss_g": loss_g.item()}

    def sample(self, n, seed=None):
        """n generated points. The noise comes from a private generator (seeded by the run's seed
        and step unless given), so evaluating never shifts the training's random stream: a run
        resumes bit-identically whatever the evaluation schedule."""
        rng = np.random.default_rng([self.cfg.seed, self.step] if seed is None else seed)
        z = tinygan.tensor(rng.standard_normal((n, self.cfg.nz)).astype(np.float32))
        self.g.eval()
        with tinygan.no_grad():
            out = self.g(z).numpy()
        self.g.train()
        return out

    def evaluate(self):
        return mode_stats(self.sample(NUM_SAMPLES), self.dataset)

    # ---- checkpoints ------------------------------------------------------------------------
    def state(self):
        return {"g": self.g.state_dict(), "d": self.d.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(), "rng": tinygan.get_rng_state(), "step": self.step,
                "history": self.history, "config": asdict(self.cfg)}

    def load(self, state):
        self.g.load_state_dict(state["g"])
        self.d.load_state_dict(state["d"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        tinygan.set_rng_state(state["rng"])
        self.step, self.history = state["step"], state["history"]


def _packed(x, pack):
    """The critic's input points regrouped as packed rows, for the gradient penalty's x̂."""
    return x.reshape(x.shape[0] // pack, x.shape[1] * pack)


def train(cfg, out, resume=False, progress=True):
    """Train (or continue) a run in folder `out`; returns the final metrics dict."""
    run = Run(cfg)
    fit(run, out, resume, progress, "train gan", f"{cfg.loss} pack{cfg.pack} {cfg.data}", ("loss_d", "loss_g"))
    final = run.history["eval"][-1] if run.history["eval"] else {"step": run.step, **run.evaluate()}
    metrics = {"config": asdict(cfg), "final": final, "evaluations": run.history["eval"]}
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    _plot(run, os.path.join(out, "samples.png"), os.path.join(out, "losses.png"))
    return final


def _plot(run, samples_png, losses_png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    pts, centers = run.sample(NUM_SAMPLES), run.dataset.centers
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.4, label="generated")
    ax.scatter(centers[:, 0], centers[:, 1], c="red", marker="x", label="modes")
    final = run.history["eval"][-1] if run.history["eval"] else run.evaluate()
    ax.set_title(f"{run.cfg.loss} pack {run.cfg.pack}, step {run.step}: {final['modes']} modes, HQ {100 * final['hq']:.1f} %")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    fig.savefig(samples_png, dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(run.history["step"], [x["loss_d"] for x in run.history["losses"]], label="D / critic", lw=0.7)
    ax.plot(run.history["step"], [x["loss_g"] for x in run.history["losses"]], label="G", lw=0.7)
    ax.set_xlabel("step")
    ax.legend()
    fig.tight_layout()
    fig.savefig(losses_png, dpi=100)
    plt.close(fig)


def sample_run(run_dir, n, seed=0):
    """n samples from the generator saved in run_dir/checkpoint.npz."""
    path = os.path.join(run_dir, "checkpoint.npz")
    if not os.path.exists(path):
        raise FileNotFoundError(f"sample: no checkpoint.npz in {run_dir}")
    state = tinygan.load(path)
    run = Run(Config(**state["config"]))
    run.load(state)
    return run.sample(n, seed)
