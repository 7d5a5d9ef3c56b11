"""Offline datasets (procedural, or bundled with a dependency) and a minimal DataLoader."""
from tinygan.data.loader import DataLoader  # noqa: F401
from tinygan.data.digits import load_digits  # noqa: F401
