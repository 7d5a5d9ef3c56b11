"""A new kernel cannot land untested: every implementation in the kernel registry is a case of a
parity test against `reference` (run here, under the CUDA simulator, or on a GPU machine).

Each parity module exposes PARITY_CASES, the (op, impl) pairs it checks, and parametrises its
parity tests with them; this file checks both that the modules' parametrisations really run those
pairs and that, together, they cover the registry's full table (CuPy and CUDA kernels included,
whether or not this machine can run them)."""
import importlib

import pytest

from tinygan.kernels import registry

PARITY_MODULES = ("test_kernel_parity", "test_conv", "cuda_parity", "test_cupy_kernels")


def _module(name):
    return importlib.import_module(name)      # tests/ is on sys.path (pytest's rootdir-relative imports)


def _parametrised_pairs(module):
    """(op, impl) pairs the module's test functions are parametrised with ("op,impl" parameters)."""
    pairs = set()
    for name, fn in vars(module).items():
        if not (name.startswith("test") and callable(fn)):
            continue
        for mark in getattr(fn, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            argnames = mark.args[0]
            argnames = [a.strip() for a in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
            if argnames == ["op", "impl"]:
                pairs |= {tuple(getattr(v, "values", v)) for v in mark.args[1]}
    return pairs


def _registered():
    return {(op, impl) for op in registry.ops() for impl in registry.implementations(op)}


@pytest.mark.parametrize("name", PARITY_MODULES)
def test_each_module_runs_the_cases_it_declares(name):
    module = _module(name)
    declared = set(module.PARITY_CASES)
    assert declared, f"{name}: no parity cases"
    assert declared <= _registered(), f"{name} declares pairs the registry does not have: {declared - _registered()}"
    assert declared <= _parametrised_pairs(module), \
        f"{name}: declared but no test is parametrised with them: {sorted(declared - _parametrised_pairs(module))}"


def test_every_registered_kernel_is_in_a_parity_test():
    covered = set().union(*(set(_module(name).PARITY_CASES) for name in PARITY_MODULES))
    ops_with_reference = {op for op in registry.ops() if "reference" in registry.implementations(op)}
    assert ops_with_reference == set(registry.ops()), "every op needs a reference to be compared with"
    missing = {(op, impl) for op, impl in _registered() if impl != "reference"} - covered
    assert not missing, f"kernels no parity test checks against the reference: {sorted(missing)}"


def test_the_guard_sees_the_kernels_that_are_hardest_to_test():
    """The table the guard compares with is the full one: GPU-only kernels are in it."""
    registered = _registered()
    assert ("conv2d_forward", "numba_cuda_direct") in registered
    assert {impl for _, impl in registered} >= {"numba_cpu", "im2col", "numba_cuda", "cupy", "reference"}


def test_the_guard_fails_for_a_kernel_without_a_parity_test(monkeypatch):
    registered = registry.implementations
    new = {"mse": ["numba_cuda_v2"], "conv2d_forward": ["winograd"]}     # as if two kernels had landed untested
    monkeypatch.setattr(registry, "implementations", lambda op: registered(op) + new.get(op, []))
    with pytest.raises(AssertionError, match="winograd"):
        test_every_registered_kernel_is_in_a_parity_test()
