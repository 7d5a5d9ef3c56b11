"""Each optimiser's first steps against its update formula written out in NumPy."""
import numpy as np
import pytest

import tinygan
from tinygan import nn, optim

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
