"""The training loop the GAN and VAE trainers share: the run folder (checked, locked, never written
over unasked), resume and extension, the step / evaluation / checkpoint schedule, divergence
checks, SIGINT/SIGTERM, progress.

A run object supplies KIND ("gan" | "vae"), train_step() -> dict of floats, evaluate() -> dict,
state() / load(state), .step, .history {"step", "losses", "eval"}, .segments and .cfg (a dataclass
with steps, eval_every, checkpoint_every).

Segments: a run trained with --steps 200 and extended with `--resume --extend --steps 400` has
segments [{"start": 0, "steps": 200}, {"start": 200, "steps": 400}]. Schedules that depend on the
horizon (the 2-D GANs' learning-rate decay, instance-noise annealing) restart at each segment's
start and end at its `steps`: an extension is a warm restart (as in SGDR, Loshchilov & Hutter
2017), not the run a longer --steps would have given. metrics.json records every segment.
"""
import contextlib
import math
import os
import signal
import threading
from dataclasses import asdict

import numpy as np

import tinygan
from tinygan import rundir
from tinygan.errors import CheckpointError, DivergenceError, RunFolderError, TrainingInterrupted

CHECKPOINT = "checkpoint.npz"


def first_segment(cfg):
    return [{"start": 0, "steps": cfg.steps}]


def fit(run, out, command, resume=False, overwrite=False, extend=False, progress=True, desc="",
        postfix_keys=(), on_evaluate=None, finish=None, logger=None):
    """Train `run` until cfg.steps in folder `out`, then call finish() (still holding the folder's
    lock) and return what it returns. `command` ("train gan") names the CLI command in errors;
    on_evaluate() is called after each evaluation (e.g. to save pictures). `logger`: a
    tinygan.tensorboard.RunLog, given every step's losses and evaluation (None: nothing logged)."""
    from tqdm import tqdm
    from tinygan.tensorboard import NO_LOG
    cfg, log = run.cfg, logger or NO_LOG
    with rundir.open_run(out, command, resume=resume or extend, overwrite=overwrite):
        ckpt = os.path.join(out, CHECKPOINT)
        if resume or extend:
            _resume(run, ckpt, command, extend)
        saved = run.step if resume or extend else None      # the step of the last good checkpoint
        log.begin(run.step, resumed=resume or extend)      # resumed: events past the checkpoint are trimmed
        bar = tqdm(total=cfg.steps, initial=run.step, desc=desc, disable=not progress)
        with _signals_deferred() as caught, contextlib.closing(bar), _log_closed_on_error(log):
            while run.step < cfg.steps:
                losses = run.train_step()
                log.scalars(run.step, losses, "loss")
                _check_losses(run, losses, command, saved)
                if overwrite:                  # the old run goes only once the new one has made a step
                    rundir.clear_run(out)
                    overwrite = False
                stop = bool(caught)            # read once: what is checkpointed is what is reported
                run.history["step"].append(run.step)
                run.history["losses"].append(losses)
                last = run.step == cfg.steps
                evaluating = run.step % cfg.eval_every == 0 or last
                saving = run.step % cfg.checkpoint_every == 0 or last or stop
                if evaluating or saving:       # one scan of every tensor, before anything is written
                    _check_parameters(run, command, saved)
                if evaluating:
                    run.history["eval"].append({"step": run.step, **run.evaluate()})
                    log.scalars(run.step, run.history["eval"][-1], "eval")
                    if on_evaluate:
                        _writing(on_evaluate, command, saved)
                    _writing(lambda: log.flush(when_due=True), command, saved)
                if saving:
                    save_checkpoint(run, ckpt, command)
                    saved = run.step
                    _writing(log.flush, command, saved)
                bar.set_postfix({k: f"{losses[k]:.3f}" for k in postfix_keys if k in losses})
                bar.update()
                if stop:
                    name = signal.Signals(caught[0]).name
                    raise TrainingInterrupted(f"{command}: stopped by {name} after step {run.step}; checkpoint "
                                              f"written to {ckpt}; continue with the same command and --resume",
                                              caught[0])
        result = _writing(finish, command, saved) if finish else None
        _writing(log.close, command, saved)      # what finish logged (the last step went with its checkpoint)
        return result


