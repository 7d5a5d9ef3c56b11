"""The backend switch and the kernel registry: clear errors, selection, env parsing."""
import subprocess
import sys

import numpy as np
import pytest

import tinygan
from tinygan import kernels
from tinygan.kernels import registry


def test_unknown_backend_is_one_clear_line():
    with pytest.raises(tinygan.BackendError, match=r"unknown backend 'tpu'"):
        tinygan.set_backend("tpu")


def test_cupy_backend_where_unusable_gives_one_line():
    if tinygan.backend.cupy_problem() is None:
        pytest.skip("CuPy is usable here; the GPU tests cover it")
    with pytest.raises(tinygan.BackendError, match=r"set_backend\('cupy'\): .*tinygan\[gpu\]") as info:
        tinygan.set_backend("cupy")
    assert "\n" not in str(info.value)
    assert tinygan.get_backend() == "numpy"


def test_env_backend_switch_and_bad_value_in_a_fresh_process():
    code = "import tinygan; print(tinygan.get_backend())"
    ok = subprocess.run([sys.executable, "-c", code], env={"TINYGAN_BACKEND": "numpy", "PATH": ""},
                        capture_output=True, text=True)
    assert ok.stdout.strip() == "numpy"
    bad = subprocess.run([sys.executable, "-c", code], env={"TINYGAN_BACKEND": "nope", "PATH": ""},
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown backend 'nope'" in bad.stderr


def test_available_prints_the_table_and_marks_the_kernel_in_use(capsys):
    rows = kernels.available()
    out = capsys.readouterr().out
    assert "conv2d_forward" in out and "im2col" in out and "* in use" in out
    in_use = {r["op"]: r["impl"] for r in rows if r["selected"]}
    assert in_use["conv2d_forward"] == "numba_cpu"   # the fastest CPU kernel where Numba imports
    assert set(in_use) == set(kernels.ops())


def test_use_validates_and_restores():
    with pytest.raises(tinygan.KernelError, match="no implementation 'fast'"):
        kernels.use("conv2d_forward", "fast")
    with pytest.raises(tinygan.KernelError, match="unknown op 'conv3d'"):
        kernels.use("conv3d", "reference")
    with kernels.use("conv2d", "reference"):
        assert all(kernels.selected(op) == "reference" for op in registry.FAMILIES["conv2d"])
    assert kernels.selected("conv2d_backward_weight") == "numba_cpu"
    kernels.use("bce_with_logits", "reference")
    kernels.use("bce_with_logits", None)


def test_env_kernel_spec_is_parsed():
    with kernels.use("conv2d", None):
        registry.apply_env("conv2d:reference")
        assert kernels.selected("conv2d_backward_data") == "reference"
    assert kernels.selected("conv2d_backward_data") == "numba_cpu"
    with pytest.raises(tinygan.KernelError, match="expected 'op:impl'"):
        registry.apply_env("conv2d")


def test_kernel_for_wrong_backend_is_refused():
    class FakeCupyArray:
        __module__ = "cupy._core"
    with kernels.use("conv2d", "reference"):
        with pytest.raises(tinygan.KernelError, match="cannot run on cupy arrays"):
            registry.kernel("conv2d_forward", FakeCupyArray())


def test_loss_kernels_match_their_formulas():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal(1000) * 40, rng.uniform(0, 1, 1000)
    total, grad = registry.kernel("bce_with_logits", x)(x, t)
    np.testing.assert_allclose(total, np.sum(np.logaddexp(0, x) - x * t), rtol=1e-12)
    np.testing.assert_allclose(grad, 1 / (1 + np.exp(-x)) - t, atol=1e-12)


def test_import_is_fast_and_does_not_load_numba():
    code = ("import sys, time; t = time.perf_counter(); import tinygan, tinygan.kernels; "
            "print(time.perf_counter() - t, 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
    assert out[1] == "False"
    assert float(out[0]) < 5.0   # generous bound: catches a JIT compile at import, not machine noise


# ---- locality: every kernel is registered, with a literal target, beside the Function that calls it ----
import ast  # noqa: E402
import pathlib  # noqa: E402
import re  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
OP_FILES = sorted((ROOT / "tinygan" / "ops").glob("*.py")) + sorted((ROOT / "tinygan" / "optim").glob("*.py"))


def _register_calls():
    """(file, op, impl, target) of every register(...) call in tinygan/ops/*.py and tinygan/optim/*.py (Adam's
    update), read from the source."""
    calls = []
    for path in OP_FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "register":
                literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:3]]
                assert len(literal) == 3 and all(literal), \
                    f"{path.name}:{node.lineno}: register(op, impl, target, ...) needs three string literals"
                calls.append((path, *(a.value for a in node.args[:3])))
    return calls


def test_every_kernel_is_registered_with_a_literal_target_in_its_op_s_file():
    """A reader goes from an op's Function to each of its kernels in one hop: the register() lines in
    the same file name them as "tinygan.kernels.<file>:<function>" (grep and go-to-file find them)."""
    calls = _register_calls()
    registered = [(op, impl, registry.get(op, impl).target) for op in registry.ops() for impl in registry.implementations(op)]
    assert sorted((op, impl, target) for _, op, impl, target in calls) == sorted(registered)
    for path, op, impl, target in calls:
        assert f'kernel("{op}"' in path.read_text(), f"{op} is registered in {path.name}, but not called there"
        module, function = target.split(":")
        assert module.startswith("tinygan.kernels."), target
        source = (ROOT / "kernels" / (module.rsplit(".", 1)[1] + ".py")).read_text()
        assert re.search(rf"^def {function}\(", source, re.M), f"{target}: no such function"


def test_the_registry_s_public_api():
    assert kernels.implementations("conv2d_forward")[0] == "numba_cpu"
    assert kernels.get("mse", "reference").target == "tinygan.kernels.losses_reference:mse"
    assert kernels.get("mse", "numba_cpu").backends == ("numpy",)
    with pytest.raises(tinygan.KernelError, match="unknown op 'conv3d'"):
        kernels.implementations("conv3d")
    with pytest.raises(tinygan.KernelError, match=r"no implementation 'winograd'.*'reference'"):
        kernels.get("conv2d_forward", "winograd")
