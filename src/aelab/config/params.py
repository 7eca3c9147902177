"""The whole of params.yaml: variants, studies and the checks that tie the sections together."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from aelab.config.base import Identifier, ParamsError, StrictModel, VariantId
from aelab.config.datasets import DatasetsConfig
from aelab.config.tasks import TASKS, EvaluationConfig
from aelab.config.training import TrainingConfig
from aelab.config.variants import VariantConfig


class StudyConfig(StrictModel):
    """A question of the study and the variants that answer it (a report section)."""

    title: str
    variants: Annotated[list[VariantId], Field(min_length=1)]


class Params(StrictModel):
    """The whole of params.yaml."""

    datasets: DatasetsConfig
    training: TrainingConfig
    evaluation: EvaluationConfig
    variants: Annotated[dict[VariantId, VariantConfig], Field(min_length=1)]
    studies: dict[Identifier, StudyConfig]

    @model_validator(mode="after")
    def _references_resolve(self) -> Params:
        for variant_id, variant in self.variants.items():
            if len(set(variant.seeds)) != len(variant.seeds):
                raise ValueError(f"variants.{variant_id}.seeds {variant.seeds} repeat a value; each seed is one run")
        self._check_variants()
        for study_id, study in self.studies.items():
            self._check_listed(f"studies.{study_id}.variants", study.variants)
        self._check_tasks()
        self._check_listed("evaluation.crossval.variants", self.evaluation.crossval.variants)
        self._check_listed("evaluation.devices.variants", self.evaluation.devices.variants)
        self._check_classifiers()
        return self

    def _check_variants(self) -> None:
        for variant_id, variant in self.variants.items():
            if variant.dataset not in self.datasets.ids:
                raise ValueError(
                    f"variants.{variant_id}.dataset is {variant.dataset!r}, which is not declared under "
                    f"'datasets' (declared: {', '.join(self.datasets.ids)})"
                )
            if variant.model.needs_labels and not self.datasets.labelled(variant.dataset):
                raise ValueError(
                    f"variants.{variant_id} is conditional but dataset {variant.dataset!r} has no class labels"
                )

    def _check_listed(self, where: str, variant_ids: list[str]) -> None:
        unknown = [variant_id for variant_id in variant_ids if variant_id not in self.variants]
        if unknown:
            raise ValueError(f"{where} lists variants {unknown} that are not defined under 'variants'")

    def _check_tasks(self) -> None:
        for task, spec in TASKS.items():
            settings, selected = self.evaluation.task(task), self.evaluation.selected(task)
            self._check_listed(f"evaluation.{task}.variants", selected)
            for variant_id in selected:
                if not spec.applies(self.variants[variant_id], self.datasets, settings):
                    raise ValueError(f"evaluation.{task}.variants lists {variant_id!r}, but {task} needs {spec.needs}")
        if self.evaluation.anomaly.variants and self.evaluation.anomaly.dataset not in self.datasets.idx:
            raise ValueError(
                f"evaluation.anomaly.dataset {self.evaluation.anomaly.dataset!r} is not declared under datasets.idx"
            )

    def _check_classifiers(self) -> None:
        classified = self.evaluation.sample_quality.classifier.datasets
        for dataset in classified:
            if dataset not in self.datasets.ids or not self.datasets.labelled(dataset):
                raise ValueError(
                    f"evaluation.sample_quality.classifier.datasets lists {dataset!r}, "
                    "which is not a labelled dataset declared under 'datasets'"
                )
        for variant_id in self.evaluation.sample_quality.variants:
            dataset = self.variants[variant_id].dataset
            if dataset not in classified:
                raise ValueError(
                    f"evaluation.sample_quality.variants lists {variant_id!r}, whose dataset {dataset!r} "
                    "is missing from evaluation.sample_quality.classifier.datasets"
                )

    def variant(self, variant_id: str) -> VariantConfig:
        """The variant's config, or a ParamsError that lists the known ids."""
        try:
            return self.variants[variant_id]
        except KeyError:
            raise ParamsError(
                f"unknown variant {variant_id!r}; params.yaml defines: {', '.join(self.variants)}"
            ) from None

    def seeds_for(self, variant_id: str) -> list[int]:
        """The seeds a variant trains and is evaluated with."""
        return self.variant(variant_id).seeds

    def task_variants(self, task: str) -> list[str]:
        """The variants ``task`` evaluates: every variant for reconstruction, else its list."""
        return list(self.variants) if task == "reconstruction" else self.evaluation.selected(task)

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
