"""Checkpoints: a ``state_dict`` plus the resolved config that rebuilds its model.

Only tensors and plain Python values are stored, so checkpoints load with
``torch.load(weights_only=True)`` (no pickle code execution on load).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from pydantic import TypeAdapter

from aelab.config.models import ModelConfig
from aelab.io import RERUN, UnreadableFile, atomic_path, read_torch_file
from aelab.models.registry import build_model

if TYPE_CHECKING:
    from pathlib import Path

    from aelab.models.base import Autoencoder

FORMAT_VERSION = (
    4  # 3: conv families renamed their layers (turned-frame layers); 4: deep_stride2's first ConvT is stride 2
)
_MODEL_CONFIG = TypeAdapter(ModelConfig)


def save_checkpoint(path: Path, model: Autoencoder, model_config: ModelConfig, metadata: dict) -> None:
    save_weights(path, model, FORMAT_VERSION, model_config=model_config.model_dump(), metadata=metadata)


def load_checkpoint(path: Path, device: torch.device) -> tuple[Autoencoder, dict]:
    """The trained model (in eval mode, on ``device``) and the checkpoint's metadata."""
    payload = load_weights(path, device, FORMAT_VERSION)
    config = _MODEL_CONFIG.validate_python(payload["model_config"])
    metadata = payload["metadata"]
    model = build_model(config, tuple(metadata["image_shape"]))
    model.load_state_dict(payload["state_dict"])
    return model.to(device).eval(), metadata


def save_weights(path: Path, model: torch.nn.Module, format_version: int, **fields: object) -> None:
    """Write ``model``'s ``state_dict`` (on CPU) and plain ``fields`` atomically, tagged with a format version."""
    payload = {
        "format_version": format_version,
        **fields,
        "state_dict": {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()},
    }
    with atomic_path(path) as temporary:
        torch.save(payload, temporary)


def load_weights(path: Path, device: torch.device, format_version: int) -> dict:
    """A payload written by :func:`save_weights`, loaded with ``weights_only=True``.

    A file that is not one (truncated, damaged, holding code objects, another
    format version) is an :class:`UnreadableFile` error naming it and what to do.
    """
    payload = read_torch_file(path, device)
    if not isinstance(payload, dict) or payload.get("format_version") != format_version:
        found = payload.get("format_version") if isinstance(payload, dict) else type(payload).__name__
        raise UnreadableFile(f"{path}: checkpoint format {found!r}, this aelab reads {format_version}: {RERUN}")
    return payload
