"""What the bench times: each hot kernel in every implementation, every conv layer of the
benchmarked networks, and one training step of each WORKLOADS entry (the same step in PyTorch
is in torch_worker.py, built by hand so that file never imports tinygan)."""
import numpy as np

from tinygan.kernels import registry
from tinygan.kernels.conv_reference import out_hw

CONV = dict(n=64, c=64, h=16, w=16, o=128, k=4, stride=2, pad=1)   # the reference layer
LOSS_ELEMENTS = 4 * 2 ** 20
BN_SHAPE = (64, 128, 16, 16)   # a DCGAN block's feature map: 8 MB, which fits in this machine's L3
BIG_SHAPE = (64, 128, 32, 32)  # 32 MB per array: out of cache, so "% of copy bandwidth" compares like with like
MATMUL = (4096, 1024, 256)   # (m, k, n): a 1024 -> 256 Linear layer on 4096 rows
MAXOUT = (4096, 200, 5)      # (rows, units, pieces)
ADAM_PARAMETERS = 4 * 2 ** 20


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
    shape = BN_SHAPE if quick else BIG_SHAPE
    act = f32(*shape)
    act_y, act_label = xp.tanh(act), "x".join(map(str, shape))
    for op, args, reads in (("leaky_relu_forward", (act, 0.2), 1), ("leaky_relu_backward", (act_y, act, 0.2), 2),
                            ("sigmoid_forward", (act,), 1), ("sigmoid_backward", (act_y, act_y), 2),
                            ("tanh_forward", (act,), 1), ("tanh_backward", (act_y, act_y), 2)):
        cases.append((op, act_label, args, 4 * act.size, 4 * (reads + 1) * act.size))
    rows, units, pieces = MAXOUT                   # PacGAN's D layer (units x 5 pieces) on more rows
    h = f32(rows, units * pieces)
    winner = registry.get("maxout_forward", "reference").load()(h, pieces)[1]
    maxout_bytes = 4 * rows * units * (pieces + 1) + 8 * rows * units             # h or gh, y or gy, winner
    cases.append(("maxout_forward", f"{rows}x{units * pieces}, {pieces} pieces", (h, pieces), rows * units * pieces,
                  maxout_bytes))
    cases.append(("maxout_backward", f"{rows}x{units}, {pieces} pieces", (f32(rows, units), winner, pieces), 0,
                  maxout_bytes))
    n_params = ADAM_PARAMETERS // (4 if quick else 1)
    adam_args = (f32(n_params), f32(n_params), f32(n_params), xp.abs(f32(n_params)), 1e-3, 0.9, 0.999, 1e-8, 0.03)
    cases.append(("adam_update", f"{n_params / 2 ** 20:g}M parameters", adam_args, 10 * n_params,
                  4 * 7 * n_params))                                              # read p, g, m, v; write p, m, v
    m, k, o = MATMUL
    cases.append(("matmul", f"{m}x{k} @ {k}x{o}", (f32(m, k), f32(k, o)), 2 * m * k * o, 4 * (m * k + k * o + m * o)))
    xb = act
    gamma, beta = xp.ones(shape[1], dtype=np.float32), xp.zeros(shape[1], dtype=np.float32)
    ref = registry.get("batch_norm_forward", "reference").load()
    _, mean, invstd = ref(xb, gamma, beta, 1e-5)
    bn_label = act_label
    cases.append(("batch_norm_forward", bn_label, (xb, gamma, beta, 1e-5), 8 * xb.size, 4 * 2 * xb.size))
    cases.append(("batch_norm_backward", bn_label, (f32(*shape), xb, gamma, mean, invstd), 12 * xb.size,
                  4 * 3 * xb.size))
    y, bias = f32(*shape), f32(shape[1])      # its own y: conv_bias_add changes it in place
    cases.append(("conv_bias_add", act_label, (y, bias), y.size, 4 * 2 * y.size))      # read and write y
    cases.append(("conv_bias_grad", act_label, (y,), y.size, 4 * y.size))
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


