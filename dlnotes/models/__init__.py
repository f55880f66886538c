"""Models with their own training steps."""

from dlnotes.models.gan import (
    GAN,
    build_dcgan,
    build_mlp_gan,
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from dlnotes.models.vae import VAE, build_vae, mlp_decoder, mlp_encoder

__all__ = [
    "GAN",
    "VAE",
    "build_dcgan",
    "build_mlp_gan",
    "build_vae",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_decoder",
    "mlp_discriminator",
    "mlp_encoder",
    "mlp_generator",
]
