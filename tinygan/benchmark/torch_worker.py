"""The bench's baseline: a PyTorch DCGAN step, run as a plain PyTorch user runs it.

This file is started as a script (`python .../torch_worker.py DEVICE SIZE`), never as
`python -m tinygan.benchmark.torch_worker`: that would import the tinygan package first, whose
`_runtime` sets OMP_WAIT_POLICY=PASSIVE before torch loads, and PyTorch's OpenMP threads would
then sleep between ops (measured: a 60-69 ms step became 77-83 ms). So it imports nothing from
tinygan, and the bench starts it with the environment the user had before tinygan touched it
(`worker_environment` in tinygan/benchmark/__init__.py). The network is the one of
tinygan/gan/models.py, rebuilt here by hand: `python torch_worker.py --layers SIZE` prints its
layers' types, parameter shapes and output shapes, which tests/test_bench.py compares with
tinygan's DCGAN layer for layer, so the two cannot drift apart.

Protocol: the first line out is JSON {"torch", "threads", "tinygan_imported", "env"}; then each
line "N" in gets one line out: the JSON list of N back-to-back step times in seconds.
"""
import json
import os
import sys
import time

WATCHED_ENV = ("OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE",
               "OPENBLAS_L2_SIZE", "MKL_NUM_THREADS")


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


def layer_shapes(torch, image_size=32, nz=64, batch=2):
    """{"g": [...], "d": [...]}: [layer type, parameter shapes, output shape] for each layer of G and
    D, from one forward pass (G from z of shape (batch, nz, 1, 1), D from images)."""
    g, d = dcgan(torch, image_size, nz)
    out = {}
    for name, net, x in (("g", g, torch.randn(batch, nz, 1, 1)), ("d", d, torch.rand(batch, 1, image_size, image_size))):
        out[name] = []
        with torch.no_grad():
            for layer in net:
                x = layer(x)
                out[name].append([type(layer).__name__, [list(p.shape) for p in layer.parameters()], list(x.shape)])
    return out


def dcgan_step(torch, device, image_size=32, batch=64, nz=64):
    """One training step of DCGAN (D then G, Adam 2e-4, β₁ = 0.5) and a sync function."""
    dev = "cuda" if device == "gpu" else "cpu"
    torch.manual_seed(0)
    g, d = (m.to(dev) for m in dcgan(torch, image_size, nz))
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 1, image_size, image_size, device=dev) * 2 - 1
    ones, zeros = torch.ones(batch, 1, device=dev), torch.zeros(batch, 1, device=dev)
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def step():
        fake = g(torch.randn(batch, nz, 1, 1, device=dev))
        loss_d = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(d(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return step, (torch.cuda.synchronize if dev == "cuda" else None)


def main():
    device, size = sys.argv[1], int(sys.argv[2])
    try:
        import torch
    except ImportError:
        print("null", flush=True)
        return
    if device == "--layers":
        print(json.dumps(layer_shapes(torch, size)), flush=True)
        return
    if device == "gpu" and not torch.cuda.is_available():
        print("null", flush=True)
        return
    step, sync = dcgan_step(torch, device, size)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "tinygan_imported": any(m == "tinygan" or m.startswith("tinygan.") for m in sys.modules),
                      "env": {k: os.environ[k] for k in WATCHED_ENV if k in os.environ}}), flush=True)
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            start = time.perf_counter()
            step()
            if sync:
                sync()
            times.append(time.perf_counter() - start)
        print(json.dumps(times), flush=True)


if __name__ == "__main__":
    main()