def gan_step(g, d, nz, batch, real, lr):
    """One GAN step as the bench times it: D on a real and a fake batch, then G (Adam, β₁ = 0.5),
    non-saturating BCE losses; returned as a closure."""
    import tinygan
    import tinygan.nn.functional as F
    from tinygan import optim
    opt_g = optim.Adam(g.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = optim.Adam(d.parameters(), lr=lr, betas=(0.5, 0.999))
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


def tinygan_dcgan_step(image_size=32, batch=64, nz=64, width=32):
    """One DCGAN training step (Adam 2e-4) on a fixed batch of uniform images in [-1, 1]."""
    import tinygan
    from tinygan.gan import DCGANDiscriminator, DCGANGenerator
    tinygan.manual_seed(0)
    g, d = DCGANGenerator(nz, width, 1, image_size), DCGANDiscriminator(width, 1, image_size)
    return gan_step(g, d, nz, batch, tinygan.rand(batch, 1, image_size, image_size) * 2 - 1, 2e-4)


def tinygan_vae_step(batch=64, size=64, latents=10):
    """One step of Locatello et al.'s conv VAE (tinygan.vae.VAE, 64×64×1, batch 64, Adam 1e-4):
    BCE reconstruction summed over pixels and KL, both averaged over the batch."""
    import tinygan
    from tinygan import optim
    from tinygan.vae.losses import vae_loss
    from tinygan.vae.models import VAE
    tinygan.manual_seed(0)
    model = VAE(size, 1, latents)
    opt = optim.Adam(model.parameters(), lr=1e-4)
    x = (tinygan.rand(batch, 1, size, size) > 0.5).float()

    def step():
        logits, mu, logvar, kl = model(x)
        loss = vae_loss(logits, x, mu, logvar, kl=kl)["total"]
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def tinygan_mlp_gan_step(batch=256, hidden=64):
    """One step of the 2-D GAN (MLPGenerator with BatchNorm, 3 × 64 units; MLPDiscriminator
    2 × 64 LeakyReLU units; Adam 1e-3): the regime bound by per-op overhead."""
    import tinygan
    from tinygan.gan import MLPDiscriminator, MLPGenerator
    tinygan.manual_seed(0)
    g, d = MLPGenerator(2, hidden, 3, 2), MLPDiscriminator(1, hidden, 2)
    return gan_step(g, d, 2, batch, tinygan.randn(batch, 2), 1e-3)


DCGAN_WIDTH = {32: 32, 64: 64}   # ngf = ndf per image size (torch_worker.py: the same table)
# name -> (label, tinygan step factory); torch_worker.py builds the same names
WORKLOADS = {
    "dcgan32": ("DCGAN 32x32 (ngf = ndf = 32)", lambda: tinygan_dcgan_step(image_size=32, width=DCGAN_WIDTH[32])),
    "dcgan64": ("DCGAN 64x64 (ngf = ndf = 64)", lambda: tinygan_dcgan_step(image_size=64, width=DCGAN_WIDTH[64])),
    "vae64": ("Locatello conv VAE 64x64", tinygan_vae_step),
    "mlp2d": ("2-D GAN, 64-unit MLPs, batch 256", tinygan_mlp_gan_step),
}


def networks(workload, batch=64):
    """The workload's tinygan networks as (name, list of layers, an input batch), for layer-by-layer
    walks: conv_layers below, and tests/test_bench.py's comparison with torch_worker.networks."""
    import tinygan
    from tinygan.gan import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
    from tinygan.vae.models import VAE
    if workload.startswith("dcgan"):
        size = int(workload[5:])
        g, d = DCGANGenerator(64, DCGAN_WIDTH[size], 1, size), DCGANDiscriminator(DCGAN_WIDTH[size], 1, size)
        return [("g", list(g.net), tinygan.randn(batch, 64, 1, 1)),
                ("d", list(d.body) + list(d.head), tinygan.rand(batch, 1, size, size))]
    if workload == "vae64":
        vae = VAE(64, 1, 10)
        return [("enc", list(vae.encoder), tinygan.rand(batch, 1, 64, 64)),
                ("dec", list(vae.decoder), tinygan.randn(batch, 10))]
    g, d = MLPGenerator(2, 64, 3, 2), MLPDiscriminator(1, 64, 2)
    return [("g", list(g.net), tinygan.randn(batch, 2)), ("d", list(d.net), tinygan.randn(batch, 2))]


def conv_layers(workload):
    """(layer label, x shape, w shape, stride, padding, transposed, y shape) of every conv layer in
    the workload's networks, in order, found by running them once layer by layer."""
    import tinygan
    from tinygan import nn
    out = []
    for net, layers, x in networks(workload):
        with tinygan.no_grad():
            for k, layer in enumerate(layers):
                y = layer(x)
                if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
                    out.append((f"{workload} {net}{k}", tuple(x.shape), tuple(layer.weight.shape), layer.stride,
                                layer.padding, isinstance(layer, nn.ConvTranspose2d), tuple(y.shape)))
                x = y
    return out
