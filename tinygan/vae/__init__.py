"""VAEs for disentanglement: objectives (so far); models and trainer to come."""
from tinygan.vae import losses  # noqa: F401
