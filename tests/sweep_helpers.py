"""Shared by the sweep tests: a spec file of tiny VAE runs (a second or so each)."""
import json

# a VAE run of a second or so: an MLP, 2 latents, 8 images a step
TINY_VAE = {"arch": "mlp", "latents": 2, "batch": 8, "steps": 4, "eval_every": 2, "checkpoint_every": 2}


def tiny_vae_spec(tmp_path, name="tiny.toml", methods=None, seeds=(0, 1), extra=""):
    """A spec file of tiny VAE runs: `methods` {name: TOML body}, a [grid] of `seeds` (none if empty)."""
    methods = methods or {"vae": 'model = "vae"', "beta-vae": 'model = "beta-vae"\nbeta = [4.0]'}
    text = f"kind = \"vae\"\n{extra}\n[config]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in TINY_VAE.items())
    text += f"\n[grid]\nseed = {list(seeds)}\n" if seeds else "\n"
    for method, body in methods.items():
        text += f"\n[methods.{method}]\n{body}\n"
    text += '\n[evaluate]\nmetrics = ["mig", "sap"]\nsizes = "quick"\n'
    path = tmp_path / name
    path.write_text(text)
    return path


def lines_of(echoed):
    return lambda line: echoed.append(line)

