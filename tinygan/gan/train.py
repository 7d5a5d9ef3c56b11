"""Training a GAN: on PacGAN's 2-D mixtures (MLP G and D, scored by mode coverage) or on images
(DCGAN, scored by a classifier's Fréchet distance and class coverage).

One step = n_critic discriminator updates, then one generator update. Every random draw (data,
noise, init) comes from tinygan's central generator, so a checkpoint (models, optimisers,
generator state, step, history) resumes bit-identically.
"""
import dataclasses
import functools
import os
import warnings
from dataclasses import asdict, dataclass

import numpy as np

import tinygan
from tinygan import files, optim, random
from tinygan.data import images as image_data
from tinygan.data import toy2d
from tinygan.gan import losses, plots, tricks, unrolled
from tinygan.gan.models import (PACGAN_D_WIDTH, DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator,
                                PacGANDiscriminator, PacGANGenerator)
from tinygan.divergences import sinkhorn_divergence, wasserstein1_points
from tinygan.metrics.toy2d import NUM_SAMPLES, mode_stats
from tinygan.metrics.two_sample import mmd2
from tinygan.tensorboard import run_log
from tinygan.options import option
from tinygan.training import check_range, check_schedule, first_segment, fit, load_saved_run

LOSSES = ("minimax", "ns", "wgan", "wgan-gp", "mmd", "sinkhorn")
FIXED_TESTS = ("mmd", "sinkhorn")     # G trained against a fixed two-sample statistic: no D at all
IMAGE_EVAL_SAMPLES = 1000


def _given(value):
    """None means "the method's own"; so do 0 and "", how the options spelled it before (and how
    checkpoints of that time store it)."""
    return None if value in (None, 0, "") else value


