"""tinygan.profile(): per-op calls, forward/backward time and the kernels that ran."""
import tinygan
import tinygan.nn.functional as F
from tinygan import nn


def test_profile_counts_ops_and_names_kernels():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 1))
    x = tinygan.randn(8, 1, 6, 6)
    with tinygan.profile() as prof:
        for _ in range(3):
            loss = F.binary_cross_entropy_with_logits(model(x), tinygan.ones(8, 1))
            loss.backward()
    rows = {r["op"]: r for r in prof.rows()}
    assert rows["Conv2d"]["calls"] == 3 and rows["BCEWithLogits"]["calls"] == 3
    assert rows["Conv2d"]["backward_s"] > 0 and rows["Conv2d"]["forward_s"] > 0
    assert "conv2d_forward:" in rows["Conv2d"]["kernels"] and "conv2d_backward_weight:" in rows["Conv2d"]["kernels"]
    assert "batch_norm_backward:" in rows["BatchNormTrain"]["kernels"]
    totals = [r["total_s"] for r in prof.rows()]
    assert totals == sorted(totals, reverse=True)
    assert sum(totals) <= prof.wall_s            # nested ops inside a backward are not counted twice
    table = prof.table()
    assert table.splitlines()[0].split()[:3] == ["op", "calls", "forward"] and "Conv2d" in table


def test_no_profile_no_overhead_state():
    from tinygan import profiler
    assert profiler._active is None
    with tinygan.profile():
        assert profiler._active is not None
    assert profiler._active is None
