"""tinygan sweep / tinygan report (tinygan/sweep/): spec expansion and its checks, sweeps on a
2-worker Dask LocalCluster and in-process, resume after the client is killed, failures recorded
while the other runs finish, the sweep without Dask, and the report's aggregation and tables."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tinygan import cli, errors
from tinygan.sweep import cluster, report, runner
from tinygan.sweep import spec as specs

# a VAE run of a second or so: an MLP, 2 latents, 8 images a step
TINY_VAE = {"arch": "mlp", "latents": 2, "batch": 8, "steps": 4, "eval_every": 2, "checkpoint_every": 2}


def tiny_vae_spec(tmp_path, name="tiny.toml", methods=None, seeds=(0, 1), extra=""):
    """A spec file of tiny VAE runs: `methods` {name: TOML body}, a [grid] of `seeds` (none if empty)."""
    methods = methods or {"vae": 'model = "vae"', "beta-vae": 'model = "beta-vae"\nbeta = [4.0]'}
    text = f"kind = \"vae\"\n{extra}\n[config]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in TINY_VAE.items())
    text += f"\n[grid]\nseed = {list(seeds)}\n" if seeds else "\n"
    for method, body in methods.items():
        text += f"\n[methods.{method}]\n{body}\n"
    text += '\n[evaluate]\nmetrics = ["mig", "sap"]\nsizes = "quick"\n'
    path = tmp_path / name
    path.write_text(text)
    return path


def lines_of(echoed):
    return lambda line: echoed.append(line)


# ---- the spec ----------------------------------------------------------------------------------
def test_spec_expands_methods_times_their_lists_times_the_grid(tmp_path):
    spec = specs.from_dict({
        "kind": "gan", "config": {"steps": 10},
        "grid": {"data": ["ring", "grid"], "seed": [0, 1, 2]},
        "methods": {"NS-GAN": {"loss": "ns"}, "PacGAN": {"loss": "ns", "pack": [2, 3, 4]},
                    "Unrolled GAN (K=5)": {"unrolled": 5}}})
    runs = spec.runs()
    assert len(runs) == (1 + 3 + 1) * 2 * 3
    assert [r.name for r in runs] == [r.name for r in spec.runs()]                  # deterministic
    assert len({r.name for r in runs}) == len(runs)
    assert runs[0].name == "NS-GAN_data=ring_seed=0" and runs[-1].name == "Unrolled_GAN_K=5_data=grid_seed=2"
    pac = [r for r in runs if r.method == "PacGAN"]
    assert [r.settings["pack"] for r in pac] == [2] * 6 + [3] * 6 + [4] * 6         # method lists outermost
    assert pac[0].name == "PacGAN_pack=2_data=ring_seed=0" and pac[0].label() == "PacGAN pack=2 data=ring"
    # every config is the trainer's checked one: defaults resolved, [config] and the method applied
    assert pac[0].config["pack"] == 2 and pac[0].config["steps"] == 10 and pac[0].config["batch"] == 100
    assert pac[0].config["model"] == "mlp" and runs[-1].config["unrolled"] == 5
    # a folder template nests the runs; values are written without path characters
    template = {**spec.to_dict(), "folder": "{data}/{method}/seed{seed}"}
    with pytest.raises(specs.SpecError, match="PacGAN.* pack=2 .* pack=3 .* would share the folder ring/PacGAN/seed0"):
        specs.from_dict(template).runs()
    nested = specs.from_dict({**template, "methods": {k: v for k, v in spec.methods.items() if k != "PacGAN"}}).runs()
    assert nested[0].name == "ring/NS-GAN/seed0" and nested[-1].name == "grid/Unrolled_GAN_K=5/seed2"


def test_a_thousand_run_spec_expands_and_checks_in_under_two_seconds():
    specs.trainer("gan")                                       # the trainer's import is not the expansion
    spec = specs.from_dict({"kind": "gan", "grid": {"data": ["ring", "grid"], "lr": [1e-4, 2e-4, 5e-4, 1e-3, 2e-3],
                                                    "seed": list(range(50))},
                            "methods": {"GAN": {"loss": "minimax"}, "NS-GAN": {"loss": "ns"}}})
    start = time.perf_counter()
    runs = spec.runs()
    took = time.perf_counter() - start
    assert len(runs) == 1000 and len({r.name for r in runs}) == 1000
    assert took < 2.0, f"{took:.2f} s"


@pytest.mark.parametrize("data, says", [
    ({"kind": "gann"}, "kind = 'gann'"),
    ({"kind": "gan", "grid": {"sed": [0]}}, "'sed' is not a field"),
    ({"kind": "gan", "grid": {"seed": []}}, "seed is an empty list"),
    ({"kind": "gan", "grid": {"seed": 0}}, "must be a list"),
    ({"kind": "gan", "config": {"seed": [0, 1]}}, "lists go in [grid]"),
    ({"kind": "gan", "grid": {"seed": [0.5]}}, "the field is a int"),
    ({"kind": "gan", "config": {"seed": 0}, "grid": {"seed": [1]}}, "both [config] and [grid]"),
    ({"kind": "gan", "grid": {"pack": [1, 0]}}, "run pack=0: train gan: need --pack >= 1"),
    ({"kind": "gan", "grid": {"loss": ["ns", "wgan"]}, "config": {"label_smoothing": True}},
     "run loss=wgan: train gan: --label-smoothing applies"),
    ({"kind": "vae", "methods": {"vae": {"model": "vae", "beta": [4.0]}}}, "--beta applies to --model beta-vae"),
    ({"kind": "gan", "grid": {"seed": [0, 0]}}, "would share the folder seed=0"),
    ({"kind": "gan", "folder": "{data}", "grid": {"seed": [0, 1]}}, "names 'data', which is not a setting"),
    ({"kind": "gan", "folder": "../{seed}", "grid": {"seed": [0]}}, "'.' or '..' level"),
    ({"kind": "vae", "evaluate": {"metrics": ["mig", "nope"]}}, "unknown metric(s) ['nope']"),
    ({"kind": "vae", "evaluate": {"sizes": "huge"}}, "sizes = 'huge'"),
    ({"kind": "gan", "evaluate": {"sizes": "quick"}}, "has no ['sizes']"),
    ({"kind": "gan", "grids": {}}, "unknown key(s) ['grids']"),
])
def test_a_bad_spec_is_one_line_naming_the_file(data, says):
    with pytest.raises(specs.SpecError) as info:
        specs.from_dict(data, source="study.toml").runs()
    message = str(info.value)
    assert message.startswith("study.toml: ") and says in message and "\n" not in message, message


def test_spec_files_and_the_shipped_studies(tmp_path, capsys):
    path = tiny_vae_spec(tmp_path)
    assert [r.name for r in specs.load(str(path)).runs()] == ["vae_seed=0", "vae_seed=1", "beta-vae_beta=4_seed=0",
                                                              "beta-vae_beta=4_seed=1"]
    (tmp_path / "broken.toml").write_text("kind = \n")
    assert cli.main(["sweep", str(tmp_path / "broken.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert len(specs.load("mode-collapse").runs()) == 9 * 2 * 5
    agreement = specs.load("metric-agreement").runs()
    assert len(agreement) == 18 * 5 and {r.config["data"] for r in agreement} == {"noisy-dsprites"}
    assert cli.main(["sweep", "mode-collapse", "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "ring/PacGAN4/seed0" in out and "90 runs of train gan" in out and not (tmp_path / "o").exists()


# ---- sweeps ------------------------------------------------------------------------------------
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


# ---- the report --------------------------------------------------------------------------------
def fake_gan_study(out):
    """A mode-collapse study's folder with metrics.json files of known numbers (nothing trained)."""
    spec = specs.from_dict({"kind": "gan", "folder": "{data}/{method}/seed{seed}", "config": {"steps": 50},
                            "grid": {"data": ["ring", "grid"], "seed": [0, 1, 2]},
                            "methods": {"NS-GAN": {"loss": "ns"}, "PacGAN2": {"loss": "ns", "pack": 2}}})
    runs = spec.runs()
    os.makedirs(out)
    runner.write_sweep_file(spec, runs, str(out))
    rng = np.random.default_rng(0)
    for run in runs:
        if run.name in ("grid/PacGAN2/seed1", "grid/PacGAN2/seed2"):
            continue                                           # failed; not finished yet
        folder = out / run.name
        folder.mkdir(parents=True)
        final = {"step": 50, "modes": int(rng.integers(1, 9)), "hq": float(rng.random()), "kl": float(rng.random()),
                 "w1": float(rng.random()), "mmd2": float(rng.random()), "counts": [1, 2]}
        (folder / "metrics.json").write_text(json.dumps({"config": run.config, "final": final}))
    (out / "failures.json").write_text(json.dumps({"grid/PacGAN2/seed1": {"error": "DivergenceError: planted"}}))
    return runs