@dataclass
class Config:
    """A GAN run's options; `tinygan train gan` has one --option per field (tinygan/options.py).
    None: the method's own value, resolved by check()."""
    data: str = option("ring", "ring | grid (2-D) | shapes | digits | idx:PATH (images)")
    model: str | None = option(None, "mlp (2-D data) | pacgan (2-D data: PacGAN's own G and D, maxout D) | dcgan "
                                     "(images); default: mlp or dcgan, the one that fits --data")
    loss: str = option("ns", "mmd (GMMN) and sinkhorn train G against a fixed two-sample test, with no D (2-D data)",
                       choices=LOSSES)
    pack: int = option(1, "PacGAN: samples per discriminator input")
    steps: int = option(2000, "training steps (the 2-D learning rate decays to 0 over them)")
    batch: int | None = option(None, "default: 100 (mlp, as VEEGAN/PacGAN), 64 (dcgan; the DCGAN paper used 128)")
    lr: float | None = option(None, "default: the method's own (see _optimisers in tinygan/gan/train.py)")
    d_steps: int | None = option(None, "discriminator (critic) updates per generator update, each on a fresh batch; "
                                       "default: 5 (wgan, wgan-gp), 1 (the others)", metavar="K")
    nz: int | None = option(None, "latent size; default 2 (mlp), 64 (dcgan)")
    width: int | None = option(None, "hidden units (mlp; default 64, 256 for wgan/wgan-gp), D's maxout units "
                                     "(pacgan; default 200, G gets 2x) or ngf = ndf (dcgan; default 32)")
    image_size: int = option(32, "32 or 64 (dcgan)")
    seed: int = option(0, "the seed of every random draw (data, noise, init)")
    label_smoothing: bool = option(False, "one-sided: real targets 0.9")
    feature_matching: bool = option(False, "G matches D's hidden-layer means")
    instance_noise: float = option(0.0, "Gaussian noise on D's inputs, σ annealed linearly from SIGMA0 to 0 "
                                        "over the run", metavar="SIGMA0")
    unrolled: int = option(0, "unrolled GAN: G's loss against D after K steps (0: off)", metavar="K")
    unrolled_stop_gradient: bool = option(False, "the cheaper unrolled variant: no gradient through the "
                                                 "unrolled D steps")
    vbn: bool = option(False, "virtual batch norm in G (reference batch of --batch codes)")
    eval_every: int = option(500, "evaluate (and draw samples) every N steps")
    checkpoint_every: int = option(1000, "write OUT/checkpoint.npz every N steps")

    @property
    def images(self):
        return self.model == "dcgan"

    def check(self):
        """Validate (one clear line per problem); return a copy with the method's defaults filled in
        (this Config is left as it is)."""
        if self.loss not in LOSSES:
            raise ValueError(f"train gan: unknown --loss {self.loss!r}; choose one of {LOSSES}")
        is_image = image_data.is_image_data(self.data)
        if not is_image and self.data not in toy2d.DATASETS:
            raise ValueError(f"train gan: unknown dataset --data {self.data!r}; choose one of "
                             f"{', '.join(sorted(toy2d.DATASETS))} (2-D) or shapes, digits, idx:PATH (images)")
        model = _given(self.model) or ("dcgan" if is_image else "mlp")
        if model not in ("mlp", "pacgan", "dcgan") or (model == "dcgan") != is_image:
            raise ValueError(f"train gan: --model {model} does not fit --data {self.data}; use --model mlp|pacgan "
                             "with ring|grid and --model dcgan with shapes|digits|idx:PATH")
        images = model == "dcgan"
        cfg = dataclasses.replace(
            self, model=model, lr=_given(self.lr),
            batch=_given(self.batch) or (64 if images else 100),
            nz=_given(self.nz) or (64 if images else 2),
            d_steps=None if self.loss in FIXED_TESTS
            else _given(self.d_steps) or (5 if self.loss.startswith("wgan") else 1),
            width=_given(self.width) or (32 if images else PACGAN_D_WIDTH if model == "pacgan"
                                         else 256 if self.loss.startswith("wgan") else 64))
        if self.loss in FIXED_TESTS and _given(self.d_steps) is not None:
            raise ValueError(f"train gan: --d-steps counts discriminator updates; --loss {self.loss} has no "
                             "discriminator")
        if cfg.d_steps is not None and (not isinstance(cfg.d_steps, int) or cfg.d_steps < 1):
            raise ValueError(f"train gan: --d-steps must be a whole number >= 1, got {cfg.d_steps}")
        if cfg.pack < 1 or cfg.batch < 2 or cfg.nz < 1 or cfg.width < 1:
            raise ValueError(f"train gan: need --pack >= 1, --batch >= 2, --nz >= 1, --width >= 1 (got {cfg.pack}, "
                             f"{cfg.batch}, {cfg.nz}, {cfg.width})")
        check_schedule("train gan", cfg)
        if cfg.loss in FIXED_TESTS and (cfg.images or cfg.pack > 1 or cfg.label_smoothing or cfg.feature_matching
                                         or cfg.unrolled or cfg.instance_noise):
            raise ValueError(f"train gan: --loss {cfg.loss} trains G against a fixed test on 2-D data: no "
                             "--model dcgan, --pack, --label-smoothing, --feature-matching, --unrolled or "
                             "--instance-noise (they change a discriminator it does not have)")
        if cfg.label_smoothing and cfg.loss.startswith("wgan"):
            raise ValueError("train gan: --label-smoothing applies to the cross-entropy losses, not to --loss "
                             f"{cfg.loss} (a critic has no labels)")
        if cfg.feature_matching and cfg.loss not in ("minimax", "ns"):
            raise ValueError("train gan: --feature-matching replaces the generator loss of --loss minimax|ns, "
                             f"not of --loss {cfg.loss}")
        if cfg.unrolled < 0 or (cfg.unrolled and cfg.loss not in ("minimax", "ns")):
            raise ValueError(f"train gan: --unrolled K needs K >= 0 and --loss minimax|ns (got K={cfg.unrolled}, "
                             f"--loss {cfg.loss})")
        if cfg.unrolled and cfg.feature_matching:
            raise ValueError("train gan: choose one of --unrolled and --feature-matching (both replace G's loss)")
        if cfg.vbn and cfg.model == "pacgan":
            raise ValueError("train gan: --vbn replaces the BatchNorm of --model mlp's generator; --model pacgan "
                             "keeps PacGAN's own (BatchNorm)")
        if cfg.vbn and cfg.loss.startswith("wgan") and not cfg.images:
            raise ValueError(f"train gan: --vbn normalises G's BatchNorm layers; the 2-D --loss {cfg.loss} "
                             "generator has none (Gulrajani et al.'s toy recipe)")
        if cfg.images and (cfg.unrolled or cfg.vbn):
            raise ValueError("train gan: --unrolled and --vbn are implemented for --model mlp only "
                             "(unrolling a conv discriminator costs K double-backward passes per step)")
        if cfg.images and cfg.image_size not in (32, 64):
            raise ValueError(f"train gan: --image-size must be 32 or 64, got {cfg.image_size}")
        if cfg.lr is not None:               # None keeps the method's own learning rate
            check_range("train gan", "--lr", cfg.lr, 0, 1, low_open=True)
        check_range("train gan", "--instance-noise", cfg.instance_noise, 0, 10)
        return cfg


