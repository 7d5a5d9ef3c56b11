"""Probe: which everyday PyTorch idioms of GAN/VAE example code run unchanged on tinygan.

Each snippet is plain PyTorch. It runs once with torch (to prove it is valid PyTorch) and once
with `torch`, `nn`, `F`, `optim` and `data` bound to tinygan's modules. A snippet passes on
tinygan when it runs without an error and, where it ends in `result = ...`, gives the same
numbers as torch. Out of scope (and not probed): legacy `Variable`, `torch.FloatTensor`,
`.type(Tensor)`, CUDA-only calls.

    python tests/pytorch_idiom_probe.py            # the ratio, for this file's set and the independent
                                                   # one (tests/pytorch_idioms_independent.py)
    python tests/pytorch_idiom_probe.py --failures # and what failed, with the error
"""
import argparse
import os
import sys
import textwrap

import numpy as np

SNIPPETS = {
    # ---- creation -------------------------------------------------------------------------
    "tensor from list": "result = torch.tensor([[1.0, 2.0], [3.0, 4.0]])",
    "tensor dtype": "result = torch.tensor([1, 2], dtype=torch.float32)",
    "zeros tuple": "result = torch.zeros((2, 3))",
    "zeros varargs": "result = torch.zeros(2, 3)",
    "ones": "result = torch.ones(4)",
    "full": "result = torch.full((2, 2), 7.0)",
    "eye": "result = torch.eye(3)",
    "arange": "result = torch.arange(5)",
    "arange float": "result = torch.arange(0, 1, 0.25)",
    "linspace": "result = torch.linspace(-1, 1, 5)",
    "randn shape": "x = torch.randn(4, 3); result = x.shape",
    "rand shape": "x = torch.rand(2, 5); result = tuple(x.shape)",
    "randn device kw": "x = torch.randn(2, 2, device='cpu')",
    "randint": "x = torch.randint(0, 10, (5,)); result = x.shape",
    "randn_like": "x = torch.zeros(3, 2); result = torch.randn_like(x).shape",
    "rand_like": "x = torch.zeros(3, 2); result = torch.rand_like(x).shape",
    "zeros_like": "result = torch.zeros_like(torch.ones(2, 2))",
    "ones_like": "result = torch.ones_like(torch.zeros(2, 2))",
    "full_like": "result = torch.full_like(torch.zeros(2), 0.9)",
    "empty": "x = torch.empty(2, 3); result = x.shape",
    "from_numpy": "result = torch.from_numpy(np.arange(4.0))",
    "as_tensor": "result = torch.as_tensor(np.ones(3))",
    "randperm": "result = torch.randperm(5).shape",
    "manual_seed": "torch.manual_seed(0); a = torch.randn(3); torch.manual_seed(0); result = bool((a == torch.randn(3)).all())",
    "cuda.manual_seed": "torch.cuda.manual_seed_all(1)",
    "cuda.is_available": "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu'); result = str(device)",
    "device object": "result = str(torch.device('cpu'))",
    "float32 dtype name": "x = torch.zeros(2, dtype=torch.float32); result = x.dtype == torch.float32",
    "float64 dtype name": "x = torch.zeros(2, dtype=torch.float64); result = x.dtype == torch.float64",
    # ---- tensor attributes and conversion ------------------------------------------------------
    "size()": "result = tuple(torch.zeros(2, 3).size())",
    "size(0)": "result = torch.zeros(2, 3).size(0)",
    "shape[1]": "result = torch.zeros(2, 3).shape[1]",
    "dim()": "result = torch.zeros(2, 3).dim()",
    "ndim": "result = torch.zeros(2, 3).ndim",
    "numel": "result = torch.zeros(2, 3).numel()",
    "len": "result = len(torch.zeros(4, 3))",
    "item": "result = torch.tensor([2.5]).item()",
    "float()": "result = float(torch.tensor(1.5))",
    "format": "result = f'{torch.tensor(1.23456):.3f}'",
    "tolist": "result = torch.tensor([1.0, 2.0]).tolist()",
    "numpy": "result = torch.ones(2).numpy()",
    "detach().cpu().numpy()": "result = torch.ones(2, requires_grad=True).detach().cpu().numpy()",
    ".float()": "result = torch.tensor([1, 2]).float()",
    ".double()": "result = torch.tensor([1.0]).double().dtype == torch.float64",
    ".long()": "result = torch.tensor([1.7]).long()",
    ".to(device)": "d = torch.device('cpu'); result = torch.ones(2).to(d)",
    ".to(dtype)": "result = torch.ones(2).to(torch.float64).dtype == torch.float64",
    ".to(other)": "result = torch.ones(2).to(torch.zeros(1, dtype=torch.float64)).dtype == torch.float64",
    ".cpu()": "result = torch.ones(2).cpu()",
    ".device": "result = str(torch.ones(2).device)",
    ".is_cuda": "result = torch.ones(2).is_cuda",
    "type_as": "result = torch.tensor([1, 2]).type_as(torch.zeros(1)).dtype == torch.float32",
    "clone": "result = torch.ones(2).clone()",
    "contiguous": "result = torch.ones(2, 3).t().contiguous()",
    "requires_grad_": "x = torch.ones(2).requires_grad_(); result = x.requires_grad",
    "is_leaf": "result = torch.ones(2, requires_grad=True).is_leaf",
    "bool tensor": "result = bool(torch.tensor(1.0) > 0)",
    "abs()": "result = abs(torch.tensor([-1.0, 2.0]))",
    "new_zeros": "result = torch.ones(2).new_zeros(3)",
    "new_full": "result = torch.ones(2).new_full((2,), 0.5)",
    "new_ones": "result = torch.ones(2, dtype=torch.float64).new_ones(2).dtype == torch.float64",
    # ---- shapes ------------------------------------------------------------------------------
    "view(-1)": "result = torch.arange(6.0).view(2, 3).view(-1)",
    "view tuple": "result = torch.arange(6.0).view((3, 2))",
    "view(N, -1)": "x = torch.zeros(4, 2, 3); result = x.view(x.size(0), -1).shape",
    "reshape": "result = torch.arange(6.0).reshape(3, 2)",
    "flatten(1)": "result = torch.zeros(2, 3, 4).flatten(1).shape",
    "torch.flatten": "result = torch.flatten(torch.zeros(2, 3, 4), 1).shape",
    "squeeze": "result = torch.zeros(2, 1, 3).squeeze().shape",
    "squeeze(dim)": "result = torch.zeros(2, 1, 3).squeeze(1).shape",
    "unsqueeze": "result = torch.zeros(2, 3).unsqueeze(1).shape",
    "unsqueeze(-1)": "result = torch.zeros(2, 3).unsqueeze(-1).shape",
    "[:, None, None]": "result = torch.zeros(2, 3)[:, :, None, None].shape",
    "permute": "result = torch.zeros(2, 3, 4).permute(0, 2, 1).shape",
    "transpose(1, 2)": "result = torch.zeros(2, 3, 4).transpose(1, 2).shape",
    ".t()": "result = torch.arange(6.0).view(2, 3).t()",
    ".T": "result = torch.arange(6.0).view(2, 3).T",
    "expand": "result = torch.zeros(2, 1).expand(2, 5).shape",
    "expand -1": "result = torch.zeros(2, 1).expand(-1, 5).shape",
    "expand_as": "result = torch.zeros(2, 1).expand_as(torch.zeros(2, 4)).shape",
    "view_as": "result = torch.arange(4.0).view_as(torch.zeros(2, 2))",
    "repeat": "result = torch.arange(3.0).repeat(2, 1)",
    "cat dim": "result = torch.cat([torch.ones(2, 1), torch.zeros(2, 2)], dim=1)",
    "cat positional": "result = torch.cat((torch.ones(1, 2), torch.zeros(1, 2)), 0)",
    "stack": "result = torch.stack([torch.ones(2), torch.zeros(2)], dim=0)",
    "stack dim 1": "result = torch.stack([torch.ones(2), torch.zeros(2)], 1)",
    "chunk": "a, b = torch.arange(6.0).view(2, 3).chunk(2, dim=0); result = b",
    "torch.chunk": "result = torch.chunk(torch.arange(4.0), 2)[1]",
    "split": "a, b = torch.arange(5.0).split(3); result = b",
    "split list": "result = torch.split(torch.arange(5.0), [2, 3])[1]",
    "index int": "result = torch.arange(6.0).view(2, 3)[1]",
    "index slice": "result = torch.arange(6.0).view(2, 3)[:, 1:]",
    "index mask": "x = torch.arange(4.0); result = x[x > 1]",
    "index long tensor": "x = torch.arange(4.0); result = x[torch.tensor([0, 3])]",
    "index ellipsis": "result = torch.zeros(2, 3, 4)[..., 0].shape",
    "where": "x = torch.arange(4.0); result = torch.where(x > 1, x, torch.zeros_like(x))",
    "masked_fill": "x = torch.arange(4.0); result = x.masked_fill(x > 1, 0.0)",
    "diag": "result = torch.diag(torch.tensor([1.0, 2.0]))",
    # ---- arithmetic and math ---------------------------------------------------------------------
    "add scalar": "result = torch.ones(2) + 1",
    "radd": "result = 1 + torch.ones(2)",
    "broadcast mul": "result = torch.ones(2, 3) * torch.arange(3.0)",
    "div": "result = torch.ones(2) / 4",
    "rdiv": "result = 1 / (torch.ones(2) * 4)",
    "pow": "result = torch.arange(3.0) ** 2",
    "rpow": "result = 2 ** torch.arange(3.0)",
    "neg": "result = -torch.ones(2)",
    "matmul @": "result = torch.ones(2, 3) @ torch.ones(3, 1)",
    "torch.matmul": "result = torch.matmul(torch.ones(2, 3), torch.ones(3))",
    "mm": "result = torch.mm(torch.ones(2, 3), torch.ones(3, 2))",
    "bmm": "result = torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 3, 1))",
    ".matmul": "result = torch.ones(2, 3).matmul(torch.ones(3))",
    "exp": "result = torch.exp(torch.zeros(2))",
    "x.exp()": "result = torch.zeros(2).exp()",
    "log": "result = torch.log(torch.ones(2))",
    "sqrt": "result = torch.sqrt(torch.tensor([4.0]))",
    "x.pow(2)": "result = torch.arange(3.0).pow(2)",
    "abs": "result = torch.abs(torch.tensor([-1.0]))",
    "clamp": "result = torch.clamp(torch.arange(5.0), 1, 3)",
    "clamp min kw": "result = torch.arange(5.0).clamp(min=2)",
    "sigmoid": "result = torch.sigmoid(torch.zeros(2))",
    "tanh": "result = torch.tanh(torch.zeros(2))",
    "x.sigmoid()": "result = torch.zeros(2).sigmoid()",
    "maximum": "result = torch.maximum(torch.zeros(2), torch.ones(2))",
    "max two tensors": "result = torch.max(torch.zeros(2), torch.ones(2))",
    "isnan": "result = torch.isnan(torch.tensor([1.0, float('nan')]))",
    "isfinite": "result = torch.isfinite(torch.tensor([1.0, float('inf')]))",
    "allclose": "result = torch.allclose(torch.ones(2), torch.ones(2) + 1e-9)",
    "comparison eq": "result = (torch.arange(3.0) == 1)",
    "comparison mean": "result = (torch.arange(4.0) > 1).float().mean()",
    # ---- reductions ----------------------------------------------------------------------------
    "sum": "result = torch.arange(6.0).view(2, 3).sum()",
    "sum dim": "result = torch.arange(6.0).view(2, 3).sum(dim=1)",
    "sum keepdim": "result = torch.arange(6.0).view(2, 3).sum(1, keepdim=True)",
    "torch.sum dim": "result = torch.sum(torch.arange(6.0).view(2, 3), dim=0)",
    "mean": "result = torch.arange(6.0).mean()",
    "mean dim": "result = torch.arange(6.0).view(2, 3).mean(dim=0)",
    "torch.mean dim keepdim": "result = torch.mean(torch.arange(6.0).view(2, 3), dim=1, keepdim=True)",
    "mean tuple dims": "result = torch.arange(24.0).view(2, 3, 4).mean(dim=(1, 2))",
    "std": "result = torch.arange(6.0).std()",
    "var dim": "result = torch.arange(6.0).view(2, 3).var(dim=1)",
    "max()": "result = torch.arange(6.0).max()",
    "max(dim)[0]": "result = torch.arange(6.0).view(2, 3).max(1)[0]",
    "max(dim).indices": "result = torch.arange(6.0).view(2, 3).max(dim=1).indices",
    "values, idx = max": "v, i = torch.max(torch.arange(6.0).view(2, 3), 1); result = i",
    "min(dim)": "result = torch.arange(6.0).view(2, 3).min(0)[0]",
    "argmax": "result = torch.arange(6.0).view(2, 3).argmax(dim=1)",
    "argmax no dim": "result = torch.tensor([1.0, 3.0, 2.0]).argmax()",
    "norm": "result = torch.ones(3, 4).norm()",
    "norm p dim": "result = torch.ones(3, 4).norm(2, dim=1)",
    "logsumexp": "result = torch.logsumexp(torch.zeros(2, 3), dim=1)",
    "softmax method": "result = torch.zeros(2, 3).softmax(dim=1)",
    "torch.softmax": "result = torch.softmax(torch.zeros(2, 3), dim=-1)",
    # ---- autograd --------------------------------------------------------------------------
    "backward": "x = torch.ones(2, requires_grad=True); (x * 3).sum().backward(); result = x.grad",
    "backward retain_graph": "x = torch.ones(2, requires_grad=True); y = (x * x).sum(); y.backward(retain_graph=True); y.backward(); result = x.grad",
    "grad accumulates": "x = torch.ones(2, requires_grad=True); (2 * x).sum().backward(); (2 * x).sum().backward(); result = x.grad",
    "grad zero_": "x = torch.ones(2, requires_grad=True); (2 * x).sum().backward(); x.grad.zero_(); result = x.grad",
    "grad = None": "x = torch.ones(2, requires_grad=True); (2 * x).sum().backward(); x.grad = None; result = x.grad is None",
    "backward(tensor)": "x = torch.ones(2, requires_grad=True); y = x * 2; y.backward(torch.ones(2)); result = x.grad",
    "no_grad": "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\nresult = y.requires_grad",
    "no_grad decorator": "@torch.no_grad()\ndef f(x):\n    return x * 2\nresult = f(torch.ones(1, requires_grad=True)).requires_grad",
    "set_grad_enabled call": "torch.set_grad_enabled(False); y = torch.ones(1, requires_grad=True) * 2; torch.set_grad_enabled(True); result = y.requires_grad",
    "set_grad_enabled with": "with torch.set_grad_enabled(False):\n    y = torch.ones(1, requires_grad=True) * 2\nresult = y.requires_grad",
    "enable_grad": "with torch.no_grad():\n    with torch.enable_grad():\n        y = torch.ones(1, requires_grad=True) * 2\nresult = y.requires_grad",
    "autograd.grad create_graph": "x = torch.ones(3, requires_grad=True); y = (x ** 3).sum(); (g,) = torch.autograd.grad(y, x, create_graph=True); g.sum().backward(); result = x.grad",
    "autograd.grad WGAN-GP": ("x = torch.rand(4, 2, requires_grad=True)\nw = torch.ones(2, 1, requires_grad=True)\nout = x @ w\n"
                               "g = torch.autograd.grad(outputs=out, inputs=x, grad_outputs=torch.ones(out.size()), "
                               "create_graph=True, retain_graph=True, only_inputs=True)[0]\n"
                               "gp = ((g.norm(2, dim=1) - 1) ** 2).mean(); gp.backward(); result = w.grad"),
    "detach": "x = torch.ones(2, requires_grad=True); result = (x * 2).detach().requires_grad",
    "retain_grad": "x = torch.ones(2, requires_grad=True); y = x * 2; y.retain_grad(); y.sum().backward(); result = y.grad",
    "G(z).to(device) keeps grad": "g = nn.Linear(2, 2); out = g(torch.ones(1, 2)).to(torch.device('cpu')); out.sum().backward(); result = g.weight.grad is not None",
    "+= keeps grad": "x = torch.ones(2, requires_grad=True); total = torch.zeros(2); total = total + x * 2; total += x; total.sum().backward(); result = x.grad",
    # ---- in place and .data ------------------------------------------------------------------
    "weight.data.normal_": "m = nn.Linear(2, 2); m.weight.data.normal_(0.0, 0.02); result = m.weight.shape",
    "bias.data.fill_": "m = nn.Linear(2, 2); m.bias.data.fill_(0); result = m.bias",
    "data.zero_": "m = nn.Linear(2, 2); m.bias.data.zero_(); result = m.bias",
    "data.copy_": "m = nn.Linear(2, 2); m.bias.data.copy_(torch.ones(2)); result = m.bias",
    "data.clamp_ (WGAN clip)": "m = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.data.clamp_(-0.01, 0.01)\nresult = bool((m.weight.abs() <= 0.01).all())",
    "no_grad copy_": "m = nn.Linear(2, 2)\nwith torch.no_grad():\n    m.weight.copy_(torch.ones(2, 2))\nresult = m.weight",
    "no_grad setitem": "x = torch.zeros(3)\nwith torch.no_grad():\n    x[1] = 5.0\nresult = x",
    "setitem plain": "x = torch.zeros(2, 2); x[0, :] = 1.0; result = x",
    "add_ / mul_": "x = torch.ones(2); x.add_(1).mul_(3); result = x",
    "uniform_": "x = torch.zeros(100); x.uniform_(-1, 1); result = bool((x.abs() <= 1).all())",
    "in-place += on buffer": "x = torch.zeros(2); x += 1; result = x",
    "p.data assignment": "m = nn.Linear(2, 2); m.bias.data = torch.ones(2); result = m.bias",
    "EMA update": "a, b = nn.Linear(2, 2), nn.Linear(2, 2)\nwith torch.no_grad():\n    for pa, pb in zip(a.parameters(), b.parameters()):\n        pa.mul_(0.9).add_(pb, alpha=0.1)\nresult = a.bias.shape",
    # ---- modules ---------------------------------------------------------------------------
    "Module subclass": ("class G(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 3)\n"
                        "    def forward(self, x):\n        return torch.tanh(self.fc(x))\nresult = G()(torch.zeros(1, 2)).shape"),
    "super(G, self)": ("class G(nn.Module):\n    def __init__(self):\n        super(G, self).__init__()\n        self.fc = nn.Linear(2, 3)\n"
                       "    def forward(self, x):\n        return self.fc(x)\nresult = G()(torch.zeros(1, 2)).shape"),
    "Sequential": "net = nn.Sequential(nn.Linear(2, 4), nn.ReLU(True), nn.Linear(4, 1)); result = net(torch.zeros(3, 2)).shape",
    "Sequential *list": "layers = [nn.Linear(2, 4), nn.LeakyReLU(0.2, inplace=True)]; result = nn.Sequential(*layers)(torch.zeros(1, 2)).shape",
    "Sequential index": "net = nn.Sequential(nn.Linear(2, 4), nn.ReLU()); result = type(net[0]).__name__",
    "ModuleList": "ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)]); result = len(list(nn.Sequential(*ml).parameters()))",
    "ModuleDict": "md = nn.ModuleDict({'a': nn.Linear(2, 2)}); result = md['a'](torch.zeros(1, 2)).shape",
    "ParameterList": "pl = nn.ParameterList([nn.Parameter(torch.zeros(2))]); result = len(list(pl.parameters()))",
    "nn.Parameter": "p = nn.Parameter(torch.zeros(3)); result = p.requires_grad",
    "register_buffer": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.register_buffer('mask', torch.ones(2))\n"
                        "result = list(dict(M().named_buffers()))"),
    "parameters count": "m = nn.Linear(3, 2); result = sum(p.numel() for p in m.parameters())",
    "named_parameters": "m = nn.Linear(3, 2); result = [n for n, _ in m.named_parameters()]",
    "modules()": "m = nn.Sequential(nn.Linear(2, 2), nn.ReLU()); result = len(list(m.modules()))",
    "children()": "m = nn.Sequential(nn.Linear(2, 2), nn.ReLU()); result = len(list(m.children()))",
    "apply(weights_init)": ("def weights_init(m):\n    classname = m.__class__.__name__\n    if classname.find('Conv') != -1:\n"
                            "        nn.init.normal_(m.weight.data, 0.0, 0.02)\n    elif classname.find('BatchNorm') != -1:\n"
                            "        nn.init.normal_(m.weight.data, 1.0, 0.02)\n        nn.init.constant_(m.bias.data, 0)\n"
                            "net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)); net.apply(weights_init); result = net[1].bias"),
    "isinstance init": ("net = nn.Sequential(nn.Linear(2, 2))\nfor m in net.modules():\n    if isinstance(m, nn.Linear):\n"
                        "        nn.init.xavier_uniform_(m.weight)\n        nn.init.zeros_(m.bias)\nresult = net[0].bias"),
    "kaiming init": "m = nn.Linear(4, 4); nn.init.kaiming_normal_(m.weight, a=0.2, nonlinearity='leaky_relu'); result = m.weight.shape",
    "train()/eval()": "m = nn.Sequential(nn.Dropout(0.5)); m.eval(); result = m.training",
    "module.to(device)": "m = nn.Linear(2, 2).to(torch.device('cpu')); result = m(torch.zeros(1, 2)).shape",
    "module.cpu()": "m = nn.Linear(2, 2).cpu(); result = m.weight.shape",
    "zero_grad module": "m = nn.Linear(2, 1); m(torch.ones(1, 2)).sum().backward(); m.zero_grad(); result = m.weight.grad is None",
    "state_dict round trip": "a, b = nn.Linear(2, 2), nn.Linear(2, 2); b.load_state_dict(a.state_dict()); result = bool((b.weight == a.weight).all())",
    "requires_grad_(False) on params": "m = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.requires_grad_(False)\nresult = m(torch.ones(1, 2)).requires_grad",
    "p.requires_grad = False": "m = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.requires_grad = False\nresult = m(torch.ones(1, 2)).requires_grad",
    # ---- layers ----------------------------------------------------------------------------
    "Conv2d bias=False": "c = nn.Conv2d(3, 8, 4, 2, 1, bias=False); result = c(torch.zeros(1, 3, 8, 8)).shape",
    "ConvTranspose2d": "c = nn.ConvTranspose2d(8, 3, 4, 2, 1, bias=False); result = c(torch.zeros(1, 8, 4, 4)).shape",
    "BatchNorm2d": "result = nn.BatchNorm2d(3)(torch.randn(4, 3, 2, 2)).shape",
    "BatchNorm1d": "result = nn.BatchNorm1d(3)(torch.randn(4, 3)).shape",
    "BatchNorm2d(momentum)": "result = nn.BatchNorm2d(3, 0.8)(torch.randn(4, 3, 2, 2)).shape",
    "Linear": "result = nn.Linear(3, 2)(torch.zeros(5, 3)).shape",
    "ReLU(True)": "result = nn.ReLU(True)(torch.tensor([-1.0, 1.0]))",
    "LeakyReLU(0.2, inplace)": "result = nn.LeakyReLU(0.2, inplace=True)(torch.tensor([-1.0, 1.0]))",
    "Tanh": "result = nn.Tanh()(torch.zeros(2))",
    "Sigmoid": "result = nn.Sigmoid()(torch.zeros(2))",
    "Dropout": "result = nn.Dropout(0.3)(torch.ones(4)).shape",
    "Dropout2d": "result = nn.Dropout2d(0.25)(torch.ones(2, 3, 4, 4)).shape",
    "Flatten": "result = nn.Flatten()(torch.zeros(2, 3, 4)).shape",
    "Upsample": "result = nn.Upsample(scale_factor=2)(torch.arange(4.0).view(1, 1, 2, 2))",
    "F.interpolate": "result = F.interpolate(torch.arange(4.0).view(1, 1, 2, 2), scale_factor=2, mode='nearest')",
    "MaxPool2d": "result = nn.MaxPool2d(2)(torch.arange(16.0).view(1, 1, 4, 4))",
    "AvgPool2d": "result = nn.AvgPool2d(2)(torch.arange(16.0).view(1, 1, 4, 4))",
    "AdaptiveAvgPool2d": "result = nn.AdaptiveAvgPool2d(1)(torch.arange(16.0).view(1, 1, 4, 4))",
    "ZeroPad2d": "result = nn.ZeroPad2d(1)(torch.ones(1, 1, 2, 2)).shape",
    "InstanceNorm2d": "result = nn.InstanceNorm2d(2)(torch.arange(16.0).view(1, 2, 2, 4))",
    "LayerNorm": "result = nn.LayerNorm(4)(torch.arange(8.0).view(2, 4))",
    "ELU": "result = nn.ELU()(torch.tensor([-1.0, 1.0]))",
    "PReLU": "result = nn.PReLU()(torch.tensor([-1.0, 1.0]))",
    "Softmax(dim)": "result = nn.Softmax(dim=1)(torch.zeros(2, 3))",
    "Embedding": "e = nn.Embedding(10, 3); result = e(torch.tensor([1, 2])).shape",
    "Embedding + cat (cGAN)": ("e = nn.Embedding(10, 10); z = torch.randn(4, 5); y = torch.tensor([0, 1, 2, 3])\n"
                               "result = torch.cat((e(y), z), -1).shape"),
    "spectral_norm": "c = nn.utils.spectral_norm(nn.Conv2d(3, 4, 3)); result = c(torch.zeros(1, 3, 5, 5)).shape",
    "clip_grad_norm_": "m = nn.Linear(2, 2); m(torch.ones(1, 2)).sum().backward(); nn.utils.clip_grad_norm_(m.parameters(), 1.0); result = m.weight.grad.shape",
    # ---- functional ------------------------------------------------------------------------
    "F.relu": "result = F.relu(torch.tensor([-1.0, 2.0]))",
    "F.leaky_relu": "result = F.leaky_relu(torch.tensor([-1.0, 2.0]), 0.2)",
    "F.leaky_relu inplace": "result = F.leaky_relu(torch.tensor([-1.0, 2.0]), 0.2, inplace=True)",
    "F.sigmoid": "result = torch.sigmoid(torch.zeros(1))",
    "F.tanh via torch": "result = torch.tanh(torch.zeros(1))",
    "F.softmax dim": "result = F.softmax(torch.zeros(2, 3), dim=1)",
    "F.log_softmax dim": "result = F.log_softmax(torch.zeros(2, 3), dim=1)",
    "F.dropout": "result = F.dropout(torch.ones(3), 0.5, training=False)",
    "F.linear": "result = F.linear(torch.ones(1, 2), torch.ones(3, 2))",
    "F.conv2d": "result = F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)).shape",
    "F.pad": "result = F.pad(torch.ones(1, 1, 2, 2), (1, 1, 1, 1)).shape",
    # ---- losses ----------------------------------------------------------------------------
    "BCELoss": "result = nn.BCELoss()(torch.full((4,), 0.7), torch.ones(4))",
    "BCEWithLogitsLoss": "result = nn.BCEWithLogitsLoss()(torch.zeros(4), torch.ones(4))",
    "MSELoss": "result = nn.MSELoss()(torch.zeros(3), torch.ones(3))",
    "MSELoss sum": "result = nn.MSELoss(reduction='sum')(torch.zeros(3), torch.ones(3))",
    "L1Loss": "result = nn.L1Loss()(torch.zeros(3), torch.ones(3))",
    "CrossEntropyLoss": "result = nn.CrossEntropyLoss()(torch.zeros(2, 3), torch.tensor([0, 2]))",
    "NLLLoss": "result = nn.NLLLoss()(torch.log_softmax(torch.zeros(2, 3), dim=1), torch.tensor([0, 2]))",
    "KLDivLoss": "result = nn.KLDivLoss(reduction='batchmean')(torch.log(torch.full((2, 2), 0.5)), torch.full((2, 2), 0.5))",
    "F.binary_cross_entropy sum": "result = F.binary_cross_entropy(torch.full((4,), 0.5), torch.ones(4), reduction='sum')",
    "F.mse_loss": "result = F.mse_loss(torch.zeros(3), torch.ones(3))",
    "F.l1_loss": "result = F.l1_loss(torch.zeros(3), torch.ones(3))",
    "F.kl_div": "result = F.kl_div(torch.log(torch.full((2,), 0.5)), torch.full((2,), 0.5), reduction='sum')",
    "F.cross_entropy": "result = F.cross_entropy(torch.zeros(2, 3), torch.tensor([1, 1]))",
    "VAE KLD formula": ("mu, logvar = torch.zeros(4, 2), torch.zeros(4, 2)\n"
                        "result = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())"),
    "VAE reparameterize": ("mu, logvar = torch.zeros(4, 2), torch.zeros(4, 2)\nstd = torch.exp(0.5 * logvar)\n"
                           "eps = torch.randn_like(std)\nresult = (mu + eps * std).shape"),
    "label full": "result = torch.full((4,), 1.0, dtype=torch.float32)",
    "label fill_": "label = torch.full((4,), 1.0); label.fill_(0.0); result = label",
    # ---- optimisers ------------------------------------------------------------------------
    "Adam betas": "m = nn.Linear(2, 2); o = optim.Adam(m.parameters(), lr=2e-4, betas=(0.5, 0.999)); result = o.param_groups[0]['lr']",
    "Adam step": "m = nn.Linear(2, 1); o = optim.Adam(m.parameters()); o.zero_grad(); m(torch.ones(1, 2)).sum().backward(); o.step(); result = m.weight.shape",
    "RMSprop": "m = nn.Linear(2, 1); o = optim.RMSprop(m.parameters(), lr=5e-5); result = len(o.param_groups)",
    "SGD momentum": "m = nn.Linear(2, 1); o = optim.SGD(m.parameters(), lr=0.1, momentum=0.9); result = o.param_groups[0]['momentum']",
    "AdamW": "m = nn.Linear(2, 1); o = optim.AdamW(m.parameters(), lr=1e-3); result = len(o.param_groups)",
    "param_groups lr decay": "m = nn.Linear(2, 1); o = optim.Adam(m.parameters(), lr=1.0)\nfor g in o.param_groups:\n    g['lr'] *= 0.5\nresult = o.param_groups[0]['lr']",
    "zero_grad set_to_none": "m = nn.Linear(2, 1); o = optim.SGD(m.parameters(), lr=0.1); m(torch.ones(1, 2)).sum().backward(); o.zero_grad(set_to_none=False); result = m.weight.grad",
    "optimizer state_dict": "m = nn.Linear(2, 1); o = optim.Adam(m.parameters()); o.load_state_dict(o.state_dict()); result = len(o.param_groups)",
    "two param lists": "a, b = nn.Linear(2, 2), nn.Linear(2, 2); o = optim.Adam(list(a.parameters()) + list(b.parameters())); result = len(o.param_groups[0]['params'])",
    "add_param_group": "a, b = nn.Linear(2, 2), nn.Linear(2, 2); o = optim.SGD(a.parameters(), lr=0.1); o.add_param_group({'params': b.parameters(), 'lr': 0.01}); result = o.param_groups[1]['lr']",
    "StepLR": "m = nn.Linear(2, 1); o = optim.SGD(m.parameters(), lr=1.0); s = optim.lr_scheduler.StepLR(o, 2, gamma=0.5)\nfor _ in range(3):\n    o.step(); s.step()\nresult = o.param_groups[0]['lr']",
    "ExponentialLR": "m = nn.Linear(2, 1); o = optim.SGD(m.parameters(), lr=1.0); s = optim.lr_scheduler.ExponentialLR(o, 0.9); o.step(); s.step(); result = s.get_last_lr()",
    "LambdaLR": "m = nn.Linear(2, 1); o = optim.SGD(m.parameters(), lr=1.0); s = optim.lr_scheduler.LambdaLR(o, lambda e: 1 - e / 10); o.step(); s.step(); result = o.param_groups[0]['lr']",
    "CosineAnnealingLR": "m = nn.Linear(2, 1); o = optim.SGD(m.parameters(), lr=1.0); s = optim.lr_scheduler.CosineAnnealingLR(o, T_max=4); o.step(); s.step(); result = o.param_groups[0]['lr']",
    # ---- data and saving -------------------------------------------------------------------
    "TensorDataset + DataLoader": ("ds = data.TensorDataset(torch.arange(10.0).view(5, 2), torch.arange(5))\n"
                                   "dl = data.DataLoader(ds, batch_size=2, shuffle=True, drop_last=True)\nresult = [tuple(x.shape) for x, y in dl]"),
    "Dataset subclass": ("class D(data.Dataset):\n    def __len__(self):\n        return 6\n    def __getitem__(self, i):\n"
                         "        return torch.full((2,), float(i)), i\nresult = [x.shape for x, _ in data.DataLoader(D(), batch_size=4)]"),
    "enumerate(dataloader)": ("dl = data.DataLoader(data.TensorDataset(torch.zeros(6, 2)), batch_size=3)\nfor i, (x,) in enumerate(dl):\n"
                              "    pass\nresult = i"),
    "len(dataloader)": "result = len(data.DataLoader(data.TensorDataset(torch.zeros(7, 2)), batch_size=3))",
    "save/load state_dict": ("import tempfile, os\nm = nn.Linear(2, 2)\npath = os.path.join(tempfile.mkdtemp(), 'g.pth')\n"
                             "torch.save(m.state_dict(), path); m.load_state_dict(torch.load(path)); result = m.weight.shape"),
    "save dict checkpoint": ("import tempfile, os\nm = nn.Linear(2, 2); o = optim.Adam(m.parameters())\npath = os.path.join(tempfile.mkdtemp(), 'c.pth')\n"
                             "torch.save({'epoch': 3, 'model': m.state_dict(), 'opt': o.state_dict()}, path)\nresult = torch.load(path)['epoch']"),
}

