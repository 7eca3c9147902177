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
from collections.abc import Callable
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


class CmnistPoolConfig(StrictModel):
    """The training splits of several CMNIST bias levels pooled, then a random ``fraction`` kept (STUDY.md 1).

    The CMNIST of the deterministic-AE study (2.2): all four levels' training
    sets together, 70% of them. The levels are generated again from their own
    settings rather than read from their files, so a pipeline stage needs one
    input (their MNIST source) instead of a list. The test and validation
    splits are the first level's (every level of the study has the same ones).
    """

    levels: Annotated[list[DatasetId], Field(min_length=1)]
    fraction: Annotated[float, Field(gt=0, le=1)]
    seed: Annotated[int, Field(ge=0)]


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
    cmnist_pooled: dict[DatasetId, CmnistPoolConfig]
    coco_image_sets: list[CocoImageSet]
    coco: dict[DatasetId, CocoConfig]

    @property
    def ids(self) -> list[str]:
        return [*self.idx, *self.cmnist, *self.cmnist_pooled, *self.coco]

    def labelled(self, dataset_id: str) -> bool:
        """Whether the dataset's images carry a class label (every dataset but COCO's)."""
        return dataset_id not in self.coco

    def coloured(self, dataset_id: str) -> bool:
        """Whether the dataset's images carry a stroke-colour label (CMNIST)."""
        return dataset_id in self.cmnist or dataset_id in self.cmnist_pooled

    def pool_source(self, dataset_id: str) -> str:
        """The processed dataset a pooled CMNIST is generated from (its levels' MNIST)."""
        return self.cmnist[self.cmnist_pooled[dataset_id].levels[0]].source

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
        for dataset_id, config in self.cmnist_pooled.items():
            unknown = [level for level in config.levels if level not in self.cmnist]
            if unknown:
                raise ValueError(f"cmnist_pooled dataset {dataset_id!r} pools {unknown}, which are not declared under cmnist")
            if len({self.cmnist[level].source for level in config.levels}) > 1:
                raise ValueError(f"cmnist_pooled dataset {dataset_id!r} pools levels generated from different sources")
        for dataset_id, config in self.coco.items():
            missing = set(config.image_sets) - set(self.coco_image_sets)
            if missing:
                raise ValueError(
                    f"coco dataset {dataset_id!r} reads image sets {sorted(missing)} that are not in coco_image_sets"
                )
        return self


class GaussianNoise(StrictModel):
    """x + N(0, std^2) per pixel, clipped to [0, 1]."""

    kind: Literal["gaussian"]
    std: Annotated[float, Field(gt=0)]


class SaltAndPepperNoise(StrictModel):
    """A random fraction ``amount`` of the pixels set to 0 or 1 (half each)."""

    kind: Literal["salt_and_pepper"]
    amount: Annotated[float, Field(gt=0, le=1)]


class SpeckleNoise(StrictModel):
    """x + x * N(0, std^2) per pixel (multiplicative), clipped to [0, 1]."""

    kind: Literal["speckle"]
    std: Annotated[float, Field(gt=0)]


NoiseConfig = Annotated[Union[GaussianNoise, SaltAndPepperNoise, SpeckleNoise], Field(discriminator="kind")]


class TrainingConfig(StrictModel):
    """Optimiser settings (Adam, as in STUDY.md: lr 1e-3, batch 128, Keras eps 1e-7).

    ``noise`` makes a denoising model: the engine corrupts each training batch
    with it and the target stays the clean image.
    """

    epochs: Annotated[int, Field(gt=0)]
    batch_size: Annotated[int, Field(gt=0)]
    learning_rate: Annotated[float, Field(gt=0)]
    adam_eps: Annotated[float, Field(gt=0)]
    noise: NoiseConfig | None = None


class TrainingOverride(StrictModel):
    """Per-variant changes to the study-wide training section; unset keys inherit."""

    epochs: Annotated[int, Field(gt=0)] | None = None
    batch_size: Annotated[int, Field(gt=0)] | None = None
    learning_rate: Annotated[float, Field(gt=0)] | None = None
    adam_eps: Annotated[float, Field(gt=0)] | None = None
    noise: NoiseConfig | None = None


