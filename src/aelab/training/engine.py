"""The training engine shared by every family: epochs of in-memory batches, resumable.

The whole split lives on the training device as one tensor and each batch is
an index slice of it, so there is no per-batch DataLoader/collate overhead.
Denoising (corrupt the input, keep the clean target) and conditioning (pass
the labels) are handled here, once, for every family. After each epoch the
engine saves everything a restart needs (weights, optimiser, RNG streams,
history), so a killed run continues from its last completed epoch and ends
with the same numbers as one that was never interrupted.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
import torch
from tqdm import tqdm

from aelab.errors import UserError
from aelab.noise import add_noise
from aelab.training.resume import TrainingState, load_state, save_state
from aelab.training.seeding import isolated_rng

if TYPE_CHECKING:
    from pathlib import Path

    from aelab.config.noise import NoiseConfig
    from aelab.config.training import TrainingConfig
    from aelab.data.loading import Split
    from aelab.models.base import LossTerms

log = logging.getLogger(__name__)


class Trainable(Protocol):
    """What the engine trains (an ``nn.Module``): every autoencoder family, and the sample-quality classifier."""

    conditional: bool
    """Whether ``loss_terms`` needs the class labels."""

    def loss_terms(self, inputs: torch.Tensor, targets: torch.Tensor, labels: torch.Tensor | None) -> LossTerms: ...

    # what the engine uses of nn.Module
    def parameters(self) -> Iterator[torch.nn.Parameter]: ...

    def train(self, mode: bool = True) -> Any: ...

    def eval(self) -> Any: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False) -> Any: ...


def fit(
    model: Trainable,
    train: Split,
    test: Split,
    settings: TrainingConfig,
    seed: int,
    state_file: Path,
    fingerprint: str,
    bf16: bool,
    label: str = "",
) -> pd.DataFrame:
    """Train ``model`` for ``settings.epochs`` (continuing from ``state_file`` when it matches) -> history.

    ``bf16``: train under bf16 autocast (the site's opt-in, :func:`aelab.site.bf16_autocast`), else float32.
    """
    device = train.images.device
    if settings.batch_size > len(train):
        log.warning(
            "%s: training batch_size %d is larger than the %d training images: every epoch is a single step of %d",
            label,
            settings.batch_size,
            len(train),
            len(train),
        )
    optimizer = adam(model, settings)
    state = TrainingState(fingerprint=fingerprint, batch_order=torch.Generator().manual_seed(seed))
    if load_state(state_file, state, model, optimizer, device):
        log.info("%s: resuming after epoch %d from %s", label, len(state.history), state_file)

    epochs = tqdm(range(len(state.history) + 1, settings.epochs + 1), desc=label, unit="epoch", disable=None)
    for epoch in epochs:
        started = time.perf_counter()
        train_terms = train_epoch(model, train, optimizer, settings, state.batch_order, bf16)
        seconds = time.perf_counter() - started
        with isolated_rng(seed, device):
            test_terms = mean_loss_terms(model, test, settings.batch_size, settings.noise, bf16)
        check_finite(label, epoch, {"training": train_terms, "held-out": test_terms}, settings, bf16)
        state.history.append(
            {"epoch": epoch}
            | {f"train_{k}": v for k, v in train_terms.items()}
            | {f"test_{k}": v for k, v in test_terms.items()}
            | {"seconds": seconds}
        )
        save_state(state_file, state, model, optimizer, device)
        epochs.set_postfix(train=f"{train_terms['loss']:.2f}", test=f"{test_terms['loss']:.2f}")
        log.info(
            "%s epoch %d: train loss %.4f, test loss %.4f, %.2f s",
            label,
            epoch,
            train_terms["loss"],
            test_terms["loss"],
            seconds,
        )
    return pd.DataFrame(state.history)


class TrainingDiverged(UserError):
    """A loss term became NaN or infinite: the run stops, publishing nothing."""


def check_finite(
    label: str, epoch: int, terms: dict[str, dict[str, float]], settings: TrainingConfig, bf16: bool
) -> None:
    """Stop the run in the epoch where a loss term stops being finite, naming it and what to try.

    A diverged model would otherwise be published: NaN weights, NaN in every
    metric downstream, blank cells in the report. The check runs before the
    epoch's resume state is saved, so the last good epoch stays resumable.
    """
    for split, values in terms.items():
        bad = {name: value for name, value in values.items() if not math.isfinite(value)}
        if bad:
            found = ", ".join(f"{name} = {value}" for name, value in bad.items())
            hints = [
                f"a lower learning rate (training.learning_rate is {settings.learning_rate:g})",
                "another loss or beta",
            ] + (["float32 training (unset AELAB_PRECISION)"] if bf16 else [])
            raise TrainingDiverged(
                f"{label}: the {split} loss is not finite in epoch {epoch} ({found}); nothing was "
                f"published. Try {', or '.join(hints)}."
            )


def adam(model: Trainable, settings: TrainingConfig) -> torch.optim.Adam:
    """The study's optimiser (Adam, Keras eps), fused into one kernel per step."""
    return torch.optim.Adam(model.parameters(), lr=settings.learning_rate, eps=settings.adam_eps, fused=True)


def train_epoch(
    model: Trainable,
    data: Split,
    optimizer: torch.optim.Optimizer,
    settings: TrainingConfig,
    order: torch.Generator,
    bf16: bool,
) -> dict[str, float]:
    model.train()
    totals: dict[str, torch.Tensor] = defaultdict(lambda: torch.zeros((), device=data.images.device))
    permutation = torch.randperm(len(data), generator=order).to(data.images.device)
    for indices in permutation.split(settings.batch_size):
        labels = data.labels[indices] if model.conditional else None
        terms = _batch_terms(model, data.images[indices], labels, settings.noise, bf16)
        optimizer.zero_grad(set_to_none=True)
        terms["loss"].backward()
        optimizer.step()
        for name, value in terms.items():
            totals[name] += value.detach() * len(indices)
    return {name: total.item() / len(data) for name, total in totals.items()}


@torch.no_grad()
def mean_loss_terms(
    model: Trainable, data: Split, batch_size: int, noise: NoiseConfig | None = None, bf16: bool = False
) -> dict[str, float]:
    """Loss terms averaged over every image of ``data`` (model in eval mode; inputs corrupted by ``noise``)."""
    model.eval()
    totals: dict[str, torch.Tensor] = defaultdict(lambda: torch.zeros((), device=data.images.device))
    for targets, labels in zip(data.images.split(batch_size), data.labels.split(batch_size), strict=True):
        terms = _batch_terms(model, targets, labels if model.conditional else None, noise, bf16)
        for name, value in terms.items():
            totals[name] += value.float() * len(targets)
    return {name: total.item() / len(data) for name, total in totals.items()}


def _batch_terms(
    model: Trainable, targets: torch.Tensor, labels: torch.Tensor | None, noise: NoiseConfig | None, bf16: bool
) -> dict[str, torch.Tensor]:
    """One batch's loss terms: inputs corrupted by ``noise`` (denoising), targets clean."""
    inputs = add_noise(targets, noise) if noise else targets
    with torch.autocast(targets.device.type, dtype=torch.bfloat16, enabled=bf16):
        return model.loss_terms(inputs, targets, labels)
