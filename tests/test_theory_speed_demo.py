"""demos/09_theory_speed.py --quick runs and times every theory function (timings are printed,
never asserted)."""
from demo_loader import load_demo


def test_theory_speed_demo_quick_times_every_function():
    demo = load_demo("09_theory_speed")
    results = demo.main(["--quick"])
    names = " ".join(row["name"] for row in results["rows"])
    assert all(0 < row["min_s"] <= row["median_s"] <= row["max_s"] for row in results["rows"])
    for function in ("wasserstein1_points", "emd", "sinkhorn", "mmd2", "mmd_test", "c2st", "nn1_accuracy"):
        assert function in names, (function, names)
