"""TensorBoard event files in run folders (tinygan/tensorboard.py): every step's losses, the
evaluations and the pictures, read back from the files; a resumed run continues its curves with
no step twice; written atomically; off, on, or one line when tensorboardX is missing."""
import io
import os

import numpy as np
import pytest

from tinygan import cli, rundir
from tinygan import tensorboard as tb
from tinygan.gan import train as gan_train
from tinygan.vae import train as vae_train

pytest.importorskip("tensorboardX")

VAE = dict(arch="mlp", latents=2, batch=8, steps=8, eval_every=2, checkpoint_every=4)


@pytest.fixture(autouse=True)
def cheap_evaluation(monkeypatch):
    """These tests are about the event files, not metrics: the 2-D GANs trained here score 500
    samples at an evaluation, not 2 500 (the final exact W1 of 2 500 points takes seconds)."""
    monkeypatch.setattr(gan_train, "NUM_SAMPLES", 500)


def steps_of(curve):
    return [step for step, _ in curve]


def raw_steps(folder, tag):
    """The steps of `tag` in the files themselves (no purge rule applied), file by file."""
    return [e.step for path in tb.event_files(folder) for e in tb.read_file(path)
            for v in e.summary.value if v.tag == tag]


def test_a_gan_run_logs_every_step_its_evaluations_and_its_samples(tmp_path):
    cfg = gan_train.Config(data="ring", steps=6, batch=16, width=8, eval_every=3, checkpoint_every=3)
    gan_train.train(cfg, tmp_path / "run", progress=False, tensorboard=True)
    curves = tb.read(tmp_path / "run")
    assert steps_of(curves["loss/loss_d"]) == [1, 2, 3, 4, 5, 6] == steps_of(curves["loss/loss_g"])
    history = gan_train.load_run(tmp_path / "run").history
    assert [v for _, v in curves["loss/loss_g"]] == pytest.approx([x["loss_g"] for x in history["losses"]], rel=1e-6)
    assert steps_of(curves["eval/modes"]) == [3, 6] and curves["eval/w1"][0][0] == 6      # W1: final step only
    assert [v for _, v in curves["eval/hq"]] == pytest.approx([e["hq"] for e in history["eval"]], rel=1e-6)
    assert "eval/counts" not in curves                                    # lists are not scalars
    pictures = curves["samples"]
    assert steps_of(pictures) == [3, 6] and pictures[1][1] == (tmp_path / "run" / "samples.png").read_bytes()
    assert all(rundir.is_run_file(name) for name in os.listdir(tmp_path / "run"))
    assert not [n for n in os.listdir(tmp_path / "run") if n.startswith(".tmp-")]


