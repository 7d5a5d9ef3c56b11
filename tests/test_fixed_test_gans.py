"""Generators trained by a fixed two-sample test (GMMN's MMD², the Sinkhorn divergence) instead of
a learned discriminator; WGAN-GP's 2-D toy recipe; W₁ and MMD² in the 2-D evaluation (issue #12)."""
import numpy as np
import pytest

import tinygan
from tinygan import cli, nn
from tinygan.data import toy2d
from tinygan.gan import train as gan_train
from tinygan.metrics.toy2d import mode_stats


@pytest.mark.parametrize("loss", ["mmd", "sinkhorn"])
def test_a_short_fixed_test_run_improves_on_the_untrained_generator(loss):
    run = gan_train.Run(gan_train.Config(data="ring", loss=loss, steps=150, batch=128))
    assert run.d is None and run.opt_d is None                      # no discriminator at all
    before = gan_train.distances_to_data(run.sample(1000, seed=1), run.dataset)
    for _ in range(150):
        assert np.isfinite(run.train_step()["loss_g"])
    samples = run.sample(1000, seed=1)
    after = gan_train.distances_to_data(samples, run.dataset)
    assert after["w1"] < 0.5 * before["w1"] and after["mmd2"] < 0.5 * before["mmd2"], (before, after)
    assert mode_stats(samples, run.dataset)["modes"] >= 4


def test_fixed_test_runs_resume_bit_identically(tmp_path):
    cfg = dict(data="grid", loss="mmd", steps=6, batch=32, eval_every=3, checkpoint_every=3)
    straight = gan_train.train(gan_train.Config(**cfg), tmp_path / "a", progress=False)
    interrupted = gan_train.Run(gan_train.Config(**cfg))
    for _ in range(2):
        interrupted.train_step()
    (tmp_path / "b").mkdir()
    tinygan.save({**interrupted.state(), "kind": "gan"}, tmp_path / "b" / "checkpoint.npz")
    assert gan_train.train(gan_train.Config(**cfg), tmp_path / "b", resume=True, progress=False) == straight
    assert {"w1", "mmd2", "modes", "hq", "kl"} <= set(straight)


@pytest.mark.parametrize("extra", [["--pack", "2"], ["--label-smoothing"], ["--feature-matching"],
                                   ["--unrolled", "2"], ["--instance-noise", "0.1"], ["--data", "digits"]])
def test_options_that_need_a_discriminator_are_refused_for_fixed_tests(tmp_path, capsys, extra):
    assert cli.main(["train", "gan", "--loss", "mmd", "--steps", "2", "--quiet", "--out", str(tmp_path / "r"),
                     *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert "fixed test" in err and "\n" not in err


def test_distances_to_data_measure_what_they_claim():
    ring = toy2d.ring()
    exact = gan_train.distances_to_data(ring.sample(2500, np.random.default_rng(3)), ring)
    assert exact["w1"] < 0.05 and abs(exact["mmd2"]) < 1e-3          # the data against itself
    shift = np.array([0.3, 0.0], np.float32)
    moved = gan_train.distances_to_data(ring.sample(2500, np.random.default_rng(3)) + shift, ring)
    assert moved["w1"] == pytest.approx(0.3, abs=0.03)                # a translation moves mass |t|
    assert moved["mmd2"] > 100 * abs(exact["mmd2"])


def test_two_d_wgan_follows_gulrajani_et_al_toy_recipe(monkeypatch):
    run = gan_train.Run(gan_train.Config(data="ring", loss="wgan-gp", steps=10))
    assert not [m for m in run.g.modules() if isinstance(m, (nn.BatchNorm1d, nn.VirtualBatchNorm))]
    assert run.cfg.width == 256 and run.n_critic == 5
    assert run.opt_d.param_groups[0]["betas"] == (0.5, 0.9) and run.base_lr == 1e-4
    weights = []
    real_penalty = gan_train.losses.gradient_penalty
    monkeypatch.setattr(gan_train.losses, "gradient_penalty",
                        lambda *a, weight, **k: weights.append(weight) or real_penalty(*a, weight=weight, **k))
    run.train_step()
    assert weights == [0.1] * 5



def test_fixed_vs_learned_demo_quick_tabulates_every_method(tmp_path):
    from demo_loader import load_demo
    demo = load_demo("17_fixed_vs_learned_test")
    results = demo.main(["--quick", "--out", str(tmp_path)])
    assert list(results) == ["ring/NS-GAN", "ring/GMMN", "ring/Sinkhorn"]
    for key, (final,) in results.items():
        run = gan_train.load_run(tmp_path / "ring" / key.split("/")[1] / "seed0")
        again = gan_train.distances_to_data(run.sample(2500), run.dataset)   # the final step's samples
        assert final["w1"] == pytest.approx(again["w1"]) and final["mmd2"] == pytest.approx(again["mmd2"])
    rows = [line for line in (tmp_path / "table.md").read_text().splitlines() if line.startswith("| ring |")]
    assert len(rows) == 3 and (tmp_path / "ring-samples.png").read_bytes()[:4] == b"\x89PNG"
