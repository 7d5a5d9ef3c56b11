"""The layers PyTorch GAN/VAE example code uses (issue #14): pooling, upsampling, padding,
InstanceNorm/LayerNorm, ELU/PReLU/Softmax, Dropout2d, Embedding, containers, inplace= spellings and
gradient clipping. Each is gradchecked in float64 (and gradgradchecked where it can sit in a WGAN-GP
critic), compared with PyTorch where it has the layer, and given bad input once."""
import copy
import warnings

import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from tinygan import nn
from tinygan.errors import DTypeError, ShapeError
from tinygan.testing import gradcheck, gradgradcheck


def t64(*shape, seed=0, requires_grad=True):
    data = np.random.default_rng(seed).standard_normal(shape)
    return tinygan.tensor(data, requires_grad=requires_grad, dtype=np.float64)


def distinct(*shape, seed=0):
    """Values at least 0.05 apart, so max-pooling's winners do not change within the finite differences."""
    n = int(np.prod(shape))
    values = (np.random.default_rng(seed).permutation(n) - n / 2) * 0.1 + 0.03
    return tinygan.tensor(values.reshape(shape), requires_grad=True, dtype=np.float64)


def seeded_dropout2d(x):
    tinygan.manual_seed(3)                  # the same channel mask at every finite-difference probe
    return F.dropout2d(x, 0.5)


# name: (function of tensors, input factory, also check the second derivative)
CASES = {
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), lambda: [distinct(1, 2, 4, 4)], True),
    "max_pool2d_overlap_pad": (lambda x: F.max_pool2d(x, 3, 2, 1), lambda: [distinct(1, 2, 5, 4)], True),
    "max_pool2d_dilation_ceil": (lambda x: F.max_pool2d(x, 2, 2, 1, dilation=2, ceil_mode=True),
                                 lambda: [distinct(1, 1, 6, 5)], True),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), lambda: [t64(1, 2, 4, 4)], True),
    "avg_pool2d_pad_exclude": (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
                               lambda: [t64(1, 2, 5, 4)], True),
    "avg_pool2d_ceil_divisor": (lambda x: F.avg_pool2d(x, (3, 2), (2, 1), (1, 0), ceil_mode=True, divisor_override=4),
                                lambda: [t64(1, 1, 6, 5)], True),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), lambda: [t64(1, 2, 5, 4)], True),
    "interpolate_nearest_x2": (lambda x: F.interpolate(x, scale_factor=2), lambda: [t64(1, 2, 3, 3)], True),
    "interpolate_nearest_x2_wide": (lambda x: F.interpolate(x, scale_factor=(3, 2)),     # the repeat path (W > 32)
                                    lambda: [t64(1, 1, 2, 34)], True),
    "interpolate_nearest_size": (lambda x: F.interpolate(x, size=(5, 2)), lambda: [t64(1, 2, 3, 3)], True),
    "interpolate_bilinear_x2": (lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
                                lambda: [t64(1, 2, 3, 3)], True),
    "interpolate_bilinear_align": (lambda x: F.interpolate(x, size=(5, 4), mode="bilinear", align_corners=True),
                                   lambda: [t64(1, 2, 3, 3)], True),
    "pad_reflect": (lambda x: F.pad(x, (2, 1, 1, 2), mode="reflect"), lambda: [t64(1, 2, 3, 4)], True),
    "pad_replicate": (lambda x: F.pad(x, (1, 3, 2, 0), mode="replicate"), lambda: [t64(1, 2, 3, 3)], True),
    "elu": (lambda x: F.elu(x, alpha=0.7), lambda: [distinct(3, 5)], True),
    "gelu": (lambda x: F.gelu(x), lambda: [t64(3, 5)], True),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda: [t64(3, 5)], True),
    "silu": (lambda x: F.silu(x), lambda: [t64(3, 5)], True),
    "prelu": (lambda x, a: F.prelu(x, a), lambda: [distinct(2, 3, 2, 2), t64(3, seed=1)], True),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (3, 4), w, b),
                   lambda: [t64(2, 3, 4), t64(3, 4, seed=1), t64(3, 4, seed=2)], True),
    "instance_norm": (lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
                      lambda: [t64(2, 3, 3, 3), t64(3, seed=1), t64(3, seed=2)], True),
    "softmax_dim": (lambda x: F.softmax(x, dim=1), lambda: [t64(3, 4)], True),
    "log_softmax_dim": (lambda x: F.log_softmax(x, dim=0), lambda: [t64(3, 4)], True),
    "dropout2d": (seeded_dropout2d, lambda: [t64(2, 4, 2, 2)], True),
    "embedding_weight": (lambda w: F.embedding(np.array([[1, 4, 1], [0, 1, 3]]), w),   # (padding_idx: by design
                                                                                        # no gradient, not checkable)
                         lambda: [t64(5, 3)], True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck(name):
    fn, make, second = CASES[name]
    assert gradcheck(fn, make())
    if second:
        assert gradgradcheck(fn, make(), atol=1e-4, rtol=1e-3)


def test_max_pool2d_gradient_goes_to_one_winner_per_window():
    x = tinygan.tensor(np.ones((1, 1, 2, 4)), requires_grad=True, dtype=np.float64)   # all tied
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])  # the first of each tie


