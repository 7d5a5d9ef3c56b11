"""nn.utils.spectral_norm (Miyato et al. 2018): σ converges to the largest singular value, the
buffers move only in training mode, gradients flow through σ exactly as in PyTorch, and the
module still saves, copies, and differentiates twice (an SN critic with a gradient penalty)."""
import copy

import numpy as np
import pytest

import tinygan
from tinygan import nn
from tinygan.testing import gradcheck, gradgradcheck

LAYERS = {
    "Linear": (lambda: nn.Linear(5, 4), (3, 5), lambda w: w),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, padding=1), (2, 2, 4, 4), lambda w: w.reshape(w.shape[0], -1)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(3, 2, 4, 2, 1), (2, 3, 3, 3),     # dim=1: (in, out, kh, kw)
                        lambda w: w.transpose(1, 0, 2, 3).reshape(w.shape[1], -1)),
}


def sigma_of(module):
    """σ the module used last: weight_orig / weight (the same number in every entry)."""
    ratio = module.weight_orig.numpy() / module.weight.numpy()
    np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-10)
    return ratio.flat[0]


@pytest.mark.parametrize("name", list(LAYERS))
def test_sigma_converges_to_the_largest_singular_value(name):
    make, shape, as_matrix = LAYERS[name]
    layer = nn.utils.spectral_norm(make().double())
    x = tinygan.tensor(np.zeros(shape), dtype=np.float64)
    for _ in range(60):
        layer(x)                                           # one power iteration per training forward
    top = np.linalg.svd(as_matrix(layer.weight_orig.numpy()), compute_uv=False)[0]
    np.testing.assert_allclose(sigma_of(layer), top, rtol=1e-6)
    weight_matrix = as_matrix(layer.weight.numpy())
    np.testing.assert_allclose(np.linalg.svd(weight_matrix, compute_uv=False)[0], 1.0, rtol=1e-6)


def test_many_power_iterations_per_call():
    layer = nn.utils.spectral_norm(nn.Linear(6, 4).double(), n_power_iterations=80)
    layer(tinygan.zeros(1, 6, dtype=np.float64))
    np.testing.assert_allclose(sigma_of(layer), np.linalg.svd(layer.weight_orig.numpy(), compute_uv=False)[0],
                               rtol=1e-8)


def test_buffers_update_in_training_mode_only():
    layer = nn.utils.spectral_norm(nn.Linear(4, 3))
    x = tinygan.randn(2, 4)
    u0 = layer.weight_u.numpy().copy()
    layer.eval()
    y_eval = layer(x).numpy()
    np.testing.assert_array_equal(layer.weight_u.numpy(), u0)
    np.testing.assert_array_equal(layer(x).numpy(), y_eval)            # eval: the same σ every call
    layer.train()
    layer(x)
    assert not np.allclose(layer.weight_u.numpy(), u0)
    np.testing.assert_allclose(np.linalg.norm(layer.weight_u.numpy()), 1.0, rtol=1e-6)
    assert layer.weight_u.dtype == layer.weight_v.dtype == np.float32
    assert [n for n, _ in layer.named_parameters()] == ["bias", "weight_orig"]
    assert list(layer.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]


@pytest.mark.parametrize("name", list(LAYERS))
def test_forward_backward_and_buffers_match_torch(name):
    torch = pytest.importorskip("torch")
    make, shape, _ = LAYERS[name]
    ours = make().double()
    theirs = getattr(torch.nn, name)(*_torch_args(ours)).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    nn.utils.spectral_norm(ours)
    torch.nn.utils.spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():                                              # the same u (and v) initialisation
        theirs.weight_u.copy_(torch.tensor(ours.weight_u.numpy()))
        theirs.weight_v.copy_(torch.tensor(ours.weight_v.numpy()))
    rng = np.random.default_rng(0)
    for mode in ("train", "train", "eval"):
        ours.train(mode == "train"), theirs.train(mode == "train")
        data = rng.standard_normal(shape)
        x = tinygan.tensor(data, requires_grad=True, dtype=np.float64)
        xt = torch.tensor(data, requires_grad=True)
        y, yt = ours(x), theirs(xt)
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-12)
        g = rng.standard_normal(y.shape)
        y.backward(tinygan.tensor(g, dtype=np.float64))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.weight_orig.grad.numpy(), theirs.weight_orig.grad.numpy(), rtol=1e-9,
                                   atol=1e-12)
        np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), rtol=1e-9)
        for buffer in ("weight_u", "weight_v"):
            np.testing.assert_allclose(getattr(ours, buffer).numpy(), getattr(theirs, buffer).numpy(), rtol=1e-9,
                                       atol=1e-12)
    fresh = make().double()                                            # a torch SN checkpoint loads as is
    nn.utils.spectral_norm(fresh)
    fresh.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    fresh.eval(), theirs.eval()
    data = rng.standard_normal(shape)
    np.testing.assert_allclose(fresh(tinygan.tensor(data, dtype=np.float64)).numpy(),
                               theirs(torch.tensor(data)).detach().numpy(), rtol=1e-9, atol=1e-12)


