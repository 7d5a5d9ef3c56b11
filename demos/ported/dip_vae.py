"""DIP-VAE (Kumar et al. 2018) written as in AntixK's PyTorch-VAE zoo (models/dip_vae.py, trained
as its experiment.py does), run on PyTorch or on tinygan.

    python demos/ported/dip_vae.py [--engine tinygan|torch] [--quick] [--out DIR] [--overwrite]

The file is plain PyTorch. Three marked blocks are the exceptions:
  ENGINE  the imports, the only lines that differ between the two engines;
  DATA    procedural dSprites from tinygan.data (no download) at 32x32 (16x16 with --quick),
          scaled to [-1, 1] for the Tanh decoder, instead of the zoo's CelebA loader;
  OUTPUT  torchvision.utils.save_image's job, done with matplotlib, plus the run folder. Every file
          is written atomically through tinygan.files, on both engines.
Everything after the OUTPUT block is shared by both engines and never names tinygan
(tests/test_ported_examples.py checks this).

Two lines of the zoo's DIP term are written as the paper defines them: mu is centred over the
batch (the zoo centres over the latent axis), and the covariance is divided by the batch size;
DIP-VAE-II adds the mean encoder variance diag(E[sigma^2]) (the zoo's line takes a diagonal of
exp(2 log_var), a B x D matrix). The PyTorch-Lightning experiment is replaced by a plain loop
with the same steps (training_step, validation_step, sample_images, configure_optimizers).

Writes recons_epoch_N.png, samples_epoch_N.png, losses.png and metrics.json to --out (default
runs/ported/dip_vae). The zoo's CelebA setting (64x64, hidden_dims [32, 64, 128, 256, 512],
latent_dim 128) becomes 32x32 dSprites with hidden_dims [32, 64, 128, 256] and latent_dim 10;
the default is 3 epochs of 3 840 images (180 steps, about 2-3 minutes on 2 cores).
"""
import argparse
import os
import sys
import time
from abc import abstractmethod
from typing import Any, List

import numpy as np

# ======== BEGIN ENGINE: the only lines that differ between the engines ===========================
_engine = argparse.ArgumentParser(add_help=False)
_engine.add_argument('--engine', choices=['tinygan', 'torch'], default='tinygan', help='the engine to run on')
if _engine.parse_known_args()[0].engine == 'tinygan':
    import tinygan as torch
    from tinygan import nn, optim, Tensor
    from tinygan.nn import functional as F
    from tinygan.utils.data import DataLoader, TensorDataset
else:
    import torch
    from torch import nn, optim, Tensor
    from torch.nn import functional as F
    from torch.utils.data import DataLoader, TensorDataset
# ======== END ENGINE ==============================================================================


# ======== BEGIN DATA: tinygan.data's arrays instead of torchvision's datasets (both engines) ====
def get_dataset(train, size, num):
    """`num` random dSprites (N, 1, size, size) scaled to [-1, 1], with their 5 factor indices
    (shape, scale, orientation, x, y); the train and validation sets use different seeds."""
    from tinygan.data.dsprites import DSprites
    factors, x = DSprites(size).sample(num, random_state=0 if train else 1)
    x = (x * 2 - 1).astype(np.float32)
    return TensorDataset(torch.from_numpy(x), torch.from_numpy(factors.astype(np.int64)))
# ======== END DATA ================================================================================


# ======== BEGIN OUTPUT: save_image, plots and the run folder, through tinygan.files (both engines)
import matplotlib  # noqa: E402
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
from tinygan.files import save_figure, write_json  # noqa: E402


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))        # the four examples' shared stand-ins
from torchvision_standin import make_out_dir, save_image  # noqa: E402


def save_losses(curves, path, xlabel='epoch'):
    """One panel per loss curve ({name: [values]}), as a PNG."""
    fig, axes = plt.subplots(1, len(curves), figsize=(3 * len(curves), 3))
    for ax, (name, values) in zip(np.atleast_1d(axes), curves.items()):
        ax.plot(range(1, len(values) + 1), values, marker='o', ms=3)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(xlabel)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    plt.close(fig)
# ======== END OUTPUT ==============================================================================


class BaseVAE(nn.Module):

    def __init__(self) -> None:
        super(BaseVAE, self).__init__()

    def encode(self, input: Tensor) -> List[Tensor]:
        raise NotImplementedError

    def decode(self, input: Tensor) -> Any:
        raise NotImplementedError

    def sample(self, batch_size: int, current_device: int, **kwargs) -> Tensor:
        raise NotImplementedError

    def generate(self, x: Tensor, **kwargs) -> Tensor:
        raise NotImplementedError

    @abstractmethod
    def forward(self, *inputs: Tensor) -> Tensor:
        pass

    @abstractmethod
    def loss_function(self, *inputs: Any, **kwargs) -> Tensor:
        pass