def test_elu_large_inputs_have_finite_gradients():
    x = tinygan.tensor([-800.0, -1.0, 0.0, 2.0, 800.0], requires_grad=True, dtype=np.float64)
    y = F.elu(x, alpha=0.5)
    y.sum().backward()
    np.testing.assert_allclose(y.numpy(), [-0.5, 0.5 * np.expm1(-1), 0, 2, 800])
    np.testing.assert_allclose(x.grad.numpy(), [0, 0.5 * np.exp(-1), 0.5, 1, 1])   # α·eˣ at x ≤ 0, as PyTorch


def test_embedding_padding_row_gets_no_gradient_and_repeats_accumulate():
    emb = nn.Embedding(5, 2, padding_idx=3).double()
    assert np.all(emb.weight.numpy()[3] == 0)
    emb(np.array([1, 3, 1, 1])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [0, 3, 0, 0, 0])


# ---- the same numbers as PyTorch ---------------------------------------------------------------
# name: (our layer, the torch.nn layer made from torch.nn, input shape)
TORCH_CASES = {
    "MaxPool2d": (lambda: nn.MaxPool2d(2), lambda tnn: tnn.MaxPool2d(2), (2, 3, 6, 6)),
    "MaxPool2d_k3s2p1_ceil": (lambda: nn.MaxPool2d(3, 2, 1, ceil_mode=True),
                              lambda tnn: tnn.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 7, 6)),
    "MaxPool2d_dilation": (lambda: nn.MaxPool2d((3, 2), (1, 2), (1, 0), dilation=(2, 1)),
                           lambda tnn: tnn.MaxPool2d((3, 2), (1, 2), (1, 0), dilation=(2, 1)), (1, 2, 7, 6)),
    "AvgPool2d": (lambda: nn.AvgPool2d(2), lambda tnn: tnn.AvgPool2d(2), (2, 3, 6, 6)),
    "AvgPool2d_pad_ceil": (lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True),
                           lambda tnn: tnn.AvgPool2d(3, 2, 1, ceil_mode=True), (2, 3, 7, 6)),
    "AvgPool2d_exclude_pad": (lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
                              lambda tnn: tnn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 6)),
    "AdaptiveAvgPool2d_1": (lambda: nn.AdaptiveAvgPool2d(1), lambda tnn: tnn.AdaptiveAvgPool2d(1), (2, 3, 5, 4)),
    "AdaptiveAvgPool2d_uneven": (lambda: nn.AdaptiveAvgPool2d((3, None)), lambda tnn: tnn.AdaptiveAvgPool2d((3, None)),
                                 (2, 3, 7, 4)),
    "AdaptiveAvgPool2d_unbatched": (lambda: nn.AdaptiveAvgPool2d((4, 3)), lambda tnn: tnn.AdaptiveAvgPool2d((4, 3)),
                                    (3, 7, 5)),
    "Upsample_nearest": (lambda: nn.Upsample(scale_factor=2), lambda tnn: tnn.Upsample(scale_factor=2), (2, 3, 3, 4)),
    "Upsample_nearest_wide": (lambda: nn.Upsample(scale_factor=2), lambda tnn: tnn.Upsample(scale_factor=2),
                              (1, 2, 3, 40)),
    "Upsample_nearest_size": (lambda: nn.Upsample(size=(7, 5)), lambda tnn: tnn.Upsample(size=(7, 5)), (2, 3, 3, 4)),
    "Upsample_nearest_1.5": (lambda: nn.Upsample(scale_factor=1.5), lambda tnn: tnn.Upsample(scale_factor=1.5),
                             (1, 2, 5, 3)),
    "Upsample_bilinear": (lambda: nn.Upsample(scale_factor=2, mode="bilinear"),
                          lambda tnn: tnn.Upsample(scale_factor=2, mode="bilinear"), (2, 3, 3, 4)),
    "Upsample_bilinear_align": (lambda: nn.Upsample(size=(7, 3), mode="bilinear", align_corners=True),
                                lambda tnn: tnn.Upsample(size=(7, 3), mode="bilinear", align_corners=True),
                                (2, 3, 3, 4)),
    "Upsample_bilinear_down": (lambda: nn.Upsample(scale_factor=(0.6, 1.3), mode="bilinear"),
                               lambda tnn: tnn.Upsample(scale_factor=(0.6, 1.3), mode="bilinear"), (1, 2, 6, 5)),
    "UpsamplingBilinear2d": (lambda: nn.UpsamplingBilinear2d(scale_factor=2),
                             lambda tnn: tnn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 4)),
    "Upsample_linear_1d": (lambda: nn.Upsample(scale_factor=2.5, mode="linear"),
                           lambda tnn: tnn.Upsample(scale_factor=2.5, mode="linear"), (2, 3, 5)),
    "Upsample_area": (lambda: nn.Upsample(size=(4, 3), mode="area"), lambda tnn: tnn.Upsample(size=(4, 3), mode="area"),
                      (1, 2, 7, 5)),
    "ZeroPad2d": (lambda: nn.ZeroPad2d((1, 2, 0, 3)), lambda tnn: tnn.ZeroPad2d((1, 2, 0, 3)), (2, 3, 4, 4)),
    "ConstantPad2d": (lambda: nn.ConstantPad2d(2, 0.5), lambda tnn: tnn.ConstantPad2d(2, 0.5), (2, 3, 4, 4)),
    "ReflectionPad2d": (lambda: nn.ReflectionPad2d((3, 1, 2, 0)), lambda tnn: tnn.ReflectionPad2d((3, 1, 2, 0)),
                        (2, 3, 4, 5)),
    "ReplicationPad2d": (lambda: nn.ReplicationPad2d(3), lambda tnn: tnn.ReplicationPad2d(3), (2, 3, 4, 5)),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(3), lambda tnn: tnn.InstanceNorm2d(3), (2, 3, 4, 5)),
    "InstanceNorm2d_affine": (lambda: nn.InstanceNorm2d(3, affine=True), lambda tnn: tnn.InstanceNorm2d(3, affine=True),
                              (2, 3, 4, 5)),
    "InstanceNorm2d_unbatched": (lambda: nn.InstanceNorm2d(3), lambda tnn: tnn.InstanceNorm2d(3), (3, 4, 5)),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(3, affine=True), lambda tnn: tnn.InstanceNorm1d(3, affine=True),
                       (2, 3, 6)),
    "LayerNorm": (lambda: nn.LayerNorm(5), lambda tnn: tnn.LayerNorm(5), (2, 3, 5)),
    "LayerNorm_2d_no_bias": (lambda: nn.LayerNorm((4, 5), eps=1e-3, bias=False),
                             lambda tnn: tnn.LayerNorm((4, 5), eps=1e-3, bias=False), (2, 3, 4, 5)),
    "ELU": (lambda: nn.ELU(), lambda tnn: tnn.ELU(), (3, 7)),
    "ELU_alpha_inplace": (lambda: nn.ELU(0.5, inplace=True), lambda tnn: tnn.ELU(0.5), (3, 7)),
    "GELU": (lambda: nn.GELU(), lambda tnn: tnn.GELU(), (3, 7)),
    "GELU_tanh": (lambda: nn.GELU("tanh"), lambda tnn: tnn.GELU("tanh"), (3, 7)),
    "SiLU": (lambda: nn.SiLU(inplace=True), lambda tnn: tnn.SiLU(), (3, 7)),
    "PReLU": (lambda: nn.PReLU(), lambda tnn: tnn.PReLU(), (3, 7)),
    "PReLU_channels": (lambda: nn.PReLU(3, init=0.1), lambda tnn: tnn.PReLU(3, init=0.1), (2, 3, 4, 4)),
    "Softmax": (lambda: nn.Softmax(dim=1), lambda tnn: tnn.Softmax(dim=1), (2, 3, 4)),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=-1), lambda tnn: tnn.LogSoftmax(dim=-1), (2, 3, 4)),
    "ReLU_inplace": (lambda: nn.ReLU(True), lambda tnn: tnn.ReLU(), (3, 7)),
    "LeakyReLU_inplace": (lambda: nn.LeakyReLU(0.2, inplace=True), lambda tnn: tnn.LeakyReLU(0.2), (3, 7)),
}


