"""GAN models, losses and training schemes."""
from tinygan.gan import losses  # noqa: F401
from tinygan.gan.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator  # noqa: F401
