"""Each optimiser's first steps against its update formula written out in NumPy."""
import numpy as np
import pytest

import tinygan
from tinygan import nn, optim
from tinygan.errors import ShapeError

G = [np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.1, 1.5]), np.array([1.0, 1.0, -2.0])]
P0 = np.array([1.0, 2.0, -1.0])


def run(opt_cls, steps=3, **kw):
    """Feed fixed gradients G[t] so the expected values depend only on the formulas."""
    p = nn.Parameter(tinygan.tensor(P0.copy(), dtype=np.float64))
    opt = opt_cls([p], **kw)
    out = []
    for g in G[:steps]:
        p.grad = tinygan.tensor(g, dtype=np.float64)
        opt.step()
        out.append(p.numpy().copy())
    return out


def test_sgd_plain_and_weight_decay():
    p = P0.copy()
    for g, got in zip(G, run(optim.SGD, lr=0.1, weight_decay=0.01)):
        p = p - 0.1 * (g + 0.01 * p)
        np.testing.assert_allclose(got, p)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    p, buf = P0.copy(), None
    for g, got in zip(G, run(optim.SGD, lr=0.1, momentum=0.9, nesterov=nesterov)):
        buf = g.copy() if buf is None else 0.9 * buf + g
        p = p - 0.1 * (g + 0.9 * buf if nesterov else buf)
        np.testing.assert_allclose(got, p)


def test_adam():
    lr, b1, b2, eps = 0.01, 0.5, 0.9, 1e-8
    p, m, v = P0.copy(), 0.0, 0.0
    for t, (g, got) in enumerate(zip(G, run(optim.Adam, lr=lr, betas=(b1, b2), eps=eps)), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose(got, p, rtol=1e-12)
    # first step of Adam moves every coordinate by ~lr, whatever the gradient's scale
    np.testing.assert_allclose(np.abs(run(optim.Adam, steps=1, lr=lr)[0] - P0), lr, rtol=1e-5)


def test_rmsprop():
    lr, a, eps = 0.01, 0.99, 1e-8
    p, s = P0.copy(), 0.0
    for g, got in zip(G, run(optim.RMSprop, lr=lr)):
        s = a * s + (1 - a) * g * g
        p = p - lr * g / (np.sqrt(s) + eps)
        np.testing.assert_allclose(got, p, rtol=1e-12)


def test_param_groups_and_skipping_params_without_grad():
    a, b = nn.Parameter(tinygan.ones(2)), nn.Parameter(tinygan.ones(2))
    opt = optim.SGD([{"params": [a], "lr": 1.0}, {"params": [b]}], lr=0.1)
    a.grad = tinygan.ones(2)
    opt.step()
    np.testing.assert_allclose(a.numpy(), 0.0)
    np.testing.assert_allclose(b.numpy(), 1.0)


def test_optimizer_state_dict_round_trip_continues_identically():
    def make():
        p = nn.Parameter(tinygan.tensor(P0.copy(), dtype=np.float64))
        return p, optim.Adam([p], lr=0.1)
    p1, o1 = make()
    for g in G:
        p1.grad = tinygan.tensor(g, dtype=np.float64)
        o1.step()
    p2, o2 = make()
    p2.grad = tinygan.tensor(G[0], dtype=np.float64)
    o2.step()
    p3, o3 = make()
    p3.data[...] = p2.data
    o3.load_state_dict(o2.state_dict())
    for g in G[1:]:
        p3.grad = tinygan.tensor(g, dtype=np.float64)
        o3.step()
    np.testing.assert_array_equal(p3.numpy(), p1.numpy())


def test_zero_grad_set_to_none_false_zeroes_in_place():
    import tinygan
    from tinygan import nn, optim
    layer = nn.Linear(3, 2)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    layer(tinygan.randn(4, 3)).sum().backward()
    grad = layer.weight.grad
    opt.zero_grad(set_to_none=False)
    assert layer.weight.grad is grad and not grad.numpy().any()      # same tensor, now zeros
    opt.zero_grad()
    assert layer.weight.grad is None


# ---- AdamW, add_param_group, zero_grad, state_dict (issue #14) ---------------------------------
def test_adamw_decays_the_weights_outside_the_moments():
    lr, b1, b2, eps, wd = 0.01, 0.5, 0.9, 1e-8, 0.1
    p, m, v = P0.copy(), 0.0, 0.0
    got = run(optim.AdamW, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    for t, (g, got_t) in enumerate(zip(G, got), start=1):
        p = p * (1 - lr * wd)                                     # decoupled: wd·p never enters m, v
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose(got_t, p, rtol=1e-12)
    assert not np.allclose(got[-1], run(optim.Adam, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)[-1])
    np.testing.assert_array_equal(run(optim.AdamW, weight_decay=0.0)[-1], run(optim.Adam)[-1])
    defaults = optim.AdamW([nn.Parameter(tinygan.zeros(1))]).defaults
    assert defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)   # torch's defaults


@pytest.mark.parametrize("kw", [{}, dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.3)])
def test_adamw_trajectory_and_added_group_match_torch(kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    w0, b0, target = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((3, 2))
    w, b = nn.Parameter(tinygan.tensor(w0, dtype=np.float64)), nn.Parameter(tinygan.tensor(b0, dtype=np.float64))
    wt, bt = torch.nn.Parameter(torch.tensor(w0)), torch.nn.Parameter(torch.tensor(b0))
    opt, opt_t = optim.AdamW([w], **kw), torch.optim.AdamW([wt], **kw)
    for step in range(6):
        if step == 2:                              # a second group joins mid-training, with its own lr
            opt.add_param_group({"params": [b], "lr": 0.02})
            opt_t.add_param_group({"params": [bt], "lr": 0.02})
        opt.zero_grad(), opt_t.zero_grad()
        (((w - tinygan.tensor(target, dtype=np.float64)) ** 2).sum() + (b * b * b).sum()).backward()
        (((wt - torch.tensor(target)) ** 2).sum() + (bt ** 3).sum()).backward()
        opt.step(), opt_t.step()
    np.testing.assert_allclose(w.numpy(), wt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.numpy(), bt.detach().numpy(), rtol=1e-12)
    ours, theirs = opt.state_dict(), opt_t.state_dict()
    assert [g["params"] for g in ours["param_groups"]] == [g["params"] for g in theirs["param_groups"]]
    assert ours["state"][1]["step"] == theirs["state"][1]["step"].item() == 4


def test_add_param_group_fills_defaults_and_refuses_duplicates():
    a, b, c = (nn.Parameter(tinygan.ones(2)) for _ in range(3))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 1.0})                    # a single Parameter is accepted
    assert opt.param_groups[1]["lr"] == 1.0 and opt.param_groups[1]["momentum"] == 0.9
    b.grad = tinygan.ones(2)
    opt.step()
    np.testing.assert_allclose(b.numpy(), 0.0)
    with pytest.raises(ValueError, match="appears in more than one parameter group"):
        opt.add_param_group({"params": [c, a]})
    with pytest.raises(ValueError, match="appears in more than one parameter group"):
        optim.Adam([c, c])
    with pytest.raises(TypeError, match="expected a dict with a 'params' entry"):
        opt.add_param_group([c])
    with pytest.raises(TypeError, match="got a single Tensor; wrap it in a list"):
        optim.Adam(c)
    with pytest.raises(TypeError, match="can only optimise leaf Tensors"):
        optim.Adam([c * 2])
    assert len(opt.param_groups) == 2                                  # the refused groups left no trace