def _copy_parameters(ours, theirs, rng):
    """Give both layers the same (random, so the affine parts are exercised) parameters."""
    import torch
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname and p.shape == tuple(tp.shape)
        values = rng.standard_normal(p.shape)
        p.array[...] = values
        with torch.no_grad():
            tp.copy_(torch.tensor(values))


def compare_with_torch(ours, theirs, shape, seed=0, atol=1e-10):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    ours, theirs = ours.double(), theirs.double()
    theirs.zero_grad(set_to_none=True)            # (ours.double() drops the gradients already)
    _copy_parameters(ours, theirs, rng)
    data = rng.standard_normal(shape)
    x = tinygan.tensor(data, requires_grad=True, dtype=np.float64)
    xt = torch.tensor(data, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    assert y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), atol=atol, rtol=1e-9)
    g = rng.standard_normal(y.shape)
    y.backward(tinygan.tensor(g, dtype=np.float64))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), atol=atol, rtol=1e-9)
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), atol=atol, rtol=1e-9, err_msg=name)
    return x, xt


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    make, make_torch, shape = TORCH_CASES[name]
    compare_with_torch(make(), make_torch(torch.nn), shape)


def test_max_pool2d_ties_and_indices_match_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).integers(0, 2, (2, 2, 6, 6)).astype(np.float64)   # many ties, as after ReLU
    compare_with_torch(nn.MaxPool2d(3, 1, 1), torch.nn.MaxPool2d(3, 1, 1), data.shape)
    _, idx = F.max_pool2d(tinygan.tensor(data), 3, 2, 1, return_indices=True)
    _, tidx = torch.nn.functional.max_pool2d(torch.tensor(data), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


def test_instance_norm_running_stats_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3).double()
    theirs = torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3).double()
    for seed in (1, 2):
        compare_with_torch(ours, theirs, (4, 3, 3, 5), seed=seed)
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-12)
    assert [n for n, _ in ours.named_buffers()] == ["running_mean", "running_var"]
    ours.eval(), theirs.eval()
    compare_with_torch(ours, theirs, (2, 3, 3, 5), seed=3)       # eval: normalised by the running stats


