"""The figures of a variant's evaluation, each a function returning a matplotlib Figure."""

from __future__ import annotations

from pathlib import Path

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


def reconstructions(originals: torch.Tensor, reconstructed: torch.Tensor) -> Figure:
    """Test images (top row) over their reconstructions (bottom row)."""
    columns = len(originals)
    figure = Figure(figsize=(columns * 0.9, 2.2))
    axes = figure.subplots()
    _show_images(axes, torch.cat([originals, reconstructed]), columns)
    axes.set_xticks([])
    axes.set_yticks([axes.get_ylim()[0] * 0.25, axes.get_ylim()[0] * 0.75], ["original", "reconstructed"])
    return figure


def latent_scatter(codes: np.ndarray, labels: np.ndarray) -> Figure:
    """2-D test-set codes coloured by class."""
    figure = Figure(figsize=(6, 5))
    axes = figure.subplots()
    points = axes.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=4, alpha=0.7)
    figure.colorbar(points, ax=axes, ticks=range(10), label="class")
    axes.set_xlabel("z[0]")
    axes.set_ylabel("z[1]")
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
    for axes, term in zip(np.atleast_1d(figure.subplots(1, len(terms))), terms):
        for split in ("train", "test"):
            axes.plot(history["epoch"], history[f"{split}_{term}"], marker="o", label=split)
        axes.set_title(LOSS_TERMS[term])
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend()
    figure.tight_layout()
    return figure
