"""Bench output: a printed table, bench.json, bench.csv and bench.png (bars + roofline)."""
import csv
import os

from tinygan import files


def kernel_table(rows, peaks):
    lines = [f"{'op':24} {'shape':32} {'impl':10} {'ms':>9} {'rate':>14} {'% of peak':>10}", "-" * 104]
    for r in rows:
        rate = f"{r['gflops']:.1f} GFLOP/s" if r["bound"] == "compute" else f"{r['gbs']:.1f} GB/s"
        lines.append(f"{r['op']:24} {r['shape']:32} {r['impl']:10} {r['ms']:9.2f} {rate:>14} {r['pct_peak']:9.1f}%")
    lines.append(f"peaks measured in this run: float32 GEMM {peaks['gemm_gflops']:.1f} GFLOP/s, "
                 f"copy {peaks['copy_gbs']:.1f} GB/s")
    return "\n".join(lines)


def fastest_table(rows, backend):
    """Per op, the fastest implementation measured here beside the registry's default: where they
    differ, the line to put in TINYGAN_KERNELS (and the case for re-ranking the registrations)."""
    from tinygan.kernels import registry
    lines = [f"{'op':24} {'default here':14} {'fastest here':14} {'default / fastest':>18}", "-" * 74]
    choices = []
    for op in dict.fromkeys(r["op"] for r in rows):
        times = {r["impl"]: r["ms"] for r in rows if r["op"] == op}
        default, fastest = registry.selected(op, backend), min(times, key=times.get)
        ratio = times[default] / times[fastest] if default in times else float("nan")
        lines.append(f"{op:24} {default:14} {fastest:14} {ratio:17.2f}x")
        if fastest != default and ratio > 1.1:
            choices.append(f"{op}:{fastest}")
    lines.append("TINYGAN_KERNELS to use the fastest: " + (",".join(choices) if choices else "(the defaults are fastest)"))
    return "\n".join(lines)


def layer_table(rows):
    lines = [f"{'conv layer':28} {'x':>18} {'w':>18} {'GFLOP':>6}   {'forward':>14} {'backward-data':>14} "
             f"{'backward-weight':>15}", "-" * 122]
    for r in rows:
        parts = "".join(f" {r[p + '_ms']:7.2f} ms {r[p + '_pct']:3.0f}%" for p in ("forward", "backward_data", "backward_weight"))
        lines.append(f"{r['layer']:28} {'x'.join(map(str, r['x'])):>18} {'x'.join(map(str, r['w'])):>18} "
                     f"{r['gflop']:6.3f}  {parts}")
    if rows:
        lines.append("% = GFLOP/s over the measured GEMM peak; a transposed layer's forward is its conv's backward-data")
    return "\n".join(lines)


def step_table(rows):
    lines = [f"{'end-to-end (one training step)':86} {'median ms':>9} {'min–max':>13} {'vs PyTorch':>11} "
             f"{'(same malloc)':>14} {'vs tinygan-first':>17} {'GPU speed-up':>13}", "-" * 169]
    for r in rows:
        ratio = f"{r['vs_torch']:.2f}x" if r.get("vs_torch") else "-"
        same_malloc = f"{r['vs_torch_same_malloc']:.2f}x" if r.get("vs_torch_same_malloc") else "-"
        order = f"{r['vs_tinygan_first']:.2f}x" if r.get("vs_tinygan_first") else "-"
        speedup = f"{r['speedup_vs_numpy']:.1f}x" if r.get("speedup_vs_numpy") else "-"
        spread = f"{r.get('min_ms', r['ms']):.1f}–{r.get('max_ms', r['ms']):.1f}"
        lines.append(f"{r['name']:86} {r['ms']:9.1f} {spread:>13} {ratio:>11} {same_malloc:>14} {order:>17} "
                     f"{speedup:>13}")
    return "\n".join(lines)


def write(out_dir, result):
    os.makedirs(out_dir, exist_ok=True)
    files.write_json(os.path.join(out_dir, "bench.json"), result)
    with files.atomic_open(os.path.join(out_dir, "bench.csv"), "w", newline="") as f:
        fields = ["kind", "op", "shape", "impl", "ms", "gflops", "gbs", "pct_peak", "vs_torch", "vs_torch_same_malloc",
                  "vs_tinygan_first", "forward_pct", "backward_data_pct", "backward_weight_pct"]
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for r in result["kernels"]:
            writer.writerow({"kind": "kernel", **r})
        for r in result.get("layers", []):
            writer.writerow({"kind": "layer", "op": r["layer"], "ms": r["forward_ms"] + r["backward_data_ms"]
                             + r["backward_weight_ms"], **r})
        for r in result["steps"]:
            writer.writerow({"kind": "step", "op": r["name"], **r})
    _plot(os.path.join(out_dir, "bench.png"), result)


def _plot(path, result):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows, peaks = result["kernels"], result["peaks"]
    fig, (bars, roof) = plt.subplots(1, 2, figsize=(14, 5.5))
    labels = [f"{r['op']} [{r['impl']}]" for r in rows]
    bars.barh(range(len(rows)), [r["ms"] for r in rows], color=["C0" if r["bound"] == "compute" else "C1" for r in rows])
    bars.set_yticks(range(len(rows)), labels, fontsize=7)
    bars.invert_yaxis()
    bars.set_xscale("log")
    bars.set_xlabel("ms (median, log scale)")
    bars.set_title("time per kernel call (blue: conv, orange: memory-bound)")
    peak, bw = peaks["gemm_gflops"], peaks["copy_gbs"]
    intensity = [0.05 * 1.5 ** i for i in range(26)]
    roof.loglog(intensity, [min(peak, bw * ai) for ai in intensity], "k-", label="roof: min(GEMM peak, copy BW × AI)")
    for r in rows:
        roof.scatter(r["flops"] / r["bytes"], r["gflops"], color="C0" if r["bound"] == "compute" else "C1", s=18)
        roof.annotate(r["impl"], (r["flops"] / r["bytes"], r["gflops"]), fontsize=6)
    roof.set_xlabel("arithmetic intensity (FLOP / compulsory byte)")
    roof.set_ylabel("GFLOP/s")
    roof.set_title(f"roofline ({result['machine']['cpu'] if result['machine']['device'] == 'cpu' else result['machine'].get('gpu')})")
    roof.legend(fontsize=7)
    fig.tight_layout()
    files.save_figure(fig, path, dpi=110)
    plt.close(fig)
