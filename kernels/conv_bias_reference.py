"""A conv layer's bias, the definition (array methods of the input's module, NumPy or CuPy):

    add:  y[n, o, h, w] += b[o]                      (in place: y is the conv kernel's fresh output)
    grad: gb[o] = Σ over n, h, w of gy[n, o, h, w]
"""


def conv_bias_add(y, b):
    """y += b over the channel axis, in place; returns y."""
    y += b.reshape(1, -1, 1, 1)
    return y


def conv_bias_grad(gy):
    """The bias's gradient: gy summed over samples and pixels, one value per channel."""
    return gy.sum(axis=(0, 2, 3))
