"""Noise models: the corruption a denoising variant trains against, and the denoising task's test noises."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aelab.config.base import StrictModel


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


NoiseConfig = Annotated[GaussianNoise | SaltAndPepperNoise | SpeckleNoise, Field(discriminator="kind")]


def noise_name(config: NoiseConfig) -> str:
    """A metric-key-safe name, e.g. ``gaussian_0p1``."""
    level = next(value for key, value in config.model_dump().items() if key != "kind")
    return f"{config.kind}_{level:g}".replace(".", "p")
