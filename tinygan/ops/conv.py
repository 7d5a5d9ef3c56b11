"""2-D convolution as a closed family of three Functions, each differentiable via the others
(DeZero's design, so double backward through a conv net works):

    Conv2d(x, w[, b])               y  = x ⋆ w (+ b)
    Conv2dBackwardData(g, w[, b])   gx = the adjoint of x ↦ x ⋆ w applied to g (+ b)   (= conv_transpose2d)
    Conv2dBackwardWeight(x, g)      gw = the adjoint of w ↦ x ⋆ w applied to g

All three are bilinear, so each one's backward is the other two. A layer's bias b rides along in the
node that makes the layer's output, as in PyTorch's convolution: y += b in place, gb = ConvBiasGrad(gy).
The arrays are computed by whichever kernel the registry (tinygan.kernels) selects: the
implementations registered above each Function, in preference order (the first that runs on the
array's backend is the default). A conv2d_forward or conv2d_backward_data kernel must return a new
array that nothing else holds (all registered ones do), since the bias is added into it in place.
"""
from tinygan.kernels import kernel, register
from tinygan.ops.shape import broadcast_to
from tinygan.ops.side_outputs import with_side_outputs
from tinygan.tensor import Function

register("conv_bias_add", "numba_cpu", "tinygan.kernels.conv_bias_numba_cpu:conv_bias_add", ("numpy",),
         "in place, a (sample, channel) plane per task")
register("conv_bias_add", "reference", "tinygan.kernels.conv_bias_reference:conv_bias_add", ("numpy", "cupy"),
         "y += b broadcast over the channel axis")
register("conv_bias_grad", "numba_cpu", "tinygan.kernels.conv_bias_numba_cpu:conv_bias_grad", ("numpy",),
         "float64 plane sums, a (sample, channel) plane per task")
register("conv_bias_grad", "reference", "tinygan.kernels.conv_bias_reference:conv_bias_grad", ("numpy", "cupy"),
         "gy.sum(axis=(0, 2, 3))")


def _with_bias(y, b):
    """y (the conv kernel's own new array, which nothing else holds) += b over the channels."""
    return y if b is None else kernel("conv_bias_add", y)(y, b)


class ConvBiasGrad(Function):
    """gb[o] = Σ_{n,h,w} g[n, o, h, w], a conv bias's gradient; its adjoint broadcasts back."""
    def forward(self, g):
        return kernel("conv_bias_grad", g)(g)
    def backward(self, ggb):
        return broadcast_to(ggb.reshape(1, -1, 1, 1), self.inputs[0].shape)


def _bias_grad(fn, g):
    """The bias's gradient if fn was given a bias that needs one (its third input), else None."""
    return ConvBiasGrad()(g) if len(fn.inputs) == 3 and fn.needs_input_grad[2] else None


register("conv2d_forward", "numba_cpu", "tinygan.kernels.conv_numba_cpu:conv2d_forward", ("numpy",),
         "a row block per thread: NHWC im2col + one-thread BLAS")
register("conv2d_forward", "numba_cuda", "tinygan.kernels.conv_numba_cuda:conv2d_forward", ("cupy",),
         "shared-memory tiled implicit GEMM")
register("conv2d_forward", "numba_cuda_direct", "tinygan.kernels.conv_numba_cuda:conv2d_forward_direct", ("cupy",),
         "one thread per output element")
register("conv2d_forward", "cupy", "tinygan.kernels.conv_cupy:conv2d_forward", ("cupy",),
         "RawKernel im2col + cuBLAS GEMM")
register("conv2d_forward", "im2col", "tinygan.kernels.conv_im2col:conv2d_forward", ("numpy", "cupy"),
         "strided-view im2col + one GEMM")
register("conv2d_forward", "reference", "tinygan.kernels.conv_reference:conv2d_forward", ("numpy",),
         "plain loops over output pixels: the definition")


def _one_pass_forward_and_weight(x):
    """The function computing conv2d_forward(x, w) and backward_weight(x, g) from one im2col of x,
    if the kernels selected for x's backend offer one (conv2d_forward's `with_backward_weight` names
    the backward-weight kernel it pairs with, and the function: numba_cpu's); else None."""
    paired, both = getattr(kernel("conv2d_forward", x), "with_backward_weight", (None, None))
    return both if paired is not None and paired is kernel("conv2d_backward_weight", x) else None


class Conv2d(Function):
    """y = x ⋆ w (+ b). With `weight_grad_of=(g, both)` it also computes backward_weight(x, g) as a
    side output (ops/side_outputs.py), both with `both` (_one_pass_forward_and_weight): a transposed
    layer's backward needs the two, and they share x's columns."""
    def __init__(self, stride, padding, weight_grad_of=None):
        self.stride, self.padding, self.weight_grad_of = stride, padding, weight_grad_of
    def forward(self, x, w, b=None):
        if self.weight_grad_of is None:
            return _with_bias(kernel("conv2d_forward", x)(x, w, self.stride, self.padding), b)
        (g, both), self.weight_grad_of = self.weight_grad_of, None
        y, gw = both(x, w, g, self.stride, self.padding)
        self.side_outputs = (gw,)
        return _with_bias(y, b)
    def backward(self, gy):
        x, w = self.inputs[:2]
        gx = backward_data(gy, w, self.stride, self.padding, x.shape[2:]) if self.needs_input_grad[0] else None
        gw = backward_weight(x, gy, self.stride, self.padding, w.shape[2:]) if self.needs_input_grad[1] else None
        return gx, gw, _bias_grad(self, gy)


