"""The GPU path without a GPU (issue #13): the engine run end to end on the arrays of
tests/strict_cupy.py, a NumPy-backed CuPy stand-in whose arrays refuse implicit conversion to NumPy
as CuPy's do. A stray `np.` call on a device array, a host array mixed into a device op or a
missing `.get()` fails here as it would on a GPU; each result is also compared with the same
computation on NumPy. The RawKernels and Numba-CUDA kernels cannot run on the stand-in: the
registry is pointed at the implementations written for both backends (tests/test_cupy_kernel_source.py
checks the CUDA C sources as far as a host compiler can)."""
import io
import sys

import numpy as np
import pytest
import strict_cupy

import tinygan
import tinygan.nn.functional as F
from tinygan import backend, nn, optim
from tinygan.kernels import registry

_BEFORE = {name: sys.modules.get(name) for name in strict_cupy.MODULES}   # None where CuPy is not installed


def portable_impl(op):
    """The first implementation of op written for both NumPy and CuPy arrays (None if there is none)."""
    return next((name for name in registry.implementations(op)
                 if {"numpy", "cupy"} <= set(registry.get(op, name).backends)), None)


@pytest.fixture
def gpu():
    """The stand-in installed as cupy, the backend switched to it and every op on a portable kernel
    (NumPy runs use the same kernels, so the two runs differ only in the arrays); all put back after."""
    saved_choices, saved_backend, saved_error = registry.choices(), backend._active, backend.env_error
    with strict_cupy.installed() as cp:
        try:
            for op in registry.ops():
                registry.use(op, portable_impl(op))
            tinygan.set_backend("cupy")
            yield cp
        finally:
            registry.restore_choices(saved_choices)
            backend._active, backend.env_error = saved_backend, saved_error


def on(name, make):
    """make() run with new tensors on backend `name`, from the same random stream."""
    backend._active = name
    tinygan.manual_seed(0)
    try:
        return make()
    finally:
        backend._active = "cupy"


def host(values):
    """Tensors / arrays (nested in tuples, lists, dicts) to NumPy, asserting that each came from the device."""
    if isinstance(values, dict):
        return {k: host(v) for k, v in values.items()}
    if isinstance(values, (tuple, list)):
        return [host(v) for v in values]
    array = values.array if isinstance(values, tinygan.Tensor) else values
    if isinstance(array, (np.ndarray, strict_cupy.ndarray)):
        assert backend.is_cupy(array), f"a host array came out of the device run: {type(array)}"
        return array.get()
    return array


def to_cpu(values):
    if isinstance(values, dict):
        return {k: to_cpu(v) for k, v in values.items()}
    if isinstance(values, (tuple, list)):
        return [to_cpu(v) for v in values]
    return values.numpy() if isinstance(values, tinygan.Tensor) else values


def assert_same(got, want, tol=1e-6, where=""):
    if isinstance(want, dict):
        assert got.keys() == want.keys(), where
        for k in want:
            assert_same(got[k], want[k], tol, f"{where}[{k!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, tol, f"{where}[{i}]")
    elif isinstance(want, np.ndarray):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=where)
    elif want is None:      # no gradient on either side (pytest >= 8.4's approx refuses None)
        assert got is None, where
    else:
        assert got == pytest.approx(want, rel=tol, abs=tol), where


# ---- the stand-in itself ---------------------------------------------------------------------

def test_standin_is_as_strict_as_cupy(gpu):
    x = gpu.asarray(np.arange(6.0).reshape(2, 3))
    assert backend.is_cupy(x) and backend.get_array_module(x) is gpu and backend.cupy_problem() is None
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(x)
    with pytest.raises(TypeError):
        x + np.ones(3)                      # no silent host-to-device copy
    with pytest.raises(TypeError):
        np.ones(3) * x
    with pytest.raises(ValueError):
        x[0] = np.ones(3)
    assert backend.is_cupy(x.sum()) and backend.is_cupy(x[0, 0])   # 0-d device arrays, not NumPy scalars
    assert backend.is_cupy(np.exp(x))      # NumPy ufuncs dispatch to the device module, as on CuPy
    np.testing.assert_array_equal(backend.to_numpy(x * 2), np.arange(6.0).reshape(2, 3) * 2)


def test_every_op_has_a_kernel_that_runs_on_both_backends(gpu):
    for op in registry.ops():
        impl = portable_impl(op)
        assert impl is not None, f"{op}: no implementation runs on the stand-in (only CUDA-only kernels)"
        assert registry.kernel(op, gpu.zeros(1)) is registry.get(op, impl).load()


# ---- every op family: forward and first-order gradients, device vs NumPy -----------------------

