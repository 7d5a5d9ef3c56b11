"""One exception type per kind of mistake; every message is one line naming the op and shapes."""


class ShapeError(ValueError):
    """Shapes that do not fit an op (matmul inner dims, conv channels, broadcasting)."""


class DTypeError(TypeError):
    """Mixing dtypes (float32 with float64) or an unsupported dtype for an op."""


class GraphError(RuntimeError):
    """Misuse of the autograd graph: backward through a freed graph, non-scalar backward."""


class BackendError(RuntimeError):
    """Unknown backend, or a backend (CuPy) that is not installed or has no GPU."""


class KernelError(RuntimeError):
    """Unknown op or kernel implementation, or one that cannot run on the active backend."""


class CheckpointError(ValueError):
    """A file that is not a tinygan checkpoint, or one that is corrupt."""


class AnomalyError(FloatingPointError):
    """Raised under tinygan.detect_anomaly() by the first op that produces NaN or Inf."""


def fmt_shapes(*arrays):
    """'(2, 3) float32 and (3,) float64' — the shapes and dtypes of an op's inputs."""
    return " and ".join(f"{tuple(a.shape)} {a.dtype}" for a in arrays)


class RunFolderError(ValueError):
    """A run folder that cannot be used: it holds another run, is locked, is not writable."""


class DivergenceError(FloatingPointError):
    """A training run whose loss or parameters became NaN or Inf."""


class TrainingInterrupted(KeyboardInterrupt):
    """SIGINT/SIGTERM during training: the current step finished and a checkpoint was written."""

    def __init__(self, message, signum):
        super().__init__(message)
        self.signum = signum
