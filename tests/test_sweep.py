"""tinygan sweep (tinygan/sweep/runner.py, cluster.py): sweeps on a 2-worker Dask LocalCluster and
in-process, resume after the client is killed, failures recorded while the other runs finish, the
sweep without Dask, a cluster started with Dask's own commands (with a "GPU worker"), and the order
runs start in."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tinygan import cli, errors
from tinygan.sweep import cluster, runner
from tinygan.sweep import spec as specs

from sweep_helpers import TINY_VAE, lines_of, tiny_vae_spec


def test_a_four_run_sweep_on_a_two_worker_local_cluster(tmp_path):
    pytest.importorskip("distributed")
    echoed = []
    result = runner.run_sweep(specs.load(str(tiny_vae_spec(tmp_path))), tmp_path / "out", workers=2, progress=False,
                              echo=lines_of(echoed))
    assert result["runs"] == 4 and result["trained"] == 4 and result["failed"] == 0, echoed
    assert len(result["workers"]) == 2 and len({r["pid"] for r in result["results"]}) == 2     # both worked
    for info in result["workers"].values():      # one BLAS / Numba thread per worker, set before NumPy loaded
        assert info["blas_threads"] == 1 and info["numba_threads"] == 1, info
        assert set(info["env"].values()) == {"1"}
        assert info["dropped_env"] == {}         # not Dask's MALLOC_TRIM_THRESHOLD_ (page faults: runs 1.5x slower)
        assert info["config"] == {"distributed.worker.profile.enabled": False}    # no stack sampling every 10 ms
        assert "keeps freed memory" in info["malloc"] or "not glibc" in info["malloc"], info["malloc"]
    assert "1 BLAS and 1 Numba thread(s) each" in echoed[0] and len(echoed) == 5
    for run in ("vae_seed=0", "vae_seed=1", "beta-vae_beta=4_seed=0", "beta-vae_beta=4_seed=1"):
        metrics = json.loads((tmp_path / "out" / run / "metrics.json").read_text())
        assert metrics["config"]["latents"] == 2 and set(metrics["disentanglement"]) == {"mig", "sap"}
        assert any(f" {run}  " in line and "mig " in line for line in echoed), echoed
    sweep = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert sweep["runs"]["beta-vae_beta=4_seed=1"]["label"] == "beta-vae beta=4"
    assert json.loads((tmp_path / "out" / "failures.json").read_text()) == {}


def test_the_sweep_process_keeps_its_own_thread_settings(tmp_path, monkeypatch):
    """Dask sets the workers' thread variables in this process while it spawns them: undone after."""
    pytest.importorskip("distributed")
    for key in cluster.THREAD_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    before = dict(os.environ)
    with cluster.local_cluster(1):
        assert dict(os.environ) == before
    assert dict(os.environ) == before


SLOW = {"a": "seed = 0", "long": "seed = 1\nsteps = 800\neval_every = 800\ncheckpoint_every = 25",
        "b": "seed = 2", "c": "seed = 3"}


