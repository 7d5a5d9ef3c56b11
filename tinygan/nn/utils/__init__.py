"""tinygan.nn.utils — gradient clipping and spectral normalisation, in PyTorch's names."""
from tinygan.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_  # noqa: F401
from tinygan.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from tinygan.nn.utils import parametrizations  # noqa: F401