@contextlib.contextmanager
def _log_closed_on_error(log):
    """A run stopped by an error (divergence, a signal, a full disk) still writes its last events
    (a resume trims those past its checkpoint), and a logger's own error never hides that error."""
    try:
        yield
    except BaseException:
        log.close(quiet=True)
        raise


def _writing(write, command, saved):
    """Run a callback that writes pictures or metrics; a full disk there is one line too."""
    try:
        return write()
    except OSError as exc:
        raise RunFolderError(f"{command}: could not write the run's pictures or metrics "
                             f"({rundir.os_error_reason(exc)}); {_kept(saved)}") from None


def save_checkpoint(run, ckpt, command):
    state = {**run.state(), "kind": run.KIND, "segments": run.segments}
    try:
        tinygan.save(state, ckpt)
    except OSError as exc:
        raise RunFolderError(f"{command}: could not write {ckpt} at step {run.step} ({rundir.os_error_reason(exc)}); "
                             "the previous checkpoint is intact") from None


def load_checkpoint(run_dir, kind, command):
    """The state in run_dir/checkpoint.npz, checked to be a `kind` run ("gan" | "vae")."""
    path = os.path.join(run_dir, CHECKPOINT)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{command}: no {CHECKPOINT} in {run_dir}")
    state = tinygan.load(path)
    found = run_kind(state)
    if found not in (None, "gan", "vae") or not isinstance(state.get("step"), int):
        raise CheckpointError(f"{command}: {path} is not a tinygan run checkpoint (no step, or an unknown kind)")
    if found != kind:
        fits = {"gan": "tinygan sample (or train gan --resume)", "vae": "tinygan evaluate (or train vae --resume)"}
        raise RunFolderError(f"{command}: {run_dir} holds a {found or 'unknown kind of'} run, not a {kind} run; "
                             f"for it use {fits.get(found, 'the command that trained it')}")
    return state


def run_kind(state):
    """'gan' or 'vae' (checkpoints from before "kind" was stored: told apart by their config)."""
    if not isinstance(state, dict) or not isinstance(state.get("config"), dict):
        return None
    if "kind" in state:
        return state["kind"]
    return "gan" if "loss" in state["config"] else "vae" if "lambda_od" in state["config"] else None


def restore(run, state, path, command):
    """run.load(state), with a state that does not fit the run (missing parts, other shapes: a
    checkpoint from another version) as one CheckpointError naming the file."""
    try:
        run.load(state)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"{command}: {path} does not fit this run ({type(exc).__name__}: {exc}); was it "
                              "written by another version of tinygan?") from None


def config_from(config_class, state, path, command):
    """The run's Config from a checkpoint's stored options (one line if they do not fit)."""
    try:
        return config_class(**state["config"])
    except TypeError as exc:
        raise CheckpointError(f"{command}: {path} stores options this version does not know ({exc})") from None


def load_saved_run(run_class, config_class, run_dir, command):
    """The run (GAN or VAE) saved in run_dir/checkpoint.npz, checked to be of run_class's kind."""
    path = os.path.join(run_dir, CHECKPOINT)
    state = load_checkpoint(run_dir, run_class.KIND, command)
    run = run_class(config_from(config_class, state, path, command))
    restore(run, state, path, command)
    return run


