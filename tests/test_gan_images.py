"""Image GANs: DCGAN shapes and packing, the classifier-based metrics, and the trainer on images."""
import json

import numpy as np
import pytest

import tinygan
from tinygan import cli
from tinygan.data import images
from tinygan.gan import train as gan_train
from tinygan.gan.models import DCGANDiscriminator, DCGANGenerator, pack_samples
from tinygan.metrics import images as image_metrics


@pytest.mark.parametrize("size", [32, 64])
def test_dcgan_shapes(size):
    g, d = DCGANGenerator(nz=8, ngf=4, image_size=size), DCGANDiscriminator(ndf=4, image_size=size)
    x = g(tinygan.randn(3, 8))
    assert x.shape == (3, 1, size, size) and np.abs(x.numpy()).max() <= 1
    assert d(x).shape == (3, 1)
    packed = DCGANDiscriminator(ndf=4, image_size=size, pack=3)
    assert packed(x).shape == (1, 1) and packed.features(x).shape == (1, {32: 16, 64: 32}[size] * 4 * 4)   # ndf·2^(downs−1) maps of 4×4


def test_discriminator_without_batchnorm_has_no_batchnorm():
    from tinygan import nn
    kinds = {type(m) for m in DCGANDiscriminator(ndf=4, batchnorm=False).modules()}
    assert nn.BatchNorm2d not in kinds and nn.BatchNorm2d in {type(m) for m in DCGANDiscriminator(ndf=4).modules()}


def test_pack_samples_joins_consecutive_samples_along_features():
    x = tinygan.tensor(np.arange(12, dtype=np.float32).reshape(6, 2))
    packed = pack_samples(x, 3).numpy()
    assert np.array_equal(packed, np.concatenate([x.numpy()[0:3].reshape(1, -1), x.numpy()[3:6].reshape(1, -1)]))
    imgs = tinygan.tensor(np.random.default_rng(0).standard_normal((4, 1, 2, 2)).astype(np.float32))
    assert np.array_equal(pack_samples(imgs, 2).numpy()[1, 1], imgs.numpy()[3, 0])
    with pytest.raises(ValueError, match="not a multiple of pack=4"):
        pack_samples(x, 4)


def test_frechet_distance_exact_properties():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((400, 5)) @ rng.standard_normal((5, 5))
    assert abs(image_metrics.frechet_distance(a, a)) < 1e-8
    shift = np.array([1.0, -2.0, 0.5, 0.0, 3.0])
    assert image_metrics.frechet_distance(a, a + shift) == pytest.approx((shift ** 2).sum(), rel=1e-8)
    # scaling by k: Tr(C + k²C − 2kC) = (1 − k)² Tr C (plus the mean term)
    k, cov = 3.0, np.cov(a, rowvar=False)
    expected = ((a.mean(0) * (1 - k)) ** 2).sum() + (1 - k) ** 2 * np.trace(cov)
    assert image_metrics.frechet_distance(a, k * a) == pytest.approx(expected, rel=1e-7)
    with pytest.raises(ValueError, match="frechet_distance"):
        image_metrics.frechet_distance(a, a[:, :3])


def test_class_coverage_of_balanced_and_collapsed_predictions():
    balanced = np.eye(4)[np.arange(400) % 4]
    assert image_metrics.class_coverage(balanced, 4) == {"classes": 4, "class_kl": 0.0, "class_counts": [100] * 4}
    collapsed = image_metrics.class_coverage(np.eye(4)[np.zeros(50, int)], 4)
    assert collapsed["classes"] == 1 and collapsed["class_kl"] == pytest.approx(np.log(4))


def test_judge_ranks_real_images_above_noise_and_a_collapsed_generator():
    data = images.get("shapes", 32)
    judge = image_metrics.ImageJudge(data, num_samples=300, classifier_steps=400)
    assert judge.accuracy > 0.9
    train_idx = data.split()[0]
    real = judge.evaluate(data.images[train_idx[300:600]] * 2 - 1)
    noise = judge.evaluate(np.random.default_rng(0).uniform(-1, 1, (300, 1, 32, 32)).astype(np.float32))
    collapsed = judge.evaluate(np.repeat(data.images[train_idx[:1]] * 2 - 1, 300, axis=0))
    assert real["classes"] == 3 and real["class_kl"] < 0.05
    assert collapsed["classes"] == 1 and collapsed["class_kl"] == pytest.approx(np.log(3))
    assert real["fd"] < 0.2 * min(noise["fd"], collapsed["fd"])


