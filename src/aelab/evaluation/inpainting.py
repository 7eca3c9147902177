"""Inpainting: zero a square hole, reconstruct, and measure the error inside the hole and overall.

Holes: a fixed ``size`` x ``size`` square at rows/cols ``start`` .. ``start + size``
(10 .. 20 in docs/study.md), and random squares of each of ``random_sizes`` placed
uniformly inside the image by a generator seeded with ``seed``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from aelab.evaluation.tasks import FigureWriter, Task
from aelab.plotting import figures as plots

if TYPE_CHECKING:
    from aelab.config.tasks import InpaintingConfig
    from aelab.evaluation.context import Context


def fixed_hole(shape: tuple[int, ...], start: int, size: int) -> torch.Tensor:
    """Boolean mask (N, 1, H, W), true inside the square [start, start + size)^2."""
    mask = torch.zeros(shape[0], 1, *shape[-2:], dtype=torch.bool)
    mask[..., start : start + size, start : start + size] = True
    return mask


def random_holes(shape: tuple[int, ...], size: int, generator: torch.Generator) -> torch.Tensor:
    """One ``size`` x ``size`` square per image, at a uniformly drawn position that fits."""
    count, height, width = shape[0], shape[-2], shape[-1]
    tops = torch.randint(0, height - size + 1, (count,), generator=generator)
    lefts = torch.randint(0, width - size + 1, (count,), generator=generator)
    rows, cols = torch.arange(height), torch.arange(width)
    inside_rows = (rows >= tops[:, None]) & (rows < tops[:, None] + size)
    inside_cols = (cols >= lefts[:, None]) & (cols < lefts[:, None] + size)
    return (inside_rows[:, :, None] & inside_cols[:, None, :]).unsqueeze(1)


def holes(shape: tuple[int, ...], settings: InpaintingConfig) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(settings.seed)
    masks = {f"fixed{settings.size}": fixed_hole(shape, settings.start, settings.size)}
    for size in settings.random_sizes:
        masks[f"random{size}"] = random_holes(shape, size, generator)
    return masks


def hole_errors(originals: torch.Tensor, reconstructed: torch.Tensor, hole: torch.Tensor) -> dict[str, float]:
    """MSE per pixel inside the hole (all channels) and over the whole image."""
    squared = (originals - reconstructed).double().pow(2)
    inside = hole.expand_as(squared)
    return {"mse_hole": float(squared[inside].mean()), "mse_image": float(squared.mean())}


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    images, labels = ctx.test.images, ctx.test.labels
    metrics: dict[str, float] = {}
    panels: dict[str, torch.Tensor] = {}
    shown = slice(0, ctx.settings.inpainting.shown)
    for name, hole in holes(tuple(images.shape), ctx.settings.inpainting).items():
        hole = hole.to(ctx.device)
        masked = images * ~hole
        reconstructed = ctx.reconstruct(masked, labels)
        metrics |= {f"{name}_{key}": value for key, value in hole_errors(images, reconstructed, hole).items()}
        panels |= {
            f"{name}: original": images[shown],
            f"{name}: masked": masked[shown],
            f"{name}: reconstructed": reconstructed[shown],
        }
    if figures:
        figures.save(plots.image_rows(panels), "inpainting")
    return metrics


TASK = Task(run, figures=("inpainting",))
