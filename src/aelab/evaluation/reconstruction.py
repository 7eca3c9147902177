"""Reconstruction: BCE, MSE, MAE, R^2, PSNR and SSIM on the test set; originals over reconstructions.

Conventions: BCE is summed over the pixels of an image and averaged over
images (the training loss's units); MSE and MAE are per pixel; R^2 is
scikit-learn's score over pixels twice: variance-weighted (``r2``: pixels that
never vary, such as MNIST's corners, get zero weight) and scikit-learn's
default uniform average (``r2_uniform``: every pixel counts once, a constant
pixel predicted exactly scores 1, else 0), which published notebooks report;
PSNR and SSIM are per image on the [0, 1] scale, then averaged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from aelab import paths
from aelab.evaluation.tasks import FigureWriter, Task
from aelab.plotting import figures as plots

if TYPE_CHECKING:
    from aelab.evaluation.context import Context

MIN_MSE = 1e-10
"""Floor of a per-image MSE in PSNR, so a perfect reconstruction scores 100 dB, not infinity."""


def psnr(originals: torch.Tensor, reconstructions: torch.Tensor) -> torch.Tensor:
    """Per-image PSNR in dB with a peak of 1: 10 * log10(1 / MSE_image)."""
    mse = (originals - reconstructions).double().pow(2).flatten(1).mean(1)
    return 10 * torch.log10(1.0 / mse.clamp(min=MIN_MSE))


SSIM_CHUNK = 500
"""Images per SSIM step: the float64 Gaussian blur unfolds each image ~100-fold (11 x 11 window), so the
10k MNIST test images at once peaked at 4.5 GB of memory; in chunks of 500 it stays ~150 MB."""


def ssim(originals: torch.Tensor, reconstructions: torch.Tensor, window: int = 11, sigma: float = 1.5) -> torch.Tensor:
    """Per-image structural similarity (Wang et al. 2004) of [0, 1] images, averaged over channels.

    Gaussian window (11 x 11, sigma 1.5), K1 = 0.01, K2 = 0.03, data range 1, over
    the positions where the window fits (as the reference implementation); images
    smaller than the window use the largest odd window that fits.
    """
    channels = originals.shape[1]
    window = min(window, *originals.shape[-2:])
    window -= 1 - window % 2  # odd, and no larger than the image (tiny test images)
    axis = torch.arange(window, dtype=torch.float64, device=originals.device) - (window - 1) / 2
    kernel_1d = torch.exp(-(axis**2) / (2 * sigma**2))
    kernel_1d /= kernel_1d.sum()
    kernel = torch.outer(kernel_1d, kernel_1d).expand(channels, 1, window, window)

    def blur(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(t, kernel, groups=channels)

    def chunk_ssim(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        x, y = x.double(), y.double()
        mu_x, mu_y = blur(x), blur(y)
        var_x, var_y = blur(x * x) - mu_x**2, blur(y * y) - mu_y**2
        cov = blur(x * y) - mu_x * mu_y
        c1, c2 = 0.01**2, 0.03**2
        index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
        return index.flatten(1).mean(1)

    pairs = zip(originals.split(SSIM_CHUNK), reconstructions.split(SSIM_CHUNK), strict=True)
    return torch.cat([chunk_ssim(x, y) for x, y in pairs])


@torch.no_grad()
def reconstruct_with_bce(ctx: Context) -> tuple[torch.Tensor, torch.Tensor]:
    """Test reconstructions in [0, 1] and each image's BCE (summed over pixels, from the logits)."""
    outputs, bce = [], []
    size = ctx.settings.batch_size
    for images, labels in zip(ctx.test.images.split(size), ctx.test.labels.split(size), strict=True):
        logits = ctx.model(images, labels)
        outputs.append(torch.sigmoid(logits))
        bce.append(F.binary_cross_entropy_with_logits(logits, images, reduction="none").flatten(1).sum(1))
    return torch.cat(outputs), torch.cat(bce)


def reconstruction_metrics(originals: torch.Tensor, reconstructed: torch.Tensor) -> dict[str, float]:
    truth = originals.flatten(1).double().cpu().numpy()
    predicted = reconstructed.flatten(1).double().cpu().numpy()
    return {
        "mse": float(mean_squared_error(truth, predicted)),
        "mae": float(mean_absolute_error(truth, predicted)),
        "r2": float(r2_score(truth, predicted, multioutput="variance_weighted")),
        "r2_uniform": float(r2_score(truth, predicted)),
        "psnr": float(psnr(originals, reconstructed).mean()),
        "ssim": float(ssim(originals, reconstructed).mean()),
    }


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    reconstructed, bce = reconstruct_with_bce(ctx)
    metrics = {"bce": float(bce.double().mean())} | reconstruction_metrics(ctx.test.images, reconstructed)
    if figures:
        shown = slice(0, ctx.settings.reconstruction.shown)
        figures.save(
            plots.image_rows({"original": ctx.test.images[shown], "reconstructed": reconstructed[shown]}),
            "reconstructions",
        )
        history = pd.read_csv(paths.history(ctx.variant_id, ctx.seed))
        figures.save(plots.loss_curves(history), "loss_curves")
    return metrics


TASK = Task(run, figures=("reconstructions", "loss_curves"))
