"""Load a demo script (demos/NN_name.py: not an importable module name) as a module, for tests."""
import importlib.util
import pathlib

DEMOS = pathlib.Path(__file__).resolve().parent.parent / "demos"


def load_demo(name):
    spec = importlib.util.spec_from_file_location(name, DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
