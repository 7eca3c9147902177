"""A variant: one trained model of the study (docs/study.md 2)."""

from __future__ import annotations

from aelab.config.base import DatasetId, Seeds, StrictModel
from aelab.config.models import ModelConfig
from aelab.config.training import TrainingOverride


class VariantConfig(StrictModel):
    """One trained model of the study: its data, its architecture, its training changes, its seeds."""

    dataset: DatasetId
    model: ModelConfig
    seeds: Seeds
    """One training run per seed; a variant's metrics are the mean (and std) over them. Each variant says its
    own, so that a stage's rerun depends on its variant's key alone, in both engines."""
    training: TrainingOverride = TrainingOverride()