def test_embedding_matches_torch():
    torch = pytest.importorskip("torch")
    idx = np.array([[0, 2, 2], [4, 1, 2]])
    ours, theirs = nn.Embedding(5, 3, padding_idx=2).double(), torch.nn.Embedding(5, 3, padding_idx=2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
    y, yt = ours(tinygan.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_array_equal(y.numpy(), yt.detach().numpy())
    g = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(tinygan.tensor(g, dtype=np.float64))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)
    frozen = nn.Embedding.from_pretrained(tinygan.tensor(np.eye(3)))
    assert not frozen.weight.requires_grad and frozen(np.array([2])).numpy().tolist() == [[0, 0, 1]]


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) * 3 for s in [(3, 4), (4,), (2, 2, 2)]]
    for norm_type, max_norm in [(2.0, 1.0), (1.0, 2.5), (float("inf"), 0.5), (2.0, 1e6)]:
        ours = [nn.Parameter(tinygan.tensor(a, dtype=np.float64)) for a in arrays]
        theirs = [torch.nn.Parameter(torch.tensor(a)) for a in arrays]
        for p, tp, a in zip(ours, theirs, arrays):
            p.grad, tp.grad = tinygan.tensor(a * 1.5, dtype=np.float64), torch.tensor(a * 1.5)
        total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
        ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
        assert isinstance(total, tinygan.Tensor) and total.shape == ()
        np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-12)
        for p, tp in zip(ours, theirs):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)
    p = nn.Parameter(tinygan.tensor(arrays[0], dtype=np.float64))
    p.grad = tinygan.tensor(arrays[0], dtype=np.float64)
    tp = torch.nn.Parameter(torch.tensor(arrays[0]))
    tp.grad = torch.tensor(arrays[0])
    nn.utils.clip_grad_value_(p, 0.7)          # a single tensor, as torch accepts
    torch.nn.utils.clip_grad_value_(tp, 0.7)
    np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())


