"""The loss modules (tinygan/nn/loss.py) and the functional forms they call: float64 gradchecks,
value and gradient parity with torch for every reduction, and the one-line shape/option errors."""
import math

import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from tinygan import nn
from tinygan.testing import gradcheck

rng = np.random.default_rng(14)
N, C = 4, 3
LOGITS = rng.standard_normal((N, C))
PROBS = rng.uniform(0.05, 0.95, (N, C))
SOFT = rng.uniform(0.0, 1.0, (N, C))
OTHER = rng.standard_normal((N, C))
CLASSES = np.array([2, 0, 1, 2])
DIST = np.exp(OTHER) / np.exp(OTHER).sum(axis=1, keepdims=True)           # rows of probabilities
LOGQ = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))          # rows of log-probabilities
POS_WEIGHT = np.array([0.5, 1.0, 3.0])

# name -> (module class, extra kwargs, (input, target), is the target differentiable?, torch's name)
CASES = {
    "bce": (nn.BCELoss, {}, (PROBS, SOFT), True, "BCELoss"),
    "bce_logits": (nn.BCEWithLogitsLoss, {}, (LOGITS, SOFT), True, "BCEWithLogitsLoss"),
    "bce_logits_pos_weight": (nn.BCEWithLogitsLoss, {"pos_weight": POS_WEIGHT}, (LOGITS, SOFT), True,
                              "BCEWithLogitsLoss"),
    "mse": (nn.MSELoss, {}, (LOGITS, OTHER), True, "MSELoss"),
    "l1": (nn.L1Loss, {}, (LOGITS, OTHER), True, "L1Loss"),
    "nll": (nn.NLLLoss, {}, (LOGQ, CLASSES), False, "NLLLoss"),
    "cross_entropy": (nn.CrossEntropyLoss, {}, (LOGITS, CLASSES), False, "CrossEntropyLoss"),
    "cross_entropy_probs": (nn.CrossEntropyLoss, {}, (LOGITS, DIST), True, "CrossEntropyLoss"),
    "kl_div": (nn.KLDivLoss, {}, (LOGQ, DIST), True, "KLDivLoss"),
    "kl_div_log_target": (nn.KLDivLoss, {"log_target": True}, (LOGQ, np.log(DIST)), True, "KLDivLoss"),
}
REDUCTIONS = ("mean", "sum", "none")
PAIRS = [(name, r) for name in CASES for r in REDUCTIONS + (("batchmean",) if name.startswith("kl") else ())]


def ours(name, reduction):
    cls, kw, arrays, target_grad, _ = CASES[name]
    kw = {k: (tinygan.tensor(v, dtype=np.float64) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    x = tinygan.tensor(arrays[0], requires_grad=True, dtype=np.float64)
    t = tinygan.tensor(arrays[1], requires_grad=target_grad, dtype=np.float64 if target_grad else None)
    return cls(reduction=reduction, **kw), x, t


@pytest.mark.parametrize("name,reduction", PAIRS)
def test_loss_gradcheck_float64(name, reduction):
    loss_fn, x, t = ours(name, reduction)
    assert gradcheck(lambda a, b: loss_fn(a, b), [x, t])


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")     # torch's KLDivLoss note
@pytest.mark.parametrize("name,reduction", PAIRS)
def test_loss_value_and_gradients_match_torch(name, reduction):
    torch = pytest.importorskip("torch")
    loss_fn, x, t = ours(name, reduction)
    cls, kw, arrays, target_grad, torch_name = CASES[name]
    kw_t = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    xt = torch.tensor(arrays[0], requires_grad=True)
    tt = torch.tensor(arrays[1], requires_grad=target_grad)
    y, yt = loss_fn(x, t), getattr(torch.nn, torch_name)(reduction=reduction, **kw_t)(xt, tt)
    assert y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    cotangent = rng.standard_normal(y.shape)
    y.backward(tinygan.tensor(cotangent, dtype=np.float64))
    yt.backward(torch.tensor(cotangent))
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    if target_grad:
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_modules_call_their_functional_form(name, monkeypatch):
    """One source per formula: the module's result is whatever its F.<loss> returns."""
    functional = {"bce": "binary_cross_entropy", "bce_logits": "binary_cross_entropy_with_logits",
                  "mse": "mse_loss", "l1": "l1_loss", "nll": "nll_loss", "cross_entropy": "cross_entropy",
                  "kl_div": "kl_div"}[name.replace("_pos_weight", "").replace("_probs", "").replace("_log_target", "")]
    monkeypatch.setattr(F, functional, lambda *args, **kwargs: ("called", args[2:], kwargs))
    loss_fn, x, t = ours(name, "sum")
    called, rest, _ = loss_fn(x, t)
    assert called == "called" and rest == ("sum",)


def test_kl_div_hand_values_zero_targets_and_batchmean():
    logq = tinygan.tensor(np.log([[0.5, 0.25, 0.25], [0.2, 0.3, 0.5]]), requires_grad=True, dtype=np.float64)
    p = tinygan.tensor([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]], requires_grad=True, dtype=np.float64)
    per = F.kl_div(logq, p, reduction="none")
    np.testing.assert_allclose(per.numpy(), [[math.log(2), 0, 0], [0, 0, 0]], atol=1e-15)   # 0·log 0 = 0
    assert np.isclose(nn.KLDivLoss(reduction="batchmean")(logq, p).item(), math.log(2) / 2)  # KL per example
    assert np.isclose(nn.KLDivLoss()(logq, p).item(), math.log(2) / 6)                    # per element
    per.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))                 # torch gives NaN at p = 0; we give −log q
    np.testing.assert_allclose(p.grad.numpy()[0, 1:], -logq.numpy()[0, 1:])
    np.testing.assert_allclose(logq.grad.numpy(), -p.numpy())


