"""Latent space: how the test set's codes arrange by class, as a figure and as a number.

The silhouette score of the codes by label (scikit-learn, Euclidean) turns
"these clusters separate better" into a measurement: +1 is tight, well
separated classes, 0 overlapping ones. Figures by latent size: 1-D per-class
distributions, 2-D scatter, 3-D the three 2-D projections, more than 3-D a
t-SNE map of the codes (seeded).
"""

from __future__ import annotations

from pathlib import Path

from aelab.evaluation.context import Context
from aelab.plotting import figures as plots


def run(ctx: Context, figures: Path | None) -> dict[str, float]:
    from sklearn.manifold import TSNE
    from sklearn.metrics import silhouette_score

    settings = ctx.settings.latent
    kept = slice(0, settings.points)
    codes = ctx.encode(ctx.test.images[kept]).double().cpu().numpy()
    labels = ctx.test.labels[kept].cpu().numpy()
    metrics = {"silhouette": float(silhouette_score(codes, labels)), "latent_dim": codes.shape[1]}
    if figures:
        dim = codes.shape[1]
        if dim == 1:
            figure = plots.latent_distributions(codes[:, 0], labels)
        elif dim == 2:
            figure = plots.latent_scatter(codes, labels)
        elif dim == 3:
            figure = plots.latent_projections(codes, labels)
        else:
            shown = slice(0, settings.tsne_points)
            embedded = TSNE(random_state=ctx.seed, init="pca").fit_transform(codes[shown])
            figure = plots.latent_scatter(embedded, labels[shown], axis_names=("t-SNE 1", "t-SNE 2"))
        plots.save(figure, figures / "latent.png")
    return metrics
