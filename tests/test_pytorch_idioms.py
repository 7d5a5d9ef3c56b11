"""PyTorch idioms from GAN/VAE example code (issue #14), compared with torch where it has them.

The first three tests are the silent ones: on the main branch before the fix each gave a wrong
result without an error (a cut graph, row 0 instead of the maxima, grad mode left on)."""
import numpy as np
import pytest

import tinygan
from tinygan import nn
from tinygan.errors import BackendError, DTypeError, GraphError, ShapeError
from tinygan.testing import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def both(shape, seed=0, requires_grad=True):
    """The same float64 values as a tinygan tensor and a torch tensor."""
    values = np.random.default_rng(seed).standard_normal(shape)
    return (tinygan.tensor(values, dtype=np.float64, requires_grad=requires_grad),
            torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad))


# ---- the silent ones ---------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["cpu", tinygan.device("cpu"), "float64", np.float64])
def test_to_inside_a_graph_keeps_the_gradient_flowing(target):
    g = nn.Linear(3, 2)
    z = tinygan.randn(4, 3)
    g(z).to(target).sum().backward()
    assert g.weight.grad is not None
    np.testing.assert_allclose(g.weight.grad.numpy(), np.tile(z.numpy().sum(0), (2, 1)), rtol=1e-5)


