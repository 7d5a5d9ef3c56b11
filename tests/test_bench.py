"""The bench's workers, re-execution and soak, and its PyTorch networks. No timing is asserted."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tinygan import cli


# The quick bench itself runs once, through its demo: tests/test_demos.py::test_benchmark_demo_runs_the_quick_bench
# checks its tables, bench.json/csv/png and the ratios.


def test_bench_reruns_itself_without_blas_overrides(monkeypatch, capsys):
    """With OPENBLAS_CORETYPE set, `tinygan bench` re-executes itself with it removed and tells the
    child (TINYGAN_BENCH_CHILD) what it removed, so the child can print it and give it back to the
    PyTorch worker; a child does not re-execute again."""
    from tinygan import benchmark
    calls = []
    monkeypatch.setattr(benchmark.subprocess, "call", lambda argv, env: calls.append((argv, env)) or 0)
    monkeypatch.setattr(benchmark, "run", lambda **kw: calls.append("ran in the parent"))
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.delenv("TINYGAN_BENCH_CHILD", raising=False)
    assert cli.main(["bench", "--quick", "--out", "x"]) == 0
    assert "re-running with OPENBLAS_CORETYPE unset" in capsys.readouterr().out
    (argv, env), = calls
    assert argv[1:] == ["-m", "tinygan.cli", "bench", "--quick", "--out", "x"]
    assert "OPENBLAS_CORETYPE" not in env and env["TINYGAN_BENCH_CHILD"] == "OPENBLAS_CORETYPE=Haswell"
    monkeypatch.setenv("TINYGAN_BENCH_CHILD", env["TINYGAN_BENCH_CHILD"])     # now as the child
    calls.clear()
    assert cli.main(["bench", "--quick", "--out", "x"]) == 0
    assert calls == ["ran in the parent"]


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
    from tinygan import _runtime
    from tinygan.benchmark import workers
    env = workers.worker_environment()
    assert not [k for k in env if k.startswith("TINYGAN_")]
    assert not [k for k in _runtime.set_by_tinygan if k in env]
    worker, info = workers.start_torch_worker("cpu", "dcgan32")
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


def test_the_second_pytorch_worker_differs_only_by_tinygans_allocator_settings():
    """The bench's 'same malloc' PyTorch row: the plain user's environment plus glibc's variables
    for exactly the thresholds `import tinygan` sets with mallopt (tinygan/_malloc.py)."""
    pytest.importorskip("torch")
    from tinygan import _malloc
    from tinygan.benchmark import workers
    worker, info = workers.start_torch_worker("cpu", "mlp2d", _malloc.ENVIRONMENT)
    worker.stdin.close()
    worker.wait(timeout=60)
    assert info["tinygan_imported"] is False
    assert {k: v for k, v in info["env"].items() if k.startswith("MALLOC_")} == _malloc.ENVIRONMENT
    assert {int(v) for v in _malloc.ENVIRONMENT.values()} == set(_malloc.SETTINGS.values())
    plain = workers.worker_environment()
    assert not [k for k in plain if k.startswith("MALLOC_") and k not in os.environ]


def test_the_worker_keeps_the_machine_s_blas_overrides_that_the_bench_unset_for_itself(monkeypatch):
    from tinygan.benchmark import workers
    monkeypatch.setenv("TINYGAN_BENCH_CHILD", "OPENBLAS_CORETYPE=Haswell")
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    env = workers.worker_environment()
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


def test_memory_bound_kernels_are_timed_on_distinct_inputs_that_do_not_fit_in_a_cache():
    """rotating_inputs: enough copies to pass the byte budget, each array's copy holding the same
    values at other places (so a branch cannot learn one input), scalars passed through as they are."""
    from tinygan.benchmark.machine import rotating_inputs
    rng = np.random.default_rng(0)
    h, winner = rng.standard_normal((40, 25)), rng.integers(0, 5, (40, 5))
    sets = rotating_inputs((h, winner, 5), np, total_bytes=10 * (h.nbytes + winner.nbytes))
    seen = [next(sets) for _ in range(12)]
    assert seen[10][0] is seen[0][0] and seen[11][0] is seen[1][0]          # ten sets, then round again
    firsts = [s[0] for s in seen[:10]]
    assert len({id(a) for a in firsts}) == 10 and all(a is not h for a in firsts)
    for got_h, got_winner, pieces in seen[:10]:
        assert pieces == 5 and got_h.shape == h.shape and got_winner.dtype == winner.dtype
        np.testing.assert_array_equal(np.sort(got_h, axis=None), np.sort(h, axis=None))
    assert sum(not np.array_equal(a, h) for a in firsts) >= 9               # at most one copy in place


@pytest.mark.parametrize("n,chunks", [(1000, 64), (7, 64), (1 << 16, 3)])
def test_the_copy_peak_copies_every_element_once(n, chunks):
    """machine.parallel_copy (the copy-bandwidth peak, on Numba's threads) with more chunks than
    elements and with uneven ones."""
    from tinygan.benchmark.machine import parallel_copy
    src = np.arange(n, dtype=np.float32)
    dst = np.full(n + 1, np.nan, dtype=np.float32)
    parallel_copy(src, dst[:n], chunks)
    np.testing.assert_array_equal(dst[:n], src)
    assert np.isnan(dst[n])
