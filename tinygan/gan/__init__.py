"""GAN models, losses and training schemes."""
from tinygan.gan.models import DCGANDiscriminator, DCGANGenerator  # noqa: F401
