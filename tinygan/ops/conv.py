"""2-D convolution as a closed family of three Functions, each differentiable via the others
(DeZero's design, so double backward through a conv net works):

    Conv2d(x, w)               y  = x ⋆ w
    Conv2dBackwardData(g, w)   gx = the adjoint of x ↦ x ⋆ w applied to g   (= conv_transpose2d)
    Conv2dBackwardWeight(x, g) gw = the adjoint of w ↦ x ⋆ w applied to g

All three are bilinear, so each one's backward is the other two. The arrays are computed by
whichever kernel the registry (tinygan.kernels) selects.
"""
from tinygan.kernels import kernel
from tinygan.tensor import Function


class Conv2d(Function):
    def __init__(self, stride, padding): self.stride, self.padding = stride, padding
    def forward(self, x, w):
        return kernel("conv2d_forward", x)(x, w, self.stride, self.padding)
    def backward(self, gy):
        x, w = self.inputs
        gx = backward_data(gy, w, self.stride, self.padding, x.shape[2:]) if self.needs_input_grad[0] else None
        gw = backward_weight(x, gy, self.stride, self.padding, w.shape[2:]) if self.needs_input_grad[1] else None
        return gx, gw


class Conv2dBackwardData(Function):
    def __init__(self, stride, padding, x_hw): self.stride, self.padding, self.x_hw = stride, padding, x_hw
    def forward(self, g, w):
        return kernel("conv2d_backward_data", g)(g, w, self.stride, self.padding, self.x_hw)
    def backward(self, ggx):
        g, w = self.inputs
        g_g = conv2d(ggx, w, self.stride, self.padding) if self.needs_input_grad[0] else None
        g_w = backward_weight(ggx, g, self.stride, self.padding, w.shape[2:]) if self.needs_input_grad[1] else None
        return g_g, g_w


class Conv2dBackwardWeight(Function):
    def __init__(self, stride, padding, k_hw): self.stride, self.padding, self.k_hw = stride, padding, k_hw
    def forward(self, x, g):
        return kernel("conv2d_backward_weight", x)(x, g, self.stride, self.padding, self.k_hw)
    def backward(self, ggw):
        x, g = self.inputs
        g_x = backward_data(g, ggw, self.stride, self.padding, x.shape[2:]) if self.needs_input_grad[0] else None
        g_g = conv2d(x, ggw, self.stride, self.padding) if self.needs_input_grad[1] else None
        return g_x, g_g


def conv2d(x, w, stride, padding):
    return Conv2d(stride, padding)(x, w)


def backward_data(g, w, stride, padding, x_hw):
    return Conv2dBackwardData(stride, padding, tuple(x_hw))(g, w)


def backward_weight(x, g, stride, padding, k_hw):
    return Conv2dBackwardWeight(stride, padding, tuple(k_hw))(x, g)