register("conv2d_backward_data", "numba_cpu", "tinygan.kernels.conv_numba_cpu:conv2d_backward_data", ("numpy",),
         "blocks of samples: one-thread BLAS + col2im")
register("conv2d_backward_data", "numba_cuda", "tinygan.kernels.conv_numba_cuda:conv2d_backward_data", ("cupy",),
         "gather: a thread per dx element")
register("conv2d_backward_data", "cupy", "tinygan.kernels.conv_cupy:conv2d_backward_data", ("cupy",),
         "cuBLAS GEMM + gather col2im")
register("conv2d_backward_data", "im2col", "tinygan.kernels.conv_im2col:conv2d_backward_data", ("numpy", "cupy"),
         "GEMM to columns, then col2im slice-adds")
register("conv2d_backward_data", "reference", "tinygan.kernels.conv_reference:conv2d_backward_data", ("numpy",),
         "plain loops scattering each output pixel")


class Conv2dBackwardData(Function):
    def __init__(self, stride, padding, x_hw): self.stride, self.padding, self.x_hw = stride, padding, x_hw
    def forward(self, g, w, b=None):
        return _with_bias(kernel("conv2d_backward_data", g)(g, w, self.stride, self.padding, self.x_hw), b)
    def backward(self, ggx):
        g, w = self.inputs[:2]
        both = _one_pass_forward_and_weight(ggx.array) if all(self.needs_input_grad[:2]) else None
        if both is not None:         # the two products below read the same columns of ggx: one pass
            g_g, (gw,) = with_side_outputs(Conv2d(self.stride, self.padding, weight_grad_of=(g.array, both)), ggx, w)
            g_w = Conv2dBackwardWeight(self.stride, self.padding, w.shape[2:], computed=gw)(ggx, g)
        else:
            g_g = conv2d(ggx, w, self.stride, self.padding) if self.needs_input_grad[0] else None
            g_w = backward_weight(ggx, g, self.stride, self.padding, w.shape[2:]) if self.needs_input_grad[1] else None
        return g_g, g_w, _bias_grad(self, ggx)


register("conv2d_backward_weight", "numba_cpu", "tinygan.kernels.conv_numba_cpu:conv2d_backward_weight", ("numpy",),
         "row blocks: im2col + one-thread BLAS, per-thread sums")
register("conv2d_backward_weight", "numba_cuda", "tinygan.kernels.conv_numba_cuda:conv2d_backward_weight", ("cupy",),
         "gather: a thread per dw element")
register("conv2d_backward_weight", "cupy", "tinygan.kernels.conv_cupy:conv2d_backward_weight", ("cupy",),
         "RawKernel im2col + cuBLAS GEMM")
register("conv2d_backward_weight", "im2col", "tinygan.kernels.conv_im2col:conv2d_backward_weight",
         ("numpy", "cupy"), "im2col + one GEMM")
register("conv2d_backward_weight", "reference", "tinygan.kernels.conv_reference:conv2d_backward_weight", ("numpy",),
         "plain loops over output pixels")


class Conv2dBackwardWeight(Function):
    """gw = the adjoint of w ↦ x ⋆ w applied to g; `computed`: that array, already computed
    (by Conv2d's weight_grad_of), so this node only puts it in the graph."""
    def __init__(self, stride, padding, k_hw, computed=None):
        self.stride, self.padding, self.k_hw, self.computed = stride, padding, k_hw, computed
    def forward(self, x, g):
        gw, self.computed = self.computed, None
        return gw if gw is not None else kernel("conv2d_backward_weight", x)(x, g, self.stride, self.padding, self.k_hw)
    def backward(self, ggw):
        x, g = self.inputs
        g_x = backward_data(g, ggw, self.stride, self.padding, x.shape[2:]) if self.needs_input_grad[0] else None
        g_g = conv2d(x, ggw, self.stride, self.padding) if self.needs_input_grad[1] else None
        return g_x, g_g


def conv2d(x, w, stride, padding, bias=None):
    return Conv2d(stride, padding)(x, w, *([] if bias is None else [bias]))


def backward_data(g, w, stride, padding, x_hw, bias=None):
    return Conv2dBackwardData(stride, padding, tuple(x_hw))(g, w, *([] if bias is None else [bias]))


def backward_weight(x, g, stride, padding, k_hw):
    return Conv2dBackwardWeight(stride, padding, tuple(k_hw))(x, g)
