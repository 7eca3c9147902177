"""Optimiser settings: study-wide, and the per-variant changes to them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from aelab.config.base import StrictModel
from aelab.config.noise import NoiseConfig


class TrainingConfig(StrictModel):
    """Optimiser settings (Adam, as in docs/study.md: lr 1e-3, batch 128, Keras eps 1e-7).

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
