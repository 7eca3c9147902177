"""The Keras-style convolutional encoder and decoder of docs/study.md 2.1 / 2.2, in three architectures.

Encoder: Conv(k3, same, ReLU) layers -> Flatten -> Dense(16, ReLU); each family
adds its latent head(s). Decoder: Dense(s*s*F, ReLU) -> reshape -> ConvT(ReLU)
layers -> ConvT(C, k3, s1) giving logits (the sigmoid lives in the loss and in
``reconstruct``). The regularisation ablation adds Dropout after the Flatten,
BatchNorm after every hidden conv, and L1/L2 kernel penalties to the loss.
The convolutions run in the turned frame of ``keras_layers``, where Keras'
asymmetric "same" padding is PyTorch's own.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.models.keras_layers import (
    DenseMap,
    FlattenDense,
    KerasConv2d,
    KerasConvTranspose2d,
    Turn,
    keras_batchnorm,
)

if TYPE_CHECKING:
    from aelab.config.models import ConvFamilyConfig, ConvRegularisation

FEATURES = 16
"""Width of the Dense layer in front of the latent heads."""


@dataclass(frozen=True)
class Up:
    """One decoder ``Conv2DTranspose(filters, kernel, stride, padding="same", output_padding)``."""

    filters: int
    kernel: int = 3
    stride: int = 2
    output_padding: int | None = None


@dataclass(frozen=True)
class Architecture:
    encoder: tuple[tuple[int, int], ...]
    """(filters, stride) of each encoder conv."""
    decoder: tuple[Up, ...]


ARCHITECTURES: dict[str, Architecture] = {
    "base": Architecture(encoder=((32, 2), (64, 2)), decoder=(Up(64), Up(32))),
    # 28 -> 14 -> 7 -> 4; ConvT(128, k4, s2, output_padding 1) takes 4 back to 7 (docs/study.md 2.1).
    "deep_stride2": Architecture(
        encoder=((32, 2), (64, 2), (128, 2)), decoder=(Up(128, kernel=4, output_padding=1), Up(64), Up(32))
    ),
    "deep_stride1": Architecture(encoder=((32, 2), (64, 2), (128, 1)), decoder=(Up(128), Up(64), Up(32, stride=1))),
}


class ConvEncoder(nn.Sequential):
    """Image -> ``FEATURES`` ReLU features; the convolutions run in the turned frame (see ``keras_layers``)."""

    def __init__(self, in_channels: int, image_size: int, architecture: Architecture, reg: ConvRegularisation):
        layers: list[nn.Module] = [Turn()]
        channels, size = in_channels, image_size
        for filters, stride in architecture.encoder:
            layers.append(KerasConv2d(channels, filters, 3, stride=stride, relu=True))
            if reg.batchnorm:
                layers.append(keras_batchnorm(filters))
            channels, size = filters, math.ceil(size / stride)
        if reg.dropout:  # Keras drops after the Flatten: elementwise, so the same before it
            layers.append(nn.Dropout(reg.dropout))
        layers += [FlattenDense((channels, size, size), FEATURES), nn.ReLU()]
        super().__init__(*layers)
        self.output_shape = (channels, size)


class ConvDecoder(nn.Sequential):
    """Latent vector -> logits of a ``channels`` x ``image_size`` x ``image_size`` image."""

    def __init__(
        self,
        latent_dim: int,
        channels: int,
        image_size: int,
        start: tuple[int, int],
        architecture: Architecture,
        reg: ConvRegularisation,
    ):
        start_channels, size = start
        layers: list[nn.Module] = [DenseMap(latent_dim, (start_channels, size, size)), nn.ReLU()]
        in_channels = start_channels
        for up in architecture.decoder:
            layer = KerasConvTranspose2d(in_channels, up.filters, up.kernel, up.stride, up.output_padding, relu=True)
            layers.append(layer)
            size = layer.output_size(size)
            if reg.batchnorm:
                layers.append(keras_batchnorm(up.filters))
            in_channels = up.filters
        layers += [KerasConvTranspose2d(in_channels, channels, 3), Turn()]
        if size != image_size:
            raise ValueError(
                f"this architecture decodes {image_size}x{image_size} images to {size}x{size}; "
                "it is built for 28x28 inputs"
            )
        super().__init__(*layers)


class KerasConvModel(nn.Module):
    """Mixin of the two conv families: builds encoder/decoder from the config; kernel penalties."""

    memory_format = torch.channels_last

    def _build_conv(self, config: ConvFamilyConfig, image_shape: tuple[int, int, int]) -> None:
        channels, size, _ = image_shape
        architecture = ARCHITECTURES[config.architecture]
        self.latent_dim = config.latent_dim
        self.regularisation = config.regularisation
        self.encoder = ConvEncoder(channels, size, architecture, config.regularisation)
        self.decoder = ConvDecoder(
            config.latent_dim, channels, size, self.encoder.output_shape, architecture, config.regularisation
        )

    def penalty(self) -> torch.Tensor | None:
        """Keras ``kernel_regularizer``: l1 * sum|W| + l2 * sum W^2 over every conv and dense kernel."""
        l1, l2 = self.regularisation.l1, self.regularisation.l2
        if not (l1 or l2):
            return None
        kernels = [m.weight for m in self.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
        return functools.reduce(operator.add, (l1 * w.abs().sum() + l2 * w.square().sum() for w in kernels))
