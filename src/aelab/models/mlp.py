"""Fully connected encoder and decoder of the MLP autoencoders (docs/study.md 2.4).

Encoder: Flatten -> [Linear(h), activation] for each hidden width; decoder: the
mirror image, then Linear(C*H*W) giving logits (sigmoid output layer). A
conditional decoder reads the one-hot class label concatenated to z.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

from aelab.data import CLASSES
from aelab.models.activations import ACTIVATIONS

if TYPE_CHECKING:
    from aelab.config.models import MlpFamilyConfig


def hidden_stack(widths: list[int], in_features: int, activation: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width in widths:
        layers += [nn.Linear(in_features, width), ACTIVATIONS[activation]()]
        in_features = width
    return nn.Sequential(*layers)


class MlpEncoder(nn.Sequential):
    """Image -> last hidden layer's features (the latent head is the family's)."""

    def __init__(self, config: MlpFamilyConfig, image_shape: tuple[int, int, int]):
        super().__init__(nn.Flatten(), hidden_stack(config.hidden, math.prod(image_shape), config.activation))


class MlpDecoder(nn.Module):
    """z (plus the one-hot label when conditional) -> logits of an image."""

    def __init__(self, config: MlpFamilyConfig, image_shape: tuple[int, int, int]):
        super().__init__()
        self.image_shape = image_shape
        self.conditional = config.conditional
        inputs = config.latent_dim + (CLASSES if config.conditional else 0)
        self.hidden = hidden_stack(config.hidden[::-1], inputs, config.activation)
        self.output = nn.Linear(config.hidden[0], math.prod(image_shape))

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        if self.conditional:
            if labels is None:
                raise ValueError("a conditional decoder needs the class labels of the codes it decodes")
            z = torch.cat([z, F.one_hot(labels, CLASSES).to(z.dtype)], dim=1)
        return self.output(self.hidden(z)).view(-1, *self.image_shape)
