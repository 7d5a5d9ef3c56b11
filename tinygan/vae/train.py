"""Training VAE, β-VAE and DIP-VAE-I/II on procedural (noisy) dSprites.

Every random draw (data, reparameterisation noise, init) comes from tinygan's central generator,
so `--resume` continues bit-identically. A run folder holds metrics.json (loss terms, covariance
of q(z), its off-diagonal norm), reconstructions.png, traversals.png (a row per latent),
covariance.png, losses.png and checkpoint.npz.
"""
import dataclasses
import os
from dataclasses import asdict, dataclass

import numpy as np

import tinygan
from tinygan import files, optim, random
from tinygan.data.dsprites import DSprites
from tinygan.tensorboard import run_log
from tinygan.options import option
from tinygan.training import check_range, check_schedule, first_segment, fit, load_saved_run
from tinygan.vae import losses
from tinygan.vae.models import VAE

MODELS = {"vae": {}, "beta-vae": {}, "dip-vae-1": {"dip": "i"}, "dip-vae-2": {"dip": "ii"}}


@dataclass
class Config:
    """A VAE run's options; `tinygan train vae` has one --option per field (tinygan/options.py)."""
    model: str = option("vae", "vae | beta-vae | dip-vae-1 | dip-vae-2")
    data: str = option("dsprites", "dsprites | noisy-dsprites")
    size: int = option(32, "image size (64 as the original dSprites)")
    arch: str = option("conv", "Locatello et al.'s conv encoder/decoder, or an MLP", choices=("conv", "mlp"))
    latents: int = option(10, "latent dimensions")
    beta: float = option(1.0, "the KL weight of --model beta-vae")
    lambda_od: float = option(10.0, "DIP-VAE off-diagonal weight")
    lambda_d: float | None = option(None, "DIP-VAE diagonal weight; default: 10·λ_od (dip-vae-1), λ_od (dip-vae-2), "
                                          "Locatello et al.'s choice")
    steps: int = option(2000, "training steps")
    batch: int = option(64, "images per step")
    lr: float = option(1e-4, "Adam's learning rate (Locatello et al.: 1e-4)")
    seed: int = option(0, "the seed of every random draw (data, noise, init)")
    eval_every: int = option(500, "evaluate every N steps")
    checkpoint_every: int = option(1000, "write OUT/checkpoint.npz every N steps")

    def check(self):
        """Validate (one clear line per problem); return a copy (nothing to resolve here: every
        option has its value), so callers treat both trainers' Configs alike."""
        if self.model not in MODELS:
            raise ValueError(f"train vae: unknown --model {self.model!r}; choose one of {sorted(MODELS)}")
        if self.data not in ("dsprites", "noisy-dsprites"):
            raise ValueError(f"train vae: unknown --data {self.data!r}; choose dsprites or noisy-dsprites")
        if self.beta != 1.0 and self.model != "beta-vae":
            raise ValueError(f"train vae: --beta applies to --model beta-vae, not {self.model}")
        if self.lambda_d is not None and not self.model.startswith("dip-vae"):
            raise ValueError(f"train vae: --lambda-d applies to --model dip-vae-1|dip-vae-2, not {self.model}")
        if self.batch < 2 or self.latents < 1:
            raise ValueError(f"train vae: need --batch >= 2 and --latents >= 1 (got {self.batch}, {self.latents})")
        if self.size not in (32, 64) or self.arch not in ("conv", "mlp"):
            raise ValueError(f"train vae: need --size 32 or 64 and --arch conv|mlp (got {self.size}, {self.arch!r})")
        check_schedule("train vae", self)
        check_range("train vae", "--lr", self.lr, 0, 1, low_open=True)
        check_range("train vae", "--beta", self.beta, 0, 1e4)
        check_range("train vae", "--lambda-od", self.lambda_od, 0, 1e4)
        if self.lambda_d is not None:
            check_range("train vae", "--lambda-d", self.lambda_d, 0, 1e4)
        return dataclasses.replace(self)


