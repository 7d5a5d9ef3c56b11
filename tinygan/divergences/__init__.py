"""Divergences and distances between distributions (the lecture's KL / JSD / Wasserstein part):

- discrete.py: kl, jsd (probability arrays), kl_gaussian (closed form);
- transport.py: wasserstein_1d, emd (exact OT: LP or assignment), wasserstein1_points,
  earth_movers_example (the lecture's W = 5);
- entropic.py: sinkhorn (entropic OT, differentiable in tinygan ops), sinkhorn_divergence.
"""
from tinygan.divergences.discrete import jsd, kl, kl_gaussian  # noqa: F401
from tinygan.divergences.entropic import sinkhorn, sinkhorn_divergence  # noqa: F401
from tinygan.divergences.transport import (earth_movers_example, emd, wasserstein1_points,  # noqa: F401
                                           wasserstein_1d)
