"""Empty tensors, integer and float16 data, and bad environment variables follow PyTorch or
refuse with one line (issue #11, cases 9 and 13)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from tinygan.errors import DTypeError



def test_reductions_and_losses_of_an_empty_tensor_are_nan_as_in_pytorch():
    empty = tinygan.zeros(0)
    assert np.isnan(empty.mean().item())
    assert np.isnan(tinygan.zeros(0, 3).mean(axis=0).numpy()).all()
    assert tinygan.zeros(0, 3).mean(axis=1).shape == (0,)
    assert np.isnan(F.binary_cross_entropy_with_logits(empty, empty).item())
    assert np.isnan(F.mse_loss(empty, empty).item())
    assert np.isnan(F.binary_cross_entropy(empty, empty).item())
    assert F.mse_loss(empty, empty, reduction="sum").item() == 0.0          # the empty sum is 0


def test_empty_means_match_torch_where_it_is_installed():
    torch = pytest.importorskip("torch")
    e = torch.zeros(0)
    assert np.isnan(e.mean().item()) and np.isnan(torch.nn.functional.binary_cross_entropy_with_logits(e, e).item())


def test_integer_inputs_to_layers_are_refused_instead_of_wrapping():
    image = tinygan.tensor(np.full((1, 1, 3, 3), 20, np.uint8))
    with pytest.raises(DTypeError, match="conv2d: needs float32 or float64 inputs, got uint8"):
        F.conv2d(image, image)
    with pytest.raises(DTypeError, match="linear: needs float32 or float64"):
        F.linear(tinygan.tensor(np.ones((2, 3), np.int64)), tinygan.tensor(np.ones((4, 3), np.int64)))
    x = image.data.astype(np.float32)                                   # the float conv gives 3600
    assert F.conv2d(tinygan.tensor(x), tinygan.tensor(x)).item() == 3600.0


@pytest.mark.parametrize("dtype", [np.float16, np.complex64])
def test_dtypes_no_op_supports_are_refused_at_creation(dtype):
    with pytest.raises(DTypeError, match=f"{np.dtype(dtype).name} is not supported"):
        tinygan.tensor(np.zeros(3, dtype))


def _tinygan(*argv, **env):
    return subprocess.run([sys.executable, "-m", "tinygan.cli", *argv], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("variable,value,valid", [("TINYGAN_BACKEND", "banana", "'numpy', 'cupy'"),
                                                  ("TINYGAN_KERNELS", "conv2d:nope", "reference"),
                                                  ("TINYGAN_KERNELS", "nonsense", "op:impl")])
def test_a_bad_environment_variable_is_named_and_info_and_version_still_work(tmp_path, variable, value, valid):
    assert _tinygan("--version", **{variable: value}).returncode == 0
    info = _tinygan("info", **{variable: value})
    assert info.returncode == 0 and f"problem: {variable}={value!r}" in info.stdout
    train = _tinygan("train", "gan", "--steps", "1", "--out", str(tmp_path / "r"), **{variable: value})
    err = train.stderr.strip()
    assert train.returncode == 2 and variable in err and valid in err and "\n" not in err
    assert not (tmp_path / "r").exists()


def test_library_use_with_a_bad_backend_variable_fails_at_the_first_tensor():
    code = "import tinygan\ntry:\n    tinygan.zeros(2)\nexcept tinygan.BackendError as e:\n    print('raised', e)"
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, "TINYGAN_BACKEND": "banana"},
                         capture_output=True, text=True, timeout=120)
    assert "raised TINYGAN_BACKEND='banana'" in run.stdout, run.stderr


def test_variance_without_degrees_of_freedom_is_nan_as_in_pytorch():
    assert np.isnan(tinygan.zeros(0).var().item()) and np.isnan(tinygan.ones(1).var().item())
    assert tinygan.ones(1).var(correction=0).item() == 0.0
    assert tinygan.tensor([1.0, 2.0, 3.0]).var().item() == pytest.approx(1.0)


def test_an_explicit_choice_in_code_replaces_a_bad_environment_variable():
    code = ("import tinygan\nfrom tinygan import kernels\ntinygan.set_backend('numpy')\n"
            "kernels.use('conv2d', 'reference')\nprint(tinygan.nn.functional.conv2d(tinygan.ones(1, 1, 3, 3), "
            "tinygan.ones(1, 1, 3, 3)).item())")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TINYGAN_BACKEND": "banana", "TINYGAN_KERNELS": "conv2d:nope"})
    assert run.stdout.strip() == "9.0", run.stderr
