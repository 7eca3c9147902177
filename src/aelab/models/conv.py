"""The Keras-style convolutional encoder and decoder of STUDY.md 2.1 / 2.2.

Encoder: Conv(32, k3, s2) -> Conv(64, k3, s2) -> Flatten -> Dense(16), all ReLU.
Decoder: Dense(s*s*64) -> reshape -> ConvT(64, k3, s2) -> ConvT(32, k3, s2)
-> ConvT(C, k3, s1) (logits; the sigmoid lives in the loss / ``reconstruct``),
with ``s = image_size / 4``. Every conv is Keras "same".
"""

from __future__ import annotations

import torch
from torch import nn

from aelab.models.keras_layers import SameConv2d, SameConvTranspose2d

FEATURES = 16
"""Width of the Dense layer in front of the latent heads."""


class ConvEncoder(nn.Sequential):
    """Image -> 16 ReLU features; the latent heads are added by each family."""

    def __init__(self, in_channels: int, image_size: int):
        bottleneck = image_size // 4
        super().__init__(
            SameConv2d(in_channels, 32, 3, stride=2),
            nn.ReLU(),
            SameConv2d(32, 64, 3, stride=2),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(64 * bottleneck * bottleneck, FEATURES),
            nn.ReLU(),
        )


class ConvDecoder(nn.Module):
    """Latent vector -> logits of an image."""

    def __init__(self, latent_dim: int, out_channels: int, image_size: int):
        super().__init__()
        self.bottleneck = image_size // 4
        self.dense = nn.Sequential(nn.Linear(latent_dim, 64 * self.bottleneck**2), nn.ReLU())
        self.deconvs = nn.Sequential(
            SameConvTranspose2d(64, 64, 3, stride=2),
            nn.ReLU(),
            SameConvTranspose2d(64, 32, 3, stride=2),
            nn.ReLU(),
            SameConvTranspose2d(32, out_channels, 3, stride=1),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.dense(z).view(-1, 64, self.bottleneck, self.bottleneck)
        return self.deconvs(h)
