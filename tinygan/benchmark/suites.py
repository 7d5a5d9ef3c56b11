"""What the bench times: each hot kernel in every implementation, and one DCGAN training step
per kernel set (and in PyTorch, when installed, on the same device)."""
import contextlib

import numpy as np

from tinygan.kernels import registry
from tinygan.kernels.conv_reference import out_hw

CONV = dict(n=64, c=64, h=16, w=16, o=128, k=4, stride=2, pad=1)   # the reference layer
LOSS_ELEMENTS = 4 * 2 ** 20
BN_SHAPE = (64, 128, 16, 16)


def kernel_cases(xp, quick):
    """(op, shape label, args, flops, bytes) for each hot op; bytes = compulsory traffic."""
    rng = np.random.default_rng(0)
    f32 = lambda *s: xp.asarray(rng.standard_normal(s), dtype=np.float32)  # noqa: E731
    p = CONV
    s, pd = (p["stride"],) * 2, (p["pad"],) * 2
    ho, wo = out_hw((p["h"], p["w"]), (p["k"], p["k"]), s, pd)
    x, w, gy = f32(p["n"], p["c"], p["h"], p["w"]), f32(p["o"], p["c"], p["k"], p["k"]), f32(p["n"], p["o"], ho, wo)
    flops = 2 * p["n"] * p["o"] * ho * wo * p["c"] * p["k"] ** 2
    conv_bytes = 4 * (x.size + w.size + gy.size)
    label = f"N{p['n']} C{p['c']} {p['h']}x{p['w']}->{p['o']} k{p['k']} s{p['stride']} p{p['pad']}"
    cases = [("conv2d_forward", label, (x, w, s, pd), flops, conv_bytes),
             ("conv2d_backward_data", label, (gy, w, s, pd, (p["h"], p["w"])), flops, conv_bytes),
             ("conv2d_backward_weight", label, (x, gy, s, pd, (p["k"], p["k"])), flops, conv_bytes)]
    n = LOSS_ELEMENTS // (4 if quick else 1)
    a, b = f32(n), xp.asarray(rng.uniform(0, 1, n), dtype=np.float32)
    for op, flops_per in (("bce_with_logits", 10), ("mse", 3), ("gaussian_kl", 6)):
        cases.append((op, f"{n / 2 ** 20:g}M elements", (a, b), flops_per * n, 4 * 3 * n))  # read 2, write 1
    logvar = xp.asarray(rng.uniform(-4, 1, n), dtype=np.float32)
    cases.append(("reparameterize_kl", f"{n / 2 ** 20:g}M elements", (a, logvar, f32(n)), 12 * n, 4 * 6 * n))  # read 3, write 3
    xb = f32(*BN_SHAPE)
    gamma, beta = xp.ones(BN_SHAPE[1], dtype=np.float32), xp.zeros(BN_SHAPE[1], dtype=np.float32)
    ref = registry.get("batch_norm_forward", "reference").load()
    _, mean, invstd = ref(xb, gamma, beta, 1e-5)
    bn_label = "x".join(map(str, BN_SHAPE))
    cases.append(("batch_norm_forward", bn_label, (xb, gamma, beta, 1e-5), 8 * xb.size, 4 * 2 * xb.size))
    cases.append(("batch_norm_backward", bn_label, (f32(*BN_SHAPE), xb, gamma, mean, invstd), 12 * xb.size,
                  4 * 3 * xb.size))
    return cases


def implementations(op, backend, quick):
    """Loadable implementations of op for the backend; the plain-loop reference conv only in full runs."""
    out = []
    for name in registry.implementations(op):
        impl = registry.get(op, name)
        if backend not in impl.backends or not impl.loadable():
            continue
        if quick and op.startswith("conv2d") and name == "reference":
            continue
        out.append(name)
    return out


KERNEL_SETS = {  # end-to-end runs: which implementation every op family uses
    "default": {},       # the registry's automatic choice (registration order: measured fastest on the CPU)
    "im2col": {"conv2d": "im2col", "batch_norm": "reference", "losses": "reference"},
}


@contextlib.contextmanager
def kernel_set(choice):
    with contextlib.ExitStack() as stack:
        for family, impl in choice.items():
            stack.enter_context(registry.use(family, impl))
        yield


def tinygan_dcgan_step(image_size=32, batch=64, nz=64, width=32):
    """One DCGAN training step (D on real and fake, then G), returned as a closure."""
    import tinygan
    import tinygan.nn.functional as F
    from tinygan import optim
    from tinygan.gan import DCGANDiscriminator, DCGANGenerator
    tinygan.manual_seed(0)
    g, d = DCGANGenerator(nz, width, 1, image_size), DCGANDiscriminator(width, 1, image_size)
    opt_g = optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = tinygan.rand(batch, 1, image_size, image_size) * 2 - 1
    ones, zeros = tinygan.ones(batch, 1), tinygan.zeros(batch, 1)

    def step():
        fake = g(tinygan.randn(batch, nz))
        loss_d = (F.binary_cross_entropy_with_logits(d(real), ones)
                  + F.binary_cross_entropy_with_logits(d(fake.detach()), zeros))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = F.binary_cross_entropy_with_logits(d(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return step
