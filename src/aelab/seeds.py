"""Summaries over seeds: every variant runs once per seed, and its numbers are their mean and spread."""

from __future__ import annotations

import statistics


def aggregate(per_seed: dict[int, dict[str, float]]) -> dict[str, float]:
    """Mean of each metric over seeds, plus ``<name>_std`` (sample std) when several seeds ran."""
    summary = {}
    for name in next(iter(per_seed.values())):
        values = [metrics[name] for metrics in per_seed.values()]
        summary[name] = statistics.fmean(values)
        if len(values) > 1:
            summary[f"{name}_std"] = statistics.stdev(values)
    return summary
