"""Input checks and the pairwise-distance op shared by tinygan.divergences and
tinygan.metrics.two_sample. Every error is one line naming the function and the values."""
import numpy as np

from tinygan.backend import get_array_module, to_numpy
from tinygan.errors import ShapeError
from tinygan.ops import concatenate as cat
from tinygan.tensor import Tensor


def as_float_array(name, what, values):
    """values (array-like or Tensor) as a float64 NumPy array without NaN or ±inf."""
    array = np.asarray(to_numpy(values.array) if isinstance(values, Tensor) else values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: {what} contains NaN or inf")
    return array


def probabilities(name, what, p, tol):
    """A probability array of any shape: finite, ≥ 0 and summing to 1 within tol."""
    p = as_float_array(name, what, p)
    if p.size == 0:
        raise ValueError(f"{name}: {what} is empty")
    if np.any(p < 0):
        raise ValueError(f"{name}: {what} has negative entries (min {p.min():.3g})")
    if abs(p.sum() - 1) > tol:
        raise ValueError(f"{name}: {what} sums to {p.sum():.10g}, not 1 (tol {tol:g})")
    return p


def weights(name, what, w, n, tol=None):
    """Nonnegative weights for n points (uniform if w is None); with tol they must sum to 1."""
    if w is None:
        return np.full(n, 1.0 / n)
    w = probabilities(name, what, w, tol) if tol is not None else as_float_array(name, what, w)
    if w.shape != (n,):
        raise ShapeError(f"{name}: {what} has shape {w.shape}, expected ({n},) — one weight per point")
    if np.any(w < 0) or not w.sum() > 0:
        raise ValueError(f"{name}: {what} must be nonnegative with a positive sum, "
                         f"got min {w.min():.3g}, sum {w.sum():.3g}")
    return w


def points(name, what, x, min_points=1):
    """A point cloud (n, d) — a 1-d input is n points on the line — as a Tensor (kept if it
    is one, so gradients reach it) and its float64 NumPy copy."""
    tensor = x if isinstance(x, Tensor) else None
    array = as_float_array(name, what, x)
    if array.ndim == 1:
        array = array[:, None]
        tensor = tensor.reshape(-1, 1) if tensor is not None else None
    if array.ndim != 2:
        raise ShapeError(f"{name}: {what} must be a point cloud of shape (n, d), got {array.shape}")
    if array.shape[0] < min_points:
        raise ValueError(f"{name}: {what} has {array.shape[0]} points, needs at least {min_points}")
    if tensor is None:
        tensor = Tensor(array)
    return tensor, array


def point_pair(name, x, y, min_points=1):
    """Both clouds checked, of one dimension: (x Tensor, y Tensor, x array, y array). A cloud
    given as an array becomes a Tensor of the other one's dtype, so float32 tensors still mix."""
    (tx, ax), (ty, ay) = points(name, "x", x, min_points), points(name, "y", y, min_points)
    if ax.shape[1] != ay.shape[1]:
        raise ShapeError(f"{name}: x has {ax.shape[1]} columns, y has {ay.shape[1]}")
    if isinstance(x, Tensor) and not isinstance(y, Tensor):
        ty = like(ay, tx)
    elif isinstance(y, Tensor) and not isinstance(x, Tensor):
        tx = like(ax, ty)
    return tx, ty, ax, ay


def positive(name, what, value):
    number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not (number and np.isfinite(value) and value > 0):
        shown = value if number else repr(value)
        raise ValueError(f"{name}: {what} must be a positive finite number, got {shown}")
    return float(value)


def sq_dists(x, y, scale=1.0):
    """scale · ‖x_i − y_j‖² as a Tensor (n, m), from ONE matrix product of augmented points:
    [x, ‖x‖², 1] · [−2y, 1, ‖y‖²]ᵀ = ‖x‖² + ‖y‖² − 2 x·y — no (n, m, d) difference array and
    no extra passes over the (n, m) result. Rounding can leave entries ~1e-16 below 0."""
    ones_x = like(np.ones((x.shape[0], 1)), x)
    ones_y = like(np.ones((y.shape[0], 1)), y)
    left = cat([x, (x * x).sum(axis=1, keepdims=True), ones_x], axis=1)
    right = cat([-2 * y, ones_y, (y * y).sum(axis=1, keepdims=True)], axis=1)
    return left @ (right * scale).T


def like(values, tensor):
    """A constant array (NumPy) as a Tensor on tensor's backend and dtype, outside the graph."""
    return Tensor(get_array_module(tensor.array).asarray(values, dtype=tensor.dtype))
