"""Evaluation metrics: toy2d (PacGAN's mode coverage on the 2-D data), images (a judge classifier's
Fréchet distance and class histogram), two_sample (MMD, C2ST), disentanglement (Locatello et al.'s
six metrics).

A subpackage is imported when first used (`from tinygan.metrics import disentanglement`, or the
attribute `tinygan.metrics.disentanglement`), not here: disentanglement needs scikit-learn, whose
import (~0.8 s) a 2-D GAN run never needs.
"""
import importlib

_SUBMODULES = ("disentanglement", "images", "toy2d", "two_sample")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"tinygan.metrics.{name}")
    raise AttributeError(f"module 'tinygan.metrics' has no attribute {name!r}")