class DIPVAE(BaseVAE):

    def __init__(self,
                 in_channels: int,
                 latent_dim: int,
                 hidden_dims: List = None,
                 lambda_diag: float = 10.,
                 lambda_offdiag: float = 5.,
                 dip_type: str = 'ii',
                 **kwargs) -> None:
        super(DIPVAE, self).__init__()

        self.latent_dim = latent_dim
        self.lambda_diag = lambda_diag
        self.lambda_offdiag = lambda_offdiag
        self.dip_type = dip_type
        self.out_channels = in_channels

        modules = []
        if hidden_dims is None:
            hidden_dims = [32, 64, 128, 256]
        hidden_dims = list(hidden_dims)
        self.last_dim = hidden_dims[-1]

        # Build Encoder
        for h_dim in hidden_dims:
            modules.append(
                nn.Sequential(
                    nn.Conv2d(in_channels, out_channels=h_dim,
                              kernel_size=3, stride=2, padding=1),
                    nn.BatchNorm2d(h_dim),
                    nn.LeakyReLU())
            )
            in_channels = h_dim

        self.encoder = nn.Sequential(*modules)
        self.fc_mu = nn.Linear(hidden_dims[-1]*4, latent_dim)
        self.fc_var = nn.Linear(hidden_dims[-1]*4, latent_dim)

        # Build Decoder
        modules = []

        self.decoder_input = nn.Linear(latent_dim, hidden_dims[-1] * 4)

        hidden_dims.reverse()

        for i in range(len(hidden_dims) - 1):
            modules.append(
                nn.Sequential(
                    nn.ConvTranspose2d(hidden_dims[i],
                                       hidden_dims[i + 1],
                                       kernel_size=3,
                                       stride=2,
                                       padding=1,
                                       output_padding=1),
                    nn.BatchNorm2d(hidden_dims[i + 1]),
                    nn.LeakyReLU())
            )

        self.decoder = nn.Sequential(*modules)

        self.final_layer = nn.Sequential(
                            nn.ConvTranspose2d(hidden_dims[-1],
                                               hidden_dims[-1],
                                               kernel_size=3,
                                               stride=2,
                                               padding=1,
                                               output_padding=1),
                            nn.BatchNorm2d(hidden_dims[-1]),
                            nn.LeakyReLU(),
                            nn.Conv2d(hidden_dims[-1], out_channels=self.out_channels,
                                      kernel_size=3, padding=1),
                            nn.Tanh())

    def encode(self, input: Tensor) -> List[Tensor]:
        """
        Encodes the input by passing through the encoder network
        and returns the latent codes.
        :param input: (Tensor) Input tensor to encoder [N x C x H x W]
        :return: (Tensor) List of latent codes
        """
        result = self.encoder(input)
        result = torch.flatten(result, start_dim=1)

        # Split the result into mu and var components
        # of the latent Gaussian distribution
        mu = self.fc_mu(result)
        log_var = self.fc_var(result)

        return [mu, log_var]

    def decode(self, z: Tensor) -> Tensor:
        """
        Maps the given latent codes
        onto the image space.
        :param z: (Tensor) [B x D]
        :return: (Tensor) [B x C x H x W]
        """
        result = self.decoder_input(z)
        result = result.view(-1, self.last_dim, 2, 2)
        result = self.decoder(result)
        result = self.final_layer(result)
        return result

    def reparameterize(self, mu: Tensor, logvar: Tensor) -> Tensor:
        """
        Reparameterization trick to sample from N(mu, var) from
        N(0,1).
        :param mu: (Tensor) Mean of the latent Gaussian [B x D]
        :param logvar: (Tensor) Standard deviation of the latent Gaussian [B x D]
        :return: (Tensor) [B x D]
        """
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return eps * std + mu

    def forward(self, input: Tensor, **kwargs) -> List[Tensor]:
        mu, log_var = self.encode(input)
        z = self.reparameterize(mu, log_var)
        return [self.decode(z), input, mu, log_var]

    def loss_function(self,
                      *args,
                      **kwargs) -> dict:
        """
        Computes the VAE loss function.
        KL(N(\\mu, \\sigma), N(0, 1)) = \\log \\frac{1}{\\sigma} + \\frac{\\sigma^2 + \\mu^2}{2} - \\frac{1}{2}
        :param args:
        :param kwargs:
        :return:
        """
        recons = args[0]
        input = args[1]
        mu = args[2]
        log_var = args[3]

        kld_weight = kwargs['M_N']  # Account for the minibatch samples from the dataset
        recons_loss = F.mse_loss(recons, input, reduction='sum')

        kld_loss = torch.sum(torch.mean(-0.5 * torch.sum(1 + log_var - mu ** 2 - log_var.exp(), dim=1), dim=0))

        # DIP Loss
        centered_mu = mu - mu.mean(dim=0, keepdim=True)  # [B x D]
        cov_mu = centered_mu.t().matmul(centered_mu).squeeze() / mu.size(0)  # [D X D]

        if self.dip_type == 'ii':
            # Add Variance for DIP Loss II
            cov_z = cov_mu + torch.diag(torch.mean(log_var.exp(), dim=0))  # [D x D]
        else:
            # For DIP Loss I
            cov_z = cov_mu

        cov_diag = torch.diag(cov_z)  # [D]
        cov_offdiag = cov_z - torch.diag(cov_diag)  # [D x D]
        dip_loss = self.lambda_offdiag * torch.sum(cov_offdiag ** 2) + \
            self.lambda_diag * torch.sum((cov_diag - 1) ** 2)

        loss = recons_loss + kld_weight * kld_loss + dip_loss
        return {'loss': loss,
                'Reconstruction_Loss': recons_loss,
                'KLD': -kld_loss,
                'DIP_Loss': dip_loss}

    def sample(self,
               num_samples: int,
               current_device: int, **kwargs) -> Tensor:
        """
        Samples from the latent space and return the corresponding
        image space map.
        :param num_samples: (Int) Number of samples
        :param current_device: (Int) Device to run the model
        :return: (Tensor)
        """
        z = torch.randn(num_samples,
                        self.latent_dim)

        z = z.to(current_device)

        samples = self.decode(z)
        return samples

    def generate(self, x: Tensor, **kwargs) -> Tensor:
        """
        Given an input image x, returns the reconstructed image
        :param x: (Tensor) [B x C x H x W]
        :return: (Tensor) [B x C x H x W]
        """

        return self.forward(x)[0]


