"""The ``train`` stage: every seed of one variant, published together.

A variant's result is its distribution over its seeds (``Params.seeds_for``); each seed trains
with the resumable engine, and only when all are done are the checkpoints, the
histories and the cost summary moved into place (and the resume states dropped).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import torch

from aelab import paths
from aelab.aggregation import aggregate
from aelab.data.loading import Split, load_split
from aelab.io import atomic_directory, write_json
from aelab.models.registry import MODELS, build_model
from aelab.site import bf16_autocast, device_name, precision_record
from aelab.training.checkpoint import save_checkpoint
from aelab.training.engine import fit
from aelab.training.seeding import seed_everything

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from aelab.config.models import ModelConfig
    from aelab.config.params import Params
    from aelab.config.training import TrainingConfig
    from aelab.config.variants import VariantConfig
    from aelab.models.base import Autoencoder


def train_variant(params: Params, variant_id: str, device: torch.device) -> dict:
    """Train every seed of ``variant_id``; write its checkpoints, histories and ``train.json``."""
    variant = params.variant(variant_id)
    settings = params.training_for(variant_id)
    data = TrainingData.of_variant(variant, device)
    train, test = data.split("train"), data.split("test")
    bf16 = bf16_autocast()

    models, histories = {}, {}
    seeds = params.seeds_for(variant_id)
    for seed in seeds:
        models[seed], histories[seed] = train_seed(
            variant.model,
            train,
            test,
            settings,
            seed,
            paths.training_state(variant_id, seed),
            fingerprint(variant.model.model_dump(), settings.model_dump(), seed, data.digest, precision_name(bf16)),
            label=f"{variant_id} seed {seed}",
            bf16=bf16,
        )

    metadata = {
        "variant": variant_id,
        "dataset": variant.dataset,
        "image_shape": list(train.images.shape[1:]),
        "training": settings.model_dump(),
    }
    with atomic_directory(paths.checkpoints_dir(variant_id)) as staging:
        for seed, model in models.items():
            save_checkpoint(
                staging / paths.checkpoint(variant_id, seed).name, model, variant.model, metadata | {"seed": seed}
            )
    with atomic_directory(paths.history_dir(variant_id)) as staging:
        for seed, history in histories.items():
            history.to_csv(staging / paths.history(variant_id, seed).name, index=False)
    summary = cost_summary(histories, len(train), device, bf16)
    write_json(paths.train_metrics(variant_id), summary)
    for seed in seeds:
        paths.training_state(variant_id, seed).unlink(missing_ok=True)
    return summary


@dataclass
class TrainingData:
    """A dataset read once onto the training device, in the layout the model trains fastest in, and handed out."""

    file: Path
    layout: torch.memory_format
    device: torch.device
    _read: dict[str, Split] = field(default_factory=dict, repr=False)

    @classmethod
    def of_variant(cls, variant: VariantConfig, device: torch.device) -> TrainingData:
        # memory_format is a class attribute: the same for every seed and fold.
        return cls(paths.processed_file(variant.dataset), MODELS[variant.model.family].memory_format, device)

    def split(self, name: str, rows: np.ndarray | None = None) -> Split:
        """A split (or a copy of some ``rows`` of it) on the training device."""
        whole = self._loaded(name)
        if rows is None:
            return whole
        return whole.take(torch.from_numpy(rows).to(self.device)).to(memory_format=self.layout)

    def size(self, name: str) -> int:
        return len(self._loaded(name))

    def _loaded(self, name: str) -> Split:
        """The split as read, once, on the device and in the layout (the one copy of it held)."""
        if name not in self._read:
            self._read[name] = load_split(self.file, name, self.device, self.layout)
        return self._read[name]

    @cached_property
    def digest(self) -> str:
        """The dataset file's sha256: part of every resume fingerprint."""
        return hashlib.sha256(self.file.read_bytes()).hexdigest()


def train_seed(
    model_config: ModelConfig,
    train: Split,
    test: Split,
    settings: TrainingConfig,
    seed: int,
    state_file: Path,
    run_fingerprint: str,
    label: str,
    bf16: bool,
) -> tuple[Autoencoder, pd.DataFrame]:
    """A freshly seeded model trained by the resumable engine -> (model, history)."""
    seed_everything(seed)
    layout = MODELS[model_config.family].memory_format
    channels, height, width = train.images.shape[1:]
    model = build_model(model_config, (channels, height, width)).to(train.images.device).to(memory_format=layout)
    history = fit(model, train, test, settings, seed, state_file, run_fingerprint, bf16, label=label)
    return model, history


def fingerprint(*parts: object) -> str:
    """What a resume state must match: a hash of everything that shapes the run."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def precision_name(bf16: bool) -> str:
    """The precision as the resume fingerprint names it: a run never continues in another precision."""
    return "bf16" if bf16 else "fp32"


def cost_summary(histories: dict[int, pd.DataFrame], train_images: int, device: torch.device, bf16: bool) -> dict:
    """Final losses and seconds per epoch (mean over seeds, and std when there are several), device, precision."""

    def last_epoch(history: pd.DataFrame) -> dict[str, float]:
        # The first epoch carries one-off warm-up costs; time the steady state when there is one.
        seconds = history["seconds"].iloc[1:] if len(history) > 1 else history["seconds"]
        return {
            "final_train_loss": float(history["train_loss"].iloc[-1]),
            "final_test_loss": float(history["test_loss"].iloc[-1]),
            "seconds_per_epoch": float(seconds.mean()),
        }

    summary: dict = {"seeds": len(histories)}
    summary |= aggregate({seed: last_epoch(history) for seed, history in histories.items()})
    summary["images_per_second"] = train_images / summary["seconds_per_epoch"]
    summary["device"] = device_name(device)
    return summary | precision_record(device, bf16)
