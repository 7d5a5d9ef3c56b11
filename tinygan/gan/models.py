"""DCGAN (Radford, Metz & Chintala 2016): transposed-conv generator, strided-conv discriminator,
BatchNorm everywhere except the generator's output and the discriminator's input layer,
ReLU / LeakyReLU(0.2), tanh output, weights N(0, 0.02). Image sizes 32 and 64."""
from tinygan import nn
from tinygan.creation import randn
from tinygan.ops import concatenate as cat

_SIZES = {32: 3, 64: 4}   # image size -> number of stride-2 (un)convolutions after the 4×4 stage


def _check_size(image_size):
    if image_size not in _SIZES:
        raise ValueError(f"DCGAN: image_size must be one of {sorted(_SIZES)}, got {image_size}")
    return _SIZES[image_size]


class DCGANGenerator(nn.Module):
    """z (N, nz) -> images (N, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, nz=100, ngf=64, channels=1, image_size=32):
        ups = _check_size(image_size)
        width = ngf * 2 ** (ups - 1)
        layers = [nn.ConvTranspose2d(nz, width, 4, 1, 0, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        for _ in range(ups - 1):
            layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU()]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.nz = nz
        self.net = nn.Sequential(*layers)
        self.apply(nn.init.dcgan_init_)

    def forward(self, z):
        return self.net(z.reshape(z.shape[0], self.nz, 1, 1))


class DCGANDiscriminator(nn.Module):
    """images -> one logit per image, shape (N, 1)."""

    def __init__(self, ndf=64, channels=1, image_size=32):
        downs = _check_size(image_size)
        layers = [nn.Conv2d(channels, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]
        width = ndf
        for _ in range(downs - 1):
            layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2), nn.LeakyReLU(0.2)]
            width *= 2
        layers += [nn.Conv2d(width, 1, 4, 1, 0, bias=False), nn.Flatten()]
        self.net = nn.Sequential(*layers)
        self.apply(nn.init.dcgan_init_)

    def forward(self, x):
        return self.net(x)


class MLPGenerator(nn.Module):
    """z (N, nz) -> points (N, 2): ReLU MLP with BatchNorm, as in the 2-D experiments of VEEGAN/PacGAN.

    norm="vbn" uses VirtualBatchNorm (Salimans et al. 2016) instead: a fixed reference batch of
    latent codes (a buffer, saved with the model) goes in front of every batch, so each sample is
    normalised by the reference statistics and no longer depends on the rest of its batch.
    """

    def __init__(self, nz=2, hidden=128, layers=3, out=2, norm="bn", reference_size=100):
        if norm not in ("bn", "vbn"):
            raise ValueError(f"MLPGenerator: norm must be 'bn' or 'vbn', got {norm!r}")
        dims = [nz] + [hidden] * layers
        body = []
        for a, b in zip(dims, dims[1:]):
            normalise = nn.BatchNorm1d(b) if norm == "bn" else nn.VirtualBatchNorm(b, reference_size)
            body += [nn.Linear(a, b), normalise, nn.ReLU()]
        self.nz, self.norm = nz, norm
        self.net = nn.Sequential(*body, nn.Linear(hidden, out))
        if norm == "vbn":
            self.register_buffer("z_reference", randn(reference_size, nz))

    def forward(self, z):
        if self.norm == "bn":
            return self.net(z)
        n = self.z_reference.shape[0]
        return self.net(cat([self.z_reference, z], axis=0))[n:]


class MLPDiscriminator(nn.Module):
    """m packed points (N, 2m) -> one logit (N, 1). pack = m > 1 is PacGAN (Lin et al. 2018): D judges
    m samples of the same kind jointly, which penalises a generator that drops modes."""

    def __init__(self, pack=1, hidden=128, layers=2, dim=2):
        dims = [dim * pack] + [hidden] * layers
        body = []
        for a, b in zip(dims, dims[1:]):
            body += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
        self.pack, self.dim = pack, dim
        self.net = nn.Sequential(*body, nn.Linear(hidden, 1))

    def features(self, x):
        """The last hidden layer's activations for packed x (what feature matching compares)."""
        if x.shape[0] % self.pack:
            raise ValueError(f"MLPDiscriminator: batch of {x.shape[0]} points is not a multiple of pack={self.pack}")
        h = x.reshape(x.shape[0] // self.pack, self.dim * self.pack)
        for layer in list(self.net)[:-1]:
            h = layer(h)
        return h

    def forward(self, x):
        """x: (N·m, dim) points; consecutive groups of m are packed into one input."""
        return list(self.net)[-1](self.features(x))