ENGINES = ("torch", "tinygan")


def namespace(engine):
    if engine == "torch":
        import torch
        from torch import nn, optim
        from torch.nn import functional as F
        from torch.utils import data
    else:
        import tinygan as torch
        from tinygan import nn, optim
        from tinygan.nn import functional as F
        from tinygan.utils import data
    return {"torch": torch, "nn": nn, "F": F, "optim": optim, "data": data, "np": np}


def _as_numbers(value):
    """Results from either engine as something comparable (NumPy arrays, numbers, strings)."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return np.asarray(value.detach().numpy(), dtype=float) if value.dtype.__str__() != "torch.bool" and \
            str(value.dtype) != "bool" else np.asarray(value.detach().numpy())
    if isinstance(value, (tuple, list)):
        return [_as_numbers(v) for v in value]
    return value


def _same(a, b):
    a, b = _as_numbers(a), _as_numbers(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.allclose(a.astype(float), b.astype(float), equal_nan=True)
    return a == b or str(a) == str(b)


def run(name, code, engine):
    """(result, error) of one snippet on one engine."""
    scope = namespace(engine)
    scope["torch"].manual_seed(0)
    try:
        exec(textwrap.dedent(code), scope)
    except Exception as exc:  # noqa: BLE001 - the probe records every failure
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return scope.get("result"), None


def probe(snippets=None):
    """{name: (ok, reason)} for tinygan; raises if a snippet is not valid PyTorch."""
    outcome = {}
    for name, code in (SNIPPETS if snippets is None else snippets).items():
        expected, error = run(name, code, "torch")
        if error:
            raise AssertionError(f"snippet {name!r} is not valid PyTorch: {error}")
        got, error = run(name, code, "tinygan")
        random_result = "randn" in code or "rand(" in code or "uniform_" in code or "normal_" in code \
            or "shuffle" in code or "Dropout" in code
        if error:
            outcome[name] = (False, error)
        elif "result" in code and not random_result and not _same(got, expected):
            outcome[name] = (False, f"different result: tinygan {_as_numbers(got)!r} vs torch {_as_numbers(expected)!r}")
        else:
            outcome[name] = (True, "")
    return outcome


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list what failed and why")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pytorch_idioms_independent       # written by someone who had not read tinygan's code
    for label, snippets in (("this file's", SNIPPETS), ("the independent", pytorch_idioms_independent.SNIPPETS)):
        outcome = probe(snippets)
        passed = sum(ok for ok, _ in outcome.values())
        if args.failures:
            for name, (ok, reason) in outcome.items():
                if not ok:
                    print(f"  FAIL {name}: {reason}")
        print(f"{label} set: {passed} / {len(outcome)} PyTorch idioms run on tinygan ({100 * passed / len(outcome):.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
