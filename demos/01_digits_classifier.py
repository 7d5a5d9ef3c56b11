"""Learning works: an MLP and a small conv net trained with tinygan on scikit-learn's digits.

    python demos/01_digits_classifier.py [--quick] [--epochs N] [--out DIR]

Prints test accuracy and wall time for each model and writes metrics.json to --out.
"""
import argparse
import os
import time


import tinygan
import tinygan.nn.functional as F
from tinygan import files, nn, optim
from tinygan.data import DataLoader, load_digits


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 10))


def convnet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),                 # 16 × 8 × 8
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),   # 32 × 4 × 4
        nn.Flatten(), nn.Linear(32 * 4 * 4, 10))


def accuracy(model, x, y):
    model.eval()
    with tinygan.no_grad():
        pred = model(tinygan.tensor(x)).numpy().argmax(axis=1)
    model.train()
    return float((pred == y).mean())


def train(model, data, epochs, lr=2e-3):
    x_tr, y_tr, x_te, y_te = data
    opt = optim.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in DataLoader(x_tr, y_tr, batch_size=32, shuffle=True):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return accuracy(model, x_te, y_te), time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (the smoke test the tests run)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/digits")
    args = parser.parse_args(argv)
    epochs = args.epochs or (20 if args.quick else 40)
    tinygan.manual_seed(args.seed)
    data = load_digits(seed=args.seed)
    results = {}
    for name, make in [("mlp", mlp), ("convnet", convnet)]:
        acc, seconds = train(make(), data, epochs)
        results[name] = {"test_accuracy": acc, "seconds": round(seconds, 2), "epochs": epochs}
        print(f"{name:8s} test accuracy {acc * 100:5.1f} %  ({epochs} epochs, {seconds:.1f} s)")
    os.makedirs(args.out, exist_ok=True)
    files.write_json(os.path.join(args.out, "metrics.json"), results)
    return results


if __name__ == "__main__":
    main()
