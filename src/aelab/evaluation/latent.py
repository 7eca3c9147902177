"""Latent space: how codes arrange by class (and, for CMNIST, by stroke colour), as figures and as numbers.

The silhouette score of the codes by label (scikit-learn, Euclidean) turns
"these clusters separate better" into a measurement: +1 is tight, well
separated groups, 0 overlapping ones. On CMNIST the codes are scored twice, by
digit and by stroke colour: the larger score says which of the two the model
clusters by; and twice again, on the test split (90% bias-conflicting: digit
and colour come apart) and on a sample of the training pool (mostly
bias-aligned: what the published experiment plotted). Figures by latent size:
1-D per-group distributions, 2-D scatter, 3-D the three 2-D projections; more
than 3-D a t-SNE map (seeded) of the codes of the first ``tsne_points``
training images. Every seed is drawn: seeds differ in what their codes show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from aelab.evaluation.tasks import FigureWriter, Task
from aelab.plotting import figures as plots

if TYPE_CHECKING:
    import numpy as np

    from aelab.data.loading import Split
    from aelab.evaluation.context import Context

GROUPINGS = {"class": "labels", "colour": "colours"}
"""Figure and metric suffix -> the Split field that labels the codes (colours exist for CMNIST only)."""
TRAINING_VIEW = "_train"
"""Suffix of the scores and figures of training codes (datasets with stroke colours only)."""
TRAINING_SAMPLE_SEED = 0
"""The training images scored are the first ``points`` of a permutation with this seed: the same images for every
model (the pooled CMNIST is stored level by level, so its first images would all come from one level)."""


def groups(split: Split, rows: torch.Tensor) -> dict[str, np.ndarray]:
    found = {name: getattr(split, field) for name, field in GROUPINGS.items()}
    return {name: values[rows.to(values.device)].cpu().numpy() for name, values in found.items() if values is not None}


def silhouette_key(grouping: str, view: str = "") -> str:
    return ("silhouette" if grouping == "class" else f"silhouette_{grouping}") + view


def figure_name(grouping: str, view: str = "") -> str:
    return ("latent" if grouping == "class" else f"latent_{grouping}") + view


def views(ctx: Context, points: int) -> dict[str, tuple[Split, torch.Tensor]]:
    """The splits whose codes are scored, with the rows taken: the test split's first ``points`` images, and for
    a dataset with stroke colours a fixed random sample of the training pool."""
    chosen = {"": (ctx.test, torch.arange(min(points, len(ctx.test))))}
    if ctx.test.colours is not None:
        train = ctx.split("train")
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(TRAINING_SAMPLE_SEED))
        chosen[TRAINING_VIEW] = (train, order[:points].sort().values)
    return chosen


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    from sklearn.metrics import silhouette_score

    settings = ctx.settings.latent
    dim = ctx.model.latent_dim
    metrics: dict[str, float] = {"latent_dim": dim}
    for view, (split, rows) in views(ctx, settings.points).items():
        codes = ctx.encode(split.images[rows.to(split.images.device)]).double().cpu().numpy()
        by = groups(split, rows)
        metrics |= {silhouette_key(name, view): float(silhouette_score(codes, labels)) for name, labels in by.items()}
        if figures:
            if dim > 3:
                codes, by = tsne_of_training_codes(ctx, settings.tsne_points) if view == "" else (tsne(ctx, codes), by)
            for name, labels in by.items():
                figures.save(latent_figure(codes, labels, name, dim), figure_name(name, view))
    return metrics


def tsne(ctx: Context, codes: np.ndarray) -> np.ndarray:
    """A 2-D t-SNE map of ``codes``, seeded by the run's seed."""
    from sklearn.manifold import TSNE

    return TSNE(random_state=ctx.seed, init="pca").fit_transform(codes)


def tsne_of_training_codes(ctx: Context, count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A t-SNE map of the codes of the first ``count`` training images, and their groups."""
    train = ctx.split("train")
    rows = torch.arange(min(count, len(train)))
    codes = ctx.encode(train.images[: len(rows)]).double().cpu().numpy()
    return tsne(ctx, codes), groups(train, rows)


def latent_figure(codes: np.ndarray, labels: np.ndarray, grouping: str, dim: int):
    if dim == 1:
        return plots.latent_distributions(codes[:, 0], labels, grouping)
    if dim == 3:
        return plots.latent_projections(codes, labels, grouping)
    names = ("t-SNE 1", "t-SNE 2") if dim > 3 else ("z[0]", "z[1]")
    return plots.latent_scatter(codes, labels, axis_names=names, grouping=grouping)


TASK = Task(
    run,
    figures=tuple(figure_name(grouping, view) for view in ("", TRAINING_VIEW) for grouping in GROUPINGS),
    per_seed=tuple(silhouette_key(grouping, view) for view in ("", TRAINING_VIEW) for grouping in GROUPINGS),
    every_seed_drawn=True,
)
