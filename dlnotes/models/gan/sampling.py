"""Trading diversity for quality at sampling time: narrowed or truncated noise, and discriminator rejection sampling.

Both leave the trained generator as it is and change only which samples are shown:

- :func:`latent_noise` draws ``z`` from a narrowed normal N(0, sigma^2 I) and/or redraws every component beyond
  ``threshold`` (the "truncation trick" of BigGAN, Brock, Donahue and Simonyan 2019): samples from the middle of the
  noise distribution, where the generator was trained most, look more typical and vary less;
- :func:`rejection_sample` keeps each sample with a probability that grows with the discriminator's logit
  (discriminator rejection sampling, Azadi et al. 2019): samples the discriminator finds unconvincing are dropped.
"""

from __future__ import annotations

import numpy as np

from dlnotes.validation import number_in_range, positive_int, positive_number

# Azadi et al.'s epsilon: keeps log(1 - exp(logit - max_logit - EPSILON)) finite for the best sample
EPSILON = 1e-6


def latent_noise(n: int, latent_dim: int, sigma: float = 1.0, threshold: float | None = None, seed: int = 0) -> np.ndarray:
    """``n`` noise vectors of size ``latent_dim`` (float32) from N(0, sigma^2 I), components beyond +-``threshold``
    (in units of sigma) redrawn until inside. ``sigma=1`` and ``threshold=None``: the training distribution."""
    n = positive_int("latent_noise", "n", n)
    latent_dim = positive_int("latent_noise", "latent_dim", latent_dim)
    sigma = positive_number("latent_noise", "sigma", sigma)
    if threshold is not None:
        # below about 0.05 almost every draw is redrawn: the loop would crawl for no useful sample
        threshold = number_in_range("latent_noise", "threshold", threshold, low=0.05, closed=True)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, latent_dim))
    if threshold is not None:
        outside = np.abs(z) > threshold
        while outside.any():
            z[outside] = rng.standard_normal(np.count_nonzero(outside))
            outside = np.abs(z) > threshold
    return (sigma * z).astype("float32")


def acceptance_logits(logits, max_logit: float, gamma: float) -> np.ndarray:
    """Azadi et al.'s F(x) - gamma, whose sigmoid is the probability of keeping a sample with discriminator logit
    ``logits``: F = l - l_max - log(1 - exp(l - l_max - epsilon)). For a discriminator at its optimum, keeping
    with probability exp(l - l_max) corrects the generator's density to the data's; F is that rule on the logit
    scale, and gamma shifts it (a larger gamma keeps fewer samples)."""
    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    # a logit above the burn-in's maximum is kept for sure: clip it to the maximum
    excess = np.minimum(logits - max_logit, 0.0) - EPSILON
    return logits - max_logit - np.log1p(-np.exp(excess)) - gamma


def rejection_sample(gan, n: int, keep_quantile: float = 0.0, burn_in: int = 10_000, seed: int = 0,
                     batch_size: int = 1_000, max_draws: int | None = None):
    """``n`` samples of ``gan``'s generator kept by discriminator rejection sampling, and the share of draws kept.

    A burn-in of ``burn_in`` samples sets the largest logit l_max and gamma, the ``keep_quantile`` quantile of F over
    the burn-in: a sample at that quantile is kept with probability 1/2, better ones more often, worse ones less
    (a larger ``keep_quantile`` keeps fewer). Returns ``(images, acceptance_rate)``. Stops with an error after
    ``max_draws`` draws (default 100 n) rather than loop for ever when almost nothing is kept.
    """
    import keras  # here, not at the top: latent_noise needs no Keras

    from dlnotes.models.gan.model import GAN

    if not isinstance(gan, GAN):
        raise TypeError(f"rejection_sample: gan must be a dlnotes.models.GAN, got {type(gan).__name__}")
    n = positive_int("rejection_sample", "n", n)
    keep_quantile = number_in_range("rejection_sample", "keep_quantile", keep_quantile, low=0, high=1, closed=True)
    burn_in = positive_int("rejection_sample", "burn_in", burn_in)
    batch_size = positive_int("rejection_sample", "batch_size", batch_size)
    max_draws = 100 * n if max_draws is None else positive_int("rejection_sample", "max_draws", max_draws)
    rng = np.random.default_rng(seed)

    def draw(count):
        # direct calls in inference mode: predict() would build a new function for every batch size it meets
        z = rng.standard_normal((count, gan.latent_dim)).astype("float32")
        images = keras.ops.convert_to_numpy(gan.generator(z, training=False))
        return images, keras.ops.convert_to_numpy(gan.discriminator(images, training=False)).reshape(-1)

    burn_in_logits = np.concatenate([draw(min(batch_size, burn_in - start))[1] for start in range(0, burn_in, batch_size)])
    max_logit = float(burn_in_logits.max())
    gamma = float(np.quantile(acceptance_logits(burn_in_logits, max_logit, 0.0), keep_quantile))
    kept, drawn = [], 0
    while sum(len(images) for images in kept) < n:
        if drawn >= max_draws:
            raise RuntimeError(
                f"rejection_sample: kept {sum(len(i) for i in kept)} of {n} samples in {drawn} draws "
                f"(keep_quantile={keep_quantile}); lower keep_quantile or raise max_draws"
            )
        images, logits = draw(batch_size)
        drawn += batch_size
        max_logit = max(max_logit, float(logits.max()))  # as in the paper: l_max follows the largest logit seen
        keep_probability = 1.0 / (1.0 + np.exp(-acceptance_logits(logits, max_logit, gamma)))
        kept.append(images[rng.random(len(images)) < keep_probability])
    return np.concatenate(kept)[:n], sum(len(images) for images in kept) / drawn
