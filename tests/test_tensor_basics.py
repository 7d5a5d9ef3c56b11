"""Tensor surface: factories, dtypes, properties, conversions, indexing errors, printing."""
import numpy as np
import pytest

import tinygan


def test_factories_shapes_and_default_dtypes():
    assert tinygan.zeros(2, 3).shape == (2, 3) and tinygan.zeros(2, 3).dtype == np.float32
    assert tinygan.ones((4,)).numpy().sum() == 4
    assert tinygan.full((2, 2), 7.0).numpy().tolist() == [[7, 7], [7, 7]]
    assert tinygan.arange(5).dtype == np.int64 and tinygan.arange(0, 1, 0.25).dtype == np.float32
    assert tinygan.randn(3, 4, dtype=np.float64).dtype == np.float64
    r = tinygan.rand(1000).numpy()
    assert r.min() >= 0 and r.max() < 1
    assert tinygan.tensor([1.5, 2]).dtype == np.float32
    assert tinygan.tensor(np.ones(2)).dtype == np.float64      # NumPy arrays keep their dtype
    assert tinygan.eye(3).numpy().trace() == 3


def test_properties_and_conversions():
    t = tinygan.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.ndim == 2 and t.T.shape == (2, 2) and len(t) == 2 and t.numel() == 4
    assert t.sum().item() == 10.0
    assert np.asarray(t).dtype == np.float32
    assert t.detach().requires_grad is False
    assert t.double().dtype == np.float64 and t.tolist() == [[1, 2], [3, 4]]
    assert "requires_grad=True" in repr(t)
    assert "grad_fn=<Mul>" in repr(t * 2)
    with pytest.raises(tinygan.ShapeError, match="item"):
        t.item()


def test_numpy_scalars_on_the_left_keep_a_tensor():
    t = tinygan.ones(2, requires_grad=True)
    y = np.float32(3.0) * t
    assert isinstance(y, tinygan.Tensor) and y.requires_grad


def test_reshape_and_index_errors_name_the_shapes():
    t = tinygan.zeros(2, 3)
    with pytest.raises(tinygan.ShapeError, match=r"reshape: cannot view shape \(2, 3\) \(6 elements\) as \(4, 2\)"):
        t.reshape(4, 2)
    assert t.reshape(-1).shape == (6,) and t.view(3, -1).shape == (3, 2)
    with pytest.raises(IndexError, match=r"getitem: .*\(tensor shape \(2, 3\)\)"):
        t[5]
    with pytest.raises(tinygan.ShapeError, match="matmul: cannot multiply"):
        t @ t
    with pytest.raises(tinygan.ShapeError, match="axis 3 is out of range"):
        t.sum(axis=3)


def test_comparisons_are_elementwise_and_outside_the_graph():
    t = tinygan.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = t > 1.5
    assert mask.dtype == bool and not mask.requires_grad and mask.tolist() == [False, True, True]
    assert (t == 2.0).tolist() == [False, True, False]


def test_pytorch_aliases_dim_keepdim_permute_unsqueeze():
    t = tinygan.randn(2, 3, 4)
    assert t.sum(dim=1, keepdim=True).shape == (2, 1, 4)
    assert t.permute(2, 0, 1).shape == (4, 2, 3)
    assert t.unsqueeze(0).shape == (1, 2, 3, 4) and t.unsqueeze(0).squeeze(0).shape == (2, 3, 4)
    assert t.argmax(dim=2).shape == (2, 3)


def test_methods_on_a_parameter_make_plain_tensors():
    """Comparisons, argmax and new_* of a Parameter are plain Tensors outside the graph, as in
    PyTorch (a Parameter's constructor would make them require grad, or refuse a bool result)."""
    from tinygan import nn
    p = nn.Parameter(tinygan.randn(3))
    for made in (p > 0, p == p, p.argmax(), p.new_zeros(2), p.new_ones(2), p.new_full((2,), 1.0), p.new_tensor([1.0])):
        assert type(made) is tinygan.Tensor and not made.requires_grad, made
