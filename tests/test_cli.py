"""The console command."""
import subprocess
import sys

import tinygan
from tinygan import cli


def test_version_and_info(capsys):
    try:
        cli.main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert f"tinygan {tinygan.__version__}" in capsys.readouterr().out
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "backend: numpy" in out and "cupy:" in out and "numba.cuda:" in out and "conv2d_forward" in out


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "tinygan.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "tinygan" in out.stdout


# ---- `train gan|vae` options are generated from the trainers' Config fields ----------------------
import dataclasses  # noqa: E402

import pytest  # noqa: E402

from tinygan.gan import train as gan_train  # noqa: E402
from tinygan.options import config_from_args  # noqa: E402
from tinygan.vae import train as vae_train  # noqa: E402

TRAINERS = {"gan": gan_train.Config, "vae": vae_train.Config}


def _parsed(*argv):
    return cli.build_parser().parse_args(list(argv))


@pytest.mark.parametrize("what", TRAINERS)
def test_each_config_field_is_an_option_with_the_config_s_default(what):
    config = TRAINERS[what]
    args = _parsed("train", what, "--out", "x")
    assert config_from_args(config, args) == config()          # the defaults are the Config's, nowhere else
    assert {f.name for f in dataclasses.fields(config)} <= set(vars(args))


def test_the_options_keep_their_names_and_reach_the_config():
    args = _parsed("train", "gan", "--data", "grid", "--model", "mlp", "--loss", "minimax", "--pack", "2",
                   "--label-smoothing", "--feature-matching", "--vbn", "--unrolled", "3", "--unrolled-stop-gradient",
                   "--instance-noise", "0.5", "--steps", "7", "--batch", "16", "--lr", "0.001", "--nz", "3",
                   "--width", "8", "--image-size", "64", "--seed", "4", "--eval-every", "5", "--checkpoint-every", "6",
                   "--resume", "--extend", "--overwrite", "--quiet", "--out", "x")
    assert config_from_args(gan_train.Config, args) == gan_train.Config(
        data="grid", model="mlp", loss="minimax", pack=2, steps=7, batch=16, lr=0.001, nz=3, width=8, image_size=64,
        seed=4, label_smoothing=True, feature_matching=True, instance_noise=0.5, unrolled=3,
        unrolled_stop_gradient=True, vbn=True, eval_every=5, checkpoint_every=6)
    assert args.resume and args.extend and args.overwrite and args.quiet and args.out == "x"
    args = _parsed("train", "vae", "--model", "beta-vae", "--data", "noisy-dsprites", "--size", "64", "--arch", "mlp",
                   "--beta", "4", "--lambda-od", "2", "--steps", "3", "--batch", "8", "--lr", "0.01", "--seed", "1",
                   "--eval-every", "2", "--checkpoint-every", "3", "--out", "y")
    assert config_from_args(vae_train.Config, args) == vae_train.Config(
        model="beta-vae", data="noisy-dsprites", size=64, arch="mlp", beta=4.0, lambda_od=2.0, steps=3, batch=8,
        lr=0.01, seed=1, eval_every=2, checkpoint_every=3)


def test_the_help_comes_from_the_config(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "gan", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "PacGAN: samples per discriminator input (default: 1)" in out and "(default: 2000)" in out


def test_check_returns_a_resolved_copy_and_leaves_the_caller_s_config_alone():
    cfg = gan_train.Config(data="digits")
    resolved = cfg.check()
    assert cfg == gan_train.Config(data="digits") and cfg.model is None and cfg.batch is None
    assert (resolved.model, resolved.batch, resolved.nz, resolved.width, resolved.lr) == ("dcgan", 64, 64, 32, None)
    assert gan_train.Config(data="ring", loss="wgan-gp").check().width == 256
    # 0 and "" were how the options (and checkpoints written before None) said "the method's own"
    assert gan_train.Config(data="digits", model="", batch=0, nz=0, width=0, lr=0.0).check() == resolved
    vae = vae_train.Config()
    assert vae.check() == vae and vae.check() is not vae
