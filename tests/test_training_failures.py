"""Training that fails, is stopped or is extended says so and keeps what it had: divergence,
options out of range, SIGINT/SIGTERM, SIGKILL at random times, --extend (issue #11, 5, 6, 8)."""
import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import tinygan
from tinygan import cli
from tinygan.errors import DivergenceError
from tinygan.gan import train as gan_train

GAN = ["train", "gan", "--data", "ring", "--steps", "6", "--batch", "8", "--eval-every", "3", "--quiet"]


@pytest.fixture(autouse=True)
def cheap_evaluation(monkeypatch):
    """These tests are about failing, stopped and extended training, not metrics: the 2-D GANs trained in this process score
    500 samples at an evaluation, not 2 500 (the final exact W1 of 2 500 points takes seconds).
    Subprocesses are not affected."""
    monkeypatch.setattr(gan_train, "NUM_SAMPLES", 500)


def cli_process(*argv):
    return [sys.executable, "-m", "tinygan.cli", *argv]


def assert_same_checkpoints(a, b):
    sa, sb = tinygan.load(a), tinygan.load(b)
    assert sa["step"] == sb["step"]
    for part in ("g", "d"):
        for key in sa[part]:
            np.testing.assert_array_equal(sa[part][key], sb[part][key], err_msg=f"{part}/{key}")
    assert sa["history"] == sb["history"] and sa["rng"] == sb["rng"]


