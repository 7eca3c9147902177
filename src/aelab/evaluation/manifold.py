"""Latent manifold: images decoded from a regular grid of codes (1-D line, 2-D grid, 3-D slices).

Its number is the smoothness of the map: the mean squared difference between
images decoded from neighbouring grid points (per pixel, on the [0, 1] scale).
A continuous latent space morphs gradually and scores low; one that jumps
between unrelated images at a few places scores high.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from aelab.evaluation.tasks import FigureWriter, Task
from aelab.plotting import figures as plots

if TYPE_CHECKING:
    from aelab.evaluation.context import Context


def grid_codes(points: int, limit: float) -> torch.Tensor:
    """Row-major grid over [-limit, limit]^2, top row first (z[1] decreasing), as plotted."""
    axis = np.linspace(-limit, limit, points, dtype=np.float32)
    z0, z1 = np.meshgrid(axis, axis[::-1])
    return torch.from_numpy(np.stack([z0.ravel(), z1.ravel()], axis=1))


def neighbour_difference(images: torch.Tensor, points: int) -> float:
    """Mean squared difference per pixel between images of adjacent codes of a row-major grid (or a line)."""
    grid = images.double().reshape(-1, points, *images.shape[1:])
    steps = [grid[:, 1:] - grid[:, :-1]] + ([grid[1:] - grid[:-1]] if len(grid) > 1 else [])
    return float(torch.cat([step.pow(2).flatten() for step in steps]).mean())


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    settings = ctx.settings.manifold
    points, limit = settings.points, settings.limit
    dim = ctx.model.latent_dim
    if dim == 1:
        codes = torch.linspace(-settings.line_limit, settings.line_limit, points).unsqueeze(1)
        panels = {f"z[0] from {-settings.line_limit:g} to {settings.line_limit:g}": ctx.generate(codes)}
    elif dim == 2:
        panels = {"": ctx.generate(grid_codes(points, limit))}
    else:  # 3-D: slices at fixed z[2]
        grid = grid_codes(points, limit)
        panels = {}
        for fixed in (-limit, 0.0, limit):
            codes = torch.cat([grid, torch.full((len(grid), 1), fixed)], dim=1)
            panels[f"z[2] = {fixed:+.1f}"] = ctx.generate(codes)
    if figures:
        figure = plots.latent_grid(panels[""], points, limit) if dim == 2 else plots.image_panels(panels, points)
        figures.save(figure, "manifold")
    return {"neighbour_mse": float(np.mean([neighbour_difference(images, points) for images in panels.values()]))}


TASK = Task(run, figures=("manifold",))
