"""The public API is documented: every class, function, method and property reached through a
public namespace has a docstring of its own, and docs/api.md (built from them) is current."""
import inspect
import pathlib

import pytest

import tinygan
from tinygan import apidoc, nn

ROOT = pathlib.Path(__file__).resolve().parent.parent
API_MD = ROOT / "docs" / "api.md"
REGENERATE = "regenerate it with: python -m tinygan.apidoc --out docs/api.md"


def test_every_public_name_has_a_docstring_of_its_own():
    missing = sorted({name for name, obj in apidoc.public_api() if not apidoc.own_doc(obj)})
    assert missing == [], f"{len(missing)} public names without a docstring of their own:\n  " + "\n  ".join(missing)


def test_the_walk_finds_the_public_surface_and_nothing_else():
    api = dict(apidoc.public_api())
    for name in ["tinygan.Tensor", "tinygan.Tensor.backward", "tinygan.Tensor.shape", "tinygan.Tensor.add_",
                 "tinygan.randn", "tinygan.grad", "tinygan.no_grad", "tinygan.device", "tinygan.nn.Module.parameters",
                 "tinygan.nn.Conv2d", "tinygan.nn.functional.conv2d", "tinygan.nn.init.normal_",
                 "tinygan.optim.Adam", "tinygan.data.DataLoader", "tinygan.cuda.is_available"]:
        assert name in api, name
    assert api["tinygan.Tensor.backward"] is tinygan.Tensor.backward
    assert isinstance(api["tinygan.Tensor.shape"], property)
    names = set(api)
    # implementation imports, modules, constants and NumPy re-exports are not API
    assert not {"tinygan.float32", "tinygan.nn.functional.Tensor", "tinygan.nn.functional.np",
                "tinygan.nn.functional", "tinygan.nn.init.math"} & names
    assert all(obj.__module__.startswith("tinygan") for obj in api.values() if not isinstance(obj, property))
    # a layer's forward keeps Module.forward's contract, so it is not listed again
    assert "tinygan.nn.Linear.forward" not in names and "tinygan.nn.Module.forward" in names


def test_a_missing_docstring_is_caught():
    def undocumented(x):
        return x

    class Layer(nn.Module):
        def forward(self, x):
            return x

        def reset(self):
            pass

    assert apidoc.own_doc(undocumented) == ""
    assert apidoc.own_doc(Layer) == ""                          # Module's docstring is not Layer's
    assert apidoc.own_doc(nn.Module) != ""
    members = dict(apidoc.class_members(Layer, {nn.Module}))
    assert "reset" in members and "forward" not in members
    assert apidoc.own_doc(members["reset"]) == ""


def test_the_generator_writes_a_reference_naming_the_key_apis(tmp_path, capsys):
    out = tmp_path / "api.md"
    assert apidoc.main(["--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for heading in ["## tinygan\n", "## tinygan.nn\n", "## tinygan.optim\n", "### `tinygan.nn.Conv2d`",
                    "### `tinygan.optim.Adam`", "#### `Tensor.backward`"]:
        assert heading in text, heading
    assert "backward(grad=None, retain_graph=None, create_graph=False)" in text
    assert inspect.cleandoc(tinygan.Tensor.backward.__doc__) in text
    assert "public names" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["api.md"]       # written atomically: no temp file left


def test_docs_api_md_is_up_to_date():
    if not API_MD.exists():
        pytest.fail(f"{API_MD.relative_to(ROOT)} is missing; {REGENERATE}")
    assert API_MD.read_text(encoding="utf-8") == apidoc.render(), \
        f"{API_MD.relative_to(ROOT)} differs from the docstrings; {REGENERATE}"
