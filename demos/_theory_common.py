"""Helpers shared by the theory-lab demos 10-13: the command line, figures, 1-D Gaussian mixtures,
quadrature of divergences between densities, and the loop that trains a discriminator (or a
critic) against two fixed distributions. Not a demo itself (the leading underscore).

The demos import it as `_theory_common`; each puts its own folder on sys.path first, so this
works both for `python demos/1x_....py` and for the tests, which load demos by file path.
"""
import tinygan  # noqa: I001  (first: its threading defaults must be set before NumPy loads its BLAS)
import argparse
import contextlib
import os
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")                 # files only, never a window (and no display needed)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402

from tinygan import files, optim  # noqa: E402

LOG2 = float(np.log(2))
LOG4 = float(np.log(4))


# ---- command line and output files ----------------------------------------------------------------
def parse_args(argv, doc, name, add_arguments=None):
    """--quick, --seed and --out (default runs/theory/<name>); the folder is created."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds): the run the tests make")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("runs", "theory", name))
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    return args


def save_figure(fig, out, filename, dpi=120):
    """fig as out/filename (written atomically), then closed; returns the path."""
    path = os.path.join(out, filename)
    fig.tight_layout()
    files.save_figure(fig, path, dpi=dpi)
    plt.close(fig)
    return path


def write_json(out, filename, obj):
    path = os.path.join(out, filename)
    files.write_json(path, obj)
    return path


def table(headers, rows, formats):
    """A plain-text table (returned, not printed): one format spec per column ('' for str)."""
    widths = [max(len(h), 10) for h in headers]
    lines = ["  ".join(f"{h:>{w}}" for h, w in zip(headers, widths))]
    for row in rows:
        lines.append("  ".join(f"{format(v, f):>{w}}" for v, f, w in zip(row, formats, widths)))
    return "\n".join(lines)


@contextlib.contextmanager
def one_blas_thread():
    """Run the block on one OpenBLAS thread. The demos' matrices are tiny (a few hundred × 64): a
    second BLAS thread gains nothing there and, on a busy 2-core machine, its spin-waiting made
    a small MLP's training step 20-30× slower (1.2 ms vs 30 ms, measured here)."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# ---- 1-D Gaussian mixtures ------------------------------------------------------------------------
@dataclass(frozen=True)
class Mixture1D:
    weights: tuple
    means: tuple
    stds: tuple

    def _arrays(self):
        return (np.asarray(self.weights, float)[:, None], np.asarray(self.means, float)[:, None],
                np.asarray(self.stds, float)[:, None])

    def logpdf(self, x):
        w, mu, sd = self._arrays()
        x = np.asarray(x, float)
        comp = np.log(w) - 0.5 * ((x.reshape(1, -1) - mu) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))
        top = comp.max(axis=0)
        return (top + np.log(np.exp(comp - top).sum(axis=0))).reshape(x.shape)

    def pdf(self, x):
        return np.exp(self.logpdf(x))

    def sample(self, n, rng):
        w, mu, sd = self._arrays()
        k = rng.choice(len(w), size=n, p=w[:, 0])
        return mu[k, 0] + sd[k, 0] * rng.standard_normal(n)

    @property
    def mean(self):
        w, mu, _ = self._arrays()
        return float((w * mu).sum())

    @property
    def var(self):
        w, mu, sd = self._arrays()
        return float((w * (sd ** 2 + mu ** 2)).sum() - self.mean ** 2)

    def support(self, k=8.0):
        """An interval holding all but a negligible (< 1e-15) part of the mass."""
        w, mu, sd = self._arrays()
        return float((mu - k * sd).min()), float((mu + k * sd).max())


# ---- divergences between densities by quadrature ----------------------------------------------------
def _xlogy_ratio(a, b):
    """a log(a / b) with 0 log 0 = 0 (a ≥ 0, b > 0 wherever a > 0)."""
    return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0) / np.where(b > 0, b, 1.0)), 0.0)


def jsd_quadrature(p, q, lo, hi, points=None):
    """JSD(p‖q) = ½ ∫ p log(2p/(p+q)) + ½ ∫ q log(2q/(p+q)) for densities p, q (vectorised
    callables) on [lo, hi], by adaptive quadrature (scipy.integrate.quad); `points`: places
    where the integrand changes fast (the modes), to help the subdivision."""
    def integrand(x):
        a, b = float(p(np.array([x]))[0]), float(q(np.array([x]))[0])
        m = 0.5 * (a + b)
        return float(0.5 * _xlogy_ratio(a, m) + 0.5 * _xlogy_ratio(b, m))
    value, _ = integrate.quad(integrand, lo, hi, points=points, limit=500, epsabs=1e-12, epsrel=1e-10)
    return value


def trapezoid(y, x):
    """∫ y dx on the grid x by the trapezoidal rule (scipy's: NumPy renamed its own in 2.0)."""
    return float(integrate.trapezoid(y, x))


def grid_masses(density, x):
    """The density at the points of a uniform grid as a probability vector (for
    tinygan.divergences.kl / jsd): each point stands for the mass of its cell."""
    mass = np.asarray(density, float) * (x[1] - x[0])
    return mass / mass.sum()


# ---- training a discriminator or a critic against two fixed distributions ---------------------------
def probabilities(d, x, batch=20000):
    """σ(D(x)) and the logits, as NumPy arrays (N,), x an (N, dim) array."""
    logits = logits_of(d, x, batch)
    return 1 / (1 + np.exp(-logits)), logits


def logits_of(d, x, batch=20000):
    with tinygan.no_grad():
        return np.concatenate([d(tinygan.tensor(x[i:i + batch])).numpy()[:, 0] for i in range(0, len(x), batch)])


def train_against(d, sample_real, sample_fake, loss, steps, lr=1e-3, betas=(0.5, 0.999), batch=512,
                  every=0, callback=None):
    """Train d by Adam on loss(d, real, fake) with fresh batches from the two samplers each step,
    the learning rate decaying linearly to 0 (the last steps average out the minibatch noise,
    so d settles at the optimum instead of jittering around it). callback(step), if given, runs
    before step 0, after every `every` steps and at the end. Returns the loss per step."""
    opt = optim.Adam(d.parameters(), lr=lr, betas=betas)
    history = []
    for step in range(steps):
        if callback and every and step % every == 0:
            callback(step)
        opt.param_groups[0]["lr"] = lr * (1 - step / steps)
        value = loss(d, tinygan.tensor(sample_real(batch)), tinygan.tensor(sample_fake(batch)))
        opt.zero_grad()
        value.backward()
        opt.step()
        history.append(value.item())
    if callback:
        callback(steps)
    return history
