"""tinygan report (tinygan/sweep/report.py): results.csv/json from every run's metrics.json, the
mode-collapse table beside PacGAN's numbers, and the metric-agreement Spearman matrix beside the lecture's."""
import json
import os

import numpy as np
import pytest

from tinygan import cli
from tinygan.sweep import report, runner
from tinygan.sweep import spec as specs


def fake_gan_study(out):
    """A mode-collapse study's folder with metrics.json files of known numbers (nothing trained)."""
    spec = specs.from_dict({"kind": "gan", "folder": "{data}/{method}/seed{seed}", "config": {"steps": 50},
                            "grid": {"data": ["ring", "grid"], "seed": [0, 1, 2]},
                            "methods": {"NS-GAN": {"loss": "ns"}, "PacGAN2": {"loss": "ns", "pack": 2}}})
    runs = spec.runs()
    os.makedirs(out)
    runner.write_sweep_file(spec, runs, str(out))
    rng = np.random.default_rng(0)
    for run in runs:
        if run.name in ("grid/PacGAN2/seed1", "grid/PacGAN2/seed2"):
            continue                                           # failed; not finished yet
        folder = out / run.name
        folder.mkdir(parents=True)
        final = {"step": 50, "modes": int(rng.integers(1, 9)), "hq": float(rng.random()), "kl": float(rng.random()),
                 "w1": float(rng.random()), "mmd2": float(rng.random()), "counts": [1, 2]}
        (folder / "metrics.json").write_text(json.dumps({"config": run.config, "final": final}))
    (out / "failures.json").write_text(json.dumps({"grid/PacGAN2/seed1": {"error": "DivergenceError: planted"}}))
    return runs


def test_report_aggregates_every_run_and_tabulates_mode_collapse_beside_pacgan(tmp_path, capsys):
    out = tmp_path / "study"
    runs = fake_gan_study(out)
    assert cli.main(["report", str(out), "--no-pictures"]) == 0
    printed = capsys.readouterr().out
    assert "12 runs (10 finished, 1 failed, 1 not finished)" in printed
    import csv
    with open(out / "results.csv") as f:
        table = list(csv.DictReader(f))
    assert [r["run"] for r in table] == [r.name for r in runs]
    by_run = {r["run"]: r for r in table}
    assert by_run["grid/PacGAN2/seed1"]["status"] == "failed" and "planted" in by_run["grid/PacGAN2/seed1"]["error"]
    assert by_run["grid/PacGAN2/seed2"]["status"] == "missing" and by_run["ring/NS-GAN/seed0"]["status"] == "done"
    assert by_run["ring/PacGAN2/seed1"]["config.pack"] == "2" and by_run["ring/PacGAN2/seed1"]["method"] == "PacGAN2"
    assert "final.counts" not in table[0]                      # lists stay in results.json only
    saved = json.loads((out / "results.json").read_text())["runs"]
    finals = {r["run"]: r["final"] for r in saved if r["status"] == "done"}
    assert finals["ring/NS-GAN/seed2"]["counts"] == [1, 2]
    assert float(by_run["ring/NS-GAN/seed2"]["final.hq"]) == finals["ring/NS-GAN/seed2"]["hq"]
    rows = {line.split("|")[1].strip() + "/" + line.split("|")[2].strip(): [c.strip() for c in line.split("|")[1:-1]]
            for line in (out / "table.md").read_text().splitlines() if line.startswith(("| ring", "| grid"))}
    assert list(rows) == ["ring/NS-GAN", "ring/PacGAN2", "grid/NS-GAN", "grid/PacGAN2"]
    for key, cells in rows.items():
        group = [finals[f"{key.split('/')[0]}/{key.split('/')[1]}/seed{s}"] for s in range(3)
                 if f"{key.split('/')[0]}/{key.split('/')[1]}/seed{s}" in finals]
        assert cells[2] == str(len(group))
        hq = 100 * np.array([f["hq"] for f in group])
        assert cells[4] == f"{hq.mean():.1f} ± {hq.std():.1f}"
    assert rows["ring/PacGAN2"][-1] == "7.9 / 95.6 / 0.07" and rows["grid/NS-GAN"][-1] == "17.3 / 94.8 / 0.7"
    assert rows["grid/PacGAN2"][2] == "1" and rows["ring/NS-GAN"][-1] == "6.3 / 98.2 / 0.45"
    assert "3 seed(s), 50 steps per run, batch 100, 64 hidden units" in (out / "table.md").read_text()
    configurations = (out / "configurations.md").read_text()
    assert "| PacGAN2 data=ring | 3 |" in configurations and "| PacGAN2 data=grid | 1 |" in configurations


def test_report_of_scored_vaes_draws_the_spearman_matrix_beside_the_lecture(tmp_path):
    spec = specs.from_dict({"kind": "vae", "grid": {"seed": [0, 1, 2]},
                            "methods": {"beta-vae": {"model": "beta-vae", "beta": [2.0, 8.0]}}})
    runs = spec.runs()
    out = tmp_path / "study"
    os.makedirs(out)
    runner.write_sweep_file(spec, runs, str(out))
    rng = np.random.default_rng(1)
    base = rng.random(len(runs))
    for i, run in enumerate(runs):
        scores = {metric: {key: float(value)} for (metric, key), value in zip(
            report.AGREEMENT_METRICS.values(), [base[i], base[i] ** 2, -base[i], rng.random(), 0.5, base[i] + 1])}
        (out / run.name).mkdir()
        (out / run.name / "metrics.json").write_text(json.dumps({
            "config": run.config, "final": {"offdiag_norm": 0.1 * i, "reconstruction": 100.0 + i},
            "disentanglement": scores}))
    result = report.report(str(out), pictures=False)
    assert "spearman.md" in result["written"] and "table.md" not in result["written"]
    rows = report.agreement_rows(result["rows"])
    assert [r["model"] for r in rows] == ["beta-vae beta=2"] * 3 + ["beta-vae beta=8"] * 3
    rho = report.spearman_matrix(rows)
    assert rho[0, 1] == pytest.approx(100) and rho[0, 5] == pytest.approx(100) and rho[0, 2] == pytest.approx(-100)
    assert np.isnan(rho[4]).all()                                  # a constant metric has no ranking
    text = (out / "spearman.md").read_text()
    assert "6 models on dsprites" in text and "| BetaVAE | 100 / 100 | 100 / 80 | -100 / 44 |" in text
    assert "| beta-vae beta=8 | 3 |" in text


def test_mode_collapse_header_names_pacgans_networks():
    """--width is D's maxout units for --model pacgan, and G is twice as wide: the header says so
    instead of calling them '200 hidden units'."""
    from tinygan.gan.train import Config, Run
    from tinygan.sweep.report import mode_collapse_table
    run = Run(Config(data="grid", model="pacgan", pack=4))
    maxout, g_first = run.d.net[0], run.g.net[0]
    header = mode_collapse_table({}, 5, 6000, run.cfg.width, 100, "pacgan").splitlines()[0]
    assert (f"D {maxout.out_features} maxout units x {maxout.pieces} pieces, G {g_first.out_features} units"
            in header)
    assert "hidden units" not in header
