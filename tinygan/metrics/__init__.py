"""Evaluation metrics: toy2d (PacGAN's mode coverage), disentanglement (MIG, SAP so far)."""
from tinygan.metrics import disentanglement, toy2d  # noqa: F401
