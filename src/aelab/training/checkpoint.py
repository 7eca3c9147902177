"""Checkpoints: a ``state_dict`` plus the resolved config that rebuilds its model.

Only tensors and plain Python values are stored, so checkpoints load with
``torch.load(weights_only=True)`` (no pickle code execution on load).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from pydantic import TypeAdapter

from aelab.config.models import ModelConfig
from aelab.io import ResultError, UnreadableFile, atomic_path, read_torch_file
from aelab.models.registry import build_model

if TYPE_CHECKING:
    from pathlib import Path

    from aelab.config.params import Params
    from aelab.models.base import Autoencoder

FORMAT_VERSION = (
    4  # 3: conv families renamed their layers (turned-frame layers); 4: deep_stride2's first ConvT is stride 2
)
_MODEL_CONFIG = TypeAdapter(ModelConfig)


def save_checkpoint(path: Path, model: Autoencoder, model_config: ModelConfig, metadata: dict) -> None:
    save_weights(path, model, FORMAT_VERSION, model_config=model_config.model_dump(), metadata=metadata)


def load_checkpoint(path: Path, device: torch.device, expected: dict | None = None) -> tuple[Autoencoder, dict]:
    """The trained model (in eval mode, on ``device``) and the checkpoint's metadata.

    ``expected``: the run the checkpoint must come from (:func:`run_identity`); one
    written for another variant, seed or settings (a file copied over another)
    is refused, naming what differs, rather than scored as this one.
    """
    payload = load_weights(path, device, FORMAT_VERSION)
    metadata = payload["metadata"]
    if expected is not None:
        check_identity(path, _found_identity(payload), expected)
    config = _MODEL_CONFIG.validate_python(payload["model_config"])
    model = build_model(config, tuple(metadata["image_shape"]))
    model.load_state_dict(payload["state_dict"])
    return model.to(device).eval(), metadata


class ForeignResult(ResultError):
    """A checkpoint or classifier on disk was written for another run than the one params.yaml defines."""


def run_identity(params: Params, variant_id: str, seed: int) -> dict:
    """What a variant's checkpoint of one seed must have been trained as: variant, seed, dataset, model, training."""
    variant = params.variant(variant_id)
    return {
        "variant": variant_id,
        "seed": seed,
        "dataset": variant.dataset,
        "model": variant.model.model_dump(),
        "training": params.training_for(variant_id).model_dump(),
    }


def _found_identity(payload: dict) -> dict:
    metadata = payload["metadata"]
    found = {key: metadata.get(key) for key in ("variant", "seed", "dataset", "training")}
    return found | {"model": payload["model_config"]}


def check_identity(path: Path, found: dict, expected: dict) -> None:
    """Refuse ``path`` unless what it records (``found``) is what params.yaml defines (``expected``)."""
    differences = [
        f"{key} {value!r} (params.yaml: {wanted!r})" for key, (value, wanted) in _differences(found, expected).items()
    ]
    if differences:
        raise ForeignResult(path, "written for another run than params.yaml defines: " + "; ".join(differences))


def _differences(found: object, expected: object, key: str = "") -> dict[str, tuple[object, object]]:
    """Dotted key -> (found, expected) for every leaf where the two differ."""
    if isinstance(found, dict) and isinstance(expected, dict):
        differing: dict[str, tuple[object, object]] = {}
        for name in dict.fromkeys([*expected, *found]):
            differing |= _differences(found.get(name), expected.get(name), f"{key}.{name}" if key else name)
        return differing
    return {} if found == expected else {key: (found, expected)}


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
        raise UnreadableFile(path, f"checkpoint format {found!r}, this aelab reads {format_version}")
    return payload
