"""2-D GAN training: it learns, it resumes bit-identically, and the CLI speaks in one line."""
import json

import numpy as np
import pytest

import tinygan
from tinygan import cli
from tinygan.gan import train as gan_train
from tinygan.metrics.toy2d import mode_stats


def test_short_training_improves_mode_coverage():
    run = gan_train.Run(gan_train.Config(data="ring", loss="ns", seed=1))
    before = run.evaluate()
    for _ in range(800):
        run.train_step()
    after = run.evaluate()
    assert before["hq"] < 0.05                         # an untrained G puts nothing near the ring
    assert before["modes"] == 0 and after["modes"] >= 4
    assert after["hq"] > before["hq"] and after["kl"] < before["kl"] - 0.5


@pytest.mark.parametrize("loss,pack,extra", [("ns", 2, {}), ("wgan-gp", 1, {}), ("wgan", 1, {}), ("minimax", 1, {}),
                                             ("ns", 1, {"feature_matching": True, "instance_noise": 0.1}),
                                             ("ns", 1, {"unrolled": 2}),
                                             ("minimax", 1, {"unrolled": 2, "unrolled_stop_gradient": True}),
                                             ("ns", 2, {"vbn": True, "label_smoothing": True})])
def test_every_loss_runs_and_resumes_bit_identically(tmp_path, loss, pack, extra):
    cfg = dict(data="grid", loss=loss, pack=pack, steps=7, batch=16, eval_every=5, checkpoint_every=5, **extra)
    straight = gan_train.train(gan_train.Config(**cfg), tmp_path / "a", progress=False)
    # an interrupted run: 3 steps (off the evaluation schedule), a checkpoint, then --resume
    interrupted = gan_train.Run(gan_train.Config(**cfg))
    for _ in range(3):
        interrupted.train_step()
    (tmp_path / "b").mkdir()
    tinygan.save(interrupted.state(), tmp_path / "b" / "checkpoint.npz")
    resumed = gan_train.train(gan_train.Config(**cfg), tmp_path / "b", resume=True, progress=False)
    assert resumed == straight
    a, b = tinygan.load(tmp_path / "a" / "checkpoint.npz"), tinygan.load(tmp_path / "b" / "checkpoint.npz")
    for key in a["g"]:
        np.testing.assert_array_equal(a["g"][key], b["g"][key])


def test_vbn_generator_output_does_not_depend_on_the_rest_of_the_batch():
    from tinygan.gan import MLPGenerator
    tinygan.manual_seed(2)
    g = MLPGenerator(nz=2, hidden=16, layers=2, norm="vbn", reference_size=8).double()
    z = tinygan.randn(5, 2, dtype=np.float64)
    alone = g(z[:1]).numpy()
    np.testing.assert_allclose(g(z).numpy()[:1], alone, rtol=1e-12)
    assert "z_reference" in g.state_dict()
    bn = MLPGenerator(nz=2, hidden=16, layers=2).double()
    assert not np.allclose(bn(z).numpy()[:2], bn(z[:2]).numpy())     # plain BN mixes the batch


def test_cli_train_writes_metrics_pictures_and_checkpoint_and_sample_reads_it(tmp_path, capsys):
    out = tmp_path / "run"
    options = dict(data="ring", loss="ns", pack=2, steps=200, batch=50)        # well under a second
    assert cli.main(["train", "gan", "--data", "ring", "--loss", "ns", "--pack", "2", "--steps", "200",
                     "--batch", "50", "--eval-every", "100", "--quiet", "--out", str(out)]) == 0
    assert "modes" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["final"]) >= {"modes", "hq", "kl"} and len(metrics["evaluations"]) == 2
    assert (out / "samples.png").read_bytes()[:4] == b"\x89PNG" and (out / "losses.png").exists()
    assert cli.main(["sample", str(out), "--n", "300", "--out", str(tmp_path / "s.npy")]) == 0
    samples = np.load(tmp_path / "s.npy")
    assert samples.shape == (300, 2) and np.isfinite(samples).all()
    # `sample` must draw from the trained generator: against the same generator before training
    # (same seed, same noise), its points have moved onto the ring's modes. 200 steps only start
    # to resolve the σ = 0.01 modes, so "near a mode" is within 10 σ here (PacGAN's HQ is 3 σ).
    ring = gan_train.toy2d.ring()
    untrained = gan_train.Run(gan_train.Config(**options)).sample(300, seed=0)
    before, after = mode_stats(untrained, ring, threshold=10), mode_stats(samples, ring, threshold=10)
    assert before["modes"] == 0 and before["hq"] == 0.0             # an untrained G sits near the origin
    assert after["modes"] >= 4 and after["hq"] >= 0.03
    nearest = lambda pts: np.linalg.norm(pts[:, None] - ring.centers[None], axis=-1).min(axis=1)  # noqa: E731
    assert np.median(nearest(samples)) < 0.5 * np.median(nearest(untrained))


@pytest.mark.parametrize("argv,message", [
    (["--loss", "wgan", "--label-smoothing"], "a critic has no labels"),
    (["--pack", "0"], "--pack >= 1"),
    (["--data", "ring", "--lr", "-1"], "--lr must be a finite number in (0, 1]"),
    (["--resume"], "does not exist"),
    (["--loss", "wgan-gp", "--feature-matching"], "replaces the generator loss"),
    (["--instance-noise", "-1"], "--instance-noise must be a finite number in [0, 10]"),
    (["--loss", "wgan", "--unrolled", "3"], "--unrolled K needs"),
    (["--unrolled", "2", "--feature-matching"], "choose one of"),
])
def test_cli_bad_options_are_one_line(tmp_path, capsys, argv, message):
    code = cli.main(["train", "gan", "--steps", "2", "--quiet", "--out", str(tmp_path / "x"), *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err


def test_resume_with_other_options_is_refused(tmp_path):
    gan_train.train(gan_train.Config(steps=2, batch=8), tmp_path, progress=False)
    with pytest.raises(ValueError, match="different options"):
        gan_train.train(gan_train.Config(steps=4, batch=8, pack=2), tmp_path, resume=True, progress=False)


def test_two_d_learning_rate_decays_linearly_to_zero_and_dcgan_keeps_it():
    run = gan_train.Run(gan_train.Config(data="ring", steps=4, batch=8))
    seen = []
    for _ in range(4):
        run.train_step()
        seen.append(run.opt_g.param_groups[0]["lr"])
    assert seen == pytest.approx([5e-4, 3.75e-4, 2.5e-4, 1.25e-4])
    assert gan_train._learning_rate(gan_train.Config(data="digits").check(), 2e-4, 3) == 2e-4


def test_wgan_gp_with_packing_trains():
    run = gan_train.Run(gan_train.Config(data="ring", loss="wgan-gp", pack=2, steps=2, batch=8))
    assert np.isfinite(run.train_step()["loss_d"])