def _optimisers(cfg, g, d):
    """Each paper's own settings: WGAN RMSprop 5e-5 (Arjovsky et al.), WGAN-GP Adam 1e-4 β=(0.5, 0.9)
    (Gulrajani et al.), DCGAN Adam 2e-4 β₁ = 0.5 (Radford et al.). The cross-entropy GANs on 2-D data
    use Adam 5e-4 β₁ = 0.5 with the linear decay of _learning_rate: on the ring, 1e-4 without decay
    reached 49 % HQ after 4 000 steps and 64-84 % after 10-20 000; 5e-4 decayed reached 95 %.
    The fixed tests (GMMN, Sinkhorn) have no D: only G's Adam, 1e-3 (Li et al. 2015 used 2e-3 with SGD
    momentum; Adam 1e-3 decayed reached 8 / 8 ring modes in 2 000 steps here)."""
    if cfg.loss in FIXED_TESTS:
        return optim.Adam(g.parameters(), lr=1e-3 if cfg.lr is None else cfg.lr, betas=(0.5, 0.999)), None, 0
    if cfg.loss == "wgan":
        make, lr, extra = optim.RMSprop, 5e-5, {}
    elif cfg.loss == "wgan-gp":
        make, lr, extra = optim.Adam, 1e-4, {"betas": (0.5, 0.9)}
    else:
        make, lr, extra = optim.Adam, 2e-4 if cfg.images else 5e-4, {"betas": (0.5, 0.999)}
    lr = lr if cfg.lr is None else cfg.lr
    # the D updates per G update: cfg.d_steps, resolved by Config.check (5 for the WGANs, 1 otherwise)
    return make(g.parameters(), lr=lr, **extra), make(d.parameters(), lr=lr, **extra), cfg.d_steps


def _learning_rate(cfg, base, step, start=0):
    """2-D runs decay the learning rate linearly to 0 (as WGAN-GP's code does): the ring's σ = 0.01
    modes need the last steps to be small. DCGAN keeps it constant, as in the paper. `start`: the
    first step of the current segment (an extended run restarts the decay there: training.py)."""
    return base if cfg.images else base * (1.0 - (step - start) / (cfg.steps - start))


