"""A GAN with its own training step (chapter 08), by concern: the losses, the pixel range, the model, a
callback that watches training, the networks of an MLP GAN and a DCGAN, and sampling that trades diversity for
quality."""

from dlnotes.models.gan.losses import GENERATOR_LOSSES, discriminator_loss, generator_loss
from dlnotes.models.gan.model import GAN
from dlnotes.models.gan.networks import (
    IMAGE_SHAPE,
    build_dcgan,
    build_mlp_gan,
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from dlnotes.models.gan.pixels import from_tanh_range, to_tanh_range
from dlnotes.models.gan.sampling import acceptance_logits, latent_noise, rejection_sample
from dlnotes.models.gan.snapshots import TrainingSnapshots

__all__ = [
    "GAN",
    "GENERATOR_LOSSES",
    "IMAGE_SHAPE",
    "TrainingSnapshots",
    "acceptance_logits",
    "build_dcgan",
    "build_mlp_gan",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_loss",
    "from_tanh_range",
    "generator_loss",
    "latent_noise",
    "mlp_discriminator",
    "mlp_generator",
    "rejection_sample",
    "to_tanh_range",
]
