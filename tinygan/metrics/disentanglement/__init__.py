"""The six disentanglement metrics of Locatello et al. 2019, with disentanglement_lib's definitions.

Every metric is `metric(dataset, representation_fn, random_state, **sizes) -> dict of floats`;
`dataset` has the ground-truth interface of tinygan.data.dsprites.DSprites (num_factors,
factors_num_values, sample_factors, sample_observations_from_factors, sample) and
`representation_fn` maps a batch of observations to an (n, d) array (e.g. the encoder means).
Degenerate codes (constant or dead dimensions, a single dimension) give defined scores, never NaN.
"""
from tinygan.metrics.disentanglement.beta_vae import beta_vae_score  # noqa: F401
from tinygan.metrics.disentanglement.common import factor_codes  # noqa: F401
from tinygan.metrics.disentanglement.dci import dci  # noqa: F401
from tinygan.metrics.disentanglement.factor_vae import factor_vae_score  # noqa: F401
from tinygan.metrics.disentanglement.mig import mig  # noqa: F401
from tinygan.metrics.disentanglement.modularity import modularity, modularity_explicitness  # noqa: F401
from tinygan.metrics.disentanglement.sap import sap  # noqa: F401

ALL = {"beta_vae": beta_vae_score, "factor_vae": factor_vae_score, "mig": mig, "dci": dci,
       "modularity_explicitness": modularity_explicitness, "sap": sap}
