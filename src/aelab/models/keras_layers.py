"""PyTorch layers that compute exactly what Keras' ``padding="same"`` layers compute, at PyTorch's speed.

Keras pads "same" convolutions asymmetrically: the total padding
``max((ceil(n / s) - 1) * s + k - n, 0)`` is split with the smaller half
*before*; for a stride-2, kernel-3 conv on an even input that is 0 before and 1
after. A Keras ``Conv2DTranspose(padding="same")`` is that conv's transpose:
the full transposed convolution cropped by the same split. PyTorch only pads
symmetrically, so a faithful port has to pad, shift or crop copies of the data.

Turning the image by 180 degrees swaps "before" and "after", and PyTorch's own
symmetric padding already computes the swapped split: its floor division drops
the surplus row at the end of a conv, and ``output_padding`` gives back the
surplus row at the end of a transposed conv. So the conv models run their
convolution stack in the *turned frame*: the encoder turns its input once, the
decoder turns its output back once, and every layer in between is a native
PyTorch convolution with the kernel turned too (``turned``). Parameters keep
Keras' orientation and PyTorch's Flatten order, so checkpoints mean what a
plain port's would; tests compare whole models against the explicit
pad-and-crop formulation in float64. Keras initialises kernels glorot-uniform
and biases to zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of a Keras "same" conv along one axis of length ``size``."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def turned(x: torch.Tensor) -> torch.Tensor:
    """``x`` turned by 180 degrees in its two spatial axes (its own inverse)."""
    return x.flip(-2, -1)


class Turn(nn.Module):
    """Enters (or leaves) the turned frame in which the layers below compute Keras' padding."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return turned(x)


class KerasConv2d(nn.Conv2d):
    """``keras.layers.Conv2D(filters, kernel, strides, padding="same", activation="relu" if relu)``, turned frame."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, relu: bool = False):
        _check_turnable(kernel_size, stride)
        super().__init__(in_channels, out_channels, kernel_size, stride=stride)
        self.relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.kernel_size[0], self.stride[0]
        rows, columns = x.shape[-2:]
        padding = (same_padding(rows, k, s)[1], same_padding(columns, k, s)[1])  # Keras' "after": "before" turned
        return _convolution(x, self.weight, self.bias, Geometry(False, (s, s), padding, (0, 0), self.relu))


class KerasConvTranspose2d(nn.ConvTranspose2d):
    """``keras.layers.Conv2DTranspose(filters, kernel, strides, "same", output_padding, activation)``, turned frame.

    Keras' "same" transposed conv is the adjoint of a "same" conv whose input
    has the output's length: the full transposed convolution, ``(n - 1) * s + k``
    long, cropped by that conv's padding split. The output length is ``n * s``,
    or with ``output_padding`` Keras' ``(n - 1) * s + k - 2 * (k // 2) + output_padding``
    (``deconv_output_length``), e.g. 4 -> 7 for kernel 4, stride 2, output padding 1,
    which crops 1 row before and 2 after.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        output_padding: int | None = None,
        relu: bool = False,
    ):
        if output_padding is None:
            _check_turnable(kernel_size, stride)
        elif not 0 <= output_padding < stride:
            raise ValueError(
                f"output_padding must be at least 0 and smaller than the stride ({stride}), "
                f"as in Keras; got {output_padding}"
            )
        super().__init__(in_channels, out_channels, kernel_size, stride=stride)
        self.keras_output_padding, self.relu = output_padding, relu

    def output_size(self, size: int) -> int:
        """Keras' output length for an input of length ``size``."""
        k, s = self.kernel_size[0], self.stride[0]
        if self.keras_output_padding is None:
            return size * s
        length = (size - 1) * s + k - 2 * (k // 2) + self.keras_output_padding
        if math.ceil(length / s) != size:  # TensorFlow refuses it: no "same" conv maps `length` back to `size`
            raise ValueError(
                f"Conv2DTranspose(kernel {k}, stride {s}, output_padding {self.keras_output_padding}) "
                f"would take {size} to {length}, which a 'same' conv does not map back to {size}"
            )
        return length

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]  # Keras' length, no output_size
        k, s = self.kernel_size[0], self.stride[0]
        (row_before, row_after), (column_before, column_after) = (
            same_padding(self.output_size(n), k, s) for n in x.shape[-2:]
        )
        # Turned, Keras' crop (before, after) is (after, before): PyTorch crops `after` on both
        # sides and output_padding gives back the difference at the end.
        padding = (row_after, column_after)
        output_padding = (row_after - row_before, column_after - column_before)
        geometry = Geometry(True, (s, s), padding, output_padding, self.relu, fuse=k % 2 == 1)
        return _convolution(x, self.weight, self.bias, geometry)


