"""DCGAN (Radford, Metz & Chintala 2016): transposed-conv generator, strided-conv discriminator,
BatchNorm everywhere except the generator's output and the discriminator's input layer,
ReLU / LeakyReLU(0.2), tanh output, weights N(0, 0.02). Image sizes 32 and 64."""
from tinygan import nn

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
