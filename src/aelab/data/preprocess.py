"""Turn verified IDX files into the arrays of a processed dataset.

Format of every processed dataset (``data/processed/<dataset>.npz``):
``<split>_images`` as uint8 N x C x H x W and ``<split>_labels`` as int64 N
(compressed, see :mod:`aelab.data.publish`),
for splits ``train`` and ``test`` (CMNIST adds more splits and per-image
fields). Keeping uint8 makes the file small; scaling to [0, 1] happens on the
training device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aelab import paths
from aelab.config.datasets import declared
from aelab.data.idx import read_idx
from aelab.data.publish import publish_dataset
from aelab.data.sources import source
from aelab.plotting.datasets import sample_grid

if TYPE_CHECKING:
    from pathlib import Path

    from aelab.config.datasets import DatasetsConfig, IdxDatasetConfig
    from aelab.data.sources import IdxSource


def read_idx_dataset(spec: IdxSource, raw: Path, limits: IdxDatasetConfig) -> dict[str, np.ndarray]:
    """Train and test arrays from the IDX files in ``raw``, keeping the first N images of each split."""
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
    return arrays


def preprocess_dataset(datasets: DatasetsConfig, dataset: str) -> dict:
    """The ``preprocess`` stage: verified IDX files -> ``data/processed/<dataset>.npz``; returns the manifest."""
    limits = declared(datasets.idx, dataset, "idx")
    arrays = read_idx_dataset(source(dataset), paths.raw_dir(dataset), limits)
    return publish_dataset(dataset, arrays, sample_grid(arrays))
