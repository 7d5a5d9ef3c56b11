"""nn.Module plumbing: parameter discovery, state_dict checks, modes, apply, layers' shapes."""
import numpy as np
import pytest

import tinygan
from tinygan import nn


class Net(nn.Module):
    def __init__(self):
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
        self.norm = nn.BatchNorm1d(2)
        self.scale = nn.Parameter(tinygan.ones(1))

    def forward(self, x):
        return self.norm(self.body(x)) * self.scale


def test_named_parameters_and_buffers_in_definition_order():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "body.0.weight", "body.0.bias", "body.3.weight", "body.3.bias",
                     "norm.weight", "norm.bias"]  # own parameters first, then children (as PyTorch)
    assert {"norm.running_mean", "norm.running_var", "norm.num_batches_tracked"} == {n for n, _ in net.named_buffers()}
    assert sum(p.numel() for p in net.parameters()) == 4 * 8 + 8 + 8 * 2 + 2 + 2 + 2 + 1


def test_shared_parameter_is_listed_once():
    lin = nn.Linear(3, 3)
    model = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(model.parameters())) == 2


def test_state_dict_round_trip_and_strict_checks():
    a, b = Net(), Net()
    b.load_state_dict(a.state_dict())
    for (n, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=n)
    state = a.state_dict()
    state.pop("scale")
    with pytest.raises(KeyError, match=r"missing keys \['scale'\]"):
        b.load_state_dict(state)
    missing, unexpected = b.load_state_dict({**state, "extra": tinygan.ones(1)}, strict=False)
    assert missing == ["scale"] and unexpected == ["extra"]
    bad = a.state_dict()
    bad["body.0.weight"] = tinygan.zeros(3, 3)
    with pytest.raises(tinygan.ShapeError, match=r"body.0.weight has shape \(3, 3\) in the state but \(8, 4\)"):
        b.load_state_dict(bad)


def test_load_state_dict_copies_in_place_so_optimisers_keep_working():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    weight_object = b.weight
    b.load_state_dict(a.state_dict())
    assert b.weight is weight_object
    np.testing.assert_array_equal(b.weight.numpy(), a.weight.numpy())


def test_train_eval_switch_changes_dropout_and_batchnorm():
    net = Net()
    x = tinygan.randn(16, 4)
    net.eval()
    assert not net.body[2].training and not net.norm.training
    np.testing.assert_array_equal(net(x).numpy(), net(x).numpy())  # deterministic in eval
    net.train()
    assert net.training and net.body[2].training and net.norm.training
    assert not np.allclose(net(x).numpy(), net(x).numpy())         # a fresh dropout mask per call
    net.eval()
    assert not np.allclose(net(x).numpy(), net.train()(x).numpy())  # and both layers act differently


def test_dropout_zeroes_and_rescales_only_in_train_mode():
    drop = nn.Dropout(0.3)
    x = tinygan.tensor(np.random.default_rng(0).uniform(1, 2, (200, 50)))
    y = drop(x).numpy()
    zeroed = y == 0
    assert abs(zeroed.mean() - 0.3) < 0.02                          # 10 000 draws: std 0.005
    np.testing.assert_allclose(y[~zeroed], x.numpy()[~zeroed] / 0.7, rtol=1e-6)   # inverted dropout
    np.testing.assert_array_equal(drop.eval()(x).numpy(), x.numpy())


def test_batchnorm_uses_batch_statistics_in_train_mode_and_running_ones_in_eval():
    bn = nn.BatchNorm1d(3, momentum=0.1)
    data = np.random.default_rng(1).normal([5.0, -2.0, 0.5], [3.0, 0.5, 1.0], (64, 3))
    x = tinygan.tensor(data, dtype=np.float64)
    bn.double()
    y = bn(x).numpy()
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-6)         # normalised by this batch's moments
    np.testing.assert_allclose(y.std(axis=0), 1, atol=1e-3)           # (biased variance, eps = 1e-5)
    # running estimates moved 10 % of the way from (0, 1) to the batch's mean and unbiased variance
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * data.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * data.var(axis=0, ddof=1), rtol=1e-6)
    running_mean, running_var = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
    bn.eval()
    y_eval = bn(x).numpy()                                            # the running estimates, not the batch's
    np.testing.assert_allclose(y_eval, (data - running_mean) / np.sqrt(running_var + 1e-5), rtol=1e-6)
    np.testing.assert_array_equal(bn.running_mean.numpy(), running_mean)   # eval leaves them alone
    np.testing.assert_array_equal(bn.running_var.numpy(), running_var)


def test_zero_grad_and_apply():
    net = Net()
    net(tinygan.randn(8, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and "Linear" in seen


def test_dcgan_init_statistics():
    tinygan.manual_seed(1)
    conv = nn.Conv2d(64, 64, 4)
    bn = nn.BatchNorm2d(64)
    nn.Sequential(conv, bn).apply(nn.init.dcgan_init_)
    assert abs(conv.weight.numpy().std() - 0.02) < 0.002 and abs(conv.weight.numpy().mean()) < 0.002
    assert abs(bn.weight.numpy().mean() - 1) < 0.01 and np.all(bn.bias.numpy() == 0)


def test_default_init_bounds_follow_pytorch():
    lin = nn.Linear(100, 50)
    assert np.abs(lin.weight.numpy()).max() <= 1 / np.sqrt(100) + 1e-7
    assert lin.weight.numpy().std() > 0.5 / np.sqrt(300)


def test_layer_shapes():
    x = tinygan.randn(2, 3, 8, 8)
    assert nn.Conv2d(3, 5, 4, stride=2, padding=1)(x).shape == (2, 5, 4, 4)
    assert nn.ConvTranspose2d(3, 5, 4, stride=2, padding=1)(x).shape == (2, 5, 16, 16)
    assert nn.Flatten()(x).shape == (2, 192)
    assert nn.Unflatten(1, (3, 8, 8))(nn.Flatten()(x)).shape == x.shape
    with pytest.raises(tinygan.ShapeError, match=r"linear: input \(2, 7\) has last dimension 7"):
        nn.Linear(4, 2)(tinygan.zeros(2, 7))


def test_module_double_converts_parameters_and_buffers():
    net = Net().double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.norm.running_var.dtype == np.float64
    assert "Linear(in_features=4, out_features=8, bias=True)" in repr(net)
