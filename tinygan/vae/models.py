"""VAE with a Gaussian encoder and a Bernoulli decoder (logits), the architecture of Locatello et
al. 2019 (disentanglement_lib's conv_encoder / deconv_decoder): conv 32-32-64-64 (4×4, stride 2),
FC 256, `latents` means and log-variances; the decoder mirrors it with transposed convolutions.
arch="mlp" is a smaller fully connected variant for fast CPU runs."""
from tinygan import nn
from tinygan.nn import functional as F


class VAE(nn.Module):
    def __init__(self, size=64, channels=1, latents=10, arch="conv"):
        if arch not in ("conv", "mlp"):
            raise ValueError(f"VAE: arch must be 'conv' or 'mlp', got {arch!r}")
        if arch == "conv" and size % 16:
            raise ValueError(f"VAE: the conv architecture needs an image size divisible by 16, got {size}")
        self.latents, self.shape = latents, (channels, size, size)
        if arch == "conv":
            side = size // 16
            self.encoder = nn.Sequential(
                nn.Conv2d(channels, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(),
                nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Conv2d(64, 64, 4, 2, 1), nn.ReLU(),
                nn.Flatten(), nn.Linear(64 * side * side, 256), nn.ReLU(), nn.Linear(256, 2 * latents))
            self.decoder = nn.Sequential(
                nn.Linear(latents, 256), nn.ReLU(), nn.Linear(256, 64 * side * side), nn.ReLU(),
                nn.Unflatten(1, (64, side, side)),
                nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
                nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, channels, 4, 2, 1))
        else:
            pixels = channels * size * size
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 512), nn.ReLU(), nn.Linear(512, 256),
                                         nn.ReLU(), nn.Linear(256, 2 * latents))
            self.decoder = nn.Sequential(nn.Linear(latents, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
                                         nn.Linear(512, pixels), nn.Unflatten(1, self.shape))

    def encode(self, x):
        """(μ, log σ²) of q(z|x), each (N, latents); μ is the representation the metrics score."""
        h = self.encoder(x)
        return h[:, :self.latents], h[:, self.latents:]

    def decode(self, z):
        """Bernoulli logits of p(x|z), shaped like the images."""
        return self.decoder(z)

    def forward(self, x):
        """(logits, μ, log σ², KL(q(z|x) ‖ N(0, I)) averaged over the batch): one fused pass draws
        z = μ + σ ε and computes the KL, so the loss need not read μ and log σ² again."""
        mu, logvar = self.encode(x)
        z, kl = F.reparameterize_kl(mu, logvar)
        return self.decode(z), mu, logvar, kl