def test_report_aggregates_every_run_and_tabulates_mode_collapse_beside_pacgan(tmp_path, capsys):
    out = tmp_path / "study"
    runs = fake_gan_study(out)
    assert cli.main(["report", str(out), "--no-pictures"]) == 0
    printed = capsys.readouterr().out
    assert "12 runs (10 finished, 1 failed, 1 not finished)" in printed
    import csv
    with open(out / "results.csv") as f:
        table = list(csv.DictReader(f))
    assert [r["run"] for r in table] == [r.name for r in runs]
    by_run = {r["run"]: r for r in table}
    assert by_run["grid/PacGAN2/seed1"]["status"] == "failed" and "planted" in by_run["grid/PacGAN2/seed1"]["error"]
    assert by_run["grid/PacGAN2/seed2"]["status"] == "missing" and by_run["ring/NS-GAN/seed0"]["status"] == "done"
    assert by_run["ring/PacGAN2/seed1"]["config.pack"] == "2" and by_run["ring/PacGAN2/seed1"]["method"] == "PacGAN2"
    assert "final.counts" not in table[0]                      # lists stay in results.json only
    saved = json.loads((out / "results.json").read_text())["runs"]
    finals = {r["run"]: r["final"] for r in saved if r["status"] == "done"}
    assert finals["ring/NS-GAN/seed2"]["counts"] == [1, 2]
    assert float(by_run["ring/NS-GAN/seed2"]["final.hq"]) == finals["ring/NS-GAN/seed2"]["hq"]
    rows = {line.split("|")[1].strip() + "/" + line.split("|")[2].strip(): [c.strip() for c in line.split("|")[1:-1]]
            for line in (out / "table.md").read_text().splitlines() if line.startswith(("| ring", "| grid"))}
    assert list(rows) == ["ring/NS-GAN", "ring/PacGAN2", "grid/NS-GAN", "grid/PacGAN2"]
    for key, cells in rows.items():
        group = [finals[f"{key.split('/')[0]}/{key.split('/')[1]}/seed{s}"] for s in range(3)
                 if f"{key.split('/')[0]}/{key.split('/')[1]}/seed{s}" in finals]
        assert cells[2] == str(len(group))
        hq = 100 * np.array([f["hq"] for f in group])
        assert cells[4] == f"{hq.mean():.1f} ± {hq.std():.1f}"
    assert rows["ring/PacGAN2"][-1] == "7.9 / 95.6 / 0.07" and rows["grid/NS-GAN"][-1] == "17.3 / 94.8 / 0.7"
    assert rows["grid/PacGAN2"][2] == "1" and rows["ring/NS-GAN"][-1] == "6.3 / 98.2 / 0.45"
    assert "3 seed(s), 50 steps per run, batch 100, 64 hidden units" in (out / "table.md").read_text()
    configurations = (out / "configurations.md").read_text()
    assert "| PacGAN2 data=ring | 3 |" in configurations and "| PacGAN2 data=grid | 1 |" in configurations


