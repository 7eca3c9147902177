"""Evaluation tasks (docs/study.md 3): each task's settings, what it needs, what it reads besides, its captions.

``TASKS`` is the one table of tasks. A new task is a settings class and a row
here, a module ``aelab.evaluation.<task>`` with ``run(context, figures)``, and
its DVC stage; the params schema (``EvaluationConfig``), the checks of what a
task applies to, the Snakemake rule's inputs and the report's captions all
read the row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, create_model

from aelab import paths
from aelab.config.base import DatasetId, StrictModel, VariantId
from aelab.config.datasets import DatasetsConfig, IdxDatasetName
from aelab.config.noise import NoiseConfig
from aelab.config.training import TrainingConfig

if TYPE_CHECKING:
    from aelab.config.params import Params, VariantConfig


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


Applies = Callable[["VariantConfig", DatasetsConfig, StrictModel], bool]
"""Whether a task can evaluate a variant: (variant, datasets, the task's settings) -> bool."""
Inputs = Callable[["Params", str], dict[str, Path]]
"""What a task reads besides the variant's models: (params, variant id) -> {name: path}."""


@dataclass(frozen=True)
class TaskSpec:
    settings: type[StrictModel]
    table_caption: str
    figures: dict[str, str]
    """Figure name -> caption (the HTML report's and Snakemake's report)."""
    needs: str = ""
    """What the task needs of a variant, for the error that refuses another."""
    applies: Applies = lambda variant, datasets, settings: True
    inputs: Inputs = field(default=lambda params, variant_id: {})
    per_seed: tuple[str, ...] = ()
    """Metrics also kept for each seed (``<name>_seed<k>``), where the mean hides what matters: which seeds'
    models use their latent dimensions, say."""


def _manifold_applies(variant: VariantConfig, datasets: DatasetsConfig, settings: StrictModel) -> bool:
    model = variant.model
    return model.generative and not model.needs_labels and model.code_size is not None and model.code_size <= 3


def _anomaly_applies(variant: VariantConfig, datasets: DatasetsConfig, settings: AnomalyConfig) -> bool:
    other = settings.dataset
    return variant.dataset != other and datasets.image_shape(variant.dataset) == datasets.image_shape(other)


TASKS: dict[str, TaskSpec] = {
    "reconstruction": TaskSpec(
        ReconstructionConfig,
        "Test-set reconstruction (BCE summed per image; MSE, MAE per pixel; R^2 variance-weighted and uniform; PSNR in "
        "dB; SSIM) and training cost (final losses, seconds per epoch, device).",
        {
            "loss_curves": "Loss per epoch, train and test: the curves should fall and flatten; a widening gap is "
            "overfitting.",
            "reconstructions": "Test images (top) and their reconstructions (bottom).",
        },
        inputs=lambda params, variant_id: {"history": paths.history_dir(variant_id)},
    ),
    "latent": TaskSpec(
        LatentConfig,
        "Silhouette of the test codes by class (and, for CMNIST, by stroke colour): higher means better separated "
        "groups.",
        {
            "latent": "Codes by class (1-D: histograms; 2-D: scatter; 3-D: projections, all of test images; >3-D: "
            "t-SNE of "
            "training codes): separated clusters mean the code carries the class.",
            "latent_colour": "The same codes by stroke colour (CMNIST): whichever grouping clusters better is what the "
            "model "
            "encodes.",
        },
        needs="a labelled dataset (not COCO)",
        applies=lambda variant, datasets, settings: datasets.labelled(variant.dataset),
    ),
    "manifold": TaskSpec(
        ManifoldConfig,
        "Latent manifold: mean squared difference between images of neighbouring grid codes (lower is a smoother map).",
        {"manifold": "Images decoded from a regular grid of codes: a smooth morph means a continuous latent space."},
        needs="a generative, unconditional model with a latent of 1 to 3 dimensions",
        applies=_manifold_applies,
    ),
    "generation": TaskSpec(
        GenerationConfig,
        "Mean intensity of decoded samples (per sampler): near the data's mean for plausible images.",
        {
            "samples": "Decoded samples of the prior (VAE) or of a per-dimension Gaussian fitted to the training codes "
            "(AE, "
            "as published): do they look like data?",
            "samples_full_cov": "Decoded samples of a full-covariance Gaussian fitted to the training codes (AE): "
            "correlations between code coordinates kept.",
            "noise_samples": "Codes drawn from N(5, 1): only a VAE's decoder has learnt to make digits of random "
            "vectors.",
        },
        needs="a decoder that works from a code alone",
        applies=lambda variant, datasets, settings: variant.model.generative,
    ),
    "inpainting": TaskSpec(
        InpaintingConfig,
        "MSE inside the hole and over the whole image, per hole kind.",
        {"inpainting": "Holes zeroed in test images and the model's fill-in."},
    ),
    "denoising": TaskSpec(
        DenoisingConfig,
        "MSE and PSNR (dB) of the noisy input and of the output against the clean image: a denoiser lowers the MSE and "
        "raises the PSNR (COCO: also on the models' own [-1, 1] scale, suffix native).",
        {"denoising": "Noisy test images and the model's outputs, per noise model."},
    ),
    "anomaly": TaskSpec(
        AnomalyConfig,
        "Detecting the other dataset by reconstruction error: ROC AUC and average precision (1.0 is perfect).",
        {
            "error_histogram": "Reconstruction error of in-distribution and anomalous test images: the less they "
            "overlap, "
            "the better the detector.",
            "anomalies": "Anomalies and their reconstructions: they come out as digits.",
        },
        needs="a model of another dataset with the anomaly dataset's image shape (evaluation.anomaly.dataset)",
        applies=_anomaly_applies,
        inputs=lambda params, variant_id: {"anomalies": paths.processed_file(params.evaluation.anomaly.dataset)},
    ),
    "diagnostics": TaskSpec(
        DiagnosticsConfig,
        "KL per latent dimension and the number of active units.",
        {"kl_per_dimension": "KL per latent dimension; grey bars are inactive (collapsed) units."},
        needs="a variational model",
        applies=lambda variant, datasets, settings: variant.model.variational,
        per_seed=("active_units", "kl_total"),
    ),
    "sample_quality": TaskSpec(
        SampleQualityConfig,
        "Frechet distance of classifier features to real test images (lower is better; the reference is real training "
        "images) and the share of samples classified confidently.",
        {
            "confidence": "The classifier's top-class probability on generated and on real test images: mass near 1 "
            "means "
            "recognisable samples.",
            "extremes": "Generated samples the classifier is most and least sure about.",
        },
        needs="a decoder that works from a code alone, on a labelled dataset (not COCO)",
        applies=lambda variant, datasets, settings: variant.model.generative and datasets.labelled(variant.dataset),
        inputs=lambda params, variant_id: {"classifier": paths.classifier_model(params.variant(variant_id).dataset)},
    ),
}
EVALUATION_TASKS = tuple(TASKS)


class CrossValidationConfig(StrictModel):
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
    variants: list[VariantId]


class DevicesConfig(StrictModel):
    """CPU against GPU (docs/study.md 3): each listed variant's first seed trained once per device, in float32.

    The devices are the stage's argument, not a param: a machine without a GPU
    compares nothing and says so.
    """

    variants: list[VariantId]


class _Evaluation(StrictModel):
    """Evaluation (docs/study.md 3): inference batch size, every task's settings, cross-validation, devices."""

    batch_size: Annotated[int, Field(gt=0)]
    crossval: CrossValidationConfig
    devices: DevicesConfig

    def task(self, name: str) -> StrictModel:
        return getattr(self, name)


EvaluationConfig = create_model(
    "EvaluationConfig",
    __base__=_Evaluation,
    __module__=__name__,
    **{name: (spec.settings, ...) for name, spec in TASKS.items()},
)
