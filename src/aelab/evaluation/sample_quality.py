"""Sample quality: how much generated images look like the real test set, as numbers.

A small classifier trained by the pipeline on the variant's dataset
(:mod:`aelab.classifier`) embeds images in its hidden layer. Two scores:

* the Frechet distance between Gaussians fitted to the features of generated
  and of real test images (the FID recipe with a domain-specific network): 0
  for identical feature statistics, growing as samples drift from the data;
* the share of generated samples the classifier assigns to one class with
  probability >= ``confidence`` (blurry in-between digits are not confident).

Each comes with its reference on real data, so a reader sees the floor:
the distance between as many real *training* images and the test images, and
the confident share of the real test images. A conditional model adds the
share of samples classified as the label they were generated for. A
deterministic AE is scored for both of its samplers (per-dimension and
full-covariance Gaussian, :mod:`aelab.evaluation.generation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aelab import paths
from aelab.classifier.model import classifier_identity, load_classifier
from aelab.evaluation.generation import PUBLISHED, class_labels, code_distributions
from aelab.evaluation.tasks import FigureWriter, Task
from aelab.plotting import figures as plots
from aelab.training.seeding import isolated_rng

if TYPE_CHECKING:
    import torch

    from aelab.evaluation.context import Context


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) of Gaussians fitted to feature rows ``a`` and ``b``.

    Tr((S_a S_b)^(1/2)) is the sum of the square roots of the eigenvalues of the
    symmetric S_a^(1/2) S_b S_a^(1/2), which stays exact and real when the
    covariances are singular (fewer images than features, or dead ReLU units).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root_a = _psd_sqrt(cov_a)
    cross = np.sqrt(np.linalg.eigvalsh(root_a @ cov_b @ root_a).clip(min=0)).sum()
    distance = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * cross
    return float(max(distance, 0.0))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(values.clip(min=0))) @ vectors.T


def confident_share(probabilities: torch.Tensor, confidence: float) -> float:
    """Fraction of rows whose largest class probability is at least ``confidence``."""
    return float((probabilities.max(1).values >= confidence).float().mean())


def _rows(features: torch.Tensor) -> np.ndarray:
    return features.double().cpu().numpy()


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    settings = ctx.settings.sample_quality
    dataset = ctx.metadata["dataset"]
    classifier = load_classifier(
        paths.classifier_model(dataset), ctx.device, expected=classifier_identity(settings.classifier, dataset)
    )
    labels = class_labels(ctx, settings.samples)
    with isolated_rng(ctx.seed, ctx.device):
        generated = {
            suffix: ctx.generate(distribution.sample((settings.samples,)).float(), labels)
            for suffix, distribution in code_distributions(ctx).items()
        }
    real = ctx.test.images[: settings.samples]
    reference = ctx.split("train").images[: len(real)]

    batch = ctx.settings.batch_size
    real_features, real_probabilities = classifier.embed(real, batch)
    reference_features, _ = classifier.embed(reference, batch)
    metrics = {
        "reference_frechet_distance": frechet_distance(_rows(reference_features), _rows(real_features)),
        "reference_confident_share": confident_share(real_probabilities, settings.confidence),
    }
    confidences = {}
    for suffix, images in generated.items():
        features, probabilities = classifier.embed(images, batch)
        confidences[suffix] = probabilities.max(1).values
        metrics[f"frechet_distance{suffix}"] = frechet_distance(_rows(features), _rows(real_features))
        metrics[f"confident_share{suffix}"] = confident_share(probabilities, settings.confidence)
        if labels is not None:
            metrics[f"label_agreement{suffix}"] = float((probabilities.argmax(1).cpu() == labels).float().mean())
    if figures:
        images, confidence = generated[PUBLISHED], confidences[PUBLISHED]
        top = {"generated": confidence.cpu().numpy(), "real test": real_probabilities.max(1).values.cpu().numpy()}
        figures.save(plots.histograms(top, "classifier's top class probability"), "confidence")
        order = confidence.argsort(descending=True).cpu()
        shown = min(16, len(order))
        figures.save(
            plots.image_rows({"most confident": images[order[:shown]], "least confident": images[order[-shown:]]}),
            "extremes",
        )
    return metrics


TASK = Task(run, figures=("confidence", "extremes"))
