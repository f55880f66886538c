"""Models with their own training steps (a VAE, a GAN), the networks they are built from, and their helpers."""

from dlnotes.models.gan import (
    GAN,
    TrainingSnapshots,
    build_dcgan,
    build_mlp_gan,
    dcgan_discriminator,
    dcgan_generator,
    discriminator_loss,
    from_tanh_range,
    generator_loss,
    mlp_discriminator,
    mlp_generator,
    to_tanh_range,
)
from dlnotes.models.vae import (
    VAE,
    build_vae,
    fit_binarized_vae,
    importance_weighted_nll,
    kl_to_standard_normal,
    mlp_decoder,
    mlp_encoder,
)

__all__ = [
    "GAN",
    "VAE",
    "TrainingSnapshots",
    "build_dcgan",
    "build_mlp_gan",
    "build_vae",
    "fit_binarized_vae",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_loss",
    "from_tanh_range",
    "generator_loss",
    "importance_weighted_nll",
    "kl_to_standard_normal",
    "mlp_decoder",
    "mlp_discriminator",
    "mlp_encoder",
    "mlp_generator",
    "to_tanh_range",
]