def test_report_of_scored_vaes_draws_the_spearman_matrix_beside_the_lecture(tmp_path):
    spec = specs.from_dict({"kind": "vae", "grid": {"seed": [0, 1, 2]},
                            "methods": {"beta-vae": {"model": "beta-vae", "beta": [2.0, 8.0]}}})
    runs = spec.runs()
    out = tmp_path / "study"
    os.makedirs(out)
    runner.write_sweep_file(spec, runs, str(out))
    rng = np.random.default_rng(1)
    base = rng.random(len(runs))
    for i, run in enumerate(runs):
        scores = {metric: {key: float(value)} for (metric, key), value in zip(
            report.AGREEMENT_METRICS.values(), [base[i], base[i] ** 2, -base[i], rng.random(), 0.5, base[i] + 1])}
        (out / run.name).mkdir()
        (out / run.name / "metrics.json").write_text(json.dumps({
            "config": run.config, "final": {"offdiag_norm": 0.1 * i, "reconstruction": 100.0 + i},
            "disentanglement": scores}))
    result = report.report(str(out), pictures=False)
    assert "spearman.md" in result["written"] and "table.md" not in result["written"]
    rows = report.agreement_rows(result["rows"])
    assert [r["model"] for r in rows] == ["beta-vae beta=2"] * 3 + ["beta-vae beta=8"] * 3
    rho = report.spearman_matrix(rows)
    assert rho[0, 1] == pytest.approx(100) and rho[0, 5] == pytest.approx(100) and rho[0, 2] == pytest.approx(-100)
    assert np.isnan(rho[4]).all()                                  # a constant metric has no ranking
    text = (out / "spearman.md").read_text()
    assert "6 models on dsprites" in text and "| BetaVAE | 100 / 100 | 100 / 80 | -100 / 44 |" in text
    assert "| beta-vae beta=8 | 3 |" in text


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


def test_mode_collapse_header_names_pacgans_networks():
    """--width is D's maxout units for --model pacgan, and G is twice as wide: the header says so
    instead of calling them '200 hidden units'."""
    from tinygan.gan.train import Config, Run
    from tinygan.sweep.report import mode_collapse_table
    run = Run(Config(data="grid", model="pacgan", pack=4))
    maxout, g_first = run.d.net[0], run.g.net[0]
    header = mode_collapse_table({}, 5, 6000, run.cfg.width, 100, "pacgan").splitlines()[0]
    assert (f"D {maxout.out_features} maxout units x {maxout.pieces} pieces, G {g_first.out_features} units"
            in header)
    assert "hidden units" not in header


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
