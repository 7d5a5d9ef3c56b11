"""The shipped wgan-toy study: WGAN with weight clipping at WGAN-GP's toy networks (Gulrajani et al.
2017) on the ring and grid over 5 seeds, ring runs first (docs/gan-results.md has its result)."""
from tinygan.gan import train as gan_train
from tinygan.sweep import spec as specs


def test_the_shipped_wgan_toy_study_expands_to_clipped_wgan_at_the_toy_recipe():
    runs = specs.load("wgan-toy").runs()
    assert [r.name for r in runs][:5] == [f"ring/WGAN-clip/seed{s}" for s in range(5)]
    assert {(r.config["data"], r.config["seed"]) for r in runs} == {(d, s) for d in ("ring", "grid") for s in range(5)}
    for r in runs:
        c = r.config
        assert (c["loss"], c["steps"], c["batch"], c["width"], c["d_steps"]) == ("wgan", 10000, 100, 256, 5)
        assert c["lr"] is None                   # the method's own: RMSprop 5e-5
    run = gan_train.Run(gan_train.Config(**runs[0].config))
    assert type(run.opt_d).__name__ == "RMSprop" and run.opt_d.param_groups[0]["lr"] == 5e-5 and run.n_critic == 5
