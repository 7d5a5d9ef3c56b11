"""DCGAN (Radford et al. 2016) written as in PyTorch's examples (dcgan/main.py), run on PyTorch
or on tinygan.

    python demos/ported/dcgan.py [--engine tinygan|torch] [--quick] [--out DIR] [--overwrite]

The file is plain PyTorch. Three marked blocks are the exceptions:
  ENGINE  the imports, the only lines that differ between the two engines;
  DATA    scikit-learn's digits or tinygan's procedural shapes, from tinygan.data (no download),
          padded to 64x64, instead of torchvision's datasets;
  OUTPUT  torchvision.utils.save_image's job, done with matplotlib, plus the run folder. Every file
          is written atomically through tinygan.files, on both engines.
Everything after the OUTPUT block is shared by both engines and never names tinygan
(tests/test_ported_examples.py checks this).

Writes real_samples.png, fake_samples_epoch_NNN.png, netG/netD_epoch_N.pth, losses.png and
metrics.json to --out (default runs/ported/dcgan). The widths are upstream's (ngf = ndf = 64:
narrower nets, 16 or 32, stay at noise for 700 iterations here, on PyTorch as on tinygan), but
4 epochs instead of 25: 116 iterations on the 1 797 digits, about 3 minutes on 2 cores, enough
for the digits' layout (a bright centre on a dark frame), not for digits.
"""
import argparse
import os
import random
import sys
import time

import numpy as np

# ======== BEGIN ENGINE: the only lines that differ between the engines ===========================
_engine = argparse.ArgumentParser(add_help=False)
_engine.add_argument('--engine', choices=['tinygan', 'torch'], default='tinygan', help='the engine to run on')
if _engine.parse_known_args()[0].engine == 'tinygan':
    import tinygan as torch
    from tinygan import nn, optim
    from tinygan.nn import functional as F  # noqa: F401
    from tinygan.utils.data import DataLoader, TensorDataset
else:
    import torch
    from torch import nn, optim
    from torch.nn import functional as F  # noqa: F401
    from torch.utils.data import DataLoader, TensorDataset
    import torch.backends.cudnn as cudnn
    cudnn.benchmark = True
# ======== END ENGINE ==============================================================================


# ======== BEGIN DATA: tinygan.data's arrays instead of torchvision's datasets (both engines) ====
def get_dataset(name, image_size, limit=None):
    """(N, 1, image_size, image_size) images in [-1, 1], as transforms.Normalize((0.5,), (0.5,))
    gives, with their labels. digits: scikit-learn's 8x8 digits scaled to 3/4 of the frame and
    padded, as MNIST's 20x20 digits sit in 28x28; shapes: procedural circles, squares, triangles."""
    from tinygan.data import images
    if name == 'digits':
        from sklearn.datasets import load_digits
        bunch = load_digits()
        x, y = (bunch.images[:limit] / 16.0).astype(np.float32)[:, None], bunch.target[:limit]
        inner = image_size * 3 // 4
        pad = (image_size - inner) // 2
        x = np.pad(images.resize(x, inner), ((0, 0), (0, 0), (pad, image_size - inner - pad),
                                             (pad, image_size - inner - pad)))
    else:
        from tinygan.data.shapes import make_shapes
        x, y = make_shapes(limit or 4000, image_size, seed=0)
    x = (x * 2 - 1).astype(np.float32)
    return TensorDataset(torch.from_numpy(x), torch.from_numpy(y.astype(np.int64)))
# ======== END DATA ================================================================================


# ======== BEGIN OUTPUT: save_image, plots and the run folder, through tinygan.files (both engines)
from tinygan.files import atomic_open, write_json  # noqa: E402


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))        # the four examples' shared stand-ins
from torchvision_standin import make_out_dir, save_image, save_losses  # noqa: E402
# ======== END OUTPUT ==============================================================================


parser = argparse.ArgumentParser(parents=[_engine])
parser.add_argument('--dataset', default='digits', choices=['digits', 'shapes'], help='digits | shapes')
parser.add_argument('--workers', type=int, help='number of data loading workers', default=0)
parser.add_argument('--batchSize', type=int, default=64, help='input batch size')
parser.add_argument('--imageSize', type=int, default=64, help='the height / width of the input image to network')
parser.add_argument('--nz', type=int, default=100, help='size of the latent z vector')
parser.add_argument('--ngf', type=int, default=64)
parser.add_argument('--ndf', type=int, default=64)
parser.add_argument('--niter', type=int, default=4, help='number of epochs to train for')
parser.add_argument('--lr', type=float, default=0.0002, help='learning rate, default=0.0002')
parser.add_argument('--beta1', type=float, default=0.5, help='beta1 for adam. default=0.5')
parser.add_argument('--cuda', action='store_true', default=False, help='enables cuda')
parser.add_argument('--dry-run', action='store_true', help='check a single training cycle works')
parser.add_argument('--ngpu', type=int, default=1, help='number of GPUs to use')
parser.add_argument('--netG', default='', help="path to netG (to continue training)")
parser.add_argument('--netD', default='', help="path to netD (to continue training)")
parser.add_argument('--out', '--outf', dest='outf', default='runs/ported/dcgan', help='folder to output images and model checkpoints')
parser.add_argument('--overwrite', action='store_true', help='write into a folder that already holds files')
parser.add_argument('--manualSeed', type=int, default=1, help='manual seed')
parser.add_argument('--quick', action='store_true', help='a few iterations of a tiny model (smoke test)')
opt = parser.parse_args()
if opt.quick:
    opt.batchSize, opt.nz, opt.ngf, opt.ndf, opt.niter = 8, 16, 4, 4, 1