def _inputs(*shapes, positive=(), ints=()):
    """Float64 inputs from a fixed stream: shapes, the positive ones, and integer arrays (shape, high)."""
    rng = np.random.default_rng(7)
    arrays = [np.abs(rng.standard_normal(s)) + 0.5 if i in positive else rng.standard_normal(s)
              for i, s in enumerate(shapes)]
    return arrays + [rng.integers(0, high, shape) for shape, high in ints]


OPS = {
    # elementwise
    "arith_broadcast": (lambda a, b: (a + b) * a - b / (a * a + 1) + 2 ** a - a ** 3, _inputs((3, 4), (4,))),
    "exp_log_sqrt_abs": (lambda a, p: a.exp() + p.log() + p.sqrt() + a.abs(), _inputs((5,), (5,), positive=(1,))),
    "clip_max_min_where": (lambda a, b: tinygan.where(a > b, a.clip(-0.5, 0.5), a.maximum(b) + a.minimum(b)),
                           _inputs((3, 4), (3, 4))),
    "activations": (lambda a: F.relu(a) + F.leaky_relu(a, 0.2) + a.sigmoid() + a.tanh() + F.elu(a) + F.silu(a)
                    + F.softplus(a) + F.gelu(a) + F.gelu(a, approximate="tanh"), _inputs((3, 5))),
    "softmax_family": (lambda a: a.softmax(-1) + a.log_softmax(0) + a.logsumexp(1, keepdim=True),
                       _inputs((3, 5))),
    "masked_fill_compare": (lambda a, b: a.masked_fill(a < b, 0.0) * (a >= 0).float().double(),
                            _inputs((4, 3), (3,))),
    # reductions
    "reductions": (lambda a: (a.sum(0), a.mean(1, keepdim=True), a.var(0), a.std(), a.amax(1), a.amin(),
                              a.norm(), a.norm(1, dim=0), a.max(1)[0], a.min(0)[0]), _inputs((4, 5))),
    # shape
    "shape_ops": (lambda a, b: (a.reshape(2, 6).transpose(), a.permute(1, 0).flatten(), a.unsqueeze(0).squeeze(),
                                a.expand(2, 3, 4), a.repeat(2, 1), tinygan.cat([a, b], 0), tinygan.stack([a, a]),
                                a.chunk(2, 1)[1], a.split([1, 2], 0)[0], F.pad(a, (1, 2)), a[1:, ::2], a[:, 1]),
                  _inputs((3, 4), (2, 4))),
    "advanced_index": (lambda a, i: a[i] * 2, _inputs((5, 3), ints=[((4,), 5)])),
    "diag": (lambda a, v: a.diag() + v.diag().sum(), _inputs((3, 3), (3,))),
    # matmul
    "matmul": (lambda a, b, c, v: (a @ b, tinygan.bmm(c, c.transpose(1, 2)), a @ v, b.T @ v),
               _inputs((3, 4), (4, 2), (2, 3, 4), (4,))),
    # conv (im2col on both backends)
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), _inputs((2, 3, 7, 6), (4, 3, 3, 3), (4,))),
    "conv_transpose2d": (lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
                         _inputs((2, 3, 4, 3), (3, 2, 3, 3))),
    # normalization
    "batch_norm_train": (lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True),
                         _inputs((4, 3, 2, 2), (3,), (3,))),
    "layer_instance_norm": (lambda x: F.layer_norm(x, (2, 2)) + F.instance_norm(x), _inputs((2, 3, 2, 2))),
    # losses
    "bce_with_logits": (lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid().detach()),
                        _inputs((6, 2), (6, 2))),
    "bce": (lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid().detach()), _inputs((6, 2), (6, 2))),
    "mse_l1": (lambda x, t: F.mse_loss(x, t) + F.l1_loss(x, t, reduction="sum"), _inputs((4, 3), (4, 3))),
    "gaussian_kl": (lambda mu, logvar: F.gaussian_kl(mu, logvar), _inputs((4, 3), (4, 3))),
    "reparameterize_kl": (lambda mu, logvar, eps: F.reparameterize_kl(mu, logvar, eps.detach()),
                          _inputs((4, 3), (4, 3), (4, 3))),
    "cross_entropy_nll": (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1) + F.nll_loss(x.log_softmax(1), t),
                          _inputs((5, 4), ints=[((5,), 4)])),
    "kl_div": (lambda x, t: F.kl_div(x.log_softmax(1), t.softmax(1).detach()), _inputs((3, 4), (3, 4))),
    # pooling, resampling, embedding
    "pool_interpolate": (lambda x: (F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 2, 1), F.adaptive_avg_pool2d(x, (2, 3)),
                                    F.interpolate(x, scale_factor=2), F.interpolate(x, size=(5, 3), mode="bilinear"),
                                    F.pad(x, (1, 1, 2, 0), mode="reflect")), _inputs((1, 2, 4, 4))),
    "embedding_one_hot": (lambda w, i: F.embedding(i, w).sum(0) + F.one_hot(i, 5).double().sum(),
                          _inputs((5, 3), ints=[((4,), 5)])),
}


