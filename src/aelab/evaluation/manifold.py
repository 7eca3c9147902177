"""Latent manifold: images decoded from a regular grid of codes (1-D line, 2-D grid, 3-D slices)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from aelab.evaluation.context import Context
from aelab.plotting import figures as plots


def grid_codes(points: int, limit: float) -> torch.Tensor:
    """Row-major grid over [-limit, limit]^2, top row first (z[1] decreasing), as plotted."""
    axis = np.linspace(-limit, limit, points, dtype=np.float32)
    z0, z1 = np.meshgrid(axis, axis[::-1])
    return torch.from_numpy(np.stack([z0.ravel(), z1.ravel()], axis=1))


def run(ctx: Context, figures: Path | None) -> dict[str, float]:
    points, limit = ctx.settings.manifold.points, ctx.settings.manifold.limit
    dim = ctx.model.latent_dim
    if dim == 1:
        codes = torch.linspace(-limit, limit, points).unsqueeze(1)
        panels = {"z[0] from -limit to +limit": ctx.generate(codes)}
    elif dim == 2:
        panels = {"": ctx.generate(grid_codes(points, limit))}
    else:  # 3-D: slices at fixed z[2]
        grid = grid_codes(points, limit)
        panels = {}
        for fixed in (-limit, 0.0, limit):
            codes = torch.cat([grid, torch.full((len(grid), 1), fixed)], dim=1)
            panels[f"z[2] = {fixed:+.1f}"] = ctx.generate(codes)
    if figures:
        figure = (plots.latent_grid(panels[""], points, limit) if dim == 2 else plots.image_panels(panels, points))
        plots.save(figure, figures / "manifold.png")
    return {"decoded_images": sum(len(images) for images in panels.values())}
