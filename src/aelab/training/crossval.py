"""The ``crossvalidate`` stage: k-fold cross-validation of a variant's training objective.

A single held-out test loss says little about how much it would move with
other data; cross-validation trains ``folds`` models, each on all but one part
of the training split, scores every loss term on the part it never saw, and
reports the mean and spread over folds. The folds come from scikit-learn's
``KFold`` with a seeded shuffle, so they are the same on every run; each fold
trains with the variant's first seed and resumes like any training run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.model_selection import KFold

from aelab import paths
from aelab.aggregation import aggregate
from aelab.io import write_json
from aelab.site import bf16_autocast, precision_record
from aelab.training.stage import TrainingData, fingerprint, precision_name, train_seed

if TYPE_CHECKING:
    import torch

    from aelab.config.params import Params


def fold_indices(count: int, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(training rows, held-out rows) of each fold: a partition of ``range(count)`` into ``folds`` parts."""
    return list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.arange(count)))


def crossvalidate_variant(params: Params, variant_id: str, device: torch.device) -> dict[str, object]:
    """Train and score every fold of ``variant_id``; write its cross-validation metrics JSON."""
    params.require_task("crossval", variant_id)
    variant = params.variant(variant_id)
    settings = params.crossval_training_for(variant_id)
    config = params.evaluation.crossval
    data = TrainingData.of_variant(variant, device)
    seed = params.seeds_for(variant_id)[0]
    bf16 = bf16_autocast()

    held_out = {}
    for fold, (train_rows, held_rows) in enumerate(fold_indices(data.size("train"), config.folds, config.seed)):
        _, history = train_seed(
            variant.model,
            data.split("train", train_rows),
            data.split("train", held_rows),
            settings,
            seed,
            paths.crossval_state(variant_id, fold),
            fingerprint(
                variant.model.model_dump(),
                settings.model_dump(),
                seed,
                data.digest,
                config.folds,
                config.seed,
                fold,
                precision_name(bf16),
            ),
            label=f"{variant_id} fold {fold + 1}/{config.folds}",
            bf16=bf16,
        )
        last = history.iloc[-1]
        held_out[fold] = {name.removeprefix("test_"): float(last[name]) for name in history if name.startswith("test_")}

    metrics = {"folds": config.folds, "epochs": settings.epochs} | precision_record(device, bf16) | aggregate(held_out)
    metrics |= {f"fold{fold}_loss": terms["loss"] for fold, terms in held_out.items()}
    write_json(paths.crossval_metrics(variant_id), metrics)
    for fold in held_out:
        paths.crossval_state(variant_id, fold).unlink(missing_ok=True)
    return metrics
