"""Inputs with infinities, NaNs and values whose exp overflows, for every fused loss kernel, and the
check that an implementation's outputs have the reference's inf/NaN pattern element by element
(and close values elsewhere). Shared by test_kernel_nonfinite.py and cuda_nonfinite.py."""
import numpy as np

from tinygan.kernels import losses_reference

# around float32's exp overflow (88.7228) and underflow (−87.3 to −103.9) and float64's (709.8)
SPECIAL = [0.0, 1.0, -1.0, 3.5, 80.0, 88.0, 88.5, 88.7228, 88.72283935546875, 88.7229, 89.0, 100.0, 177.0,
           200.0, 800.0, -87.5, -90.0, -100.0, -103.0, -104.0, -200.0, -800.0, 1e4, -1e4, np.inf, -np.inf, np.nan]


def cases(dtype, largest=np.inf):
    """(op, args) pairs; values above `largest` in magnitude are left out (the CUDA simulator runs
    kernels as Python, where math.exp raises OverflowError instead of returning inf)."""
    v = np.array([s for s in SPECIAL if not abs(s) > largest or not np.isfinite(s)], dtype)
    ones, half = np.ones_like(v), np.full_like(v, 0.5)
    return [("gaussian_kl", (ones, v)), ("gaussian_kl", (v, ones)),
            ("reparameterize_kl", (ones, v, half)), ("reparameterize_kl", (v, ones, half)),
            ("reparameterize_kl", (ones, ones, v)),
            ("bce_with_logits", (v, ones)), ("bce_with_logits", (v, np.zeros_like(v))),
            ("bce_with_logits", (v, half)), ("mse", (v, ones)), ("mse", (ones, v))]


def pattern(a):
    a = np.asarray(a, np.float64)
    return np.where(np.isnan(a), "nan", np.where(np.isposinf(a), "+inf", np.where(np.isneginf(a), "-inf", "")))


def check_like_reference(op, args, got, to_host=np.asarray):
    with np.errstate(all="ignore"):
        expected = getattr(losses_reference, op)(*[a.copy() for a in args])
    assert len(got) == len(expected), f"{op}: {len(got)} outputs, the reference has {len(expected)}"
    tol = 1e-9 if args[0].dtype == np.float64 else 2e-5
    atol = 1e-300 if args[0].dtype == np.float64 else 2e-44          # float32 subnormals: a few ulps
    for k, (e, g) in enumerate(zip(expected, got)):
        e, g = np.asarray(to_host(e), np.float64), np.asarray(to_host(g), np.float64)
        where = f"{op} output {k} for inputs {[list(a) for a in args]}"
        np.testing.assert_array_equal(pattern(g), pattern(e), err_msg=f"inf/nan pattern of {where}")
        finite = np.isfinite(e)
        np.testing.assert_allclose(g[finite], e[finite], rtol=tol, atol=atol, err_msg=where)
