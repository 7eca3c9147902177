"""Convolutional AEs for COCO 64x64 (docs/study.md 2.5): dense bottleneck, MaxPool/MaxUnpool, skip connections.

The three design steps are one family with three switches (see
:class:`aelab.config.CocoConvConfig`). Images enter as ``2x - 1`` in [-1, 1]
and leave through a Tanh; since ``(tanh(a) + 1) / 2 == sigmoid(2a)`` the decoder
returns ``2a`` as logits, so losses and metrics stay on the [0, 1] scale like
every other family.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.models.activations import ACTIVATIONS
from aelab.models.base import Autoencoder

if TYPE_CHECKING:
    from aelab.config.models import CocoConvConfig

LEVELS = 3
"""Each level halves the image; the bottleneck is 1/8 of the input size."""


def _block(layer: nn.Module, channels: int, config: CocoConvConfig) -> nn.Sequential:
    norm = [nn.BatchNorm2d(channels)] if config.batchnorm else []
    return nn.Sequential(layer, *norm, ACTIVATIONS[config.activation]())


class CocoConvAE(Autoencoder):
    native_range = (-1.0, 1.0)

    def __init__(self, config: CocoConvConfig, image_shape: tuple[int, int, int]):
        super().__init__(config, image_shape)
        in_channels, size, _ = image_shape
        if size % 2**LEVELS:
            raise ValueError(f"coco_conv needs an image size divisible by {2**LEVELS}, got {size}")
        self.config = config
        self.maxpool = config.downsample == "maxpool"
        self.bottleneck_shape = (config.channels[-1], size // 2**LEVELS, size // 2**LEVELS)
        flat = config.channels[-1] * (size // 2**LEVELS) ** 2
        self.latent_dim = flat if config.latent_dim is None else config.latent_dim  # a conv bottleneck: the map

        widths = [in_channels, *config.channels]
        self.down = nn.ModuleList(
            _block(self._down_layer(c_in, c_out), c_out, config) for c_in, c_out in pairwise(widths)
        )
        # Decoder levels mirror the encoder; the last one outputs the image, without norm or activation.
        self.up = nn.ModuleList(
            _block(self._up_layer(c_in, c_out), c_out, config)
            for c_in, c_out in zip(widths[:1:-1], widths[-2:0:-1], strict=True)
        )
        self.output = self._up_layer(widths[1], in_channels)
        if config.bottleneck == "dense":
            self.to_code = nn.Sequential(nn.Flatten(), nn.Linear(flat, self.latent_dim))
            self.from_code = nn.Sequential(nn.Linear(self.latent_dim, flat), ACTIVATIONS[config.activation]())

    def _down_layer(self, c_in: int, c_out: int) -> nn.Module:
        if self.maxpool:  # keeps the size; MaxPool halves it and remembers where the maxima were
            return nn.Conv2d(c_in, c_out, 3, padding=1)
        return nn.Conv2d(c_in, c_out, 3, stride=2, padding=1)

    def _up_layer(self, c_in: int, c_out: int) -> nn.Module:
        if self.maxpool:  # MaxUnpool doubles the size first
            return nn.Conv2d(c_in, c_out, 3, padding=1)
        return nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1)

    def _encode_levels(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """Bottleneck feature map, each level's output (for skips) and pooling indices."""
        h, outputs, indices = 2 * x - 1, [], []
        for level in self.down:
            h = level(h)
            if self.maxpool:
                h, where = nn.functional.max_pool2d(h, 2, return_indices=True)
                indices.append(where)
            outputs.append(h)
        return h, outputs, indices

    def _decode_levels(self, h: torch.Tensor, outputs: list[torch.Tensor], indices: list[torch.Tensor]) -> torch.Tensor:
        layers = [*self.up, self.output]
        for depth, layer in enumerate(layers):
            if self.maxpool:
                h = nn.functional.max_unpool2d(h, indices[-1 - depth], (2, 2))
            h = layer(h)
            if self.config.skip_connections and depth < len(self.up):
                h = h + outputs[-2 - depth]
        return 2 * h  # logits: sigmoid(2a) == (tanh(a) + 1) / 2

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        h = self._encode_levels(x)[0]
        return self.to_code(h) if self.config.bottleneck == "dense" else h.flatten(1)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if not self.generative:
            raise NotImplementedError("this design's decoder needs the encoder's pooling indices or skip features")
        h = self.from_code(z) if self.config.bottleneck == "dense" else z
        return self._decode_levels(h.view(-1, *self.bottleneck_shape), [], [])

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h, outputs, indices = self._encode_levels(x)
        if self.config.bottleneck == "dense":
            h = self.from_code(self.to_code(h)).view(-1, *self.bottleneck_shape)
        return self._decode_levels(h, outputs, indices)