def test_max_with_a_dim_returns_values_and_indices_like_torch():
    x, tx = both((4, 5))
    values, indices = x.max(1)
    t_values, t_indices = tx.max(1)
    np.testing.assert_array_equal(values.numpy(), t_values.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    np.testing.assert_array_equal(x.max(1)[0].numpy(), tx.max(1)[0].detach().numpy())     # not row 0
    np.testing.assert_array_equal(x.min(dim=0, keepdim=True).values.numpy(), tx.min(dim=0, keepdim=True).values.detach().numpy())
    assert x.max().shape == () and float(x.max()) == tx.max().item()
    np.testing.assert_array_equal(tinygan.max(x, 0).indices.numpy(), torch.max(tx, 0).indices.numpy())
    other, t_other = both((4, 5), seed=1)
    np.testing.assert_array_equal(tinygan.max(x, other).numpy(), torch.max(tx, t_other).detach().numpy())


def test_max_over_a_dim_sends_the_gradient_to_the_winners_like_torch():
    x, tx = both((3, 4))
    x.max(1).values.sum().backward()
    tx.max(1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_set_grad_enabled_called_as_a_function_switches_recording():
    w = tinygan.randn(2, requires_grad=True)
    try:
        tinygan.set_grad_enabled(False)
        assert not (w * 2).requires_grad
    finally:
        tinygan.set_grad_enabled(True)
    assert (w * 2).requires_grad
    with tinygan.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert tinygan.is_grad_enabled()


def test_no_grad_works_as_a_decorator():
    w = tinygan.randn(2, requires_grad=True)

    @tinygan.no_grad()
    def sample():
        return w * 2
    assert not sample().requires_grad and tinygan.is_grad_enabled()


# ---- .to and devices -------------------------------------------------------------------------
def test_to_rejects_an_unknown_device_or_dtype_in_one_line():
    x = tinygan.randn(2)
    with pytest.raises(BackendError, match="'banana' is neither a device"):
        x.to("banana")
    with pytest.raises(DTypeError, match="unsupported dtype"):
        x.to(np.float16)
    with pytest.raises(BackendError, match="banana"):
        nn.Linear(2, 2).to("banana")


@pytest.mark.skipif(tinygan.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_cupy_is_one_clear_line():
    assert tinygan.cuda.device_count() == 0
    for move in (lambda: tinygan.randn(2).to("cuda"), lambda: tinygan.randn(2).cuda(),
                 lambda: nn.Linear(2, 2).to("cuda"), lambda: tinygan.zeros(2, device="cuda")):
        with pytest.raises(BackendError, match="CuPy|GPU") as info:
            move()
        assert "\n" not in str(info.value)


def test_devices_follow_pytorch_spelling():
    d = tinygan.device("cuda:1")
    assert (d.type, d.index, str(d)) == ("cuda", 1, "cuda:1") and d == tinygan.device("cuda", 1)
    x = tinygan.zeros(2, 3, device="cpu")
    assert x.device == "cpu" and x.device == tinygan.device("cpu") and not x.is_cuda
    assert x.cpu() is x and x.to("cpu") is x and x.to(x) is x
    assert x.to("cpu", copy=True) is not x
    assert tinygan.randn(2, device=tinygan.device("cpu")).device.type == "cpu"
    m = nn.Linear(2, 2)
    assert m.to(tinygan.device("cpu")) is m and m.double().weight.dtype == np.float64
    assert m.to("float32").weight.dtype == np.float32


# ---- .data and in-place ops --------------------------------------------------------------------
def test_init_on_weight_data_fills_the_parameter():
    m = nn.Conv2d(3, 8, 4)
    tinygan.manual_seed(0)
    nn.init.normal_(m.weight.data, 0.0, 0.02)
    nn.init.constant_(m.bias.data, 0)
    std = float(m.weight.numpy().std())
    assert 0.015 < std < 0.025 and not m.bias.numpy().any()


def test_data_is_a_detached_tensor_sharing_the_parameter():
    p = nn.Linear(2, 3).weight
    d = p.data
    assert isinstance(d, tinygan.Tensor) and not d.requires_grad and d.grad_fn is None
    d.fill_(0.5).mul_(2).add_(1, alpha=-0.5)
    np.testing.assert_array_equal(p.numpy(), np.full((3, 2), 0.5, np.float32))
    p.data = tinygan.ones(3, 2)                   # assigning .data replaces the values
    np.testing.assert_array_equal(p.numpy(), 1)
    p.data.uniform_(-0.1, 0.1).clamp_(0, 0.05)
    assert (p.numpy() >= 0).all() and (p.numpy() <= 0.05).all()


def test_in_place_ops_match_torch_under_no_grad():
    x, tx = both((3, 4))
    y, ty = both((3, 4), seed=1)
    with tinygan.no_grad():
        x.add_(y, alpha=2).mul_(0.5).sub_(1).div_(3).clamp_(-0.2, 0.3)
        x[0] = 7.0
        x[x > 0.2] = 0.25
        x[1, 2:] = tinygan.tensor([1.0, 2.0], dtype=np.float64)
    with torch.no_grad():
        tx.add_(ty, alpha=2).mul_(0.5).sub_(1).div_(3).clamp_(-0.2, 0.3)
        tx[0] = 7.0
        tx[tx > 0.2] = 0.25
        tx[1, 2:] = torch.tensor([1.0, 2.0], dtype=torch.float64)
    np.testing.assert_allclose(x.numpy(), tx.detach().numpy(), rtol=1e-12)


def test_in_place_on_a_tensor_that_requires_grad_is_refused_in_one_line():
    w = nn.Linear(2, 2).weight
    with pytest.raises(GraphError, match="fill_.*requires grad"):
        w.fill_(0)
    with pytest.raises(GraphError, match="__setitem__"):
        w[0] = 1.0
    buffer = tinygan.zeros(2)
    with pytest.raises(GraphError, match="value written requires grad"):
        buffer.copy_(tinygan.ones(2, requires_grad=True))
    with pytest.raises(ShapeError, match="shape"):
        buffer.copy_(tinygan.ones(3))


def test_changing_a_tensor_the_graph_saved_is_caught_at_backward_as_torch_does():
    x, tx = both((3,), requires_grad=False)
    w, tw = both((3,), seed=1)
    loss, t_loss = (w * x).sum(), (tw * tx).sum()
    x.mul_(2)
    tx.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        t_loss.backward()
    with pytest.raises(GraphError, match="modified by an in-place operation"):
        loss.backward()


def test_an_optimizer_step_between_forward_and_backward_is_not_caught_silently():
    """PyTorch's optimizer bumps the version of what it updates; so does ours."""
    d = nn.Linear(2, 1)
    opt = tinygan.optim.SGD(d.parameters(), lr=0.1)
    loss = d(tinygan.randn(4, 2)).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(GraphError, match="in-place"):
        loss.backward()


def test_augmented_assignment_keeps_the_gradient():
    w, tw = both((3,))
    total, t_total = tinygan.zeros(3, dtype=np.float64), torch.zeros(3, dtype=torch.float64)
    total += w * 2
    total += w ** 2
    t_total += tw * 2
    t_total += tw ** 2
    total.sum().backward()
    t_total.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())
    plain = tinygan.zeros(2)
    alias = plain
    plain += 1                                  # no graph involved: in place, as in PyTorch
    assert alias.numpy().tolist() == [1.0, 1.0]


def test_tensor_copies_its_input_array():
    a = np.zeros(3, np.float32)
    t = tinygan.tensor(a)
    t.fill_(1)
    assert not a.any()
    shared = tinygan.from_numpy(a)
    shared.fill_(2)
    assert (a == 2).all()


# ---- functional forms and methods --------------------------------------------------------------
REDUCTIONS = [("sum", dict(dim=1, keepdim=True)), ("mean", dict(dim=0)), ("std", dict(dim=1)),
              ("var", dict(dim=1, keepdim=True)), ("amax", dict(dim=1)), ("logsumexp", dict(dim=1)),
              ("norm", dict(p=2, dim=1)), ("norm", dict(p=1, dim=0)), ("norm", dict()), ("norm", dict(p=3, dim=1))]


@pytest.mark.parametrize("name, kwargs", REDUCTIONS, ids=[f"{n}-{k}" for n, k in REDUCTIONS])
def test_reductions_match_torch_in_value_and_gradient(name, kwargs):
    x, tx = both((3, 4))
    out, t_out = getattr(tinygan, name)(x, **kwargs), getattr(torch, name)(tx, **kwargs)
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-10)
    out.sum().backward()
    t_out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


SHAPES = {
    "t": (lambda m, x: m.t(x) if m is not None else x.t(), (3, 4)),
    "transpose": (lambda m, x: x.transpose(0, 2), (2, 3, 4)),
    "repeat": (lambda m, x: x.repeat(2, 1, 3), (3, 4)),
    "chunk": (lambda m, x: x.chunk(3, 1)[2], (3, 7)),
    "split_size": (lambda m, x: x.split(2, 0)[-1], (5, 2)),
    "split_sections": (lambda m, x: x.split([1, 3], 1)[1], (3, 4)),
    "diag_of_vector": (lambda m, x: x.diag(), (4,)),
    "diag_of_matrix": (lambda m, x: x.diag(), (3, 5)),
    "expand": (lambda m, x: x.expand(2, -1, 4), (3, 1)),
    "clone": (lambda m, x: x.clone() * 2, (3,)),
    "masked_fill": (lambda m, x: x.masked_fill(x > 0, 0.0), (3, 4)),
    "mm": (lambda m, x: x.mm(x.t()), (3, 4)),
    "bmm": (lambda m, x: x.bmm(x.transpose(1, 2)), (2, 3, 4)),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_shape_methods_match_torch_in_value_and_gradient(name):
    fn, shape = SHAPES[name]
    x, tx = both(shape)
    out, t_out = fn(None, x), fn(None, tx)
    assert out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    t_out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", [lambda x: x.logsumexp(1), lambda x: x.norm(2, 1), lambda x: x.norm(3, 0),
                                lambda x: x.repeat(2, 2), lambda x: x.std(1), lambda x: x.chunk(2, 1)[1] * x.split(1, 1)[0]],
                         ids=["logsumexp", "norm2", "norm3", "repeat", "std", "chunk_split"])