def test_clip_grad_norm_on_real_gradients_and_edge_cases():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    (net(tinygan.randn(8, 3)) * 100).sum().backward()         # bias gradients are read-only broadcast views
    before = np.sqrt(sum((p.grad.numpy().astype(np.float64) ** 2).sum() for p in net.parameters()))
    total = nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    np.testing.assert_allclose(total.item(), before, rtol=1e-5)
    after = np.sqrt(sum((p.grad.numpy().astype(np.float64) ** 2).sum() for p in net.parameters()))
    np.testing.assert_allclose(after, 1.0, rtol=1e-4)
    assert all(p.grad.dtype == np.float32 for p in net.parameters())
    assert nn.utils.clip_grad_norm_([nn.Parameter(tinygan.zeros(2))], 1.0).item() == 0.0   # no gradients
    q = nn.Parameter(tinygan.zeros(2))
    q.grad = tinygan.tensor([np.nan, 1.0])
    with pytest.raises(RuntimeError, match="non-finite|nan"):
        nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="norm_type"):
        nn.utils.clip_grad_norm_([q], 1.0, norm_type=-1)


# ---- modes, inplace= and dim= spellings -----------------------------------------------------------
def test_inplace_spellings_compute_out_of_place():
    data = np.array([[-2.0, -0.5, 0.0, 1.5]], dtype=np.float32)
    x = tinygan.tensor(data)
    for layer, expected in [(nn.ReLU(True), np.maximum(data, 0)), (nn.ReLU(inplace=True), np.maximum(data, 0)),
                            (nn.LeakyReLU(0.2, True), np.where(data > 0, data, 0.2 * data)),
                            (nn.ELU(inplace=True), np.where(data > 0, data, np.expm1(data))),
                            (nn.Dropout(0.5, inplace=True).eval(), data)]:
        np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-6)
    x4 = x.reshape(1, 1, 1, 4)
    np.testing.assert_array_equal(nn.Dropout2d(inplace=True).eval()(x4).numpy(), x4.numpy())
    np.testing.assert_allclose(F.relu(x, inplace=True).numpy(), np.maximum(data, 0))
    np.testing.assert_allclose(F.leaky_relu(x, 0.2, inplace=True).numpy(), np.where(data > 0, data, 0.2 * data))
    np.testing.assert_allclose(F.elu(x, inplace=True).numpy(), np.where(data > 0, data, np.expm1(data)), rtol=1e-6)
    np.testing.assert_array_equal(x.numpy(), data)                    # the input is untouched
    assert repr(nn.ReLU(True)) == "ReLU(inplace=True)" and repr(nn.ReLU()) == "ReLU()"


