"""The interface every model family implements, so one training loop serves all."""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import nn

LossTerms = dict[str, torch.Tensor]
"""Batch-averaged loss terms; ``"loss"`` is the one optimised, the rest are logged."""


class Autoencoder(nn.Module, ABC):
    """An encoder to a latent code and a decoder that returns logits."""

    latent_dim: int

    @abstractmethod
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Deterministic code of ``x`` (the posterior mean for a VAE)."""

    @abstractmethod
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Logits of the reconstruction of ``z``."""

    @abstractmethod
    def loss_terms(self, x: torch.Tensor, target: torch.Tensor) -> LossTerms:
        """Training objective on input ``x`` against ``target`` (``x`` itself, or clean data)."""

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Deterministic reconstruction in [0, 1]."""
        return torch.sigmoid(self.decode(self.encode(x)))

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] decoded from latent vectors."""
        return torch.sigmoid(self.decode(z))