def test_composite_ops_pass_first_and_second_order_gradcheck(fn):
    x = tinygan.tensor(np.random.default_rng(3).uniform(0.5, 2, (3, 4)), dtype=np.float64, requires_grad=True)
    assert gradcheck(fn, [x])
    assert gradgradcheck(fn, [x])


def test_small_conversions_and_factories_match_torch():
    x, tx = both((2, 3), requires_grad=False)
    assert float(x.sum()) == pytest.approx(float(tx.sum()))
    assert f"{x.sum():.4f}" == f"{tx.sum():.4f}"
    np.testing.assert_array_equal(abs(x).numpy(), abs(tx).numpy())
    assert x.tolist() == tx.tolist()
    assert x.view_as(x.t()).shape == tuple(tx.view_as(tx.t()).shape)
    np.testing.assert_allclose(tinygan.linspace(0, 1, 5).numpy(), torch.linspace(0, 1, 5).numpy())
    for name in ("randn_like", "rand_like", "zeros_like", "ones_like"):
        made = getattr(tinygan, name)(x)
        assert made.shape == x.shape and made.dtype == x.dtype
    assert tinygan.full_like(x, 3.0).numpy().tolist() == torch.full_like(tx, 3.0).tolist()
    assert tinygan.flatten(tinygan.zeros(2, 3, 4), 1).shape == tuple(torch.flatten(torch.zeros(2, 3, 4), 1).shape)
    nan = tinygan.tensor([1.0, float("nan"), float("inf")])
    assert tinygan.isnan(nan).tolist() == [False, True, False]
    assert tinygan.isfinite(nan).tolist() == [True, False, False]
    assert tinygan.allclose(x, x + 1e-9) and not tinygan.allclose(x, x + 1)
    assert x.new_zeros(4).dtype == x.dtype and x.new_full((2,), 5.0).tolist() == [5.0, 5.0]
    assert tinygan.randint(0, 10, (3,)).dtype == np.int64


