"""GANs on PacGAN's 2-D ring and grid, scored with its mode metrics (modes, HQ %, reverse KL).

    python demos/03_toy2d_gan.py [--quick] [--data ring|grid] [--steps N] [--out DIR]

Trains a non-saturating GAN and PacGAN2 from the same seed and prints their metrics side by
side. The multi-seed table (every method over five seeds, next to PacGAN's Table 1) is
demos/04_mode_collapse_table.py; its results are in docs/gan-results.md.
"""
import argparse
import os

from tinygan.gan import train as gan_train


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few hundred steps: the smoke test the tests run")
    parser.add_argument("--data", default="ring", choices=("ring", "grid"))
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/toy2d")
    args = parser.parse_args(argv)
    steps = args.steps or (300 if args.quick else 20000)
    results = {}
    for name, pack in (("GAN", 1), ("PacGAN2", 2)):
        cfg = gan_train.Config(data=args.data, loss="ns", pack=pack, steps=steps, seed=args.seed,
                             eval_every=max(steps // 4, 1), checkpoint_every=steps)
        results[name] = gan_train.train(cfg, os.path.join(args.out, f"{args.data}-{name}"), progress=not args.quick,
                                        overwrite=True)     # a demo replaces its own runs in --out
    print(f"{args.data}, {steps} steps, seed {args.seed}:")
    print(f"{'method':10} {'modes':>6} {'HQ %':>7} {'rev. KL':>8}")
    for name, r in results.items():
        print(f"{name:10} {r['modes']:6d} {100 * r['hq']:7.1f} {r['kl']:8.3f}")
    return results


if __name__ == "__main__":
    main()
