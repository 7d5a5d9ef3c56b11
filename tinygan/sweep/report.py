"""`tinygan report DIR`: every run's metrics.json (and its config) in one table, and the study's
tables beside the published numbers.

Writes (each atomically, tinygan/files.py):
- results.csv / results.json: one row per run under DIR (finished, failed per DIR/failures.json,
  or listed in DIR/sweep.json and not finished yet), with its settings, config and metrics;
- configurations.md: mean ± std over seeds of each configuration's metrics;
- table.md and <data>-samples.png (2-D GAN runs): the mode-collapse table beside PacGAN's numbers
  (Lin et al. 2018, Table 1) and one scatter of samples per method;
- spearman.md and spearman.png (VAE runs scored by `[evaluate]`): the Spearman rank correlation
  of the six disentanglement metrics over the models, beside the lecture's (Locatello et al. 2019).
A configuration is the run's method and its settings other than the seed (sweep.json); runs
trained outside a sweep are labelled by the config fields that differ between them.
"""
import csv
import io
import math
import os

import numpy as np

from tinygan import files
from tinygan.sweep import runner, spec as specs

# PacGAN Table 1: (modes, HQ %, reverse KL). Its "GAN" is trained with the non-saturating generator
# loss (softplus(−D(G(z))) in its released code), hence the NS-GAN row. Keyed by (data, method name).
PACGAN_PUBLISHED = {
    ("ring", "NS-GAN"): (6.3, 98.2, 0.45), ("ring", "PacGAN2"): (7.9, 95.6, 0.07),
    ("grid", "NS-GAN"): (17.3, 94.8, 0.70), ("grid", "PacGAN4"): (24.8, 93.6, 0.04),
}
MODE_METRICS = (("modes", 1, 1), ("hq", 100, 1), ("kl", 1, 2), ("w1", 1, 3), ("mmd2", 1, 4))  # key, scale, digits
# the lecture's names -> (tinygan.metrics.disentanglement name, the score Locatello et al. report)
AGREEMENT_METRICS = {name: (metric, specs.MAIN_SCORES[metric]) for name, metric in (
    ("BetaVAE", "beta_vae"), ("FactorVAE", "factor_vae"), ("MIG", "mig"), ("DCI", "dci"),
    ("Modularity", "modularity_explicitness"), ("SAP", "sap"))}
LECTURE = np.array([  # Spearman ×100 on noisy dSprites (Locatello et al. 2019, Fig. 2), AGREEMENT_METRICS order
    [100, 80, 44, 41, 46, 37], [80, 100, 49, 52, 25, 38], [44, 49, 100, 76, 6, 42],
    [41, 52, 76, 100, -8, 38], [46, 25, 6, -8, 100, 13], [37, 38, 42, 38, 13, 100]])


# ---- collecting ----------------------------------------------------------------------------------
def collect(out, names=None):
    """One dict per run under `out`: {"run", "status" (done | failed | missing), "kind", "method",
    "settings", "label", "config", "final", "disentanglement", "error"}; sweep.json's order first.
    names: only these runs (e.g. one spec's, in a DIR that holds more)."""
    out = os.path.abspath(out)
    if not os.path.isdir(out):
        raise FileNotFoundError(f"report: {out} is not a folder")
    sweep = runner.read_json(os.path.join(out, runner.SWEEP_FILE)) or {}
    listed = sweep.get("runs", {})
    failures = runner.read_json(os.path.join(out, runner.FAILURES)) or {}
    found = {}
    for folder, subfolders, filenames in os.walk(out):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d != "progress")
        if "metrics.json" in filenames and folder != out:
            found[os.path.relpath(folder, out).replace(os.sep, "/")] = os.path.join(folder, "metrics.json")
    order = list(dict.fromkeys(sweep.get("order", []) + list(listed) + sorted(found) + list(failures)))
    rows = []
    for name in order:
        if names is not None and name not in names:
            continue
        info = listed.get(name, {})
        row = {"run": name, "method": info.get("method", ""), "settings": info.get("settings", {}),
               "label": info.get("label", ""), "config": info.get("config", {}), "final": {}, "disentanglement": {}}
        if name in found:
            metrics = runner.read_json(found[name])
            row.update(status="done", config=metrics.get("config", row["config"]), final=metrics.get("final", {}),
                       disentanglement=metrics.get("disentanglement", {}))
        elif name in failures:
            row.update(status="failed", error=failures[name].get("error", ""))
        else:
            row["status"] = "missing"
        row["kind"] = _kind(row["config"]) or sweep.get("kind", "")
        rows.append(row)
    _label_unlisted(rows)
    return rows


