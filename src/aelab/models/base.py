"""The interface every model family implements, so one training engine serves all.

Decoders return *logits*: images are ``sigmoid(logits)`` in [0, 1]. Losses are
computed from logits (exact and stable, as Keras does for a sigmoid output),
and a Tanh-output model fits the same interface because
``(tanh(a) + 1) / 2 == sigmoid(2 a)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.models.losses import RECONSTRUCTION_LOSSES, gaussian_kl

if TYPE_CHECKING:
    from collections.abc import Callable

    from aelab.config.models import FamilyConfigs, VariationalConfigs

LossTerms = dict[str, torch.Tensor]
"""Batch-averaged loss terms; ``"loss"`` is the one optimised, the rest are logged."""


class Autoencoder(nn.Module, ABC):
    """An encoder to a latent code and a decoder that returns logits.

    What a model can do comes from its config (:class:`aelab.config.models.FamilyConfig`,
    where params are checked against it), so the engine and the evaluation
    tasks ask instead of checking types: ``variational`` (a posterior and a prior
    to sample), ``conditional`` (the decoder needs class labels), ``generative``
    (``decode`` works from a code alone; false where the decoder needs encoder
    state such as pooling indices or skip connections).
    """

    latent_dim: int
    memory_format = torch.contiguous_format
    """Layout the engine gives the model and its data (channels-last is faster for convs)."""
    native_range = (0.0, 1.0)
    """The pixel scale the model works in internally (its inputs and outputs are always [0, 1])."""

    def __init__(self, config: FamilyConfigs, image_shape: tuple[int, int, int]):
        super().__init__()
        self.image_shape = image_shape
        """(channels, height, width) of the images the model encodes and decodes."""
        self.variational, self.conditional, self.generative = config.variational, config.needs_labels, config.generative
        self.reconstruction_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = RECONSTRUCTION_LOSSES[
            config.loss
        ]

    @abstractmethod
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Deterministic code of ``x`` (the posterior mean for a VAE), one row per image."""

    @abstractmethod
    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of the image decoded from ``z`` (and the class ``labels`` of a conditional model)."""

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of the deterministic reconstruction of ``x``."""
        return self.decode(self.encode(x), labels)

    def penalty(self) -> torch.Tensor | None:
        """Weight penalty added to the loss (none unless a family is regularised)."""
        return None

    def loss_terms(self, inputs: torch.Tensor, targets: torch.Tensor, labels: torch.Tensor | None = None) -> LossTerms:
        """Training objective: reconstruct ``targets`` (clean images) from ``inputs`` (maybe corrupted)."""
        recon = self.reconstruction_loss(self(inputs, labels), targets)
        return self._with_penalty({"loss": recon, "recon": recon})

    def _with_penalty(self, terms: LossTerms) -> LossTerms:
        penalty = self.penalty()
        if penalty is not None:
            terms["loss"] = terms["loss"] + penalty
            terms["penalty"] = penalty
        return terms

    def reconstruct(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Deterministic reconstruction in [0, 1]."""
        return torch.sigmoid(self(x, labels))

    def generate(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images in [0, 1] decoded from latent vectors."""
        return torch.sigmoid(self.decode(z, labels))


class VariationalAutoencoder(Autoencoder):
    """q(z | x) = N(mean, exp(logvar)); loss = reconstruction + beta * KL(q || N(0, I))."""

    def __init__(self, config: VariationalConfigs, image_shape: tuple[int, int, int]):
        super().__init__(config, image_shape)
        self.beta = config.beta

    @abstractmethod
    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x)."""

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.posterior(x)[0]

    def loss_terms(self, inputs: torch.Tensor, targets: torch.Tensor, labels: torch.Tensor | None = None) -> LossTerms:
        mean, logvar = self.posterior(inputs)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)  # reparameterisation trick
        recon = self.reconstruction_loss(self.decode(z, labels), targets)
        kl = gaussian_kl(mean, logvar)
        return self._with_penalty({"loss": recon + self.beta * kl, "recon": recon, "kl": kl})