class VAEXperiment:
    """The zoo's LightningModule, as a plain class: the same steps, driven by the loop below."""

    def __init__(self, vae_model: BaseVAE, params: dict) -> None:
        self.model = vae_model
        self.params = params
        self.curr_device = None

    def forward(self, input: Tensor, **kwargs) -> Tensor:
        return self.model(input, **kwargs)

    def training_step(self, batch, batch_idx, optimizer_idx=0):
        real_img, labels = batch
        self.curr_device = real_img.device

        results = self.forward(real_img, labels=labels)
        train_loss = self.model.loss_function(*results,
                                              M_N=self.params['kld_weight'],
                                              optimizer_idx=optimizer_idx,
                                              batch_idx=batch_idx)
        return train_loss

    def validation_step(self, batch, batch_idx, optimizer_idx=0):
        real_img, labels = batch
        self.curr_device = real_img.device

        results = self.forward(real_img, labels=labels)
        val_loss = self.model.loss_function(*results,
                                            M_N=1.0,
                                            optimizer_idx=optimizer_idx,
                                            batch_idx=batch_idx)
        return val_loss

    def sample_images(self, test_loader, folder, epoch):
        # Get sample reconstruction image
        test_input, test_label = next(iter(test_loader))
        test_input = test_input.to(self.curr_device)

        recons = self.model.generate(test_input, labels=test_label)
        save_image(torch.cat([test_input[:12], recons.data[:12]]),
                   os.path.join(folder, f"recons_epoch_{epoch}.png"), normalize=True, nrow=12)

        samples = self.model.sample(144, self.curr_device, labels=test_label)
        save_image(samples.cpu().data, os.path.join(folder, f"samples_epoch_{epoch}.png"),
                   normalize=True, nrow=12)

    def configure_optimizers(self):
        optims = []
        scheds = []

        optimizer = optim.Adam(self.model.parameters(),
                               lr=self.params['LR'],
                               weight_decay=self.params['weight_decay'])
        optims.append(optimizer)

        if self.params['scheduler_gamma'] is not None:
            scheduler = optim.lr_scheduler.ExponentialLR(optims[0],
                                                         gamma=self.params['scheduler_gamma'])
            scheds.append(scheduler)
        return optims, scheds


parser = argparse.ArgumentParser(description='Generic runner for VAE models', parents=[_engine])
parser.add_argument('--latent_dim', type=int, default=10)
parser.add_argument('--hidden_dims', type=int, nargs='+', default=[32, 64, 128, 256],
                    help='encoder channels; the image side is 2 ** (len + 1)')
