"""The ``evaluate`` stage: one task on every seed of one variant; metrics aggregated, figures of the first seed."""

from __future__ import annotations

import torch

from aelab import paths
from aelab.aggregation import aggregate
from aelab.config import TASKS, Params
from aelab.evaluation.context import Context
from aelab.evaluation.tasks import task_function
from aelab.io import atomic_directory, write_json


def evaluate_variant(params: Params, task: str, variant_id: str, device: torch.device) -> dict[str, float]:
    """Run ``task`` on each seed's model; write the aggregated metrics JSON and the first seed's figures."""
    per_seed, splits = {}, {}
    seeds, run = params.seeds_for(variant_id), task_function(task)
    with atomic_directory(paths.task_figures(variant_id, task)) as staging:
        for seed in seeds:
            context = Context.load(variant_id, seed, params.evaluation, device, splits)
            per_seed[seed] = run(context, staging if seed == seeds[0] else None)
    metrics = aggregate(per_seed)
    if len(seeds) > 1:
        metrics |= {
            f"{name}_seed{seed}": values[name] for name in TASKS[task].per_seed for seed, values in per_seed.items()
        }
    write_json(paths.task_metrics(variant_id, task), metrics)
    return metrics
