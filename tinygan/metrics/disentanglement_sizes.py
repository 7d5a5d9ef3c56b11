"""The metrics' sample sizes by name, one table for `tinygan evaluate --sizes` and a sweep's
`[evaluate] sizes`: "full" is disentanglement_lib's own (each metric function's defaults),
"reduced" what the CPU-sized studies use (docs/disentanglement-results.md), "quick" a smoke
test's (DCI with 20 boosting stages instead of 100)."""
_PAIRS = {"quick": dict(num_train=40, num_eval=20), "reduced": dict(num_train=500, num_eval=250)}
_SPLIT = {"quick": dict(num_train=200, num_test=100), "reduced": dict(num_train=2000, num_test=1000)}

METRIC_SIZES = {"full": {}, **{
    size: {"beta_vae": _PAIRS[size], "factor_vae": {**_PAIRS[size], "num_variance_estimate": 500 if size == "quick"
                                                     else 5000},
           "mig": {"num_train": _SPLIT[size]["num_train"]},
           "dci": {**_SPLIT[size], **({"n_estimators": 20} if size == "quick" else {})},
           "modularity_explicitness": _SPLIT[size], "sap": _SPLIT[size]}
    for size in ("quick", "reduced")}}


def sizes_for(name, sizes):
    """The keyword arguments of metric `name` at the named sample sizes."""
    if sizes not in METRIC_SIZES:
        raise ValueError(f"disentanglement metrics: unknown sizes {sizes!r}; choose one of {', '.join(METRIC_SIZES)}")
    return METRIC_SIZES[sizes].get(name, {})
