"""Run folders never lose data: refusing to train over a run, the lock, atomic writes, unwritable
folders, runs of the other kind (issue #11, cases 1-3, 10-12, 16, 17)."""
import errno
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tinygan
from tinygan import cli, files, rundir
from tinygan.errors import RunFolderError
from tinygan.gan import train as gan_train
from tinygan.vae import train as vae_train

GAN = ["train", "gan", "--data", "ring", "--steps", "4", "--batch", "8", "--eval-every", "2", "--quiet"]
VAE = ["train", "vae", "--arch", "mlp", "--steps", "2", "--batch", "8", "--eval-every", "2", "--quiet"]


@pytest.fixture(autouse=True)
def cheap_evaluation(monkeypatch):
    """These tests are about run folders, not metrics: the 2-D GANs trained in this process score
    500 samples at an evaluation, not 2 500 (the final exact W1 of 2 500 points takes seconds).
    Subprocesses are not affected."""
    monkeypatch.setattr(gan_train, "NUM_SAMPLES", 500)


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert err.startswith("tinygan: error:") and "\n" not in err, err
    return err


def test_a_second_run_into_the_same_folder_is_refused_and_leaves_the_first_intact(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert cli.main(GAN + ["--seed", "1", "--out", str(out)]) == 2
    assert "already holds a run" in one_line_error(capsys)
    assert cli.main(VAE + ["--out", str(out)]) == 2          # a VAE over a GAN run: refused too
    one_line_error(capsys)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_overwrite_clears_the_old_run_files_but_keeps_the_users_own(tmp_path):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--steps", "6", "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine")
    assert sorted(os.listdir(out / "progress")) == [f"samples-{s:06d}.png" for s in (2, 4, 6)]
    assert cli.main(VAE + ["--overwrite", "--out", str(out)]) == 0
    assert not (out / "progress").exists() and not (out / "samples.png").exists()     # no GAN leftovers
    assert (out / "notes.txt").read_text() == "mine"
    assert tinygan.load(out / "checkpoint.npz")["kind"] == "vae"
    (out / "progress").mkdir()
    (out / "progress" / "chapter1.txt").write_text("mine too")
    assert cli.main(GAN + ["--overwrite", "--out", str(out)]) == 0
    assert (out / "progress" / "chapter1.txt").read_text() == "mine too"     # only progress pictures go


def test_overwrite_keeps_the_old_run_until_the_new_one_has_made_a_step(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--out", str(out)]) == 0
    before = (out / "checkpoint.npz").read_bytes()

    def out_of_memory(self):
        raise MemoryError

    monkeypatch.setattr(gan_train.Run, "train_step", out_of_memory)
    assert cli.main(GAN + ["--batch", "9", "--overwrite", "--out", str(out)]) == 2
    assert "out of memory" in one_line_error(capsys)
    assert (out / "checkpoint.npz").read_bytes() == before


def test_a_run_writes_only_files_that_overwrite_knows_about(tmp_path):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--out", str(out)]) == 0
    assert cli.main(VAE + ["--out", str(tmp_path / "vae")]) == 0
    for folder in (out, tmp_path / "vae"):
        assert all(rundir.is_run_file(name) for name in os.listdir(folder)), os.listdir(folder)


def test_a_folder_locked_by_a_live_process_is_refused(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    holder = rundir.acquire_lock(str(out), "train gan (a test)")        # held as a real trainer holds it
    try:
        assert cli.main(GAN + ["--out", str(out)]) == 2
        err = one_line_error(capsys)
        assert "in use by process" in err and str(os.getpid()) in err and "a test" in err
        assert not (out / "checkpoint.npz").exists()
    finally:
        rundir.release_lock(str(out), holder)
    assert cli.main(GAN + ["--out", str(out)]) == 0                     # released: usable again


def test_the_lock_file_a_killed_process_left_does_not_block_the_folder(tmp_path):
    killed = subprocess.Popen([sys.executable, "-c", "import sys; from tinygan import rundir; "
                               f"rundir.acquire_lock({str(tmp_path)!r}, 'x'); print('locked', flush=True); "
                               "sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert killed.stdout.readline().strip() == "locked"
    killed.kill()                                   # SIGKILL: .lock stays behind, the kernel drops the flock
    killed.wait()
    assert (tmp_path / rundir.LOCK).exists()
    assert cli.main(GAN + ["--out", str(tmp_path)]) == 0
    assert not (tmp_path / rundir.LOCK).exists()


def test_two_processes_on_one_folder_the_second_is_refused(tmp_path):
    out = tmp_path / "run"
    # no TensorBoard logs (importing tensorboardX takes seconds): the lock is what is tested
    first = subprocess.Popen([sys.executable, "-m", "tinygan.cli", *GAN[:4], "--steps", "100000", "--batch", "8",
                              "--eval-every", "100000", "--quiet", "--no-tensorboard", "--out", str(out)],
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: (out / rundir.LOCK).exists() or first.poll() is not None)
        second = subprocess.run([sys.executable, "-m", "tinygan.cli", *GAN, "--resume", "--no-tensorboard",
                                 "--out", str(out)],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2 and "in use by process" in second.stderr, second.stderr
    finally:
        first.terminate()
        first.wait(timeout=60)


def _wait_for(condition, seconds=60):
    import time
    end = time.time() + seconds
    while not condition():
        assert time.time() < end, "timed out"
        time.sleep(0.05)


def test_leftover_temp_files_of_a_killed_save_are_removed_on_the_next_start(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--out", str(out)]) == 0
    (out / ".tmp-abc123.npz").write_bytes(b"half a checkpoint")
    (out / "progress" / ".tmp-xyz.png").write_bytes(b"half a picture")
    (out / "mine").mkdir()
    (out / "mine" / ".tmp-keep").write_bytes(b"not tinygan's")
    assert cli.main(GAN + ["--out", str(out)]) == 2                  # refused: nothing is touched
    one_line_error(capsys)
    assert (out / ".tmp-abc123.npz").exists()
    assert cli.main(GAN + ["--steps", "6", "--extend", "--out", str(out)]) == 0
    assert not (out / ".tmp-abc123.npz").exists() and not (out / "progress" / ".tmp-xyz.png").exists()
    assert (out / "mine" / ".tmp-keep").exists()


def test_a_failed_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "metrics.json"
    files.write_json(path, {"scores": [1, 2, 3]})

    def full_disk(obj, f, **kwargs):
        f.write('{"scores": [4, ')
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json, "dump", full_disk)
    with pytest.raises(OSError):
        files.write_json(path, {"scores": [4, 5, 6]})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"scores": [1, 2, 3]}
    assert os.listdir(tmp_path) == ["metrics.json"]


def test_written_files_get_the_permissions_a_plain_open_would_give(tmp_path):
    old = os.umask(0o022)
    try:
        files.write_json(tmp_path / "m.json", {})
    finally:
        os.umask(old)
    assert (tmp_path / "m.json").stat().st_mode & 0o777 == 0o666 & ~files._UMASK


def test_every_file_tinygan_and_its_demos_write_goes_through_tinygan_files():
    """A plain open(..., "w"), savefig, np.save or json.dump would not be atomic (case 3)."""
    import pathlib
    import re
    root = pathlib.Path(__file__).resolve().parent.parent
    plain = re.compile(r"open\([^)]*['\"][wax]b?['\"]|\.savefig\(|np\.save[z]?\(|json\.dump\(")
    offenders = [f"{path.relative_to(root)}:{n}" for folder in ("tinygan", "kernels", "demos")
                 for path in sorted((root / folder).rglob("*.py")) if path.name not in ("files.py", "serialization.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1) if plain.search(line)]
    assert offenders == []


@pytest.mark.parametrize("code,reason", [(errno.ENOSPC, "disk full"), (errno.EROFS, "read-only filesystem"),
                                         (errno.EACCES, "permission denied")])
def test_an_unwritable_folder_fails_before_the_first_step(tmp_path, monkeypatch, capsys, code, reason):
    steps = []
    monkeypatch.setattr(gan_train.Run, "train_step", lambda self: steps.append(1))
    real_fsync = os.fsync

    def failing_fsync(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    assert cli.main(GAN + ["--out", str(tmp_path / "run")]) == 2
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert reason in one_line_error(capsys) and steps == []


def test_a_full_disk_at_a_checkpoint_is_one_line_and_keeps_the_previous_checkpoint(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    real_save, calls = tinygan.save, []

    def save_then_fill(state, path):
        calls.append(state["step"])
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_save(state, path)

    monkeypatch.setattr(tinygan, "save", save_then_fill)
    assert cli.main(GAN + ["--steps", "6", "--checkpoint-every", "2", "--out", str(out)]) == 2
    err = one_line_error(capsys)
    assert "disk full" in err and "step 4" in err
    assert tinygan.load(out / "checkpoint.npz")["step"] == 2


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_text("x"), "is an existing file"),
    (lambda p: (p.parent / "file").write_text("x"), "which is a file"),
    (lambda p: (p / "checkpoint.npz").mkdir(parents=True), "checkpoint.npz must be a file"),
    (lambda p: (p.mkdir(), (p / "progress").write_text("x")), "progress must be a folder"),
])
def test_bad_output_paths_are_one_line(tmp_path, capsys, make, message):
    out = tmp_path / "run"
    make(out)
    target = tmp_path / "file" / "run" if message == "which is a file" else out
    assert cli.main(GAN + ["--out", str(target)]) == 2
    assert message in one_line_error(capsys)


@pytest.mark.parametrize("flag,value", [("--eval-every", "0"), ("--checkpoint-every", "0"),
                                        ("--eval-every", "-3"), ("--checkpoint-every", "-1"), ("--steps", "0")])
@pytest.mark.parametrize("trainer", [GAN, VAE])
def test_zero_or_negative_schedules_are_refused(tmp_path, capsys, trainer, flag, value):
    assert cli.main(trainer + [flag, value, "--out", str(tmp_path / "run")]) == 2
    assert flag in one_line_error(capsys)
    assert not (tmp_path / "run").exists()


def test_each_command_names_the_kind_of_run_a_folder_holds(tmp_path, capsys):
    assert cli.main(GAN + ["--out", str(tmp_path / "gan")]) == 0
    assert cli.main(VAE + ["--out", str(tmp_path / "vae")]) == 0
    capsys.readouterr()
    assert cli.main(["sample", str(tmp_path / "vae"), "--out", str(tmp_path / "s.npy")]) == 2
    err = one_line_error(capsys)
    assert "holds a vae run" in err and "evaluate" in err
    assert cli.main(["evaluate", "--quick", str(tmp_path / "gan")]) == 2
    err = one_line_error(capsys)
    assert "holds a gan run" in err and "sample" in err
    assert cli.main(["evaluate", str(tmp_path / "missing")]) == 2
    one_line_error(capsys)
    assert not (tmp_path / "missing").exists()


def test_evaluate_refuses_a_metrics_file_it_could_not_update_before_scoring(tmp_path, capsys, monkeypatch):
    assert cli.main(VAE + ["--out", str(tmp_path)]) == 0
    (tmp_path / "metrics.json").write_text("[1, 2]")
    from tinygan.metrics import disentanglement as dm
    monkeypatch.setitem(dm.ALL, "mig", lambda *a, **k: pytest.fail("scored before the file was checked"))
    assert cli.main(["evaluate", "--metrics", "mig", "--quick", str(tmp_path)]) == 2
    assert "not a JSON object" in one_line_error(capsys)


def test_resume_with_other_options_names_each_differing_key_and_both_values(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--out", str(out)]) == 0
    assert cli.main(GAN + ["--pack", "2", "--seed", "5", "--resume", "--out", str(out)]) == 2
    err = one_line_error(capsys)
    assert "pack: 1 in the checkpoint, 2 now" in err and "seed: 0 in the checkpoint, 5 now" in err
    assert "loss" not in err.split("(", 1)[1]           # only the keys that differ


def test_unknown_data_lists_every_valid_name(tmp_path, capsys):
    assert cli.main(["train", "gan", "--data", "foo", "--out", str(tmp_path / "r")]) == 2
    err = one_line_error(capsys)
    assert all(name in err for name in ("ring", "grid", "shapes", "digits", "idx:PATH"))


def test_sample_options(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(GAN + ["--out", str(out)]) == 0
    assert cli.main(["sample", str(out), "--n", "0", "--out", str(tmp_path / "s.npy")]) == 2
    assert "--n must be >= 1" in one_line_error(capsys)
    assert cli.main(["sample", str(out), "--out", str(tmp_path / "xx")]) == 2
    assert ".npy" in one_line_error(capsys)
    assert not (tmp_path / "xx").exists() and not (tmp_path / "xx.npy").exists()
    assert cli.main(["sample", str(out), "--n", "5", "--out", str(tmp_path / "s.npy")]) == 0
    assert cli.main(["sample", str(out), "--n", "7", "--out", str(tmp_path / "s.npy")]) == 2     # never over a file
    assert "already exists" in one_line_error(capsys)
    assert cli.main(["sample", str(out), "--n", "7", "--overwrite", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape == (7, 2)


def test_sampling_an_idx_run_needs_no_training_data(tmp_path, monkeypatch, capsys):
    from tinygan.metrics import images as image_metrics
    original = image_metrics.ImageJudge.__init__
    monkeypatch.setattr(image_metrics.ImageJudge, "__init__",
                        lambda self, data, num_samples=100, classifier_steps=5: original(self, data, 100, 5))
    images = np.random.default_rng(0).integers(0, 255, (40, 8, 8), dtype=np.uint8)
    path = tmp_path / "data" / "train-images-idx3-ubyte"
    path.parent.mkdir()
    path.write_bytes(b"\x00\x00\x08\x03" + np.array(images.shape, ">u4").tobytes() + images.tobytes())
    out = tmp_path / "run"
    assert cli.main(["train", "gan", "--data", f"idx:{path}", "--steps", "2", "--batch", "4", "--width", "4",
                     "--nz", "4", "--eval-every", "2", "--quiet", "--out", str(out)]) == 0
    path.unlink()                                              # the data moved away
    assert cli.main(["sample", str(out), "--n", "3", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape == (3, 1, 32, 32)


def test_open_run_refuses_resume_and_overwrite_together(tmp_path):
    with pytest.raises(RunFolderError, match="choose one of"):
        with rundir.open_run(tmp_path, "train gan", resume=True, overwrite=True):
            pass


def test_vae_trainer_refuses_an_existing_run_too(tmp_path):
    cfg = dict(arch="mlp", steps=2, batch=8, eval_every=2)
    vae_train.train(vae_train.Config(**cfg), tmp_path, progress=False)
    with pytest.raises(RunFolderError, match="already holds a run"):
        vae_train.train(vae_train.Config(**cfg), tmp_path, progress=False)
