"""Running a study: every run of a spec is an ordinary run folder under DIR, trained by the
trainers' own train() (so its lock, atomic files, divergence checks and --resume logic are the
ones `tinygan train` uses), on Dask distributed or, with --workers 1, in this process.

- Where: `--workers N` (N > 1) starts an embedded dask.distributed LocalCluster of N worker
  processes with one thread each, whose BLAS and Numba pools are set to one thread before NumPy
  loads (cluster.py), so N runs share N cores
  without oversubscription; `--scheduler tcp://host:8786` uses a cluster started with
  `dask scheduler` / `dask worker` instead. Workers write the run folders themselves: DIR must be a
  filesystem every worker mounts at the same path (checked before the first run: docs/sweeps.md).
- Re-running: a run whose metrics.json is there (and was trained with the same settings) is
  skipped; one with a checkpoint but no metrics.json resumes from it (train(resume=True)); a VAE
  whose disentanglement scores are missing is only scored.
- Failures: a run that raises is recorded in DIR/<run>/error.txt and DIR/failures.json (one line
  and the traceback, written atomically) and the others go on; the next sweep retries it.
- Output: a tqdm bar over runs and one line per finished run; DIR/sweep.json lists every run of
  the spec with its method and settings (what `tinygan report` labels rows with).
"""
import contextlib
import json
import os
import signal
import socket
import time
import traceback
import uuid

from tinygan import files, rundir
from tinygan.errors import TrainingInterrupted
from tinygan.sweep import cluster
from tinygan.sweep import spec as specs

ERROR_FILE = "error.txt"
FAILURES = "failures.json"
SWEEP_FILE = "sweep.json"


# ---- one run (executed on a worker, or in this process) ----------------------------------------
def job(spec, run):
    """What a worker needs to train and score one run: plain data (it travels to the worker)."""
    return {"kind": spec.kind, "name": run.name, "method": run.method, "settings": run.settings,
            "config": run.config, "metrics": spec.metrics(), "evaluate": spec.evaluate}


def run_one(job, out, tensorboard=None):
    """Train (or skip, resume, score) one run under `out`; returns a result dict with "status"
    (trained | resumed | evaluated | skipped | failed). Never raises for a failing run: its error
    goes into the result and out/<run>/error.txt. A signal (in-process sweeps) does stop it."""
    start = time.perf_counter()
    folder = os.path.join(out, *job["name"].split("/"))
    result = {"name": job["name"], "host": socket.gethostname(), "pid": os.getpid()}
    try:
        status, metrics, resumed_from = _train_and_score(job, folder, tensorboard)
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(folder, ERROR_FILE))       # an earlier failure of this run is over
        result.update(status=status, summary=summary(job, metrics), resumed_from=resumed_from)
    except (TrainingInterrupted, KeyboardInterrupt):
        raise
    except Exception as exc:        # recorded, and the sweep goes on
        message = " ".join(str(exc).split()) or type(exc).__name__
        text = traceback.format_exc()
        result.update(status="failed", error=f"{type(exc).__name__}: {message}", traceback=text)
        with contextlib.suppress(OSError):
            os.makedirs(folder, exist_ok=True)
            files.write_text(os.path.join(folder, ERROR_FILE), f"{result['error']}\n\n{text}")
    from tinygan import backend
    result.update(seconds=time.perf_counter() - start, backend=backend.get_backend())
    return result


def _train_and_score(job, folder, tensorboard):
    train = specs.trainer(job["kind"])
    metrics_path = os.path.join(folder, "metrics.json")
    metrics, status, resumed_from = read_json(metrics_path), "skipped", None
    if metrics is not None:
        _check_same_settings(job, metrics, folder)
    else:
        checkpoint = os.path.join(folder, "checkpoint.npz")
        resume = os.path.isfile(checkpoint)
        if resume:
            resumed_from = _checkpoint_step(checkpoint)
        # run files but no checkpoint: a run killed before its first checkpoint, nothing to keep
        overwrite = not resume and os.path.isdir(folder) and bool(rundir.existing_run_files(folder))
        train.train(train.Config(**job["config"]), folder, resume=resume, overwrite=overwrite, progress=False,
                    tensorboard=tensorboard)
        status = "resumed" if resume else "trained"
        metrics = read_json(metrics_path)
    if job["kind"] == "vae" and _score_vae(job, folder, metrics, tensorboard):
        status = "evaluated" if status == "skipped" else status
        metrics = read_json(metrics_path)
    return status, metrics, resumed_from


def _check_same_settings(job, metrics, folder):
    """A finished run is only skipped if it was trained with this run's settings."""
    train = specs.trainer(job["kind"])
    try:
        stored = vars(train.Config(**metrics["config"]).check())
    except (KeyError, TypeError, ValueError):
        stored = metrics.get("config") if isinstance(metrics.get("config"), dict) else {}
    differ = [k for k, v in job["config"].items() if stored.get(k) != v]
    if differ:
        pairs = "; ".join(f"{k}: {stored.get(k)!r} there, {job['config'][k]!r} here" for k in differ[:4])
        raise ValueError(f"{folder} holds a finished run with other settings ({pairs}); delete it or sweep "
                         "into another --out")


