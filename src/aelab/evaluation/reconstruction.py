"""Test-set reconstruction quality: BCE, MSE, MAE, R^2 and PSNR.

Conventions: BCE is summed over the pixels of an image and averaged over
images (the training loss's units); MSE and MAE are per pixel; R^2 is
scikit-learn's variance-weighted score over pixels (pixels that never vary,
such as MNIST's corners, get zero weight); PSNR is per image on the [0, 1]
scale, 10 * log10(1 / MSE_image), then averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from aelab.models.base import Autoencoder

MIN_MSE = 1e-10
"""Floor of a per-image MSE in PSNR, so a perfect reconstruction scores 100 dB, not infinity."""


@dataclass(frozen=True)
class Reconstructions:
    """Reconstructions in [0, 1] of a set of images, the BCE of each one, and their latent codes."""

    images: torch.Tensor
    bce_per_image: torch.Tensor
    codes: torch.Tensor


@torch.no_grad()
def reconstruct(model: Autoencoder, images: torch.Tensor, labels: torch.Tensor, batch_size: int) -> Reconstructions:
    outputs, bce, codes = [], [], []
    for batch, batch_labels in zip(images.split(batch_size), labels.split(batch_size)):
        codes.append(model.encode(batch))
        logits = model(batch, batch_labels)
        outputs.append(torch.sigmoid(logits))
        bce.append(F.binary_cross_entropy_with_logits(logits, batch, reduction="none").flatten(1).sum(1))
    return Reconstructions(torch.cat(outputs), torch.cat(bce), torch.cat(codes))


def psnr(originals: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Per-image PSNR in dB of [0, 1] images given as N x pixels arrays."""
    mse = np.mean((originals - reconstructions) ** 2, axis=1)
    return 10 * np.log10(1.0 / np.maximum(mse, MIN_MSE))


def reconstruction_metrics(originals: torch.Tensor, result: Reconstructions) -> dict[str, float]:
    truth = originals.flatten(1).double().cpu().numpy()
    predicted = result.images.flatten(1).double().cpu().numpy()
    return {
        "bce": float(result.bce_per_image.double().mean()),
        "mse": float(mean_squared_error(truth, predicted)),
        "mae": float(mean_absolute_error(truth, predicted)),
        "r2": float(r2_score(truth, predicted, multioutput="variance_weighted")),
        "psnr": float(psnr(truth, predicted).mean()),
    }
