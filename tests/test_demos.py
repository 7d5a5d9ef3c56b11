"""Demos must not rot: each one's --quick mode runs here and its claims are checked."""
import csv
import json

import numpy as np
import pytest

from demo_loader import DEMOS, load_demo





def test_digits_demo_learns_to_97_percent(tmp_path):
    results = load_demo("01_digits_classifier").main(["--quick", "--out", str(tmp_path)])
    assert results["mlp"]["test_accuracy"] >= 0.97
    assert results["convnet"]["test_accuracy"] >= 0.97
    assert json.loads((tmp_path / "metrics.json").read_text())["mlp"]["epochs"] == 20


def test_readme_example_runs(tmp_path, monkeypatch):
    """The API-at-a-glance block in the README is executed (minus `...` placeholders and the GPU switch)."""
    text = (DEMOS.parent / "README.md").read_text()
    code = text.split("```python")[1].split("```")[0]
    code = "\n".join(line for line in code.splitlines() if "..." not in line and "set_backend" not in line)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "ckpt.npz").exists() and namespace["state"]["step"] == 1
    assert namespace["model"][0].weight.grad is not None


def test_toy2d_gan_demo_quick(tmp_path):
    results = load_demo("03_toy2d_gan").main(["--quick", "--out", str(tmp_path)])
    assert set(results) == {"GAN", "PacGAN2"}
    for name in ("ring-GAN", "ring-PacGAN2"):
        assert (tmp_path / name / "metrics.json").exists() and (tmp_path / name / "samples.png").exists()
    assert all(0 <= r["hq"] <= 1 and 0 <= r["modes"] <= 8 for r in results.values())


