"""The ``evaluate`` stage: reconstruction metrics of every seed and the figures of the first."""

from __future__ import annotations

import statistics

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
def evaluate_variant(variant_id: str, seeds: list[int], settings: EvaluationConfig, device: torch.device) -> dict:
    per_seed = {}
    for seed in seeds:
        model, metadata = load_checkpoint(paths.checkpoint(variant_id, seed), device)
        test = load_split(paths.processed_file(metadata["dataset"]), "test").to(device)
        result = reconstruct(model, test.images, test.labels, settings.batch_size)
        per_seed[seed] = reconstruction_metrics(test.images, result)
        if seed == seeds[0]:
            _figures(variant_id, seed, model, test, result, settings, device)
    metrics = aggregate(per_seed)
    write_json(paths.eval_metrics(variant_id), metrics)
    return metrics


def aggregate(per_seed: dict[int, dict[str, float]]) -> dict[str, float]:
    """Mean of each metric over seeds, plus ``<name>_std`` (sample std) when several seeds ran."""
    names = next(iter(per_seed.values()))
    summary = {}
    for name in names:
        values = [metrics[name] for metrics in per_seed.values()]
        summary[name] = statistics.fmean(values)
        if len(values) > 1:
            summary[f"{name}_std"] = statistics.stdev(values)
    return summary


def _figures(variant_id, seed, model, test, result, settings: EvaluationConfig, device) -> None:
    with atomic_directory(paths.figures_dir(variant_id)) as staging:
        shown = slice(0, settings.reconstructions)
        figures.save(figures.reconstructions(test.images[shown], result.images[shown]), staging / "reconstructions.png")
        figures.save(figures.loss_curves(pd.read_csv(paths.history(variant_id, seed))), staging / "loss_curves.png")
        if model.latent_dim == 2:
            kept = slice(0, settings.scatter_points)
            figures.save(
                figures.latent_scatter(result.codes[kept].cpu().numpy(), test.labels[kept].cpu().numpy()),
                staging / "latent_scatter.png",
            )
            if model.generative and not model.conditional:
                grid = _grid_codes(settings.grid_points, settings.grid_limit).to(device)
                figures.save(
                    figures.latent_grid(model.generate(grid), settings.grid_points, settings.grid_limit),
                    staging / "latent_grid.png",
                )


def _grid_codes(points: int, limit: float) -> torch.Tensor:
    """Row-major grid over [-limit, limit]^2, top row first (z[1] decreasing), as plotted."""
    axis = np.linspace(-limit, limit, points, dtype=np.float32)
    z0, z1 = np.meshgrid(axis, axis[::-1])
    return torch.from_numpy(np.stack([z0.ravel(), z1.ravel()], axis=1))