def test_autograd_grad_accepts_only_inputs():
    x = tinygan.randn(3, requires_grad=True)
    (g,) = tinygan.autograd.grad((x * x).sum(), x, only_inputs=True)
    np.testing.assert_allclose(g.numpy(), 2 * x.numpy())


def test_import_tinygan_makes_the_subpackages_available():
    assert tinygan.nn.Linear and tinygan.optim.Adam and tinygan.data.DataLoader


def test_leaf_gradients_can_be_changed_in_place_like_torchs():
    """x.sum()'s backward hands out a read-only broadcast view, and w + b gives both sides one
    array: each .grad must still own its memory, so zero_/mul_/clipping in place stay local."""
    w, tw = both((3,))
    b, tb = both((3,), seed=1)
    (w + b).sum().backward()
    (tw + tb).sum().backward()
    w.grad.mul_(3)
    tw.grad.mul_(3)
    b.grad.zero_()
    tb.grad.zero_()
    np.testing.assert_array_equal(w.grad.numpy(), tw.grad.numpy())
    np.testing.assert_array_equal(b.grad.numpy(), tb.grad.numpy())
    opt = tinygan.optim.SGD([w], lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert not w.grad.numpy().any()


# ---- idioms an independent probe found missing (tests/pytorch_idioms_independent.py) ----------
def test_one_hot_scatter_and_label_smoothing_match_torch():
    labels = [0, 2, 1, 2]
    np.testing.assert_array_equal(tinygan.nn.functional.one_hot(tinygan.tensor(labels), 4).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(labels), 4).numpy())
    index = [[1, 2, 0, 1], [0, 1, 2, 2]]
    ours = tinygan.zeros(3, 4).scatter_(0, tinygan.tensor(index), tinygan.arange(8.0).view(2, 4))
    theirs = torch.zeros(3, 4).scatter_(0, torch.tensor(index), torch.arange(8.0).view(2, 4))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x, tx = both((4, 3))
    loss = tinygan.nn.functional.cross_entropy(x, tinygan.tensor(labels[:3] + [0]), label_smoothing=0.2)
    t_loss = torch.nn.functional.cross_entropy(tx, torch.tensor(labels[:3] + [0]), label_smoothing=0.2)
    loss.backward()
    t_loss.backward()
    assert float(loss) == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