parser.add_argument('--lambda_diag', type=float, default=10.)
parser.add_argument('--lambda_offdiag', type=float, default=5.)
parser.add_argument('--dip_type', default='ii', choices=['i', 'ii'])
parser.add_argument('--LR', type=float, default=0.001)
parser.add_argument('--weight_decay', type=float, default=0.0)
parser.add_argument('--scheduler_gamma', type=float, default=0.97)
parser.add_argument('--kld_weight', type=float, default=1.0)
parser.add_argument('--batch_size', type=int, default=64)
parser.add_argument('--num_train', type=int, default=3840)
parser.add_argument('--num_val', type=int, default=256)
parser.add_argument('--max_epochs', type=int, default=3)
parser.add_argument('--manual_seed', type=int, default=1265)
parser.add_argument('--out', default='runs/ported/dip_vae', help='folder for the images and metrics.json')
parser.add_argument('--overwrite', action='store_true', help='write into a folder that already holds files')
parser.add_argument('--quick', action='store_true', help='a few steps of a tiny model on 16x16 images (smoke test)')
args = parser.parse_args()
if args.quick:
    args.hidden_dims, args.batch_size, args.num_train, args.num_val, args.max_epochs = [8, 16, 32], 8, 24, 16, 1
image_size = 2 ** (len(args.hidden_dims) + 1)
print(args)

make_out_dir(args.out, args.overwrite)
torch.manual_seed(args.manual_seed)

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
model = DIPVAE(in_channels=1, latent_dim=args.latent_dim, hidden_dims=args.hidden_dims,
               lambda_diag=args.lambda_diag, lambda_offdiag=args.lambda_offdiag,
               dip_type=args.dip_type).to(device)
experiment = VAEXperiment(model, vars(args))

train_loader = DataLoader(get_dataset(True, image_size, args.num_train),
                          batch_size=args.batch_size, shuffle=True, drop_last=True)
val_loader = DataLoader(get_dataset(False, image_size, args.num_val),
                        batch_size=args.batch_size, shuffle=False, drop_last=True)

optims, scheds = experiment.configure_optimizers()
optimizer = optims[0]

history = {'loss': [], 'Reconstruction_Loss': [], 'KLD': [], 'DIP_Loss': [], 'val_loss': []}
start = time.time()
for epoch in range(args.max_epochs):
    model.train()
    sums = {k: 0.0 for k in ('loss', 'Reconstruction_Loss', 'KLD', 'DIP_Loss')}
    for batch_idx, batch in enumerate(train_loader):
        batch = [b.to(device) for b in batch]
        train_loss = experiment.training_step(batch, batch_idx)
        optimizer.zero_grad()
        train_loss['loss'].backward()
        optimizer.step()
        for key, val in train_loss.items():
            sums[key] += val.item()
        if batch_idx % 20 == 0:
            print(f"epoch {epoch} batch {batch_idx}/{len(train_loader)} "
                  + " ".join(f"{key}={val.item():.2f}" for key, val in train_loss.items()))
    for sched in scheds:
        sched.step()
    for key in sums:
        history[key].append(sums[key] / len(train_loader))

    model.eval()
    val_total, mus = 0.0, []
    with torch.no_grad():
        for batch_idx, batch in enumerate(val_loader):
            batch = [b.to(device) for b in batch]
            val_total += experiment.validation_step(batch, batch_idx)['loss'].item()
            mus.append(model.encode(batch[0])[0])
        experiment.sample_images(val_loader, args.out, epoch)
    history['val_loss'].append(val_total / len(val_loader))

    mu = torch.cat(mus).cpu().numpy()
    cov = np.cov(mu, rowvar=False)
    offdiag = cov - np.diag(np.diag(cov))
    print(f"====> epoch {epoch}: train loss {history['loss'][-1]:.2f}, val loss {history['val_loss'][-1]:.2f}, "
          f"Cov[mu] diag mean {np.diag(cov).mean():.3f}, off-diagonal mean |.| {np.abs(offdiag).sum() / max(offdiag.size - len(cov), 1):.4f}")
    write_json(os.path.join(args.out, 'metrics.json'), {
        'example': 'dip_vae', 'engine': args.engine, 'epochs': epoch + 1, 'image_size': image_size,
        'seconds': time.time() - start, 'final': {k: v[-1] for k, v in history.items()},
        'cov_mu_diag': np.diag(cov).tolist(),
        'cov_mu_offdiag_mean_abs': float(np.abs(offdiag).sum() / max(offdiag.size - len(cov), 1)),
        'history': history})

save_losses(history, os.path.join(args.out, 'losses.png'))
print('wrote {}'.format(os.path.join(args.out, 'metrics.json')))