class Run:
    KIND = "vae"

    def __init__(self, cfg):
        self.cfg = cfg = cfg.check()          # a checked copy: the caller's Config is not changed
        tinygan.manual_seed(cfg.seed)
        self.data = DSprites(size=cfg.size, noisy=cfg.data == "noisy-dsprites")
        self.model = VAE(cfg.size, 1, cfg.latents, cfg.arch)
        self.opt = optim.Adam(self.model.parameters(), lr=cfg.lr)
        self.step, self.history = 0, {"step": [], "losses": [], "eval": []}
        self.segments = first_segment(cfg)

    def loss_terms(self, x):
        logits, mu, logvar, kl = self.model(x)
        spec = MODELS[self.cfg.model]
        return losses.vae_loss(logits, x, mu, logvar, kl=kl, beta=self.cfg.beta, dip=spec.get("dip"),
                               lambda_od=self.cfg.lambda_od if "dip" in spec else 0.0, lambda_d=self.cfg.lambda_d)

    def train_step(self):
        x = tinygan.tensor(self.data.sample_observations(self.cfg.batch, random.generator()))
        terms = self.loss_terms(x)
        self.opt.zero_grad()
        terms["total"].backward()
        self.opt.step()
        self.step += 1
        return {k: v.item() for k, v in terms.items()}

    def representation(self, x):
        """Encoder means for a batch of observations (what the metrics score)."""
        with tinygan.no_grad():
            return self.model.encode(tinygan.tensor(x))[0].numpy()

    def posterior_covariance(self, n=1000, seed=0):
        """Covariance of q(z) = E[diag σ²] + Cov[μ] on n fresh images (a private generator)."""
        x = self.data.sample_observations(n, np.random.default_rng([seed, self.step]))
        with tinygan.no_grad():
            mu, logvar = self.model.encode(tinygan.tensor(x))
        mu, var = mu.numpy().astype(np.float64), np.exp(logvar.numpy().astype(np.float64))
        return np.cov(mu, rowvar=False, bias=True) + np.diag(var.mean(axis=0))

    def evaluate(self):
        cov = self.posterior_covariance()
        off = cov - np.diag(np.diag(cov))
        return {"offdiag_norm": float(np.sqrt((off ** 2).sum())),
                "diag_mean": float(np.diag(cov).mean())}

    def state(self):
        return {"model": self.model.state_dict(), "opt": self.opt.state_dict(), "rng": tinygan.get_rng_state(),
                "step": self.step, "history": self.history, "config": asdict(self.cfg)}

    def load(self, state):
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        tinygan.set_rng_state(state["rng"])
        self.step, self.history = state["step"], state["history"]


def train(cfg, out, resume=False, progress=True, overwrite=False, extend=False, tensorboard=None):
    """Train (or continue: resume, extend) a run in folder `out`; returns the final metrics dict.
    An existing run in `out` is refused unless resume or overwrite (training.fit). tensorboard:
    write TensorBoard event files, with reconstructions and traversals at each evaluation (None:
    when tensorboardX is installed; tinygan/tensorboard.py)."""
    run = Run(cfg)
    cfg = run.cfg
    log = run_log(out, tensorboard)

    def pictures():
        from tinygan.vae.plots import picture_grids
        log.gray_images(run.step, picture_grids(run))

    def finish():
        final = {**run.history["eval"][-1], **run.history["losses"][-1]}
        files.write_json(os.path.join(out, "metrics.json"),
                         {"config": asdict(cfg), "final": final, "segments": run.segments,
                          "evaluations": run.history["eval"], "covariance": run.posterior_covariance().tolist()})
        from tinygan.vae.plots import save_all
        save_all(run, out)
        return final

    return fit(run, out, "train vae", resume=resume, overwrite=overwrite, extend=extend, progress=progress,
               desc=f"{cfg.model} {cfg.data}", postfix_keys=("total", "kl"), finish=finish,
               on_evaluate=pictures if log.enabled else None, logger=log)


def load_run(run_dir, command="evaluate"):
    return load_saved_run(Run, Config, run_dir, command)
