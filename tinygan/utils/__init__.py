"""tinygan.utils — helpers in torch.utils's names: tinygan.utils.data (Dataset, TensorDataset,
Subset, ConcatDataset, random_split, DataLoader, default_collate)."""
from tinygan.utils import data  # noqa: F401