Activation = Literal["relu", "sigmoid", "tanh", "leaky_relu", "elu"]
ConvArchitecture = Literal["base", "deep_stride2", "deep_stride1"]
LatentDim = Annotated[int, Field(gt=0)]


class ConvRegularisation(StrictModel):
    """The regularisation ablation of STUDY.md 2.1 (all off by default).

    ``l1``/``l2``: Keras kernel penalties on every conv and dense kernel, added
    to the loss; ``dropout``: after the encoder's Flatten; ``batchnorm``: after
    every hidden conv (Keras momentum 0.99, epsilon 1e-3).
    """

    l1: Annotated[float, Field(ge=0)] = 0.0
    l2: Annotated[float, Field(ge=0)] = 0.0
    dropout: Annotated[float, Field(ge=0, lt=1)] = 0.0
    batchnorm: bool = False


class ConvFamilyConfig(StrictModel):
    """Shared by the Keras-style conv VAE and AE.

    ``architecture``: ``base`` (Conv 32/64), ``deep_stride2`` (a third stride-2
    conv with 128 filters; the decoder's first ConvT(128) has kernel 4 so the
    output is 28x28 again) or ``deep_stride1`` (a third, stride-1 conv with 128
    filters; decoder Dense(7*7*128) and ConvT 128/64/32 with strides 2/2/1).
    """

    architecture: ConvArchitecture = "base"
    latent_dim: LatentDim
    loss: ReconstructionLoss
    regularisation: ConvRegularisation = ConvRegularisation()


class ConvVAEConfig(ConvFamilyConfig):
    """Keras-style convolutional VAE (STUDY.md 2.1): loss = reconstruction + beta * KL."""

    family: Literal["conv_vae"]
    beta: Annotated[float, Field(ge=0)]


class ConvAEConfig(ConvFamilyConfig):
    """Keras-style deterministic convolutional AE (STUDY.md 2.2)."""

    family: Literal["conv_ae"]


class MlpFamilyConfig(StrictModel):
    """Fully connected encoder ``hidden`` -> latent, mirrored decoder, sigmoid output (STUDY.md 2.4).

    ``conditional``: the decoder also gets the one-hot class label next to z,
    so digits can be generated on demand.
    """

    hidden: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=1)]
    latent_dim: LatentDim
    activation: Activation
    loss: ReconstructionLoss = "bce"
    conditional: bool = False


class MlpAEConfig(MlpFamilyConfig):
    """Deterministic MLP autoencoder: m1..m6 of STUDY.md 2.4."""

    family: Literal["mlp_ae"]


class MlpVAEConfig(MlpFamilyConfig):
    """MLP VAE (e.g. pytorch/examples' 784-400-20)."""

    family: Literal["mlp_vae"]
    beta: Annotated[float, Field(ge=0)] = 1.0


class CocoConvConfig(StrictModel):
    """Convolutional AEs for COCO 64x64 (STUDY.md 2.5), Tanh output in [-1, 1].

    Three levels with ``channels`` feature maps each take the image down 8x:
    by stride-2 convs (``downsample: stride``) or by MaxPool whose indices the
    decoder's MaxUnpool reuses (``maxpool``). The bottleneck is a Dense layer to
    ``latent_dim`` (``dense``) or the last feature map itself (``conv``);
    ``skip_connections`` add each encoder level to the decoder level of its size.
    """

    family: Literal["coco_conv"]
    channels: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=3, max_length=3)]
    downsample: Literal["stride", "maxpool"]
    bottleneck: Literal["dense", "conv"]
    latent_dim: LatentDim | None = None
    skip_connections: bool = False
    activation: Literal["relu", "tanh"]
    batchnorm: bool
    loss: Literal["mse"] = "mse"

    @model_validator(mode="after")
    def _design_is_consistent(self) -> CocoConvConfig:
        if self.bottleneck == "dense" and self.latent_dim is None:
            raise ValueError("a dense bottleneck needs latent_dim")
        if self.bottleneck == "conv" and self.latent_dim is not None:
            raise ValueError("latent_dim applies to a dense bottleneck only; a conv bottleneck is channels[-1] maps")
        if self.skip_connections and self.bottleneck == "dense":
            raise ValueError("skip_connections need a conv bottleneck: a dense bottleneck is the only path to the decoder by design")
        return self


