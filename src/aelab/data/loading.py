"""Load a processed dataset as tensors (the training engine keeps them on the device)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Split:
    """Images in [0, 1] (float32, N x C x H x W), integer labels and, for CMNIST, each image's stroke colour."""

    images: torch.Tensor
    labels: torch.Tensor
    colours: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, indices: torch.Tensor) -> Split:
        """The images and labels at ``indices`` (e.g. the training part of a cross-validation fold)."""
        return Split(
            self.images[indices], self.labels[indices], None if self.colours is None else self.colours[indices]
        )

    def to(
        self, device: torch.device | None = None, memory_format: torch.memory_format = torch.preserve_format
    ) -> Split:
        colours = None if self.colours is None else self.colours.to(device)
        return Split(self.images.to(device, memory_format=memory_format), self.labels.to(device), colours)


def load_split(
    path: Path,
    split: str,
    device: torch.device | None = None,
    memory_format: torch.memory_format = torch.contiguous_format,
) -> Split:
    """One split of a processed dataset, on ``device`` and with its images in ``memory_format``.

    The stored uint8 images go straight into one float32 tensor in the layout
    and on the device the caller computes with, so a large dataset is held
    once: the pooled CMNIST's 154,000 colour images are 1.45 GB as float32,
    and converting, scaling and changing their layout in separate steps held
    the training set about 2.8 times (4 GB at peak).
    """
    with np.load(path) as arrays:
        stored = torch.from_numpy(arrays[f"{split}_images"])
        images = torch.empty(stored.shape, dtype=torch.float32, device=device, memory_format=memory_format)
        images.copy_(stored).div_(255.0)
        del stored
        labels = torch.from_numpy(arrays[f"{split}_labels"]).to(device)
        colours = torch.from_numpy(arrays[f"{split}_colours"]).to(device) if f"{split}_colours" in arrays else None
    return Split(images, labels, colours)
