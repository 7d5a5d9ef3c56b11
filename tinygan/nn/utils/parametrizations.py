"""torch.nn.utils.parametrizations.spectral_norm, PyTorch's newer spelling, is the same layer here.

One difference: the stored names are tinygan.nn.utils.spectral_norm's (`weight_orig`, `weight_u`,
`weight_v`, those of torch's older API), not `parametrizations.weight.original`, so a state_dict
saved by torch's parametrized module needs its keys renamed."""
from tinygan.nn.utils.spectral_norm import spectral_norm  # noqa: F401
