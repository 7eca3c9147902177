"""Datasets by kind: each kind has its own inputs, so each is its own pipeline stage (docs/study.md 1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import Field, model_validator

from aelab.config.base import DatasetId, Fraction, ParamsError, StrictModel

IdxDatasetName = Literal["mnist", "fashion_mnist"]
CocoImageSet = Literal["val2017", "train2017"]
IDX_IMAGE_SHAPE = (1, 28, 28)
"""MNIST and Fashion-MNIST images."""


class DatasetKind(StrictModel):
    """What every kind of dataset says of its images, from its settings alone (before anything is built)."""

    labelled: ClassVar[bool] = True
    """The images carry a class label."""
    coloured: ClassVar[bool] = False
    """The images carry a stroke-colour label (CMNIST)."""

    def image_shape(self) -> tuple[int, int, int]:
        """(channels, height, width)."""
        return IDX_IMAGE_SHAPE


class IdxDatasetConfig(DatasetKind):
    """An IDX dataset (MNIST, Fashion-MNIST): keep the first N images of each split (``null``: all).

    Caps exist for the smoke configuration, which runs the full graph on a few
    hundred images.
    """

    train_images: Annotated[int, Field(gt=0)] | None
    test_images: Annotated[int, Field(gt=0)] | None


class CmnistConfig(DatasetKind):
    """Colourised MNIST of the bias-learning literature (docs/study.md 1), generated from ``source``.

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

    coloured: ClassVar[bool] = True

    def image_shape(self) -> tuple[int, int, int]:
        return (3, *IDX_IMAGE_SHAPE[1:])


class CmnistPoolConfig(DatasetKind):
    """The training splits of several CMNIST bias levels pooled, then a random ``fraction`` kept (docs/study.md 1).

    The CMNIST of the deterministic-AE study (2.2): all four levels' training
    sets together, 70% of them. The levels are generated again from their own
    settings rather than read from their files, so a pipeline stage needs one
    input (their MNIST source) instead of a list. The test and validation
    splits are the first level's (every level of the study has the same ones).
    """

    levels: Annotated[list[DatasetId], Field(min_length=1)]
    fraction: Annotated[float, Field(gt=0, le=1)]
    seed: Annotated[int, Field(ge=0)]

    coloured: ClassVar[bool] = True

    def image_shape(self) -> tuple[int, int, int]:
        return (3, *IDX_IMAGE_SHAPE[1:])


class CocoConfig(DatasetKind):
    """COCO 2017 images: shorter side resized to ``size``, centre crop, RGB or grey."""

    image_sets: Annotated[list[CocoImageSet], Field(min_length=1)]
    max_images: Annotated[int, Field(gt=0)] | None
    size: Annotated[int, Field(ge=8, le=512)]
    grey: bool
    test_fraction: Annotated[float, Field(gt=0, lt=1)]
    seed: Annotated[int, Field(ge=0)]

    labelled: ClassVar[bool] = False

    def image_shape(self) -> tuple[int, int, int]:
        return (1 if self.grey else 3, self.size, self.size)


Kind = TypeVar("Kind", bound=DatasetKind)


def declared(section: Mapping[Any, Kind], dataset_id: str, where: str) -> Kind:
    """The settings of a dataset the section ``datasets.<where>`` must declare; a ParamsError naming it if not."""
    if dataset_id not in section:
        raise ParamsError(
            f"dataset {dataset_id!r} is not declared under 'datasets.{where}' in params.yaml "
            f"(declared: {', '.join(section) or 'none'})"
        )
    return section[dataset_id]


class DatasetsConfig(StrictModel):
    """Every dataset of the study, by kind; ids are unique across kinds."""

    idx: dict[IdxDatasetName, IdxDatasetConfig]
    cmnist: dict[DatasetId, CmnistConfig]
    cmnist_pooled: dict[DatasetId, CmnistPoolConfig]
    coco_image_sets: list[CocoImageSet]
    coco: dict[DatasetId, CocoConfig]

    KINDS: ClassVar[tuple[str, ...]] = ("idx", "cmnist", "cmnist_pooled", "coco")
    """The sections that declare datasets, one per kind (each kind is its own pipeline stage)."""

    @property
    def ids(self) -> list[str]:
        return [dataset_id for kind in self.KINDS for dataset_id in getattr(self, kind)]

    def dataset(self, dataset_id: str) -> DatasetKind:
        """The settings of a dataset of any kind."""
        for kind in self.KINDS:
            if dataset_id in getattr(self, kind):
                return getattr(self, kind)[dataset_id]
        raise ParamsError(f"dataset {dataset_id!r} is not declared under 'datasets' (declared: {', '.join(self.ids)})")

    def labelled(self, dataset_id: str) -> bool:
        return self.dataset(dataset_id).labelled

    def coloured(self, dataset_id: str) -> bool:
        return self.dataset(dataset_id).coloured

    def image_shape(self, dataset_id: str) -> tuple[int, int, int]:
        return self.dataset(dataset_id).image_shape()

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
        for dataset_id, level in self.cmnist.items():
            if level.source not in self.idx:
                raise ValueError(
                    f"cmnist dataset {dataset_id!r} needs idx dataset {level.source!r}, which is not declared"
                )
        for dataset_id, pool in self.cmnist_pooled.items():
            unknown = [name for name in pool.levels if name not in self.cmnist]
            if unknown:
                raise ValueError(
                    f"cmnist_pooled dataset {dataset_id!r} pools {unknown}, which are not declared under cmnist"
                )
        for dataset_id, coco in self.coco.items():
            missing = set(coco.image_sets) - set(self.coco_image_sets)
            if missing:
                raise ValueError(
                    f"coco dataset {dataset_id!r} reads image sets {sorted(missing)} that are not in coco_image_sets"
                )
        return self
