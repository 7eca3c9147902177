"""Every registered family: shapes, value ranges, loss terms, capabilities; the KL formula."""

import pytest
import torch
from pydantic import TypeAdapter, ValidationError

from aelab.config.models import ModelConfig
from aelab.models.losses import bce, gaussian_kl, gaussian_kl_per_dim, mse
from aelab.models.registry import MODELS, build_model

MODEL_CONFIG = TypeAdapter(ModelConfig)
MNIST, CMNIST, COCO = (1, 28, 28), (3, 28, 28), (3, 64, 64)

# (config, image shape, latent size): at least one per family and per architecture switch.
CASES = {
    "conv_vae": ({"family": "conv_vae", "latent_dim": 3, "loss": "bce", "beta": 1.0}, MNIST, 3),
    "conv_vae-deep_stride2-regularised": (
        {
            "family": "conv_vae",
            "architecture": "deep_stride2",
            "latent_dim": 2,
            "loss": "mse",
            "beta": 4.0,
            "regularisation": {"l1": 1e-5, "l2": 1e-4, "dropout": 0.2, "batchnorm": True},
        },
        CMNIST,
        2,
    ),
    "conv_ae": ({"family": "conv_ae", "latent_dim": 1, "loss": "mse"}, CMNIST, 1),
    "conv_ae-deep_stride1": (
        {"family": "conv_ae", "architecture": "deep_stride1", "latent_dim": 10, "loss": "bce"},
        MNIST,
        10,
    ),
    "mlp_ae": ({"family": "mlp_ae", "hidden": [500, 250, 100], "latent_dim": 5, "activation": "sigmoid"}, MNIST, 5),
    "mlp_ae-conditional": (
        {"family": "mlp_ae", "hidden": [64], "latent_dim": 2, "activation": "tanh", "conditional": True},
        CMNIST,
        2,
    ),
    "mlp_vae": ({"family": "mlp_vae", "hidden": [400], "latent_dim": 20, "activation": "relu"}, MNIST, 20),
    "coco_conv-dense": (
        {
            "family": "coco_conv",
            "channels": [8, 16, 32],
            "downsample": "stride",
            "bottleneck": "dense",
            "latent_dim": 16,
            "activation": "relu",
            "batchnorm": True,
        },
        COCO,
        16,
    ),
    "coco_conv-maxpool": (
        {
            "family": "coco_conv",
            "channels": [8, 16, 64],
            "downsample": "maxpool",
            "bottleneck": "conv",
            "activation": "tanh",
            "batchnorm": False,
        },
        COCO,
        64 * 8 * 8,
    ),
    "coco_conv-skip": (
        {
            "family": "coco_conv",
            "channels": [8, 16, 128],
            "downsample": "stride",
            "bottleneck": "conv",
            "skip_connections": True,
            "activation": "relu",
            "batchnorm": True,
        },
        (1, 32, 32),
        128 * 4 * 4,
    ),
}


def model_for(case: str):
    config, shape, _ = CASES[case]
    torch.manual_seed(0)
    return build_model(MODEL_CONFIG.validate_python(config), shape), shape