def test_killing_the_client_mid_sweep_then_rerunning_resumes_and_skips(tmp_path):
    psutil = pytest.importorskip("psutil")
    pytest.importorskip("distributed")
    path = tiny_vae_spec(tmp_path, methods=SLOW, seeds=(), extra="tensorboard = false")
    out = tmp_path / "out"
    client = subprocess.Popen([sys.executable, "-m", "tinygan.cli", "sweep", str(path), "--out", str(out),
                               "--workers", "2", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    long_run, deadline = out / "long", time.time() + 240

    def a_finished():                       # trained and scored
        return "sap" in (runner.read_json(out / "a" / "metrics.json") or {}).get("disentanglement", {})

    try:
        while not (a_finished() and (long_run / "checkpoint.npz").exists()
                   and not (long_run / "metrics.json").exists()):
            assert client.poll() is None and time.time() < deadline, client.communicate()[0].decode()[-3000:]
            time.sleep(0.05)
        workers = psutil.Process(client.pid).children(recursive=True)
        client.send_signal(signal.SIGKILL)              # the client and its embedded cluster, at once
        client.wait(30)
        alive = psutil.wait_procs(workers, timeout=30)[1]    # its workers exit with it (Dask's parent watch)
        assert not alive, alive
    finally:
        if client.poll() is None:
            client.kill()
    assert not (long_run / "metrics.json").exists()
    echoed = []
    result = runner.run_sweep(specs.load(str(path)), out, workers=1, progress=False, echo=lines_of(echoed))
    status = {r["name"]: r for r in result["results"]}
    assert status["a"]["status"] == "skipped" and status["long"]["status"] == "resumed", echoed
    assert status["long"]["resumed_from"] >= 25 and any("resumed   long from step" in line for line in echoed)
    assert result["failed"] == 0 and all(status[n]["status"] in ("trained", "skipped") for n in "bc")
    metrics = json.loads((long_run / "metrics.json").read_text())
    assert metrics["final"]["step"] == 800 and metrics["evaluations"][-1]["step"] == 800
    assert all((out / n / "metrics.json").exists() for n in "abc")


def test_a_failing_run_is_recorded_while_the_others_finish_then_retried(tmp_path, monkeypatch, capsys):
    from tinygan.vae import train as vae_train
    path = tiny_vae_spec(tmp_path, seeds=(0, 1, 2), methods={"vae": 'model = "vae"'})
    real_step = vae_train.Run.train_step

    def diverging(self):
        if self.cfg.seed == 1 and self.step == 2:
            raise errors.DivergenceError("train vae: diverged at step 3: total = nan (planted)")
        return real_step(self)

    monkeypatch.setattr(vae_train.Run, "train_step", diverging)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out), "--quiet", "--no-tensorboard"]) == 1
    printed = capsys.readouterr().out
    assert "failed    vae_seed=1: DivergenceError: train vae: diverged at step 3" in printed
    assert "2 trained, 0 already finished, 1 failed" in printed
    failures = json.loads((out / "failures.json").read_text())
    assert list(failures) == ["vae_seed=1"] and "planted" in failures["vae_seed=1"]["error"]
    assert "Traceback" in failures["vae_seed=1"]["traceback"] and failures["vae_seed=1"]["config"]["seed"] == 1
    assert "planted" in (out / "vae_seed=1" / "error.txt").read_text()
    assert (out / "vae_seed=0" / "metrics.json").exists() and (out / "vae_seed=2" / "metrics.json").exists()
    # the next sweep retries the failed run (resuming from its step-2 checkpoint) and skips the others
    monkeypatch.setattr(vae_train.Run, "train_step", real_step)
    assert cli.main(["sweep", str(path), "--out", str(out), "--quiet", "--no-tensorboard"]) == 0
    printed = capsys.readouterr().out
    assert "resumed   vae_seed=1 from step 2" in printed and "1 resumed, 2 already finished" in printed
    assert json.loads((out / "failures.json").read_text()) == {} and not (out / "vae_seed=1" / "error.txt").exists()
    # a finished run trained with other settings is never silently taken for this spec's
    path.write_text(path.read_text().replace("steps = 4", "steps = 6"))
    assert cli.main(["sweep", str(path), "--out", str(out), "--quiet", "--no-tensorboard"]) == 1
    assert "holds a finished run with other settings (steps: 4 there, 6 here)" in capsys.readouterr().out


def test_workers_1_runs_in_process_without_dask_and_more_workers_say_what_to_install(tmp_path, monkeypatch, capsys):
    for name in ("dask", "distributed", "dask.distributed"):
        monkeypatch.setitem(sys.modules, name, None)           # import dask -> ImportError
    path = tiny_vae_spec(tmp_path, seeds=(0,), methods={"vae": 'model = "vae"'})
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert "pip install 'tinygan[sweep]'" in err and "\n" not in err
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 0
    assert "trained   vae_seed=0" in capsys.readouterr().out
    assert (tmp_path / "out" / "vae_seed=0" / "metrics.json").exists()
    # one sweep client per DIR: a second one is told who holds it
    from tinygan import rundir
    holder = rundir.acquire_lock(str(tmp_path / "out"), "sweep (a test)")
    try:
        assert cli.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    finally:
        rundir.release_lock(str(tmp_path / "out"), holder)
    assert f"is in use by process {os.getpid()}" in capsys.readouterr().err


def test_a_worker_that_cannot_see_the_sweep_folder_is_named():
    class Client:                   # a cluster whose worker mounts another filesystem at DIR's path
        def run(self, fn, out, probe, token):
            return {"tcp://10.0.0.2:4000": {"sees_out": False}, "tcp://10.0.0.1:4000": {"sees_out": True}}

    with pytest.raises(ValueError, match=r"worker\(s\) tcp://10.0.0.2:4000 cannot see .*same path"):
        cluster.check_workers(Client(), os.getcwd())


