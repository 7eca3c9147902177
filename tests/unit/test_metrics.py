"""Reconstruction metrics against hand-computable cases."""

import math

import numpy as np
import pytest
import torch

from aelab.evaluation.reconstruction import Reconstructions, psnr, reconstruction_metrics


def test_psnr_of_a_known_error():
    truth = np.zeros((2, 100))
    noisy = truth + 0.1  # MSE 0.01 -> 20 dB
    np.testing.assert_allclose(psnr(truth, noisy), [20.0, 20.0])
    assert psnr(truth, truth)[0] == pytest.approx(100.0)  # floored, not infinite


def test_metrics_of_a_constant_offset():
    originals = torch.tensor([[0.0, 0.5, 1.0, 0.25], [1.0, 0.0, 0.5, 0.75]]).view(2, 1, 2, 2)
    reconstructed = (originals + 0.1).clamp(max=1.0)
    bce = torch.tensor([3.0, 5.0])
    metrics = reconstruction_metrics(originals, Reconstructions(reconstructed, bce, codes=torch.zeros(2, 2)))
    errors = (reconstructed - originals).flatten()
    assert metrics["bce"] == pytest.approx(4.0)
    assert metrics["mse"] == pytest.approx(float((errors**2).mean()))
    assert metrics["mae"] == pytest.approx(float(errors.abs().mean()))
    per_image = 10 * np.log10(1 / (errors.view(2, 4) ** 2).mean(1).numpy())
    assert metrics["psnr"] == pytest.approx(float(per_image.mean()))


def test_r2_is_one_for_perfect_and_variance_weighted():
    originals = torch.rand(10, 1, 3, 3)
    perfect = reconstruction_metrics(originals, Reconstructions(originals.clone(), torch.zeros(10), codes=torch.zeros(10, 2)))
    assert perfect["r2"] == pytest.approx(1.0)
    # predicting each pixel's mean explains nothing: R^2 = 0
    mean = originals.mean(0, keepdim=True).expand_as(originals)
    assert reconstruction_metrics(originals, Reconstructions(mean, torch.zeros(10), codes=torch.zeros(10, 2)))["r2"] == pytest.approx(0.0, abs=1e-12)
    assert not math.isnan(perfect["psnr"])


def test_image_grid_places_images_row_by_row_like_make_grid():
    from torchvision.utils import make_grid

    from aelab.plotting.grid import image_grid

    images = np.random.default_rng(0).random((7, 3, 4, 5)).astype(np.float32)
    expected = make_grid(torch.from_numpy(images), nrow=3, padding=2, pad_value=1.0).permute(1, 2, 0).numpy()
    np.testing.assert_array_equal(image_grid(images, 3), expected)
    grey = image_grid(images[:, :1], 4)
    assert grey.ndim == 2 and grey[2, 2] == images[0, 0, 0, 0]
