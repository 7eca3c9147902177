"""The ``train`` stage: every seed of one variant, published together.

A variant's result is its distribution over ``params.seeds``; each seed trains
with the resumable engine, and only when all are done are the checkpoints, the
histories and the cost summary moved into place (and the resume states dropped).
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import torch

from aelab import paths
from aelab.config import Params
from aelab.data.loading import load_split
from aelab.io import atomic_directory, write_json
from aelab.models.registry import MODELS, build_model
from aelab.seeds import aggregate
from aelab.site import device_name
from aelab.training.checkpoint import save_checkpoint
from aelab.training.engine import fit
from aelab.training.seeding import seed_everything


def train_variant(params: Params, variant_id: str, device: torch.device) -> dict:
    """Train every seed of ``variant_id``; write its checkpoints, histories and ``train.json``."""
    variant = params.variant(variant_id)
    settings = params.training_for(variant_id)
    data_file = paths.processed_file(variant.dataset)
    layout = MODELS[variant.model.family].memory_format  # a class attribute: the same for every seed
    train, test = (load_split(data_file, split).to(device, memory_format=layout) for split in ("train", "test"))
    image_shape = tuple(train.images.shape[1:])
    dataset_digest = hashlib.sha256(data_file.read_bytes()).hexdigest()

    models, histories = {}, {}
    for seed in params.seeds:
        seed_everything(seed)
        model = build_model(variant.model, image_shape)
        model = model.to(device, memory_format=layout)
        fingerprint = _fingerprint(variant.model.model_dump(), settings.model_dump(), seed, dataset_digest)
        histories[seed] = fit(model, train, test, settings, seed, paths.training_state(variant_id, seed),
                              fingerprint, label=f"{variant_id} seed {seed}")
        models[seed] = model

    metadata = {"variant": variant_id, "dataset": variant.dataset, "image_shape": list(image_shape),
                "training": settings.model_dump()}
    with atomic_directory(paths.checkpoints_dir(variant_id)) as staging:
        for seed, model in models.items():
            save_checkpoint(staging / paths.checkpoint(variant_id, seed).name, model, variant.model,
                            metadata | {"seed": seed})
    with atomic_directory(paths.history_dir(variant_id)) as staging:
        for seed, history in histories.items():
            history.to_csv(staging / paths.history(variant_id, seed).name, index=False)
    summary = cost_summary(histories, len(train), device)
    write_json(paths.train_metrics(variant_id), summary)
    for seed in params.seeds:
        paths.training_state(variant_id, seed).unlink(missing_ok=True)
    return summary


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def cost_summary(histories: dict[int, pd.DataFrame], train_images: int, device: torch.device) -> dict:
    """Final losses and seconds per epoch (mean over seeds, and std when there are several), device."""
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
    return summary
