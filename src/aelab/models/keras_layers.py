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
    """``keras.layers.Conv2DTranspose(filters, kernel, strides, padding="same")``: output = input * stride.

    Keras' layer is the full transposed convolution cropped by ``same_padding``
    (``before``, ``after``). Slicing the full output copies it, and on CPU that
    copy costs as much as a convolution, so the crop is folded into PyTorch's
    own arguments instead: ``padding=p`` crops ``p`` on both sides and
    ``output_padding`` gives back up to ``stride - 1`` rows at the end. When the
    Keras crop is asymmetric (``before < after``), ``q`` zero rows in front of
    the input shift the full output by ``q * stride`` first. The result is the
    same numbers (tests compare against the explicit crop), computed faster.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.kernel_size[0], self.stride[0]
        (shift_y, pad_y, extra_y), (shift_x, pad_x, extra_x) = (
            _crop_as_arguments(*same_padding(n * s, k, s), s) for n in x.shape[-2:]
        )
        if shift_y or shift_x:
            x = F.pad(x, (shift_x, 0, shift_y, 0))
        return _TransposedConv.apply(x, self.weight, self.bias, (s, s), (pad_y, pad_x), (extra_y, extra_x))


class _TransposedConv(torch.autograd.Function):
    """``F.conv_transpose2d`` whose weight gradient is computed as a convolution's.

    A transposed convolution is the adjoint of a convolution with the same
    weight: <convT(x, W), g> = <x, conv(g, W)>. So its weight gradient equals
    conv(g, W)'s weight gradient for input g (the output gradient) and output
    gradient x: the same sums, bit for bit in tests. On CPU, oneDNN runs that
    as an AVX-512 convolution kernel, while PyTorch's native backward of the
    transposed convolution falls back to an AVX2 one that took a third of a
    conv VAE training step (``ONEDNN_VERBOSE=1`` shows both).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, output_padding):
        ctx.save_for_backward(x, weight)
        ctx.geometry = (stride, padding, bias is not None)
        return F.conv_transpose2d(x, weight, bias, stride=stride, padding=padding, output_padding=output_padding)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        stride, padding, has_bias = ctx.geometry
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_x = F.conv2d(grad, weight, stride=stride, padding=padding)
        if ctx.needs_input_grad[1]:
            grad_weight = torch.ops.aten.convolution_backward(
                x, grad, weight, None, stride, padding, (1, 1), False, (0, 0), 1, (False, True, False)
            )[1]
        if has_bias and ctx.needs_input_grad[2]:
            grad_bias = grad.sum((0, 2, 3))
        return grad_x, grad_weight, grad_bias, None, None, None


def _crop_as_arguments(before: int, after: int, stride: int) -> tuple[int, int, int]:
    """(input shift q, padding p, output_padding) that crop ``before``/``after`` off a full transposed conv.

    With q zero rows in front, the full output moves down by q * stride; PyTorch
    keeps rows [p, L' - p + output_padding). Solving for the kept rows
    [before + q * stride, L - after + q * stride) gives p = before + q * stride and
    output_padding = before - after + q * stride, which must lie in [0, stride).
    """
    shift = max(0, -(-(after - before) // stride))  # ceil((after - before) / stride)
    return shift, before + shift * stride, before - after + shift * stride


def keras_batchnorm(channels: int) -> nn.BatchNorm2d:
    """``keras.layers.BatchNormalization()``: momentum 0.99 (PyTorch counts 1 - that), epsilon 1e-3."""
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


def keras_init(module: nn.Module) -> None:
    """Keras defaults: glorot-uniform kernels, zero biases (use with ``model.apply``)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
