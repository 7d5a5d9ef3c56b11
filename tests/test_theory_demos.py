"""The theory-lab demos 10-13 (issue #12): each one's --quick run, its numbers checked against the
theory — computed here independently (scipy quadrature, closed forms), not read back from what
the demo printed."""

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from demo_loader import load_demo

LOG2, LOG4 = np.log(2), np.log(4)




def mixture_pdf(mixture, x):
    return sum(w * norm.pdf(x, mu, sd) for w, mu, sd in zip(mixture.weights, mixture.means, mixture.stds))


def assert_pngs(folder, *names):
    for name in names:
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def jsd_by_quad(p, q, lo, hi, points):
    def integrand(x):
        a, b = p(x), q(x)
        m = (a + b) / 2
        return 0.5 * (a * np.log(a / m) if a > 0 else 0.0) + 0.5 * (b * np.log(b / m) if b > 0 else 0.0)
    return integrate.quad(integrand, lo, hi, points=points, limit=400)[0]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("theory")


def test_optimal_discriminator(out):
    demo = load_demo("10_optimal_discriminator")
    r = demo.main(["--quick", "--out", str(out / "10")])
    c = r["curve"]
    x = np.array(c["x"])
    pi, p = mixture_pdf(demo.DATA, x), mixture_pdf(demo.MODEL, x)
    bulk = (pi + p) / 2 >= 0.05                       # where either sample puts real mass
    assert bulk.sum() > 100
    d, d_smooth = np.array(c["d"]), np.array(c["d_smooth"])
    assert np.abs(d - pi / (pi + p))[bulk].max() < 0.05
    alpha = r["alpha"]
    assert np.abs(d_smooth - (1 - alpha) * pi / (pi + p))[bulk].max() < 0.05
    assert d_smooth[bulk].max() < 1 - alpha + 0.03                  # smoothing caps D near 1 − α
    # V(G, D*) = 2 JSD − log 4, the JSD by scipy quadrature of the two mixtures
    jsd = jsd_by_quad(lambda t: mixture_pdf(demo.DATA, t), lambda t: mixture_pdf(demo.MODEL, t), -8, 8,
                      sorted(demo.DATA.means + demo.MODEL.means))
    assert r["jsd_quadrature"] == pytest.approx(jsd, abs=1e-6) and r["jsd_grid"] == pytest.approx(jsd, abs=1e-5)
    v_star = 2 * jsd - LOG4
    assert abs(r["v_quadrature"] - v_star) < 0.01 and abs(r["v_mc"] - v_star) < 0.01
    assert r["v_quadrature"] <= v_star + 1e-9                # D* maximises V: a trained D cannot beat it
    assert r["v_mc"] <= v_star + 4 * r["v_mc_se"]
    assert_pngs(out / "10", "discriminator.png")


def test_vanishing_gradients(out):
    demo = load_demo("11_vanishing_gradients")
    r = demo.main(["--quick", "--out", str(out / "11")])
    d = np.array(r["table"]["d"])
    np.testing.assert_allclose(r["table"]["minimax"], -d, rtol=1e-9)          # d/dℓ log(1 − σ(ℓ)) = −σ(ℓ)
    np.testing.assert_allclose(r["table"]["ns"], -(1 - d), rtol=1e-9)         # d/dℓ −log σ(ℓ) = −(1 − σ(ℓ))
    curve_d = np.array(r["curve"]["d"])
    np.testing.assert_allclose(r["curve"]["minimax"], -curve_d, rtol=1e-9)
    small = d <= 1e-3
    assert np.all(np.abs(np.array(r["table"]["minimax"])[small]) < 1e-2 * np.abs(np.array(r["table"]["ns"])[small]))
    # the ring: a strong D, then the gradient at G's output; every trace starts from the same state
    traces = r["ring"]
    assert len({t["d_fake"][0] for t in traces.values()}) == 1 and traces["minimax/sgd"]["d_fake"][0] < 0.01
    for opt in ("sgd", "adam"):
        mm, ns = traces[f"minimax/{opt}"], traces[f"ns/{opt}"]
        assert mm["grad_mean"][0] < 1e-2 * ns["grad_mean"][0]
        assert mm["grad_median"][0] < 1e-3 * ns["grad_median"][0]
        assert max(mm["d_fake"]) > 0.1                      # ... and still, the minimax G gets there
    assert_pngs(out / "11", "gradients.png", "training.png")


