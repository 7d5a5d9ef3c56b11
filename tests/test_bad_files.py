"""Files that are not what they claim give one CheckpointError / ValueError naming the file
(issue #11, cases 4, 14, 15)."""
import gzip
import io
import json
import zipfile

import numpy as np
import pytest

import tinygan
from tinygan import cli
from tinygan.data.idx import load_idx_images, read_idx
from tinygan.errors import CheckpointError
from tinygan.serialization import FORMAT, HEADER


# ---- save: keys that would collide ---------------------------------------------------------------
@pytest.mark.parametrize("state", [{"a/b": np.ones(2), "a": {"b": np.zeros(2)}}, {"x": {"a/b": 1}},
                                   {HEADER: 1}, {"m": {HEADER: np.ones(1)}}, {(1, 2): 3}])
def test_keys_that_cannot_round_trip_are_refused(tmp_path, state):
    with pytest.raises(ValueError, match="cannot be stored"):
        tinygan.save(state, tmp_path / "c.npz")
    assert not list(tmp_path.iterdir())


def test_integer_and_string_keys_round_trip(tmp_path):
    state = {"opt": {0: {"m": np.arange(3.0)}, 1: {"m": np.ones(2)}}, "name": "x"}
    tinygan.save(state, tmp_path / "c.npz")
    back = tinygan.load(tmp_path / "c.npz")
    assert set(back["opt"]) == {0, 1} and back["name"] == "x"
    np.testing.assert_array_equal(back["opt"][0]["m"], np.arange(3.0))


# ---- load: anything that is not a tinygan checkpoint ----------------------------------------------
def _npz(path, header, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **({HEADER: np.array(json.dumps(header))} if header is not None else {}), **arrays)
    return path


def _huge_declared_shape(path):
    """A valid zip whose one array's .npy header declares 10^12 float32 (3.6 TiB) over 16 bytes."""
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False, "shape": (10 ** 12,)})
    member.write(b"\0" * 16)
    header = io.BytesIO()
    np.save(header, np.array(json.dumps({"format": FORMAT, "tree": {"$dict": [["w", {"$array": "w"}]]}})))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(HEADER + ".npy", header.getvalue())
        z.writestr("w.npy", member.getvalue())
    return path


@pytest.mark.parametrize("make", [
    lambda p: (np.save(p.with_suffix(".npy"), np.ones(3)), p.with_suffix(".npy").rename(p)),   # a plain .npy
    lambda p: _npz(p, {"format": FORMAT}),                                                     # header, no tree
    lambda p: _npz(p, [1, 2, 3]),                                                              # header a list
    lambda p: _npz(p, {"format": FORMAT, "tree": {"$dict": [["w", {"$array": "gone"}]]}}),    # dangling
    lambda p: _npz(p, {"format": FORMAT, "tree": {"$dict": [["w", {"$what": 1}]]}}),          # malformed node
    lambda p: _npz(p, None, w=np.ones(2)),                                                     # no header
    lambda p: _huge_declared_shape(p),
    lambda p: p.write_bytes(b"PK\x03\x04 truncated"),
    lambda p: p.mkdir(),
], ids=["npy", "no-tree", "list-header", "dangling", "malformed", "no-header", "huge-shape", "truncated", "dir"])
def test_foreign_files_are_checkpoint_errors_naming_the_file(tmp_path, make):
    path = tmp_path / "checkpoint.npz"
    make(path)
    with pytest.raises(CheckpointError) as info:
        tinygan.load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_foreign_checkpoint_in_a_run_folder_is_one_line_in_the_cli(tmp_path, capsys):
    _npz(tmp_path / "checkpoint.npz", [1])
    assert cli.main(["sample", str(tmp_path), "--out", str(tmp_path / "s.npy")]) == 2
    err = capsys.readouterr().err.strip()
    assert "checkpoint.npz" in err and "\n" not in err


# ---- IDX files -----------------------------------------------------------------------------------
def _idx(shape, data=None):
    data = np.zeros(int(np.prod(shape)), np.uint8).tobytes() if data is None else data
    return b"\x00\x00\x08" + bytes([len(shape)]) + np.array(shape, ">u4").tobytes() + data


def test_a_gzip_with_a_broken_deflate_block_is_a_clear_error(tmp_path):
    packed = bytearray(gzip.compress(_idx((4, 3, 3))))
    packed[10] = 0xFF                          # the first deflate block now has the reserved type 3
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(ValueError, match="damaged gzip"):
        read_idx(str(path))


@pytest.mark.parametrize("content,message", [
    (_idx((0, 28, 28)), "N, H, W >= 1"),                                            # no images
    (_idx((2 ** 31, 2 ** 31, 4), b""), "declares shape"),     # 2^64 bytes: wraps to 0 in int64
])
def test_idx_files_with_no_images_or_an_overflowing_shape(tmp_path, content, message):
    path = tmp_path / "x-images-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_idx_images(str(path))


def test_idx_pointing_at_a_folder_is_one_line(tmp_path, capsys):
    assert cli.main(["train", "gan", "--data", f"idx:{tmp_path}", "--steps", "1", "--quiet",
                     "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert "is a folder" in err and "\n" not in err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("state", [{1: np.zeros(2), "1": np.ones(2)}, {"": {"b": np.zeros(2)}, "b": np.ones(2)}])
def test_entries_that_would_share_one_array_name_are_refused(tmp_path, state):
    with pytest.raises(ValueError, match="both be stored as"):
        tinygan.save(state, tmp_path / "c.npz")


def test_object_arrays_are_refused_at_save_time(tmp_path):
    with pytest.raises(ValueError, match="Python objects"):
        tinygan.save({"x": np.array([{}, []], dtype=object)}, tmp_path / "c.npz")


@pytest.mark.parametrize("tree", [{"$dict": 5}, {"$list": 5}, {"$array": [1]}, {"$dict": [[1, 2, 3]]},
                                  {"$what": 1}])
def test_malformed_header_trees_are_checkpoint_errors(tmp_path, tree):
    path = _npz(tmp_path / "c.npz", {"format": FORMAT, "tree": tree})
    with pytest.raises(CheckpointError, match="c.npz"):
        tinygan.load(path)


def test_a_deeply_nested_header_is_a_checkpoint_error(tmp_path):
    tree = '{"$list": [' * 5000 + '{"$list": []}' + "]}" * 5000       # json.dumps itself cannot go so deep
    path = tmp_path / "c.npz"
    with open(path, "wb") as f:
        np.savez(f, **{HEADER: np.array(f'{{"format": "{FORMAT}", "tree": {tree}}}')})
    with pytest.raises(CheckpointError):
        tinygan.load(path)


@pytest.mark.parametrize("change", [lambda s: s["config"].update(newer_option=1), lambda s: s.pop("g"),
                                    lambda s: s.update(kind=3)], ids=["unknown-option", "no-generator", "odd-kind"])
def test_a_checkpoint_from_another_version_is_one_line(tmp_path, capsys, change):
    assert cli.main(["train", "gan", "--steps", "2", "--batch", "8", "--eval-every", "2", "--quiet",
                     "--out", str(tmp_path / "run")]) == 0
    state = tinygan.load(tmp_path / "run" / "checkpoint.npz")
    change(state)
    tinygan.save(state, tmp_path / "run" / "checkpoint.npz")
    assert cli.main(["sample", str(tmp_path / "run"), "--out", str(tmp_path / "s.npy")]) == 2
    err = capsys.readouterr().err.strip()
    assert "checkpoint.npz" in err and "\n" not in err
