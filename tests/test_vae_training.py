"""VAE models and trainer: shapes, learning, resume, CLI train/evaluate."""
import json

import numpy as np
import pytest

import tinygan
from tinygan import cli
from tinygan.vae import train
from tinygan.vae.models import VAE


@pytest.mark.parametrize("arch,size", [("conv", 32), ("conv", 64), ("mlp", 32)])
def test_vae_shapes(arch, size):
    model = VAE(size=size, latents=10, arch=arch)
    logits, mu, logvar, kl = model(tinygan.zeros(3, 1, size, size))
    assert logits.shape == (3, 1, size, size) and mu.shape == logvar.shape == (3, 10) and kl.shape == ()
    with pytest.raises(ValueError, match="divisible by 16"):
        VAE(size=40)


def test_short_training_lowers_the_loss():
    run = train.Run(train.Config(model="dip-vae-2", arch="mlp", size=32, seed=0, lr=1e-3))
    first = np.mean([run.train_step()["total"] for _ in range(5)])
    for _ in range(50):              # by step 40 the loss is about a quarter of its start (seeds 0-2)
        run.train_step()
    last = np.mean([run.train_step()["total"] for _ in range(5)])
    assert last < 0.7 * first


def test_resume_is_bit_identical(tmp_path):
    cfg = dict(model="beta-vae", beta=4.0, arch="mlp", size=32, steps=6, batch=8, eval_every=4, checkpoint_every=4)
    straight = train.train(train.Config(**cfg), tmp_path / "a", progress=False)
    interrupted = train.Run(train.Config(**cfg))
    for _ in range(3):
        interrupted.train_step()
    (tmp_path / "b").mkdir()
    tinygan.save(interrupted.state(), tmp_path / "b" / "checkpoint.npz")
    assert train.train(train.Config(**cfg), tmp_path / "b", resume=True, progress=False) == straight


def test_cli_train_and_evaluate(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "vae", "--model", "dip-vae-1", "--data", "noisy-dsprites", "--arch", "mlp",
                     "--steps", "8", "--batch", "16", "--eval-every", "4", "--quiet", "--out", str(out)]) == 0
    for name in ("metrics.json", "reconstructions.png", "traversals.png", "covariance.png", "losses.png", "checkpoint.npz"):
        assert (out / name).exists(), name
    assert cli.main(["evaluate", "--metrics", "mig,sap,modularity_explicitness", "--quick", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["disentanglement"]) == {"mig", "sap", "modularity_explicitness"}
    assert all(np.isfinite(v) for r in metrics["disentanglement"].values() for v in r.values())
    assert "offdiag_norm" in metrics["final"] and len(metrics["covariance"]) == 10
    # a sweep asking for the same metrics at the same sizes and seed finds nothing left to score
    from tinygan.sweep import runner
    job = {"metrics": ["mig", "sap"], "evaluate": {"sizes": "quick", "seed": 0}, "config": {"seed": 0}}
    assert not runner._score_vae(job, str(out), metrics, False)
    assert runner._score_vae({**job, "evaluate": {"sizes": "quick", "seed": 1}}, str(out), metrics, False)
    capsys.readouterr()
    assert cli.main(["evaluate", "--metrics", "mig,nope", str(out)]) == 2
    assert "unknown metric" in capsys.readouterr().err


def test_bad_vae_options_are_one_line(tmp_path, capsys):
    assert cli.main(["train", "vae", "--model", "dip-vae-1", "--beta", "4", "--out", str(tmp_path)]) == 2
    assert "--beta applies to --model beta-vae" in capsys.readouterr().err


def test_lambda_d_weights_the_diagonal_term_and_defaults_to_locatellos_choice():
    def diagonal(model, **extra):
        run = train.Run(train.Config(model=model, arch="mlp", lambda_od=2.0, batch=8, **extra))
        x = tinygan.tensor(run.data.sample_observations(8, np.random.default_rng(0)))
        return float(run.loss_terms(x)["diagonal"])
    # the unscaled penalty Σ(Cov_ii - 1)² is the same at the same seed, so the term is proportional to λ_d
    assert diagonal("dip-vae-2", lambda_d=6.0) == pytest.approx(3 * diagonal("dip-vae-2"), rel=1e-5)     # λ_d = λ_od
    assert diagonal("dip-vae-1", lambda_d=2.0) == pytest.approx(diagonal("dip-vae-1") / 10, rel=1e-5)    # 10·λ_od
    with pytest.raises(ValueError, match="--lambda-d applies to"):
        train.Config(model="beta-vae", lambda_d=1.0).check()


def test_pictures_of_an_untrained_run_have_no_loss_curve(tmp_path):
    from tinygan.vae import plots
    plots.save_all(train.Run(train.Config(arch="mlp")), tmp_path)
    assert (tmp_path / "traversals.png").exists() and not (tmp_path / "losses.png").exists()
