"""Reader for the IDX files of MNIST and Fashion-MNIST (LeCun et al.), plain or gzipped, for
files the user already has — tinygan downloads nothing.

Format: 2 zero bytes, a type byte (0x08 = uint8, the only type these datasets use), a byte with
the number of dimensions d, then d big-endian uint32 sizes, then the data in C order.
"""
import gzip
import math
import os
import zlib

import numpy as np

_UINT8 = 0x08


def read_idx(path):
    """The array stored in an IDX file; a clear one-line error for anything else."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"idx: {path} does not exist")
    if os.path.isdir(path):
        raise ValueError(f"idx: {path} is a folder; give the IDX file itself (e.g. {path}/train-images-idx3-ubyte.gz)")
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"idx: {path} is a damaged gzip file ({exc})") from None
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != _UINT8 or not 1 <= raw[3] <= 4:
        raise ValueError(f"idx: {path} has magic number 0x{raw[:4].hex() or '(empty)'}, expected 0x000008 then "
                         "1-4 dimensions (an MNIST-style IDX file of uint8)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"idx: {path} is truncated inside its header ({len(raw)} bytes)")
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", ndim, 4))
    expected = math.prod(shape)         # Python ints: a declared 4 × 2^32-1 shape must not wrap around
    if len(raw) - header != expected:
        raise ValueError(f"idx: {path} declares shape {shape} ({expected} bytes of data) but holds "
                         f"{len(raw) - header}; the file is truncated or not an IDX file")
    return np.frombuffer(raw, np.uint8, expected, header).reshape(shape)


def labels_path_for(images_path):
    """MNIST's naming: train-images-idx3-ubyte[.gz] -> train-labels-idx1-ubyte[.gz] (None if absent)."""
    folder, name = os.path.split(images_path)
    candidate = os.path.join(folder, name.replace("images-idx3", "labels-idx1"))
    return candidate if candidate != images_path and os.path.exists(candidate) else None


def load_idx_images(images_path):
    """(images (N, 1, H, W) float32 in [0, 1], labels (N,) int64 or None) from an IDX image file and,
    when it sits beside it under MNIST's name, its label file."""
    images = read_idx(images_path)
    if images.ndim != 3 or 0 in images.shape:
        raise ValueError(f"idx: {images_path} holds an array of shape {images.shape}; images need (N, H, W) with "
                         "N, H, W >= 1")
    labels_path = labels_path_for(images_path)
    labels = None
    if labels_path:
        labels = read_idx(labels_path).astype(np.int64)
        if labels.shape != (len(images),):
            raise ValueError(f"idx: {labels_path} holds labels of shape {labels.shape} for {len(images)} images "
                             f"in {images_path}")
    return (images.astype(np.float32) / 255.0)[:, None], labels
