"""optim.lr_scheduler: lr sequences against torch's schedulers and the closed forms, resuming
via state_dict (also through tinygan.save/load) and via last_epoch, and the option errors."""
import math

import numpy as np
import pytest

import tinygan
from tinygan import nn, optim
from tinygan.optim import lr_scheduler

STEPS = 25
LRS = (0.1, 0.03)                       # two parameter groups with their own lr


class Warmup:
    """A callable object (its attributes are saved by LambdaLR.state_dict, as in torch)."""
    def __init__(self, n):
        self.n = n

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.n)


# name -> (kwargs for both libraries, closed form factor(epoch, group index) of base_lr)
SCHEDULES = {
    "StepLR": (dict(step_size=4, gamma=0.5), lambda e, i: 0.5 ** (e // 4)),
    "ExponentialLR": (dict(gamma=0.9), lambda e, i: 0.9 ** e),
    "LambdaLR": (dict(lr_lambda=lambda e: 1 / (1 + 0.3 * e)), lambda e, i: 1 / (1 + 0.3 * e)),
    "CosineAnnealingLR": (dict(T_max=10, eta_min=0.001),        # 25 steps: past T_max, the cosine rises again
                          lambda e, i: (0.001 + (LRS[i] - 0.001) * (1 + math.cos(math.pi * e / 10)) / 2) / LRS[i]),
}


def _opt():
    a, b = nn.Parameter(tinygan.zeros(2)), nn.Parameter(tinygan.zeros(3))
    return optim.SGD([{"params": [a], "lr": LRS[0]}, {"params": [b], "lr": LRS[1]}], lr=1.0, momentum=0.9)


def _ours(name, **kw):
    opt = _opt()
    return opt, getattr(lr_scheduler, name)(opt, **{**SCHEDULES[name][0], **kw})


def _run(opt, sched, steps):
    """[get_last_lr() after construction, after each of `steps` step() calls]; the group lrs must agree."""
    seq = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append(sched.get_last_lr())
        assert seq[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(seq)


@pytest.mark.parametrize("name", SCHEDULES)
def test_lr_sequence_matches_torch(name):
    torch = pytest.importorskip("torch")
    a, b = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))
    opt_t = torch.optim.SGD([{"params": [a], "lr": LRS[0]}, {"params": [b], "lr": LRS[1]}], lr=1.0, momentum=0.9)
    sched_t = getattr(torch.optim.lr_scheduler, name)(opt_t, **SCHEDULES[name][0])
    theirs = [sched_t.get_last_lr()]
    for _ in range(STEPS):
        opt_t.step()
        sched_t.step()
        theirs.append(sched_t.get_last_lr())
    opt, sched = _ours(name)
    np.testing.assert_allclose(_run(opt, sched, STEPS), np.array(theirs), rtol=1e-12, atol=1e-15)
    assert sched.last_epoch == sched_t.last_epoch == STEPS


@pytest.mark.parametrize("name", SCHEDULES)
def test_lr_sequence_is_the_closed_form(name):
    opt, sched = _ours(name)
    factor = SCHEDULES[name][1]
    expected = [[LRS[i] * factor(e, i) for i in range(2)] for e in range(STEPS + 1)]
    np.testing.assert_allclose(_run(opt, sched, STEPS), expected, rtol=1e-13)


@pytest.mark.parametrize("name", SCHEDULES)
def test_state_dict_resume_through_a_checkpoint_continues_identically(name, tmp_path):
    opt, sched = _ours(name, **({"lr_lambda": Warmup(6)} if name == "LambdaLR" else {}))
    full = _run(opt, sched, 12)
    opt1, sched1 = _ours(name, **({"lr_lambda": Warmup(6)} if name == "LambdaLR" else {}))
    _run(opt1, sched1, 5)
    tinygan.save({"optim": opt1.state_dict(), "sched": sched1.state_dict()}, tmp_path / "ckpt.npz")
    state = tinygan.load(tmp_path / "ckpt.npz")
    opt2, sched2 = _ours(name, **({"lr_lambda": Warmup(99)} if name == "LambdaLR" else {}))
    opt2.load_state_dict(state["optim"])
    sched2.load_state_dict(state["sched"])
    assert sched2.last_epoch == 5 and sched2.get_last_lr() == list(full[5])
    rest = _run(opt2, sched2, 7)
    np.testing.assert_array_equal(rest, full[5:])
    if name == "LambdaLR":
        assert sched2.lr_lambdas[0].n == 6          # the callable object's attributes came back


@pytest.mark.parametrize("name", SCHEDULES)
def test_resuming_with_last_epoch_gives_the_closed_form_at_the_next_epoch(name):
    opt, sched = _ours(name)
    full = _run(opt, sched, 10)
    opt2 = _opt()                                      # a fresh optimiser restored from opt's state
    opt2.load_state_dict(opt.state_dict())             # carries 'initial_lr'
    sched2 = getattr(lr_scheduler, name)(opt2, last_epoch=5, **SCHEDULES[name][0])
    assert sched2.last_epoch == 6
    np.testing.assert_allclose(_run(opt2, sched2, 4), full[6:], rtol=1e-13)
    opt3 = _opt()
    with pytest.raises(KeyError, match=r"param_groups\[0\] has no 'initial_lr'"):
        getattr(lr_scheduler, name)(opt3, last_epoch=5, **SCHEDULES[name][0])


def test_scheduler_sets_the_lr_the_optimiser_uses():
    p = nn.Parameter(tinygan.tensor([1.0], dtype=np.float64))
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    moves = []
    for _ in range(3):
        p.grad = tinygan.tensor([1.0], dtype=np.float64)
        before = p.item()
        opt.step()
        sched.step()
        moves.append(before - p.item())
    assert moves == [1.0, 0.5, 0.25]
    assert opt.param_groups[0]["initial_lr"] == 1.0
    later = lr_scheduler.ExponentialLR(opt, gamma=0.9)     # a scheduler attached later starts from initial_lr too
    assert later.base_lrs == [1.0] and opt.param_groups[0]["initial_lr"] == 1.0


def test_lambda_lr_per_group_lambdas_and_option_errors():
    opt = _opt()
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 0.5 ** e])
    sched.step()
    assert sched.get_last_lr() == [LRS[0], LRS[1] * 0.5]
    with pytest.raises(ValueError, match="LambdaLR: got 1 lr_lambdas for 2 parameter groups"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive integer, got 0"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be positive"):
        lr_scheduler.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(TypeError, match="expected a tinygan.optim Optimizer, got list"):
        lr_scheduler.ExponentialLR([], gamma=0.9)
