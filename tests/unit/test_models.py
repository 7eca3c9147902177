"""Every registered family: shapes, value ranges, loss terms; the KL formula."""

import pytest
import torch
from pydantic import TypeAdapter

from aelab.config import ModelConfig
from aelab.models.losses import bce, gaussian_kl, gaussian_kl_per_dim, mse
from aelab.models.registry import MODELS, build_model

CONFIGS = {
    "conv_vae": {"family": "conv_vae", "latent_dim": 3, "loss": "bce", "beta": 1.0},
    "conv_ae": {"family": "conv_ae", "latent_dim": 3, "loss": "mse"},
}


def test_every_family_has_a_test_config():
    assert set(CONFIGS) == set(MODELS)


@pytest.mark.parametrize("family", sorted(MODELS))
@pytest.mark.parametrize("channels", [1, 3])
def test_shapes_ranges_and_loss_terms(family, channels):
    torch.manual_seed(0)
    model = build_model(TypeAdapter(ModelConfig).validate_python(CONFIGS[family]), (channels, 28, 28))
    x = torch.rand(5, channels, 28, 28)
    z = model.encode(x)
    assert z.shape == (5, 3)
    assert model.decode(z).shape == x.shape
    reconstruction = model.reconstruct(x)
    assert reconstruction.shape == x.shape
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1
    terms = model.loss_terms(x, x)
    assert terms["loss"].ndim == 0 and torch.isfinite(terms["loss"])
    terms["loss"].backward()
    assert all(p.grad is not None for p in model.parameters())


def test_conv_vae_matches_the_keras_example_size():
    """The Keras VAE example's encoder has 69,076 parameters and its decoder 65,089."""
    config = TypeAdapter(ModelConfig).validate_python({"family": "conv_vae", "latent_dim": 2, "loss": "bce", "beta": 1})
    model = build_model(config, (1, 28, 28))
    count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    assert count(model.encoder) + count(model.mean) + count(model.logvar) == 69_076
    assert count(model.decoder) == 65_089


def test_vae_loss_is_reconstruction_plus_beta_kl():
    config = {"family": "conv_vae", "latent_dim": 2, "loss": "bce", "beta": 4.0}
    model = build_model(TypeAdapter(ModelConfig).validate_python(config), (1, 28, 28))
    terms = model.loss_terms(torch.rand(4, 1, 28, 28), torch.rand(4, 1, 28, 28))
    torch.testing.assert_close(terms["loss"], terms["recon"] + 4.0 * terms["kl"])


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
