"""Evaluation metrics."""
from tinygan.metrics import toy2d  # noqa: F401
