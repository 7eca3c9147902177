"""The Keras layers compute Keras' "same" padding exactly: checked against the explicit pad-and-crop formulation."""

import copy

import pytest
import torch
import torch.nn.functional as F
from pydantic import TypeAdapter

from aelab.config.models import ModelConfig
from aelab.models.keras_layers import (
    DenseMap,
    FlattenDense,
    KerasConv2d,
    KerasConvTranspose2d,
    Turn,
    same_padding,
    turned,
)
from aelab.models.registry import build_model

CONV_CASES = [(28, 3, 2), (14, 3, 2), (7, 3, 2), (28, 3, 1), (28, 4, 2), (15, 5, 3), (9, 5, 1)]
TRANSPOSED_CASES = [
    (7, 3, 2, None),
    (14, 3, 2, None),
    (28, 3, 1, None),
    (7, 4, 2, None),
    (5, 5, 3, None),
    (6, 2, 2, None),
    (4, 4, 2, 1),
    (7, 3, 2, 1),
    (7, 3, 2, 0),
    (5, 5, 3, 2),
    (6, 3, 1, 0),
]
"""(size, kernel, stride, output_padding); (4, 4, 2, 1) is deep_stride2's first decoder layer, 4x4 -> 7x7."""


def keras_conv(x, weight, bias, stride):
    """Keras Conv2D(padding="same") written out: pad (before, after) per axis, then an unpadded conv."""
    (top, bottom), (left, right) = (same_padding(n, weight.shape[-1], stride) for n in x.shape[-2:])
    return F.conv2d(F.pad(x, (left, right, top, bottom)), weight, bias, stride=stride)


def keras_output_length(size, kernel, stride, output_padding):
    """keras.src.utils.conv_utils.deconv_output_length for padding="same"."""
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + kernel - 2 * (kernel // 2) + output_padding


def keras_conv_transpose(x, weight, bias, stride, output_padding):
    """Keras Conv2DTranspose(padding="same") as TensorFlow computes it: the adjoint (input gradient) of a
    "same" Conv2D whose input has the output's size, plus the bias; written with autograd, no crop arithmetic."""
    rows, columns = (keras_output_length(n, weight.shape[-1], stride, output_padding) for n in x.shape[-2:])
    probe = torch.zeros(len(x), weight.shape[1], rows, columns, dtype=x.dtype)
    _, adjoint = torch.func.vjp(lambda image: keras_conv(image, weight, None, stride), probe)
    (y,) = adjoint(x)
    return y + bias.view(1, -1, 1, 1)


def upright(layer, x):
    """The layer applied to an upright image: it computes in the turned frame."""
    return turned(layer(turned(x)))


def reference(layer, x):
    if isinstance(layer, KerasConvTranspose2d):
        y = keras_conv_transpose(x, layer.weight, layer.bias, layer.stride[0], layer.keras_output_padding)
    else:
        y = keras_conv(x, layer.weight, layer.bias, layer.stride[0])
    return torch.relu(y) if layer.relu else y


def layers():
    for size, kernel, stride in CONV_CASES:
        for relu in (False, True):
            yield f"conv-{size}-{kernel}-{stride}-relu{relu}", KerasConv2d(3, 5, kernel, stride=stride, relu=relu), size
    for size, kernel, stride, output_padding in TRANSPOSED_CASES:
        for relu in (False, True):
            layer = KerasConvTranspose2d(3, 5, kernel, stride=stride, output_padding=output_padding, relu=relu)
            yield f"transposed-{size}-{kernel}-{stride}-op{output_padding}-relu{relu}", layer, size


LAYERS = {name: (layer, size) for name, layer, size in layers()}


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "expected"),
    [(28, 3, 2, (0, 1)), (14, 3, 2, (0, 1)), (7, 3, 2, (1, 1)), (28, 3, 1, (1, 1)), (28, 4, 2, (1, 1))],
)
def test_same_padding_splits_like_keras(size, kernel, stride, expected):
    assert same_padding(size, kernel, stride) == expected


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_computes_keras_padding_and_its_gradients(name):
    """Output and input, weight and bias gradients equal the written-out Keras layer's, in float64."""
    torch.manual_seed(0)
    layer, size = LAYERS[name]
    layer = copy.deepcopy(layer).double()
    torch.nn.init.normal_(layer.bias)
    x = torch.randn(2, layer.in_channels, size, size, dtype=torch.float64, requires_grad=True)
    expected = reference(layer, x)
    actual = upright(layer, x)
    assert actual.shape == expected.shape
    torch.testing.assert_close(actual, expected, rtol=0, atol=1e-12)
    upstream = torch.randn_like(expected)
    inputs = (x, layer.weight, layer.bias)
    for what, a, e in zip(
        ("input", "weight", "bias"),
        torch.autograd.grad(actual, inputs, upstream),
        torch.autograd.grad(expected, inputs, upstream),
        strict=True,
    ):
        torch.testing.assert_close(a, e, rtol=0, atol=1e-10, msg=what)