def _resume(run, ckpt, command, extend):
    state = load_checkpoint(os.path.dirname(ckpt), run.KIND, command) if os.path.exists(ckpt) else None
    if state is None:
        raise FileNotFoundError(f"{command}: --resume/--extend given but {ckpt} does not exist")
    # resolve the stored options as today's Config would (older runs stored 0 for "the method's default")
    given, stored = asdict(run.cfg), dict(state["config"])
    if set(stored) <= set(given):
        stored = asdict(type(run.cfg)(**stored).check())
    differ = [k for k in sorted(set(stored) | set(given)) if k != "steps" and stored.get(k) != given.get(k)]
    if differ:
        pairs = "; ".join(f"{k}: {stored.get(k)!r} in the checkpoint, {given.get(k)!r} now" for k in differ)
        raise ValueError(f"{command}: --resume with different options than {ckpt} was trained with ({pairs})")
    restore(run, state, ckpt, command)
    run.segments = state.get("segments") or [{"start": 0, "steps": stored["steps"]}]
    if given["steps"] != stored["steps"]:
        if not extend:
            raise ValueError(f"{command}: --steps {given['steps']} differs from the run's {stored['steps']}; add "
                             "--extend to continue it to the new horizon (its schedules restart there)")
        if given["steps"] <= run.step:
            raise ValueError(f"{command}: --extend --steps {given['steps']} is not past the run's step {run.step}")
        run.segments = run.segments + [{"start": run.step, "steps": given["steps"]}]


# ---- failing loudly ----------------------------------------------------------------------------
def first_nonfinite(tree, path=""):
    """The path ("g/net.0.weight") of the first array in a nested state holding NaN or Inf, or None."""
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, (list, tuple)):
        items = enumerate(tree)
    else:
        data = getattr(tree, "array", tree)
        if hasattr(data, "dtype") and np.issubdtype(data.dtype, np.floating):
            return None if bool(tinygan.backend.get_array_module(data).isfinite(data).all()) else path
        return None
    for key, value in items:
        found = first_nonfinite(value, f"{path}/{key}" if path else str(key))
        if found:
            return found
    return None


def _kept(saved):
    return f"the last good checkpoint (step {saved}) is kept" if saved is not None else "no checkpoint was written"


def _check_losses(run, losses, command, saved):
    bad = [k for k, v in losses.items() if not math.isfinite(v)]
    if bad:
        param = first_nonfinite(run.state())
        raise DivergenceError(f"{command}: diverged at step {run.step}: {bad[0]} = {losses[bad[0]]}; first non-finite "
                              f"parameter: {param or 'none'}; {_kept(saved)}")


def _check_parameters(run, command, saved):
    param = first_nonfinite(run.state())
    if param:
        raise DivergenceError(f"{command}: diverged at step {run.step}: {param} holds NaN or Inf (losses were "
                              f"finite); {_kept(saved)}")


@contextlib.contextmanager
def _signals_deferred():
    """SIGINT/SIGTERM set a flag the loop reads after each step (a second one interrupts at once).
    Yields the list the caught signal numbers go into. Only the main thread can own handlers."""
    caught = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def handler(signum, frame):
        if caught:
            raise KeyboardInterrupt
        caught.append(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield caught
    finally:
        for s, h in previous.items():
            signal.signal(s, h)



# ---- option checks both trainers share ---------------------------------------------------------
def check_range(command, flag, value, low, high, low_open=False):
    """One line unless low <= value <= high (low < value with low_open) and value is finite."""
    inside = math.isfinite(value) and (value > low if low_open else value >= low) and value <= high
    if not inside:
        bracket = "(" if low_open else "["
        raise ValueError(f"{command}: {flag} must be a finite number in {bracket}{low:g}, {high:g}], got {value}")


def check_schedule(command, cfg):
    for flag, value in (("--steps", cfg.steps), ("--eval-every", cfg.eval_every),
                        ("--checkpoint-every", cfg.checkpoint_every)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{command}: {flag} must be a whole number >= 1, got {value}")
    if cfg.seed < 0:
        raise ValueError(f"{command}: --seed must be >= 0, got {cfg.seed}")