def _run_op(fn, arrays, device):
    xs = [tinygan.tensor(a, requires_grad=a.dtype.kind == "f", device=device) for a in arrays]
    out = fn(*xs)
    outs = list(out) if isinstance(out, tuple) else [out]
    rng = np.random.default_rng(1)
    total = sum((o * o.new_tensor(rng.standard_normal(o.shape))).sum() for o in outs if o.requires_grad)
    total.backward()
    return outs, [x.grad for x in xs if x.requires_grad]


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_on_device_matches_numpy(gpu, name):
    fn, arrays = OPS[name]
    want = to_cpu(on("numpy", lambda: _run_op(fn, arrays, "cpu")))
    got = host(_run_op(fn, arrays, "cuda"))
    assert_same(got, want, 1e-9, name)


def test_double_backward_through_conv_on_device(gpu):
    """WGAN-GP's penalty: create_graph through conv, batch norm-free critic, on device arrays."""
    def run():
        critic = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(3 * 16, 1))
        x = tinygan.randn(2, 1, 4, 4, requires_grad=True)
        g, = tinygan.grad(critic(x).sum(), x, create_graph=True)
        ((g.reshape(2, -1) ** 2).sum(1).sqrt() - 1).pow(2).mean().backward()
        return [p.grad for p in critic.parameters()]
    assert_same(host(run()), to_cpu(on("numpy", run)), 1e-5)


# ---- layers ------------------------------------------------------------------------------------

LAYERS = {
    "linear": (lambda: nn.Linear(4, 3), (2, 4)),
    "conv2d": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 5, 5)),
    "conv_transpose2d": (lambda: nn.ConvTranspose2d(2, 3, 4, stride=2, padding=1), (2, 2, 3, 3)),
    "batchnorm1d": (lambda: nn.BatchNorm1d(4), (5, 4)),
    "batchnorm2d": (lambda: nn.BatchNorm2d(2), (3, 2, 2, 2)),
    "layer_instance_norm": (lambda: nn.Sequential(nn.LayerNorm(4), nn.InstanceNorm2d(2, affine=True)), (2, 2, 3, 4)),
    "activations": (lambda: nn.Sequential(nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(), nn.PReLU(), nn.GELU(), nn.SiLU(),
                                          nn.Softplus(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(1), nn.LogSoftmax(1)),
                    (3, 4)),
    "pool_upsample_pad": (lambda: nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(1), nn.AdaptiveAvgPool2d(2),
                                                nn.Upsample(scale_factor=2), nn.UpsamplingBilinear2d(scale_factor=2),
                                                nn.ReflectionPad2d(1), nn.ReplicationPad2d(1), nn.ZeroPad2d(1),
                                                nn.ConstantPad2d(1, 0.5)), (1, 2, 4, 4)),
    "dropout": (lambda: nn.Sequential(nn.Dropout(0.3), nn.Dropout2d(0.5)), (2, 4, 3, 3)),
    "maxout_flatten": (lambda: nn.Sequential(nn.Maxout(6, 4, 3), nn.Unflatten(1, (2, 2)), nn.Flatten()), (3, 6)),
    "virtual_batchnorm": (lambda: nn.VirtualBatchNorm(4, 5), (5, 4)),
}


def _run_layer(make, shape):
    layer = make()
    out = layer(tinygan.randn(*shape, requires_grad=True))
    (out * out.new_tensor(np.random.default_rng(2).standard_normal(out.shape))).sum().backward()
    layer.eval()
    with tinygan.no_grad():
        evaluated = layer(tinygan.randn(*shape))
    return [out, evaluated, layer.state_dict(), [p.grad for p in layer.parameters()]]


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_on_device_matches_numpy(gpu, name):
    make, shape = LAYERS[name]
    want = to_cpu(on("numpy", lambda: _run_layer(make, shape)))
    got = host(on("cupy", lambda: _run_layer(make, shape)))
    assert_same(got, want, 1e-5, name)


def test_embedding_layer_on_device(gpu):
    def run():
        emb = nn.Embedding(6, 3, padding_idx=0)
        out = emb(tinygan.tensor([[1, 0, 5], [5, 2, 1]]))
        out.sum().backward()
        return out, emb.weight.grad
    assert_same(host(run()), to_cpu(on("numpy", run)))


