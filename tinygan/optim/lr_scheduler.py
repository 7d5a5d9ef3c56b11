"""Learning-rate schedulers in PyTorch's names, each written in closed form.

    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(...)          # opt.step() inside
        sched.step()                  # after the optimiser's step, as in PyTorch

Every scheduler sets group['lr'] = base_lr · factor(last_epoch), where base_lr is the group's
'initial_lr' (its lr when the first scheduler was attached) and last_epoch counts the calls to
step(); the constructor makes the first call, so a fresh scheduler has last_epoch 0 and the lr
is base_lr · factor(0). This is PyTorch's `_get_closed_form_lr`. The lr sequences agree with
PyTorch's (recursive, "chainable") schedulers as long as nothing else writes group['lr']: an
lr set by hand, or a second scheduler on the same optimiser, is overwritten at the next step
here, where PyTorch's StepLR/ExponentialLR/CosineAnnealingLR would keep scaling it. Resuming
by `last_epoch=k` (with 'initial_lr' in the groups) sets last_epoch k + 1 and its closed-form
lr; PyTorch's ExponentialLR and CosineAnnealingLR resume one step off there, so prefer
state_dict()/load_state_dict(), which continue exactly. step(epoch) (deprecated in PyTorch)
and the other PyTorch schedulers are not provided.
"""
import bisect
import math
import types

from tinygan.optim.optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses define `_factor(epoch)`, the multiplier of base_lr (one float, or
    one per parameter group as a list), or override get_lr().

    optimizer: a tinygan.optim Optimizer; last_epoch: -1 for a fresh start (records each
    group's lr as 'initial_lr'), or the index of the last epoch done when resuming."""

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected a tinygan.optim Optimizer, "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr', needed to resume "
                                   f"with last_epoch={last_epoch}; load the optimiser's state_dict first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def get_lr(self):
        """The learning rates at the current last_epoch, one per parameter group (closed form)."""
        factors = self._factor(self.last_epoch)
        factors = factors if isinstance(factors, list) else [factors] * len(self.base_lrs)
        return [base_lr * f for base_lr, f in zip(self.base_lrs, factors)]

    def _factor(self, epoch):
        raise NotImplementedError

    def step(self):
        """Advance last_epoch by one and write the new learning rates into the optimiser's groups.
        Call it after optimizer.step(), once per epoch (or per iteration, if the schedule counts those)."""
        self.last_epoch += 1
        lrs = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def get_last_lr(self):
        """The learning rates the last step() set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimiser: base_lrs, last_epoch, the last lrs and the hyperparameters
        (plain numbers and lists, so tinygan.save can store it)."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Continue from a state_dict() (load the optimiser's state as well: it holds 'initial_lr')."""
        self.__dict__.update({k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in state_dict.items()})


class StepLR(LRScheduler):
    """lr = base_lr · gamma^⌊last_epoch / step_size⌋: decay by gamma every step_size epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if step_size < 1 or int(step_size) != step_size:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def _factor(self, epoch):
        return self.gamma ** (epoch // self.step_size)


class MultiStepLR(LRScheduler):
    """lr = base_lr · gamma^(number of milestones ≤ last_epoch): decay by gamma at each milestone."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        if list(milestones) != sorted(milestones):
            raise ValueError(f"MultiStepLR: milestones must be increasing, got {list(milestones)}")
        self.milestones, self.gamma = list(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def _factor(self, epoch):
        return self.gamma ** bisect.bisect_right(self.milestones, epoch)


class ExponentialLR(LRScheduler):
    """lr = base_lr · gamma^last_epoch: decay by gamma every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _factor(self, epoch):
        return self.gamma ** epoch


class LambdaLR(LRScheduler):
    """lr = base_lr · lr_lambda(last_epoch), with one function for all groups or a list of one
    per group (e.g. a linear warm-up: lambda e: min(1, (e + 1) / 1000)).

    state_dict() stores a callable object's attributes, not plain functions or lambdas (as
    PyTorch): after load_state_dict the scheduler keeps the functions it was built with."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"LambdaLR: got {len(lr_lambda)} lr_lambdas for {groups} parameter groups")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        super().__init__(optimizer, last_epoch)

    def _factor(self, epoch):
        return [fn(epoch) for fn in self.lr_lambdas]

    def state_dict(self):
        """As LRScheduler.state_dict, with 'lr_lambdas': per group None (a function or lambda) or
        the attributes of a callable object."""
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(vars(fn))
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        """As LRScheduler.load_state_dict; saved callable-object attributes are restored onto this
        scheduler's own lr_lambdas."""
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                vars(fn).update(attrs)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr − eta_min) · (1 + cos(π · last_epoch / T_max)) / 2: half a cosine
    from base_lr down to eta_min over T_max epochs (SGDR, Loshchilov & Hutter 2017, "SGDR:
    Stochastic Gradient Descent with Warm Restarts", eq. 5, without the restarts). Past T_max
    the cosine continues and the lr rises again (period 2·T_max), as in PyTorch."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """eta_min + (base_lr − eta_min) · (1 + cos(π · last_epoch / T_max)) / 2 per group."""
        cos = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cos for base_lr in self.base_lrs]
