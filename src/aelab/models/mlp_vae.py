"""MLP VAE, e.g. the 784-400-20 VAE of pytorch/examples."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.models.base import VariationalAutoencoder
from aelab.models.mlp import MlpDecoder, MlpEncoder

if TYPE_CHECKING:
    from aelab.config.models import MlpVAEConfig


class MlpVAE(VariationalAutoencoder):
    def __init__(self, config: MlpVAEConfig, image_shape: tuple[int, int, int]):
        super().__init__(config, image_shape)
        self.latent_dim = config.latent_dim
        self.encoder = MlpEncoder(config, image_shape)
        self.mean = nn.Linear(config.hidden[-1], config.latent_dim)
        self.logvar = nn.Linear(config.hidden[-1], config.latent_dim)
        self.decoder = MlpDecoder(config, image_shape)

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.encoder(x)
        return self.mean(features), self.logvar(features)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z, labels)
