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
    """images (N·m, channels, H, W) -> one logit per group of m = pack images, shape (N, 1).

    batchnorm=False drops BatchNorm, as WGAN-GP needs: its penalty is on each input's own gradient,
    which batch statistics would mix across the batch (Gulrajani et al. 2017, §4)."""

    def __init__(self, ndf=64, channels=1, image_size=32, pack=1, batchnorm=True):
        downs = _check_size(image_size)
        layers = [nn.Conv2d(channels * pack, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]
        width = ndf
        for _ in range(downs - 1):
            norm = [nn.BatchNorm2d(width * 2)] if batchnorm else []
            layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=not batchnorm), *norm, nn.LeakyReLU(0.2)]
            width *= 2
        self.pack = pack
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Conv2d(width, 1, 4, 1, 0, bias=False), nn.Flatten())
        self.apply(nn.init.dcgan_init_)

    def features(self, x):
        """The last 4×4 feature maps, flattened (what feature matching compares)."""
        h = self.body(pack_samples(x, self.pack))
        return h.reshape(h.shape[0], -1)

    def forward(self, x):
        return self.head(self.body(pack_samples(x, self.pack)))


def pack_samples(x, pack):
    """PacGAN packing (Lin et al. 2018): (N·m, d, ...) -> (N, m·d, ...), each group of m consecutive
    samples joined along the feature (or channel) axis, so D judges m samples at once."""
    if pack == 1:
        return x
    if x.shape[0] % pack:
        raise ValueError(f"pack: a batch of {x.shape[0]} samples is not a multiple of pack={pack}")
    return x.reshape(x.shape[0] // pack, pack * x.shape[1], *x.shape[2:])


class MLPGenerator(nn.Module):
    """z (N, nz) -> points (N, 2): ReLU MLP with BatchNorm, as in the 2-D experiments of VEEGAN/PacGAN
    (norm="none": without, as WGAN-GP's toy experiments).

    norm="vbn" uses VirtualBatchNorm (Salimans et al. 2016) instead: a fixed reference batch of
    latent codes (a buffer, saved with the model) goes in front of every batch, so each sample is
    normalised by the reference statistics and no longer depends on the rest of its batch.
    """

    def __init__(self, nz=2, hidden=128, layers=3, out=2, norm="bn", reference_size=100):
        if norm not in ("bn", "vbn", "none"):
            raise ValueError(f"MLPGenerator: norm must be 'bn', 'vbn' or 'none', got {norm!r}")
        dims = [nz] + [hidden] * layers
        body = []
        for a, b in zip(dims, dims[1:]):
            normalise = {"bn": lambda: [nn.BatchNorm1d(b)], "vbn": lambda: [nn.VirtualBatchNorm(b, reference_size)],
                         "none": lambda: []}[norm]()
            body += [nn.Linear(a, b), *normalise, nn.ReLU()]
        self.nz, self.norm = nz, norm
        self.net = nn.Sequential(*body, nn.Linear(hidden, out))
        if norm == "vbn":
            self.register_buffer("z_reference", randn(reference_size, nz))

    def forward(self, z):
        if self.norm != "vbn":
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
        h = pack_samples(x, self.pack)
        for layer in list(self.net)[:-1]:
            h = layer(h)
        return h

    def forward(self, x):
        """x: (N·m, dim) points; consecutive groups of m are packed into one input."""
        return list(self.net)[-1](self.features(x))


# ---- PacGAN's own 2-D networks ------------------------------------------------------------------
# Lin, Khetan, Fanti & Oh 2018, "PacGAN: The power of two samples in generative adversarial networks"
# (NeurIPS), whose 2-D ring and grid experiments take VEEGAN's setup (Srivastava et al. 2017). The
# sizes below are those of the authors' released code, github.com/fjxmlzn/PacGAN,
# synthetic_data_experiments/2DGrid_GAN&PacGAN (config.py: gen_hidden_size 400, disc_hidden_size 200,
# disc_maxout_pieces 5, weights_init_std 0.02, biases 0; pacgan_task.py: the layers). The paper's own
# text could not be read from this machine; what follows is the code, not the paper's prose.
PACGAN_G_WIDTH, PACGAN_D_WIDTH, PACGAN_PIECES = 400, 200, 5


def pacgan_init_(module):
    """The released code's initialisation: every Linear and Maxout weight N(0, 0.02), biases 0
    (Blocks' IsotropicGaussian(0.02), Constant(0)); BatchNorm keeps γ = 1, β = 0."""
    if isinstance(module, (nn.Linear, nn.Maxout)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


class PacGANGenerator(nn.Module):
    """z (N, nz) -> points (N, 2): PacGAN's 2-D generator. Four hidden layers of 400 units, each
    Linear (no bias: the BatchNorm after it has its own shift) -> BatchNorm -> ReLU, then a Linear to
    the output with a bias. Weights N(0, 0.02). Source: PacGAN's released code (see above); the latent
    code there is 2-D N(0, I), as tinygan's 2-D default nz = 2."""

    def __init__(self, nz=2, hidden=PACGAN_G_WIDTH, layers=4, out=2):
        dims = [nz] + [hidden] * layers
        body = []
        for a, b in zip(dims, dims[1:]):
            body += [nn.Linear(a, b, bias=False), nn.BatchNorm1d(b), nn.ReLU()]
        self.nz = nz
        self.net = nn.Sequential(*body, nn.Linear(hidden, out))
        self.apply(pacgan_init_)

    def forward(self, z):
        return self.net(z)


class PacGANDiscriminator(MLPDiscriminator):
    """m packed points (N, 2m) -> one logit (N, 1): PacGAN's 2-D discriminator. Three maxout layers
    of 200 units with 5 pieces each (each a 1 000-output linear map followed by the max over each
    unit's 5 pieces), no normalisation, then Linear(200, 1). Weights N(0, 0.02), biases 0. Only the
    first layer's input grows with the packing degree m (2m inputs), as in the released code.
    Source: PacGAN's released code (see above); Maxout is Goodfellow et al. 2013. Packing,
    features and forward are MLPDiscriminator's; only the layers differ."""

    def __init__(self, pack=1, hidden=PACGAN_D_WIDTH, pieces=PACGAN_PIECES, layers=3, dim=2):
        dims = [dim * pack] + [hidden] * layers
        self.pack, self.dim, self.pieces = pack, dim, pieces
        self.net = nn.Sequential(*[nn.Maxout(a, b, pieces) for a, b in zip(dims, dims[1:])], nn.Linear(hidden, 1))
        self.apply(pacgan_init_)