def _kind(config):
    return "gan" if "loss" in config else "vae" if "lambda_od" in config else None


def _label_unlisted(rows):
    """Runs without a sweep.json entry: labelled by the config fields (not the seed) that differ."""
    for kind in ("gan", "vae"):
        group = [r for r in rows if r["kind"] == kind and not r["label"]]
        keys = sorted({k for r in group for k in r["config"]})
        varying = [k for k in keys if k != "seed" and len({repr(r["config"].get(k)) for r in group}) > 1]
        for r in group:
            r["label"] = " ".join(f"{k}={specs.value_text(r['config'].get(k))}" for k in varying) or kind
            r["settings"] = r["settings"] or {k: r["config"].get(k) for k in varying + ["seed"]}


def flat(row):
    """A row as CSV cells: run, status, kind, method, label, config.*, final.*, disentanglement.*.*"""
    cells = {k: row.get(k, "") for k in ("run", "status", "kind", "method", "label")}
    cells.update({f"config.{k}": v for k, v in row["config"].items()})
    cells.update({f"final.{k}": v for k, v in row["final"].items() if _number(v)})
    for metric, scores in row["disentanglement"].items():
        cells.update({f"disentanglement.{metric}.{k}": v for k, v in scores.items() if _number(v)})
    cells["error"] = row.get("error", "")
    return cells


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def write_results(out, rows):
    columns = list(dict.fromkeys(k for r in rows for k in flat(r)))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(flat(r))
    files.write_text(os.path.join(out, "results.csv"), text.getvalue())
    files.write_json(os.path.join(out, "results.json"), {"runs": rows})


# ---- per configuration ---------------------------------------------------------------------------
def _mean_std(values, digits, scale=1):
    """"mean ± std" of the finite values (population std, over seeds); "–" if there are none."""
    values = scale * np.array(values, dtype=float)
    values = values[np.isfinite(values)]
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}" if len(values) else "–"


