"""A small CNN whose hidden layer is the feature space of the sample-quality score.

Two conv/pool blocks and one dense hidden layer: enough for ~99% on MNIST and
cheap to train on a CPU. It implements the engine's ``loss_terms`` interface,
so the same resumable engine that trains the autoencoders trains it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

from aelab.data import CLASSES
from aelab.training.checkpoint import check_identity, load_weights, save_weights

if TYPE_CHECKING:
    from pathlib import Path

    from aelab.config.tasks import ClassifierConfig
    from aelab.models.base import LossTerms

FORMAT_VERSION = 2
"""2: the metadata name the training settings (a classifier of other settings is refused)."""


class SampleClassifier(nn.Module):
    conditional = True
    """The engine passes it the labels (its targets)."""
    memory_format = torch.contiguous_format

    def __init__(self, image_shape: tuple[int, int, int], features: int = 128):
        super().__init__()
        channels, height, width = image_shape
        self.image_shape = image_shape
        self.features = nn.Sequential(
            nn.Conv2d(channels, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * (height // 4) * (width // 4), features),
            nn.ReLU(),
        )
        self.head = nn.Linear(features, CLASSES)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits."""
        return self.head(self.features(images))

    def loss_terms(self, inputs: torch.Tensor, targets: torch.Tensor, labels: torch.Tensor | None) -> LossTerms:
        if labels is None:
            raise ValueError("the classifier learns from labels: its data has none")
        logits = self(inputs)
        return {"loss": F.cross_entropy(logits, labels), "error": (logits.argmax(1) != labels).float().mean()}

    @torch.no_grad()
    def embed(self, images: torch.Tensor, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(hidden features, class probabilities) of ``images``, computed in batches."""
        self.eval()
        features = torch.cat([self.features(batch) for batch in images.split(batch_size)])
        return features, self.head(features).softmax(1)


def classifier_identity(config: ClassifierConfig, dataset: str) -> dict:
    """What the classifier of ``dataset`` must have been trained as: its dataset, seed and training settings."""
    return {"dataset": dataset, "seed": config.seed, "training": config.training.model_dump()}


def save_classifier(path: Path, model: SampleClassifier, identity: dict) -> None:
    save_weights(path, model, FORMAT_VERSION, image_shape=list(model.image_shape), metadata=identity)


def load_classifier(path: Path, device: torch.device, expected: dict | None = None) -> SampleClassifier:
    """The classifier at ``path``; refused when ``expected`` (:func:`classifier_identity`) is not what it records."""
    payload = load_weights(path, device, FORMAT_VERSION)
    if expected is not None:
        check_identity(path, payload["metadata"], expected)
    model = SampleClassifier(tuple(payload["image_shape"]))
    model.load_state_dict(payload["state_dict"])
    return model.to(device).eval()
