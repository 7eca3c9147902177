"""Sample grids of processed datasets, shown in the report."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from aelab.data import CLASSES
from aelab.plotting.grid import image_grid


def sample_grid(arrays: dict[str, np.ndarray], count: int = 48, columns: int = 16) -> Figure:
    """The first ``count`` training images."""
    images = arrays["train_images"][:count]
    figure = Figure(figsize=(columns * 0.6, len(images) / columns * 0.6 + 0.3))
    axes = figure.subplots()
    axes.imshow(image_grid(images, columns, pad_value=255), cmap="gray", vmin=0, vmax=255)
    axes.set_axis_off()
    return figure


def cmnist_grid(arrays: dict[str, np.ndarray], per_class: int = 4) -> Figure:
    """Per class (columns): bias-aligned training digits above bias-conflicting test digits."""
    figure = Figure(figsize=(CLASSES * 0.6 * 1.2, 2 * per_class * 0.6 + 0.8))
    for axes, split, biased, title in zip(
        figure.subplots(2, 1),
        ("train", "test"),
        (True, False),
        ("bias-aligned (colour of its own class)", "bias-conflicting (colour of another class)"),
        strict=True,
    ):
        rows = []
        for label in range(CLASSES):
            chosen = np.flatnonzero((arrays[f"{split}_labels"] == label) & (arrays[f"{split}_biased"] == biased))
            picked = arrays[f"{split}_images"][chosen[:per_class]]
            blank = np.zeros((per_class - len(picked), *arrays[f"{split}_images"].shape[1:]), dtype=np.uint8)
            rows.append(np.concatenate([picked, blank]))
        column_major = np.stack(rows, axis=1).reshape(-1, *arrays[f"{split}_images"].shape[1:])
        axes.imshow(image_grid(column_major, CLASSES, pad_value=255))
        axes.set_title(title, fontsize=9)
        axes.set_axis_off()
    return figure
