"""Load a processed dataset as tensors (the training engine keeps them on the device)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch


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


def load_split(path: Path, split: str) -> Split:
    with np.load(path) as arrays:
        images = torch.from_numpy(arrays[f"{split}_images"]).float().div_(255.0)
        labels = torch.from_numpy(arrays[f"{split}_labels"])
        colours = torch.from_numpy(arrays[f"{split}_colours"]) if f"{split}_colours" in arrays else None
    return Split(images, labels, colours)
