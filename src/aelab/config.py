"""Typed params: the one schema that params.yaml must satisfy.

Every value the pipeline uses lives in params.yaml and is checked here before
any work starts. Unknown keys are rejected (a misspelled or stale key must not
pass silently), and an error names the file, the key path and what is allowed.
Site settings (data mirror, device, threads) are deliberately *not* params:
they live in :mod:`aelab.site`, so moving a study to a GPU or another mirror
never invalidates its results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aelab.errors import UserError

IdxDatasetName = Literal["mnist", "fashion_mnist"]
CocoImageSet = Literal["val2017", "train2017"]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
VariantId = Identifier
DatasetId = Identifier
Fraction = Annotated[float, Field(ge=0, le=1)]
ReconstructionLoss = Literal["bce", "mse"]


class ParamsError(UserError, ValueError):
    """params.yaml is unreadable or does not match the schema."""


class StrictModel(BaseModel):
    """Base of every params section: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class IdxDatasetConfig(StrictModel):
    """An IDX dataset (MNIST, Fashion-MNIST): keep the first N images of each split (``null``: all).

    Caps exist for the smoke configuration, which runs the full graph on a few
    hundred images.
    """

    train_images: Annotated[int, Field(gt=0)] | None
    test_images: Annotated[int, Field(gt=0)] | None


class CmnistConfig(StrictModel):
    """Colourised MNIST of the bias-learning literature (STUDY.md 1), generated from ``source``.

    Each class has its own colour; a fraction ``rho`` of the training images is
    *bias-conflicting* (painted with another class's colour). The test split and
    the validation splits have their own conflicting fractions.
    """

    source: Literal["mnist"]
    seed: Annotated[int, Field(ge=0)]
    rho: Fraction
    test_conflicting: Fraction
    validation_conflicting: list[Fraction]
    validation_images: Annotated[int, Field(gt=0)]
    train_fraction: Annotated[float, Field(gt=0, le=1)]


class CocoConfig(StrictModel):
    """COCO 2017 images: shorter side resized to ``size``, centre crop, RGB or grey."""

    image_sets: Annotated[list[CocoImageSet], Field(min_length=1)]
    max_images: Annotated[int, Field(gt=0)] | None
    size: Annotated[int, Field(ge=8, le=512)]
    grey: bool
    test_fraction: Annotated[float, Field(gt=0, lt=1)]
    seed: Annotated[int, Field(ge=0)]


class DatasetsConfig(StrictModel):
    """Datasets by kind: each kind has its own inputs, so each is its own pipeline stage."""

    idx: dict[IdxDatasetName, IdxDatasetConfig]
    cmnist: dict[DatasetId, CmnistConfig]
    coco_image_sets: list[CocoImageSet]
    coco: dict[DatasetId, CocoConfig]

    @property
    def ids(self) -> list[str]:
        return [*self.idx, *self.cmnist, *self.coco]

    @model_validator(mode="after")
    def _references_resolve(self) -> DatasetsConfig:
        seen: set[str] = set()
        for dataset_id in self.ids:
            if dataset_id in seen:
                raise ValueError(f"dataset id {dataset_id!r} is used in two sections; ids must be unique")
            seen.add(dataset_id)
        for dataset_id, config in self.cmnist.items():
            if config.source not in self.idx:
                raise ValueError(f"cmnist dataset {dataset_id!r} needs idx dataset {config.source!r}, which is not declared")
        for dataset_id, config in self.coco.items():
            missing = set(config.image_sets) - set(self.coco_image_sets)
            if missing:
                raise ValueError(
                    f"coco dataset {dataset_id!r} reads image sets {sorted(missing)} that are not in coco_image_sets"
                )
        return self


class TrainingConfig(StrictModel):
    """Optimiser settings (Adam, as in STUDY.md: lr 1e-3, batch 128, Keras eps 1e-7)."""

    epochs: Annotated[int, Field(gt=0)]
    batch_size: Annotated[int, Field(gt=0)]
    learning_rate: Annotated[float, Field(gt=0)]
    adam_eps: Annotated[float, Field(gt=0)]


