"""The "same" layers compute exactly Keras' padding, not PyTorch's symmetric one."""

import pytest
import torch
import torch.nn.functional as F

from aelab.models.keras_layers import SameConv2d, SameConvTranspose2d, same_padding


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "expected"),
    [(28, 3, 2, (0, 1)), (14, 3, 2, (0, 1)), (7, 3, 2, (1, 1)), (28, 3, 1, (1, 1)), (28, 4, 2, (1, 1))],
)
def test_same_padding_splits_like_keras(size, kernel, stride, expected):
    assert same_padding(size, kernel, stride) == expected


def test_stride2_conv_pads_zero_before_one_after():
    torch.manual_seed(0)
    conv = SameConv2d(1, 4, 3, stride=2)
    x = torch.randn(2, 1, 28, 28)
    expected = F.conv2d(F.pad(x, (0, 1, 0, 1)), conv.weight, conv.bias, stride=2)
    assert conv(x).shape == (2, 4, 14, 14)
    torch.testing.assert_close(conv(x), expected)
    # PyTorch's symmetric padding=1 is a different layer (a one-pixel shift).
    assert not torch.allclose(conv(x), F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1))


@pytest.mark.parametrize(("size", "kernel", "stride"), [(7, 3, 2), (14, 3, 2), (28, 3, 1), (7, 4, 2)])
def test_transposed_conv_is_the_adjoint_of_the_same_conv(size, kernel, stride):
    """<conv(x), y> == <x, convT(y)> with shared weights and no bias: convT is conv's exact transpose."""
    torch.manual_seed(0)
    conv_t = SameConvTranspose2d(3, 5, kernel, stride=stride)
    conv = SameConv2d(5, 3, kernel, stride=stride)
    with torch.no_grad():
        conv.weight.copy_(conv_t.weight)
        conv_t.bias.zero_()
        conv.bias.zero_()
    y = torch.randn(2, 3, size, size, dtype=torch.float64)
    x = torch.randn(2, 5, size * stride, size * stride, dtype=torch.float64)
    conv_t, conv = conv_t.double(), conv.double()
    assert conv_t(y).shape == x.shape
    torch.testing.assert_close((conv(x) * y).sum(), (x * conv_t(y)).sum())


def test_stride2_transposed_conv_crops_last_row_and_column():
    torch.manual_seed(0)
    layer = SameConvTranspose2d(2, 3, 3, stride=2)
    y = torch.randn(1, 2, 7, 7)
    full = F.conv_transpose2d(y, layer.weight, layer.bias, stride=2)
    torch.testing.assert_close(layer(y), full[..., :14, :14])
    pytorch_style = F.conv_transpose2d(y, layer.weight, layer.bias, stride=2, padding=1, output_padding=1)
    assert not torch.allclose(layer(y), pytorch_style)


@pytest.mark.parametrize(("size", "kernel", "stride"), [(7, 3, 2), (14, 3, 2), (28, 3, 1), (7, 4, 2), (5, 5, 3), (6, 2, 2)])
def test_folded_crop_equals_the_explicit_keras_crop(size, kernel, stride):
    """The fast path (PyTorch padding/output_padding, shifted input) computes Keras' crop of the full output."""
    torch.manual_seed(0)
    layer = SameConvTranspose2d(3, 4, kernel, stride=stride).double()
    y = torch.randn(2, 3, size, size, dtype=torch.float64)
    full = F.conv_transpose2d(y, layer.weight, layer.bias, stride=stride)
    (top, bottom), (left, right) = same_padding(size * stride, kernel, stride), same_padding(size * stride, kernel, stride)
    expected = full[..., top : full.shape[-2] - bottom, left : full.shape[-1] - right]
    assert layer(y).shape == (2, 4, size * stride, size * stride)
    torch.testing.assert_close(layer(y), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("size", "kernel", "stride"), [(7, 3, 2), (14, 3, 2), (28, 3, 1), (6, 4, 2)])
def test_adjoint_backward_equals_autograd_of_the_plain_transposed_conv(size, kernel, stride):
    """Input, weight and bias gradients of the fast path equal those of the explicit Keras crop."""
    torch.manual_seed(0)
    layer = SameConvTranspose2d(5, 4, kernel, stride=stride).double()
    y = torch.randn(3, 5, size, size, dtype=torch.float64, requires_grad=True)
    full = F.conv_transpose2d(y, layer.weight, layer.bias, stride=stride)
    (top, bottom) = same_padding(size * stride, kernel, stride)
    reference = full[..., top : full.shape[-2] - bottom, top : full.shape[-1] - bottom]
    upstream = torch.randn_like(reference)
    expected = torch.autograd.grad(reference, (y, layer.weight, layer.bias), upstream)
    actual = torch.autograd.grad(layer(y), (y, layer.weight, layer.bias), upstream)
    for name, a, e in zip(("input", "weight", "bias"), actual, expected):
        torch.testing.assert_close(a, e, rtol=0, atol=1e-10, msg=name)