# ---- optimizers, gradient clipping -----------------------------------------------------------

OPTIMIZERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1),
    "sgd_momentum_nesterov_wd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
    "adam": lambda ps: optim.Adam(ps, lr=1e-2, betas=(0.5, 0.999)),
    "adam_wd": lambda ps: optim.Adam(ps, lr=1e-2, weight_decay=1e-2),
    "adamw": lambda ps: optim.AdamW(ps, lr=1e-2),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=1e-2),
    "rmsprop_momentum_centered": lambda ps: optim.RMSprop(ps, lr=1e-2, momentum=0.9, centered=True),
}


def _train(make_opt, steps=3):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = make_opt(model.parameters())
    x, y = tinygan.randn(8, 3), tinygan.randn(8, 1)
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        nn.utils.clip_grad_value_(model.parameters(), 0.5)
        opt.step()
    return model, opt


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_step_on_device(gpu, name):
    def run():
        model, opt = _train(OPTIMIZERS[name])
        state = opt.state_dict()["state"]
        return [model.state_dict(), {i: {k: v for k, v in s.items() if hasattr(v, "shape") and v.ndim}
                                     for i, s in state.items()}]
    assert_same(host(run()), to_cpu(on("numpy", run)), 1e-5, name)


def test_optimizer_state_survives_save_and_load_on_device(gpu, tmp_path):
    model, opt = _train(OPTIMIZERS["adam"])
    tinygan.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ckpt.npz")
    state = tinygan.load(tmp_path / "ckpt.npz")
    tinygan.manual_seed(0)
    model2, opt2 = _train(OPTIMIZERS["adam"], steps=0)
    model2.load_state_dict(state["model"])
    opt2.load_state_dict(state["opt"])
    assert all(p.is_cuda for p in model2.parameters())
    assert all(backend.is_cupy(v) for s in opt2.state_dict()["state"].values() for v in s.values()
               if hasattr(v, "shape") and v.ndim)
    assert_same(host(model2.state_dict()), host(model.state_dict()))


def test_spectral_norm_anomaly_mode_host_grads_and_data_loader_on_device(gpu):
    from tinygan.utils.data import DataLoader, TensorDataset

    def run():
        layer = nn.utils.spectral_norm(nn.Linear(3, 2))
        with tinygan.detect_anomaly():
            y = layer(tinygan.randn(4, 3, requires_grad=True))
            y.backward(np.ones(y.shape, dtype=np.float32))        # a host gradient for a device output
        loader = DataLoader(TensorDataset(tinygan.randn(6, 2), tinygan.arange(6)), batch_size=4, shuffle=True)
        batches = [b for batch in loader for b in batch]
        return [y, layer.weight_orig.grad, *batches]
    got, want = host(run()), to_cpu(on("numpy", run))
    assert_same(got, want, 1e-5)


# ---- devices and checkpoints ---------------------------------------------------------------------

def test_to_cuda_and_cpu_carry_values_and_gradients(gpu):
    backend._active = "numpy"
    x = tinygan.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    d = x.to("cuda")
    assert d.is_cuda and str(d.device) == "cuda:0" and d.device == "cuda"
    back = (d * d).sum().cpu()
    assert back.backend == "numpy" and not back.is_cuda
    back.backward()
    assert x.grad.backend == "numpy"
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy())
    assert x.cuda().is_cuda and x.cuda().cpu().backend == "numpy"
    assert d.to("cuda") is d and x.to("cpu") is x
    model = nn.Linear(2, 3).to("cuda")
    assert all(p.is_cuda for p in model.parameters())
    np.testing.assert_allclose(model(d).cpu().numpy(), model.cpu()(x).numpy(), rtol=1e-6)
    assert tinygan.cuda.is_available() and tinygan.cuda.device_count() == 1
    tinygan.cuda.synchronize()
    tinygan.cuda.empty_cache()


