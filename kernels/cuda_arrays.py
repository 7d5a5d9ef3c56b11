"""Moving arrays to and from Numba-CUDA kernels. With CuPy arrays (the GPU backend) nothing is
copied: both libraries speak __cuda_array_interface__. With NumPy arrays (tests under
NUMBA_ENABLE_CUDASIM=1, Numba's CUDA simulator) the data goes to the device and back."""
import numpy as np

from tinygan.backend import is_cupy


def to_device(array):
    from numba import cuda
    return cuda.as_cuda_array(array) if is_cupy(array) else cuda.to_device(np.ascontiguousarray(array))


def empty(shape, dtype, like):
    from numba import cuda
    if is_cupy(like):
        import cupy
        return cuda.as_cuda_array(cupy.empty(shape, dtype=dtype))
    return cuda.device_array(shape, dtype=dtype)


def result(device_array, like):
    if is_cupy(like):
        import cupy
        return cupy.asarray(device_array)
    return device_array.copy_to_host()


def blocks(count, threads):
    return (count + threads - 1) // threads
