"""tinygan sweep's study specs (tinygan/sweep/spec.py): expansion into checked runs, their names,
the checks' one-line errors, the shipped studies, and the time to expand 1 000 runs."""
import time

import pytest

from tinygan import cli
from tinygan.sweep import spec as specs

from sweep_helpers import tiny_vae_spec


def test_spec_expands_methods_times_their_lists_times_the_grid(tmp_path):
    spec = specs.from_dict({
        "kind": "gan", "config": {"steps": 10},
        "grid": {"data": ["ring", "grid"], "seed": [0, 1, 2]},
        "methods": {"NS-GAN": {"loss": "ns"}, "PacGAN": {"loss": "ns", "pack": [2, 3, 4]},
                    "Unrolled GAN (K=5)": {"unrolled": 5}}})
    runs = spec.runs()
    assert len(runs) == (1 + 3 + 1) * 2 * 3
    assert [r.name for r in runs] == [r.name for r in spec.runs()]                  # deterministic
    assert len({r.name for r in runs}) == len(runs)
    assert runs[0].name == "NS-GAN_data=ring_seed=0" and runs[-1].name == "Unrolled_GAN_K=5_data=grid_seed=2"
    pac = [r for r in runs if r.method == "PacGAN"]
    assert [r.settings["pack"] for r in pac] == [2] * 6 + [3] * 6 + [4] * 6         # method lists outermost
    assert pac[0].name == "PacGAN_pack=2_data=ring_seed=0" and pac[0].label() == "PacGAN pack=2 data=ring"
    # every config is the trainer's checked one: defaults resolved, [config] and the method applied
    assert pac[0].config["pack"] == 2 and pac[0].config["steps"] == 10 and pac[0].config["batch"] == 100
    assert pac[0].config["model"] == "mlp" and runs[-1].config["unrolled"] == 5
    # a folder template nests the runs; values are written without path characters
    template = {**spec.to_dict(), "folder": "{data}/{method}/seed{seed}"}
    with pytest.raises(specs.SpecError, match="PacGAN.* pack=2 .* pack=3 .* would share the folder ring/PacGAN/seed0"):
        specs.from_dict(template).runs()
    nested = specs.from_dict({**template, "methods": {k: v for k, v in spec.methods.items() if k != "PacGAN"}}).runs()
    assert nested[0].name == "ring/NS-GAN/seed0" and nested[-1].name == "grid/Unrolled_GAN_K=5/seed2"


def test_a_thousand_run_spec_expands_and_checks_in_under_two_seconds():
    specs.trainer("gan")                                       # the trainer's import is not the expansion
    spec = specs.from_dict({"kind": "gan", "grid": {"data": ["ring", "grid"], "lr": [1e-4, 2e-4, 5e-4, 1e-3, 2e-3],
                                                    "seed": list(range(50))},
                            "methods": {"GAN": {"loss": "minimax"}, "NS-GAN": {"loss": "ns"}}})
    start = time.perf_counter()
    runs = spec.runs()
    took = time.perf_counter() - start
    assert len(runs) == 1000 and len({r.name for r in runs}) == 1000
    assert took < 2.0, f"{took:.2f} s"


@pytest.mark.parametrize("data, says", [
    ({"kind": "gann"}, "kind = 'gann'"),
    ({"kind": "gan", "grid": {"sed": [0]}}, "'sed' is not a field"),
    ({"kind": "gan", "grid": {"seed": []}}, "seed is an empty list"),
    ({"kind": "gan", "grid": {"seed": 0}}, "must be a list"),
    ({"kind": "gan", "config": {"seed": [0, 1]}}, "lists go in [grid]"),
    ({"kind": "gan", "grid": {"seed": [0.5]}}, "the field is a int"),
    ({"kind": "gan", "config": {"seed": 0}, "grid": {"seed": [1]}}, "both [config] and [grid]"),
    ({"kind": "gan", "grid": {"pack": [1, 0]}}, "run pack=0: train gan: need --pack >= 1"),
    ({"kind": "gan", "grid": {"loss": ["ns", "wgan"]}, "config": {"label_smoothing": True}},
     "run loss=wgan: train gan: --label-smoothing applies"),
    ({"kind": "vae", "methods": {"vae": {"model": "vae", "beta": [4.0]}}}, "--beta applies to --model beta-vae"),
    ({"kind": "gan", "grid": {"seed": [0, 0]}}, "would share the folder seed=0"),
    ({"kind": "gan", "folder": "{data}", "grid": {"seed": [0, 1]}}, "names 'data', which is not a setting"),
    ({"kind": "gan", "folder": "../{seed}", "grid": {"seed": [0]}}, "'.' or '..' level"),
    ({"kind": "vae", "evaluate": {"metrics": ["mig", "nope"]}}, "unknown metric(s) ['nope']"),
    ({"kind": "vae", "evaluate": {"sizes": "huge"}}, "sizes = 'huge'"),
    ({"kind": "gan", "evaluate": {"sizes": "quick"}}, "has no ['sizes']"),
    ({"kind": "gan", "grids": {}}, "unknown key(s) ['grids']"),
])
def test_a_bad_spec_is_one_line_naming_the_file(data, says):
    with pytest.raises(specs.SpecError) as info:
        specs.from_dict(data, source="study.toml").runs()
    message = str(info.value)
    assert message.startswith("study.toml: ") and says in message and "\n" not in message, message


def test_spec_files_and_the_shipped_studies(tmp_path, capsys):
    path = tiny_vae_spec(tmp_path)
    assert [r.name for r in specs.load(str(path)).runs()] == ["vae_seed=0", "vae_seed=1", "beta-vae_beta=4_seed=0",
                                                              "beta-vae_beta=4_seed=1"]
    (tmp_path / "broken.toml").write_text("kind = \n")
    assert cli.main(["sweep", str(tmp_path / "broken.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert len(specs.load("mode-collapse").runs()) == 9 * 2 * 5
    agreement = specs.load("metric-agreement").runs()
    assert len(agreement) == 18 * 5 and {r.config["data"] for r in agreement} == {"noisy-dsprites"}
    assert cli.main(["sweep", "mode-collapse", "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "ring/PacGAN4/seed0" in out and "90 runs of train gan" in out and not (tmp_path / "o").exists()
