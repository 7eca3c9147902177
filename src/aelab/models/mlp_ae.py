"""MLP autoencoder (docs/study.md 2.4, m1..m6): plain, denoising (engine noise) or conditional."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.models.base import Autoencoder
from aelab.models.mlp import MlpDecoder, MlpEncoder

if TYPE_CHECKING:
    from aelab.config.models import MlpAEConfig


class MlpAE(Autoencoder):
    def __init__(self, config: MlpAEConfig, image_shape: tuple[int, int, int]):
        super().__init__(config, image_shape)
        self.latent_dim = config.latent_dim
        self.encoder = MlpEncoder(config, image_shape)
        self.code = nn.Linear(config.hidden[-1], config.latent_dim)
        self.decoder = MlpDecoder(config, image_shape)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.code(self.encoder(x))

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z, labels)
