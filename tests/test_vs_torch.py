"""Forward values and gradients compared with PyTorch on the same inputs (skipped without torch),
one helper for every op, as early tinygrad's tests did."""
import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def compare(tg_fn, torch_fn, *arrays, atol=1e-6, rtol=1e-5):
    """Run both libraries on float64 copies of `arrays`; compare outputs and input gradients."""
    ours = [tinygan.tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y, yt = tg_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), atol=atol, rtol=rtol)
    g = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(tinygan.tensor(g, dtype=np.float64))
    yt.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=rtol)


rng = np.random.default_rng(42)
A, B, M = rng.standard_normal((4, 5)), rng.standard_normal((5,)), rng.standard_normal((2, 5, 3))


@pytest.mark.parametrize("name,ours,theirs,arrays", [
    ("arith", lambda a, b: (a * b - b / (a * a + 1)) ** 2, lambda a, b: (a * b - b / (a * a + 1)) ** 2, (A, B)),
    ("matmul", lambda a, m: a @ m, lambda a, m: a @ m, (A, M)),
    ("softmax", lambda a: F.softmax(a, 1), lambda a: torch.softmax(a, 1), (A,)),
    ("log_softmax", lambda a: F.log_softmax(a, 0), lambda a: torch.log_softmax(a, 0), (A,)),
    ("softplus", F.softplus, TF.softplus, (A * 30,)),
    ("sigmoid", F.sigmoid, torch.sigmoid, (A * 30,)),
    ("leaky_relu", lambda a: F.leaky_relu(a, 0.2), lambda a: TF.leaky_relu(a, 0.2), (A,)),
    ("var", lambda a: a.var(axis=0), lambda a: a.var(dim=0), (A,)),
    ("amax", lambda a: a.amax(dim=1), lambda a: a.amax(dim=1), (A,)),
    ("max_dim_values", lambda a: a.max(dim=1).values, lambda a: a.max(dim=1).values, (A,)),
    ("getitem", lambda a: a[[0, 0, 3], 1:4], lambda a: a[[0, 0, 3], 1:4], (A,)),
    ("pad", lambda a: F.pad(a, (2, 1, 1, 0)), lambda a: TF.pad(a, (2, 1, 1, 0)), (A,)),
    ("cat", lambda a, m: tinygan.cat([a, m[0].T], axis=0), lambda a, m: torch.cat([a, m[0].T], 0), (A, M)),
])
def test_ops(name, ours, theirs, arrays):
    compare(ours, theirs, *arrays)


@pytest.mark.parametrize("s,p", [(1, 0), (1, 1), (2, 1), (2, 2), (3, 0)])
def test_conv2d(s, p):
    x, w, b = rng.standard_normal((2, 3, 9, 7)), rng.standard_normal((4, 3, 4, 3)), rng.standard_normal(4)
    compare(lambda x, w, b: F.conv2d(x, w, b, s, p), lambda x, w, b: TF.conv2d(x, w, b, s, p), x, w, b)


@pytest.mark.parametrize("s,p,op", [(1, 0, 0), (2, 1, 0), (2, 1, 1), (2, 0, 1)])
def test_conv_transpose2d(s, p, op):
    x, w, b = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((3, 2, 4, 4)), rng.standard_normal(2)
    compare(lambda x, w, b: F.conv_transpose2d(x, w, b, s, p, op),
            lambda x, w, b: TF.conv_transpose2d(x, w, b, s, p, op), x, w, b)


def test_losses():
    x, t = rng.standard_normal((6, 3)) * 50, rng.uniform(0, 1, (6, 3))
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, x, t)
    compare(lambda a, b: F.mse_loss(a, b, reduction="sum"), lambda a, b: TF.mse_loss(a, b, reduction="sum"), x, t)
    p = rng.uniform(0.01, 0.99, (6, 3))
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, p, t)
    labels = np.array([2, 0, 1, 1, 0, 2])
    compare(lambda a: F.cross_entropy(a, tinygan.tensor(labels)), lambda a: TF.cross_entropy(a, torch.tensor(labels)), x)


def test_batch_norm_training_and_running_stats_match_torch():
    x = rng.standard_normal((8, 3, 4, 4)) * 2 + 1
    ours, theirs = tinygan.nn.BatchNorm2d(3).double(), torch.nn.BatchNorm2d(3).double()
    for _ in range(3):
        compare(ours, theirs, x)
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-10)
    ours.eval(), theirs.eval()
    compare(ours, theirs, x * 0.5)


def test_adam_sgd_rmsprop_trajectories_match_torch():
    w0 = rng.standard_normal((3, 2))
    target = rng.standard_normal((3, 2))
    configs = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
               ("Adam", dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.01)),
               ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True))]
    for name, kw in configs:
        w = tinygan.nn.Parameter(tinygan.tensor(w0, dtype=np.float64))
        wt = torch.nn.Parameter(torch.tensor(w0))
        opt, opt_t = getattr(tinygan.optim, name)([w], **kw), getattr(torch.optim, name)([wt], **kw)
        for _ in range(5):
            opt.zero_grad(), opt_t.zero_grad()
            ((w - tinygan.tensor(target, dtype=np.float64)) ** 2).sum().backward()
            ((wt - torch.tensor(target)) ** 2).sum().backward()
            opt.step(), opt_t.step()
        np.testing.assert_allclose(w.numpy(), wt.detach().numpy(), rtol=1e-10, err_msg=name)
