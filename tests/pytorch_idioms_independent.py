"""An independent sample of 120 everyday PyTorch idioms from GAN and VAE example code.

Written without looking at tinygan's source, tests or docs, as plain PyTorch 2.x (CPU) in the style
of the usual zoos: pytorch/examples dcgan & vae, PyTorch-GAN, PyTorch-VAE, and SN-GAN / WGAN-GP /
cGAN / beta-VAE / InfoGAN / CycleGAN-style training loops. Each snippet uses only `torch`, `nn`,
`F`, `optim`, `data` (torch.utils.data) and `np` (plus a few standard-library imports), and what it
puts in `result` does not depend on the random stream. tests/pytorch_idiom_probe.py runs it beside
its own set. When it was written, 98 of the 120 ran on tinygan; the fixes it prompted are in
tests/test_pytorch_idioms.py.
"""

SNIPPETS = {
    # ---- tensor creation, indexing and shapes ---------------------------------------------------
    "cat noise and one-hot label": """
        z = torch.zeros(4, 100)
        y = F.one_hot(torch.tensor([0, 3, 1, 2]), num_classes=10).float()
        result = torch.cat([z, y], dim=1).shape
    """,
    "scatter_ one-hot": """
        y = torch.tensor([1, 0, 3])
        onehot = torch.zeros(3, 4)
        onehot.scatter_(1, y.unsqueeze(1), 1.0)
        result = onehot
    """,
    "noise view to 4d": "z = torch.randn(8, 100); result = z.view(-1, 100, 1, 1).shape",
    "chunk mu logvar": """
        h = torch.arange(12.0).view(2, 6)
        mu, logvar = h.chunk(2, dim=1)
        result = (mu, logvar)
    """,
    "boolean mask": "x = torch.tensor([-1.0, 2.0, -3.0, 4.0]); result = x[x > 0]",
    "index with long tensor": "w = torch.arange(12.0).view(4, 3); result = w[torch.tensor([3, 0])]",
    "torch.where": """
        x = torch.tensor([0.2, 0.7, 0.5])
        result = torch.where(x > 0.5, torch.ones_like(x), torch.zeros_like(x))
    """,
    "meshgrid latent traversal": """
        a, b = torch.meshgrid(torch.linspace(-1, 1, 3), torch.linspace(-1, 1, 2), indexing="ij")
        result = torch.stack([a.flatten(), b.flatten()], dim=1)
    """,
    "latent interpolation": """
        z0, z1 = torch.zeros(4), torch.ones(4)
        alphas = torch.linspace(0, 1, 5).unsqueeze(1)
        result = (1 - alphas) * z0 + alphas * z1
    """,
    "image grid by permute": """
        imgs = torch.arange(16, dtype=torch.float32).view(4, 1, 2, 2)
        nrow = 2
        grid = imgs.view(2, nrow, 1, 2, 2).permute(2, 0, 3, 1, 4).reshape(1, 4, 4)
        result = grid
    """,
    "denormalize and clamp": "x = torch.tensor([-1.5, 0.0, 1.0, 0.5]); result = (x * 0.5 + 0.5).clamp(0, 1)",
    "label map expand": "y = torch.tensor([0.0, 1.0]); result = y.view(2, 1, 1, 1).expand(2, 1, 4, 4).shape",
    "argmax accuracy": """
        logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
        y = torch.tensor([1, 0, 0])
        result = (logits.argmax(dim=1) == y).float().mean().item()
    """,
    "from_numpy float32 images": """
        arr = np.arange(12, dtype=np.float32).reshape(3, 2, 2) / 255.0
        t = torch.from_numpy(arr)
        result = (t.dtype == torch.float32, t.shape)
    """,
    "fill_ labels": """
        real_label, fake_label = 1.0, 0.0
        label = torch.full((4,), real_label, dtype=torch.float)
        label.fill_(fake_label)
        result = label
    """,
    "numpy noise to tensor": """
        z = torch.tensor(np.random.normal(0, 1, (4, 100)), dtype=torch.float32)
        result = (tuple(z.shape), z.dtype == torch.float32)
    """,
    "numpy to_categorical": """
        y = np.array([2, 0, 1])
        y_cat = np.zeros((y.shape[0], 3))
        y_cat[range(y.shape[0]), y] = 1.0
        result = torch.tensor(y_cat, dtype=torch.float32)
    """,
    "int(np.prod(img_shape))": """
        img_shape = (1, 28, 28)
        lin = nn.Linear(100, int(np.prod(img_shape)))
        result = lin(torch.zeros(2, 100)).view(2, *img_shape).shape
    """,
    # ---- math and reductions --------------------------------------------------------------------
    "mean over spatial dims": "x = torch.arange(24.0).view(2, 3, 2, 2); result = x.mean(dim=[0, 2, 3])",
    "std and var": "x = torch.tensor([[1.0, 2.0], [3.0, 6.0]]); result = (x.std(dim=0), x.var())",
    "VAE KLD sum": """
        mu = torch.tensor([[0.5, -0.5]]); logvar = torch.tensor([[0.1, -0.2]])
        result = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    """,
    "VAE KLD batch mean": """
        mu = torch.tensor([[0.5, -0.5], [1.0, 0.0]]); log_var = torch.tensor([[0.1, -0.2], [0.0, 0.3]])
        result = torch.mean(-0.5 * torch.sum(1 + log_var - mu ** 2 - log_var.exp(), dim=1), dim=0)
    """,
    "reparameterize": """
        mu, logvar = torch.zeros(4, 2), torch.zeros(4, 2)
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        result = (mu + eps * std).shape
    """,
    "F.softplus": "result = F.softplus(torch.tensor([-1.0, 0.0, 1.0]))",
    "norm per row": "result = torch.arange(6.0).view(2, 3).norm(2, dim=1)",
    "matmul operator": "result = torch.arange(6.0).view(2, 3) @ torch.ones(3, 2)",
    "max with dim": "v, i = torch.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1); result = (v, i)",
    "log with eps": "result = torch.log(torch.tensor([0.5, 1.0, 0.0]) + 1e-8)",
    "sigmoid tanh exp": "x = torch.tensor([0.0, 1.0]); result = (torch.sigmoid(x), torch.tanh(x), x.exp())",
    # ---- autograd -------------------------------------------------------------------------------
    "backward grad": "x = torch.tensor([1.0, 2.0], requires_grad=True); (x ** 2).sum().backward(); result = x.grad",
    "second order create_graph": """
        x = torch.tensor(3.0, requires_grad=True)
        g, = torch.autograd.grad(x ** 3, x, create_graph=True)
        g2, = torch.autograd.grad(g, x)
        result = (g.item(), g2.item())
    """,
    "grad_outputs ones_like": """
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        result = torch.autograd.grad(outputs=y, inputs=x, grad_outputs=torch.ones_like(y))[0]
    """,
    "retain_graph accumulate": """
        x = torch.tensor(2.0, requires_grad=True)
        loss = x ** 2
        loss.backward(retain_graph=True)
        loss.backward()
        result = x.grad
    """,
    "no_grad": "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\nresult = y.requires_grad",
    "inference_mode": "lin = nn.Linear(3, 2)\nwith torch.inference_mode():\n    out = lin(torch.zeros(1, 3))\nresult = (out.requires_grad, out.shape)",
    "detach stops G grad": """
        G = nn.Linear(2, 2); D = nn.Linear(2, 1)
        fake = G(torch.ones(3, 2))
        D(fake.detach()).mean().backward()
        result = (G.weight.grad is None, D.weight.grad is not None)
    """,
    "freeze D params": """
        D = nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1))
        for p in D.parameters():
            p.requires_grad_(False)
        x = torch.ones(1, 2, requires_grad=True)
        D(x).sum().backward()
        result = (D[0].weight.grad is None, x.grad is not None)
    """,
    "R1 penalty": """
        real = torch.tensor([[1.0, 2.0], [0.0, 1.0]], requires_grad=True)
        out = (real ** 2).sum(dim=1)
        grad, = torch.autograd.grad(outputs=out.sum(), inputs=real, create_graph=True)
        r1 = grad.pow(2).reshape(grad.size(0), -1).sum(1).mean()
        r1.backward()
        result = (r1.item(), real.grad)
    """,
    "clip_grad_norm_": """
        w = nn.Parameter(torch.zeros(2))
        w.grad = torch.tensor([3.0, 4.0])
        total = nn.utils.clip_grad_norm_([w], max_norm=1.0)
        result = (float(total), w.grad)
    """,
    "WGAN weight clipping": """
        D = nn.Linear(3, 2)
        for p in D.parameters():
            p.data.clamp_(-0.01, 0.01)
        result = all(p.abs().max().item() <= 0.01 for p in D.parameters())
    """,
    # ---- nn layers ------------------------------------------------------------------------------
    "Conv2d DCGAN D shape": "conv = nn.Conv2d(3, 16, 4, 2, 1, bias=False); result = conv(torch.zeros(2, 3, 64, 64)).shape",
    "ConvTranspose2d from latent": "ct = nn.ConvTranspose2d(100, 32, 4, 1, 0, bias=False); result = ct(torch.zeros(2, 100, 1, 1)).shape",
    "ConvTranspose2d output_padding": """
        ct = nn.ConvTranspose2d(8, 4, kernel_size=3, stride=2, padding=1, output_padding=1)
        result = ct(torch.zeros(1, 8, 4, 4)).shape
    """,
    "Conv2d constant weights": """
        conv = nn.Conv2d(1, 1, 3, padding=1, bias=False)
        nn.init.constant_(conv.weight, 1.0)
        result = conv(torch.ones(1, 1, 3, 3))
    """,
    "ConvTranspose2d constant weights": """
        ct = nn.ConvTranspose2d(1, 1, 2, stride=2)
        nn.init.ones_(ct.weight); nn.init.zeros_(ct.bias)
        result = ct(torch.arange(4.0).view(1, 1, 2, 2))
    """,
    "BatchNorm2d train output": "bn = nn.BatchNorm2d(2); x = torch.arange(16.0).view(2, 2, 2, 2); result = bn(x)",
    "BatchNorm2d running stats": """
        bn = nn.BatchNorm2d(2)
        bn(torch.arange(16.0).view(2, 2, 2, 2))
        result = (bn.running_mean, bn.running_var, int(bn.num_batches_tracked))
    """,
    "BatchNorm2d eval": "bn = nn.BatchNorm2d(2).eval(); result = bn(torch.arange(8.0).view(1, 2, 2, 2))",
    "BatchNorm1d eps 0.8": "bn = nn.BatchNorm1d(2, 0.8); result = bn(torch.tensor([[1.0, 2.0], [3.0, 6.0]]))",
    "InstanceNorm2d": "result = nn.InstanceNorm2d(2)(torch.arange(16.0).view(2, 2, 2, 2))",
    "LeakyReLU inplace": "result = nn.LeakyReLU(0.2, inplace=True)(torch.tensor([-1.0, 2.0]))",
    "activations": """
        x = torch.tensor([-1.0, 0.0, 2.0])
        result = [nn.ReLU(True)(x.clone()), nn.Tanh()(x), nn.Sigmoid()(x), nn.ELU()(x), nn.GELU()(x), nn.SiLU()(x)]
    """,
    "pooling": """
        x = torch.arange(16.0).view(1, 1, 4, 4)
        result = (nn.MaxPool2d(2)(x), nn.AvgPool2d(2)(x), nn.AdaptiveAvgPool2d(1)(x), F.avg_pool2d(x, 2))
    """,
    "Upsample nearest": "result = nn.Upsample(scale_factor=2)(torch.arange(4.0).view(1, 1, 2, 2))",
    "interpolate bilinear": "result = F.interpolate(torch.arange(4.0).view(1, 1, 2, 2), scale_factor=2, mode='bilinear', align_corners=False)",
    "Embedding eye init": "emb = nn.Embedding(3, 3); nn.init.eye_(emb.weight); result = emb(torch.tensor([2, 0]))",
    "spectral_norm old API": """
        sn = nn.utils.spectral_norm(nn.Linear(4, 3))
        result = (sn(torch.zeros(2, 4)).shape, hasattr(sn, 'weight_orig'))
    """,
    "spectral_norm sigma near 1": """
        sn = nn.utils.spectral_norm(nn.Linear(5, 5), n_power_iterations=5)
        for _ in range(20):
            sn(torch.ones(1, 5))
        result = abs(torch.linalg.matrix_norm(sn.weight.detach(), ord=2).item() - 1.0) < 0.05
    """,
    "parametrizations.spectral_norm conv": """
        conv = nn.utils.parametrizations.spectral_norm(nn.Conv2d(3, 8, 3, padding=1))
        result = conv(torch.zeros(1, 3, 8, 8)).shape
    """,
    "Flatten Unflatten": """
        net = nn.Sequential(nn.Flatten(), nn.Linear(16, 32), nn.Unflatten(1, (2, 4, 4)))
        result = net(torch.zeros(3, 1, 4, 4)).shape
    """,
    "ReflectionPad2d": "result = nn.ReflectionPad2d(1)(torch.arange(4.0).view(1, 1, 2, 2))",
    # ---- module building ------------------------------------------------------------------------
    "Sequential from list": """
        layers = [nn.Linear(10, 20), nn.ReLU()]
        layers += [nn.Linear(20, 5)]
        net = nn.Sequential(*layers)
        result = (net(torch.zeros(3, 10)).shape, len(net))
    """,
    "PyTorch-GAN block helper": """
        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers
        model = nn.Sequential(*block(16, 32, normalize=False), *block(32, 64), nn.Linear(64, 28 * 28), nn.Tanh())
        result = model(torch.zeros(4, 16)).view(4, 1, 28, 28).shape
    """,
    "ModuleList loop": """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
            def forward(self, x):
                for layer in self.layers:
                    x = F.relu(layer(x))
                return x
        net = Net()
        result = (net(torch.zeros(2, 4)).shape, len(list(net.parameters())))
    """,
    "residual block": """
        class ResidualBlock(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.block = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(inplace=True),
                                           nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c))
            def forward(self, x):
                return x + self.block(x)
        result = ResidualBlock(4)(torch.zeros(1, 4, 6, 6)).shape
    """,
    "DCGAN weights_init by classname": """
        def weights_init(m):
            classname = m.__class__.__name__
            if classname.find('Conv') != -1:
                nn.init.normal_(m.weight.data, 0.0, 0.02)
            elif classname.find('BatchNorm') != -1:
                nn.init.normal_(m.weight.data, 1.0, 0.02)
                nn.init.constant_(m.bias.data, 0)
        net = nn.Sequential(nn.ConvTranspose2d(8, 4, 4, 1, 0, bias=False), nn.BatchNorm2d(4), nn.ReLU(True))
        net.apply(weights_init)
        result = (net[1].bias.abs().sum().item(), net[0].weight.std().item() < 0.05)
    """,
    "isinstance init xavier zeros": """
        def init_weights(m):
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4, 1))
        net.apply(init_weights)
        result = (net[0].bias.sum().item(), net[3].bias.sum().item())
    """,
    "kaiming_normal_ leaky": """
        w = torch.empty(64, 32)
        nn.init.kaiming_normal_(w, a=0.2, mode='fan_in', nonlinearity='leaky_relu')
        result = (w.shape, abs(w.std().item() - nn.init.calculate_gain('leaky_relu', 0.2) / 32 ** 0.5) < 0.02)
    """,
    "parameter count": """
        net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
        result = sum(p.numel() for p in net.parameters() if p.requires_grad)
    """,
    "named_parameters": "net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)); result = [n for n, _ in net.named_parameters()]",
    "BatchNorm state_dict keys": "result = list(nn.BatchNorm2d(3).state_dict().keys())",
    "register_buffer and Parameter": """
        class Scale(nn.Module):
            def __init__(self):
                super().__init__()
                self.gain = nn.Parameter(torch.ones(1))
                self.register_buffer('mean', torch.zeros(3))
            def forward(self, x):
                return (x - self.mean) * self.gain
        m = Scale()
        result = (list(m.state_dict().keys()), len(list(m.parameters())), m(torch.ones(3)))
    """,
    "train eval flags": """
        net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.3))
        net.eval()
        a = (net.training, net[1].training)
        net.train()
        result = (a, net[1].training)
    """,
    "EMA with deepcopy mul_ add_": """
        import copy
        G = nn.Linear(3, 2)
        G_ema = copy.deepcopy(G)
        before = [p.clone() for p in G_ema.parameters()]
        with torch.no_grad():
            for p in G.parameters():
                p.add_(1.0)
            for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                p_ema.mul_(0.999).add_(p, alpha=1 - 0.999)
        result = all(torch.allclose(e, b + 0.001) for e, b in zip(G_ema.parameters(), before))
    """,
    "EMA with lerp_ and buffers": """
        import copy
        G = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        G_ema = copy.deepcopy(G).eval()
        G(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        with torch.no_grad():
            for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                p_ema.lerp_(p, 0.01)
            for b_ema, b in zip(G_ema.buffers(), G.buffers()):
                b_ema.copy_(b)
        result = (G_ema[1].running_mean.tolist() == G[1].running_mean.tolist(), G_ema.training)
    """,
    "load_state_dict copy": """
        a, b = nn.Linear(3, 2), nn.Linear(3, 2)
        b.load_state_dict(a.state_dict())
        result = all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))
    """,
    "conditional generator embedding": """
        class Generator(nn.Module):
            def __init__(self, n_classes=10, latent_dim=8):
                super().__init__()
                self.label_emb = nn.Embedding(n_classes, n_classes)
                self.model = nn.Sequential(nn.Linear(latent_dim + n_classes, 16), nn.LeakyReLU(0.2, inplace=True), nn.Linear(16, 4), nn.Tanh())
            def forward(self, noise, labels):
                return self.model(torch.cat((self.label_emb(labels), noise), -1))
        G = Generator()
        result = G(torch.zeros(5, 8), torch.tensor([0, 1, 2, 3, 9])).shape
    """,
    "projection discriminator": """
        phi = nn.Linear(4, 6); psi = nn.Linear(6, 1); embed = nn.Embedding(3, 6)
        h = F.relu(phi(torch.ones(2, 4)))
        y = torch.tensor([0, 2])
        out = psi(h) + torch.sum(embed(y) * h, dim=1, keepdim=True)
        result = out.shape
    """,
    "DCGAN generator 32x32": """
        nz, ngf = 16, 8
        netG = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())
        fixed_noise = torch.randn(4, nz, 1, 1)
        with torch.no_grad():
            fake = netG(fixed_noise).detach().cpu()
        result = (fake.shape, bool((fake.abs() <= 1).all()))
    """,
    "DCGAN discriminator view(-1)": """
        ndf = 8
        netD = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 8, 1, 0, bias=False), nn.Sigmoid())
        out = netD(torch.zeros(5, 3, 32, 32)).view(-1, 1).squeeze(1)
        result = out.shape
    """,
    # ---- losses ---------------------------------------------------------------------------------
    "BCELoss": "result = nn.BCELoss()(torch.tensor([0.8, 0.3]), torch.tensor([1.0, 0.0]))",
    "BCEWithLogitsLoss": "result = nn.BCEWithLogitsLoss()(torch.tensor([[2.0], [-1.0]]), torch.tensor([[1.0], [0.0]]))",
    "F.binary_cross_entropy sum": """
        recon = torch.tensor([[0.9, 0.2], [0.4, 0.6]]); x = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        result = F.binary_cross_entropy(recon, x.view(-1, 2), reduction='sum')
    """,
    "BCE with smoothed labels": """
        d_out = torch.tensor([1.0, -0.5, 0.3])
        valid = torch.full((3,), 0.9)
        result = F.binary_cross_entropy_with_logits(d_out, valid)
    """,
    "MSELoss LSGAN": "result = nn.MSELoss()(torch.tensor([0.5, 1.5]), torch.ones(2))",
    "CrossEntropyLoss aux": "result = nn.CrossEntropyLoss()(torch.tensor([[2.0, 0.5, 0.1], [0.2, 0.2, 3.0]]), torch.tensor([0, 2]))",
    "cross_entropy label_smoothing": "result = F.cross_entropy(torch.tensor([[2.0, 0.5, 0.1]]), torch.tensor([1]), label_smoothing=0.1)",
    "hinge D and G losses": """
        d_real = torch.tensor([0.5, 2.0]); d_fake = torch.tensor([-0.3, 0.8])
        d_loss = F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()
        g_loss = -d_fake.mean()
        result = (d_loss, g_loss)
    """,
    "WGAN critic loss": "d_real = torch.tensor([1.0, 2.0]); d_fake = torch.tensor([0.5, -1.0]); result = -torch.mean(d_real) + torch.mean(d_fake)",
    "non-saturating softplus": "d_fake = torch.tensor([0.0, 1.0, -2.0]); result = F.softplus(-d_fake).mean()",
    "beta-VAE loss": """
        recon_x = torch.tensor([[0.5, 0.5]]); x = torch.tensor([[0.0, 1.0]])
        mu = torch.tensor([[0.2, 0.1]]); logvar = torch.tensor([[0.0, -0.1]]); beta = 4.0
        recon = F.mse_loss(recon_x, x, reduction='sum')
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        result = recon + beta * kld
    """,
    # ---- optimisers and schedulers --------------------------------------------------------------
    "Adam GAN betas step": """
        w = nn.Parameter(torch.tensor([1.0, -1.0]))
        opt = optim.Adam([w], lr=0.1, betas=(0.5, 0.999))
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
        result = w.detach()
    """,
    "SGD momentum steps": """
        w = nn.Parameter(torch.tensor([2.0]))
        opt = optim.SGD([w], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
        result = w.detach()
    """,
    "RMSprop WGAN": """
        w = nn.Parameter(torch.tensor([1.0, 2.0]))
        opt = optim.RMSprop([w], lr=0.01)
        opt.zero_grad(); w.sum().backward(); opt.step()
        result = w.detach()
    """,
    "param groups lr": """
        a, b = nn.Linear(2, 2), nn.Linear(2, 2)
        opt = optim.Adam([{'params': a.parameters()}, {'params': b.parameters(), 'lr': 1e-3}], lr=1e-4, betas=(0.5, 0.999))
        result = [g['lr'] for g in opt.param_groups]
    """,
    "itertools.chain params": """
        import itertools
        G_AB, G_BA = nn.Linear(2, 2), nn.Linear(2, 2)
        opt = optim.Adam(itertools.chain(G_AB.parameters(), G_BA.parameters()), lr=2e-4, betas=(0.5, 0.999))
        result = len(opt.param_groups[0]['params'])
    """,
    "zero_grad set_to_none": """
        lin = nn.Linear(2, 1)
        opt = optim.SGD(lin.parameters(), lr=0.1)
        lin(torch.ones(1, 2)).sum().backward()
        opt.zero_grad()
        result = lin.weight.grad is None
    """,
    "StepLR": """
        opt = optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(5):
            opt.step(); sched.step()
        result = sched.get_last_lr()
    """,
    "LambdaLR linear decay": """
        n_epochs, decay_epoch = 6, 3
        opt = optim.Adam([nn.Parameter(torch.zeros(1))], lr=2e-4)
        sched = optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: 1.0 - max(0, epoch - decay_epoch) / (n_epochs - decay_epoch))
        lrs = []
        for _ in range(n_epochs):
            opt.step(); sched.step(); lrs.append(opt.param_groups[0]['lr'])
        result = lrs
    """,
    "CosineAnnealingLR": """
        opt = optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        for _ in range(2):
            opt.step(); sched.step()
        result = opt.param_groups[0]['lr']
    """,
    "MultiStepLR": """
        opt = optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
        lrs = []
        for _ in range(4):
            opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
        result = lrs
    """,
    # ---- data -----------------------------------------------------------------------------------
    "TensorDataset DataLoader batches": """
        ds = data.TensorDataset(torch.arange(10.0).view(10, 1), torch.arange(10))
        dl = data.DataLoader(ds, batch_size=4, shuffle=False)
        result = [(x.shape[0], y.tolist()) for x, y in dl]
    """,
    "drop_last len": """
        ds = data.TensorDataset(torch.zeros(10, 2))
        result = (len(data.DataLoader(ds, batch_size=4, drop_last=True)), len(data.DataLoader(ds, batch_size=4)))
    """,
    "shuffle with generator": """
        g = torch.Generator(); g.manual_seed(0)
        ds = data.TensorDataset(torch.arange(8))
        dl = data.DataLoader(ds, batch_size=3, shuffle=True, generator=g)
        result = sorted(int(v) for (b,) in dl for v in b)
    """,
    "custom Dataset tuple": """
        class Toy(data.Dataset):
            def __init__(self, n):
                self.x = torch.arange(n * 2, dtype=torch.float32).view(n, 2)
            def __len__(self):
                return len(self.x)
            def __getitem__(self, idx):
                return self.x[idx], int(idx % 2)
        x, y = next(iter(data.DataLoader(Toy(5), batch_size=4)))
        result = (x, y, y.dtype == torch.int64)
    """,
    "custom Dataset dict": """
        class Paired(data.Dataset):
            def __len__(self):
                return 3
            def __getitem__(self, i):
                return {'A': torch.full((1, 2, 2), float(i)), 'B': torch.zeros(1, 2, 2)}
        batch = next(iter(data.DataLoader(Paired(), batch_size=2)))
        result = (batch['A'].shape, batch['A'][:, 0, 0, 0])
    """,
    "enumerate dataloader": """
        dl = data.DataLoader(data.TensorDataset(torch.zeros(6, 1, 4, 4), torch.zeros(6)), batch_size=2)
        seen = []
        for i, (imgs, _) in enumerate(dl):
            seen.append((i, imgs.size(0)))
        result = (seen, len(dl.dataset))
    """,
    "random_split": "ds = data.TensorDataset(torch.zeros(10, 1)); a, b = data.random_split(ds, [8, 2]); result = (len(a), len(b))",
    "Subset and ConcatDataset": """
        ds = data.TensorDataset(torch.arange(5.0))
        sub = data.Subset(ds, [0, 2, 4])
        cat = data.ConcatDataset([ds, sub])
        result = (len(sub), len(cat), cat[6][0].item())
    """,
    # ---- save and load --------------------------------------------------------------------------
    "save load state_dict file": """
        import os, tempfile
        G, G2 = nn.Linear(3, 2), nn.Linear(3, 2)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'netG.pth')
            torch.save(G.state_dict(), path)
            G2.load_state_dict(torch.load(path, map_location='cpu'))
        result = all(torch.equal(a, b) for a, b in zip(G.state_dict().values(), G2.state_dict().values()))
    """,
    "checkpoint dict with optimizer": """
        import os, tempfile
        G = nn.Linear(2, 2); opt = optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        G(torch.ones(1, 2)).sum().backward(); opt.step()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'ckpt.pt')
            torch.save({'epoch': 3, 'G': G.state_dict(), 'optG': opt.state_dict()}, path)
            ckpt = torch.load(path)
        opt2 = optim.Adam(nn.Linear(2, 2).parameters(), lr=1.0)
        opt2.load_state_dict(ckpt['optG'])
        result = (ckpt['epoch'], opt2.param_groups[0]['lr'], opt2.param_groups[0]['betas'], sorted(ckpt['G'].keys()))
    """,
    "save to BytesIO": """
        import io
        buf = io.BytesIO()
        torch.save({'z': torch.arange(3.0)}, buf)
        buf.seek(0)
        result = torch.load(buf)['z']
    """,
    "save BatchNorm model load eval": """
        import os, tempfile
        net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        net(torch.tensor([[1.0, 2.0], [3.0, 5.0]]))
        with tempfile.TemporaryDirectory() as d:
            torch.save(net.state_dict(), os.path.join(d, 'm.pt'))
            net2 = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
            net2.load_state_dict(torch.load(os.path.join(d, 'm.pt'), weights_only=True))
        result = (torch.equal(net2[1].running_var, net[1].running_var), int(net2[1].num_batches_tracked))
    """,
    # ---- small full training steps --------------------------------------------------------------
    "GAN D and G step BCE": """
        G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        D = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Sigmoid())
        optG = optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999)); optD = optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        criterion = nn.BCELoss(); real = torch.randn(6, 2); valid = torch.ones(6, 1); fake_t = torch.zeros(6, 1)
        fake = G(torch.randn(6, 4))
        optD.zero_grad(); d_loss = (criterion(D(real), valid) + criterion(D(fake.detach()), fake_t)) / 2; d_loss.backward(); optD.step()
        optG.zero_grad(); g_loss = criterion(D(fake), valid); g_loss.backward(); optG.step()
        result = (d_loss.item() > 0, g_loss.item() > 0, d_loss.dim())
    """,
    "WGAN-GP critic step": """
        D = nn.Sequential(nn.Linear(3, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
        opt = optim.Adam(D.parameters(), lr=1e-4, betas=(0.0, 0.9))
        real, fake = torch.randn(4, 3), torch.randn(4, 3)
        alpha = torch.rand(real.size(0), 1)
        interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        d_interp = D(interpolates)
        gradients = torch.autograd.grad(outputs=d_interp, inputs=interpolates, grad_outputs=torch.ones_like(d_interp), create_graph=True, retain_graph=True)[0]
        gp = ((gradients.view(gradients.size(0), -1).norm(2, dim=1) - 1) ** 2).mean()
        loss = -D(real).mean() + D(fake).mean() + 10 * gp
        opt.zero_grad(); loss.backward(); opt.step()
        result = (gp.item() >= 0, all(p.grad is not None for p in D.parameters()))
    """,
    "VAE training step": """
        class VAE(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(16, 8); self.fc21 = nn.Linear(8, 2); self.fc22 = nn.Linear(8, 2)
                self.fc3 = nn.Linear(2, 8); self.fc4 = nn.Linear(8, 16)
            def encode(self, x):
                h1 = F.relu(self.fc1(x)); return self.fc21(h1), self.fc22(h1)
            def reparameterize(self, mu, logvar):
                std = torch.exp(0.5 * logvar); return mu + torch.randn_like(std) * std
            def forward(self, x):
                mu, logvar = self.encode(x.view(-1, 16)); z = self.reparameterize(mu, logvar)
                return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar
        model = VAE(); opt = optim.Adam(model.parameters(), lr=1e-3); x = torch.rand(5, 1, 4, 4)
        recon, mu, logvar = model(x)
        loss = F.binary_cross_entropy(recon, x.view(-1, 16), reduction='sum') - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        opt.zero_grad(); loss.backward(); opt.step()
        result = (recon.shape, mu.shape, loss.item() > 0)
    """,
    "conv VAE encoder decoder shapes": """
        enc = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.LeakyReLU(), nn.Flatten())
        fc_mu, fc_var = nn.Linear(8 * 4 * 4, 3), nn.Linear(8 * 4 * 4, 3)
        dec_in = nn.Linear(3, 8 * 4 * 4)
        dec = nn.Sequential(nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1), nn.BatchNorm2d(8), nn.LeakyReLU(), nn.Conv2d(8, 1, 3, padding=1), nn.Tanh())
        h = enc(torch.zeros(2, 1, 8, 8)); mu, log_var = fc_mu(h), fc_var(h)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        result = dec(dec_in(z).view(-1, 8, 4, 4)).shape
    """,
    "cGAN step with randint labels": """
        n_classes, latent = 3, 4
        emb = nn.Embedding(n_classes, n_classes); G = nn.Linear(latent + n_classes, 2)
        D = nn.Sequential(nn.Linear(2 + n_classes, 1))
        opt = optim.Adam(list(G.parameters()) + list(emb.parameters()), lr=2e-4, betas=(0.5, 0.999))
        z = torch.randn(6, latent); gen_labels = torch.randint(0, n_classes, (6,))
        fake = G(torch.cat([z, emb(gen_labels)], 1))
        g_loss = F.mse_loss(D(torch.cat([fake, F.one_hot(gen_labels, n_classes).float()], 1)), torch.ones(6, 1))
        opt.zero_grad(); g_loss.backward(); opt.step()
        result = (fake.shape, emb.weight.grad is not None, gen_labels.dtype == torch.int64)
    """,
    "CycleGAN generator losses": """
        G_AB, G_BA = nn.Conv2d(3, 3, 1), nn.Conv2d(3, 3, 1)
        criterion_cycle, criterion_identity = nn.L1Loss(), nn.L1Loss()
        real_A, real_B = torch.rand(2, 3, 4, 4), torch.rand(2, 3, 4, 4)
        loss_id = (criterion_identity(G_BA(real_A), real_A) + criterion_identity(G_AB(real_B), real_B)) / 2
        fake_B = G_AB(real_A)
        loss_cycle = criterion_cycle(G_BA(fake_B), real_A)
        loss = 10.0 * loss_cycle + 5.0 * loss_id
        loss.backward()
        result = (loss.dim(), G_AB.weight.grad.shape)
    """,
    "InfoGAN info loss": """
        n_classes, code_dim = 4, 2
        Q_cat, Q_code = nn.Linear(8, n_classes), nn.Linear(8, code_dim)
        h = torch.randn(5, 8)
        sampled_labels = torch.randint(0, n_classes, (5,)); code = torch.empty(5, code_dim).uniform_(-1, 1)
        info_loss = F.cross_entropy(Q_cat(h), sampled_labels) + 0.1 * F.mse_loss(Q_code(h), code)
        info_loss.backward()
        result = (info_loss.dim(), Q_cat.weight.grad.shape)
    """,
}
