"""Evaluation settings (docs/study.md 3): each task's settings and what it can evaluate.

``TASKS`` is the one table of tasks: a settings class (a section of
``evaluation`` in params.yaml) and which variants the task applies to, checked
when params load. What a task computes and draws is its module
``aelab.evaluation.<task>``; its captions are the report's; what its stage
reads is the pipeline's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, cast

from pydantic import Field

from aelab.config.base import DatasetId, StrictModel, VariantId
from aelab.config.datasets import DatasetsConfig, IdxDatasetName
from aelab.config.noise import NoiseConfig
from aelab.config.training import TrainingConfig
from aelab.config.variants import VariantConfig


class TaskConfig(StrictModel):
    """Settings of one evaluation task; ``variants`` lists what it evaluates."""

    variants: list[VariantId]


class ReconstructionConfig(StrictModel):
    """Runs on every variant, so it has no variant list."""

    shown: Annotated[int, Field(gt=0, le=64)]


class LatentConfig(TaskConfig):
    points: Annotated[int, Field(gt=10)]
    tsne_points: Annotated[int, Field(gt=10)]


class ManifoldConfig(TaskConfig):
    """Codes on a regular ``points``-per-axis grid: a line over [-line_limit, line_limit] (1-D latent),
    a grid over [-limit, limit]^2 (2-D), slices of that grid at fixed z[2] (3-D)."""

    points: Annotated[int, Field(gt=1, le=40)]
    limit: Annotated[float, Field(gt=0)]
    line_limit: Annotated[float, Field(gt=0)]


class GenerationConfig(TaskConfig):
    samples: Annotated[int, Field(gt=0, le=400)]
    noise_mean: float
    noise_std: Annotated[float, Field(gt=0)]
    noise_samples: Annotated[int, Field(gt=0, le=40)]


class InpaintingConfig(TaskConfig):
    start: Annotated[int, Field(ge=0)]
    size: Annotated[int, Field(gt=0)]
    random_sizes: list[Annotated[int, Field(gt=0)]]
    seed: Annotated[int, Field(ge=0)]
    shown: Annotated[int, Field(gt=0, le=32)]


class DenoisingConfig(TaskConfig):
    noise: Annotated[list[NoiseConfig], Field(min_length=1)]
    shown: Annotated[int, Field(gt=0, le=32)]


class AnomalyConfig(TaskConfig):
    dataset: IdxDatasetName
    shown: Annotated[int, Field(gt=0, le=32)]


class DiagnosticsConfig(TaskConfig):
    active_threshold: Annotated[float, Field(gt=0)]


class ClassifierConfig(StrictModel):
    """The small CNN that scores generated samples: one per labelled dataset listed here.

    It is trained by the pipeline (its own stage and checkpoint) with these
    settings, so the score is reproducible and never depends on downloaded weights.
    """

    datasets: list[DatasetId]
    seed: Annotated[int, Field(ge=0)]
    training: TrainingConfig


class SampleQualityConfig(TaskConfig):
    """Frechet distance of classifier features (generated vs real test images) and confident share."""

    samples: Annotated[int, Field(ge=16)]
    confidence: Annotated[float, Field(gt=0, lt=1)]
    classifier: ClassifierConfig


Applies = Callable[[VariantConfig, DatasetsConfig, StrictModel], bool]
"""Whether a task can evaluate a variant: (variant, datasets, the task's settings) -> bool."""


@dataclass(frozen=True)
class TaskSpec:
    settings: type[StrictModel]
    needs: str = ""
    """What the task needs of a variant, for the error that refuses another."""
    applies: Applies = lambda variant, datasets, settings: True


def _manifold_applies(variant: VariantConfig, datasets: DatasetsConfig, settings: StrictModel) -> bool:
    model = variant.model
    return model.generative and not model.needs_labels and model.code_size is not None and model.code_size <= 3


def _anomaly_applies(variant: VariantConfig, datasets: DatasetsConfig, settings: StrictModel) -> bool:
    other = cast(AnomalyConfig, settings).dataset
    return variant.dataset != other and datasets.image_shape(variant.dataset) == datasets.image_shape(other)


TASKS: dict[str, TaskSpec] = {
    "reconstruction": TaskSpec(ReconstructionConfig),
    "latent": TaskSpec(
        LatentConfig,
        needs="a labelled dataset (not COCO)",
        applies=lambda variant, datasets, settings: datasets.labelled(variant.dataset),
    ),
    "manifold": TaskSpec(
        ManifoldConfig,
        needs="a generative, unconditional model with a latent of 1 to 3 dimensions",
        applies=_manifold_applies,
    ),
    "generation": TaskSpec(
        GenerationConfig,
        needs="a decoder that works from a code alone",
        applies=lambda variant, datasets, settings: variant.model.generative,
    ),
    "inpainting": TaskSpec(InpaintingConfig),
    "denoising": TaskSpec(DenoisingConfig),
    "anomaly": TaskSpec(
        AnomalyConfig,
        needs="a model of another dataset with the anomaly dataset's image shape (evaluation.anomaly.dataset)",
        applies=_anomaly_applies,
    ),
    "diagnostics": TaskSpec(
        DiagnosticsConfig,
        needs="a variational model",
        applies=lambda variant, datasets, settings: variant.model.variational,
    ),
    "sample_quality": TaskSpec(
        SampleQualityConfig,
        needs="a decoder that works from a code alone, on a labelled dataset (not COCO)",
        applies=lambda variant, datasets, settings: variant.model.generative and datasets.labelled(variant.dataset),
    ),
}
EVALUATION_TASKS = tuple(TASKS)


class CrossValidationConfig(TaskConfig):
    """k-fold cross-validation of the training objective (docs/study.md 3) for the variants listed.

    The training split is cut into ``folds`` parts by a permutation seeded with
    ``seed``, so the folds are the same on every run and machine. Fold k trains
    a fresh model on the other parts with the variant's training settings
    (``epochs``, when set, shortens them: cross-validation is k trainings) and
    scores every loss term on part k.
    """

    folds: Annotated[int, Field(ge=2, le=20)]
    seed: Annotated[int, Field(ge=0)]
    epochs: Annotated[int, Field(gt=0)] | None = None


class DevicesConfig(TaskConfig):
    """CPU against GPU (docs/study.md 3): every seed of each listed variant trained once per device, in float32.

    The devices are the stage's argument, not a param: a machine without a GPU
    compares nothing and says so.
    """


class EvaluationConfig(StrictModel):
    """Evaluation (docs/study.md 3): inference batch size, every task's settings, cross-validation, devices."""

    batch_size: Annotated[int, Field(gt=0)]
    reconstruction: ReconstructionConfig
    latent: LatentConfig
    manifold: ManifoldConfig
    generation: GenerationConfig
    inpainting: InpaintingConfig
    denoising: DenoisingConfig
    anomaly: AnomalyConfig
    diagnostics: DiagnosticsConfig
    sample_quality: SampleQualityConfig
    crossval: CrossValidationConfig
    devices: DevicesConfig

    def task(self, name: str) -> StrictModel:
        """The settings of the task ``name`` (a key of :data:`TASKS`)."""
        return getattr(self, name)

    def selected(self, name: str) -> list[str]:
        """The variants the task ``name`` lists (reconstruction lists none: it evaluates every variant)."""
        settings = self.task(name)
        return settings.variants if isinstance(settings, TaskConfig) else []