def _stop_group(proc, timeout=20):
    """Stop a process started with start_new_session=True and everything in its process group:
    SIGTERM to it (Dask's commands shut down cleanly on it), then SIGKILL to whatever is left."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)             # this group only: the ones this test started
    except ProcessLookupError:
        pass
    proc.wait(10)


def _strict_cupy_environment(tmp_path, env):
    """The environment of a "GPU worker" on a machine without a GPU: TINYGAN_BACKEND=cupy, with the
    strict CuPy stand-in (tests/strict_cupy.py) installed as `cupy` by a sitecustomize module, and
    every op on a kernel written for both NumPy and CuPy arrays (the stand-in cannot launch CUDA C)."""
    from tinygan.kernels import registry
    site = tmp_path / "strict-cupy-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        f"import sys\nsys.path.insert(0, {str(os.path.dirname(__file__))!r})\nimport strict_cupy\n"
        "sys.modules.update(strict_cupy.MODULES)\n")
    portable = {op: next(n for n in registry.implementations(op) if {"numpy", "cupy"} <= set(registry.get(op, n).backends))
                for op in registry.ops()}
    return {**env, "TINYGAN_BACKEND": "cupy", "PYTHONPATH": str(site),
            "TINYGAN_KERNELS": ",".join(f"{op}:{impl}" for op, impl in portable.items())}


def test_a_sweep_on_a_dask_scheduler_and_workers_started_with_dasks_own_commands(tmp_path, capsys):
    """docs/sweeps.md, "On a cluster": `dask scheduler`, `dask worker ADDRESS --nthreads 1` with
    NUMBA_NUM_THREADS=1, then `tinygan sweep SPEC --out DIR --scheduler ADDRESS` on a shared folder;
    one worker plain (NumPy), one a "GPU worker" (TINYGAN_BACKEND=cupy, here on the strict CuPy
    stand-in): each run says which backend ran it, and the results agree."""
    distributed = pytest.importorskip("distributed")
    import psutil                                                   # a dependency of distributed
    path = tiny_vae_spec(tmp_path, seeds=(0, 1), methods={"vae": 'model = "vae"'}, extra="tensorboard = false")
    out, info_file = tmp_path / "out", tmp_path / "scheduler.json"
    env = {**os.environ, **cluster.THREAD_ENV}                       # what the docs start workers with
    worker_envs = {"worker": env, "gpu-worker": _strict_cupy_environment(tmp_path, env)}
    dask_cmd = [sys.executable, "-m", "dask"]                       # `dask ...` of this interpreter
    logs = {name: open(tmp_path / f"{name}.log", "wb") for name in ("scheduler", *worker_envs)}
    procs, children = [], []

    def log_tail():
        return "\n".join(f"--- {n}:\n{(tmp_path / f'{n}.log').read_text()[-2000:]}" for n in logs)

    try:
        procs.append(subprocess.Popen(
            dask_cmd + ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                        "--scheduler-file", str(info_file)],
            env=env, cwd=tmp_path, stdout=logs["scheduler"], stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.time() + 30
        while not info_file.exists() or not info_file.read_text().strip():
            assert procs[0].poll() is None and time.time() < deadline, log_tail()
            time.sleep(0.1)
        time.sleep(0.1)                                             # the file is written whole, but be safe
        address = json.loads(info_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:") and not address.endswith(":0"), address
        for name, worker_env in worker_envs.items():
            procs.append(subprocess.Popen(
                dask_cmd + ["worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                            "--local-directory", str(tmp_path / f"dask-{name}")],
                env=worker_env, cwd=tmp_path, stdout=logs[name], stderr=subprocess.STDOUT, start_new_session=True))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            worker_pids = client.run(os.getpid)
            backends = client.run(lambda: __import__("tinygan").backend.get_backend())
        assert sorted(backends.values()) == ["cupy", "numpy"], backends
        # the worker processes the runs go to are the nannies' children, in the `dask worker` process groups
        children = [psutil.Process(p.pid) for p in procs] + [
            c for p in procs[1:] for c in psutil.Process(p.pid).children(recursive=True)]
        assert set(worker_pids.values()) <= {c.pid for c in children}, (worker_pids, children)
        capsys.readouterr()

        assert cli.main(["sweep", str(path), "--out", str(out), "--scheduler", address, "--quiet"]) == 0, log_tail()
        printed = capsys.readouterr().out
        lines = printed.splitlines()
        # the sweep says it runs on that scheduler's two workers, with one task, BLAS and Numba thread each
        assert lines[0] == (f"sweep: 2 worker(s) on 1 host(s) ({address}): 1 thread(s), 1 BLAS and 1 Numba "
                            "thread(s) each, backend cupy/numpy"), printed
        assert "warning" not in printed and "2 trained, 0 already finished" in printed, printed
        ran_on = {}
        for run in ("vae_seed=0", "vae_seed=1"):
            (line,) = [line for line in lines if line.startswith("[") and f"trained   {run}  " in line]
            assert "mig " in line and line.endswith(("numpy)", "cupy)")), line
            ran_on[run] = line.rsplit(", ", 1)[1].rstrip(")")
            metrics = json.loads((out / run / "metrics.json").read_text())       # an ordinary run folder
            assert metrics["config"]["seed"] == int(run[-1]) and metrics["final"]["step"] == 4
            assert set(metrics["disentanglement"]) == {"mig", "sap"}
            assert (out / run / "checkpoint.npz").exists() and not (out / run / runner.ERROR_FILE).exists()
        assert json.loads((out / "failures.json").read_text()) == {}
        # ... the scheduler ran both runs on its workers (not in this process, nor a cluster of its own),
        # one on each (two idle one-thread workers), and the GPU worker's run is the same as on NumPy
        with distributed.Client(address, timeout="30s") as client:
            done = client.run_on_scheduler(lambda dask_scheduler: {     # transitions into each state
                k: dict(p.state_counts) for k, p in dask_scheduler.task_prefixes.items()})
            assert client.run(os.getpid) == worker_pids                                  # the same workers, alive
        assert done.get("tinygan", {}).get("memory") == 2, done          # both tasks computed, their results kept
        assert sorted(ran_on.values()) == ["cupy", "numpy"], ran_on
        run = next(r for r, b in ran_on.items() if b == "cupy")
        again = tmp_path / "on-numpy"
        assert cli.main(["train", "vae", "--out", str(again), "--quiet", "--no-tensorboard", "--seed", run[-1],
                         *[f"--{k.replace('_', '-')}={v}" for k, v in TINY_VAE.items()]]) == 0
        on_gpu_worker = json.loads((out / run / "metrics.json").read_text())["final"]
        on_numpy = json.loads((again / "metrics.json").read_text())["final"]
        assert on_gpu_worker.keys() == on_numpy.keys()
        for key, value in on_numpy.items():
            assert on_gpu_worker[key] == pytest.approx(value, rel=1e-3, abs=1e-4), key
    finally:
        for proc in reversed(procs):                                # the workers first, then the scheduler
            _stop_group(proc)
        for f in logs.values():
            f.close()
    assert not psutil.wait_procs(children, timeout=10)[1], children      # none of them left running


def test_runs_start_seed_by_seed_so_a_sweep_cut_short_has_every_method(tmp_path, capsys):
    """Spec order is method by method (vae s0, vae s1, then β = 4 s0, s1, then β = 8 s0, s1); a sweep
    starts the first seed of every configuration first. Checked on the order a sequential sweep finishes them in,
    and on the order --dry-run lists them in."""
    path = tiny_vae_spec(tmp_path, methods={"vae": 'model = "vae"', "beta-vae": 'model = "beta-vae"\nbeta = [4.0, 8.0]'},
                         seeds=(0, 1))
    study = specs.load(str(path))
    assert [r.name for r in study.runs()][:2] == ["vae_seed=0", "vae_seed=1"]      # the spec's own order
    result = runner.run_sweep(study, str(tmp_path / "out"), progress=False, echo=lambda line: None)
    finished = [r["name"] for r in result["results"]]
    assert finished == ["vae_seed=0", "beta-vae_beta=4_seed=0", "beta-vae_beta=8_seed=0",
                        "vae_seed=1", "beta-vae_beta=4_seed=1", "beta-vae_beta=8_seed=1"]
    assert sorted(finished) == sorted(r.name for r in study.runs())
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "unused"), "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[:len(finished)] == finished
