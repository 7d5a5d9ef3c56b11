"""Image data for the GAN trainer: procedural shapes, resized digits, and the IDX reader on small
files written here (plain, gzipped, truncated, wrong magic)."""
import gzip
import struct

import numpy as np
import pytest

from tinygan.data import images
from tinygan.data.idx import load_idx_images, read_idx
from tinygan.data.shapes import CLASSES, make_shapes


def write_idx(path, array, compress=False):
    array = np.asarray(array, np.uint8)
    raw = bytes([0, 0, 0x08, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape) + array.tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def test_shapes_are_deterministic_labelled_and_distinct():
    x, y = make_shapes(300, 32, seed=4)
    x2, y2 = make_shapes(300, 32, seed=4)
    assert x.shape == (300, 1, 32, 32) and x.dtype == np.float32 and np.array_equal(x, x2) and np.array_equal(y, y2)
    assert set(y) == set(range(len(CLASSES))) and 0 <= x.min() and x.max() == 1
    area = x.sum(axis=(1, 2, 3))
    assert area.min() > 20 and area.max() < 0.5 * 32 * 32        # one visible shape, not the whole canvas
    assert not np.array_equal(make_shapes(5, 32, seed=5)[0], x[:5])


def test_digits_are_resized_to_the_requested_size_and_keep_labels():
    data = images.get("digits", 32)
    assert data.images.shape == (1797, 1, 32, 32) and data.num_classes == 10 and data.labels.shape == (1797,)
    assert 0 <= data.images.min() and data.images.max() <= 1
    batch = data.sample(16, 0)
    assert batch.min() >= -1 and batch.max() <= 1                # scaled for a tanh generator
    train, held_out = data.split()
    assert len(set(train) & set(held_out)) == 0 and len(train) + len(held_out) == 1797


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip_with_labels_beside(tmp_path, compress):
    rng = np.random.default_rng(0)
    pics = rng.integers(0, 256, (7, 28, 28))
    labels = rng.integers(0, 10, 7)
    suffix = ".gz" if compress else ""
    img_path = write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", pics, compress)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels, compress)
    assert np.array_equal(read_idx(str(img_path)), pics)
    x, y = load_idx_images(str(img_path))
    assert x.shape == (7, 1, 28, 28) and np.allclose(x[:, 0] * 255, pics) and np.array_equal(y, labels)
    data = images.get(f"idx:{img_path}", 32)
    assert data.images.shape == (7, 1, 32, 32) and data.num_classes == int(labels.max()) + 1


def test_idx_without_labels_file_gives_none(tmp_path):
    path = write_idx(tmp_path / "pictures.idx", np.zeros((3, 4, 4)))
    assert load_idx_images(str(path))[1] is None


def test_truncated_idx_is_a_clear_error(tmp_path):
    path = write_idx(tmp_path / "t-images-idx3-ubyte", np.ones((5, 6, 6)))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"declares shape \(5, 6, 6\) \(180 bytes of data\) but holds 170"):
        read_idx(str(path))
    path.write_bytes(path.read_bytes()[:9])
    with pytest.raises(ValueError, match="truncated inside its header"):
        read_idx(str(path))


def test_wrong_magic_and_bad_files_are_clear_errors(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ValueError, match="magic number 0x89504e47"):
        read_idx(str(bad))
    gz = tmp_path / "broken.gz"
    gz.write_bytes(gzip.compress(bytes(50))[:20])
    with pytest.raises(ValueError, match="damaged gzip"):
        read_idx(str(gz))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_idx(str(tmp_path / "missing"))
    labels_only = write_idx(tmp_path / "l.idx", np.arange(4))
    with pytest.raises(ValueError, match=r"images need \(N, H, W\)"):
        load_idx_images(str(labels_only))
    mismatched = write_idx(tmp_path / "a-images-idx3-ubyte", np.zeros((3, 4, 4)))
    write_idx(tmp_path / "a-labels-idx1-ubyte", np.arange(5))
    with pytest.raises(ValueError, match="labels of shape"):
        load_idx_images(str(mismatched))


def test_unknown_image_dataset_is_refused():
    with pytest.raises(ValueError, match="choose shapes, digits or idx:PATH"):
        images.get("cifar")