class TrainingOverride(StrictModel):
    """Per-variant changes to the study-wide training section; unset keys inherit."""

    epochs: Annotated[int, Field(gt=0)] | None = None
    batch_size: Annotated[int, Field(gt=0)] | None = None
    learning_rate: Annotated[float, Field(gt=0)] | None = None
    adam_eps: Annotated[float, Field(gt=0)] | None = None


class ConvVAEConfig(StrictModel):
    """Keras-style convolutional VAE (STUDY.md 2.1)."""

    family: Literal["conv_vae"]
    latent_dim: Annotated[int, Field(gt=0)]
    loss: ReconstructionLoss
    beta: Annotated[float, Field(ge=0)]


class ConvAEConfig(StrictModel):
    """Keras-style deterministic convolutional AE (STUDY.md 2.2)."""

    family: Literal["conv_ae"]
    latent_dim: Annotated[int, Field(gt=0)]
    loss: ReconstructionLoss


ModelConfig = Annotated[Union[ConvVAEConfig, ConvAEConfig], Field(discriminator="family")]
MODEL_FAMILIES = tuple(
    get_args(member.model_fields["family"].annotation)[0] for member in get_args(get_args(ModelConfig)[0])
)


class VariantConfig(StrictModel):
    """One trained model of the study: its data, its architecture, its training changes."""

    dataset: DatasetId
    model: ModelConfig
    training: TrainingOverride = TrainingOverride()


class EvaluationConfig(StrictModel):
    """Sizes of the evaluation figures and the batch size used for inference."""

    batch_size: Annotated[int, Field(gt=0)]
    reconstructions: Annotated[int, Field(gt=0, le=64)]
    grid_points: Annotated[int, Field(gt=1, le=40)]
    grid_limit: Annotated[float, Field(gt=0)]
    scatter_points: Annotated[int, Field(gt=0)]


class Params(StrictModel):
    """The whole of params.yaml."""

    seed: Annotated[int, Field(ge=0)]
    datasets: DatasetsConfig
    training: TrainingConfig
    evaluation: EvaluationConfig
    variants: Annotated[dict[VariantId, VariantConfig], Field(min_length=1)]

    @model_validator(mode="after")
    def _variants_use_declared_datasets(self) -> Params:
        for variant_id, variant in self.variants.items():
            if variant.dataset not in self.datasets.ids:
                raise ValueError(
                    f"variant {variant_id!r} uses dataset {variant.dataset!r}, which is not "
                    f"declared under 'datasets' (declared: {', '.join(self.datasets.ids)})"
                )
        return self

    def variant(self, variant_id: str) -> VariantConfig:
        """The variant's config, or a ParamsError that lists the known ids."""
        try:
            return self.variants[variant_id]
        except KeyError:
            raise ParamsError(
                f"unknown variant {variant_id!r}; params.yaml defines: {', '.join(self.variants)}"
            ) from None

    def training_for(self, variant_id: str) -> TrainingConfig:
        """Study-wide training settings with the variant's overrides applied."""
        overrides = self.variant(variant_id).training.model_dump(exclude_none=True)
        return self.training.model_copy(update=overrides)


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read and validate a params file; every problem is reported with its key path."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ParamsError(f"{path}: params file not found") from None
    except yaml.YAMLError as error:
        raise ParamsError(f"{path}: not valid YAML: {error}") from None
    try:
        return Params.model_validate(raw)
    except ValidationError as error:
        raise ParamsError(_describe(path, error)) from None


def _describe(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: {error.error_count()} invalid value(s)"]
    for item in error.errors():
        # pydantic puts the union tag into the path (model.conv_vae.loss); show the YAML path.
        parts = [str(part) for part in item["loc"] if part not in MODEL_FAMILIES]
        key = ".".join(parts) or "(top level)"
        if item["type"] == "extra_forbidden":
            message = "unknown key, not part of the params schema (workflow/schemas/params.schema.json)"
        elif item["type"] == "missing":
            message = "required key is missing"
        else:
            message = f"{item['msg']} (got {item['input']!r})"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def json_schema() -> dict:
    """JSON schema of params.yaml, for Snakemake's validate() and editors."""
    schema = Params.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
