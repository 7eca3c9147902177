"""Metric tables: rows are variants, cells come straight from the metrics JSON files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from aelab.io import read_json

SPREAD = "_std"


def metrics_frame(variants: Iterable[str], source: Callable[[str], Path]) -> pd.DataFrame:
    """One row per variant whose JSON ``source(variant)`` exists (a study may have run only in part)."""
    rows = {variant: read_json(source(variant)) for variant in variants if source(variant).exists()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("variant")


def with_spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as text, ``mean ± std`` where a ``<name>_std`` column holds the spread over seeds or folds."""
    shown = {}
    for column in frame.columns:
        if column.endswith(SPREAD) and column.removesuffix(SPREAD) in frame:
            continue
        spread = frame.get(column + SPREAD)
        shown[column] = [
            _cell(value, None if spread is None else spread[variant]) for variant, value in frame[column].items()
        ]
    return pd.DataFrame(shown, index=frame.index)


MISSING = "—"
"""A metric with no value: null in its metrics file, or not measured for this row (e.g. a VAE in an AE-only column)."""


def _cell(value: object, spread: float | None) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return MISSING
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    text = f"{value:.4g}"
    return text if spread is None or pd.isna(spread) else f"{text} ± {spread:.2g}"


def to_html(frame: pd.DataFrame) -> str:
    return with_spread(frame).to_html(classes="metrics", border=0)
