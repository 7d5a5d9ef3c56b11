"""tinygan.nn — modules and layers in PyTorch's names."""
from tinygan.nn import functional, init  # noqa: F401
from tinygan.nn.module import Module, ModuleList, Parameter, Sequential, functional_call  # noqa: F401
from tinygan.nn.layers import (Conv2d, ConvTranspose2d, Dropout, Flatten, Identity, LeakyReLU, Linear,  # noqa: F401
                               ReLU, Sigmoid, Softplus, Tanh, Unflatten)
from tinygan.nn.norm import BatchNorm1d, BatchNorm2d, VirtualBatchNorm  # noqa: F401
