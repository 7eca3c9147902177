"""The figures of a variant's evaluation, each a function returning a matplotlib Figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from aelab.io import atomic_path
from aelab.plotting.grid import image_grid

LOSS_TERMS = {"loss": "total", "recon": "reconstruction", "kl": "KL"}


def save(figure: Figure, target: Path) -> None:
    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", dpi=110, bbox_inches="tight")


def _show_images(axes, images: torch.Tensor, columns: int) -> None:
    axes.imshow(image_grid(images.cpu().numpy(), columns), cmap="gray", vmin=0, vmax=1)


def image_rows(rows: dict[str, torch.Tensor]) -> Figure:
    """One labelled row of images per entry (e.g. original / masked / reconstructed)."""
    columns = max(len(images) for images in rows.values())
    figure = Figure(figsize=(columns * 0.9, 1.1 * len(rows) + 0.2))
    axes = figure.subplots()
    _show_images(axes, torch.cat(list(rows.values())), columns)
    height = axes.get_ylim()[0]
    axes.set_xticks([])
    axes.set_yticks([height * (i + 0.5) / len(rows) for i in range(len(rows))], list(rows))
    return figure


def image_panels(panels: dict[str, torch.Tensor], columns: int) -> Figure:
    """Side-by-side grids of images, one per titled panel."""
    width = max(4.2, 0.5 * columns)
    rows = max(-(-len(images) // columns) for images in panels.values())
    figure = Figure(figsize=(width * len(panels), 0.5 + width * rows / columns))
    for axes, (title, images) in zip(np.atleast_1d(figure.subplots(1, len(panels))), panels.items(), strict=True):
        _show_images(axes, images, columns)
        axes.set_title(title)
        axes.set_axis_off()
    return figure


def latent_scatter(
    codes: np.ndarray, labels: np.ndarray, axis_names: tuple[str, str] = ("z[0]", "z[1]"), grouping: str = "class"
) -> Figure:
    """2-D codes (or a 2-D map of them) coloured by class (or by another grouping, e.g. stroke colour)."""
    figure = Figure(figsize=(6, 5))
    axes = figure.subplots()
    points = axes.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=4, alpha=0.7, vmin=-0.5, vmax=9.5)
    figure.colorbar(points, ax=axes, ticks=range(10), label=grouping)
    axes.set_xlabel(axis_names[0])
    axes.set_ylabel(axis_names[1])
    return figure


def latent_side_by_side(runs: dict[str, tuple[np.ndarray, np.ndarray]]) -> Figure:
    """The first two code coordinates of several runs (e.g. one per device), coloured by class."""
    figure = Figure(figsize=(5.5 * len(runs), 4.5))
    for axes, (title, (codes, labels)) in zip(np.atleast_1d(figure.subplots(1, len(runs))), runs.items(), strict=True):
        points = axes.scatter(codes[:, 0], codes[:, -1], c=labels, cmap="tab10", s=4, alpha=0.7, vmin=-0.5, vmax=9.5)
        axes.set_title(title)
        axes.set_xlabel("z[0]")
        axes.set_ylabel(f"z[{codes.shape[1] - 1}]")
    figure.colorbar(points, ax=figure.axes, ticks=range(10), label="class")
    return figure


def latent_projections(codes: np.ndarray, labels: np.ndarray, grouping: str = "class") -> Figure:
    """The three 2-D projections of 3-D codes, coloured by class (or another grouping)."""
    figure = Figure(figsize=(15, 4.5))
    for axes, (i, j) in zip(figure.subplots(1, 3), ((0, 1), (0, 2), (1, 2)), strict=True):
        points = axes.scatter(codes[:, i], codes[:, j], c=labels, cmap="tab10", s=4, alpha=0.7, vmin=-0.5, vmax=9.5)
        axes.set_xlabel(f"z[{i}]")
        axes.set_ylabel(f"z[{j}]")
    figure.colorbar(points, ax=figure.axes, ticks=range(10), label=grouping)
    return figure


def latent_distributions(codes: np.ndarray, labels: np.ndarray, grouping: str = "class") -> Figure:
    """Per-group histograms of 1-D codes."""
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    bins = np.histogram_bin_edges(codes, bins=60).tolist()
    colours = matplotlib.colormaps["tab10"]
    for label in np.unique(labels):
        axes.hist(codes[labels == label], bins=bins, histtype="step", color=colours(int(label)), label=str(label))
    axes.set_xlabel("z[0]")
    axes.set_ylabel("test images")
    axes.legend(title=grouping, ncols=2, fontsize="small")
    return figure


def histograms(samples: dict[str, np.ndarray], quantity: str) -> Figure:
    """Overlaid distributions of one per-image ``quantity`` (e.g. reconstruction error), one per named set."""
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    bins = np.histogram_bin_edges(np.concatenate(list(samples.values())), bins=60).tolist()
    for name, values in samples.items():
        axes.hist(values, bins=bins, alpha=0.6, label=name)
    axes.set_xlabel(quantity)
    axes.set_ylabel("images")
    axes.legend()
    return figure


def kl_per_dimension(kl: np.ndarray, active: np.ndarray) -> Figure:
    """Mean KL of each latent dimension; inactive (collapsed) units in grey."""
    figure = Figure(figsize=(max(4, 0.5 * len(kl) + 2), 3.5))
    axes = figure.subplots()
    axes.bar(range(len(kl)), kl, color=np.where(active, "tab:blue", "tab:gray"))
    axes.set_xlabel("latent dimension")
    axes.set_ylabel("KL (nats)")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def latent_grid(images: torch.Tensor, points: int, limit: float) -> Figure:
    """Images decoded from a regular ``points`` x ``points`` grid over [-limit, limit]^2.

    ``images`` are ordered row by row from the top (z[1] = +limit) to the bottom.
    """
    figure = Figure(figsize=(7, 7))
    axes = figure.subplots()
    _show_images(axes, images, points)
    size = axes.get_xlim()[1]
    ticks = np.linspace(0, size, 5)
    labels = [f"{v:.1f}" for v in np.linspace(-limit, limit, 5)]
    axes.set_xticks(ticks, labels)
    axes.set_yticks(ticks, labels[::-1])
    axes.set_xlabel("z[0]")
    axes.set_ylabel("z[1]")
    return figure


def loss_curves(history: pd.DataFrame) -> Figure:
    """One panel per loss term, train and test per epoch."""
    terms = [term for term in LOSS_TERMS if f"train_{term}" in history]
    figure = Figure(figsize=(4 * len(terms), 3.2))
    for axes, term in zip(np.atleast_1d(figure.subplots(1, len(terms))), terms, strict=True):
        for split in ("train", "test"):
            axes.plot(history["epoch"], history[f"{split}_{term}"], marker="o", label=split)
        axes.set_title(LOSS_TERMS[term])
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend()
    figure.tight_layout()
    return figure


def train_and_held_out_curves(runs: dict[str, list[pd.DataFrame]]) -> Figure:
    """One panel per named run group (e.g. a device): training and held-out loss per epoch, the mean over its
    seeds with a +- one std band when several ran."""
    figure = Figure(figsize=(5 * len(runs), 3.6))
    panels = np.atleast_1d(figure.subplots(1, len(runs), sharey=True))
    for axes, (title, histories) in zip(panels, runs.items(), strict=True):
        for split, label in (("train", "training"), ("test", "held-out")):
            _mean_and_band(axes, [history.set_index("epoch")[f"{split}_loss"] for history in histories], label)
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend()
    panels[0].set_ylabel("loss")
    figure.tight_layout()
    return figure


def _mean_and_band(axes, series: list[pd.Series], label: str) -> None:
    """The mean of several runs' curves, with a +- one std band when there are several."""
    values = pd.concat(series, axis=1)
    mean = values.mean(axis=1)
    (line,) = axes.plot(mean.index, mean, marker="o", markersize=3, label=label)
    if len(series) > 1:
        spread = values.std(axis=1)
        axes.fill_between(mean.index, mean - spread, mean + spread, color=line.get_color(), alpha=0.2)


def study_loss_curves(histories: dict[str, list[pd.DataFrame]]) -> Figure:
    """Test loss per epoch of several variants: the mean over seeds, with a +- one std band when several ran."""
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    for variant, runs in histories.items():
        _mean_and_band(axes, [run.set_index("epoch")["test_loss"] for run in runs], variant)
    axes.set_xlabel("epoch")
    axes.set_ylabel("test loss")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(fontsize="small", ncols=2)
    figure.tight_layout()
    return figure