def test_softmax_dim_keyword_and_legacy_dim():
    x = t64(2, 3, 4, requires_grad=False)
    np.testing.assert_allclose(F.softmax(x, dim=1).numpy().sum(axis=1), 1.0)
    np.testing.assert_allclose(F.log_softmax(x, dim=1).numpy(), F.log_softmax(x, axis=1).numpy())
    np.testing.assert_allclose(F.softmax(x, 1).numpy(), F.softmax(x, axis=1).numpy())
    np.testing.assert_allclose(F.softmax(x).numpy().sum(axis=-1), 1.0)                     # default: last
    assert F.softmax(x.float(), dim=0, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="softmax: give dim or axis"):
        F.softmax(x, dim=0, axis=1)
    with pytest.warns(UserWarning, match="implicit dimension"):
        y = nn.Softmax()(x)                                     # PyTorch's legacy choice: dim 0 for 3-d input
    np.testing.assert_allclose(y.numpy().sum(axis=0), 1.0)


def test_dropout2d_zeroes_whole_channels_and_scales():
    x = tinygan.ones(64, 32, 3, 3)
    layer = nn.Dropout2d(0.25)
    y = layer(x).numpy()
    per_channel = y.reshape(64, 32, -1)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))     # each map all kept or all dropped
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((per_channel[:, :, 0] == 0).mean() - 0.25) < 0.03
    assert np.array_equal(layer.eval()(x).numpy(), x.numpy())
    assert np.all(F.dropout2d(x, 1.0).numpy() == 0)


def test_instance_norm_defaults_and_eval_without_running_stats():
    layer = nn.InstanceNorm2d(3)
    assert layer.weight is None and layer.bias is None and layer.running_mean is None
    assert list(layer.parameters()) == [] and list(layer.buffers()) == []
    x = t64(2, 3, 4, 4, requires_grad=False).float()
    np.testing.assert_allclose(layer(x).numpy(), layer.eval()(x).numpy())   # instance statistics in both modes
    y = layer(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(2, 3)), 0, atol=1e-6)
    np.testing.assert_allclose(y.var(axis=(2, 3)), 1, atol=1e-3)


def test_layers_keep_float32():
    x = tinygan.randn(2, 3, 4, 4)
    for layer in [nn.MaxPool2d(2), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Upsample(scale_factor=2),
                  nn.Upsample(scale_factor=2, mode="bilinear"), nn.ReflectionPad2d(1), nn.InstanceNorm2d(3),
                  nn.LayerNorm(4), nn.ELU(), nn.GELU(), nn.SiLU(), nn.PReLU(3), nn.Dropout2d()]:
        assert layer(x).dtype == np.float32, layer


# ---- a WGAN-GP critic built from these layers -------------------------------------------------------
def test_second_order_through_a_critic_of_the_new_layers():
    tinygan.manual_seed(0)
    critic = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(1, 2, 3), nn.InstanceNorm2d(2, affine=True),
                           nn.LeakyReLU(0.2, inplace=True), nn.AvgPool2d(2),
                           nn.Upsample(scale_factor=2, mode="bilinear"), nn.MaxPool2d(2), nn.ELU(), nn.PReLU(2),
                           nn.Flatten(), nn.LayerNorm(8), nn.Linear(8, 1)).double()
    x = t64(2, 1, 4, 4)
    params = list(critic.parameters())
    assert gradcheck(lambda x, *ps: critic(x), [x, *params])
    assert gradgradcheck(lambda x, *ps: critic(x), [x, *params], atol=1e-4, rtol=1e-3)


