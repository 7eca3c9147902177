"""Keras-style deterministic convolutional AE (docs/study.md 2.2): the VAE's layers without sampling."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.models.base import Autoencoder
from aelab.models.conv import FEATURES, KerasConvModel
from aelab.models.keras_layers import keras_init

if TYPE_CHECKING:
    from aelab.config.models import ConvAEConfig


class ConvAE(KerasConvModel, Autoencoder):
    def __init__(self, config: ConvAEConfig, image_shape: tuple[int, int, int]):
        super().__init__(config, image_shape)
        self._build_conv(config, image_shape)
        self.code = nn.Linear(FEATURES, config.latent_dim)
        self.apply(keras_init)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.code(self.encoder(x))

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z)
