"""PyTorch layers that compute exactly what Keras' ``padding="same"`` layers compute.

Keras pads "same" convolutions asymmetrically: the total padding
``max((ceil(n / s) - 1) * s + k - n, 0)`` is split with the smaller half
*before*. For a stride-2, kernel-3 conv on an even input that is 0 before and 1
after, so PyTorch's symmetric ``padding=1`` would shift the image by a pixel.
A Keras ``Conv2DTranspose(padding="same")`` is the transpose of that conv: the
full transposed convolution, cropped by the same split (for k=3, s=2: its last
row and column). PyTorch's ``padding=1, output_padding=1`` crops the first row
instead. Keras initialises kernels glorot-uniform and biases to zero.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of a Keras "same" conv along one axis of length ``size``."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """``keras.layers.Conv2D(filters, kernel, strides, padding="same")``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.kernel_size[0], self.stride[0]
        top, bottom = same_padding(x.shape[-2], k, s)
        left, right = same_padding(x.shape[-1], k, s)
        return super().forward(F.pad(x, (left, right, top, bottom)))


class SameConvTranspose2d(nn.ConvTranspose2d):
    """``keras.layers.Conv2DTranspose(filters, kernel, strides, padding="same")``: output = input * stride."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.kernel_size[0], self.stride[0]
        full = super().forward(x)
        top, bottom = same_padding(x.shape[-2] * s, k, s)
        left, right = same_padding(x.shape[-1] * s, k, s)
        return full[..., top : full.shape[-2] - bottom, left : full.shape[-1] - right]


def keras_init(module: nn.Module) -> None:
    """Keras defaults: glorot-uniform kernels, zero biases (use with ``model.apply``)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
