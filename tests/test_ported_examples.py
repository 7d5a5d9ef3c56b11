"""The four ported examples (demos/ported/: PyTorch's DCGAN and VAE examples, PyTorch-GAN's
WGAN-GP, PyTorch-VAE's DIP-VAE) run on tinygan, and on PyTorch when it is installed, with only
their marked import block differing between the two engines.

Each script's --quick mode is run in this process (runpy, as `python demos/ported/NAME.py`
would run it), then its outputs are checked: the files it promises, PNGs that are PNGs, a
metrics.json whose losses are all finite."""
import difflib
import json
import math
import pathlib
import re
import runpy
import sys

import pytest

PORTED = pathlib.Path(__file__).resolve().parent.parent / "demos" / "ported"
BLOCKS = ("ENGINE", "DATA", "OUTPUT")          # the marked blocks, in file order
OUTPUTS = {
    "dcgan": ["real_samples.png", "fake_samples_epoch_000.png", "fake_samples_final.png", "losses.png",
              "netG_epoch_0.pth", "netD_epoch_0.pth"],
    "vae": ["reconstruction_1.png", "sample_1.png", "losses.png"],
    "wgan_gp": ["images/0.png", "images/5.png", "samples.png", "losses.png"],
    "dip_vae": ["recons_epoch_0.png", "samples_epoch_0.png", "losses.png"],
}
ENGINES = ["tinygan", pytest.param("torch", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("torch") is None, reason="PyTorch is not installed"))]


def run_script(name, monkeypatch, *args):
    """Run demos/ported/NAME.py with these command-line arguments in this process; its globals."""
    path = str(PORTED / f"{name}.py")
    monkeypatch.setattr(sys, "argv", [path, *args])
    return runpy.run_path(path, run_name="__main__")


def numbers(obj):
    """Every number in a JSON tree."""
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in numbers(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in numbers(v)]
    return [obj] if isinstance(obj, (int, float)) and not isinstance(obj, bool) else []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_quick_mode_trains_and_writes_its_outputs(name, engine, tmp_path, monkeypatch):
    out = tmp_path / "run"
    script = run_script(name, monkeypatch, "--quick", "--engine", engine, "--out", str(out))
    assert script["torch"].__name__ == engine                       # the engine asked for ran the body
    for file in OUTPUTS[name]:
        data = (out / file).read_bytes()
        assert data, file
        if file.endswith(".png"):
            assert data[:8] == b"\x89PNG\r\n\x1a\n", file
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["example"] == name and metrics["engine"] == engine
    losses = numbers(metrics["history"])
    assert len(losses) >= 2 and all(math.isfinite(x) for x in losses), metrics["history"]
    assert all(math.isfinite(x) for x in numbers(metrics["final"]))
    assert not [p.name for p in out.rglob(".tmp-*")]                 # every write went through atomically
    if name == "dcgan":                                              # checkpoints load back, with every key
        state = script["torch"].load(str(out / "netG_epoch_0.pth"))
        assert set(state) == set(script["netG"].state_dict())


def test_a_non_empty_output_folder_is_refused_unless_overwrite(tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("an earlier run")
    with pytest.raises(SystemExit, match="not empty"):
        run_script("vae", monkeypatch, "--quick", "--out", str(out))
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    run_script("vae", monkeypatch, "--quick", "--out", str(out), "--overwrite")
    assert (out / "metrics.json").exists() and (out / "keep.txt").read_text() == "an earlier run"


def split_blocks(text):
    """{block name: its lines} and the lines outside every block, module docstring removed.
    A block runs from '# ==== BEGIN NAME' to '# ==== END NAME'; they must come once each, in order."""
    lines = text.splitlines()
    docstring_end = next(i for i, line in enumerate(lines[1:], 1) if line.rstrip().endswith('"""'))
    blocks, outside, current, order = {}, [], None, []
    for number, line in enumerate(lines[docstring_end + 1:], docstring_end + 2):
        begin, end = re.match(r"# =+ BEGIN (\w+)", line), re.match(r"# =+ END (\w+)", line)
        if begin:
            assert current is None and begin[1] not in blocks, f"line {number}: nested or repeated block"
            current = begin[1]
            blocks[current] = []
            order.append(current)
        elif end:
            assert end[1] == current, f"line {number}: END {end[1]} closes {current}"
            current = None
        elif current:
            blocks[current].append(line)
        else:
            outside.append((number, line))
    assert current is None and tuple(order) == BLOCKS, order
    return blocks, outside


def resolve_engine(text, engine):
    """The script as a one-engine user would have it: the ENGINE block's `if` reduced to the
    branch for `engine`, dedented."""
    lines, out, branch = text.splitlines(), [], None
    for line in lines:
        if re.match(r"# =+ BEGIN ENGINE", line):
            branch = "before"
        elif re.match(r"# =+ END ENGINE", line):
            branch = None
        elif branch is not None and re.match(r"if .*== 'tinygan':", line):
            branch = "tinygan"
            continue
        elif branch is not None and line == "else:":
            branch = "torch"
            continue
        if branch in ("tinygan", "torch"):
            if branch == engine:
                out.append(line[4:])
            continue
        out.append(line)
    return out


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_only_the_marked_blocks_name_tinygan(name):
    """The shared body (all code outside the ENGINE, DATA and OUTPUT blocks) is plain PyTorch."""
    blocks, outside = split_blocks((PORTED / f"{name}.py").read_text())
    mentions = [f"line {n}: {line.strip()}" for n, line in outside if "tinygan" in line.lower()]
    assert not mentions, "\n".join(mentions)
    assert len(outside) > 100                                          # the body is the bulk of the file
    engine = "\n".join(blocks["ENGINE"])
    assert "import tinygan as torch" in engine and "\n    import torch\n" in f"\n{engine}\n"


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_the_two_engines_differ_only_in_the_import_block(name):
    text = (PORTED / f"{name}.py").read_text()
    as_tinygan, as_torch = resolve_engine(text, "tinygan"), resolve_engine(text, "torch")
    changed = [line for line in difflib.unified_diff(as_torch, as_tinygan, lineterm="", n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    engine_block = "\n".join(split_blocks(text)[0]["ENGINE"])
    assert changed and all(line[1:].strip() in engine_block for line in changed), changed
    assert len(changed) <= 14, changed
    assert any(line.startswith("+import tinygan as torch") for line in changed)
