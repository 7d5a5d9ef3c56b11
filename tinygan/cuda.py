"""`tinygan.cuda`: the few torch.cuda calls GAN scripts make, answered through CuPy."""
from tinygan import backend, random


def is_available():
    """True when CuPy is installed and sees a GPU (then device 'cuda' works)."""
    return backend.cupy_problem() is None


def device_count():
    """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
    if not is_available():
        return 0
    return backend.xp_of_backend("cupy").cuda.runtime.getDeviceCount()


def current_device():
    """The index of CuPy's current GPU (BackendError without CuPy and a GPU)."""
    return backend.xp_of_backend("cupy", op="cuda.current_device").cuda.runtime.getDevice()


def manual_seed(seed):
    """Seed tinygan's one generator: numbers are drawn on the CPU for every device (tinygan.random)."""
    random.manual_seed(seed)


manual_seed_all = manual_seed


def synchronize():
    """Wait for the GPU's queued work (nothing to wait for without one)."""
    if is_available():
        backend.xp_of_backend("cupy").cuda.runtime.deviceSynchronize()


def empty_cache():
    """Give CuPy's cached, unused GPU memory back to the driver."""
    if is_available():
        backend.xp_of_backend("cupy").get_default_memory_pool().free_all_blocks()
