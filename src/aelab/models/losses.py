"""Loss terms shared by every family.

Convention of docs/study.md: reconstruction losses and KL are *summed over pixels
(or latent dimensions) and averaged over the batch*, so an MNIST BCE is
~100-200 nats per image. Models output logits; BCE is computed from the logits
(as Keras does for a sigmoid output), which is exact and numerically stable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

if TYPE_CHECKING:
    from collections.abc import Callable


def bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, target, reduction="sum") / len(target)


def mse(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(torch.sigmoid(logits), target, reduction="sum") / len(target)


RECONSTRUCTION_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "bce": bce,
    "mse": mse,
}


def gaussian_kl_per_dim(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, 1)) per sample and latent dimension.

    Kingma & Welling (2014), Auto-Encoding Variational Bayes, appendix B:
    -KL = 1/2 * sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2).
    """
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL summed over latent dimensions, averaged over the batch."""
    return gaussian_kl_per_dim(mu, logvar).sum() / len(mu)
