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

Draws come from an RNG seeded by the run's seed, so the figures are reproducible.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.distributions import Distribution, Independent, MultivariateNormal, Normal

from aelab.data import CLASSES
from aelab.evaluation.context import Context
from aelab.plotting import figures as plots
from aelab.training.seeding import isolated_rng

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


def run(ctx: Context, figures: Path | None) -> dict[str, float]:
    settings = ctx.settings.generation
    labels = class_labels(ctx, settings.samples)
    with isolated_rng(ctx.seed, ctx.device):
        samples = {
            suffix: ctx.generate(distribution.sample((settings.samples,)).float(), labels)
            for suffix, distribution in code_distributions(ctx).items()
        }
        noise_codes = settings.noise_mean + settings.noise_std * torch.randn(
            settings.noise_samples, ctx.model.latent_dim
        )
        noise_labels = labels[: settings.noise_samples] if labels is not None else None
        from_noise = ctx.generate(noise_codes, noise_labels)
    if figures:
        columns = CLASSES if ctx.model.conditional else 8
        for suffix, images in samples.items():
            title = "class 0-9 per column" if ctx.model.conditional else sampler_title(ctx, suffix)
            plots.save(plots.image_panels({title: images}, columns), figures / f"samples{suffix}.png")
        plots.save(
            plots.image_panels(
                {f"N({settings.noise_mean:g}, {settings.noise_std:g}^2)": from_noise}, settings.noise_samples
            ),
            figures / "noise_samples.png",
        )
    metrics = {f"sample_mean_intensity{suffix}": float(images.mean()) for suffix, images in samples.items()}
    return metrics | {"noise_sample_mean_intensity": float(from_noise.mean())}