def test_meshgrid_lerp_and_spectral_matrix_norm_match_torch():
    a, b = tinygan.arange(3.0), tinygan.arange(4.0)
    for indexing in ("ij", "xy"):
        ours = tinygan.meshgrid(a, b, indexing=indexing)
        theirs = torch.meshgrid(torch.arange(3.0), torch.arange(4.0), indexing=indexing)
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o.numpy(), t.numpy())
    ema, t_ema = tinygan.ones(3), torch.ones(3)
    ema.lerp_(tinygan.zeros(3), 0.1)
    t_ema.lerp_(torch.zeros(3), 0.1)
    np.testing.assert_allclose(ema.numpy(), t_ema.numpy())
    w, tw = both((4, 3))
    sigma = tinygan.linalg.matrix_norm(w, ord=2)
    t_sigma = torch.linalg.matrix_norm(tw, ord=2)
    sigma.backward()
    t_sigma.backward()
    assert float(sigma) == pytest.approx(t_sigma.item(), rel=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_dtype_names_and_init_options_follow_torch():
    assert tinygan.zeros(2, dtype=tinygan.float).dtype == tinygan.float32
    assert tinygan.tensor([1, 2], dtype=tinygan.long).dtype == tinygan.int64
    assert tinygan.ones(2).double().dtype == tinygan.double
    m = nn.Linear(400, 30)
    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    assert float(m.weight.numpy().std()) == pytest.approx(np.sqrt(2 / 30), rel=0.1)    # fan_out = 30
    square = nn.Linear(3, 3)
    nn.init.eye_(square.weight)
    np.testing.assert_array_equal(square.weight.numpy(), np.eye(3))
    with pytest.raises(ValueError, match="mode"):
        nn.init.kaiming_uniform_(m.weight, mode="fan_middle")


def test_datasets_split_concat_and_seeded_generators():
    from tinygan.utils import data
    ds = data.TensorDataset(tinygan.arange(10.0))
    first, second = data.random_split(ds, [0.7, 0.3], generator=tinygan.Generator().manual_seed(3))
    again, _ = data.random_split(ds, [7, 3], generator=tinygan.Generator().manual_seed(3))
    assert (len(first), len(second)) == (7, 3) and first.indices == again.indices
    assert sorted(first.indices + second.indices) == list(range(10))
    both_parts = data.ConcatDataset([first, second])
    assert [float(both_parts[i][0]) for i in range(10)] == [float(ds[i][0]) for i in first.indices + second.indices]
    loader = data.DataLoader(ds, batch_size=5, shuffle=True, generator=tinygan.Generator().manual_seed(1))
    orders = [[float(v) for batch, in loader for v in batch.numpy()] for _ in range(2)]
    assert sorted(orders[0]) == list(range(10)) and orders[0] != orders[1]


def test_multistep_lr_matches_torch():
    ours = tinygan.optim.SGD([nn.Parameter(tinygan.zeros(1))], lr=1.0)
    theirs = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    s = tinygan.optim.lr_scheduler.MultiStepLR(ours, milestones=[2, 5], gamma=0.5)
    ts = torch.optim.lr_scheduler.MultiStepLR(theirs, milestones=[2, 5], gamma=0.5)
    lrs, t_lrs = [], []
    for _ in range(7):
        ours.step(), theirs.step(), s.step(), ts.step()
        lrs.append(s.get_last_lr()[0]), t_lrs.append(ts.get_last_lr()[0])
    assert lrs == pytest.approx(t_lrs)


def test_save_and_load_take_torch_arguments_and_buffers(tmp_path):
    import io
    m = nn.Linear(2, 2)
    buffer = io.BytesIO()
    tinygan.save(m.state_dict(), buffer)
    buffer.seek(0)
    restored = nn.Linear(2, 2)
    restored.load_state_dict(tinygan.load(buffer, map_location="cpu", weights_only=True))
    np.testing.assert_array_equal(restored.weight.numpy(), m.weight.numpy())
    tinygan.save({"epoch": 3}, tmp_path / "c.pth")
    assert tinygan.load(tmp_path / "c.pth", map_location=tinygan.device("cpu"))["epoch"] == 3
    with pytest.raises(BackendError, match="map_location"):
        tinygan.load(tmp_path / "c.pth", map_location="gpu")


def test_batchnorm_counts_batches_like_torch_and_loads_older_state():
    ours, theirs = nn.BatchNorm2d(3, momentum=None), torch.nn.BatchNorm2d(3, momentum=None)
    for seed in range(3):                                 # momentum=None: the cumulative average
        x = np.random.default_rng(seed).standard_normal((4, 3, 2, 2)).astype(np.float32)
        ours(tinygan.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)
    assert list(ours.state_dict()) == list(theirs.state_dict()) and int(ours.num_batches_tracked) == 3
    older = {k: v for k, v in ours.state_dict().items() if k != "num_batches_tracked"}
    nn.BatchNorm2d(3).load_state_dict(older)              # checkpoints from before the counter
    with pytest.raises(KeyError, match="running_var"):
        nn.BatchNorm2d(3).load_state_dict({k: v for k, v in older.items() if k != "running_var"})


def test_bce_on_values_that_are_not_probabilities_is_one_line_like_torch():
    bad = [1.5, 0.2], [float("nan"), 0.5]
    for values in bad:
        with pytest.raises(RuntimeError):
            torch.nn.functional.binary_cross_entropy(torch.tensor(values), torch.tensor([1.0, 0.0]))
        with pytest.raises(ValueError, match="binary_cross_entropy: .*probabilities in \\[0, 1\\]"):
            tinygan.nn.functional.binary_cross_entropy(tinygan.tensor(values), tinygan.tensor([1.0, 0.0]))


def test_the_idiom_probe_runs_and_every_snippet_is_valid_pytorch():
    """The probe's ratio is a measurement (printed by the script, not asserted); this keeps the
    probe itself working: each snippet must run on torch, or probe() raises."""
    import pytorch_idiom_probe
    import pytorch_idioms_independent
    for snippets in (pytorch_idiom_probe.SNIPPETS, pytorch_idioms_independent.SNIPPETS):
        outcome = pytorch_idiom_probe.probe(snippets)
        assert len(outcome) == len(snippets)
