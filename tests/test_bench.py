"""The bench's --quick mode runs and writes what it promises. No timing is asserted."""
import csv
import json
import os
import subprocess
import sys

import pytest

from tinygan import cli


def test_quick_bench_writes_table_json_csv_png(tmp_path, capsys):
    assert cli.main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "conv2d_forward" in out and "% of peak" in out and "DCGAN 32x32" in out and "BLAS:" in out
    assert "dcgan32 d2" in out and "fastest here" in out and "import numpy first" in out
    result = json.loads((tmp_path / "bench.json").read_text())
    assert result["peaks"]["gemm_gflops"] > 0 and result["peaks"]["copy_gbs"] > 0
    impls = {(r["op"], r["impl"]) for r in result["kernels"]}
    assert ("conv2d_forward", "numba_cpu") in impls and ("conv2d_forward", "im2col") in impls
    assert ("bce_with_logits", "reference") in impls and ("batch_norm_backward", "numba_cpu") in impls
    assert all(r["ms"] > 0 for r in result["kernels"] + result["steps"])
    with open(tmp_path / "bench.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(result["kernels"]) + len(result["layers"]) + len(result["steps"])
    assert {r["layer"] for r in result["layers"]} >= {"dcgan32 d0", "dcgan32 g9 (transposed)"}
    contenders = {(r["workload"], r["contender"]) for r in result["steps"]}
    assert {("dcgan32", "tinygan-first"), ("dcgan32", "numpy-first"), ("mlp2d", "tinygan-first")} <= contenders
    if ("dcgan32", "torch") in contenders:
        assert all(r.get("vs_torch", 0) > 0 for r in result["steps"] if r["contender"] != "torch")
    assert (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"


def test_bench_reruns_itself_without_blas_overrides(tmp_path):
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell"}
    code = ("import os, sys; from tinygan import benchmark; "
            "benchmark.run = lambda **kw: print('child sees', os.environ.get('OPENBLAS_CORETYPE'), "
            "os.environ.get('TINYGAN_BENCH_CHILD')); "
            "from tinygan import cli; sys.exit(cli.main(['bench', '--quick', '--out', sys.argv[1]]))")
    # the parent re-executes `python -m tinygan.cli bench ...`; patching run() only affects the parent,
    # so check the message and that the child ran with the variable removed
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True,
                         timeout=600)
    assert "re-running with OPENBLAS_CORETYPE unset" in out.stdout
    assert out.returncode == 0, out.stderr
    assert "overrides unset for timing: OPENBLAS_CORETYPE=Haswell" in out.stdout


def test_gpu_bench_without_a_gpu_is_one_clear_line(capsys):
    from tinygan import backend
    if backend.cupy_problem() is None:
        pytest.skip("a GPU is present")
    assert cli.main(["bench", "--quick", "--device", "gpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tinygan: error: set_backend('cupy')") and "\n" not in err


def test_the_pytorch_baseline_runs_as_a_plain_pytorch_user_would():
    """No tinygan import in the worker, none of tinygan's environment settings, BLAS overrides the
    bench unset for itself put back (issue #13: the old worker inherited OMP_WAIT_POLICY=PASSIVE)."""
    pytest.importorskip("torch")
    from tinygan import _runtime, benchmark
    env = benchmark.worker_environment()
    assert not [k for k in env if k.startswith("TINYGAN_")]
    assert not [k for k in _runtime.set_by_tinygan if k in env]
    worker, info = benchmark.start_torch_worker("cpu", "dcgan32")
    try:
        worker.stdin.write("2\n")
        worker.stdin.flush()
        times = json.loads(worker.stdout.readline())
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    assert info["tinygan_imported"] is False and len(times) == 2 and all(t > 0 for t in times)
    assert {k: v for k, v in info["env"].items()} == {k: os.environ[k] for k in info["env"]
                                                      if k not in _runtime.set_by_tinygan}


def test_the_worker_keeps_the_machine_s_blas_overrides_that_the_bench_unset_for_itself(monkeypatch):
    from tinygan import benchmark
    monkeypatch.setenv("TINYGAN_BENCH_CHILD", "OPENBLAS_CORETYPE=Haswell")
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    env = benchmark.worker_environment()
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and "TINYGAN_BENCH_CHILD" not in env


def _tinygan_layer_shapes(workload):
    """What torch_worker.py --layers prints, for tinygan's networks as the bench builds them."""
    import tinygan
    from tinygan.benchmark import suites
    out = {}
    for name, layers, x in suites.networks(workload, batch=2):
        out[name] = []
        with tinygan.no_grad():
            for layer in layers:
                x = layer(x)
                out[name].append([type(layer).__name__, [list(p.shape) for p in layer.parameters()], list(x.shape)])
    return out


@pytest.mark.parametrize("workload", ["dcgan32", "dcgan64", "vae64", "mlp2d"])
def test_the_pytorch_networks_are_layer_for_layer_tinygan_s(workload):
    """The bench's PyTorch networks are rebuilt by hand in torch_worker.py (which never imports
    tinygan): every layer's type, parameter shapes and output shape must be tinygan's, so strides
    and paddings are compared too. The worker runs as the bench runs it, a script in its own process."""
    pytest.importorskip("torch")
    import pathlib
    worker = pathlib.Path(__file__).resolve().parent.parent / "tinygan" / "benchmark" / "torch_worker.py"
    run = subprocess.run([sys.executable, str(worker), "--layers", workload], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    theirs, ours = json.loads(run.stdout), _tinygan_layer_shapes(workload)
    assert theirs.keys() == ours.keys()
    for net in ours:
        assert len(theirs[net]) == len(ours[net]), net
        for k, (t, o) in enumerate(zip(theirs[net], ours[net])):
            assert t == o, f"{net} layer {k}: PyTorch {t}, tinygan {o}"


def test_soak_prints_resident_memory_at_its_checkpoints(capsys):
    from tinygan.benchmark import soak
    rows = soak.run(100)
    assert [r[0] for r in rows] == [1, 10, 25, 50, 75, 100]
    if rows[0][1] is not None:
        assert all(r[1] > 0 for r in rows)
    assert "RSS" in capsys.readouterr().out