def test_kl_div_zero_targets_value_and_input_gradient_match_torch():
    torch = pytest.importorskip("torch")
    p = DIST.copy()
    p[0, 1] = p[2, 0] = 0.0
    x, xt = tinygan.tensor(LOGQ, requires_grad=True, dtype=np.float64), torch.tensor(LOGQ, requires_grad=True)
    y, yt = nn.KLDivLoss(reduction="batchmean")(x, tinygan.tensor(p)), torch.nn.KLDivLoss(reduction="batchmean")(
        xt, torch.tensor(p))
    y.backward(), yt.backward()
    np.testing.assert_allclose(y.item(), yt.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_bce_with_logits_pos_weight_hand_value_and_default_equivalence():
    x = tinygan.tensor([[0.0, 2.0]], dtype=np.float64)
    t = tinygan.tensor([[1.0, 1.0]], dtype=np.float64)
    w = tinygan.tensor([3.0, 1.0], dtype=np.float64)
    per = nn.BCEWithLogitsLoss(reduction="none", pos_weight=w)(x, t).numpy()
    np.testing.assert_allclose(per, [[3 * math.log(2), math.log1p(math.exp(-2))]], rtol=1e-12)
    ones = nn.BCEWithLogitsLoss(pos_weight=tinygan.ones(2, dtype=np.float64))(x, t)
    assert np.isclose(ones.item(), nn.BCEWithLogitsLoss()(x, t).item(), rtol=1e-12)
    huge = nn.BCEWithLogitsLoss(pos_weight=w)(tinygan.tensor([[-1e4, 1e4]], dtype=np.float64), t)
    assert np.isclose(huge.item(), 3e4 / 2)                    # stable for huge logits


@pytest.mark.parametrize("cls,op", [(nn.BCELoss, "binary_cross_entropy"),
                                    (nn.BCEWithLogitsLoss, "binary_cross_entropy_with_logits"),
                                    (nn.MSELoss, "mse_loss"), (nn.L1Loss, "l1_loss"), (nn.KLDivLoss, "kl_div")])
def test_same_shape_losses_refuse_to_broadcast(cls, op):
    x, t = tinygan.full((4, 1), 0.5), tinygan.full((4,), 0.5)
    with pytest.raises(tinygan.ShapeError, match=rf"^{op}: input shape \(4, 1\) and target shape \(4,\) differ$"):
        cls()(x, t)


def test_class_target_losses_refuse_bad_shapes_dtypes_and_classes():
    logits = tinygan.zeros(4, 3)
    with pytest.raises(tinygan.ShapeError, match=r"cross_entropy: logits \(4, 3\) need class targets \(4,\)"):
        nn.CrossEntropyLoss()(logits, tinygan.tensor([[0], [1], [2], [0]]))
    with pytest.raises(tinygan.ShapeError, match=r"cross_entropy: expected logits \(N, C\), got \(4, 3, 2\)"):
        nn.CrossEntropyLoss()(tinygan.zeros(4, 3, 2), tinygan.tensor([0, 1, 2, 0]))
    with pytest.raises(tinygan.ShapeError, match=r"nll_loss: expected log-probabilities \(N, C\) and targets \(N,\)"):
        nn.NLLLoss()(logits, tinygan.tensor([0, 1]))
    with pytest.raises(tinygan.DTypeError, match="nll_loss: class targets must be integers"):
        nn.NLLLoss()(logits, tinygan.tensor([0.0, 1.0, 2.0, 0.0]))
    for bad in (3, -1):      # -1 would silently pick the last class through NumPy's negative indexing
        with pytest.raises(ValueError, match=rf"nll_loss: class target {bad} is out of range for 3 classes"):
            nn.CrossEntropyLoss()(logits, tinygan.tensor([0, 1, bad, 0]))


def test_options_are_checked_at_construction():
    with pytest.raises(ValueError, match=r"^MSELoss: reduction must be one of \('mean', 'sum', 'none'\), got 'avg'$"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="L1Loss: reduction"):
        nn.L1Loss(reduction="batchmean")                    # only KLDivLoss has 'batchmean'
    nn.KLDivLoss(reduction="batchmean")
    with pytest.raises(TypeError):
        nn.BCELoss(tinygan.ones(3))                          # PyTorch's positional `weight`: not supported
    with pytest.raises(tinygan.ShapeError, match=r"pos_weight \(2, 1, 3\) does not broadcast to the input's shape"):
        nn.BCEWithLogitsLoss(pos_weight=tinygan.ones(2, 1, 3))(tinygan.zeros(4, 3), tinygan.zeros(4, 3))
    with pytest.raises(ValueError, match="nll_loss: reduction"):
        F.nll_loss(tinygan.zeros(2, 3), tinygan.tensor([0, 1]), reduction="avg")


def test_loss_modules_in_a_training_step():
    tinygan.manual_seed(0)
    model = nn.Linear(3, 1)
    x, y = tinygan.randn(8, 3), (tinygan.randn(8, 1) > 0).float()
    before = nn.BCEWithLogitsLoss()(model(x), y).item()
    opt = tinygan.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        nn.BCEWithLogitsLoss()(model(x), y).backward()
        opt.step()
    assert nn.BCEWithLogitsLoss()(model(x), y).item() < before
    assert repr(nn.MSELoss()) == "MSELoss()" and "batchmean" in repr(nn.KLDivLoss(reduction="batchmean"))
