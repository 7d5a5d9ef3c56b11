"""tinygan: a small, readable deep-learning engine on NumPy for studying generative models."""
from setuptools import find_packages, setup

VERSION = "0.1.0"

setup(
    name="tinygan",
    version=VERSION,
    description="A small, readable autograd engine on NumPy/CuPy with hand-written kernels, "
                "built to study GANs and disentangling VAEs.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    # The top-level kernels/ folder is installed as tinygan.kernels, never as a top-level
    # `kernels` module (a PyPI package already owns that name).
    packages=["tinygan", "tinygan.kernels"] + ["tinygan." + name for name in find_packages("tinygan")],
    package_dir={"tinygan": "tinygan", "tinygan.kernels": "kernels"},
    install_requires=["numpy>=1.23", "numba>=0.57", "scipy", "scikit-learn", "matplotlib", "tqdm"],
    extras_require={
        # torch is only used by tests that compare ops with PyTorch; 2.13.0 is the CPU wheel
        # that lies on this project's machines. tinygan itself never imports torch.
        # dask and tensorboardX let CI run the LocalCluster sweep tests and read TensorBoard logs back
        "test": ["pytest", "hypothesis", "torch==2.13.0", "pot", "dask[distributed]", "tensorboardX"],
        "gpu": ["cupy-cuda12x", "numba-cuda"],
        "sweep": ["dask[distributed]"],      # tinygan sweep --workers N / --scheduler (docs/sweeps.md)
        "logs": ["tensorboardX"],            # TensorBoard event files in every run folder (tinygan/tensorboard.py)
    },
    package_data={"tinygan.sweep": ["studies/*.toml"]},      # the shipped study specs
    entry_points={"console_scripts": ["tinygan=tinygan.cli:main"]},
)
