"""The bench's baseline: a PyTorch DCGAN step, run as a plain PyTorch user runs it.

This file is started as a script (`python .../torch_worker.py DEVICE WORKLOAD`, WORKLOAD one of
dcgan32, dcgan64, vae64, mlp2d: the names of suites.WORKLOADS), never as
`python -m tinygan.benchmark.torch_worker`: that would import the tinygan package first, whose
`_runtime` set OMP_WAIT_POLICY=PASSIVE (now GOMP_SPINCOUNT) before torch loads, and PyTorch's OpenMP threads would
then sleep between ops (measured: a 60-69 ms step became 77-83 ms). So it imports nothing from
tinygan, and the bench starts it with the environment the user had before tinygan touched it
(`worker_environment` in tinygan/benchmark/__init__.py). The network is the one of
tinygan/gan/models.py and tinygan/vae/models.py, rebuilt here by hand: `python torch_worker.py
--layers WORKLOAD` prints the layers' types, parameter shapes and output shapes, which
tests/test_bench.py compares with tinygan's layer for layer, so the two cannot drift apart.

Protocol: the first line out is JSON {"torch", "threads", "tinygan_imported", "env"}; then each
line "N" in gets one line out: the JSON list of N back-to-back step times in seconds.
"""
import json
import os
import sys
import time

DCGAN_WIDTH = {32: 32, 64: 64}   # as tinygan/benchmark/suites.py

