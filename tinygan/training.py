"""The training loop the GAN and VAE trainers share: resume checks, steps, the evaluation and
checkpoint schedule, progress. A run object supplies train_step() -> dict of floats,
evaluate() -> dict, state()/load(state), .step, .history {"step", "losses", "eval"} and .cfg
(a dataclass with steps, eval_every, checkpoint_every)."""
import os
from dataclasses import asdict

import tinygan


def fit(run, out, resume, progress, command, desc, postfix_keys, on_evaluate=None):
    """Train `run` until cfg.steps in folder `out`; `command` names the CLI command in errors;
    on_evaluate() is called after each evaluation (e.g. to save pictures)."""
    from tqdm import tqdm
    cfg = run.cfg
    os.makedirs(out, exist_ok=True)
    ckpt = os.path.join(out, "checkpoint.npz")
    if resume:
        if not os.path.exists(ckpt):
            raise FileNotFoundError(f"{command}: --resume given but {ckpt} does not exist")
        state = tinygan.load(ckpt)
        if _without_steps(state["config"]) != _without_steps(asdict(cfg)):
            # only --steps may change: resuming extends (or finishes) the same run
            raise ValueError(f"{command}: --resume with different options than {ckpt} was trained with: "
                             f"{state['config']}")
        run.load(state)
    bar = tqdm(total=cfg.steps, initial=run.step, desc=desc, disable=not progress)
    while run.step < cfg.steps:
        losses = run.train_step()
        run.history["step"].append(run.step)
        run.history["losses"].append(losses)
        if run.step % cfg.eval_every == 0 or run.step == cfg.steps:
            run.history["eval"].append({"step": run.step, **run.evaluate()})
            if on_evaluate:
                on_evaluate()
        if run.step % cfg.checkpoint_every == 0 or run.step == cfg.steps:
            tinygan.save(run.state(), ckpt)
        bar.set_postfix({k: f"{losses[k]:.3f}" for k in postfix_keys})
        bar.update()
    bar.close()


def _without_steps(config):
    return {k: v for k, v in config.items() if k != "steps"}