# ---- containers ---------------------------------------------------------------------------------------
class Heads(nn.Module):
    def __init__(self):
        self.trunk = nn.Linear(4, 3)
        self.heads = nn.ModuleDict({"real": nn.Linear(3, 1), "cls": nn.Linear(3, 5)})
        self.scales = nn.ParameterList([nn.Parameter(tinygan.ones(3)), tinygan.zeros(2)])
        self.extra = nn.ParameterDict({"gain": tinygan.ones(1)})

    def forward(self, x):
        h = self.trunk(x) * self.scales[0]
        return {k: m(h) * self.extra["gain"] for k, m in self.heads.items()}


def test_containers_register_their_entries():
    net = Heads()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["trunk.weight", "trunk.bias", "heads.real.weight", "heads.real.bias", "heads.cls.weight",
                     "heads.cls.bias", "scales.0", "scales.1", "extra.gain"]
    assert [n for n, _ in net.named_modules()][:4] == ["", "trunk", "heads", "heads.real"]
    assert isinstance(net.scales[1], nn.Parameter) and net.scales[1].requires_grad
    out = net(tinygan.randn(2, 4))
    (out["real"].sum() + out["cls"].sum()).backward()
    assert net.heads["cls"].weight.grad is not None and net.scales[0].grad is not None
    other = Heads()
    other.load_state_dict(net.state_dict())
    np.testing.assert_array_equal(other.heads["real"].weight.numpy(), net.heads["real"].weight.numpy())
    net.eval()
    assert not net.heads["real"].training
    net.double()
    assert net.scales[1].dtype == np.float64 and net.heads["cls"].weight.dtype == np.float64
    clone = copy.deepcopy(net)
    assert clone.heads["cls"] is not net.heads["cls"] and clone.heads.keys() == ["real", "cls"]
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in net.named_parameters()]


def test_container_state_dict_names_match_torch():
    torch = pytest.importorskip("torch")

    class TorchHeads(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = torch.nn.Linear(4, 3)
            self.heads = torch.nn.ModuleDict({"real": torch.nn.Linear(3, 1), "cls": torch.nn.Linear(3, 5)})
            self.scales = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(3)), torch.zeros(2)])
            self.extra = torch.nn.ParameterDict({"gain": torch.ones(1)})

    assert list(Heads().state_dict()) == list(TorchHeads().state_dict())


def test_module_dict_and_parameter_list_api():
    d = nn.ModuleDict()
    d["a"] = nn.ReLU()
    d.update([("b", nn.Tanh()), ("c", nn.Sigmoid())])
    assert d.keys() == ["a", "b", "c"] and len(d) == 3 and "b" in d and list(d) == ["a", "b", "c"]
    d["a"] = nn.ELU()                                         # replacing keeps the position
    assert d.keys() == ["a", "b", "c"] and isinstance(d["a"], nn.ELU)
    assert isinstance(d.pop("b"), nn.Tanh) and d.keys() == ["a", "c"]
    del d["a"]
    assert [type(m).__name__ for m in d.values()] == ["Sigmoid"]
    for bad, error in [("training", KeyError), ("keys", KeyError), ("forward", KeyError), ("a.b", KeyError),
                       ("", KeyError)]:
        with pytest.raises(error, match="ModuleDict"):
            d[bad] = nn.ReLU()
    with pytest.raises(TypeError, match="ModuleDict: values must be Modules"):
        d["x"] = tinygan.ones(2)
    with pytest.raises(KeyError, match="no key 'zz'"):
        d["zz"]
    lst = nn.ParameterList()
    lst.append(tinygan.ones(2)).extend([tinygan.zeros(3), tinygan.zeros(1)])
    assert len(lst) == 3 and lst[-1].shape == (1,) and [p.shape for p in lst[1:]] == [(3,), (1,)]
    lst[0] = tinygan.full((4,), 2.0)
    assert lst[0].shape == (4,) and [n for n, _ in lst.named_parameters()] == ["0", "1", "2"]
    with pytest.raises(IndexError, match="ParameterList: index 3"):
        lst[3]
    with pytest.raises(TypeError, match="ParameterList"):
        lst.append("weight")


