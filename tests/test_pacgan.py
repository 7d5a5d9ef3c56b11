"""--model pacgan: PacGAN's own 2-D networks (Lin et al. 2018, sizes from their released code) build
at the stated sizes, train, refuse what they do not support in one line, and the shipped study
that reproduces PacGAN4 on the grid expands."""
import numpy as np
import pytest

from tinygan import cli, nn
from tinygan.gan import train as gan_train
from tinygan.sweep import spec as specs


def _layers(module):
    return [m for m in module.net]


def test_the_pacgan_model_has_pacgans_sizes():
    run = gan_train.Run(gan_train.Config(data="grid", model="pacgan", pack=4))
    assert run.cfg.width == 200 and run.cfg.nz == 2 and run.cfg.batch == 100
    d = _layers(run.d)
    maxouts = [m for m in d if isinstance(m, nn.Maxout)]
    assert [type(m).__name__ for m in d] == ["Maxout", "Maxout", "Maxout", "Linear"]
    assert [(m.in_features, m.out_features, m.pieces) for m in maxouts] == [(8, 200, 5), (200, 200, 5), (200, 200, 5)]
    assert [tuple(m.weight.shape) for m in maxouts] == [(1000, 8), (1000, 200), (1000, 200)]
    assert (d[-1].in_features, d[-1].out_features) == (200, 1)
    g = _layers(run.g)
    linears = [m for m in g if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features, m.bias is not None) for m in linears] == [
        (2, 400, False), (400, 400, False), (400, 400, False), (400, 400, False), (400, 2, True)]
    assert sum(isinstance(m, nn.BatchNorm1d) for m in g) == 4 and sum(isinstance(m, nn.ReLU) for m in g) == 4
    # the released code's init: weights N(0, 0.02), biases 0
    w = np.concatenate([m.weight.numpy().ravel() for m in maxouts + linears])
    assert abs(w.std() - 0.02) < 0.001 and all(not m.bias.numpy().any() for m in maxouts)
    # pack 1: only the first layer's input changes
    plain = gan_train.Run(gan_train.Config(data="grid", model="pacgan", pack=1))
    assert tuple(_layers(plain.d)[0].weight.shape) == (1000, 2)


def test_the_pacgan_model_trains_a_few_steps():
    run = gan_train.Run(gan_train.Config(data="grid", model="pacgan", pack=4, steps=3, batch=16, width=20))
    assert tuple(_layers(run.d)[0].weight.shape) == (100, 8) and _layers(run.g)[0].out_features == 40
    before = {k: v.numpy().copy() for k, v in run.d.state_dict().items()}
    first = [m for m in _layers(run.d) if isinstance(m, nn.Maxout)][0]
    for _ in range(3):
        losses = run.train_step()
        assert np.isfinite(losses["loss_d"]) and np.isfinite(losses["loss_g"])
    after = run.d.state_dict()
    assert all(not np.array_equal(before[k], after[k].numpy()) for k in before)
    assert first.weight.grad is not None and np.abs(first.weight.grad.numpy()).sum() > 0
    assert run.sample(10).shape == (10, 2) and set(run.evaluate()) >= {"modes", "hq", "kl"}


def test_the_cli_trains_the_pacgan_model(tmp_path):
    assert cli.main(["train", "gan", "--data", "grid", "--model", "pacgan", "--pack", "2", "--width", "10",
                     "--batch", "8", "--steps", "2", "--eval-every", "2", "--quiet", "--no-tensorboard",
                     "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "metrics.json").exists()


@pytest.mark.parametrize("argv,message", [
    (["--data", "digits", "--model", "pacgan"], "does not fit --data digits"),
    (["--data", "grid", "--model", "pacgan", "--vbn"], "--model pacgan keeps PacGAN's own"),
])
def test_bad_pacgan_options_are_one_line(tmp_path, capsys, argv, message):
    code = cli.main(["train", "gan", "--steps", "2", "--quiet", "--out", str(tmp_path / "x"), *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err


def test_the_shipped_pacgan_grid_study_expands():
    runs = specs.load("pacgan-grid").runs()
    assert len(runs) >= 5 and {r.config["seed"] for r in runs} >= set(range(5))
    packed = [r for r in runs if r.config["pack"] == 4]
    assert len(packed) >= 5
    for r in runs:
        assert r.config["model"] == "pacgan" and r.config["data"] == "grid" and r.config["loss"] == "ns"
    assert "grid/PacGAN4/seed0" in [r.name for r in runs]


# ---- --d-steps: D updates per G update (PacGAN4's way off the plateau in the shipped study) ----------
def _adam_steps(opt):
    return {state["step"] for state in opt.state.values()} if opt.state else {0}


@pytest.mark.parametrize("loss,given,expected", [("ns", None, 1), ("minimax", 3, 3), ("wgan", None, 5),
                                                 ("wgan-gp", 2, 2), ("ns", 0, 1)])
def test_d_steps_resolves_to_the_methods_own_or_the_given_count(loss, given, expected):
    cfg = gan_train.Config(data="ring", loss=loss, d_steps=given).check()
    assert cfg.d_steps == expected
    assert gan_train.Config(data="ring", loss="mmd").check().d_steps is None       # no D at all


def test_d_steps_k_makes_k_discriminator_updates_on_fresh_batches_per_generator_update():
    run = gan_train.Run(gan_train.Config(data="grid", model="pacgan", pack=2, d_steps=3, steps=4, batch=8, width=10))
    drawn = []
    real = run._real
    run._real = lambda n: drawn.append(n) or real(n)
    run.train_step()
    assert _adam_steps(run.opt_d) == {3} and _adam_steps(run.opt_g) == {1}
    assert drawn == [16, 16, 16]              # a fresh real batch (batch × pack points) for every D update
    run.train_step()
    assert _adam_steps(run.opt_d) == {6} and _adam_steps(run.opt_g) == {2}
    # the default stays one D update per step
    plain = gan_train.Run(gan_train.Config(data="grid", model="pacgan", pack=2, steps=4, batch=8, width=10))
    plain.train_step()
    assert _adam_steps(plain.opt_d) == {1} and _adam_steps(plain.opt_g) == {1}


@pytest.mark.parametrize("argv,message", [
    (["--data", "ring", "--d-steps", "-1"], "--d-steps must be a whole number >= 1"),
    (["--data", "ring", "--loss", "mmd", "--d-steps", "2"], "--loss mmd has no discriminator"),
])
def test_bad_d_steps_are_one_line(tmp_path, capsys, argv, message):
    code = cli.main(["train", "gan", "--steps", "2", "--quiet", "--out", str(tmp_path / "x"), *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err


def test_the_shipped_study_gives_pacgan4_five_d_steps_and_the_control_one():
    runs = {r.name: r.config for r in specs.load("pacgan-grid").runs()}
    assert runs["grid/PacGAN4/seed0"]["d_steps"] == 5 and runs["grid/NS-GAN/seed0"]["d_steps"] == 1