def test_every_family_has_a_test_case():
    assert {config["family"] for config, _, _ in CASES.values()} == set(MODELS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_shapes_ranges_and_loss_terms(case):
    model, shape = model_for(case)
    x, labels = torch.rand(5, *shape), torch.arange(5)
    z = model.encode(x)
    assert z.shape == (5, CASES[case][2]) == (5, model.latent_dim)
    reconstruction = model.reconstruct(x, labels)
    assert reconstruction.shape == x.shape
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1
    if model.generative:
        assert model.generate(z, labels).shape == x.shape
    terms = model.loss_terms(x, x, labels)
    assert terms["loss"].ndim == 0 and torch.isfinite(terms["loss"])
    assert ("kl" in terms) == model.variational
    terms["loss"].backward()
    assert all(p.grad is not None for p in model.parameters())


def test_capabilities_say_which_decoders_work_from_a_code_alone():
    generative = {case: model_for(case)[0].generative for case in CASES}
    assert generative == {case: case not in ("coco_conv-maxpool", "coco_conv-skip") for case in CASES}
    with pytest.raises(NotImplementedError, match="pooling indices or skip"):
        model_for("coco_conv-skip")[0].decode(torch.zeros(1, 128 * 4 * 4))


def test_conditional_decoder_reads_the_label():
    model, _ = model_for("mlp_ae-conditional")
    z = torch.zeros(2, 2)
    three, seven = model.generate(z, torch.tensor([3, 3])), model.generate(z, torch.tensor([7, 7]))
    assert not torch.allclose(three, seven)
    with pytest.raises(ValueError, match="needs the class labels"):
        model.decode(z)


def test_coco_output_is_a_tanh_mapped_to_unit_range():
    """sigmoid(logits) equals (tanh(a) + 1) / 2 of the Tanh pre-activation a."""
    model, shape = model_for("coco_conv-dense")
    model.eval()
    x = torch.rand(2, *shape)
    logits = model(x)
    torch.testing.assert_close(torch.sigmoid(logits), (torch.tanh(logits / 2) + 1) / 2)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_family_trains_under_bf16_autocast(case):
    """The GPU default (bf16 autocast) on the CPU: finite loss, float32 gradients for every parameter."""
    model, shape = model_for(case)
    x, labels = torch.rand(4, *shape), torch.arange(4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        terms = model.loss_terms(x, x, labels)
    terms["loss"].backward()
    assert torch.isfinite(terms["loss"])
    assert all(
        p.grad is not None and p.grad.dtype == torch.float32 and p.grad.isfinite().all() for p in model.parameters()
    )


def test_conv_vae_matches_the_keras_example_size():
    """The Keras VAE example's encoder has 69,076 parameters and its decoder 65,089."""
    config = MODEL_CONFIG.validate_python({"family": "conv_vae", "latent_dim": 2, "loss": "bce", "beta": 1})
    model = build_model(config, (1, 28, 28))
    count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    assert count(model.encoder) + count(model.mean) + count(model.logvar) == 69_076
    assert count(model.decoder) == 65_089


def test_mlp_vae_is_the_pytorch_examples_vae():
    """784-400-20: fc1 314,000 + heads 2 x 8,020 + fc3 8,400 + fc4 314,384 parameters."""
    model, _ = model_for("mlp_vae")
    assert sum(p.numel() for p in model.parameters()) == 314_000 + 2 * 8_020 + 8_400 + 314_384


def test_regularisation_adds_keras_kernel_penalties():
    model, shape = model_for("conv_vae-deep_stride2-regularised")
    kernels = [
        m.weight for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear))
    ]
    expected = sum(1e-5 * w.abs().sum() + 1e-4 * w.square().sum() for w in kernels)
    torch.testing.assert_close(model.penalty(), expected)
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules()) == 3 + 3  # encoder and decoder convs
    assert any(isinstance(m, torch.nn.Dropout) for m in model.encoder)
    assert model_for("conv_vae")[0].penalty() is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {
                "family": "coco_conv",
                "channels": [8, 16, 32],
                "downsample": "stride",
                "bottleneck": "dense",
                "latent_dim": 16,
                "skip_connections": True,
                "activation": "relu",
                "batchnorm": True,
            },
            "skip_connections need a conv bottleneck",
        ),
        (
            {
                "family": "coco_conv",
                "channels": [8, 16, 32],
                "downsample": "stride",
                "bottleneck": "dense",
                "activation": "relu",
                "batchnorm": True,
            },
            "a dense bottleneck needs latent_dim",
        ),
        ({"family": "mlp_ae", "hidden": [64], "latent_dim": 2, "activation": "swish"}, "'relu', 'sigmoid', 'tanh'"),
        (
            {"family": "conv_vae", "architecture": "deeper", "latent_dim": 2, "loss": "bce", "beta": 1},
            "'base', 'deep_stride2'",
        ),
        (
            {"family": "conv_vae", "latent_dim": 2, "loss": "bce", "beta": 1, "regularisation": {"dropout": 1.0}},
            "less than 1",
        ),
    ],
)
def test_invalid_family_configs_are_rejected_before_building(config, message):
    with pytest.raises(ValidationError, match=message):
        MODEL_CONFIG.validate_python(config)


def test_architecture_that_cannot_decode_the_image_size_is_a_clear_error():
    config = MODEL_CONFIG.validate_python(
        {"family": "conv_ae", "architecture": "deep_stride2", "latent_dim": 2, "loss": "bce"}
    )
    with pytest.raises(ValueError, match="decodes 32x32 images to 28x28"):
        build_model(config, (1, 32, 32))


def test_kl_of_standard_normal_is_zero_and_positive_otherwise():
    zeros = torch.zeros(8, 4)
    assert gaussian_kl(zeros, zeros).item() == 0.0
    mu, logvar = torch.randn(100, 4), torch.randn(100, 4)
    assert (gaussian_kl_per_dim(mu, logvar) >= 0).all()
    # closed form for one dimension: mu=1, sigma=1 -> KL = 1/2
    assert gaussian_kl(torch.ones(1, 1), torch.zeros(1, 1)).item() == pytest.approx(0.5)


def test_reconstruction_losses_sum_pixels_and_average_batch():
    target = torch.full((2, 1, 2, 2), 0.5)
    logits = torch.zeros_like(target)  # sigmoid = 0.5 everywhere
    assert bce(logits, target).item() == pytest.approx(4 * torch.log(torch.tensor(2.0)).item())
    assert mse(logits, target).item() == 0.0
    assert mse(torch.full_like(target, 100.0), target).item() == pytest.approx(4 * 0.25)
