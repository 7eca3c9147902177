"""Metric tables: rows are variants, cells come straight from the metrics JSON files."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from aelab import paths
from aelab.io import read_json
from aelab.pipeline.producers import variant_runs
from aelab.report.columns import HIGHER, Column, describe

if TYPE_CHECKING:
    from aelab.config.params import Params

SPREAD = "_std"


def metrics_frame(variants: Iterable[str], source: Callable[[str], Path]) -> pd.DataFrame:
    """One row per variant whose JSON ``source(variant)`` exists (a study may have run only in part)."""
    rows = {variant: read_json(source(variant)) for variant in variants if source(variant).exists()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("variant")


def trained(variants: Iterable[str]) -> list[str]:
    """The variants whose training has run (its train.json exists)."""
    return [variant for variant in variants if paths.train_metrics(variant).exists()]


def published(params: Params, variants: Iterable[str]) -> list[str]:
    """The variants a study's results show: those whose every run has written its metrics (training, each task
    and comparison params.yaml selects for it). One part-way, trained with its evaluations still to come, would be
    a row of blank cells, so it waits until it is whole."""
    variants = list(variants)
    unfinished = {
        run.subject for run in variant_runs(params, variants) if not all(path.exists() for path in run.metrics())
    }
    return [variant for variant in variants if variant not in unfinished]


MISSING = "—"
"""A metric with no value: null in its metrics file, or not measured for this row (e.g. a VAE in an AE-only column)."""


def significant(number: float, digits: int) -> str:
    """``number`` rounded to ``digits`` significant digits, written out below a million (582 ± 190, not 1.9e+02)."""
    return f"{float(f'{number:.{digits}g}'):g}"


def cell_text(value: object, spread: object = None) -> str:
    """A number to 4 significant digits, ``mean ± std`` (std to 2) where there is a spread over seeds or folds."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return MISSING
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    text = significant(value, 4)
    if not isinstance(spread, (int, float)) or pd.isna(spread):
        return text
    return f"{text} ± {significant(spread, 2)}"


def best_rows(values: pd.Series, better: str | None) -> set:
    """The rows holding the column's best value, where the column has a direction and two rows to compare."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if better is None or len(numbers) < 2 or numbers.nunique() < 2:
        return set()
    best = numbers.max() if better == HIGHER else numbers.min()
    return set(numbers.index[numbers == best])


def to_html(frame: pd.DataFrame, headings: Mapping[str, Column] | None = None) -> str:
    """The table as HTML: headings in words with unit and direction (the metric key as tooltip; ``headings``
    where a layout words its columns itself), ``mean ± std`` cells, the best value of each column marked."""
    columns = [
        column for column in frame.columns if not (column.endswith(SPREAD) and column.removesuffix(SPREAD) in frame)
    ]
    described = {column: (headings or {}).get(column) or describe(column) for column in columns}
    best = {column: best_rows(frame[column], described[column].better) for column in columns}
    head = "".join(f'<th title="{escape(column)}">{escape(described[column].heading)}</th>' for column in columns)
    rows = []
    for row, values in frame.iterrows():
        cells = []
        for column in columns:
            text = escape(cell_text(values[column], values.get(column + SPREAD)))
            marked = ' class="best"' if row in best[column] else ""
            cells.append(f"<td{marked}>{text}</td>")
        rows.append(f"<tr><th>{escape(str(row))}</th>{''.join(cells)}</tr>")
    return (
        f'<table class="metrics"><thead><tr><th>{escape(frame.index.name or "")}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
