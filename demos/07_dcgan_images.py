"""DCGAN (Radford et al. 2016) on procedural shapes and on scikit-learn's digits, resized to 32×32:
trains both, saves sample grids beside real images, and scores them with the classifier-based
Fréchet distance and class coverage (tinygan.metrics.images).

    python demos/07_dcgan_images.py [--quick] [--data digits shapes] [--steps 2000] [--out DIR]

Writes DIR/<data>/ (samples.png, progress/, losses.png, metrics.json, checkpoint.npz) and
DIR/<data>-real.png. --quick trains a tiny model for a few steps: a smoke test.
"""
import argparse
import json
import os
import time

from tinygan.data import images
from tinygan.gan import plots
from tinygan.gan import train as gan_train


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few steps of a tiny model (smoke test)")
    parser.add_argument("--data", nargs="+", default=["digits", "shapes"], choices=("digits", "shapes"))
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--out", default="runs/dcgan")
    args = parser.parse_args(argv)
    size = dict(steps=3, batch=8, width=4, eval_every=3) if args.quick else dict(steps=args.steps, eval_every=500)
    results = {}
    for data in args.data:
        start = time.perf_counter()
        cfg = gan_train.Config(data=data, model="dcgan", loss="ns", checkpoint_every=size["steps"], **size)
        folder = os.path.join(args.out, data)
        final = gan_train.train(cfg, folder, progress=not args.quick, overwrite=True)   # the demo's own runs
        seconds = time.perf_counter() - start
        with open(os.path.join(folder, "metrics.json")) as f:
            classifier = json.load(f)["classifier"]
        plots.save_image_grid(images.get(data).sample(64, 0), os.path.join(args.out, f"{data}-real.png"), 8, f"real {data}")
        results[data] = {**final, **classifier, "seconds": seconds}
        print(f"{data}: {cfg.steps} steps in {seconds:.0f} s; Fréchet distance {final['fd']:.1f} (real vs real "
              f"{classifier['fd_real_vs_real']:.1f}), {final['classes']} classes, class KL {final['class_kl']:.3f}, "
              f"classifier accuracy {classifier['held_out_accuracy']:.3f}  ->  {folder}/samples.png")
    return results


if __name__ == "__main__":
    main()