class Run:
    """Models, optimisers, data and history of one training run."""
    KIND = "gan"

    def __init__(self, cfg):
        self.cfg = cfg = cfg.check()          # the resolved copy: the caller's Config is not changed
        tinygan.manual_seed(cfg.seed)
        if cfg.images:
            channels = image_data.CHANNELS
            self.g = DCGANGenerator(cfg.nz, cfg.width, channels, cfg.image_size)
            self.d = DCGANDiscriminator(cfg.width, channels, cfg.image_size, cfg.pack, batchnorm=cfg.loss != "wgan-gp")
        elif cfg.model == "pacgan":
            # PacGAN's own 2-D nets (Lin et al. 2018; sizes from their released code, gan/models.py):
            # G 4 × 400 ReLU + BatchNorm, D 3 maxout layers of 200 units × 5 pieces; --width scales both
            self.g = PacGANGenerator(nz=cfg.nz, hidden=2 * cfg.width)
            self.d = None if cfg.loss in FIXED_TESTS else PacGANDiscriminator(pack=cfg.pack, hidden=cfg.width)
        elif cfg.loss.startswith("wgan"):
            # Gulrajani et al.'s toy recipe (their gan_toy.py): ReLU MLPs without BatchNorm — BN in G
            # made the critic's job a moving target and the 2-D runs collapsed to 3 of 8 ring modes
            self.g = MLPGenerator(nz=cfg.nz, hidden=cfg.width, layers=3, norm="none")
            self.d = MLPDiscriminator(pack=cfg.pack, hidden=cfg.width, layers=3)
        else:
            self.g = MLPGenerator(nz=cfg.nz, hidden=cfg.width, layers=4, norm="vbn" if cfg.vbn else "bn",
                                  reference_size=cfg.batch)
            self.d = None if cfg.loss in FIXED_TESTS else MLPDiscriminator(pack=cfg.pack, hidden=cfg.width, layers=3)
        self.opt_g, self.opt_d, self.n_critic = _optimisers(cfg, self.g, self.d)
        self.base_lr = self.opt_g.param_groups[0]["lr"]
        self.step, self.history = 0, {"step": [], "losses": [], "eval": []}
        self.segments = first_segment(cfg)
        self._judge = None

    @functools.cached_property
    def dataset(self):
        """The training data, loaded on first use: sampling a saved run never needs it."""
        if self.cfg.images:
            return image_data.get(self.cfg.data, self.cfg.image_size)
        return toy2d.get(self.cfg.data)

    def _real(self, n):
        return tinygan.tensor(self.dataset.sample(n, random.generator()))

    def _d_loss(self, real, fake):
        if self.cfg.loss.startswith("wgan"):
            loss = losses.critic_loss_wasserstein(self.d(real), self.d(fake))
            if self.cfg.loss == "wgan-gp":
                # λ = 10 for images (the paper); λ = 0.1 on the 2-D mixtures, as their gan_toy.py
                weight = 10.0 if self.cfg.images else 0.1
                loss = loss + losses.gradient_penalty(self.d, real, fake, weight=weight, pack=self.cfg.pack)
            return loss
        return losses.d_loss(self.d(real), self.d(fake), 0.9 if self.cfg.label_smoothing else 1.0)

    def _g_loss(self, fake):
        if self.cfg.unrolled:
            g_loss = losses.g_loss_minimax if self.cfg.loss == "minimax" else losses.g_loss_nonsaturating
            return unrolled.unrolled_generator_loss(
                self.d, g_loss, self._noisy(self._real(fake.shape[0])), fake, self.cfg.unrolled, adam=self.opt_d,
                through=not self.cfg.unrolled_stop_gradient, real_target=0.9 if self.cfg.label_smoothing else 1.0)
        if self.cfg.feature_matching:
            real = self._noisy(self._real(fake.shape[0]))
            return tricks.feature_matching_loss(self.d.features(real), self.d.features(fake))
        scores = self.d(fake)
        return {"minimax": losses.g_loss_minimax, "ns": losses.g_loss_nonsaturating}.get(
            self.cfg.loss, losses.g_loss_wasserstein)(scores)

    def _noisy(self, x):
        start = self.segments[-1]["start"]
        sigma = tricks.annealed_sigma(self.step - start, self.cfg.steps - start, self.cfg.instance_noise)
        return tricks.instance_noise(x, sigma)

    def _fixed_test_step(self):
        """G minimises a two-sample statistic between a batch of its samples and a data batch."""
        fake = self.g(tinygan.randn(self.cfg.batch, self.cfg.nz))
        real = self._real(self.cfg.batch)
        scale = self.dataset.std
        if self.cfg.loss == "mmd":    # GMMN (Li et al. 2015): MMD² with a sum of Gaussian kernels
            loss = mmd2(fake, real, bandwidth=[scale * k for k in (1, 3, 10, 30, 100)])
        else:                         # Sinkhorn divergence (Genevay et al. 2018), blur 3σ of a mode
            with warnings.catch_warnings():   # a loosely converged potential still gives a usable gradient
                warnings.simplefilter("ignore", RuntimeWarning)
                loss = sinkhorn_divergence(fake, real, (3 * scale) ** 2)
        self.opt_g.zero_grad()
        loss.backward()
        self.opt_g.step()
        self.step += 1
        return {"loss_g": loss.item()}

    def train_step(self):
        lr = _learning_rate(self.cfg, self.base_lr, self.step, self.segments[-1]["start"])
        for opt in (self.opt_g, self.opt_d):
            if opt is not None:
                opt.param_groups[0]["lr"] = lr
        if self.cfg.loss in FIXED_TESTS:
            return self._fixed_test_step()
        n = self.cfg.batch * self.cfg.pack
        for i in range(self.n_critic):
            # G's step reuses the last critic batch, as DCGAN's reference code does: one G forward
            # fewer per step; only that batch keeps its graph
            with tinygan.set_grad_enabled(i == self.n_critic - 1):
                fake = self.g(tinygan.randn(n, self.cfg.nz))
            loss_d = self._d_loss(self._noisy(self._real(n)), self._noisy(fake.detach()))
            self.opt_d.zero_grad()
            loss_d.backward()
            self.opt_d.step()
            if self.cfg.loss == "wgan":
                losses.clip_weights(self.d, 0.01)
        loss_g = self._g_loss(self._noisy(fake))
        self.opt_g.zero_grad()
        loss_g.backward()
        self.opt_g.step()
        self.step += 1
        return {"loss_d": loss_d.item(), "loss_g": loss_g.item()}

    def sample(self, n, seed=None):
        """n generated points (N, 2) or images (N, C, H, W) in [−1, 1]. The noise comes from a private
        generator (seeded by the run's seed and step unless given), so evaluating never shifts the
        training's random stream: a run resumes bit-identically whatever the evaluation schedule."""
        rng = np.random.default_rng([self.cfg.seed, self.step] if seed is None else seed)
        self.g.eval()
        out = []
        with tinygan.no_grad():
            for start in range(0, n, 500):       # bounded memory for large image requests
                z = rng.standard_normal((min(500, n - start), self.cfg.nz)).astype(np.float32)
                out.append(self.g(tinygan.tensor(z)).numpy())
        self.g.train()
        return np.concatenate(out)

    def judge(self):
        """The image metrics' classifier, trained once per run (on its own random stream)."""
        if self._judge is None:
            from tinygan.metrics.images import ImageJudge
            self._judge = ImageJudge(self.dataset, IMAGE_EVAL_SAMPLES)
        return self._judge

    def evaluate(self):
        if not self.cfg.images:
            samples = self.sample(NUM_SAMPLES)
            stats = mode_stats(samples, self.dataset)
            if self.step == self.cfg.steps:       # the run's result: two more distances (~3 s)
                stats.update(distances_to_data(samples, self.dataset))
            return stats
        if self.dataset.labels is None:
            return {}
        return self.judge().evaluate(self.sample(IMAGE_EVAL_SAMPLES))

    # ---- checkpoints ------------------------------------------------------------------------
    def _parts(self):
        """The stateful parts by checkpoint key (a fixed-test run has no D and no D optimiser)."""
        parts = {"g": self.g, "d": self.d, "opt_g": self.opt_g, "opt_d": self.opt_d}
        return {k: v for k, v in parts.items() if v is not None}

    def state(self):
        return {**{k: v.state_dict() for k, v in self._parts().items()}, "rng": tinygan.get_rng_state(),
                "step": self.step, "history": self.history, "config": asdict(self.cfg)}

    def load(self, state):
        for key, part in self._parts().items():
            part.load_state_dict(state[key])
        tinygan.set_rng_state(state["rng"])
        self.step, self.history = state["step"], state["history"]


