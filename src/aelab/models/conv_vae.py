"""Keras-style convolutional VAE (docs/study.md 2.1): loss = reconstruction + beta * KL."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.models.base import VariationalAutoencoder
from aelab.models.conv import FEATURES, KerasConvModel
from aelab.models.keras_layers import keras_init

if TYPE_CHECKING:
    from aelab.config.models import ConvVAEConfig


class ConvVAE(KerasConvModel, VariationalAutoencoder):
    def __init__(self, config: ConvVAEConfig, image_shape: tuple[int, int, int]):
        super().__init__(config, image_shape)
        self._build_conv(config, image_shape)
        self.mean = nn.Linear(FEATURES, config.latent_dim)
        self.logvar = nn.Linear(FEATURES, config.latent_dim)
        self.apply(keras_init)

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.encoder(x)
        return self.mean(features), self.logvar(features)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z)
