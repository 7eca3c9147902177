"""Anomaly detection: a model trained on MNIST scores Fashion-MNIST images by reconstruction error.

Score = per-image MSE of the reconstruction; anomalies (the other dataset's
test images) are the positive class. ROC AUC and average precision come from
scikit-learn. The reconstructions of anomalies show why it works: they come
out as digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from aelab.evaluation.tasks import FigureWriter, Task
from aelab.plotting import figures as plots

if TYPE_CHECKING:
    from aelab.evaluation.context import Context


def reconstruction_errors(ctx: Context, images: torch.Tensor, labels: torch.Tensor) -> tuple[np.ndarray, torch.Tensor]:
    reconstructed = ctx.reconstruct(images, labels)
    return (images - reconstructed).double().pow(2).flatten(1).mean(1).cpu().numpy(), reconstructed


def detection_scores(normal: np.ndarray, anomalous: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    scores = np.concatenate([normal, anomalous])
    truth = np.concatenate([np.zeros(len(normal)), np.ones(len(anomalous))])
    return {
        "roc_auc": float(roc_auc_score(truth, scores)),
        "average_precision": float(average_precision_score(truth, scores)),
    }


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    settings = ctx.settings.anomaly
    outliers = ctx.split("test", settings.dataset)
    # The outliers' own labels mean nothing to this model: a conditional decoder gets class 0.
    normal, _ = reconstruction_errors(ctx, ctx.test.images, ctx.test.labels)
    anomalous, reconstructed = reconstruction_errors(ctx, outliers.images, torch.zeros_like(outliers.labels))
    metrics = detection_scores(normal, anomalous) | {
        "mean_error_normal": float(normal.mean()),
        "mean_error_anomalous": float(anomalous.mean()),
    }
    if figures:
        figures.save(
            plots.histograms(
                {ctx.metadata["dataset"]: normal, settings.dataset: anomalous}, "reconstruction MSE per image"
            ),
            "error_histogram",
        )
        shown = slice(0, settings.shown)
        figures.save(
            plots.image_rows({settings.dataset: outliers.images[shown], "reconstructed": reconstructed[shown]}),
            "anomalies",
        )
    return metrics


TASK = Task(run, figures=("error_histogram", "anomalies"))
