"""The ``evaluate`` stage: one task on every seed of one variant; metrics aggregated, figures named by seed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aelab import paths
from aelab.aggregation import aggregate
from aelab.evaluation.context import Context
from aelab.evaluation.tasks import FigureWriter, task
from aelab.io import atomic_directory, write_json

if TYPE_CHECKING:
    import torch

    from aelab.config.params import Params
    from aelab.data.loading import Split


def evaluate_variant(params: Params, task_name: str, variant_id: str, device: torch.device) -> dict[str, float]:
    """Run the task on each seed's model; write the aggregated metrics JSON and the figures (of the first seed, or
    of every seed where the task says so)."""
    evaluation = task(task_name)
    per_seed: dict[int, dict[str, float]] = {}
    splits: dict[tuple[str, str], Split] = {}
    seeds = params.seeds_for(variant_id)
    drawn = seeds if evaluation.every_seed_drawn else seeds[:1]
    with atomic_directory(paths.task_figures(variant_id, task_name)) as staging:
        for seed in seeds:
            context = Context.load(params, variant_id, seed, device, splits)
            per_seed[seed] = evaluation.run(context, FigureWriter(staging, seed) if seed in drawn else None)
    metrics = aggregate(per_seed)
    if len(seeds) > 1:
        metrics |= {
            f"{name}_seed{seed}": values[name]
            for name in evaluation.per_seed
            for seed, values in per_seed.items()
            if name in values
        }
    write_json(paths.task_metrics(variant_id, task_name), metrics)
    return metrics
