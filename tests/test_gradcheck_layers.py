"""Every layer with parameters passes gradcheck w.r.t. its input and all its parameters,
and second order w.r.t. the input (what WGAN-GP differentiates)."""
import numpy as np
import pytest

import tinygan
from tinygan import nn
from tinygan.ops.maxout import maxout_pieces
from tinygan.testing import gradcheck, gradgradcheck

LAYERS = {
    "Linear": (lambda: nn.Linear(4, 3), (5, 4)),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 5, 5)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 3, 4, stride=2, padding=1), (2, 2, 3, 3)),
    "Maxout": (lambda: nn.Maxout(4, 3, pieces=5), (6, 4)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), (6, 3)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(2), (3, 2, 3, 3)),
    "VirtualBatchNorm": (lambda: nn.VirtualBatchNorm(3, reference_size=4), (7, 3)),
    "Sequential_conv_bn_lrelu": (lambda: nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2),
                                                        nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(18, 1)), (3, 1, 3, 3)),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_first_order_wrt_input_and_parameters(name):
    make, shape = LAYERS[name]
    layer = make().double()
    if hasattr(layer, "bias") and layer.bias is not None and "BatchNorm" in name:
        layer.bias.data[...] = np.random.default_rng(0).standard_normal(layer.bias.shape)
    x = tinygan.tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True, dtype=np.float64)
    params = list(layer.parameters())
    assert params, "every layer here has parameters"
    assert gradcheck(lambda x, *ps: layer(x), [x, *params])


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_second_order_wrt_input(name):
    make, shape = LAYERS[name]
    layer = make().double()
    x = tinygan.tensor(np.random.default_rng(2).standard_normal(shape), requires_grad=True, dtype=np.float64)
    assert gradgradcheck(lambda x, *ps: layer(x), [x, *layer.parameters()], atol=1e-4, rtol=1e-3)


def test_maxout_routes_the_gradient_to_each_units_winning_piece_only():
    # 2 units × 3 pieces; unit 0's largest piece is index 2, unit 1's is index 0
    h = tinygan.tensor(np.array([[0.1, -0.4, 0.9, 0.7, 0.2, -0.3]]), requires_grad=True, dtype=np.float64)
    y = maxout_pieces(h, 3)
    np.testing.assert_array_equal(y.numpy(), [[0.9, 0.7]])
    (y * tinygan.tensor(np.array([[2.0, -5.0]]))).sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), [[0, 0, 2.0, -5.0, 0, 0]])
    # a non-finite gradient stays with its winner, with or without create_graph (the kernel and the
    # recorded-op routing): inf·0 or NaN·0 on the losing pieces would spread NaN
    for create_graph in (False, True):
        g, = tinygan.autograd.grad(maxout_pieces(h, 3), [h], tinygan.tensor(np.array([[np.nan, np.inf]])),
                                   create_graph=create_graph)
        np.testing.assert_array_equal(g.numpy(), [[0, 0, np.nan, np.inf, 0, 0]])
    for shape, out in (((4, 0), (4, 0)), ((0, 6), (0, 2))):             # empty inputs give empty outputs
        empty = tinygan.zeros(*shape, requires_grad=True)
        maxout_pieces(empty, 3).sum().backward()
        assert maxout_pieces(empty, 3).shape == out and empty.grad.shape == shape
    # and a layer's output is the max over its pieces of the Linear with the same weights
    layer = nn.Maxout(4, 3, pieces=5).double()
    x = tinygan.tensor(np.random.default_rng(3).standard_normal((6, 4)), dtype=np.float64)
    full = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), full.reshape(6, 3, 5).max(axis=-1))
