"""Resumable training state: everything needed to continue after the last completed epoch.

Saved atomically after every epoch, so a kill at any moment leaves either the
previous epoch's state or the new one. A state is used only when its
fingerprint (model, training settings, seed, dataset content) matches the run
being started; a stale one is ignored and overwritten. Like checkpoints it
holds only tensors and plain values and loads with ``weights_only=True``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import torch

from aelab.io import UnreadableFile, atomic_path, read_torch_file

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)
FORMAT_VERSION = (
    3  # 2: conv families renamed their layers (turned-frame layers); 3: deep_stride2 changed its first ConvT
)


class Stateful(Protocol):
    """What a resume state holds of a model (an ``nn.Module``)."""

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False) -> Any: ...


@dataclass
class TrainingState:
    fingerprint: str
    batch_order: torch.Generator
    history: list[dict[str, float]] = field(default_factory=list)


def save_state(
    path: Path, state: TrainingState, model: Stateful, optimizer: torch.optim.Optimizer, device: torch.device
) -> None:
    payload = {
        "format_version": FORMAT_VERSION,
        "fingerprint": state.fingerprint,
        "history": state.history,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "rng": {"torch": torch.get_rng_state(), "batch_order": state.batch_order.get_state()}
        | ({"cuda": torch.cuda.get_rng_state(device)} if device.type == "cuda" else {}),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temporary:
        torch.save(payload, temporary)


def load_state(
    path: Path, state: TrainingState, model: Stateful, optimizer: torch.optim.Optimizer, device: torch.device
) -> bool:
    """Restore ``path`` into the given objects if it belongs to this run; False (untouched) otherwise.

    A state that cannot be read is set aside (renamed, never deleted) with a
    warning, and training starts fresh: neither engine removes files outside
    its declared outputs, so a damaged state would otherwise block the variant
    for good.
    """
    if not path.exists():
        return False
    try:
        payload = read_torch_file(path, device)
    except UnreadableFile as error:
        aside = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%d-%H%M%S}")
        path.rename(aside)
        log.warning("%s; set aside as %s, training starts from scratch", error, aside)
        return False
    if (
        not isinstance(payload, dict)
        or payload.get("format_version") != FORMAT_VERSION
        or payload.get("fingerprint") != state.fingerprint
    ):
        log.warning("%s belongs to another configuration; starting from scratch", path)
        return False
    model.load_state_dict(payload["model"])
    optimizer.load_state_dict(payload["optimizer"])
    torch.set_rng_state(payload["rng"]["torch"].cpu())
    state.batch_order.set_state(payload["rng"]["batch_order"].cpu())
    if "cuda" in payload["rng"]:
        torch.cuda.set_rng_state(payload["rng"]["cuda"].cpu(), device)
    state.history = payload["history"]
    return True
