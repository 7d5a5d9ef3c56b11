"""Numba-CUDA fused BatchNorm (training mode); formulas in batchnorm_reference.
Index mapping: one block per channel c; its threads stride over the channel's N·H·W values
(element e -> x[e // HW, c, e % HW]) and combine their sums with a shared-memory tree reduction.
Forward: pass 1 the mean, pass 2 the variance (exact, no E[x²]−E[x]² cancellation), pass 3 y.
Backward: pass 1 Σgy and Σgy·x̂, pass 2 dx. Sums in float64.
"""
import math

from numba import cuda, float64

from tinygan.kernels import cuda_arrays as ca
from tinygan.kernels.cuda_reduce import THREADS, block_total

@cuda.jit
def _forward(x3, gamma, beta, eps, y3, mean, invstd):
    shared = cuda.shared.array(THREADS, float64)
    c, tid = cuda.blockIdx.x, cuda.threadIdx.x
    n, hw = x3.shape[0], x3.shape[2]
    m = n * hw
    s = 0.0
    for e in range(tid, m, THREADS):
        s += x3[e // hw, c, e % hw]
    mu = block_total(s, shared) / m
    ss = 0.0
    for e in range(tid, m, THREADS):
        d = x3[e // hw, c, e % hw] - mu
        ss += d * d
    inv = 1.0 / math.sqrt(block_total(ss, shared) / m + eps)
    scale, shift = gamma[c] * inv, beta[c] - gamma[c] * inv * mu
    for e in range(tid, m, THREADS):
        y3[e // hw, c, e % hw] = x3[e // hw, c, e % hw] * scale + shift
    if tid == 0:
        mean[c], invstd[c] = mu, inv


@cuda.jit
def _backward(gy3, x3, gamma, mean, invstd, dx3, dgamma, dbeta):
    shared = cuda.shared.array(THREADS, float64)
    c, tid = cuda.blockIdx.x, cuda.threadIdx.x
    n, hw = x3.shape[0], x3.shape[2]
    m = n * hw
    mu, inv = mean[c], invstd[c]
    sg, sgx = 0.0, 0.0
    for e in range(tid, m, THREADS):
        g = gy3[e // hw, c, e % hw]
        sg += g
        sgx += g * (x3[e // hw, c, e % hw] - mu) * inv
    sg = block_total(sg, shared)
    sgx = block_total(sgx, shared)
    scale = gamma[c] * inv
    for e in range(tid, m, THREADS):
        xhat = (x3[e // hw, c, e % hw] - mu) * inv
        dx3[e // hw, c, e % hw] = scale * (gy3[e // hw, c, e % hw] - sg / m - xhat * sgx / m)
    if tid == 0:
        dgamma[c], dbeta[c] = sgx, sg


def _as3(a):
    return a.reshape(a.shape[0], a.shape[1], -1)


def batch_norm_forward(x, gamma, beta, eps):
    c = x.shape[1]
    y = ca.empty(_as3(x).shape, x.dtype, x)
    mean, invstd = ca.empty(c, x.dtype, x), ca.empty(c, x.dtype, x)
    _forward[c, THREADS](ca.to_device(_as3(x)), ca.to_device(gamma), ca.to_device(beta), eps, y, mean, invstd)
    return ca.result(y, x).reshape(x.shape), ca.result(mean, x), ca.result(invstd, x)


def batch_norm_backward(gy, x, gamma, mean, invstd):
    c = x.shape[1]
    dx = ca.empty(_as3(x).shape, x.dtype, x)
    dgamma, dbeta = ca.empty(c, x.dtype, x), ca.empty(c, x.dtype, x)
    _backward[c, THREADS](ca.to_device(_as3(gy)), ca.to_device(_as3(x)), ca.to_device(gamma), ca.to_device(mean),
                          ca.to_device(invstd), dx, dgamma, dbeta)
    return ca.result(dx, x).reshape(x.shape), ca.result(dgamma, x), ca.result(dbeta, x)