ModelConfig = Annotated[
    Union[ConvVAEConfig, ConvAEConfig, MlpAEConfig, MlpVAEConfig, CocoConvConfig], Field(discriminator="family")
]
MODEL_FAMILIES = tuple(
    get_args(member.model_fields["family"].annotation)[0] for member in get_args(get_args(ModelConfig)[0])
)


class VariantConfig(StrictModel):
    """One trained model of the study: its data, its architecture, its training changes."""

    dataset: DatasetId
    model: ModelConfig
    training: TrainingOverride = TrainingOverride()
    seeds: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)] | None = None
    """Replaces the study-wide ``seeds`` where a question needs more repetitions than the rest."""


class StudyConfig(StrictModel):
    """A question of the study and the variants that answer it (a report section)."""

    title: str
    variants: Annotated[list[VariantId], Field(min_length=1)]


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


class CrossValidationConfig(StrictModel):
    """k-fold cross-validation of the training objective (STUDY.md 3) for the variants listed.

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
    """CPU against GPU (STUDY.md 3): each listed variant's first seed trained once per device, in float32.

    The devices are the stage's argument, not a param: a machine without a GPU
    compares nothing and says so.
    """

    variants: list[VariantId]


def _generative(model: ModelConfig) -> bool:
    return not (model.family == "coco_conv" and (model.downsample == "maxpool" or model.skip_connections))


TASK_REQUIREMENTS: dict[str, tuple[str, Callable[[VariantConfig, DatasetsConfig], bool]]] = {
    "latent": ("a labelled dataset (not COCO)", lambda v, d: d.labelled(v.dataset)),
    "manifold": ("a generative, unconditional model with a latent of 1 to 3 dimensions",
                 lambda v, d: _generative(v.model) and not getattr(v.model, "conditional", False)
                 and v.model.latent_dim is not None and v.model.latent_dim <= 3),
    "generation": ("a decoder that works from a code alone", lambda v, d: _generative(v.model)),
    "inpainting": ("", lambda v, d: True),
    "denoising": ("", lambda v, d: True),
    "anomaly": ("a model trained on mnist", lambda v, d: v.dataset == "mnist"),
    "diagnostics": ("a variational model", lambda v, d: v.model.family in ("conv_vae", "mlp_vae")),
    "sample_quality": ("a decoder that works from a code alone, on a labelled dataset (not COCO)",
                       lambda v, d: _generative(v.model) and d.labelled(v.dataset)),
}
"""Task -> (what it needs, whether a variant has it): checked before anything runs."""
EVALUATION_TASKS = ("reconstruction", *TASK_REQUIREMENTS)


class EvaluationConfig(StrictModel):
    """Evaluation tasks (STUDY.md 3): inference batch size and each task's settings and variants."""

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

    def task(self, name: str) -> TaskConfig | ReconstructionConfig:
        return getattr(self, name)


