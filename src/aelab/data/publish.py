"""Write a processed dataset: its arrays, its manifest and its sample figure, each atomically.

Arrays are stored compressed: image datasets are mostly black pixels, so the
files shrink about 5x (CMNIST 170 MB -> 33 MB, which DVC pushes and pulls),
while loading is no slower (measured 1.30 s vs 1.44 s for CMNIST): it is I/O-bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from aelab import paths
from aelab.io import atomic_path, write_json
from aelab.plotting.figures import save

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def load_arrays(dataset: str) -> dict[str, np.ndarray]:
    with np.load(paths.processed_file(dataset)) as stored:
        return dict(stored)


def publish_dataset(
    dataset: str, arrays: dict[str, np.ndarray], samples: Figure, skipped: Sequence[dict] = ()
) -> dict[str, object]:
    """Save ``arrays`` as the dataset's npz and describe it; returns the manifest."""
    with atomic_path(paths.processed_file(dataset)) as temporary, open(temporary, "wb") as stream:
        np.savez_compressed(stream, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds like allow_pickle
    splits = sorted(name.removesuffix("_images") for name in arrays if name.endswith("_images"))
    manifest: dict[str, object] = {f"{split}_images": len(arrays[f"{split}_images"]) for split in splits}
    manifest |= {
        "image_shape": list(arrays["train_images"].shape[1:]),
        "megabytes": round(paths.processed_file(dataset).stat().st_size / 2**20, 2),
        "skipped_images": len(skipped),
        "skipped_files": list(skipped),
    }
    write_json(paths.dataset_manifest(dataset), manifest)
    save(samples, paths.dataset_samples(dataset))
    return manifest