def _checkpoint_step(path):
    import tinygan
    try:
        return int(tinygan.load(path)["step"])
    except Exception:        # an unreadable checkpoint: train(resume=True) says what is wrong with it
        return None


def _score_vae(job, folder, metrics, tensorboard):
    """Compute the spec's disentanglement metrics the run's metrics.json lacks (or has at other
    sample sizes / seed); written under the run's lock, as `tinygan evaluate` does."""
    from tinygan.metrics import disentanglement as dm
    from tinygan.metrics.disentanglement_sizes import sizes_for
    sizes = job["evaluate"].get("sizes", "reduced")
    wanted = {"sizes": sizes, "seed": job["evaluate"].get("seed", job["config"]["seed"])}
    done = metrics.get("disentanglement_settings", {})
    todo = [n for n in job["metrics"] if n not in metrics.get("disentanglement", {}) or done.get(n) != wanted]
    if not todo:
        return False
    train = specs.trainer("vae")
    path = os.path.join(folder, "metrics.json")
    with rundir.open_run(folder, "sweep evaluate", resume=True):
        run = train.load_run(folder, "sweep evaluate")
        scores = {n: dm.ALL[n](run.data, run.representation, wanted["seed"], **sizes_for(n, sizes))
                  for n in todo}
        metrics = read_json(path) or metrics
        metrics["disentanglement"] = {**metrics.get("disentanglement", {}), **scores}
        metrics["disentanglement_settings"] = {**done, **{n: wanted for n in todo}}
        files.write_json(path, metrics)
        from tinygan.tensorboard import run_log
        log = run_log(folder, tensorboard)
        log.scalars(run.step, {f"{n}/{k}": v for n, s in scores.items() for k, v in s.items()}, "disentanglement")
        log.close()
    return True


def summary(job, metrics):
    """The few numbers the one-line report of a run shows."""
    if not metrics:
        return {}
    final = metrics.get("final", {})
    if job["kind"] == "gan":
        return {k: final[k] for k in job["metrics"] if isinstance(final.get(k), (int, float))}
    scores = metrics.get("disentanglement", {})
    picked = {n: scores[n][specs.MAIN_SCORES[n]] for n in job["metrics"] if specs.MAIN_SCORES[n] in scores.get(n, {})}
    return {**{k: final[k] for k in ("reconstruction", "kl") if k in final}, **picked}


def read_json(path):
    """The JSON object in `path`, or None if there is no such file."""
    try:
        with open(path) as f:
            value = json.load(f)
    except FileNotFoundError:
        return None
    except ValueError:
        raise ValueError(f"{path} is not valid JSON; move it away and run the sweep again") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} is not a JSON object; move it away and run the sweep again")
    return value


# ---- the sweep (the client) --------------------------------------------------------------------
def run_sweep(spec, out, workers=1, scheduler=None, tensorboard=None, progress=True, echo=None):
    """Run every run of `spec` under folder `out`; returns {"runs", "trained", "resumed",
    "evaluated", "skipped", "failed", "seconds", "results" (one run_one result per run, in the
    order they finished), "workers" (worker_info by Dask worker address; {} in-process)}.
    `echo(line)` gets one line per finished run (default: printed above the progress bar)."""
    if workers < 1:
        raise ValueError(f"sweep: --workers must be >= 1, got {workers}")
    if scheduler and workers != 1:
        raise ValueError("sweep: choose one of --workers N (a local cluster) and --scheduler ADDRESS (its workers)")
    if scheduler or workers > 1:
        cluster.require_dask()                    # one line if Dask is missing, before anything is written
    runs = spec.runs()
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"sweep: --out {out} is a file, not a folder")
    os.makedirs(out, exist_ok=True)
    lock = rundir.acquire_lock(out, "sweep")      # one sweep client per DIR (each run folder has its own lock)
    try:
        return _sweep(spec, runs, out, workers, scheduler, tensorboard, progress, echo)
    finally:
        rundir.release_lock(out, lock)


def start_order(runs):
    """The runs in the order they are started: the first seed of every configuration, then the
    second of every one, and so on (the spec's order otherwise). A sweep stopped early, or a
    cluster lost halfway, then leaves a few seeds of every method instead of every seed of the
    first methods and none of the last; re-running it fills in the rest."""
    seen = {}
    ranks = []
    for run in runs:
        label = run.label()
        ranks.append(seen.get(label, 0))
        seen[label] = ranks[-1] + 1
    return [run for _, run in sorted(zip(ranks, runs), key=lambda pair: pair[0])]


