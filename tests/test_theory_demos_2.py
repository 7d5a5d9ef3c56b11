"""Theory-lab demos 14–16 (issue #12): each --quick run is checked against the theory it
illustrates — closed forms, bounds and binomial bands — not against numbers the demo printed."""
import json
import math

import numpy as np
import pytest
from scipy import stats

from demo_loader import load_demo

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LOG2 = math.log(2)




def assert_png(path):
    assert path.exists(), path
    assert path.read_bytes()[:8] == PNG_MAGIC, path


def test_convergence_theorem_demo_w_converges_where_kl_and_jsd_do_not(tmp_path):
    r = load_demo("14_convergence_theorem").main(["--quick", "--out", str(tmp_path)])
    for key in ("disjoint", "gaussian", "overlap"):
        seq = r[key]
        t, theta = np.array(seq["t"]), np.array(seq["theta"])
        finite = np.isfinite(t)
        assert np.isinf(t[-1]) and theta[-1] == 0 and finite[:-1].all()
        assert np.allclose(theta[finite], 1 / t[finite])
        # W(π, p_t) = |θ_t| for a pure shift (segment, location, uniform), so it decreases to 0
        assert np.allclose(seq["W"], np.abs(theta), rtol=1e-6, atol=1e-12), key
        assert np.all(np.diff(seq["W"]) < 0), key
        # in the limit (θ = 0) the two laws coincide: every divergence is 0
        for name in ("W", "KL", "KL_reverse", "JSD"):
            assert seq[name][-1] == pytest.approx(0, abs=1e-12), (key, name)

    # A. disjoint supports: KL = ∞ both ways and JSD = log 2 for every finite t, though W → 0
    a = r["disjoint"]
    assert all(math.isinf(v) and v > 0 for v in a["KL"][:-1] + a["KL_reverse"][:-1])
    assert np.allclose(a["JSD"][:-1], LOG2, atol=1e-12)
    assert a["W"][-2] < 1e-3                        # W at t = 1024 is already ≈ 0

    # B. Gaussians N(θ, 1) vs N(0, 1): KL = θ²/2 both ways, JSD → 0 like θ²/8 (Fisher information / 8)
    b = r["gaussian"]
    theta = np.array(b["theta"])
    assert np.allclose(b["KL"], theta ** 2 / 2, rtol=1e-9, atol=1e-15)
    assert np.allclose(b["KL_reverse"], theta ** 2 / 2, rtol=1e-9, atol=1e-15)
    j = np.array(b["JSD"])
    assert np.all(np.diff(j) < 0) and np.all(j[:-1] > 0)
    assert np.all(j <= 0.25 * (np.array(b["KL"]) + np.array(b["KL_reverse"])) + 1e-15)   # JSD ≤ J/4 (Lin 1991)
    small = (theta > 0) & (theta <= 1 / 16)
    assert np.allclose(j[small] / (theta[small] ** 2 / 8), 1, rtol=0.01)
    assert np.allclose(b["JSD_binned"], j, rtol=1e-3, atol=1e-12)   # library jsd on bins = quadrature

    # C. overlapping uniforms: JSD = θ log 2 → 0 and W → 0 while KL stays ∞ (JSD → 0 ⇏ KL → 0)
    c = r["overlap"]
    theta = np.array(c["theta"])
    assert all(math.isinf(v) for v in c["KL"][:-1] + c["KL_reverse"][:-1])
    assert np.allclose(c["JSD"], theta * LOG2, rtol=1e-9, atol=1e-14)

    # the θ-sweep of the lecture's example (WGAN Fig. 1): W = |θ| continuous, JSD jumps at 0
    s = r["theta_sweep"]
    th = np.array(s["theta"])
    assert np.allclose(s["W"], np.abs(th), atol=1e-9)
    assert np.allclose(np.array(s["JSD"])[np.abs(th) > 1e-9], LOG2)
    assert min(s["JSD"], key=abs) == pytest.approx(0, abs=1e-12)
    assert_png(tmp_path / "convergence.png")
    assert json.loads((tmp_path / "convergence.json").read_text())["disjoint"]["KL"][0] == math.inf


