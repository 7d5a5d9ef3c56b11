"""Numba CPU Adam: one parallel pass per parameter that reads p, g, m, v once and writes p, m, v
once; adam_reference's NumPy form makes ~10 passes with temporaries, on one thread. Same formula
and order of operations as the reference, every scalar rounded once to the parameter's dtype as
NumPy rounds a Python float meeting a float32 array (1 − β is computed in double first, as there),
no fastmath: the results equal the reference's. Index mapping: element e of the flattened arrays,
contiguous blocks per thread."""
import numpy as np
from numba import njit, prange

from tinygan.kernels import adam_reference
from tinygan.kernels.numba_threads import run


@njit(parallel=True, cache=True)
def _update(p, g, m, v, step_size, b1, one_minus_b1, b2, one_minus_b2, eps, bias2_sqrt):
    for e in prange(p.size):
        m[e] = m[e] * b1 + one_minus_b1 * g[e]
        v[e] = v[e] * b2 + one_minus_b2 * (g[e] * g[e])
        p[e] = p[e] - step_size * (m[e] / (np.sqrt(v[e]) / bias2_sqrt + eps))


def adam_update(p, g, m, v, step_size, b1, b2, eps, bias2_sqrt):
    if not (p.flags.c_contiguous and m.flags.c_contiguous and v.flags.c_contiguous):
        return adam_reference.adam_update(p, g, m, v, step_size, b1, b2, eps, bias2_sqrt)   # in place needs flat views
    t = p.dtype.type
    run(_update, p.size, p.reshape(-1), np.ascontiguousarray(g, dtype=p.dtype).reshape(-1), m.reshape(-1),
        v.reshape(-1), t(step_size), t(b1), t(1 - b1), t(b2), t(1 - b2), t(eps), t(bias2_sqrt))