class Params(StrictModel):
    """The whole of params.yaml."""

    seeds: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]
    datasets: DatasetsConfig
    training: TrainingConfig
    evaluation: EvaluationConfig
    variants: Annotated[dict[VariantId, VariantConfig], Field(min_length=1)]
    studies: dict[Identifier, StudyConfig]

    @model_validator(mode="after")
    def _references_resolve(self) -> Params:
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds {self.seeds} repeat a value; each seed is one run")
        self._check_variants()
        for study_id, study in self.studies.items():
            self._check_listed(f"study {study_id!r}", study.variants)
        self._check_tasks()
        self._check_listed("evaluation.crossval.variants", self.evaluation.crossval.variants)
        self._check_listed("evaluation.devices.variants", self.evaluation.devices.variants)
        self._check_classifiers()
        return self

    def _check_variants(self) -> None:
        for variant_id, variant in self.variants.items():
            if variant.seeds is not None and len(set(variant.seeds)) != len(variant.seeds):
                raise ValueError(f"variants.{variant_id}.seeds {variant.seeds} repeat a value; each seed is one run")
            if variant.dataset not in self.datasets.ids:
                raise ValueError(
                    f"variant {variant_id!r} uses dataset {variant.dataset!r}, which is not "
                    f"declared under 'datasets' (declared: {', '.join(self.datasets.ids)})"
                )
            if getattr(variant.model, "conditional", False) and not self.datasets.labelled(variant.dataset):
                raise ValueError(
                    f"variant {variant_id!r} is conditional but dataset {variant.dataset!r} (COCO) has no class labels"
                )

    def _check_listed(self, where: str, variant_ids: list[str]) -> None:
        unknown = [variant_id for variant_id in variant_ids if variant_id not in self.variants]
        if unknown:
            raise ValueError(f"{where} lists variants {unknown} that are not defined under 'variants'")

    def _check_tasks(self) -> None:
        for task, (needs, applies) in TASK_REQUIREMENTS.items():
            self._check_listed(f"evaluation.{task}.variants", self.evaluation.task(task).variants)
            for variant_id in self.evaluation.task(task).variants:
                if not applies(self.variants[variant_id], self.datasets):
                    raise ValueError(f"evaluation.{task}.variants lists {variant_id!r}, but {task} needs {needs}")
        if self.evaluation.anomaly.variants and self.evaluation.anomaly.dataset not in self.datasets.idx:
            raise ValueError(f"evaluation.anomaly.dataset {self.evaluation.anomaly.dataset!r} is not declared under datasets.idx")

    def _check_classifiers(self) -> None:
        classified = self.evaluation.sample_quality.classifier.datasets
        for dataset in classified:
            if dataset not in self.datasets.ids or not self.datasets.labelled(dataset):
                raise ValueError(f"evaluation.sample_quality.classifier.datasets lists {dataset!r}, "
                                 "which is not a labelled dataset declared under 'datasets'")
        for variant_id in self.evaluation.sample_quality.variants:
            dataset = self.variants[variant_id].dataset
            if dataset not in classified:
                raise ValueError(f"evaluation.sample_quality.variants lists {variant_id!r}, whose dataset {dataset!r} "
                                 "is missing from evaluation.sample_quality.classifier.datasets")

    def variant(self, variant_id: str) -> VariantConfig:
        """The variant's config, or a ParamsError that lists the known ids."""
        try:
            return self.variants[variant_id]
        except KeyError:
            raise ParamsError(
                f"unknown variant {variant_id!r}; params.yaml defines: {', '.join(self.variants)}"
            ) from None

    def seeds_for(self, variant_id: str) -> list[int]:
        """The seeds a variant trains and is evaluated with: its own ``seeds``, else the study-wide ones."""
        return self.variant(variant_id).seeds or self.seeds

    def task_variants(self, task: str) -> list[str]:
        """The variants ``task`` evaluates: every variant for reconstruction, else its list."""
        return list(self.variants) if task == "reconstruction" else self.evaluation.task(task).variants

    def require_task(self, task: str, variant_id: str) -> None:
        """A ParamsError unless params.yaml selects ``task`` for ``variant_id``."""
        self.variant(variant_id)
        if variant_id not in self.task_variants(task):
            raise ParamsError(f"evaluation.{task}.variants in params.yaml does not list {variant_id!r}")

    def training_for(self, variant_id: str) -> TrainingConfig:
        """Study-wide training settings with the variant's overrides applied."""
        overrides = self.variant(variant_id).training.model_dump(exclude_none=True)
        return TrainingConfig.model_validate(self.training.model_dump() | overrides)

    def crossval_training_for(self, variant_id: str) -> TrainingConfig:
        """The variant's training settings, for ``evaluation.crossval.epochs`` epochs when that is set."""
        settings = self.training_for(variant_id)
        epochs = self.evaluation.crossval.epochs
        return settings.model_copy(update={"epochs": epochs}) if epochs else settings


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
