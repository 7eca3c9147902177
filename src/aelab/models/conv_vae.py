"""Keras-style convolutional VAE (STUDY.md 2.1): loss = reconstruction + beta * KL."""

from __future__ import annotations

import torch
from torch import nn

from aelab.config import ConvVAEConfig
from aelab.models.base import Autoencoder, LossTerms
from aelab.models.conv import FEATURES, ConvDecoder, ConvEncoder
from aelab.models.keras_layers import keras_init
from aelab.models.losses import RECONSTRUCTION_LOSSES, gaussian_kl


class ConvVAE(Autoencoder):
    def __init__(self, config: ConvVAEConfig, image_shape: tuple[int, int, int]):
        super().__init__()
        channels, size, _ = image_shape
        self.latent_dim = config.latent_dim
        self.beta = config.beta
        self.reconstruction_loss = RECONSTRUCTION_LOSSES[config.loss]
        self.encoder = ConvEncoder(channels, size)
        self.mean = nn.Linear(FEATURES, config.latent_dim)
        self.logvar = nn.Linear(FEATURES, config.latent_dim)
        self.decoder = ConvDecoder(config.latent_dim, channels, size)
        self.apply(keras_init)

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x)."""
        features = self.encoder(x)
        return self.mean(features), self.logvar(features)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.posterior(x)[0]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def loss_terms(self, x: torch.Tensor, target: torch.Tensor) -> LossTerms:
        mu, logvar = self.posterior(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # reparameterisation trick
        recon = self.reconstruction_loss(self.decoder(z), target)
        kl = gaussian_kl(mu, logvar)
        return {"loss": recon + self.beta * kl, "recon": recon, "kl": kl}
