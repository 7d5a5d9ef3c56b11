"""Evaluation metrics: toy2d (PacGAN's mode coverage on the 2-D data), images (a judge classifier's
Fréchet distance and class histogram), disentanglement (Locatello et al.'s six metrics).

The subpackages are imported where they are used (`from tinygan.metrics import disentanglement`),
not here: disentanglement needs scikit-learn, whose import (~0.8 s) a 2-D GAN run never needs.
"""
