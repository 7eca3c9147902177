"""Generation: images decoded from codes the model never saw.

* a VAE decodes its prior N(0, I);
* a deterministic AE has no prior, so codes come from a Gaussian fitted to
  its encoded training images: per dimension (mean and std of each code
  coordinate, as the published experiments do) and, as well, with the full
  covariance, which keeps the correlations between coordinates;
* every generative model also decodes N(mean, std^2) noise (docs/study.md 2.3,
  default N(5, 1)): only a VAE's decoder was trained to turn random vectors
  into digits;
* a conditional model decodes each class 0-9 from the same random codes.

Draws come from RNGs seeded by the run's seed, so the figures are reproducible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch.distributions import Distribution, Independent, MultivariateNormal, Normal

from aelab.data import CLASSES
from aelab.evaluation.tasks import FigureWriter, Task
from aelab.plotting import figures as plots
from aelab.training.seeding import isolated_rng

if TYPE_CHECKING:
    from aelab.evaluation.context import Context

PUBLISHED = ""
"""Suffix of the sampler the published experiments use (the prior of a VAE, the per-dimension Gaussian of an AE)."""
FULL_COVARIANCE = "_full_cov"
JITTER = 1e-6
"""Added to the fitted variances: a code coordinate that never varies must not give a singular Gaussian."""


def code_distributions(ctx: Context) -> dict[str, Distribution]:
    """Samplers by metric suffix: the prior (VAE), or Gaussians fitted to the training codes (deterministic AE)."""
    dim = ctx.model.latent_dim
    if ctx.model.variational:
        return {PUBLISHED: MultivariateNormal(torch.zeros(dim), torch.eye(dim))}
    codes = ctx.encode(ctx.split("train").images).double().cpu()
    mean = codes.mean(0)
    covariance = torch.atleast_2d(torch.cov(codes.T)) + JITTER * torch.eye(dim, dtype=torch.float64)
    return {
        PUBLISHED: Independent(Normal(mean, covariance.diagonal().sqrt()), 1),
        FULL_COVARIANCE: MultivariateNormal(mean, covariance),
    }


def sampler_title(ctx: Context, suffix: str) -> str:
    if ctx.model.variational:
        return "prior N(0, I)"
    return "Gaussian fitted to training codes, " + ("full covariance" if suffix else "per dimension")


def class_labels(ctx: Context, count: int) -> torch.Tensor | None:
    """Classes 0-9 in turn for a conditional model; None otherwise."""
    return torch.arange(count) % CLASSES if ctx.model.conditional else None


def noise_codes(ctx: Context) -> torch.Tensor:
    """Codes drawn from N(noise_mean, noise_std^2) by a generator of their own seeded with the run's seed: two
    models of one latent size and seed (the AE and the denoising AE of 2.3) decode the very same codes."""
    settings = ctx.settings.generation
    draws = torch.randn(settings.noise_samples, ctx.model.latent_dim, generator=torch.Generator().manual_seed(ctx.seed))
    return settings.noise_mean + settings.noise_std * draws


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    settings = ctx.settings.generation
    labels = class_labels(ctx, settings.samples)
    codes = noise_codes(ctx)
    from_noise = ctx.generate(codes, labels[: len(codes)] if labels is not None else None)
    with isolated_rng(ctx.seed, ctx.device):
        samples = {
            suffix: ctx.generate(distribution.sample((settings.samples,)).float(), labels)
            for suffix, distribution in code_distributions(ctx).items()
        }
    if figures:
        columns = CLASSES if ctx.model.conditional else 8
        for suffix, images in samples.items():
            title = "class 0-9 per column" if ctx.model.conditional else sampler_title(ctx, suffix)
            figures.save(plots.image_panels({title: images}, columns), "samples" + suffix)
        noise_title = f"N({settings.noise_mean:g}, {settings.noise_std:g}^2)"
        figures.save(plots.image_panels({noise_title: from_noise}, len(codes)), "noise_samples")
        figures.save_arrays(
            DECODED,
            noise_codes=codes.numpy(),
            noise_images=from_noise.cpu().numpy(),
            samples=samples[PUBLISHED][: len(codes)].cpu().numpy(),
        )
    metrics = {f"sample_mean_intensity{suffix}": float(images.mean()) for suffix, images in samples.items()}
    return metrics | {"noise_sample_mean_intensity": float(from_noise.mean())}


DECODED = "decoded"
"""The arrays of the first few decoded codes (``noise_codes``, ``noise_images``, and ``samples`` of the published
sampler), from which the report draws several variants side by side (the noise-sampling study, 2.3)."""

TASK = Task(run, figures=("samples", "samples_full_cov", "noise_samples"))