class FlattenDense(nn.Linear):
    """``Flatten`` then ``Dense`` on a turned channels-last feature map, without copying the map.

    The weight's columns keep ``nn.Flatten``'s (channel, row, column) order of
    the upright map; forward reorders the (small) weight to the turned map's
    memory order instead of reordering the (large) batch.
    """

    def __init__(self, map_shape: tuple[int, int, int], out_features: int):
        super().__init__(math.prod(map_shape), out_features)
        self.map_shape = map_shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        channels, rows, columns = self.map_shape
        weight = self.weight.view(-1, channels, rows, columns).flip(2, 3).permute(0, 2, 3, 1)
        return F.linear(x.permute(0, 2, 3, 1).reshape(len(x), -1), weight.reshape(self.out_features, -1), self.bias)


class DenseMap(nn.Linear):
    """``Dense`` then ``Reshape`` to a feature map, written straight into the turned channels-last layout.

    The weight's rows keep the (channel, row, column) order of the upright map.
    """

    def __init__(self, in_features: int, map_shape: tuple[int, int, int]):
        super().__init__(in_features, math.prod(map_shape))
        self.map_shape = map_shape

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        channels, rows, columns = self.map_shape
        weight = self.weight.view(channels, rows, columns, -1).flip(1, 2).permute(1, 2, 0, 3)
        bias = self.bias.view(channels, rows, columns).flip(1, 2).permute(1, 2, 0)
        out = F.linear(z, weight.reshape(self.out_features, -1), bias.reshape(-1))
        return out.view(-1, rows, columns, channels).permute(0, 3, 1, 2)


def _onednn_enabled() -> bool:
    return bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled)


def _check_turnable(kernel: int, stride: int) -> None:
    """Turned, "same" pads by (after, before); PyTorch drops or gives back the surplus only if it is < stride."""
    if stride == 1 and kernel % 2 == 0:
        raise ValueError(
            f"a 'same' layer with an even kernel ({kernel}) and stride 1 pads unevenly by more "
            "than PyTorch can drop or give back; use an odd kernel or a stride > 1"
        )


