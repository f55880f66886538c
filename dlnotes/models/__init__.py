"""Models with their own training steps."""

from dlnotes.models.vae import VAE, build_vae, mlp_decoder, mlp_encoder

__all__ = ["VAE", "build_vae", "mlp_decoder", "mlp_encoder"]