def test_zero_grad_set_to_none_is_honoured_by_step():
    p = nn.Parameter(tinygan.tensor([1.0], dtype=np.float64))
    opt = optim.SGD([p], lr=1.0, momentum=0.5)
    p.grad = tinygan.tensor([1.0], dtype=np.float64)
    opt.step()                                                        # p = 0, buffer 1
    opt.zero_grad(set_to_none=False)
    opt.step()                                                        # zero grad: momentum still moves p
    assert p.grad is not None and p.item() == -0.5
    opt.zero_grad(set_to_none=True)
    opt.step()                                                        # no grad: p is skipped entirely
    assert p.grad is None and p.item() == -0.5


def test_load_state_dict_refuses_a_different_group_layout():
    a, b = nn.Parameter(tinygan.ones(2)), nn.Parameter(tinygan.ones(2))
    saved = optim.AdamW([a, b]).state_dict()
    with pytest.raises(ValueError, match="parameter group 0 has 2 parameters in the state, 1 here"):
        optim.AdamW([a]).load_state_dict(saved)
    with pytest.raises(ValueError, match="1 parameter groups in the state, 2 here"):
        optim.AdamW([{"params": [a]}, {"params": [b]}]).load_state_dict(saved)


@pytest.mark.parametrize("make", [lambda ps: optim.Adam(ps, lr=0.1), lambda ps: optim.SGD(ps, lr=0.1),
                                  lambda ps: optim.RMSprop(ps, lr=0.1)])
def test_a_gradient_of_the_wrong_shape_is_one_line_and_leaves_the_parameter(make):
    p = nn.Parameter(tinygan.zeros(3, 4))
    opt = make([p])
    p.grad = tinygan.ones(2)
    with pytest.raises(ShapeError, match=r"step: a parameter of shape \(3, 4\) has a gradient of shape \(2,\)"):
        opt.step()
    assert (p.numpy() == 0).all()
