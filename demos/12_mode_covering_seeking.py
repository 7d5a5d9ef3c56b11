"""Mode covering vs mode seeking: one Gaussian fitted to a bimodal π by KL(π‖p), KL(p‖π) and JSD.

    python demos/12_mode_covering_seeking.py [--quick] [--seed 0] [--out DIR]

Minimising the forward KL(π‖p) = ∫ π log(π/p) — maximum likelihood — punishes p for missing any
of π's mass: p spreads to cover both modes (for a Gaussian p the optimum is moment matching,
m = E_π x, s² = Var_π x). The reverse KL(p‖π) = ∫ p log(p/π) punishes p for putting mass where π
has none: p locks onto one mode. JSD, the divergence a GAN's optimal discriminator measures
(Goodfellow et al. 2014), is bounded and lies in between: its fit is narrower than the forward
KL's and leans to the heavier mode, and it switches to that mode alone when the other one holds
little mass (the sweep over the weights at the end). (Minka 2005, "Divergence measures and
message passing", MSR-TR-2005-173; Bishop 2006, "Pattern Recognition and Machine Learning",
§10.1.2 and Fig. 10.3.)

p = N(m, s²) with m and log s tinygan Tensors (requires_grad), each divergence a tinygan expression
on a quadrature grid (trapezoidal weights), minimised by Adam from several starts (reverse KL and
JSD have local minima), keeping the lowest. Prints (m, s) of each fit, the three divergences at
each fit, the moment-matching answer, and (m, s) of each fit as the left mode's weight w goes from
0.5 to 0.1; writes fits.png and results.json to --out (default runs/theory/mode_covering_seeking).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))     # for _theory_common

import _theory_common as common  # noqa: E402
import numpy as np  # noqa: E402

import tinygan  # noqa: E402
from tinygan import optim  # noqa: E402

# π: two well separated modes of different weight and width, so a mode-seeking fit says which it took
DATA = common.Mixture1D(weights=(0.35, 0.65), means=(-2.5, 1.5), stds=(0.5, 0.8))
SWEEP = (0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1)     # the weight w of the left mode, for the sweep
QUICK_SWEEP = (0.5, 0.35, 0.2, 0.1)
DISTINCT = 0.05                     # two fits whose m or s differ by more are different local minima
TINY = 1e-300                       # keeps log(π + p) finite where both densities underflow


class Grid:
    """π on a uniform grid with trapezoidal weights, and the divergences to N(m, s²) as tinygan ops."""

    def __init__(self, mixture, n, margin=8.0):
        lo, hi = mixture.support(10.0)
        lo, hi = lo - margin, hi + margin          # room for the tails of a wide p, too (s ≈ 2: ±4 s more)
        self.x = np.linspace(lo, hi, n)
        w = np.full(n, self.x[1] - self.x[0])
        w[[0, -1]] /= 2                                          # the trapezoidal rule
        self.w = tinygan.tensor(w, dtype=np.float64)
        self.xt = tinygan.tensor(self.x, dtype=np.float64)
        self.pi = tinygan.tensor(mixture.pdf(self.x), dtype=np.float64)
        self.log_pi = tinygan.tensor(mixture.logpdf(self.x), dtype=np.float64)

    def log_p(self, m, log_s):
        z = (self.xt - m) / log_s.exp()
        return -0.5 * z * z - log_s - 0.5 * np.log(2 * np.pi)

    def integral(self, values):
        return (values * self.w).sum()

    def forward_kl(self, m, log_s):
        """KL(π‖p) = ∫ π (log π − log p)."""
        return self.integral(self.pi * (self.log_pi - self.log_p(m, log_s)))

    def reverse_kl(self, m, log_s):
        """KL(p‖π) = ∫ p (log p − log π)."""
        log_p = self.log_p(m, log_s)
        return self.integral(log_p.exp() * (log_p - self.log_pi))

    def jsd(self, m, log_s):
        """½ ∫ π log(2π/(π + p)) + ½ ∫ p log(2p/(π + p))."""
        log_p = self.log_p(m, log_s)
        p = log_p.exp()
        log_mix = (self.pi + p + TINY).log() - np.log(2)
        return 0.5 * self.integral(self.pi * (self.log_pi - log_mix) + p * (log_p - log_mix))


DIVERGENCES = {"KL(pi||p)": Grid.forward_kl, "KL(p||pi)": Grid.reverse_kl, "JSD(pi||p)": Grid.jsd}


def starts(mixture):
    """Where the fits start: s = 1 at each mode and at the mixture's mean. Reverse KL and JSD are
    not convex in (m, s) — one local minimum per mode and one covering both can coexist — so
    each divergence is minimised from all of these and the lowest end kept."""
    return [(float(m), 0.0) for m in (*mixture.means, mixture.mean)]


def fit(grid, divergence, steps, start, lr=0.1):
    """Minimise divergence(grid, m, log s) by Adam from start = (m, log s), the learning rate
    decaying linearly to 0 so the last iterates settle: {"m", "s", "value", "start"}."""
    m = tinygan.tensor(start[0], dtype=np.float64, requires_grad=True)
    log_s = tinygan.tensor(start[1], dtype=np.float64, requires_grad=True)
    opt = optim.Adam([m, log_s], lr=lr)
    for step in range(steps):
        opt.param_groups[0]["lr"] = lr * (1 - step / steps)
        value = divergence(grid, m, log_s)
        opt.zero_grad()
        value.backward()
        opt.step()
    with tinygan.no_grad():
        value = divergence(grid, m, log_s).item()
    return {"m": float(m.item()), "s": float(np.exp(log_s.item())), "value": float(value),
            "start": [start[0], float(np.exp(start[1]))]}


def best_fit(grid, divergence, steps, mixture):
    """The lowest of the fits from every start, and the distinct local minima they reached."""
    ends = sorted((fit(grid, divergence, steps, start) for start in starts(mixture)), key=lambda e: e["value"])
    minima = []
    for e in ends:
        if all(abs(e["m"] - o["m"]) > DISTINCT or abs(e["s"] - o["s"]) > DISTINCT for o in minima):
            minima.append(e)
    return {**ends[0], "local_minima": minima}


def evaluate(grid, m, s):
    """The three divergences between π and N(m, s²), on the grid."""
    with tinygan.no_grad():
        mt, log_st = tinygan.tensor(m, dtype=np.float64), tinygan.tensor(np.log(s), dtype=np.float64)
        return {name: float(div(grid, mt, log_st).item()) for name, div in DIVERGENCES.items()}


def main(argv=None):
    args = common.parse_args(argv, __doc__, "mode_covering_seeking")
    steps, n, weights = (250, 1501, QUICK_SWEEP) if args.quick else (1500, 4001, SWEEP)
    grid = Grid(DATA, n)
    fits = {}
    for name, divergence in DIVERGENCES.items():
        fits[name] = best_fit(grid, divergence, steps, DATA)
        fits[name]["divergences"] = evaluate(grid, fits[name]["m"], fits[name]["s"])
    moments = {"m": DATA.mean, "s": float(np.sqrt(DATA.var))}
    moments["divergences"] = evaluate(grid, moments["m"], moments["s"])
    modes = [{"m": mu, "s": sd, "weight": w, "divergences": evaluate(grid, mu, sd)}
             for w, mu, sd in zip(DATA.weights, DATA.means, DATA.stds)]

    print(f"π = {DATA}; p = N(m, s²) fitted by Adam ({steps} steps) on a {n}-point grid over "
          f"[{grid.x[0]:.1f}, {grid.x[-1]:.1f}], from s = 1 and m = "
          + ", ".join(f"{m:.2f}" for m, _ in starts(DATA)) + " (the lowest end kept)")
    names = list(DIVERGENCES)
    rows = [(f"min {k}", f["m"], f["s"], *f["divergences"].values()) for k, f in fits.items()]
    rows.append(("moment match", moments["m"], moments["s"], *moments["divergences"].values()))
    rows += [(f"mode {i + 1} (w={md['weight']})", md["m"], md["s"], *md["divergences"].values())
             for i, md in enumerate(modes)]
    print(common.table(["p", "m", "s", *names], rows, ["", ".4f", ".4f", ".4f", ".4f", ".4f"]))
    fwd, rev = fits["KL(pi||p)"], fits["KL(p||pi)"]
    print(f"forward KL vs moment matching: |Δm| = {abs(fwd['m'] - moments['m']):.2e}, "
          f"|Δs| = {abs(fwd['s'] - moments['s']):.2e}")
    nearest = min(modes, key=lambda md: abs(md["m"] - rev["m"]))
    print(f"reverse KL sits on the mode at {nearest['m']} (σ = {nearest['s']}): "
          f"|Δm| = {abs(rev['m'] - nearest['m']):.3f}, |Δs| = {abs(rev['s'] - nearest['s']):.3f}; "
          f"KL(p‖π) = {rev['value']:.4f} (≈ −log w = {-np.log(nearest['weight']):.4f} for well separated modes)")
    for name, f in fits.items():
        if len(f["local_minima"]) > 1:
            print(f"{name}: {len(f['local_minima'])} local minima reached: "
                  + ", ".join(f"(m {e['m']:.2f}, s {e['s']:.2f}) = {e['value']:.4f}" for e in f["local_minima"]))

    # Which way does JSD lean? It depends on how much mass the minor mode holds: the sweep
    print("\nthe same fits as the weight w of the left mode changes: (m, s) and the divergence minimised")
    sweep = []
    for w in weights:
        mixture = common.Mixture1D((w, 1 - w), DATA.means, DATA.stds)
        g = grid if mixture == DATA else Grid(mixture, n)
        sweep.append({"w": w, **{name: fits[name] if mixture == DATA else best_fit(g, div, steps, mixture)
                                 for name, div in DIVERGENCES.items()}})
    short = {"KL(pi||p)": "fwd", "KL(p||pi)": "rev", "JSD(pi||p)": "jsd"}
    print(common.table(["w", *(f"{short[k]} {q}" for k in names for q in ("m", "s", "value"))],
                       [(r["w"], *(r[k][q] for k in names for q in ("m", "s", "value"))) for r in sweep],
                       [".2f"] + [".3f"] * 9))

    results = {"steps": steps, "sweep": sweep, "grid_points": n,
               "data": {"weights": DATA.weights, "means": DATA.means, "stds": DATA.stds},
               "fits": fits, "moment_matching": moments, "modes": modes}
    plot(args.out, grid.x, DATA.pdf(grid.x), fits, sweep)
    common.write_json(args.out, "results.json", results)
    return results


STYLES = {"KL(pi||p)": ("tab:blue", "forward KL(π‖p): mode covering"),
          "KL(p||pi)": ("tab:red", "reverse KL(p‖π): mode seeking"),
          "JSD(pi||p)": ("tab:green", "JSD(π‖p)")}


def plot(out, x, pi, fits, sweep):
    import matplotlib.pyplot as plt
    fig, (ax, ax_sweep) = plt.subplots(1, 2, figsize=(13, 4), gridspec_kw={"width_ratios": [2, 1]})
    ax.fill_between(x, pi, color="0.8", label="π (data)")
    for name, f in fits.items():
        colour, label = STYLES[name]
        density = np.exp(-0.5 * ((x - f["m"]) / f["s"]) ** 2) / (f["s"] * np.sqrt(2 * np.pi))
        ax.plot(x, density, color=colour, lw=2, label=f"{label}: m = {f['m']:.2f}, s = {f['s']:.2f}")
    ax.set(xlim=(-6, 6), xlabel="x", title=f"one Gaussian p fitted to π (left mode's weight {DATA.weights[0]})")
    ax.legend(fontsize=8)
    w = [r["w"] for r in sweep]
    for name in fits:
        ax_sweep.plot(w, [r[name]["s"] for r in sweep], "o-", color=STYLES[name][0], label=name.replace("pi", "π"))
    ax_sweep.set(xlabel="weight w of the left mode", ylabel="s of the fit", title="fitted width as w changes")
    ax_sweep.legend(fontsize=8)
    common.save_figure(fig, out, "fits.png")


if __name__ == "__main__":
    main()
