"""Load a processed dataset as tensors (the training engine keeps them on the device)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch


@dataclass(frozen=True)
class Split:
    """Images in [0, 1] (float32, N x C x H x W) and integer labels."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, indices: torch.Tensor) -> "Split":
        """The images and labels at ``indices`` (e.g. the training part of a cross-validation fold)."""
        return Split(self.images[indices], self.labels[indices])

    def to(self, device: torch.device | None = None, memory_format: torch.memory_format = torch.preserve_format) -> "Split":
        return Split(self.images.to(device, memory_format=memory_format), self.labels.to(device))


def load_split(path: Path, split: str) -> Split:
    with np.load(path) as arrays:
        images = torch.from_numpy(arrays[f"{split}_images"]).float().div_(255.0)
        labels = torch.from_numpy(arrays[f"{split}_labels"])
    return Split(images, labels)
