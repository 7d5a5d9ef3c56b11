"""Ops with several outputs: one differentiable output per Function, the rest as side outputs.

A Function has exactly one output Tensor (tinygan/tensor.py: one gradient per Function and a
weak reference to its output, so the graph has no cycles). Some kernels compute more than that
output in the same pass over memory:

- BatchNorm's forward kernel returns y and each channel's batch mean and 1/std; the running
  statistics need the mean and the variance (ops/norm.py: batch_norm_train);
- reparameterize_kl's kernel returns the sample z and the summed KL with its gradient, which are
  the output of a second node (ops/losses.py: reparameterize_kl).

The pattern, used by both:
1. forward() returns its one differentiable output and puts the other results in
   `self.side_outputs`, a tuple of arrays (what backward needs it keeps under its own names);
2. the op's plain function calls the Function through `with_side_outputs(fn, *inputs)`, which
   returns (output Tensor, side outputs) and removes them from the node, so the graph holds only
   what backward needs;
3. a side output is a constant: no gradient flows through it. One that must be differentiable
   becomes the output of its own Function, which takes the side outputs as its precomputed
   forward (GaussianKL(scale, fused=...)), so every node still has one output and one gradient.

Ops that return several Tensors without a fused kernel (split, chunk) are built from one
indexing op per piece instead.
"""


def with_side_outputs(fn, *inputs):
    """Call Function `fn` on `inputs`; return (its output Tensor, the side outputs its forward set)."""
    out = fn(*inputs)
    side, fn.side_outputs = fn.side_outputs, None
    return out, side
