"""Summaries over repeated runs: every variant runs once per seed (and once per cross-validation fold),
and its numbers are their mean and spread."""

from __future__ import annotations

import statistics


def aggregate(runs: dict[int, dict[str, float]]) -> dict[str, float]:
    """Mean of each metric over runs (seeds or folds), plus ``<name>_std`` (sample std) when several ran."""
    summary = {}
    for name in next(iter(runs.values())):
        values = [metrics[name] for metrics in runs.values()]
        summary[name] = statistics.fmean(values)
        if len(values) > 1:
            summary[f"{name}_std"] = statistics.stdev(values)
    return summary
