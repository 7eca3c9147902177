"""Noise models: corrupt images in [0, 1] and keep them in [0, 1].

Used by the training engine (denoising variants) and by the denoising
evaluation. Draws come from torch's global RNG, which the engine seeds and
checkpoints, so a resumed run draws the same noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from collections.abc import Callable

    from aelab.config.noise import GaussianNoise, NoiseConfig, SaltAndPepperNoise, SpeckleNoise


def gaussian(images: torch.Tensor, config: GaussianNoise) -> torch.Tensor:
    return (images + config.std * torch.randn_like(images)).clamp_(0, 1)


def salt_and_pepper(images: torch.Tensor, config: SaltAndPepperNoise) -> torch.Tensor:
    hit = torch.rand_like(images) < config.amount
    salt = (torch.rand_like(images) < 0.5).to(images.dtype)
    return torch.where(hit, salt, images)


def speckle(images: torch.Tensor, config: SpeckleNoise) -> torch.Tensor:
    return (images + images * config.std * torch.randn_like(images)).clamp_(0, 1)


NOISE_MODELS: dict[str, Callable[[torch.Tensor, Any], torch.Tensor]] = {
    # each function takes its own kind's settings: the key is the settings' ``kind``
    "gaussian": gaussian,
    "salt_and_pepper": salt_and_pepper,
    "speckle": speckle,
}


def add_noise(images: torch.Tensor, config: NoiseConfig) -> torch.Tensor:
    """A corrupted copy of ``images`` (the input is left untouched)."""
    return NOISE_MODELS[config.kind](images, config)
