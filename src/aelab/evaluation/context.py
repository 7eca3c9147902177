"""What every evaluation task reads: one seed's trained model and its test data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

from aelab import paths
from aelab.data.loading import Split, load_split
from aelab.training.checkpoint import load_checkpoint, run_identity

if TYPE_CHECKING:
    from aelab.config.params import Params
    from aelab.config.tasks import EvaluationConfig
    from aelab.models.base import Autoencoder


@dataclass
class Context:
    params: Params
    variant_id: str
    seed: int
    model: Autoencoder
    metadata: dict
    device: torch.device
    splits: dict[tuple[str, str], Split] = field(default_factory=dict)
    """Loaded splits by (dataset, split); pass one dict to every seed's context to read each file once."""

    @classmethod
    def load(
        cls, params: Params, variant_id: str, seed: int, device: torch.device, splits: dict[tuple[str, str], Split]
    ) -> Context:
        """The seed's trained model, refused unless it was trained as params.yaml defines the variant."""
        checkpoint = paths.checkpoint(variant_id, seed)
        model, metadata = load_checkpoint(checkpoint, device, expected=run_identity(params, variant_id, seed))
        return cls(params, variant_id, seed, model, metadata, device, splits)

    @property
    def settings(self) -> EvaluationConfig:
        return self.params.evaluation

    def split(self, name: str, dataset: str | None = None) -> Split:
        """A split of the variant's dataset (or of another one, e.g. the anomaly set), on the device."""
        key = (dataset or self.metadata["dataset"], name)
        if key not in self.splits:
            self.splits[key] = load_split(paths.processed_file(key[0]), name, self.device)
        return self.splits[key]

    @property
    def test(self) -> Split:
        return self.split("test")

    @torch.no_grad()
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.model.encode(batch) for batch in images.split(self.settings.batch_size)])

    @torch.no_grad()
    def reconstruct(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        batches = zip(images.split(self.settings.batch_size), labels.split(self.settings.batch_size), strict=True)
        return torch.cat([self.model.reconstruct(x, y) for x, y in batches])

    @torch.no_grad()
    def generate(self, codes: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.model.generate(codes.to(self.device), None if labels is None else labels.to(self.device))