def test_classifier_leaves_the_training_random_stream_alone():
    tinygan.manual_seed(5)
    expected = tinygan.rand(3).numpy()
    tinygan.manual_seed(5)
    image_metrics.train_classifier(images.get("digits"), steps=2)
    assert np.array_equal(tinygan.rand(3).numpy(), expected)


@pytest.mark.parametrize("loss,pack,extra", [("ns", 1, {}), ("wgan-gp", 2, {}), ("ns", 2, {"feature_matching": True})])
def test_image_training_resumes_bit_identically(tmp_path, cheap_judge, loss, pack, extra):
    cfg = dict(data="shapes", loss=loss, pack=pack, steps=4, batch=4, width=4, nz=8, eval_every=2,
               checkpoint_every=2, **extra)
    straight = gan_train.train(gan_train.Config(**cfg), tmp_path / "a", progress=False)
    gan_train.train(gan_train.Config(**{**cfg, "steps": 2}), tmp_path / "b", progress=False)
    # DCGAN's schedule does not depend on the horizon, so an extension is the longer run
    resumed = gan_train.train(gan_train.Config(**cfg), tmp_path / "b", extend=True, progress=False)
    assert resumed == straight and {"fd", "classes", "class_kl"} <= set(straight)
    a = gan_train.load_run(tmp_path / "a")
    b = gan_train.load_run(tmp_path / "b")
    for (name, p), (_, q) in zip(a.g.state_dict().items(), b.g.state_dict().items()):
        assert np.array_equal(p, q), name


def test_cli_image_run_writes_pictures_and_sample_writes_images_and_grid(tmp_path, cheap_judge, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "gan", "--data", "digits", "--steps", "2", "--batch", "4", "--width", "4",
                     "--eval-every", "1", "--quiet", "--out", str(out)]) == 0
    assert "Frechet distance" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["model"] == "dcgan" and len(metrics["evaluations"]) == 2
    assert set(metrics["classifier"]) == {"held_out_accuracy", "fd_real_vs_real"}
    assert (out / "samples.png").read_bytes()[:4] == b"\x89PNG" and (out / "progress" / "samples-000002.png").exists()
    assert (out / "classes.png").exists()
    assert cli.main(["sample", str(out), "--n", "10", "--out", str(tmp_path / "s.npy")]) == 0
    samples = np.load(tmp_path / "s.npy")
    assert samples.shape == (10, 1, 32, 32) and np.abs(samples).max() <= 1
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_trains_on_a_users_idx_file(tmp_path, cheap_judge, capsys):
    from test_image_data import write_idx
    rng = np.random.default_rng(0)
    path = write_idx(tmp_path / "train-images-idx3-ubyte", rng.integers(0, 256, (40, 28, 28)))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(40) % 4)
    assert cli.main(["train", "gan", "--data", f"idx:{path}", "--steps", "1", "--batch", "4", "--width", "4",
                     "--quiet", "--out", str(tmp_path / "r")]) == 0
    final = json.loads((tmp_path / "r" / "metrics.json").read_text())["final"]
    assert len(final["class_counts"]) == 4 and sum(final["class_counts"]) == gan_train.IMAGE_EVAL_SAMPLES


@pytest.mark.parametrize("argv,message", [
    (["--data", "digits", "--model", "mlp"], "does not fit --data digits"),
    (["--data", "ring", "--model", "dcgan"], "does not fit --data ring"),
    (["--data", "shapes", "--unrolled", "2"], "implemented for --model mlp only"),
    (["--data", "shapes", "--image-size", "48"], "must be 32 or 64"),
    (["--data", "idx:/nonexistent/file"], "does not exist"),
    (["--data", "cifar"], "unknown dataset"),
])
def test_bad_image_options_are_one_line(tmp_path, capsys, argv, message):
    code = cli.main(["train", "gan", "--steps", "2", "--quiet", "--out", str(tmp_path / "x"), *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err