def _torch_args(layer):
    if isinstance(layer, nn.Linear):
        return layer.in_features, layer.out_features
    return (layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, layer.padding)


def test_gradient_flows_through_sigma():
    """d(W/σ)/dW is not 1/σ: σ depends on W (∂σ/∂W = u vᵀ), so for the loss Σ (W/σ)·G the gradient
    is G/σ − (Σ W·G)/σ² · u vᵀ. Checked by finite differences in eval mode (fixed u, v)."""
    layer = nn.utils.spectral_norm(nn.Linear(3, 2, bias=False).double())
    layer(tinygan.zeros(1, 3, dtype=np.float64))
    layer.eval()
    x = tinygan.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True, dtype=np.float64)
    assert gradcheck(lambda x, w: layer(x), [x, layer.weight_orig])
    layer(x).sum().backward()
    u, v, w = layer.weight_u.numpy(), layer.weight_v.numpy(), layer.weight_orig.numpy()
    sigma = u @ w @ v
    g = np.ones((4, 2)).T @ x.numpy()                                 # d loss / d weight, the weight used
    expected = g / sigma - (w * g).sum() / sigma ** 2 * np.outer(u, v)
    np.testing.assert_allclose(layer.weight_orig.grad.numpy(), expected, rtol=1e-10)


def test_second_order_for_a_gradient_penalty():
    critic = nn.Sequential(nn.utils.spectral_norm(nn.Conv2d(1, 2, 3, padding=1)), nn.LeakyReLU(0.2),
                           nn.Flatten(), nn.utils.spectral_norm(nn.Linear(2 * 3 * 3, 1))).double()
    x = tinygan.tensor(np.random.default_rng(0).standard_normal((2, 1, 3, 3)), requires_grad=True, dtype=np.float64)
    critic(x)
    critic.eval()                                                       # fixed u, v for the finite differences
    params = list(critic.parameters())
    assert gradcheck(lambda x, *ps: critic(x), [x, *params])
    assert gradgradcheck(lambda x, *ps: critic(x), [x, *params], atol=1e-4, rtol=1e-3)


def test_two_training_forwards_then_one_backward():
    """D(real) and D(fake) both run (each updating u, v in place) before the loss's backward."""
    d = nn.utils.spectral_norm(nn.Linear(4, 1))
    loss = d(tinygan.randn(3, 4)).mean() - d(tinygan.randn(3, 4)).mean()
    loss.backward()
    assert d.weight_orig.grad is not None and d.weight_orig.grad.shape == (1, 4)


def test_deepcopy_and_remove():
    g = nn.utils.spectral_norm(nn.Linear(4, 3))
    ema = copy.deepcopy(g)
    u = g.weight_u.numpy().copy()
    ema(tinygan.randn(2, 4))
    np.testing.assert_array_equal(g.weight_u.numpy(), u)               # the copy updates its own buffers
    assert not np.array_equal(ema.weight_u.numpy(), u)
    g.eval()
    x = tinygan.randn(2, 4)
    y = g(x).numpy()
    nn.utils.remove_spectral_norm(g)
    assert [n for n, _ in g.named_parameters()] == ["bias", "weight"] and list(g.buffers()) == []
    assert isinstance(g.weight, nn.Parameter) and "forward" not in vars(g)
    np.testing.assert_allclose(g(x).numpy(), y, rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="spectral_norm: Linear has no parameter 'kernel'"):
        nn.utils.spectral_norm(nn.Linear(2, 2), name="kernel")
    with pytest.raises(ValueError, match="n_power_iterations must be a positive integer"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    layer = nn.utils.spectral_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="already spectrally normalised"):
        nn.utils.spectral_norm(layer)
    with pytest.raises(ValueError, match="remove_spectral_norm: spectral_norm of 'bias' not found"):
        nn.utils.remove_spectral_norm(layer, "bias")