print(opt)

make_out_dir(opt.outf, opt.overwrite)

print("Random Seed: ", opt.manualSeed)
random.seed(opt.manualSeed)
torch.manual_seed(opt.manualSeed)

if torch.cuda.is_available() and not opt.cuda:
    print("WARNING: You have a CUDA device, so you should probably run with --cuda")

dataset = get_dataset(opt.dataset, opt.imageSize, limit=24 if opt.quick else None)
nc = 1
dataloader = DataLoader(dataset, batch_size=opt.batchSize, shuffle=True, num_workers=int(opt.workers))

device = torch.device("cuda:0" if opt.cuda else "cpu")
ngpu = int(opt.ngpu)
nz = int(opt.nz)
ngf = int(opt.ngf)
ndf = int(opt.ndf)


# custom weights initialization called on netG and netD
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, ngpu):
        super(Generator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # input is Z, going into a convolution
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            # state size. (ngf*8) x 4 x 4
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # state size. (ngf*4) x 8 x 8
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # state size. (ngf*2) x 16 x 16
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            # state size. (ngf) x 32 x 32
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh()
            # state size. (nc) x 64 x 64
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output


netG = Generator(ngpu).to(device)
netG.apply(weights_init)
if opt.netG != '':
    netG.load_state_dict(torch.load(opt.netG))
print(netG)


class Discriminator(nn.Module):
    def __init__(self, ngpu):
        super(Discriminator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # input is (nc) x 64 x 64
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf) x 32 x 32
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*2) x 16 x 16
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*4) x 8 x 8
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*8) x 4 x 4
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)

        return output.view(-1, 1).squeeze(1)


netD = Discriminator(ngpu).to(device)
netD.apply(weights_init)
if opt.netD != '':
    netD.load_state_dict(torch.load(opt.netD))
print(netD)

criterion = nn.BCELoss()

fixed_noise = torch.randn(opt.batchSize, nz, 1, 1, device=device)
real_label = 1
fake_label = 0

# setup optimizer
optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

history = {'Loss_D': [], 'Loss_G': [], 'D(x)': [], 'D(G(z))': []}
start = time.time()
for epoch in range(opt.niter):
    for i, data in enumerate(dataloader, 0):
        ############################
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        ###########################
        # train with real
        netD.zero_grad()
        real_cpu = data[0].to(device)
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)

        output = netD(real_cpu)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        # train with fake
        noise = torch.randn(batch_size, nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        ############################
        # (2) Update G network: maximize log(D(G(z)))
        ###########################
        netG.zero_grad()
        label.fill_(real_label)  # fake labels are real for generator cost
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()

        print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
              % (epoch, opt.niter, i, len(dataloader),
                 errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
        for name, value in zip(history, (errD.item(), errG.item(), D_x, D_G_z1)):
            history[name].append(value)
        if i % 100 == 0:
            save_image(real_cpu, '%s/real_samples.png' % opt.outf, normalize=True)
            fake = netG(fixed_noise)
            save_image(fake.detach(), '%s/fake_samples_epoch_%03d.png' % (opt.outf, epoch), normalize=True)

        if opt.dry_run:
            break
    # do checkpointing
    with atomic_open('%s/netG_epoch_%d.pth' % (opt.outf, epoch)) as f:
        torch.save(netG.state_dict(), f)
    with atomic_open('%s/netD_epoch_%d.pth' % (opt.outf, epoch)) as f:
        torch.save(netD.state_dict(), f)

with torch.no_grad():
    fake = netG(fixed_noise)
save_image(fake.detach(), '%s/fake_samples_final.png' % opt.outf, normalize=True)
save_losses({k: history[k] for k in ('Loss_D', 'Loss_G')}, '%s/losses.png' % opt.outf, xlabel='iteration')
write_json('%s/metrics.json' % opt.outf, {
    'example': 'dcgan', 'engine': opt.engine, 'dataset': opt.dataset, 'epochs': opt.niter,
    'iterations': len(history['Loss_D']), 'seconds': time.time() - start,
    'final': {k: v[-1] for k, v in history.items()},
    'last_epoch_mean': {k: float(np.mean(v[-len(dataloader):])) for k, v in history.items()},
    'history': history})
print('wrote %s/metrics.json' % opt.outf)
