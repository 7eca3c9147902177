"""Denoising: corrupt the test set with each noise model and compare PSNR before and after.

Applies to every model, not only the denoising ones: how much a plain AE
removes noise is the baseline the denoisers must beat. The noise draws come
from an RNG seeded by the run's seed. MSE (per pixel) and PSNR are measured
against the clean image on the [0, 1] scale; a model whose own scale is
another (the COCO models work in [-1, 1]) is also scored on that scale, where
published numbers often are: MSE there is (hi - lo)^2 times larger, and PSNR
is taken with a peak of 1 (10 log10(1 / MSE)), as those notebooks compute it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aelab.config.noise import noise_name
from aelab.evaluation.reconstruction import psnr
from aelab.evaluation.tasks import FigureWriter, Task
from aelab.noise import add_noise
from aelab.plotting import figures as plots
from aelab.training.seeding import isolated_rng

if TYPE_CHECKING:
    import torch

    from aelab.evaluation.context import Context

NATIVE = "_native"
"""Suffix of the metrics on the model's own scale."""


def scores(
    name: str, clean: torch.Tensor, noisy: torch.Tensor, denoised: torch.Tensor, native_range: tuple[float, float]
) -> dict[str, float]:
    """MSE and PSNR of the noisy input and of the output on [0, 1], and on the model's own scale when it differs."""
    scales = {"": (0.0, 1.0)} | ({NATIVE: native_range} if native_range != (0.0, 1.0) else {})
    metrics = {}
    for suffix, (low, high) in scales.items():
        truth = low + (high - low) * clean
        for which, images in (("input", noisy), ("output", denoised)):
            images = low + (high - low) * images
            metrics[f"{name}_mse_{which}{suffix}"] = float((truth - images).double().pow(2).mean())
            metrics[f"{name}_psnr_{which}{suffix}"] = float(psnr(truth, images).mean())
    return metrics


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    clean, labels = ctx.test.images, ctx.test.labels
    metrics: dict[str, float] = {}
    panels: dict[str, torch.Tensor] = {}
    shown = slice(0, ctx.settings.denoising.shown)
    for config in ctx.settings.denoising.noise:
        name = noise_name(config)
        with isolated_rng(ctx.seed, ctx.device):
            noisy = add_noise(clean, config)
        denoised = ctx.reconstruct(noisy, labels)
        metrics |= scores(name, clean, noisy, denoised, ctx.model.native_range)
        panels |= {f"{name}: noisy": noisy[shown], f"{name}: denoised": denoised[shown]}
    if figures:
        figures.save(plots.image_rows({"clean": clean[shown]} | panels), "denoising")
    return metrics


TASK = Task(run, figures=("denoising",))