def test_mode_covering_seeking(out):
    demo = load_demo("12_mode_covering_seeking")
    r = demo.main(["--quick", "--out", str(out / "12")])
    w, mu, sd = (np.array(v) for v in (demo.DATA.weights, demo.DATA.means, demo.DATA.stds))
    mean = (w * mu).sum()
    var = (w * (sd ** 2 + mu ** 2)).sum() - mean ** 2
    fwd, rev, js = (r["fits"][k] for k in ("KL(pi||p)", "KL(p||pi)", "JSD(pi||p)"))
    assert fwd["m"] == pytest.approx(mean, abs=1e-3) and fwd["s"] == pytest.approx(np.sqrt(var), abs=1e-3)
    k = np.argmin(np.abs(mu - rev["m"]))                    # mode seeking: on one mode, with its width
    assert abs(rev["m"] - mu[k]) < 0.05 and abs(rev["s"] - sd[k]) < 0.05
    assert rev["s"] < js["s"] < fwd["s"] and min(fwd["m"], rev["m"]) < js["m"] < max(fwd["m"], rev["m"])
    # the demo's grid divergences against scipy quadrature, and each fit the best for its own divergence
    pi = lambda t: mixture_pdf(demo.DATA, t)                                    # noqa: E731
    for fit in (fwd, rev, js):
        q = lambda t: norm.pdf(t, fit["m"], fit["s"])                          # noqa: E731
        forward = integrate.quad(lambda t: pi(t) * (np.log(pi(t)) - norm.logpdf(t, fit["m"], fit["s"])),
                                 -20, 20, points=list(mu), limit=400)[0]
        assert fit["divergences"]["KL(pi||p)"] == pytest.approx(forward, abs=1e-6)
        assert fit["divergences"]["JSD(pi||p)"] == pytest.approx(jsd_by_quad(pi, q, -20, 20, list(mu)), abs=1e-6)
    for name, fit in r["fits"].items():
        assert all(fit["divergences"][name] <= other["divergences"][name] + 1e-9 for other in r["fits"].values())
    sweep = {row["w"]: row for row in r["sweep"]}
    assert sweep[0.5]["JSD(pi||p)"]["s"] > 1.5 and abs(sweep[0.1]["JSD(pi||p)"]["m"] - mu[1]) < 0.1
    assert_pngs(out / "12", "fits.png")


def test_disjoint_supports(out):
    demo = load_demo("13_disjoint_supports")
    r = demo.main(["--quick", "--out", str(out / "13")])
    for row in r["divergences"]:
        theta = row["theta"]
        assert abs(row["w"] - abs(theta)) < 0.06, row                       # W(P0, Pθ) = |θ|
        if theta == 0:
            assert row["jsd"] < 0.05 and np.isfinite(row["kl"])
        else:
            assert row["jsd"] == pytest.approx(LOG2, abs=1e-9) and row["kl"] == np.inf
    for row in r["duels"]:
        theta = row["theta"]
        if theta == 0:
            continue
        assert row["d_on_p0"] > 0.99 and row["d_on_ptheta"] < 0.01, row     # the standard D saturates
        assert row["jsd_from_d"] == pytest.approx(LOG2, abs=0.01)
        assert abs(row["grad_minimax"]) < 0.1 * abs(row["grad_critic"]), row
        # W = |θ|; the penalised critic's optimum is |θ|(1 + |θ|/2λ), slope ±(1 + |θ|/2λ) (see gp_optimum)
        slope = 1 + abs(theta) / (2 * demo.LAMBDA)
        assert row["w_critic"] == pytest.approx(abs(theta) * slope, abs=0.01)
        assert row["grad_critic"] == pytest.approx(np.sign(theta) * slope, abs=0.03)
    trace = next(row for row in r["duels"] if row["theta"] == demo.TRACK)["trace"]
    minimax = [abs(g) for _, g, _ in trace["d"]]
    assert minimax[-1] < 0.3 * max(minimax)                 # the longer D trains, the smaller G's gradient
    # instance noise: JSD of N(0, σ²) and N(θ, σ²), finite, below log 2, increasing in |θ|
    theta = np.array(r["instance_noise"]["theta"])
    for sigma in demo.SIGMAS:
        values = np.array(r["instance_noise"][str(sigma)])
        assert np.all(values <= LOG2 + 1e-12) and values[theta == 0] == pytest.approx(0, abs=1e-12)
        np.testing.assert_allclose(values, values[::-1], atol=1e-9)                      # symmetric in θ
        rising = (theta > 0) & (theta <= 1.0)
        assert np.all(np.diff(values[rising]) > 0) and values[rising].max() < LOG2
        i = np.argmin(np.abs(theta - 0.5))
        expected = jsd_by_quad(lambda t: norm.pdf(t, 0, sigma), lambda t: norm.pdf(t, 0.5, sigma),
                               -12 * sigma, 0.5 + 12 * sigma, [0, 0.5])
        assert values[i] == pytest.approx(expected, abs=1e-7)
    assert_pngs(out / "13", "divergences.png", "discriminator_vs_critic.png", "instance_noise.png")
