"""The layouts a study's tables come in, each built from the committed metrics of the study's variants.

A study asks one question and its table must answer that one: a denoising
study is read as models against noises, a cross-validation as folds, a
comparison of latent sizes as a few chosen columns. Each layout turns the
metrics files into a frame (rows, columns, a ``<column>_std`` beside each
column that has a spread over seeds or folds) and the headings its columns are
read by. Rows without a value and columns no row has are left out: a table
never shows a column that says nothing for its study.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from aelab import paths
from aelab.config.noise import noise_name
from aelab.report.columns import ARROWS, HIGHER, LOWER, Column, describe, noise_label
from aelab.report.devices import PER_EPOCH, per_epoch_tables
from aelab.report.tables import SPREAD, metrics_frame

if TYPE_CHECKING:
    from aelab.config.params import Params

PER_SEED = re.compile(r".+_seed\d+")


@dataclass
class TableData:
    """One table of a study: its caption, its frame, and the heading of each of its columns."""

    caption: str
    frame: pd.DataFrame
    headings: dict[str, Column] = field(default_factory=dict)

    def heading(self, column: str) -> Column:
        return self.headings.get(column) or describe(column)

    @property
    def columns(self) -> list[str]:
        """The shown columns: each value column (its spread goes in the same cell)."""
        return [c for c in self.frame.columns if not (c.endswith(SPREAD) and c.removesuffix(SPREAD) in self.frame)]


def source_of(source: str) -> Callable[[str], Path]:
    """Where a variant's metrics of one source live: ``train``, ``crossval`` or an evaluation task."""
    special = {"train": paths.train_metrics, "crossval": paths.crossval_metrics}
    return special.get(source, partial(paths.task_metrics, task=source))


def of_kind(params: Params, variants: list[str], kind: str | None) -> list[str]:
    """The variants of one kind: ``vae`` (variational), ``ae`` (deterministic), or all of them (None)."""
    if kind is None:
        return variants
    return [v for v in variants if params.variant(v).model.variational == (kind == "vae")]


def without_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with some value and columns some row has; a spread column goes with its value column."""
    values = [c for c in frame.columns if not c.endswith(SPREAD)]
    frame = frame.dropna(how="all", subset=values) if values else frame
    return frame.dropna(axis="columns", how="all")


@dataclass(frozen=True)
class Pick:
    """Metrics of one source, in the order of the patterns that name them: each pattern (a regular expression,
    matched in full) adds the keys it matches in the file's order; spreads and per-seed copies follow their key."""

    source: str
    keys: tuple[str, ...]

    def frame(self, variants: list[str]) -> pd.DataFrame:
        found = metrics_frame(variants, source_of(self.source))
        named = [key for key in found.columns if not key.endswith(SPREAD) and not PER_SEED.fullmatch(key)]
        ordered = dict.fromkeys(key for pattern in self.keys for key in named if re.fullmatch(pattern, key))
        return found[[column for key in ordered for column in (key, key + SPREAD) if column in found]]


@dataclass(frozen=True)
class Metrics:
    """Rows: the study's variants (of one kind, where ``kind`` is set); columns: the picked metrics."""

    caption: str
    picks: tuple[Pick, ...]
    kind: str | None = None

    def tables(self, params: Params, variants: list[str]) -> list[TableData]:
        rows = of_kind(params, variants, self.kind)
        if not rows:
            return []
        frame = without_empty(pd.concat([pick.frame(rows) for pick in self.picks], axis=1).reindex(rows))
        return [TableData(self.caption, frame)] if not frame.empty else []


QUANTITIES = {"psnr": ("PSNR", "dB", HIGHER), "mse": ("MSE", "per pixel", LOWER)}


@dataclass(frozen=True)
class PerNoise:
    """Rows: the models; columns: the test noises, each cell the output's score against the clean image; the
    noisy input's score (the same for every model of a dataset) stands in the column's heading, and the noise
    each model trained on in the first column. One table per dataset."""

    caption: str
    quantity: str
    scale: str = ""
    """``""``: images on [0, 1]; ``"_native"``: the model's own scale (the COCO models' [-1, 1])."""

    def tables(self, params: Params, variants: list[str]) -> list[TableData]:
        found = metrics_frame(variants, source_of("denoising"))
        if found.empty:
            return []
        by_dataset: dict[str, list[str]] = {}
        for variant in found.index:
            by_dataset.setdefault(params.variant(variant).dataset, []).append(variant)
        return [
            table
            for dataset, rows in by_dataset.items()
            if (table := self._table(params, found.loc[rows], dataset if len(by_dataset) > 1 else "")) is not None
        ]

    def _table(self, params: Params, found: pd.DataFrame, dataset: str) -> TableData | None:
        name, unit, better = QUANTITIES[self.quantity]
        trained_on = [params.training_for(v).noise for v in found.index]
        frame = pd.DataFrame(
            {"trained on": [noise_label(noise_name(noise)) if noise else "no noise" for noise in trained_on]},
            index=found.index,
        )
        headings = {"trained on": Column("trained on")}
        for noise in (noise_name(config) for config in params.evaluation.denoising.noise):
            output, noisy = (f"{noise}_{self.quantity}_{side}{self.scale}" for side in ("output", "input"))
            if output not in found:
                continue
            frame[noise] = found[output]
            if output + SPREAD in found:
                frame[noise + SPREAD] = found[output + SPREAD]
            inputs = found[noisy].dropna() if noisy in found else pd.Series(dtype=float)
            input_text = f" (noisy input {inputs.iloc[0]:.4g})" if len(inputs) else ""
            headings[noise] = Column(f"{noise_label(noise)}{input_text}", better)
        if len(frame.columns) == 1:
            return None
        scale = " on the models' own [-1, 1] scale" if self.scale else ""
        where = f" ({dataset})" if dataset else ""
        caption = f"{self.caption}{where}: {name} of the output ({unit}, {ARROWS[better]}){scale}."
        return TableData(caption, frame, headings)


@dataclass(frozen=True)
class DeviceEpochs:
    """The CPU-against-GPU comparison, per compared variant and device: each epoch's seconds, training loss and
    reconstruction term, and held-out loss (mean ± std over seeds), as the published comparison lays it out."""

    caption: str

    def tables(self, params: Params, variants: list[str]) -> list[TableData]:
        tables = []
        for variant in variants:
            if variant not in params.evaluation.devices.variants or not paths.devices_metrics(variant).exists():
                continue
            devices = sorted({path.name.partition("_")[0] for path in paths.devices_history_dir(variant).glob("*.csv")})
            for device, frame in per_epoch_tables(variant, params.seeds_for(variant), devices).items():
                frame = frame[[c for c in frame.columns if c.removesuffix(SPREAD) in PER_EPOCH]]
                tables.append(TableData(f"{self.caption} {variant} on {device}, per epoch.", frame))
        return tables


Layout = Metrics | PerNoise | DeviceEpochs
