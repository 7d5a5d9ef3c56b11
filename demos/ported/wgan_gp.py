"""WGAN-GP (Gulrajani et al. 2017) written as in eriklindernoren's PyTorch-GAN zoo
(implementations/wgan_gp/wgan_gp.py), run on PyTorch or on tinygan.

    python demos/ported/wgan_gp.py [--engine tinygan|torch] [--quick] [--out DIR] [--overwrite]

The file is plain PyTorch. Three marked blocks are the exceptions:
  ENGINE  the imports, the only lines that differ between the two engines;
  DATA    scikit-learn's 8x8 digits from tinygan.data (no download), scaled and padded to
          img_size as MNIST's digits sit in 28x28, instead of torchvision's MNIST;
  OUTPUT  torchvision.utils.save_image's job, done with matplotlib, plus the run folder. Every file
          is written atomically through tinygan.files, on both engines.
Everything after the OUTPUT block is shared by both engines and never names tinygan
(tests/test_ported_examples.py checks this).

The zoo file is pre-1.0 PyTorch (Variable, Tensor = torch.cuda.FloatTensor, .type(Tensor)); here
those lines are written as current PyTorch (tensors, device=, .to(device)), the same computation.

Writes images/N.png (every --sample_interval batches), samples.png, losses.png and metrics.json
to --out (default runs/ported/wgan_gp). Upstream trains 200 epochs of MNIST; the default here is
25 epochs of the 1 797 digits (725 critic and 145 generator steps, about 3 minutes on 2 cores):
rough digits, not finished ones.
"""
import argparse
import os
import sys
import time

import numpy as np

# ======== BEGIN ENGINE: the only lines that differ between the engines ===========================
_engine = argparse.ArgumentParser(add_help=False)
_engine.add_argument('--engine', choices=['tinygan', 'torch'], default='tinygan', help='the engine to run on')
if _engine.parse_known_args()[0].engine == 'tinygan':
    import tinygan as torch
    import tinygan.nn as nn
    import tinygan.autograd as autograd
    from tinygan.nn import functional as F  # noqa: F401
    from tinygan.utils.data import DataLoader, TensorDataset
else:
    import torch
    import torch.nn as nn
    import torch.autograd as autograd
    from torch.nn import functional as F  # noqa: F401
    from torch.utils.data import DataLoader, TensorDataset
# ======== END ENGINE ==============================================================================


# ======== BEGIN DATA: tinygan.data's arrays instead of torchvision's datasets (both engines) ====
def get_dataset(img_size, limit=None):
    """All 1 797 digits as (N, 1, img_size, img_size) in [-1, 1] (ToTensor, Normalize([0.5], [0.5])),
    each scaled to 20/28 of the frame and padded, as MNIST's digits are."""
    from sklearn.datasets import load_digits
    from tinygan.data import images
    bunch = load_digits()
    x, y = (bunch.images[:limit] / 16.0).astype(np.float32)[:, None], bunch.target[:limit]
    inner = round(img_size * 20 / 28)
    before, after = (img_size - inner) // 2, img_size - inner - (img_size - inner) // 2
    x = np.pad(images.resize(x, inner), ((0, 0), (0, 0), (before, after), (before, after)))
    x = (x * 2 - 1).astype(np.float32)
    return TensorDataset(torch.from_numpy(x), torch.from_numpy(y.astype(np.int64)))
# ======== END DATA ================================================================================


# ======== BEGIN OUTPUT: save_image, plots and the run folder, through tinygan.files (both engines)
from tinygan.files import write_json  # noqa: E402


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))        # the four examples' shared stand-ins
from torchvision_standin import make_out_dir, save_image, save_losses  # noqa: E402
# ======== END OUTPUT ==============================================================================


parser = argparse.ArgumentParser(parents=[_engine])
parser.add_argument("--n_epochs", type=int, default=25, help="number of epochs of training")
parser.add_argument("--batch_size", type=int, default=64, help="size of the batches")
parser.add_argument("--lr", type=float, default=0.0002, help="adam: learning rate")
parser.add_argument("--b1", type=float, default=0.5, help="adam: decay of first order momentum of gradient")
parser.add_argument("--b2", type=float, default=0.999, help="adam: decay of first order momentum of gradient")
parser.add_argument("--n_cpu", type=int, default=8, help="number of cpu threads to use during batch generation")
parser.add_argument("--latent_dim", type=int, default=100, help="dimensionality of the latent space")
parser.add_argument("--img_size", type=int, default=28, help="size of each image dimension")
parser.add_argument("--channels", type=int, default=1, help="number of image channels")
parser.add_argument("--n_critic", type=int, default=5, help="number of training steps for discriminator per iter")
parser.add_argument("--clip_value", type=float, default=0.01, help="lower and upper clip value for disc. weights")
parser.add_argument("--sample_interval", type=int, default=400, help="interval betwen image samples")
parser.add_argument("--seed", type=int, default=1, help="random seed")
parser.add_argument("--out", default="runs/ported/wgan_gp", help="folder for the images and metrics.json")
parser.add_argument("--overwrite", action="store_true", help="write into a folder that already holds files")
parser.add_argument("--quick", action="store_true", help="a few iterations on small images (smoke test)")
opt = parser.parse_args()
if opt.quick:
    opt.n_epochs, opt.batch_size, opt.img_size, opt.latent_dim, opt.sample_interval = 1, 8, 16, 16, 5
