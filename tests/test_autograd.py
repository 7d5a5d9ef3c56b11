"""Engine behaviour: accumulation, graph release, deep graphs, grad(), double backward, modes."""
import gc
import weakref

import numpy as np
import pytest

import tinygan
from tinygan import GraphError
from conftest import t64


def test_gradients_accumulate_across_backward_calls():
    x = t64(3)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 5.0))


def test_shared_subexpression_gets_summed_gradient():
    x = t64(4)
    y = x * x
    (y + y * y).sum().backward()   # d/dx (x² + x⁴) = 2x + 4x³
    xv = x.numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2 * xv + 4 * xv ** 3, rtol=1e-12)


def test_non_scalar_backward_without_grad_is_a_clear_error():
    y = t64(2, 3) * 2
    with pytest.raises(GraphError, match=r"scalar output.*\(2, 3\)"):
        y.backward()
    y.backward(tinygan.ones(2, 3, dtype=np.float64))  # explicit grad is fine


def test_backward_grad_shape_is_checked():
    y = t64(2, 3) * 2
    with pytest.raises(tinygan.ShapeError, match="does not match output shape"):
        y.backward(tinygan.ones(3, 2, dtype=np.float64))


def test_chain_of_100k_ops_has_no_recursion_error():
    x = tinygan.tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_backward_through_freed_graph_is_an_error_and_retain_graph_allows_it():
    x = t64(3)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.exp(x.numpy()))
    with pytest.raises(GraphError, match="already freed"):
        y.backward()


def test_graph_memory_is_released_after_backward():
    x = t64(1000)
    hidden = x.exp()
    ref = weakref.ref(hidden)
    loss = (hidden * 3).sum()
    del hidden
    gc.collect()
    assert ref() is not None, "the graph keeps the intermediate alive before backward"
    loss.backward()
    gc.collect()
    assert ref() is None, "backward must free the saved intermediates"


def test_grad_returns_gradients_without_touching_dot_grad():
    x, w = t64(3), t64(3, seed=1)
    y = (x * w).sum()
    gx, = tinygan.grad(y, [x])
    np.testing.assert_allclose(gx.numpy(), w.numpy())
    assert x.grad is None and w.grad is None


def test_grad_of_unused_input_needs_allow_unused():
    x, z = t64(3), t64(2)
    y = (x * 2).sum()
    with pytest.raises(GraphError, match="not used"):
        tinygan.grad(y, [x, z], retain_graph=True)
    gx, gz = tinygan.grad(y, [x, z], allow_unused=True)
    assert gz is None and np.allclose(gx.numpy(), 2)


def test_grad_with_respect_to_a_non_leaf():
    x = t64(3)
    h = x * 3
    y = (h * h).sum()
    gh, = tinygan.grad(y, h)
    np.testing.assert_allclose(gh.numpy(), 2 * h.numpy())


def test_double_backward_of_a_cubic():
    x = tinygan.tensor([0.5, -2.0, 3.0], requires_grad=True, dtype=np.float64)
    g, = tinygan.grad((x ** 3).sum(), x, create_graph=True)       # 3x²
    gg, = tinygan.grad(g.sum(), x, create_graph=True)             # 6x
    ggg, = tinygan.grad(gg.sum(), x)                              # 6
    np.testing.assert_allclose(g.numpy(), 3 * x.numpy() ** 2)
    np.testing.assert_allclose(gg.numpy(), 6 * x.numpy())
    np.testing.assert_allclose(ggg.numpy(), 6.0)


def test_gradient_penalty_backpropagates_to_weights():
    """WGAN-GP's pattern: penalise ‖∂D/∂x‖ and differentiate that w.r.t. D's weights."""
    w = t64(4, 1)
    x = t64(5, 4)
    d = (x @ w).tanh().sum()
    gx, = tinygan.grad(d, x, create_graph=True)
    penalty = ((gx * gx).sum(axis=1).sqrt() - 1) ** 2
    penalty.mean().backward()
    assert w.grad is not None and np.isfinite(w.grad.numpy()).all() and np.abs(w.grad.numpy()).sum() > 0


def test_no_grad_records_nothing_and_detach_cuts():
    x = t64(3)
    with tinygan.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    z = (x * 2).detach() * x
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy())


def test_retain_grad_on_non_leaf():
    x = t64(3)
    h = (x * 2).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.numpy())


def test_backward_on_tensor_without_grad_is_an_error():
    with pytest.raises(GraphError, match="does not require grad"):
        tinygan.ones(3).sum().backward()


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(tinygan.DTypeError):
        tinygan.tensor([1, 2, 3], requires_grad=True)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the NaN/Inf are the point of this test
def test_detect_anomaly_names_the_first_bad_op():
    x = tinygan.tensor([1.0, -1.0], requires_grad=True)
    with tinygan.detect_anomaly():
        with pytest.raises(tinygan.AnomalyError, match="'Sqrt'"):
            (x * 2).sqrt()
    y = tinygan.tensor([0.0, 1.0], requires_grad=True)
    with tinygan.detect_anomaly():
        out = y.sqrt().sum()          # forward is finite; backward 1/(2·0) is not
        with pytest.raises(tinygan.AnomalyError, match="backward of 'Sqrt'"):
            out.backward()


def test_manual_seed_makes_random_ops_repeatable():
    tinygan.manual_seed(123)
    a = tinygan.randn(4).numpy()
    tinygan.manual_seed(123)
    b = tinygan.randn(4).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, tinygan.randn(4).numpy())
