"""The ``evaluate`` stage: reconstruction metrics and the figures of one trained variant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from aelab import paths
from aelab.config import EvaluationConfig
from aelab.data.loading import load_split
from aelab.evaluation.reconstruction import reconstruct, reconstruction_metrics
from aelab.io import atomic_directory, write_json
from aelab.plotting import figures
from aelab.training.checkpoint import load_checkpoint


@torch.no_grad()
def evaluate_variant(variant_id: str, settings: EvaluationConfig, device: torch.device) -> dict[str, float]:
    model, metadata = load_checkpoint(paths.checkpoint(variant_id), device)
    test = load_split(paths.processed_file(metadata["dataset"]), "test").to(device)
    result = reconstruct(model, test.images, settings.batch_size)
    metrics = reconstruction_metrics(test.images, result)

    with atomic_directory(paths.figures_dir(variant_id)) as staging:
        shown = slice(0, settings.reconstructions)
        figures.save(figures.reconstructions(test.images[shown], result.images[shown]), staging / "reconstructions.png")
        figures.save(figures.loss_curves(pd.read_csv(paths.history(variant_id))), staging / "loss_curves.png")
        if model.latent_dim == 2:
            kept = slice(0, settings.scatter_points)
            figures.save(
                figures.latent_scatter(result.codes[kept].cpu().numpy(), test.labels[kept].cpu().numpy()),
                staging / "latent_scatter.png",
            )
            grid = _grid_codes(settings.grid_points, settings.grid_limit).to(device)
            figures.save(
                figures.latent_grid(model.generate(grid), settings.grid_points, settings.grid_limit),
                staging / "latent_grid.png",
            )
    write_json(paths.eval_metrics(variant_id), metrics)
    return metrics


def _grid_codes(points: int, limit: float) -> torch.Tensor:
    """Row-major grid over [-limit, limit]^2, top row first (z[1] decreasing), as plotted."""
    axis = np.linspace(-limit, limit, points, dtype=np.float32)
    z0, z1 = np.meshgrid(axis, axis[::-1])
    return torch.from_numpy(np.stack([z0.ravel(), z1.ravel()], axis=1))