# ---- divergence ----------------------------------------------------------------------------------
def test_a_diverging_run_stops_naming_the_step_the_loss_and_the_parameter(tmp_path, monkeypatch, capsys):
    real_step = gan_train.Run.train_step

    def step_that_breaks_g(self):
        losses = real_step(self)
        if self.step == 5:           # the 5th update writes NaN into G (what --lr 1e30 does at once)
            next(iter(self.g.parameters())).data[...] = np.nan
        return losses

    monkeypatch.setattr(gan_train.Run, "train_step", step_that_breaks_g)
    out = tmp_path / "run"
    assert cli.main(GAN + ["--steps", "20", "--checkpoint-every", "4", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "diverged at step 6" in err and ("loss_d = nan" in err or "loss_g = nan" in err), err
    assert "g/" in err and "last good checkpoint (step 4)" in err
    state = tinygan.load(out / "checkpoint.npz")
    assert state["step"] == 4 and all(np.isfinite(v).all() for v in state["g"].values())
    assert not (out / "metrics.json").exists()        # no result that looks like one


def test_parameters_that_turn_non_finite_with_finite_losses_are_caught_at_the_evaluation(tmp_path, monkeypatch):
    real_step = gan_train.Run.train_step

    def step_that_breaks_a_running_mean(self):
        losses = real_step(self)
        if self.step == 2:
            for name, buf in self.g.named_buffers():    # BN running stats: not on the losses' path
                buf.data[...] = np.inf
                break
        return losses

    monkeypatch.setattr(gan_train.Run, "train_step", step_that_breaks_a_running_mean)
    with pytest.raises(DivergenceError, match=r"diverged at step 3: g/.* holds NaN or Inf"):
        gan_train.train(gan_train.Config(data="ring", steps=6, batch=8, eval_every=3), tmp_path, progress=False)


@pytest.mark.parametrize("argv,flag", [
    (["train", "gan", "--lr", "nan"], "--lr"), (["train", "gan", "--lr", "1e30"], "--lr"),
    (["train", "gan", "--lr", "-1"], "--lr"), (["train", "gan", "--instance-noise", "inf"], "--instance-noise"),
    (["train", "gan", "--instance-noise", "-0.5"], "--instance-noise"), (["train", "gan", "--seed", "-1"], "--seed"),
    (["train", "gan", "--nz", "-2"], "--nz"), (["train", "gan", "--width", "-8"], "--width"),
    (["train", "vae", "--lr", "-1"], "--lr"), (["train", "vae", "--lr", "inf"], "--lr"),
    (["train", "vae", "--model", "beta-vae", "--beta", "-1"], "--beta"),
    (["train", "vae", "--model", "beta-vae", "--beta", "nan"], "--beta"),
    (["train", "vae", "--model", "dip-vae-1", "--lambda-od", "-10"], "--lambda-od"),
    (["train", "vae", "--size", "48"], "--size"),
])
def test_options_outside_finite_sensible_ranges_are_refused_in_both_trainers(tmp_path, capsys, argv, flag):
    assert cli.main(argv + ["--steps", "3", "--quiet", "--out", str(tmp_path / "run")]) == 2   # short if accepted
    err = capsys.readouterr().err.strip()
    assert flag in err and "\n" not in err
    assert not (tmp_path / "run").exists()


# ---- SIGINT / SIGTERM ----------------------------------------------------------------------------
SIGNAL_RUN = GAN[:4] + ["--steps", "1000", "--batch", "8", "--eval-every", "500", "--checkpoint-every", "1000",
                      "--quiet"]


@pytest.fixture(scope="module")
def straight_signal_run(tmp_path_factory):
    """The uninterrupted run both signal tests compare with (the same options: trained once)."""
    straight = tmp_path_factory.mktemp("signal") / "straight"
    assert subprocess.run(cli_process(*SIGNAL_RUN, "--out", str(straight)), capture_output=True,
                          timeout=300).returncode == 0
    return straight


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_finishes_the_step_writes_a_checkpoint_and_says_how_to_resume(tmp_path, signum, code,
                                                                              straight_signal_run):
    out = tmp_path / "run"
    # the only scheduled checkpoint is the last one; the signal comes once the first evaluation has
    # drawn its pictures (step 500), with 500 steps to go (seconds even on a fast machine)
    argv = SIGNAL_RUN + ["--out", str(out)]
    run = subprocess.Popen(cli_process(*argv), stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: (out / "progress" / "samples-000500.png").exists() or run.poll() is not None)
    run.send_signal(signum)
    _, err = run.communicate(timeout=120)
    assert run.returncode == code, err
    line = err.strip()
    assert "\n" not in line and signal.Signals(signum).name in line and "--resume" in line, err
    stopped_at = tinygan.load(out / "checkpoint.npz")["step"]
    assert 500 <= stopped_at < 1000 and f"after step {stopped_at};" in line
    assert not (out / ".lock").exists()
    # the resumed run ends exactly where the uninterrupted one does
    assert subprocess.run(cli_process(*argv, "--resume"), capture_output=True, timeout=300).returncode == 0
    assert_same_checkpoints(out / "checkpoint.npz", straight_signal_run / "checkpoint.npz")


def _wait_for(condition, seconds=120, poll=0.02):
    end = time.time() + seconds
    while not condition():
        assert time.time() < end, "timed out"
        time.sleep(poll)


def test_random_sigkills_then_resume_give_the_uninterrupted_run_bit_for_bit(tmp_path):
    """Kill -9 at random moments (inside steps, evaluations, checkpoint writes), resume each time."""
    argv = GAN[:4] + ["--steps", "300", "--batch", "8", "--eval-every", "25", "--checkpoint-every", "7",
                      "--quiet", "--out", str(tmp_path / "killed")]
    ckpt = tmp_path / "killed" / "checkpoint.npz"
    rng = np.random.default_rng(int(time.time()))        # new moments every run; printed on failure
    # each kill waits for 1-6 more checkpoints (≤ 24 of the run's 43), then a random moment in the
    # next checkpoint interval: inside a step, an evaluation or a save, whatever the machine's speed
    rewrites, delays = rng.integers(1, 7, 4), rng.uniform(0, 0.03, 4)
    kills = 0

    def rewritten(times):
        stamps = set()
        def seen():
            with contextlib.suppress(OSError):
                stamps.add(os.stat(ckpt).st_mtime_ns)
            return len(stamps) > times
        return seen

    def start():
        # --resume once a checkpoint exists; before that the folder may hold a killed run's pictures
        folder = tmp_path / "killed"
        again = ["--resume"] if (folder / "checkpoint.npz").exists() else ["--overwrite"] if folder.exists() else []
        return subprocess.Popen(cli_process(*argv, *again), stderr=subprocess.PIPE, text=True)

    ended = []
    for times, delay in zip(rewrites, delays):
        run = start()
        seen = rewritten(times)
        _wait_for(lambda: seen() or run.poll() is not None, poll=0.002)
        time.sleep(delay)
        if run.poll() is None:
            run.kill()
            kills += 1
        run.wait()
        ended.append((run.returncode, run.stderr.read()))
    finish = start()
    _, err = finish.communicate(timeout=300)
    assert finish.returncode == 0, (rewrites, delays, err)
    argv[-1] = str(tmp_path / "straight")
    assert subprocess.run(cli_process(*argv), capture_output=True, timeout=300).returncode == 0
    assert_same_checkpoints(tmp_path / "killed" / "checkpoint.npz", tmp_path / "straight" / "checkpoint.npz")
    assert json.loads((tmp_path / "killed" / "metrics.json").read_text())["final"] == \
        json.loads((tmp_path / "straight" / "metrics.json").read_text())["final"]
    assert not [n for n in os.listdir(tmp_path / "killed") if n.startswith(".tmp-")]
    assert kills == 4, (rewrites, delays, ended)


# ---- extending a run -------------------------------------------------------------------------------
def test_resume_with_other_steps_needs_extend(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--out", str(out)]) == 0
    assert cli.main(GAN + ["--steps", "9", "--resume", "--out", str(out)]) == 2
    assert "--extend" in capsys.readouterr().err
    assert cli.main(GAN + ["--steps", "3", "--extend", "--out", str(out)]) == 2
    assert "not past the run's step 6" in capsys.readouterr().err


def test_an_extension_restarts_the_decay_and_metrics_json_records_every_segment(tmp_path):
    out = tmp_path / "run"
    gan_train.train(gan_train.Config(data="ring", steps=4, batch=8, eval_every=2), out, progress=False)
    run = gan_train.load_run(out)
    run.cfg.steps, run.segments = 8, run.segments + [{"start": 4, "steps": 8}]
    seen = []
    for _ in range(4):
        run.train_step()
        seen.append(run.opt_g.param_groups[0]["lr"])
    assert seen == pytest.approx([5e-4, 3.75e-4, 2.5e-4, 1.25e-4])     # from the base rate to 0 again
    gan_train.train(gan_train.Config(data="ring", steps=8, batch=8, eval_every=2), out, extend=True, progress=False)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["segments"] == [{"start": 0, "steps": 4}, {"start": 4, "steps": 8}]
    assert metrics["config"]["steps"] == 8 and metrics["final"]["step"] == 8
    assert [e["step"] for e in metrics["evaluations"]] == [2, 4, 6, 8]
