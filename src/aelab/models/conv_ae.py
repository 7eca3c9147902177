"""Keras-style deterministic convolutional AE (STUDY.md 2.2): the VAE without sampling."""

from __future__ import annotations

import torch
from torch import nn

from aelab.config import ConvAEConfig
from aelab.models.base import Autoencoder, LossTerms
from aelab.models.conv import FEATURES, ConvDecoder, ConvEncoder
from aelab.models.keras_layers import keras_init
from aelab.models.losses import RECONSTRUCTION_LOSSES


class ConvAE(Autoencoder):
    def __init__(self, config: ConvAEConfig, image_shape: tuple[int, int, int]):
        super().__init__()
        channels, size, _ = image_shape
        self.latent_dim = config.latent_dim
        self.reconstruction_loss = RECONSTRUCTION_LOSSES[config.loss]
        self.encoder = nn.Sequential(ConvEncoder(channels, size), nn.Linear(FEATURES, config.latent_dim))
        self.decoder = ConvDecoder(config.latent_dim, channels, size)
        self.apply(keras_init)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def loss_terms(self, x: torch.Tensor, target: torch.Tensor) -> LossTerms:
        recon = self.reconstruction_loss(self.decode(self.encode(x)), target)
        return {"loss": recon, "recon": recon}