def configurations_table(rows):
    """Markdown: mean ± std over the seeds of each configuration, for every number the runs report."""
    lines = []
    for kind in ("gan", "vae"):
        done = [r for r in rows if r["status"] == "done" and r["kind"] == kind]
        if not done:
            continue
        groups = {}
        for r in done:
            groups.setdefault(r["label"], []).append(_numbers(r))
        keys = list(dict.fromkeys(k for g in groups.values() for n in g for k in n))
        lines += [f"{kind.upper()} runs: mean ± std over seeds", "",
                  "| configuration | runs | " + " | ".join(keys) + " |", "|---|---" + "|---" * len(keys) + "|"]
        for label, numbers in groups.items():
            cells = [_mean_std([n[k] for n in numbers if k in n], 3) for k in keys]
            lines.append(f"| {label} | {len(numbers)} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _numbers(row):
    numbers = {k: v for k, v in row["final"].items() if _number(v) and k != "step"}
    for metric, key in specs.MAIN_SCORES.items():
        if key in row["disentanglement"].get(metric, {}):
            numbers[f"{metric}.{key}"] = row["disentanglement"][metric][key]
    return numbers


# ---- the mode-collapse table (2-D GANs) ----------------------------------------------------------
def mode_collapse_groups(rows):
    """{"data/method": [final, ...]} of the finished 2-D GAN runs, data first (in the order the runs
    come), then methods in their order; finals in seed order."""
    groups, data_order = {}, {}
    for r in rows:
        if r["status"] == "done" and r["kind"] == "gan" and "modes" in r["final"]:
            data = r["config"]["data"]
            data_order.setdefault(data, len(data_order))
            groups.setdefault((data, _method_label(r)), []).append(r)
    ordered = sorted(groups, key=lambda k: (data_order[k[0]], list(groups).index(k)))
    return {f"{data}/{name}": [r["final"] for r in sorted(groups[(data, name)], key=lambda r: r["config"]["seed"])]
            for data, name in ordered}


def _method_label(row):
    """The method and its settings other than the data and seed (a mode-collapse table row's name)."""
    extra = [f"{k}={specs.value_text(v)}" for k, v in row["settings"].items() if k not in ("data", "seed")]
    return " ".join(p for p in [row["method"]] + extra if p) or "run"


def mode_collapse_table(groups, seeds, steps, width, batch, model=None):
    """The markdown table of demo 04: per data/method the mean ± std of modes, HQ %, reverse KL, W₁,
    MMD² beside PacGAN's published numbers. steps/width/batch/model: numbers or texts for the header
    (width 0 or "": the trainer's default widths)."""
    if not width:
        widths = "default widths"
    elif model == "pacgan":     # --width is D's maxout units there, and G gets twice as many (gan/train.py)
        from tinygan.gan.models import PACGAN_PIECES
        g_width = 2 * width if isinstance(width, int) else "2x D's"     # width: "100/200" when runs differ
        widths = f"PacGAN's networks (D {width} maxout units x {PACGAN_PIECES} pieces, G {g_width} units)"
    else:
        widths = f"{width} hidden units"
    lines = [f"{seeds} seed(s), {steps} steps per run, batch {batch}, {widths}; published: PacGAN (Lin et al. 2018) "
             "Table 1", "",
             "| data | method | seeds | modes | HQ % | reverse KL | W₁ | MMD² | published (modes / HQ % / KL) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for key, finals in groups.items():
        data, name = key.split("/", 1)
        cells = [_mean_std([f.get(metric, math.nan) for f in finals], digits, scale)
                 for metric, scale, digits in MODE_METRICS]
        pub = PACGAN_PUBLISHED.get((data, name))
        pub_text = f"{pub[0]} / {pub[1]} / {pub[2]}" if pub else ""
        lines.append(f"| {data} | {name} | {len(finals)} | {' | '.join(cells)} | {pub_text} |")
    return "\n".join(lines)


def _shared(rows, key):
    values = sorted({r["config"].get(key) for r in rows}, key=str)
    return values[0] if len(values) == 1 else "/".join(str(v) for v in values)


def sample_panel(out, rows, data, path):
    """One scatter per method on `data` (its lowest seed's generator, 2 500 samples) over the modes."""
    from tinygan.gan import train as gan_train
    from tinygan.gan.plots import _pyplot
    chosen = {}
    for r in sorted((r for r in rows if r["status"] == "done" and r["kind"] == "gan" and r["config"]["data"] == data
                     and "modes" in r["final"]), key=lambda r: r["config"]["seed"]):
        chosen.setdefault(_method_label(r), r)
    if not chosen:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(chosen), figsize=(2.3 * len(chosen) + 0.4, 2.6), squeeze=False)
    for ax, (name, r) in zip(axes[0], chosen.items()):
        run = gan_train.load_run(os.path.join(out, *r["run"].split("/")), "report")
        pts, stats = run.sample(2500, seed=0), run.history["eval"][-1]
        ax.scatter(pts[:, 0], pts[:, 1], s=1, alpha=0.3)
        ax.scatter(*run.dataset.centers.T, c="red", marker="x", s=12)
        ax.set_title(f"{name}\n{stats['modes']} modes, HQ {100 * stats['hq']:.0f} %", fontsize=7)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    files.save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


# ---- the metric-agreement study (VAEs) -----------------------------------------------------------
def agreement_rows(rows):
    """Per scored VAE run: {"model": configuration, "seed", one score per AGREEMENT_METRICS name
    (NaN if not computed), "offdiag_norm", "reconstruction"}."""
    out = []
    for r in rows:
        if r["status"] != "done" or r["kind"] != "vae" or not r["disentanglement"]:
            continue
        scores = {name: float(r["disentanglement"].get(metric, {}).get(key, math.nan))
                  for name, (metric, key) in AGREEMENT_METRICS.items()}
        out.append({"model": r["label"], "seed": r["config"].get("seed"), **scores,
                    "offdiag_norm": r["final"].get("offdiag_norm", math.nan),
                    "reconstruction": r["final"].get("reconstruction", math.nan)})
    return out


def spearman_matrix(rows):
    """100 × Spearman ρ between metrics over the trained models (NaN where a metric is constant)."""
    from scipy.stats import spearmanr
    names = list(AGREEMENT_METRICS)
    scores = np.array([[r[m] for m in names] for r in rows], dtype=float).reshape(len(rows), len(names))
    rho = np.full((len(names), len(names)), np.nan)
    for i in range(len(names)):
        for j in range(len(names)):
            if np.ptp(scores[:, i]) > 0 and np.ptp(scores[:, j]) > 0:
                rho[i, j] = spearmanr(scores[:, i], scores[:, j]).statistic
    return 100 * rho


def agreement_table(rows, rho, data):
    """Markdown: the Spearman matrix here / in the lecture, how well their orders agree, and each
    configuration's scores (mean ± std over seeds)."""
    names = list(AGREEMENT_METRICS)
    lines = [f"{len(rows)} models on {data}. Spearman ×100 here / in the lecture (Locatello et al. 2019, noisy "
             "dSprites):", "", "| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for i, a in enumerate(names):
        cells = [f"{rho[i, j]:.0f} / {LECTURE[i, j]}" if np.isfinite(rho[i, j]) else f"– / {LECTURE[i, j]}"
                 for j in range(len(names))]
        lines.append(f"| {a} | " + " | ".join(cells) + " |")
    upper = np.triu_indices(len(names), 1)
    ok = np.isfinite(rho[upper])
    if ok.sum() > 2:
        from scipy.stats import spearmanr
        agreement = spearmanr(rho[upper][ok], LECTURE[upper][ok]).statistic
        lines += ["", f"Rank agreement of the {ok.sum()} off-diagonal pairs with the lecture's: "
                      f"Spearman {agreement:.2f}"]
    columns = names + ["offdiag_norm", "reconstruction"]
    lines += ["", "Per configuration, mean ± std over seeds (offdiag_norm: ‖off-diagonal of Cov q(z)‖, DIP-VAE's "
              "target 0):", "", "| model | seeds | " + " | ".join(columns) + " |",
              "|---|---" + "|---" * len(columns) + "|"]
    for model in dict.fromkeys(r["model"] for r in rows):
        group = [r for r in rows if r["model"] == model]
        cells = [_mean_std([r[c] for r in group], 3) for c in columns]
        lines.append(f"| {model} | {len(group)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_spearman(rho, path):
    """This sweep's Spearman matrix beside the lecture's."""
    from tinygan.gan.plots import _pyplot
    plt = _pyplot()
    names = list(AGREEMENT_METRICS)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    for ax, matrix, title in ((axes[0], rho, "this sweep"), (axes[1], LECTURE, "lecture (Locatello et al.)")):
        ax.imshow(matrix, vmin=-100, vmax=100, cmap="RdBu")
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(names)), names, fontsize=8)
        for i in range(len(names)):
            for j in range(len(names)):
                if np.isfinite(matrix[i, j]):
                    dark = abs(matrix[i, j]) > 60          # the colour map's deep ends: white text reads there
                    ax.text(j, i, f"{matrix[i, j]:.0f}", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
        ax.set_title(f"Spearman ×100, {title}", fontsize=9)
    fig.tight_layout()
    files.save_figure(fig, path, dpi=100)
    plt.close(fig)


# ---- everything ----------------------------------------------------------------------------------
def report(out, names=None, pictures=True):
    """Write every table of the study in `out` (see the module docstring); returns {"rows", "text",
    "written"} (the tables' markdown, the files written)."""
    out = os.path.abspath(out)
    rows = collect(out, names)
    if not rows:
        raise FileNotFoundError(f"report: no run (metrics.json, sweep.json) under {out}")
    write_results(out, rows)
    written, texts = ["results.csv", "results.json"], []
    configurations = configurations_table(rows)
    if configurations:
        files.write_text(os.path.join(out, "configurations.md"), configurations + "\n")
        written.append("configurations.md")
    groups = mode_collapse_groups(rows)
    if groups:
        toy = [r for r in rows if r["status"] == "done" and r["kind"] == "gan" and "modes" in r["final"]]
        seeds = max(len(v) for v in groups.values())
        width = _shared(toy, "width")
        text = mode_collapse_table(groups, seeds, _shared(toy, "steps"), width, _shared(toy, "batch"),
                                   _shared(toy, "model"))
        files.write_text(os.path.join(out, "table.md"), text + "\n")
        written.append("table.md")
        texts.append(text)
        for data in dict.fromkeys(key.split("/", 1)[0] for key in groups):
            if pictures and sample_panel(out, rows, data, os.path.join(out, f"{data}-samples.png")):
                written.append(f"{data}-samples.png")
    scored = agreement_rows(rows)
    if len(scored) >= 2:
        rho = spearman_matrix(scored)
        data = "/".join(sorted({r["config"].get("data", "?") for r in rows if r["kind"] == "vae"}))
        text = agreement_table(scored, rho, data)
        files.write_text(os.path.join(out, "spearman.md"), text + "\n")
        written.append("spearman.md")
        texts.append(text)
        if pictures:
            plot_spearman(rho, os.path.join(out, "spearman.png"))
            written.append("spearman.png")
    if not texts and configurations:
        texts.append(configurations)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("done", "failed", "missing")}
    return {"rows": rows, "counts": counts, "text": "\n\n".join(texts), "written": written}
