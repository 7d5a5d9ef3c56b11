"""A PyTorch DCGAN step in its own process, timed on request (the bench's baseline).

Its own process so that tinygan's threading defaults (OMP_WAIT_POLICY=PASSIVE, which PyTorch's
OpenMP would also obey) do not handicap PyTorch; on request so that the bench can alternate
rounds of tinygan and PyTorch steps, and slow drift of a shared machine cancels out of the ratio.
Protocol: one line "N" on stdin -> one line on stdout: JSON list of N step times in seconds.
"""
import json
import sys
import time


def main():
    device, size = sys.argv[1], int(sys.argv[2])
    from tinygan.benchmark.suites import torch_dcgan_step
    step, sync = torch_dcgan_step(device, image_size=size)
    if step is None:
        print("null", flush=True)
        return
    import torch
    print(json.dumps(torch.__version__), flush=True)
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            start = time.perf_counter()
            step()
            if sync:
                sync()
            times.append(time.perf_counter() - start)
        print(json.dumps(times), flush=True)


if __name__ == "__main__":
    main()
