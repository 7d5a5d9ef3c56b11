"""numba_cpu's matrix product (kernels/matmul_numba_cpu.py) for the operand layouts autograd hands
it — transposed views from the backward passes, F-ordered and strided arrays — and for the cases
it leaves to NumPy (small, batched, integer), against NumPy's matmul."""
import numpy as np
import pytest

from tinygan.kernels import registry


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_every_operand_layout_gives_numpys_product(dtype, tol):
    matmul = registry.get("matmul", "numba_cpu").load()
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((131, 97)).astype(dtype), rng.standard_normal((97, 70)).astype(dtype)
    layouts = {"C": lambda m: m, "F": np.asfortranarray, "transposed view": lambda m: np.ascontiguousarray(m.T).T,
               "strided": lambda m: np.repeat(m, 2, axis=1)[:, ::2]}
    for name_a, make_a in layouts.items():
        for name_b, make_b in layouts.items():
            got = matmul(make_a(a), make_b(b))
            assert got.dtype == dtype and got.shape == (131, 70), (name_a, name_b)
            np.testing.assert_allclose(got, a @ b, rtol=tol, atol=tol * 10, err_msg=f"a {name_a}, b {name_b}")


@pytest.mark.parametrize("a,b", [(np.ones((4, 5)), np.ones((5, 3))),                       # small
                                 (np.ones((3, 80, 90)), np.ones((90, 70))),                # batched
                                 (np.arange(100 * 90).reshape(100, 90), np.ones((90, 80), int)),  # integer
                                 (np.ones(90), np.ones((90, 4000)))])                     # a vector
def test_products_it_leaves_to_numpy_are_numpys(a, b):
    got = registry.get("matmul", "numba_cpu").load()(a, b)
    np.testing.assert_array_equal(got, a @ b)
    assert got.dtype == (a @ b).dtype