print(opt)

make_out_dir(opt.out, opt.overwrite)
os.makedirs(os.path.join(opt.out, "images"), exist_ok=True)
torch.manual_seed(opt.seed)

img_shape = (opt.channels, opt.img_size, opt.img_size)

cuda = True if torch.cuda.is_available() else False
device = torch.device("cuda" if cuda else "cpu")


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(opt.latent_dim, 128, normalize=False),
            *block(128, 256),
            *block(256, 512),
            *block(512, 1024),
            nn.Linear(1024, int(np.prod(img_shape))),
            nn.Tanh()
        )

    def forward(self, z):
        img = self.model(z)
        img = img.view(img.shape[0], *img_shape)
        return img


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()

        self.model = nn.Sequential(
            nn.Linear(int(np.prod(img_shape)), 512),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 256),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(256, 1),
        )

    def forward(self, img):
        img_flat = img.view(img.shape[0], -1)
        validity = self.model(img_flat)
        return validity


# Loss weight for gradient penalty
lambda_gp = 10

# Initialize generator and discriminator
generator = Generator()
discriminator = Discriminator()

if cuda:
    generator.cuda()
    discriminator.cuda()

# Configure data loader
dataloader = DataLoader(
    get_dataset(opt.img_size, limit=48 if opt.quick else None),
    batch_size=opt.batch_size,
    shuffle=True,
)

# Optimizers
optimizer_G = torch.optim.Adam(generator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))


def compute_gradient_penalty(D, real_samples, fake_samples):
    """Calculates the gradient penalty loss for WGAN GP"""
    # Random weight term for interpolation between real and fake samples
    alpha = torch.rand(real_samples.size(0), 1, 1, 1, device=real_samples.device)
    # Get random interpolation between real and fake samples
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = torch.ones(real_samples.shape[0], 1, device=real_samples.device)
    # Get gradient w.r.t. interpolates
    gradients = autograd.grad(
        outputs=d_interpolates,
        inputs=interpolates,
        grad_outputs=fake,
        create_graph=True,
        retain_graph=True,
        only_inputs=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
    return gradient_penalty


# ----------
#  Training
# ----------

history = {"d_loss": [], "g_loss": [], "gradient_penalty": []}
start = time.time()
batches_done = 0
for epoch in range(opt.n_epochs):
    for i, (imgs, _) in enumerate(dataloader):

        # Configure input
        real_imgs = imgs.to(device)

        # ---------------------
        #  Train Discriminator
        # ---------------------

        optimizer_D.zero_grad()

        # Sample noise as generator input
        z = torch.randn(imgs.shape[0], opt.latent_dim, device=device)

        # Generate a batch of images
        fake_imgs = generator(z)

        # Real images
        real_validity = discriminator(real_imgs)
        # Fake images
        fake_validity = discriminator(fake_imgs)
        # Gradient penalty
        gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data, fake_imgs.data)
        # Adversarial loss
        d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) + lambda_gp * gradient_penalty

        d_loss.backward()
        optimizer_D.step()

        optimizer_G.zero_grad()

        # Train the generator every n_critic steps
        if i % opt.n_critic == 0:

            # -----------------
            #  Train Generator
            # -----------------

            # Generate a batch of images
            fake_imgs = generator(z)
            # Loss measures generator's ability to fool the discriminator
            # Train on fake images
            fake_validity = discriminator(fake_imgs)
            g_loss = -torch.mean(fake_validity)

            g_loss.backward()
            optimizer_G.step()

            print(
                "[Epoch %d/%d] [Batch %d/%d] [D loss: %f] [G loss: %f]"
                % (epoch, opt.n_epochs, i, len(dataloader), d_loss.item(), g_loss.item())
            )
            history["d_loss"].append(d_loss.item())
            history["g_loss"].append(g_loss.item())
            history["gradient_penalty"].append(gradient_penalty.item())

            if batches_done % opt.sample_interval == 0:
                save_image(fake_imgs.data[:25], os.path.join(opt.out, "images/%d.png" % batches_done), nrow=5, normalize=True)

            batches_done += opt.n_critic

with torch.no_grad():
    samples = generator(torch.randn(64, opt.latent_dim, device=device))
save_image(samples, os.path.join(opt.out, "samples.png"), nrow=8, normalize=True)
save_losses({k: history[k] for k in ("d_loss", "g_loss")}, os.path.join(opt.out, "losses.png"), xlabel='generator step')
write_json(os.path.join(opt.out, "metrics.json"), {
    "example": "wgan_gp", "engine": opt.engine, "epochs": opt.n_epochs, "batches_done": batches_done,
    "seconds": time.time() - start, "final": {k: v[-1] for k, v in history.items()},
    "last_10_mean": {k: float(np.mean(v[-10:])) for k, v in history.items()}, "history": history})
print("wrote %s" % os.path.join(opt.out, "metrics.json"))