def test_tensorboard_itself_reads_the_files(tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    vae_train.train(vae_train.Config(**VAE), tmp_path / "run", progress=False, tensorboard=True)
    events = accumulator.EventAccumulator(str(tmp_path / "run"), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    assert [e.step for e in events.Scalars("loss/total")] == list(range(1, 9))
    assert [e.step for e in events.Scalars("eval/offdiag_norm")] == [2, 4, 6, 8]
    traversals = events.Images("traversals")
    assert [e.step for e in traversals] == [2, 4, 6, 8]
    # 2 latents x 9 values of 32x32 pictures with 1-pixel gaps
    assert (traversals[0].width, traversals[0].height) == (9 * 33 - 1, 2 * 33 - 1)


def test_a_resumed_run_continues_its_curves_without_a_step_twice(tmp_path, monkeypatch):
    """Killed after step 6 (events flushed up to 6, checkpoint at 4): the resume drops 5-6 from the
    files, marks the purge for a TensorBoard that read them, and logs 5-8 again; the curve is the
    uninterrupted run's (resume is bit-identical)."""
    whole = tmp_path / "whole"
    vae_train.train(vae_train.Config(**VAE), whole, progress=False, tensorboard=True)
    real_step = vae_train.Run.train_step

    def killed_after_6(self):
        if self.step == 6:
            raise RuntimeError("killed (a test)")
        return real_step(self)

    monkeypatch.setattr(vae_train.Run, "train_step", killed_after_6)
    out = tmp_path / "resumed"
    with pytest.raises(RuntimeError, match="killed"):
        vae_train.train(vae_train.Config(**VAE), out, progress=False, tensorboard=True)
    assert raw_steps(out, "loss/total") == [1, 2, 3, 4, 5, 6]          # flushed on the way out: past the checkpoint
    monkeypatch.setattr(vae_train.Run, "train_step", real_step)
    vae_train.train(vae_train.Config(**VAE), out, progress=False, tensorboard=True, resume=True)
    assert raw_steps(out, "loss/total") == list(range(1, 9))           # in the files themselves, each step once
    got, want = tb.read(out), tb.read(whole)
    assert steps_of(got["loss/total"]) == list(range(1, 9))
    assert [v for _, v in got["loss/total"]] == [v for _, v in want["loss/total"]]
    assert steps_of(got["eval/offdiag_norm"]) == [2, 4, 6, 8] == steps_of(got["reconstructions"])
    starts = [e.step for path in tb.event_files(out) for e in tb.read_file(path) if e.HasField("session_log")]
    assert starts == [5]                                                 # the purge marker of the resume


def test_trim_rewrites_only_the_files_that_reach_past_the_step(tmp_path):
    log = tb.run_log(tmp_path)
    for step in range(1, 7):
        log.scalars(step, {"x": float(step)}, "loss")
        if step % 3 == 0:
            log.flush()
    first, second = tb.event_files(tmp_path)
    before = open(first, "rb").read()
    assert tb.trim(tmp_path, 4) == 2
    assert open(first, "rb").read() == before and tb.event_files(tmp_path) == [first, second]
    assert steps_of(tb.read(tmp_path)["loss/x"]) == [1, 2, 3, 4]
    tb.trim(tmp_path, 3)
    assert tb.event_files(tmp_path) == [first]                          # a file left with its header only goes


def test_event_records_are_checked_and_pictures_are_pngs(tmp_path):
    log = tb.run_log(tmp_path)
    picture = np.linspace(0, 1, 12).reshape(3, 4)
    log.gray_images(7, {"ramp": picture})
    log.close()
    path, = tb.event_files(tmp_path)
    png = tb.read(tmp_path)["ramp"][0][1]
    assert tb.png_size(png) == (4, 3, 1)
    import matplotlib.image
    np.testing.assert_allclose(matplotlib.image.imread(io.BytesIO(png)), picture, atol=1 / 255)
    data = bytearray(open(path, "rb").read())
    data[-5] ^= 0xFF                                                     # one flipped bit in the last record
    open(path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="bad record"):
        tb.read(tmp_path)


def test_the_flag_reaches_the_trainers(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(vae_train, "train", lambda cfg, out, **kw: seen.append(kw["tensorboard"]) or
                        {"total": 0.0, "reconstruction": 0.0, "kl": 0.0, "offdiag_norm": 0.0})
    monkeypatch.setattr(gan_train, "train", lambda cfg, out, **kw: seen.append(kw["tensorboard"]) or {})
    for kind in ("vae", "gan"):
        for flag in ([], ["--tensorboard"], ["--no-tensorboard"]):
            assert cli.main(["train", kind, "--out", str(tmp_path / "r")] + flag) == 0
    assert seen == [None, True, False] * 2                    # None: on when tensorboardX is installed


def test_on_by_default_off_when_asked_replaced_by_overwrite_one_line_when_missing(tmp_path, monkeypatch, capsys):
    cfg = vae_train.Config(**{**VAE, "steps": 2})
    vae_train.train(cfg, tmp_path / "off", progress=False, tensorboard=False)
    assert not tb.event_files(tmp_path / "off")
    vae_train.train(cfg, tmp_path / "on", progress=False)          # the default: installed, so on
    old = tb.event_files(tmp_path / "on")
    assert old
    vae_train.train(cfg, tmp_path / "on", progress=False, overwrite=True)
    new = tb.event_files(tmp_path / "on")
    assert new and not set(old) & set(new)                         # --overwrite replaced the old curves too
    monkeypatch.setattr(tb, "available", lambda: False)
    args = ["train", "vae", "--arch", "mlp", "--steps", "2", "--batch", "8", "--quiet"]
    assert cli.main(args + ["--tensorboard", "--out", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert "pip install 'tinygan[logs]'" in err and "\n" not in err and not (tmp_path / "missing").exists()
    vae_train.train(cfg, tmp_path / "quiet", progress=False)        # without it the default just stays off
    assert not tb.event_files(tmp_path / "quiet")
