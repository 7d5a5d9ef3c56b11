"""tinygan.data.DataLoader is tinygan.utils.data.DataLoader (one implementation, kept here under
its original import path)."""
from tinygan.utils.data import DataLoader  # noqa: F401