def _sweep(spec, runs, out, workers, scheduler, tensorboard, progress, echo):
    from tqdm import tqdm
    write_sweep_file(spec, runs, out)
    jobs = [job(spec, r) for r in start_order(runs)]
    tensorboard = spec.tensorboard if tensorboard is None else tensorboard
    failures = _Failures(out)
    results, started, by_name = [], time.perf_counter(), {j["name"]: j for j in jobs}
    bar = tqdm(total=len(jobs), desc="sweep", unit="run", disable=not progress)
    say = echo or (bar.write if progress else print)

    def finished(result):
        results.append(result)
        failures.record(result, by_name[result["name"]])
        bar.update()
        say(_line(result, len(results), len(jobs), out))

    workers_seen = {}
    with contextlib.closing(bar):
        if scheduler is None and workers == 1:
            for j in jobs:
                try:
                    finished(run_one(j, out, tensorboard))
                except TrainingInterrupted as stop:
                    raise TrainingInterrupted(_stopped(signal.Signals(stop.signum).name, j["name"], results, jobs),
                                              stop.signum) from None
        else:
            workers_seen = _run_on_dask(jobs, out, tensorboard, workers, scheduler, finished, say, results)
    counts = {s: sum(r["status"] == s for r in results) for s in ("trained", "resumed", "evaluated", "skipped",
                                                                  "failed")}
    return {"runs": len(jobs), **counts, "seconds": time.perf_counter() - started, "results": results,
            "workers": workers_seen}


def _stopped(name, current, results, jobs):
    where = f" during {current} (its checkpoint is written)" if current else ""
    return (f"sweep: stopped by {name}{where}; {len(results)} of {len(jobs)} runs were done; run the same "
            "`tinygan sweep` again to continue: finished runs are skipped, interrupted ones resume")


def _line(result, i, n, out):
    head = f"[{i}/{n}] {result['status']:9} {result['name']}"
    if result["status"] == "failed":
        return f"{head}: {result['error']}  ({os.path.join(out, result['name'], ERROR_FILE)})"
    numbers = ", ".join(f"{k} {v:.3g}" for k, v in result.get("summary", {}).items())
    since = f" from step {result['resumed_from']}" if result.get("resumed_from") is not None else ""
    return f"{head}{since}  {result['seconds']:.1f} s  {numbers}  ({result['host']}, {result['backend']})"


def write_sweep_file(spec, runs, out):
    """DIR/sweep.json: the spec and every run (name -> method, settings, config), merged with the
    runs an earlier spec put in the same DIR."""
    path = os.path.join(out, SWEEP_FILE)
    try:
        before = read_json(path) or {}
    except ValueError:
        before = {}
    listed = before.get("runs", {}) if before.get("kind") == spec.kind else {}
    listed = {**listed, **{r.name: {"method": r.method, "settings": r.settings, "label": r.label(),
                                    "config": r.config} for r in runs}}
    files.write_json(path, {"kind": spec.kind, "source": spec.source, "spec": spec.to_dict(),
                            "metrics": spec.metrics(), "order": [r.name for r in runs], "runs": listed})


class _Failures:
    """DIR/failures.json: run name -> its error, traceback, host and config, rewritten atomically at
    every change; a run that later finishes leaves it."""

    def __init__(self, out):
        self.path = os.path.join(out, FAILURES)
        try:
            self.items = read_json(self.path) or {}
        except ValueError:
            self.items = {}

    def record(self, result, job):
        if result["status"] == "failed":
            self.items[result["name"]] = {k: result.get(k) for k in ("error", "traceback", "host", "seconds")}
            self.items[result["name"]]["config"] = job["config"]
        elif self.items.pop(result["name"], None) is None and os.path.exists(self.path):
            return
        files.write_json(self.path, self.items)


# ---- Dask (the cluster itself: cluster.py) --------------------------------------------------------
def _run_on_dask(jobs, out, tensorboard, workers, scheduler, finished, say, results):
    _, distributed = cluster.require_dask()
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="20s"))
            except (OSError, TimeoutError) as exc:
                raise ValueError(f"sweep: cannot reach a Dask scheduler at {scheduler} ({exc}); start one with "
                                 f"`dask scheduler` and workers with `dask worker {scheduler}`") from None
            try:
                client.wait_for_workers(1, timeout=60)
            except (TimeoutError, OSError):
                raise ValueError(f"sweep: the scheduler at {scheduler} has no workers after 60 s; start them with "
                                 f"`dask worker {scheduler} --nthreads 1`") from None
        else:
            local = stack.enter_context(cluster.local_cluster(workers))
            client = stack.enter_context(distributed.Client(local))
        info = cluster.check_workers(client, out)
        say(cluster.describe_workers(info, client, "local cluster" if not scheduler else scheduler))
        tag = uuid.uuid4().hex[:8]
        futures = {client.submit(run_one, j, out, tensorboard, key=f"tinygan-{tag}-{i}", pure=False): j["name"]
                   for i, j in enumerate(jobs)}
        try:
            for future in distributed.as_completed(futures):
                try:
                    result = future.result()
                except Exception as exc:       # the worker died (killed, out of memory) more than Dask retries
                    result = {"name": futures[future], "status": "failed", "seconds": 0.0, "host": "?",
                              "error": f"its worker was lost ({type(exc).__name__}: {' '.join(str(exc).split())})"}
                finished(result)
        except KeyboardInterrupt:
            raise TrainingInterrupted(_stopped("SIGINT", "", results, jobs), signal.SIGINT) from None
    return info
