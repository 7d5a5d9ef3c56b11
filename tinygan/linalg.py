"""tinygan.linalg: the norms of torch.linalg that GAN code uses (Lipschitz checks, penalties)."""
from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.ops import vector_norm as _vector_norm
from tinygan.tensor import Function, Tensor


def vector_norm(x, ord=2, dim=None, keepdim=False):
    """(Σ|x|^ord)^(1/ord) over dim (all elements by default); ord may be inf."""
    return _vector_norm(x, ord, dim, keepdim)


class SpectralNorm(Function):
    """σ_max(W), the largest singular value; dσ/dW = u₁ v₁ᵀ (its singular vectors), which holds
    where σ_max is a simple singular value."""
    def forward(self, w):
        u, s, vt = get_array_module(w).linalg.svd(w, full_matrices=False)
        self.top = u[:, :1] @ vt[:1, :]
        return s[0]
    def backward(self, gy): return gy * Tensor(self.top)


def matrix_norm(w, ord="fro"):
    """The Frobenius norm √(Σ w²) ('fro') or the spectral norm σ_max(w) (ord=2) of a matrix."""
    if w.ndim != 2:
        raise ShapeError(f"matrix_norm: expects a 2-d tensor, got shape {w.shape} (batched matrices are not supported)")
    if ord == "fro":
        return _vector_norm(w, 2)
    if ord == 2:
        return SpectralNorm()(w)
    raise ValueError(f"matrix_norm: ord must be 'fro' or 2, got {ord!r}")


def norm(x, ord=None, dim=None, keepdim=False):
    """torch.linalg.norm: the 2-norm of all elements by default; ord with a matrix as matrix_norm."""
    if ord is None or dim is not None or x.ndim == 1:
        return _vector_norm(x, 2 if ord is None else ord, dim, keepdim)
    return matrix_norm(x, ord)
