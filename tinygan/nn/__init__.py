"""tinygan.nn — modules and layers in PyTorch's names."""
from tinygan.nn import functional, init  # noqa: F401
from tinygan.nn.module import Module, ModuleList, Parameter, Sequential, functional_call  # noqa: F401
from tinygan.nn.layers import (Conv2d, ConvTranspose2d, Dropout, Flatten, Identity, LeakyReLU, Linear,  # noqa: F401
                               Maxout, ReLU, Sigmoid, Softplus, Tanh, Unflatten)
from tinygan.nn.norm import BatchNorm1d, BatchNorm2d, VirtualBatchNorm  # noqa: F401
from tinygan.nn.activation import ELU, GELU, LogSoftmax, PReLU, SiLU, Softmax  # noqa: F401
from tinygan.nn.containers import ModuleDict, ParameterDict, ParameterList  # noqa: F401
from tinygan.nn.dropout import Dropout2d  # noqa: F401
from tinygan.nn.embedding import Embedding  # noqa: F401
from tinygan.nn.normalization import InstanceNorm1d, InstanceNorm2d, LayerNorm  # noqa: F401
from tinygan.nn.padding import ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ZeroPad2d  # noqa: F401
from tinygan.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: F401
from tinygan.nn.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401
from tinygan.nn import utils  # noqa: F401
from tinygan.nn.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, L1Loss,  # noqa: F401
                            MSELoss, NLLLoss)
