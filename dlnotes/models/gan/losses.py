"""The GAN losses, from the discriminator's logits.

The discriminator ``D`` outputs a logit ``l`` (``D(x) = sigmoid(l)``); working with logits keeps
``log D`` and ``log(1 - D)`` finite when ``D`` saturates:

    -log D(x)       = softplus(-l)
    -log(1 - D(x))  = softplus(l)

The generator's loss is either the minimax one, ``log(1 - D(G(z)))`` ("saturating"), or the one used in
practice, ``-log D(G(z))`` ("non_saturating"), whose gradient does not vanish while ``D`` rejects every fake.
"""

from __future__ import annotations

import keras

from dlnotes.validation import number_in_range

GENERATOR_LOSSES = ("non_saturating", "saturating")


def discriminator_loss(real_logits, fake_logits, label_smoothing: float = 0.0):
    """-E[log D(x)] - E[log(1 - D(G(z)))], from logits; ``label_smoothing`` lowers the real target to 1 - s."""
    label_smoothing = number_in_range("discriminator_loss", "label_smoothing", label_smoothing, low=0, high=0.5)
    target = 1.0 - label_smoothing
    on_real = target * keras.ops.softplus(-real_logits) + (1.0 - target) * keras.ops.softplus(real_logits)
    return keras.ops.mean(on_real) + keras.ops.mean(keras.ops.softplus(fake_logits))


def generator_loss(fake_logits, kind: str = "non_saturating"):
    """What the generator minimises: -E[log D(G(z))] (non_saturating) or E[log(1 - D(G(z)))] (saturating)."""
    if kind == "non_saturating":
        return keras.ops.mean(keras.ops.softplus(-fake_logits))
    if kind == "saturating":
        return -keras.ops.mean(keras.ops.softplus(fake_logits))
    raise ValueError(f"generator_loss: kind must be one of {GENERATOR_LOSSES}, got {kind!r}")
