"""The VAE of Kingma & Welling (2014) written as in PyTorch's examples (vae/main.py), run on
PyTorch or on tinygan.

    python demos/ported/vae.py [--engine tinygan|torch] [--quick] [--out DIR] [--overwrite]

The file is plain PyTorch. Three marked blocks are the exceptions:
  ENGINE  the imports, the only lines that differ between the two engines;
  DATA    scikit-learn's 8x8 digits from tinygan.data (no download), scaled into a 20x20 box and
          padded to 28x28 as MNIST's digits are, instead of torchvision's MNIST;
  OUTPUT  torchvision.utils.save_image's job, done with matplotlib, plus the run folder. Every file
          is written atomically through tinygan.files, on both engines.
Everything after the OUTPUT block is shared by both engines and never names tinygan
(tests/test_ported_examples.py checks this).

Writes reconstruction_N.png, sample_N.png, losses.png and metrics.json to --out (default
runs/ported/vae). Upstream trains 10 epochs of MNIST's 60 000 images (4 690 steps); the default
here is 50 epochs of the 1 347 training digits (550 steps, about a minute on 2 cores).
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
    from tinygan import nn, optim
    from tinygan.nn import functional as F
    from tinygan.utils.data import DataLoader, TensorDataset
else:
    import torch
    from torch import nn, optim
    from torch.nn import functional as F
    from torch.utils.data import DataLoader, TensorDataset
# ======== END ENGINE ==============================================================================


# ======== BEGIN DATA: tinygan.data's arrays instead of torchvision's datasets (both engines) ====
def get_dataset(train, limit=None):
    """MNIST-like (N, 1, 28, 28) images in [0, 1] (transforms.ToTensor()) with their labels: the
    digits' fixed stratified split (1 347 train, 450 test images), each scaled to 20x20 and padded."""
    from tinygan.data import images, load_digits
    x_train, y_train, x_test, y_test = load_digits()
    x, y = (x_train, y_train) if train else (x_test, y_test)
    x = np.pad(images.resize(x[:limit], 20), ((0, 0), (0, 0), (4, 4), (4, 4))).astype(np.float32)
    return TensorDataset(torch.from_numpy(x), torch.from_numpy(y[:limit]))
# ======== END DATA ================================================================================


# ======== BEGIN OUTPUT: save_image, plots and the run folder, through tinygan.files (both engines)
from tinygan.files import write_json  # noqa: E402


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))        # the four examples' shared stand-ins
from torchvision_standin import make_out_dir, save_image, save_losses  # noqa: E402
# ======== END OUTPUT ==============================================================================


parser = argparse.ArgumentParser(description='VAE MNIST Example', parents=[_engine])
parser.add_argument('--batch-size', type=int, default=128, metavar='N',
                    help='input batch size for training (default: 128)')
parser.add_argument('--epochs', type=int, default=50, metavar='N',
                    help='number of epochs to train (default: 50)')
parser.add_argument('--no-cuda', action='store_true', default=False,
                    help='disables CUDA training')
parser.add_argument('--seed', type=int, default=1, metavar='S',
                    help='random seed (default: 1)')
parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                    help='how many batches to wait before logging training status')
parser.add_argument('--out', default='runs/ported/vae', help='folder for the images and metrics.json')
parser.add_argument('--overwrite', action='store_true', help='write into a folder that already holds files')
parser.add_argument('--quick', action='store_true', help='one epoch on a few images (smoke test)')
args = parser.parse_args()
if args.quick:
    args.batch_size, args.epochs, args.log_interval = 16, 1, 1
args.cuda = not args.no_cuda and torch.cuda.is_available()

torch.manual_seed(args.seed)

device = torch.device("cuda" if args.cuda else "cpu")

make_out_dir(args.out, args.overwrite)

kwargs = {'num_workers': 1, 'pin_memory': True} if args.cuda else {}
train_loader = DataLoader(get_dataset(train=True, limit=48 if args.quick else None),
                          batch_size=args.batch_size, shuffle=True, **kwargs)
test_loader = DataLoader(get_dataset(train=False, limit=32 if args.quick else None),
                         batch_size=args.batch_size, shuffle=False, **kwargs)


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = torch.randn_like(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = VAE().to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    # https://arxiv.org/abs/1312.6114
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    return BCE + KLD


def train(epoch):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader),
                loss.item() / len(data)))

    train_loss /= len(train_loader.dataset)
    print('====> Epoch: {} Average loss: {:.4f}'.format(epoch, train_loss))
    return train_loss


def test(epoch):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n],
                                        recon_batch.view(args.batch_size, 1, 28, 28)[:n]])
                save_image(comparison.cpu(),
                           os.path.join(args.out, 'reconstruction_' + str(epoch) + '.png'), nrow=n)

    test_loss /= len(test_loader.dataset)
    print('====> Test set loss: {:.4f}'.format(test_loss))
    return test_loss


if __name__ == "__main__":
    history = {'train_loss': [], 'test_loss': []}
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        history['train_loss'].append(train(epoch))
        history['test_loss'].append(test(epoch))
        with torch.no_grad():
            sample = torch.randn(64, 20).to(device)
            sample = model.decode(sample).cpu()
            save_image(sample.view(64, 1, 28, 28),
                       os.path.join(args.out, 'sample_' + str(epoch) + '.png'))
        write_json(os.path.join(args.out, 'metrics.json'), {
            'example': 'vae', 'engine': args.engine, 'epochs': epoch, 'seconds': time.time() - start,
            'final': {k: v[-1] for k, v in history.items()}, 'history': history})
    save_losses(history, os.path.join(args.out, 'losses.png'), xlabel='epoch')
    print('wrote {}'.format(os.path.join(args.out, 'metrics.json')))