@pytest.mark.parametrize(
    "name",
    [
        "conv-28-3-2-reluTrue",
        "conv-28-3-1-reluFalse",
        "transposed-14-3-2-opNone-reluTrue",
        "transposed-28-3-1-opNone-reluFalse",
        "transposed-4-4-2-op1-reluTrue",
    ],
)
def test_float32_fused_kernels_match_the_float64_reference(name):
    """float32 on the CPU runs oneDNN's fused conv + ReLU kernels, which the float64 test never reaches."""
    torch.manual_seed(0)
    layer, size = LAYERS[name]
    layer = copy.deepcopy(layer)
    torch.nn.init.normal_(layer.bias)
    x = torch.randn(4, layer.in_channels, size, size).contiguous(memory_format=torch.channels_last).requires_grad_()
    y = upright(layer, x)
    upstream = torch.randn_like(y)
    grads = torch.autograd.grad(y, (x, layer.weight, layer.bias), upstream)
    layer64, x64 = copy.deepcopy(layer).double(), x.detach().double().requires_grad_()
    expected = reference(layer64, x64)
    expected_grads = torch.autograd.grad(expected, (x64, layer64.weight, layer64.bias), upstream.double())
    torch.testing.assert_close(y.double(), expected, rtol=1e-5, atol=1e-5)
    for what, a, e in zip(("input", "weight", "bias"), grads, expected_grads, strict=True):
        torch.testing.assert_close(a.double(), e, rtol=1e-4, atol=1e-4, msg=what)


def test_pytorch_symmetric_padding_on_the_upright_image_is_another_layer():
    """Why the turn is needed: PyTorch's padding=1 shifts a stride-2 Keras conv by a pixel."""
    torch.manual_seed(0)
    conv = KerasConv2d(1, 4, 3, stride=2)
    x = torch.randn(2, 1, 28, 28)
    assert upright(conv, x).shape == (2, 4, 14, 14)
    assert not torch.allclose(upright(conv, x), F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1))


def test_flatten_dense_and_dense_map_keep_pytorch_flatten_order():
    """The weights mean what they mean in nn.Flatten -> nn.Linear and nn.Linear -> view(C, H, W)."""
    torch.manual_seed(0)
    maps = torch.randn(3, 4, 5, 6).contiguous(memory_format=torch.channels_last)
    dense = FlattenDense((4, 5, 6), 7)
    torch.testing.assert_close(dense(turned(maps)), F.linear(maps.flatten(1), dense.weight, dense.bias))
    z = torch.randn(3, 7)
    to_map = DenseMap(7, (4, 5, 6))
    written = to_map(z)
    assert written.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(turned(written), F.linear(z, to_map.weight, to_map.bias).view(3, 4, 5, 6))


def test_even_kernel_same_layer_with_stride_one_is_refused():
    with pytest.raises(ValueError, match="even kernel"):
        KerasConv2d(1, 2, 4, stride=1)


@pytest.mark.parametrize("output_padding", [-1, 2])
def test_output_padding_outside_zero_to_stride_is_refused(output_padding):
    with pytest.raises(ValueError, match="output_padding"):
        KerasConvTranspose2d(1, 2, 4, stride=2, output_padding=output_padding)


def test_output_padding_that_tensorflow_cannot_invert_is_refused():
    with pytest.raises(ValueError, match="does not map back"):
        KerasConvTranspose2d(1, 2, 4, stride=2, output_padding=0)(torch.zeros(1, 1, 4, 4))


