"""save/load round trips, atomic writes, refusal of foreign/corrupt files, resume determinism."""
import os

import numpy as np
import pytest

import tinygan
from tinygan import nn, optim


def test_round_trip_of_a_nested_training_state(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    opt = optim.Adam(model.parameters(), betas=(0.5, 0.9))
    model(tinygan.randn(5, 3)).sum().backward()
    opt.step()
    state = {"model": model.state_dict(), "optim": opt.state_dict(), "rng": tinygan.get_rng_state(),
             "step": 7, "note": "hello", "lr": 1e-4, "flags": [True, None], "shape": (2, 3)}
    path = tmp_path / "ckpt.npz"
    tinygan.save(state, path)
    back = tinygan.load(path)
    assert back["step"] == 7 and back["note"] == "hello" and back["lr"] == 1e-4
    assert back["flags"] == [True, None] and back["shape"] == (2, 3)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(back["model"][k], v.numpy())
    assert back["optim"]["param_groups"][0]["betas"] == (0.5, 0.9)
    assert set(back["optim"]["state"]) == {0, 1, 2, 3}     # integer keys survive
    np.testing.assert_array_equal(back["optim"]["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])
    with np.load(path, allow_pickle=False) as raw:          # plain npz, arrays named by path
        assert "model/0.weight" in raw.files


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    tinygan.save({"a": np.ones(3)}, path)

    def broken_savez(f, **arrays):
        f.write(b"half a file")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        tinygan.save({"a": np.zeros(3)}, path)
    monkeypatch.undo()
    np.testing.assert_array_equal(tinygan.load(path)["a"], np.ones(3))   # old file intact
    assert os.listdir(tmp_path) == ["ckpt.npz"]                          # no temp file left


def test_foreign_and_corrupt_files_give_one_clear_error(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, x=np.ones(2))
    with pytest.raises(tinygan.CheckpointError, match="not a tinygan checkpoint"):
        tinygan.load(plain)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"\x00not a zip at all")
    with pytest.raises(tinygan.CheckpointError, match="corrupt"):
        tinygan.load(garbage)
    good = tmp_path / "good.npz"
    tinygan.save({"w": np.arange(1000.0)}, good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(tinygan.CheckpointError):
        tinygan.load(truncated)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, __tinygan__=np.array('{"format": "tinygan-checkpoint-1", "tree": {"$array": "o"}}'),
             o=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(tinygan.CheckpointError):   # object arrays need pickle: refused
        tinygan.load(pickled)


def test_unsupported_values_are_refused_at_save_time(tmp_path):
    with pytest.raises(TypeError, match="cannot store a object"):
        tinygan.save({"bad": object()}, tmp_path / "x.npz")


def _make():
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 1))
    return model, optim.Adam(model.parameters(), lr=1e-2)


def _train(model, opt, steps):
    for _ in range(steps):
        x = tinygan.randn(8, 4)              # data and dropout both draw from the central RNG
        loss = ((model(x) - x.sum(axis=1, keepdims=True)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_resumed_run_is_bit_identical_to_an_uninterrupted_one(tmp_path):
    tinygan.manual_seed(5)
    model, opt = _make()
    _train(model, opt, 10)
    reference = {k: v.numpy().copy() for k, v in model.state_dict().items()}

    tinygan.manual_seed(5)
    model, opt = _make()
    _train(model, opt, 5)
    tinygan.save({"model": model.state_dict(), "optim": opt.state_dict(),
                  "rng": tinygan.get_rng_state(), "step": 5}, tmp_path / "ckpt.npz")
    tinygan.manual_seed(999)                 # a fresh process would start elsewhere
    model, opt = _make()
    ckpt = tinygan.load(tmp_path / "ckpt.npz")
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optim"])
    tinygan.set_rng_state(ckpt["rng"])
    _train(model, opt, 10 - ckpt["step"])
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), reference[k], err_msg=k)