def test_benchmark_demo_runs_the_quick_bench(tmp_path):
    """The demo script runs the real `tinygan bench --quick` (about 40 s on 2 cores; there is no
    smaller mode) and writes numbers that add up: conv work counted from the printed shapes,
    rates from the times, the PyTorch and import-order ratios from the step times."""
    import re
    import subprocess
    import sys
    from tinygan.kernels import registry
    out = subprocess.run([sys.executable, str(DEMOS / "02_benchmark.py"), "--quick", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads((tmp_path / "bench.json").read_text())
    assert result["quick"] is True and (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"
    assert {r["op"] for r in result["kernels"]} == set(registry.ops())        # every hot op is timed
    for r in result["kernels"]:
        assert "numpy" in registry.get(r["op"], r["impl"]).backends, r    # only CPU kernels on --device cpu
        assert r["ms"] > 0 and r["gflops"] == pytest.approx(r["flops"] / r["ms"] / 1e6), r
        assert r["gbs"] == pytest.approx(r["bytes"] / r["ms"] / 1e6) and r["pct_peak"] > 0, r
        if r["op"].startswith("conv2d"):
            n, c, h, w, o, k, st, pd = map(int, re.fullmatch(r"N(\d+) C(\d+) (\d+)x(\d+)->(\d+) k(\d+) s(\d+) p(\d+)",
                                                           r["shape"]).groups())
            ho, wo = (h + 2 * pd - k) // st + 1, (w + 2 * pd - k) // st + 1
            assert r["flops"] == 2 * n * o * ho * wo * c * k * k, r          # one multiply-add per tap
    steps = {(r["workload"], r["contender"]): r for r in result["steps"]}
    for (workload, contender), r in steps.items():
        assert r["ms"] > 0 and r["min_ms"] <= r["ms"] <= r["max_ms"], r
        if (workload, "torch") in steps and contender != "torch":
            assert r["vs_torch"] == pytest.approx(r["ms"] / steps[workload, "torch"]["ms"])
        if contender == "numpy-first":
            assert r["vs_tinygan_first"] == pytest.approx(r["ms"] / steps[workload, "tinygan-first"]["ms"])
    assert ("dcgan32", "numpy-first") in steps and ("mlp2d", "tinygan-first") in steps
    assert result["peaks"]["gemm_gflops"] > 0 and result["peaks"]["copy_gbs"] > 0
    impls = {(r["op"], r["impl"]) for r in result["kernels"]}
    assert ("conv2d_forward", "numba_cpu") in impls and ("conv2d_forward", "im2col") in impls
    assert ("bce_with_logits", "reference") in impls and ("batch_norm_backward", "numba_cpu") in impls
    assert {r["layer"] for r in result["layers"]} >= {"dcgan32 d0", "dcgan32 g9 (transposed)"}
    with open(tmp_path / "bench.csv") as f:
        assert len(list(csv.DictReader(f))) == len(result["kernels"]) + len(result["layers"]) + len(result["steps"])
    assert "dcgan32 d2" in out.stdout and "fastest here" in out.stdout and "import numpy first" in out.stdout
    assert "DCGAN 32x32" in out.stdout and "wrote" in out.stdout


def test_mode_collapse_table_demo_quick(tmp_path, capsys):
    demo = load_demo("04_mode_collapse_table")
    results = demo.main(["--quick", "--out", str(tmp_path)])
    assert len(results) == len(demo.METHODS) and all(len(v) == 1 for v in results.values())
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved.keys() == results.keys()
    rows = [line.split("|")[1:-1] for line in (tmp_path / "table.md").read_text().splitlines()
            if line.startswith("| ring |")]
    assert [f"ring/{cells[1].strip()}" for cells in rows] == list(results)      # one row per method, in order
    for cells in rows:
        finals = saved[f"ring/{cells[1].strip()}"]
        for cell, key, scale, top in ((cells[3], "modes", 1, 8), (cells[4], "hq", 100, 100), (cells[5], "kl", 1, np.log(8)),
                                      (cells[6], "w1", 1, 10), (cells[7], "mmd2", 1, 6)):     # MMD² ≤ 2 × 3 kernels
            mean, std = (float(v) for v in cell.split("±"))
            values = [scale * f[key] for f in finals]
            assert all(0 <= v <= top + 1e-9 for v in values), (key, values)      # modes of 8, HQ %, KL ≤ log 8
            assert mean == pytest.approx(np.mean(values), abs=0.051) and std == pytest.approx(np.std(values), abs=0.051)
    assert (tmp_path / "ring-samples.png").read_bytes()[:4] == b"\x89PNG"


def test_mode_collapse_table_demo_runs_a_chosen_subset_at_a_chosen_width(tmp_path):
    demo = load_demo("04_mode_collapse_table")
    results = demo.main(["--quick", "--methods", "NS-GAN", "PacGAN2", "--width", "8", "--out", str(tmp_path)])
    assert list(results) == ["ring/NS-GAN", "ring/PacGAN2"]
    assert "8 hidden units" in (tmp_path / "table.md").read_text()
    run = demo.gan_train.load_run(demo.run_folder(str(tmp_path), "ring", "PacGAN2", 0))
    assert run.cfg.width == 8 and run.cfg.pack == 2 and run.g.net[0].weight.shape == (8, 2)


def test_locatello_demo_same_distribution_opposite_verdicts(tmp_path):
    report = load_demo("05_locatello").main(["--quick", "--out", str(tmp_path)])
    # five KS tests at once: a Bonferroni-style bar (over 40 seeds the p-values were uniform, as they should be)
    assert min(report["ks_pvalues"]) > 0.001 and report["joint_mmd_pvalue"] > 0.01
    assert report["min_abs_jacobian_entry"] > 0
    truth, entangled = report["metrics"]["z (true factors)"], report["metrics"]["f(z) (entangled)"]
    for metric in truth:
        assert entangled[metric] < truth[metric], metric
    assert truth["dci_disentanglement"] > 0.9 and entangled["dci_disentanglement"] < 0.5
    noise, constant = report["metrics"]["noise"], report["metrics"]["constant"]
    for metric in ("mig", "dci_disentanglement", "sap"):       # no information about the factors: ≈ 0
        assert noise[metric] < 0.05 and constant[metric] < 1e-9 and truth[metric] > noise[metric] + 0.1, metric
    assert constant["beta_vae"] < 0.25                       # chance: 1 in 5 factors


def test_dip_vae_demo_quick(tmp_path):
    rows = load_demo("06_dip_vae").main(["--quick", "--out", str(tmp_path)])
    assert list(rows) == ["vae", "beta-vae", "dip-vae-1", "dip-vae-2"]
    for name, r in rows.items():
        assert all(np.isfinite(r[k]) for k in ("reconstruction", "kl", "offdiag_norm", "mig", "sap", "dci")), name
        assert (tmp_path / name / "traversals.png").exists()


def test_dcgan_images_demo_quick(tmp_path, cheap_judge):
    results = load_demo("07_dcgan_images").main(["--quick", "--out", str(tmp_path)])
    assert set(results) == {"digits", "shapes"}
    for data, r in results.items():       # the judge's own accuracy is tested at full training in test_gan_images
        assert r["fd"] > r["fd_real_vs_real"]      # 3 steps of G do not fool even the cheap judge
        assert (tmp_path / data / "samples.png").exists() and (tmp_path / f"{data}-real.png").exists()


def test_metric_agreement_spearman_matrix_on_known_rankings():
    demo = load_demo("08_metric_agreement")
    names = list(demo.METRICS)
    base = np.array([0.1, 0.4, 0.2, 0.9])
    columns = {names[0]: base, names[1]: base ** 2, names[2]: -base, names[3]: np.array([0.3, 0.1, 0.4, 0.2]),
               names[4]: np.full(4, 0.5), names[5]: base + 1}
    rows = [{m: float(columns[m][i]) for m in names} for i in range(4)]
    rho = demo.spearman_matrix(rows)
    assert rho[0, 1] == 100 and rho[0, 2] == -100 and rho[0, 5] == 100      # monotone maps keep rank order
    assert np.isnan(rho[4]).all()                                           # a constant metric has no ranking
    # ranks 1 3 2 4 against 3 1 4 2: Σd² = 16, ρ = 1 − 6·16 / (4·15) = −0.6
    assert np.allclose(rho, rho.T, equal_nan=True) and rho[0, 3] == pytest.approx(-60)


def test_metric_agreement_demo_quick(tmp_path):
    rows, rho = load_demo("08_metric_agreement").main(["--quick", "--out", str(tmp_path)])
    assert len(rows) == 3 and rho.shape == (6, 6)
    assert "Locatello" in (tmp_path / "spearman.md").read_text() and (tmp_path / "spearman.png").exists()
    saved = json.loads((tmp_path / "scores.json").read_text())
    assert len(saved["rows"]) == 3
    names = list(load_demo("08_metric_agreement").METRICS)
    scores = np.array([[r[m] for m in names] for r in saved["rows"]])
    assert np.all((scores >= 0) & (scores <= 1)), scores                        # every metric is a score in [0, 1]
    # Spearman = Pearson correlation of the ranks (average ranks for ties), computed here from the scores
    from scipy.stats import rankdata
    ranks = np.apply_along_axis(rankdata, 0, scores)
    expected = np.full((6, 6), np.nan)
    for i in range(6):
        for j in range(6):
            if np.ptp(ranks[:, i]) > 0 and np.ptp(ranks[:, j]) > 0:
                expected[i, j] = 100 * np.corrcoef(ranks[:, i], ranks[:, j])[0, 1]
    assert np.isfinite(expected[np.triu_indices(6, 1)]).any()                   # some pair of metrics is ranked
    got = np.array(saved["spearman"], dtype=float)
    np.testing.assert_allclose(got, expected, atol=1e-9)                         # NaN exactly where a metric is constant
    np.testing.assert_allclose(rho, got, atol=1e-9)
    lecture = np.array(saved["lecture"])                # as transcribed: a correlation matrix
    assert np.array_equal(lecture, lecture.T) and np.all(np.diag(lecture) == 100) and np.abs(lecture).max() <= 100
