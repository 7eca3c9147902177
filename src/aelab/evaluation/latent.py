"""Latent space: how codes arrange by class (and, for CMNIST, by stroke colour), as figures and as numbers.

The silhouette score of the test codes by label (scikit-learn, Euclidean)
turns "these clusters separate better" into a measurement: +1 is tight, well
separated groups, 0 overlapping ones. On CMNIST the codes are scored twice, by
digit and by stroke colour: the larger score says which of the two the model
clusters by. Figures by latent size: 1-D per-group distributions, 2-D scatter,
3-D the three 2-D projections of the test codes; more than 3-D a t-SNE map
(seeded) of the codes of the first ``tsne_points`` training images.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aelab.data.loading import Split
from aelab.evaluation.context import Context
from aelab.plotting import figures as plots

GROUPINGS = {"class": "labels", "colour": "colours"}
"""Figure and metric suffix -> the Split field that labels the codes (colours exist for CMNIST only)."""


def groups(split: Split, kept: slice) -> dict[str, np.ndarray]:
    found = {name: getattr(split, field) for name, field in GROUPINGS.items()}
    return {name: values[kept].cpu().numpy() for name, values in found.items() if values is not None}


def silhouette_key(grouping: str) -> str:
    return "silhouette" if grouping == "class" else f"silhouette_{grouping}"


def figure_name(grouping: str) -> str:
    return "latent" if grouping == "class" else f"latent_{grouping}"


def run(ctx: Context, figures: Path | None) -> dict[str, float]:
    from sklearn.metrics import silhouette_score

    settings = ctx.settings.latent
    kept = slice(0, settings.points)
    codes = ctx.encode(ctx.test.images[kept]).double().cpu().numpy()
    by = groups(ctx.test, kept)
    metrics = {"latent_dim": codes.shape[1]}
    metrics |= {silhouette_key(name): float(silhouette_score(codes, labels)) for name, labels in by.items()}
    if figures:
        dim = codes.shape[1]
        if dim > 3:
            codes, by = tsne_of_training_codes(ctx, settings.tsne_points)
        for name, labels in by.items():
            plots.save(latent_figure(codes, labels, name, dim), figures / f"{figure_name(name)}.png")
    return metrics


def tsne_of_training_codes(ctx: Context, count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A seeded 2-D t-SNE map of the codes of the first ``count`` training images, and their groups."""
    from sklearn.manifold import TSNE

    train, kept = ctx.split("train"), slice(0, count)
    codes = ctx.encode(train.images[kept]).double().cpu().numpy()
    return TSNE(random_state=ctx.seed, init="pca").fit_transform(codes), groups(train, kept)


def latent_figure(codes: np.ndarray, labels: np.ndarray, grouping: str, dim: int):
    if dim == 1:
        return plots.latent_distributions(codes[:, 0], labels, grouping)
    if dim == 3:
        return plots.latent_projections(codes, labels, grouping)
    names = ("t-SNE 1", "t-SNE 2") if dim > 3 else ("z[0]", "z[1]")
    return plots.latent_scatter(codes, labels, axis_names=names, grouping=grouping)
