"""CPU vs GPU kernels, measured: runs `tinygan bench` (kernel and conv-layer tables; training steps
in both import orders beside PyTorch's, each in a fresh process).

    python demos/02_benchmark.py [--quick] [--device cpu|gpu] [--out DIR]
"""
import sys

from tinygan import cli

if __name__ == "__main__":
    sys.exit(cli.main(["bench", *sys.argv[1:]]))
