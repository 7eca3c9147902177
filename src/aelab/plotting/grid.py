"""Tile a batch of images into one picture.

This is what ``torchvision.utils.make_grid`` does; it is written out because
importing torchvision adds about 7 s to every stage process on a CPU machine
(it loads the whole package and its CUDA-linked ops), for a dozen lines of numpy.
"""

from __future__ import annotations

import math

import numpy as np


def image_grid(images: np.ndarray, columns: int, padding: int = 2, pad_value: float = 1.0) -> np.ndarray:
    """N x C x H x W images -> one H' x W' (grey) or H' x W' x C array, filled row by row."""
    count, channels, height, width = images.shape
    columns = min(columns, count)
    rows = math.ceil(count / columns)
    grid = np.full(
        (channels, padding + rows * (height + padding), padding + columns * (width + padding)),
        pad_value,
        dtype=images.dtype,
    )
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = padding + row * (height + padding), padding + column * (width + padding)
        grid[:, top : top + height, left : left + width] = image
    grid = grid.transpose(1, 2, 0)
    return grid[..., 0] if channels == 1 else grid
