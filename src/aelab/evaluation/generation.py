"""Generation: images decoded from codes the model never saw.

* a VAE decodes its prior N(0, I);
* a deterministic AE has no prior, so codes come from a Gaussian fitted to
  its encoded training images (mean and covariance);
* every generative model also decodes N(mean, std^2) noise (STUDY.md 2.3,
  default N(5, 1)): only a VAE's decoder was trained to turn random vectors
  into digits;
* a conditional model decodes each class 0-9 from the same random codes.

Draws come from an RNG seeded by the run's seed, so the figures are reproducible.
"""

from __future__ import annotations

from pathlib import Path

import torch

from aelab.evaluation.context import Context
from aelab.models.mlp import CLASSES
from aelab.plotting import figures as plots
from aelab.training.seeding import isolated_rng


def code_distribution(ctx: Context) -> torch.distributions.Distribution:
    """The model's prior (VAE), or a Gaussian fitted to its training codes (deterministic AE)."""
    dim = ctx.model.latent_dim
    if ctx.model.variational:
        return torch.distributions.MultivariateNormal(torch.zeros(dim), torch.eye(dim))
    codes = ctx.encode(ctx.split("train").images).double().cpu()
    covariance = torch.atleast_2d(torch.cov(codes.T)) + 1e-6 * torch.eye(dim, dtype=torch.float64)
    return torch.distributions.MultivariateNormal(codes.mean(0), covariance)


def sample_codes(ctx: Context, count: int) -> torch.Tensor:
    return code_distribution(ctx).sample((count,)).float()


def run(ctx: Context, figures: Path | None) -> dict[str, float]:
    settings = ctx.settings.generation
    with isolated_rng(ctx.seed, ctx.device):
        codes = sample_codes(ctx, settings.samples)
        noise_codes = settings.noise_mean + settings.noise_std * torch.randn(settings.noise_samples, ctx.model.latent_dim)
        labels = torch.arange(settings.samples) % CLASSES if ctx.model.conditional else None
        samples = ctx.generate(codes, labels)
        noise_labels = labels[: settings.noise_samples] if labels is not None else None
        from_noise = ctx.generate(noise_codes, noise_labels)
    if figures:
        columns = CLASSES if ctx.model.conditional else 8
        title = "class 0-9 per column" if ctx.model.conditional else (
            "prior N(0, I)" if ctx.model.variational else "Gaussian fitted to training codes")
        plots.save(plots.image_panels({title: samples}, columns), figures / "samples.png")
        plots.save(plots.image_panels({f"N({settings.noise_mean:g}, {settings.noise_std:g}^2)": from_noise},
                                      settings.noise_samples), figures / "noise_samples.png")
    return {
        "samples": len(samples),
        "sample_mean_intensity": float(samples.mean()),
        "noise_sample_mean_intensity": float(from_noise.mean()),
    }
