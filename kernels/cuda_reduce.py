"""Block-wide sum for Numba-CUDA kernels: every thread contributes a value, a shared-memory tree
halves the active threads each round (log2 THREADS rounds), every thread gets the total."""
from numba import cuda

THREADS = 128   # threads per block in every kernel that uses block_total (a power of two)


@cuda.jit(device=True, inline=True)
def block_total(value, shared):
    """shared: a cuda.shared.array(THREADS, float64) the caller allocated."""
    tid = cuda.threadIdx.x
    cuda.syncthreads()                     # the previous use of `shared` is over
    shared[tid] = value
    cuda.syncthreads()
    step = THREADS // 2
    while step > 0:
        if tid < step:
            shared[tid] += shared[tid + step]
        cuda.syncthreads()
        step //= 2
    return shared[0]