@dataclass(frozen=True)
class Geometry:
    """One convolution's arguments; ``transposed`` and ``relu`` (applied to its output) included."""

    transposed: bool
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    relu: bool
    fuse: bool = True
    """Run oneDNN's fused conv + ReLU kernel on the CPU; False where that kernel is the slow one (see ``_onednn``)."""

    def forward(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        if x.device.type == "cpu" and x.dtype == torch.float32 and _onednn_enabled():
            return self._onednn(x, weight, bias)
        if self.transposed:
            y = F.conv_transpose2d(x, weight, bias, self.stride, self.padding, self.output_padding)
        else:
            y = F.conv2d(x, weight, bias, self.stride, self.padding)
        return y.relu_() if self.relu else y

    def _onednn(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        """oneDNN's fused kernel: the ReLU runs on the output tile still in cache (what TensorFlow does).

        For an even kernel with output padding (deep_stride2's 4x4 -> 7x7 ConvT(128, k4, s2)) oneDNN's fused
        transposed kernel is a slow one: 77 ms per 128-image batch on one AVX-512 core, against 11 ms for
        the same sums as the input gradient of the adjoint convolution (oneDNN's backward-data kernel),
        which is 20-50% slower than the fused kernel for every odd-kernel layer of the study.
        """
        activation, dilation = "relu" if self.relu else "none", [1, 1]
        if self.transposed and not self.fuse:
            y = self._transposed_as_adjoint(x, weight)
            y = y if bias is None else y.add_(bias.view(1, -1, 1, 1))
            return y.relu_() if self.relu else y
        if self.transposed:
            return torch.ops.mkldnn._convolution_transpose_pointwise(
                x,
                weight,
                bias,
                list(self.padding),
                list(self.output_padding),
                list(self.stride),
                dilation,
                1,
                activation,
                [],
                "",
            )
        return torch.ops.mkldnn._convolution_pointwise(
            x, weight, bias, list(self.padding), list(self.stride), dilation, 1, activation, [], ""
        )

    def _transposed_as_adjoint(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """The transposed convolution as the input gradient of the convolution it is the adjoint of."""
        size = [
            (n - 1) * s - 2 * p + weight.shape[-1] + op
            for n, s, p, op in zip(x.shape[-2:], self.stride, self.padding, self.output_padding, strict=True)
        ]
        shape = torch.empty(len(x), weight.shape[1], *size, dtype=x.dtype, memory_format=torch.channels_last)
        conv_args = (self.stride, self.padding, (1, 1), False, (0, 0), 1)
        return torch.ops.aten.convolution_backward(x, shape, weight, None, *conv_args, (True, False, False))[0]

    def backward(
        self, x: torch.Tensor, weight: torch.Tensor, grad: torch.Tensor, needs: tuple[bool, bool, bool]
    ) -> tuple[torch.Tensor | None, ...]:
        """(input, weight, bias) gradients of the output gradient ``grad`` (already through the ReLU)."""
        conv_args = (self.stride, self.padding, (1, 1), False, (0, 0), 1)
        if not self.transposed:
            return torch.ops.aten.convolution_backward(grad, x, weight, [weight.shape[0]], *conv_args, needs)
        # A transposed convolution is the adjoint of a convolution with the same weight,
        # <convT(x, W), g> = <x, conv(g, W)>, so its weight gradient is conv(g, W)'s for input g
        # and output gradient x: the same sums, and oneDNN runs them with its AVX-512 conv kernel
        # where PyTorch's native transposed backward falls back to a slower one.
        grad_x = F.conv2d(grad, weight, stride=self.stride, padding=self.padding) if needs[0] else None
        grad_weight = (
            torch.ops.aten.convolution_backward(x, grad, weight, None, *conv_args, (False, True, False))[1]
            if needs[1]
            else None
        )
        return grad_x, grad_weight, grad.sum((0, 2, 3)) if needs[2] else None


class _Convolution(torch.autograd.Function):
    """A convolution (+ ReLU) whose forward may be oneDNN's fused kernel, so it brings its own backward."""

    @staticmethod
    def forward(ctx, x, weight, bias, geometry: Geometry):
        y = geometry.forward(x, weight, bias)
        ctx.geometry = geometry
        ctx.save_for_backward(x, weight, y if geometry.relu else None)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, weight, y = ctx.saved_tensors
        if ctx.geometry.relu:
            grad = torch.ops.aten.threshold_backward(grad, y, 0)
        return *ctx.geometry.backward(x, weight, grad, ctx.needs_input_grad[:3]), None


def _convolution(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, geometry: Geometry) -> torch.Tensor:
    """The convolution of the turned frame: the kernel turned, inputs in autocast's dtype when it is on.

    A custom autograd function is outside autocast's reach, so the casts it
    would make happen here (where autograd records them and turns the gradient
    back into float32).
    """
    weight = turned(weight)
    if torch.is_autocast_enabled(x.device.type):
        dtype = torch.get_autocast_dtype(x.device.type)
        x, weight, bias = x.to(dtype), weight.to(dtype), bias.to(dtype) if bias is not None else None
    return _Convolution.apply(x, weight, bias, geometry)


def keras_batchnorm(channels: int) -> nn.BatchNorm2d:
    """``keras.layers.BatchNormalization()``: momentum 0.99 (PyTorch counts 1 - that), epsilon 1e-3."""
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


def keras_init(module: nn.Module) -> None:
    """Keras defaults: glorot-uniform kernels, zero biases (use with ``model.apply``)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
