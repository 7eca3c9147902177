"""Train one variant: data in memory on the device, per-epoch loss terms, a checkpoint.

The whole split lives on the training device as one float tensor and batches
are index slices of it, so there is no per-batch DataLoader/collate overhead.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

import pandas as pd
import torch
from tqdm import tqdm

from aelab import paths
from aelab.config import Params
from aelab.data.loading import Split, load_split
from aelab.io import atomic_path, write_json
from aelab.models.base import Autoencoder
from aelab.models.registry import build_model
from aelab.site import device_name
from aelab.training.checkpoint import save_checkpoint
from aelab.training.seeding import isolated_rng, seed_everything

log = logging.getLogger(__name__)


def train_variant(params: Params, variant_id: str, device: torch.device) -> pd.DataFrame:
    """Train ``variant_id`` from scratch and write its checkpoint, history and cost metrics."""
    variant = params.variant(variant_id)
    settings = params.training_for(variant_id)
    seed_everything(params.seed)

    data_file = paths.processed_file(variant.dataset)
    train, test = (load_split(data_file, split).to(device) for split in ("train", "test"))
    image_shape = tuple(train.images.shape[1:])
    model = build_model(variant.model, image_shape).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate, eps=settings.adam_eps)
    batch_order = torch.Generator().manual_seed(params.seed)

    rows = []
    epochs = tqdm(range(1, settings.epochs + 1), desc=variant_id, unit="epoch", disable=None)
    for epoch in epochs:
        started = time.perf_counter()
        train_terms = _train_epoch(model, train, optimizer, settings.batch_size, batch_order)
        seconds = time.perf_counter() - started
        with isolated_rng(params.seed, device):
            test_terms = mean_loss_terms(model, test, settings.batch_size)
        rows.append(
            {"epoch": epoch}
            | {f"train_{k}": v for k, v in train_terms.items()}
            | {f"test_{k}": v for k, v in test_terms.items()}
            | {"seconds": seconds}
        )
        epochs.set_postfix(train=f"{train_terms['loss']:.2f}", test=f"{test_terms['loss']:.2f}")
        log.info("%s epoch %d: train loss %.4f, test loss %.4f, %.2f s",
                 variant_id, epoch, train_terms["loss"], test_terms["loss"], seconds)

    history = pd.DataFrame(rows)
    metadata = {
        "variant": variant_id,
        "dataset": variant.dataset,
        "image_shape": list(image_shape),
        "seed": params.seed,
        "training": settings.model_dump(),
    }
    save_checkpoint(paths.checkpoint(variant_id), model, variant.model, metadata)
    with atomic_path(paths.history(variant_id)) as temporary:
        history.to_csv(temporary, index=False)
    write_json(paths.train_metrics(variant_id), _cost_summary(history, len(train), device))
    return history


def _train_epoch(
    model: Autoencoder, data: Split, optimizer: torch.optim.Optimizer, batch_size: int, order: torch.Generator
) -> dict[str, float]:
    model.train()
    totals: dict[str, torch.Tensor] = defaultdict(lambda: torch.zeros((), device=data.images.device))
    permutation = torch.randperm(len(data), generator=order).to(data.images.device)
    for batch_indices in permutation.split(batch_size):
        batch = data.images[batch_indices]
        terms = model.loss_terms(batch, batch)
        optimizer.zero_grad(set_to_none=True)
        terms["loss"].backward()
        optimizer.step()
        for name, value in terms.items():
            totals[name] += value.detach() * len(batch)
    return {name: total.item() / len(data) for name, total in totals.items()}


@torch.no_grad()
def mean_loss_terms(model: Autoencoder, data: Split, batch_size: int) -> dict[str, float]:
    """Loss terms averaged over every image of ``data`` (model put in eval mode)."""
    model.eval()
    totals: dict[str, torch.Tensor] = defaultdict(lambda: torch.zeros((), device=data.images.device))
    for batch in data.images.split(batch_size):
        for name, value in model.loss_terms(batch, batch).items():
            totals[name] += value * len(batch)
    return {name: total.item() / len(data) for name, total in totals.items()}


def _cost_summary(history: pd.DataFrame, train_images: int, device: torch.device) -> dict:
    last = history.iloc[-1]
    # The first epoch carries one-off warm-up costs; time the steady state when there is one.
    steady = history["seconds"].iloc[1:] if len(history) > 1 else history["seconds"]
    seconds_per_epoch = float(steady.mean())
    return {
        "final_train_loss": float(last["train_loss"]),
        "final_test_loss": float(last["test_loss"]),
        "seconds_per_epoch": seconds_per_epoch,
        "images_per_second": train_images / seconds_per_epoch,
        "device": device_name(device),
    }