def test_likelihood_pitfalls_demo_copies_and_noise_mixture(tmp_path):
    r = load_demo("15_likelihood_pitfalls").main(["--quick", "--out", str(tmp_path)])
    for name, dim in (("digits", 64), ("dsprites", 256)):
        d = r[name]
        assert d["dim"] == dim
        kde = list(d["kde"].values())
        best = next(v for v in kde if v["validated"])
        tiny = [v for v in kde if not v["validated"] and v["sigma"] <= 0.02]
        assert tiny
        for v in tiny:
            # each training image sits on its own kernel: log p₁(x_i)/D ≥ −½ log(2πσ²) − (log n)/D
            floor = -0.5 * math.log(2 * math.pi * v["sigma"] ** 2) - math.log(d["n_train"]) / dim
            assert v["train"] >= floor - 1e-9, (name, v)
            assert v["train"] > 2 and v["test"] < -10 and v["train"] - v["test"] > 10, (name, v)
        # the smaller σ, the better on train and the worse on test
        order = sorted(kde, key=lambda v: v["sigma"])
        small = [v for v in order if v["sigma"] <= best["sigma"]]
        assert all(u["train"] > w["train"] for u, w in zip(small, small[1:]))
        assert all(u["test"] < w["test"] for u, w in zip(small, small[1:]))
        assert best["val"] >= max(v["val"] for v in kde) - 1e-12 and best["test"] > max(v["test"] for v in tiny) + 10

        # samples of the tiny-σ KDE are copies: at distance ≈ σ√D (a χ_D radius) from their source
        c = d["copies"]
        radius = c["sigma"] * math.sqrt(dim)
        assert c["fraction_nn_is_source"] == 1.0
        assert c["sample_to_train"]["median"] == pytest.approx(radius, rel=0.1)
        assert c["sample_to_train"]["max"] < 1.5 * radius
        assert c["test_to_train"]["min"] > 2 * c["sample_to_train"]["max"]
        assert c["test_to_train"]["median"] > 5 * c["sample_to_train"]["median"]

        # p₂ = 0.01 p + 0.99 U[0,1]^D: log p₂ ≥ log p − log 100 at every test point, with the exact mixture
        m = d["mixture"]
        bound = math.log(100) / dim
        assert m["bound_per_dim"] == pytest.approx(bound)
        log_p, log_p2 = np.array(m["log_p_test"]), np.array(m["log_p2_test"])
        assert len(log_p) == d["n_test"]
        assert np.all(log_p2 >= log_p - math.log(100) - 1e-9)
        assert np.allclose(log_p2, np.logaddexp(math.log(0.01) + log_p, math.log(0.99)), rtol=1e-10, atol=1e-10)
        assert m["gap_per_dim_max"] <= bound + 1e-9 and m["gap_per_dim_mean"] <= bound + 1e-9
        assert m["gap_per_dim_mean"] == pytest.approx((log_p - log_p2).mean() / dim)
        assert m["test_ll_p2"] > best["test"] - bound - 1e-9
        assert m["test_ll_p2"] > max(v["test"] for v in tiny) + 10        # 99 % noise beats the copier
        # ... and 99 % of its samples are noise (binomial band of ±4 standard deviations)
        band = 4 * math.sqrt(0.99 * 0.01 / m["samples"])
        assert abs(m["noise_fraction_drawn"] - 0.99) <= band
        assert abs(m["noise_fraction_classified"] - 0.99) <= band and m["classification_agrees"] >= 0.99
        assert_png(tmp_path / f"likelihood_{name}.png")
    assert (tmp_path / "likelihood.json").exists()


def test_two_sample_tests_demo_calibration_and_power(tmp_path):
    demo = load_demo("16_two_sample_tests")
    r = demo.main(["--quick", "--out", str(tmp_path)])
    cal = r["calibration"]
    reps, n = cal["reps"], cal["n"]
    top = stats.binom.ppf(0.999, reps, 0.05)          # an exact level-0.05 test rejects ~ Bin(reps, ≤ 0.05)
    for test, c in cal["tests"].items():
        p = np.array(cal["pvalues"][test])
        assert len(p) == reps and np.all((p > 0) & (p <= 1))
        assert c["rejections"] == int(np.sum(p <= 0.05)) and c["ci95"][0] <= c["rate"] <= c["ci95"][1]
        assert c["rejections"] <= top, (test, c)
    for test in ("MMD", "1-NN"):                      # permutation p-values are uniform under H0
        assert stats.kstest(cal["pvalues"][test], "uniform").pvalue > 1e-3, test
    assert np.mean(cal["pvalues"]["C2ST"]) > 0.4        # binomial p-values: discrete, super-uniform
    # the statistics under H0: E MMD²_u = 0, held-out accuracy ½, 1-NN accuracy (n−1)/(2n−1)
    mmd = cal["tests"]["MMD"]
    assert abs(mmd["mean_statistic"]) < 4 * mmd["sd_statistic"] / math.sqrt(reps)     # unbiased
    assert cal["tests"]["C2ST"]["mean_statistic"] == pytest.approx(0.5, abs=4 * 0.5 / math.sqrt(reps * n))
    assert cal["tests"]["1-NN"]["mean_statistic"] == pytest.approx((n - 1) / (2 * n - 1), abs=0.03)

    for kind, strong in (("mean shift", ("MMD", "C2ST")), ("scale", ("MMD", "C2ST", "1-NN"))):
        block = r["power"][kind]
        assert block["n"] == sorted(block["n"])
        for test, rows in block["tests"].items():
            rates = [row["rate"] for row in rows]
            assert rates[-1] > rates[0], (kind, test, rates)              # power grows with n ...
            assert rows[-1]["ci95"][0] > 0.05, (kind, test, rows[-1])      # ... and is clearly above α
            if test in strong:
                assert rates[-1] >= rates[0] + 0.3, (kind, test, rates)
        assert block["tests"]["MMD"][-1]["rate"] >= 0.9, kind          # a clear shift at the largest n
    assert block["tests"]["C2ST"][-1]["rate"] >= 0.9 and block["tests"]["1-NN"][-1]["rate"] >= 0.9   # scale

    # the 1-NN permutation test: exact p-values, here checked on two clearly different samples
    rng = np.random.default_rng(0)
    acc, p = demo.nn1_test(rng.standard_normal((60, 2)), rng.standard_normal((60, 2)) + 10, 199, rng)
    assert acc == 1.0 and p == pytest.approx(1 / 200)
    assert_png(tmp_path / "two_sample.png")
    assert json.loads((tmp_path / "two_sample.json").read_text())["calibration"]["reps"] == reps