def test_tensor_conveniences_on_device(gpu):
    t = tinygan.tensor([[1.5, -2.0], [0.25, 4.0]])
    assert t.is_cuda and t.numpy().tolist() == [[1.5, -2.0], [0.25, 4.0]]
    assert t.sum().item() == 3.75 and float(t[0, 0]) == 1.5 and t.tolist()[1] == [0.25, 4.0]
    assert "tensor(" in repr(t) and f"{t.sum():.2f}" == "3.75" and bool(t[0, 0] > 1)
    assert t.argmax().item() == 3 and t.argmin(dim=1).tolist() == [1, 0]
    assert t.long().dtype == np.int64 and t.all().item() and (t > 0).any().item()
    i = tinygan.tensor(1)
    assert t[i].tolist() == [0.25, 4.0] and [0, 1, 2][i] == 1
    for made in (tinygan.zeros(2), tinygan.ones_like(t), tinygan.randn_like(t), tinygan.arange(3), tinygan.eye(2),
                 tinygan.full((2,), 3.0), tinygan.linspace(0, 1, 3), tinygan.randint(0, 3, (2,)), tinygan.randperm(3),
                 t.new_zeros(2), t.new_tensor([1.0]), t.clone(), tinygan.as_tensor(np.ones(2))):
        assert made.is_cuda, made
    assert tinygan.allclose(t, t.clone()) and tinygan.isfinite(t).all().item()


def test_save_and_load_state_dict_of_device_tensors(gpu, tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 1))
    model(tinygan.randn(2, 1, 3, 3))                    # running statistics move off their start
    state = model.state_dict()
    assert all(backend.is_cupy(v.array if isinstance(v, tinygan.Tensor) else v) for v in state.values()
               if hasattr(v, "shape"))
    buffer = io.BytesIO()
    tinygan.save({"model": state, "step": 3, "rng": tinygan.get_rng_state()}, buffer)
    tinygan.save(state, tmp_path / "model.npz")
    buffer.seek(0)
    loaded = tinygan.load(buffer)
    assert loaded["step"] == 3
    fresh = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 1))
    fresh.load_state_dict(tinygan.load(tmp_path / "model.npz", map_location="cuda"))
    assert all(p.is_cuda for p in fresh.parameters())
    assert_same(host(fresh.state_dict()), host(state))
    assert_same(loaded["model"], host(state))          # load gives NumPy arrays, on any machine


# ---- a GAN step and a VAE step -----------------------------------------------------------------

GAN_CONFIGS = {
    "mlp_ns": dict(data="ring", loss="ns", batch=8, width=8, steps=4),
    "mlp_wgan_gp_pack": dict(data="ring", loss="wgan-gp", pack=2, batch=4, width=8, steps=4),
    "mlp_wgan_unrolled": dict(data="ring", loss="ns", unrolled=1, batch=4, width=8, steps=4, instance_noise=0.1),
    "dcgan": dict(data="shapes", model="dcgan", batch=2, width=4, nz=4, steps=4),
    "mmd": dict(data="ring", loss="mmd", batch=8, width=8, steps=4),
    "sinkhorn": dict(data="ring", loss="sinkhorn", batch=8, width=8, steps=4),
}


@pytest.mark.parametrize("name", sorted(GAN_CONFIGS))
def test_gan_train_step_on_device(gpu, name):
    from tinygan.gan import train as gan_train

    def run():
        r = gan_train.Run(gan_train.Config(**GAN_CONFIGS[name]))
        losses = r.train_step()
        return [losses, r.g.state_dict(), r.sample(3)]
    got, want = on("cupy", run), on("numpy", run)
    assert all(p.is_cuda for p in gan_train.Run(gan_train.Config(**GAN_CONFIGS[name])).g.parameters())
    assert isinstance(got[2], np.ndarray)                       # samples come back to the host
    assert_same([got[0], host(got[1]), got[2]], to_cpu(want), 1e-4, name)


def test_wgan_weight_clipping_on_device(gpu):
    from tinygan.gan import losses, train as gan_train
    r = gan_train.Run(gan_train.Config(data="ring", loss="wgan", batch=4, width=8, steps=4))
    r.train_step()
    losses.clip_weights(r.d, 0.01)
    assert all(p.is_cuda and float(p.abs().max()) <= 0.01 for p in r.d.parameters())


@pytest.mark.parametrize("model", ["vae", "dip-vae-1", "dip-vae-2"])
def test_vae_train_step_on_device(gpu, model):
    from tinygan.vae import train as vae_train

    def run():
        r = vae_train.Run(vae_train.Config(model=model, latents=2, batch=3, steps=2))
        return [r.train_step(), r.model.state_dict()]
    got, want = on("cupy", run), on("numpy", run)
    assert_same([got[0], host(got[1])], to_cpu(want), 1e-4, model)


def test_standin_is_gone_after_the_fixture():
    """The fixture put sys.modules, the backend and the kernel choices back."""
    from conftest import _START_BACKEND, _START_CHOICES
    assert {name: sys.modules.get(name) for name in strict_cupy.MODULES} == _BEFORE
    assert backend.get_backend() == _START_BACKEND and registry.choices() == _START_CHOICES
    assert tinygan.zeros(2).backend == _START_BACKEND