def test_stride2_output_padding_layer_is_the_full_transposed_conv_cropped_one_before_two_after():
    """Keras' ConvT(k4, s2, same, output_padding 1) on 4x4: 7x7, rows/columns 1..7 of the 10x10 full transposed
    conv (TensorFlow's SAME split of 3 is 1 before, 2 after); a stride-1 "valid" ConvT(k4) is 7x7 too, but another
    layer."""
    torch.manual_seed(0)
    layer = KerasConvTranspose2d(2, 3, 4, stride=2, output_padding=1).double()
    x = torch.randn(2, 2, 4, 4, dtype=torch.float64)
    full = F.conv_transpose2d(x, layer.weight, layer.bias, stride=2)
    assert full.shape[-2:] == (10, 10)
    torch.testing.assert_close(upright(layer, x), full[..., 1:8, 1:8], rtol=0, atol=1e-12)
    valid = F.conv_transpose2d(x, layer.weight, layer.bias, stride=1)
    assert valid.shape == upright(layer, x).shape and not torch.allclose(valid, upright(layer, x))


def test_layers_follow_autocast_and_return_float32_gradients():
    """bf16 autocast (the GPU default) reaches inside the custom autograd function."""
    torch.manual_seed(0)
    layers = torch.nn.Sequential(KerasConv2d(1, 4, 3, stride=2, relu=True), KerasConvTranspose2d(4, 1, 3, stride=2))
    x = torch.rand(2, 1, 28, 28)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = layers(x)
    assert y.dtype == torch.bfloat16 and y.shape == x.shape
    y.float().sum().backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in layers.parameters())


def written_out(modules, x):
    """A conv encoder or decoder applied the plain way: upright image, explicit Keras padding, nn.Flatten order."""
    for module in modules:
        if isinstance(module, (KerasConv2d, KerasConvTranspose2d)):
            x = reference(module, x)
        elif isinstance(module, FlattenDense):
            x = F.linear(x.flatten(1), module.weight, module.bias)
        elif isinstance(module, DenseMap):
            x = F.linear(x, module.weight, module.bias).view(-1, *module.map_shape)
        elif not isinstance(module, Turn):  # ReLU, BatchNorm, Dropout: the same in either frame
            x = module(x)
    return x


@pytest.mark.parametrize("architecture", ["base", "deep_stride2", "deep_stride1"])
@pytest.mark.parametrize("channels", [1, 3])
def test_conv_models_equal_the_written_out_keras_model(architecture, channels):
    """Whole encoders and decoders (batchnorm with non-trivial statistics, eval mode) in float64."""
    torch.manual_seed(0)
    config = {
        "family": "conv_vae",
        "architecture": architecture,
        "latent_dim": 3,
        "loss": "bce",
        "beta": 1,
        "regularisation": {"dropout": 0.2, "batchnorm": True},
    }
    model = build_model(TypeAdapter(ModelConfig).validate_python(config), (channels, 28, 28)).double().eval()
    for norm in (m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)):
        torch.nn.init.normal_(norm.running_mean)
        torch.nn.init.uniform_(norm.running_var, 0.5, 2)
        torch.nn.init.normal_(norm.bias)
    x = torch.rand(4, channels, 28, 28, dtype=torch.float64)
    z = torch.randn(4, 3, dtype=torch.float64)
    torch.testing.assert_close(model.encoder(x), written_out(model.encoder, x), rtol=0, atol=1e-12)
    torch.testing.assert_close(model.decoder(z), written_out(model.decoder, z), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["conv-14-3-2-reluTrue", "transposed-7-3-2-opNone-reluTrue"])
def test_frozen_kernel_passes_the_gradient_to_the_input_only(name):
    torch.manual_seed(0)
    layer, size = LAYERS[name]
    layer = copy.deepcopy(layer).requires_grad_(False)
    x = torch.randn(2, layer.in_channels, size, size, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert layer.weight.grad is None and layer.bias.grad is None


def test_deep_stride2_decoder_starts_with_keras_stride2_output_padding_layer():
    config = {"family": "conv_ae", "architecture": "deep_stride2", "latent_dim": 2, "loss": "bce"}
    model = build_model(TypeAdapter(ModelConfig).validate_python(config), (1, 28, 28))
    first = next(m for m in model.decoder if isinstance(m, KerasConvTranspose2d))
    assert (first.kernel_size, first.stride, first.keras_output_padding) == ((4, 4), (2, 2), 1)
    assert model.decoder(torch.zeros(3, 2)).shape == (3, 1, 28, 28)
