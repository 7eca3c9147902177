"""Turn verified raw files into one array file per dataset.

Format (``data/processed/<dataset>.npz``): ``train_images``/``test_images`` as
uint8 N x C x H x W, ``train_labels``/``test_labels`` as int64 N. Keeping uint8
makes the file small; scaling to [0, 1] happens on the training device.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aelab.config import DatasetConfig
from aelab.data.idx import read_idx
from aelab.data.sources import IdxSource
from aelab.io import atomic_path

SPLITS = ("train", "test")


def preprocess(spec: IdxSource, raw: Path, target: Path, limits: DatasetConfig) -> dict[str, np.ndarray]:
    """Read the IDX files, keep the first N images of each split, write the npz atomically."""
    files = {
        "train": (spec.train_images, spec.train_labels, limits.train_images),
        "test": (spec.test_images, spec.test_labels, limits.test_images),
    }
    arrays = {}
    for split, (images_file, labels_file, limit) in files.items():
        images = read_idx(raw / images_file.name)
        labels = read_idx(raw / labels_file.name).astype(np.int64)
        if len(images) != len(labels):
            raise ValueError(f"{raw}: {split} split has {len(images)} images but {len(labels)} labels")
        arrays[f"{split}_images"] = images[:limit, np.newaxis]  # add the channel axis
        arrays[f"{split}_labels"] = labels[:limit]
    with atomic_path(target) as temporary:
        with open(temporary, "wb") as stream:
            np.savez(stream, **arrays)
    return arrays