WATCHED_ENV = ("OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE",
               "OPENBLAS_L2_SIZE", "MKL_NUM_THREADS", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def dcgan(torch, image_size=32, nz=64, width=32, channels=1):
    """DCGAN G and D in PyTorch, as tinygan.gan.DCGANGenerator / DCGANDiscriminator build them."""
    nn = torch.nn
    ups = {32: 3, 64: 4}[image_size]
    wide = width * 2 ** (ups - 1)
    g_layers = [nn.ConvTranspose2d(nz, wide, 4, 1, 0, bias=False), nn.BatchNorm2d(wide), nn.ReLU()]
    d_layers = [nn.Conv2d(channels, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]
    g_width, d_width = wide, width
    for _ in range(ups - 1):
        g_layers += [nn.ConvTranspose2d(g_width, g_width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(g_width // 2),
                     nn.ReLU()]
        d_layers += [nn.Conv2d(d_width, d_width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(d_width * 2),
                     nn.LeakyReLU(0.2)]
        g_width, d_width = g_width // 2, d_width * 2
    g = nn.Sequential(*g_layers, nn.ConvTranspose2d(g_width, channels, 4, 2, 1, bias=False), nn.Tanh())
    d = nn.Sequential(*d_layers, nn.Conv2d(d_width, 1, 4, 1, 0, bias=False), nn.Flatten())
    return g, d


def vae(torch, size=64, latents=10):
    """Locatello et al.'s conv VAE as tinygan.vae.VAE(size, 1, latents) builds it: (encoder, decoder)."""
    nn, side = torch.nn, size // 16
    encoder = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(),
                            nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Conv2d(64, 64, 4, 2, 1), nn.ReLU(),
                            nn.Flatten(), nn.Linear(64 * side * side, 256), nn.ReLU(), nn.Linear(256, 2 * latents))
    decoder = nn.Sequential(nn.Linear(latents, 256), nn.ReLU(), nn.Linear(256, 64 * side * side), nn.ReLU(),
                            nn.Unflatten(1, (64, side, side)),
                            nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
                            nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1))
    return encoder, decoder


def mlp_gan(torch, hidden=64):
    """The 2-D GAN as tinygan.gan.MLPGenerator(2, hidden, 3, 2) / MLPDiscriminator(1, hidden, 2)."""
    nn = torch.nn
    g_layers, width = [], 2
    for _ in range(3):
        g_layers += [nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.ReLU()]
        width = hidden
    g = nn.Sequential(*g_layers, nn.Linear(hidden, 2))
    d = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                      nn.Linear(hidden, 1))
    return g, d


def networks(torch, workload, batch=2):
    """(name, network, input batch) of each network of the workload, as layer_shapes walks them."""
    if workload.startswith("dcgan"):
        size = int(workload[5:])
        g, d = dcgan(torch, size, 64, DCGAN_WIDTH[size])
        return [("g", g, torch.randn(batch, 64, 1, 1)), ("d", d, torch.rand(batch, 1, size, size))]
    if workload == "vae64":
        encoder, decoder = vae(torch)
        return [("enc", encoder, torch.rand(batch, 1, 64, 64)), ("dec", decoder, torch.randn(batch, 10))]
    g, d = mlp_gan(torch)
    return [("g", g, torch.randn(batch, 2)), ("d", d, torch.randn(batch, 2))]


def layer_shapes(torch, workload):
    """{network name: [[layer type, parameter shapes, output shape], ...]} from one forward pass."""
    out = {}
    for name, net, x in networks(torch, workload):
        out[name] = []
        with torch.no_grad():
            for layer in net:
                x = layer(x)
                out[name].append([type(layer).__name__, [list(p.shape) for p in layer.parameters()], list(x.shape)])
    return out


def gan_step(torch, g, d, nz, batch, real, lr, dev):
    """One GAN step as the bench times it: D on a real and a fake batch, then G (Adam, β₁ = 0.5)."""
    opt_g = torch.optim.Adam(g.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=lr, betas=(0.5, 0.999))
    ones, zeros = torch.ones(batch, 1, device=dev), torch.zeros(batch, 1, device=dev)
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def step():
        fake = g(torch.randn(batch, *nz, device=dev))
        loss_d = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(d(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return step


def vae_step(torch, dev, batch=64, size=64, latents=10):
    """One VAE step: BCE summed over pixels + KL, both averaged over the batch (Adam 1e-4)."""
    encoder, decoder = (m.to(dev) for m in vae(torch, size, latents))
    opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-4)
    x = (torch.rand(batch, 1, size, size, device=dev) > 0.5).float()

    def step():
        h = encoder(x)
        mu, logvar = h[:, :latents], h[:, latents:]
        std = torch.exp(0.5 * logvar)
        z = mu + std * torch.randn_like(std)
        kl = 0.5 * (mu * mu + std * std - logvar - 1).sum() / batch
        rec = torch.nn.functional.binary_cross_entropy_with_logits(decoder(z), x, reduction="sum") / batch
        loss = rec + kl
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def workload_step(torch, device, workload):
    """The training step of one workload and a sync function (the same step as suites.WORKLOADS)."""
    dev = "cuda" if device == "gpu" else "cpu"
    torch.manual_seed(0)
    if workload.startswith("dcgan"):
        size = int(workload[5:])
        g, d = (m.to(dev) for m in dcgan(torch, size, 64, DCGAN_WIDTH[size]))
        step = gan_step(torch, g, d, (64, 1, 1), 64, torch.rand(64, 1, size, size, device=dev) * 2 - 1, 2e-4, dev)
    elif workload == "vae64":
        step = vae_step(torch, dev)
    else:
        g, d = (m.to(dev) for m in mlp_gan(torch))
        step = gan_step(torch, g, d, (2,), 256, torch.randn(256, 2, device=dev), 1e-3, dev)
    return step, (torch.cuda.synchronize if dev == "cuda" else None)


def serve(step, sync, info):
    """The worker protocol: print info as one JSON line, then for each line "N" read, N back-to-back
    step times in seconds as one JSON line."""
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            start = time.perf_counter()
            step()
            if sync:
                sync()
            times.append(time.perf_counter() - start)
        print(json.dumps(times), flush=True)


def main():
    device, workload = sys.argv[1], sys.argv[2]
    try:
        import torch
    except ImportError:
        print("null", flush=True)
        return
    if device == "--layers":
        print(json.dumps(layer_shapes(torch, workload)), flush=True)
        return
    if device == "gpu" and not torch.cuda.is_available():
        print("null", flush=True)
        return
    step, sync = workload_step(torch, device, workload)
    serve(step, sync, {"torch": torch.__version__, "threads": torch.get_num_threads(),
                       "tinygan_imported": any(m == "tinygan" or m.startswith("tinygan.") for m in sys.modules),
                       "env": {k: os.environ[k] for k in WATCHED_ENV if k in os.environ}})


if __name__ == "__main__":
    main()