# ---- bad input: one clear line naming the op ---------------------------------------------------------
@pytest.mark.parametrize("call,error,match", [
    (lambda: F.max_pool2d(tinygan.zeros(4, 4), 2), ShapeError, r"max_pool2d: expected input \(N, C, H, W\)"),
    (lambda: F.max_pool2d(tinygan.zeros(1, 1, 4, 4), 2, padding=2), ValueError, "max_pool2d: padding"),
    (lambda: F.max_pool2d(tinygan.zeros(1, 1, 2, 2), 3), ShapeError, "max_pool2d: input .* empty output"),
    (lambda: F.avg_pool2d(tinygan.zeros(1, 1, 4, 4), 0), ValueError, "avg_pool2d: kernel_size"),
    (lambda: F.adaptive_avg_pool2d(tinygan.zeros(1, 1, 4, 4), (1, 2, 3)), ValueError, "adaptive_avg_pool2d"),
    (lambda: F.interpolate(tinygan.zeros(1, 1, 4, 4), size=2, scale_factor=2), ValueError, "exactly one"),
    (lambda: F.interpolate(tinygan.zeros(1, 1, 4, 4), scale_factor=2, mode="linear"), ShapeError,
     "mode 'linear' needs a 3-d input"),
    (lambda: F.interpolate(tinygan.zeros(1, 1, 4, 4), scale_factor=2, mode="bicubic"), ValueError,
     "mode 'bicubic' is not supported"),
    (lambda: F.interpolate(tinygan.zeros(1, 1, 4, 4), scale_factor=2, align_corners=True), ValueError,
     "align_corners"),
    (lambda: F.interpolate(tinygan.zeros(1, 1, 4, 4), size=(2, 2, 2)), ShapeError, "size .* 3 entries"),
    (lambda: F.pad(tinygan.zeros(1, 1, 3, 3), (3, 0), mode="reflect"), ShapeError, "pad: reflect padding"),
    (lambda: F.pad(tinygan.zeros(1, 1, 3, 3), (1, 1), mode="wrap"), ValueError, "pad: mode 'wrap'"),
    (lambda: nn.ZeroPad2d((1, 2)), ValueError, "ZeroPad2d: padding"),
    (lambda: F.layer_norm(tinygan.zeros(2, 3), (4,)), ShapeError, r"layer_norm: input \(2, 3\) does not end"),
    (lambda: nn.LayerNorm(3)(tinygan.zeros(2, 4)), ShapeError, "layer_norm"),
    (lambda: nn.InstanceNorm2d(3, affine=True)(tinygan.zeros(2, 4, 3, 3)), ShapeError,
     "InstanceNorm2d: expected 3 channels"),
    (lambda: nn.InstanceNorm2d(3)(tinygan.zeros(2, 3)), ShapeError, "InstanceNorm2d: expected a 4-d input"),
    (lambda: F.instance_norm(tinygan.zeros(2, 3, 1, 1)), ShapeError, "more than one spatial element"),
    (lambda: F.prelu(tinygan.zeros(2, 3), tinygan.ones(2)), ShapeError, "prelu: weight"),
    (lambda: nn.Embedding(4, 2)(np.array([1, 4])), IndexError, "embedding: index 4 is out of range for 4"),
    (lambda: nn.Embedding(4, 2)(np.array([-1])), IndexError, "embedding: index -1"),
    (lambda: nn.Embedding(4, 2)(tinygan.tensor([1.0])), DTypeError, "embedding: indices must be integers"),
    (lambda: nn.Embedding(4, 2, max_norm=1.0), NotImplementedError, "max_norm"),
    (lambda: F.dropout2d(tinygan.zeros(2, 3), 0.5), ShapeError, "dropout2d: expected input"),
    (lambda: nn.Dropout2d(1.5), ValueError, "Dropout2d: p"),
    (lambda: nn.Softmax(dim=1)(tinygan.zeros(2, 3)).backward(), tinygan.GraphError, "backward"),
])
def test_bad_input_gives_one_clear_line(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_instance_norm_warns_on_channel_mismatch_without_affine():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.InstanceNorm2d(3)(tinygan.randn(2, 4, 3, 3))
    assert any("num_features" in str(w.message) for w in caught)
