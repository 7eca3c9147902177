"""Model families by name: ``model.family`` in params.yaml selects the class.

A plain dict, so adding a family is one import and one line, and an unknown
name is caught by the params schema before anything trains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aelab.models.coco_conv import CocoConvAE
from aelab.models.conv_ae import ConvAE
from aelab.models.conv_vae import ConvVAE
from aelab.models.mlp_ae import MlpAE
from aelab.models.mlp_vae import MlpVAE

if TYPE_CHECKING:
    from aelab.config.models import ModelConfig
    from aelab.models.base import Autoencoder

MODELS: dict[str, type[Autoencoder]] = {
    "conv_vae": ConvVAE,
    "conv_ae": ConvAE,
    "mlp_ae": MlpAE,
    "mlp_vae": MlpVAE,
    "coco_conv": CocoConvAE,
}


def build_model(config: ModelConfig, image_shape: tuple[int, int, int]) -> Autoencoder:
    """A freshly initialised model of the config's family for images of ``image_shape`` (C, H, W)."""
    return MODELS[config.family](config, image_shape)
