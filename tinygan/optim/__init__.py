"""tinygan.optim — optimisers with PyTorch's update rules, applied in place to Parameter.array
(no graph), and learning-rate schedulers (tinygan.optim.lr_scheduler)."""
from tinygan.optim.optimizer import Optimizer  # noqa: F401
from tinygan.optim.sgd import SGD  # noqa: F401
from tinygan.optim.adam import Adam, AdamW  # noqa: F401
from tinygan.optim.rmsprop import RMSprop  # noqa: F401
from tinygan.optim import lr_scheduler  # noqa: F401
