"""Denoising: corrupt the test set with each noise model and compare PSNR before and after.

Applies to every model, not only the denoising ones: how much a plain AE
removes noise is the baseline the denoisers must beat. The noise draws come
from an RNG seeded by the run's seed.
"""

from __future__ import annotations

from pathlib import Path

from aelab.config import NoiseConfig
from aelab.evaluation.context import Context
from aelab.evaluation.reconstruction import psnr
from aelab.noise import add_noise
from aelab.plotting import figures as plots
from aelab.training.seeding import isolated_rng


def noise_name(config: NoiseConfig) -> str:
    """A metric-key-safe name, e.g. ``gaussian_0p1``."""
    level = next(value for key, value in config.model_dump().items() if key != "kind")
    return f"{config.kind}_{level:g}".replace(".", "p")


def run(ctx: Context, figures: Path | None) -> dict[str, float]:
    clean, labels = ctx.test.images, ctx.test.labels
    metrics: dict[str, float] = {}
    panels = {}
    shown = slice(0, ctx.settings.denoising.shown)
    for config in ctx.settings.denoising.noise:
        name = noise_name(config)
        with isolated_rng(ctx.seed, ctx.device):
            noisy = add_noise(clean, config)
        denoised = ctx.reconstruct(noisy, labels)
        metrics[f"{name}_psnr_input"] = float(psnr(clean, noisy).mean())
        metrics[f"{name}_psnr_output"] = float(psnr(clean, denoised).mean())
        panels |= {f"{name}: noisy": noisy[shown], f"{name}: denoised": denoised[shown]}
    if figures:
        plots.save(plots.image_rows({"clean": clean[shown]} | panels), figures / "denoising.png")
    return metrics