def train(cfg, out, resume=False, progress=True, overwrite=False, extend=False, tensorboard=None):
    """Train (or continue: resume, extend) a run in folder `out`; returns the final metrics dict.
    Pictures (samples, loss curves) are refreshed at every evaluation; an existing run in `out` is
    refused unless resume or overwrite (training.fit). tensorboard: write TensorBoard event files
    (None: when tensorboardX is installed; tinygan/tensorboard.py)."""
    run = Run(cfg)
    cfg = run.cfg                         # resolved: the method's defaults filled in
    run.dataset                           # a bad --data fails here, before the folder is touched
    log = run_log(out, tensorboard)

    def pictures():
        plots.save_run_pictures(run, out)
        log.picture_files(run.step, out, ("samples.png", "classes.png"))

    def finish():
        final = run.history["eval"][-1]   # fit always evaluates (and draws) at the last step
        metrics = {"config": asdict(cfg), "final": final, "segments": run.segments, "evaluations": run.history["eval"]}
        if cfg.images and run.dataset.labels is not None:
            judge = run.judge()
            metrics["classifier"] = {"held_out_accuracy": judge.accuracy, "fd_real_vs_real": judge.real_floor}
        files.write_json(os.path.join(out, "metrics.json"), metrics)
        return final

    return fit(run, out, "train gan", resume=resume, overwrite=overwrite, extend=extend, progress=progress,
               desc=f"{cfg.loss} pack{cfg.pack} {cfg.data}", postfix_keys=("loss_d", "loss_g"),
               on_evaluate=pictures, finish=finish, logger=log)


def distances_to_data(samples, dataset, seed=12345):
    """Exact W₁ (optimal transport between the samples and as many fresh data points, uniform
    weights) and MMD² (Gaussian kernels of σ, 10σ and 100σ for the modes' σ) against data drawn
    from a fixed private stream, so runs are compared against the same points."""
    reference = dataset.sample(len(samples), np.random.default_rng(seed))
    return {"w1": wasserstein1_points(samples, reference),
            "mmd2": mmd2(samples, reference, bandwidth=[dataset.std * k for k in (1, 10, 100)])}


def load_run(run_dir, command="sample"):
    """The Run saved in run_dir/checkpoint.npz (its training data is not read)."""
    return load_saved_run(Run, Config, run_dir, command)


def sample_run(run_dir, n, seed=0):
    """n samples from the generator saved in run_dir/checkpoint.npz."""
    return load_run(run_dir).sample(n, seed)
