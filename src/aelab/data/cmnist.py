"""Colourised MNIST (CMNIST) of the bias-learning literature, generated from MNIST.

Every class has its own colour, and a digit's strokes are painted with its
class colour ("bias-aligned") except for an exact fraction of images painted
with a uniformly drawn *other* class's colour ("bias-conflicting"). The
training split uses ``rho``, the test split ``test_conflicting`` (90% in the
study) and each validation split one of ``validation_conflicting`` (80%, 50%);
validation images are held out from the end of MNIST's training split. Every
draw comes from one generator seeded by the dataset's own ``seed``, so the
dataset is fixed while model seeds vary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aelab.config.datasets import declared
from aelab.data.publish import load_arrays, publish_dataset
from aelab.errors import UserError
from aelab.plotting.datasets import cmnist_grid

if TYPE_CHECKING:
    from aelab.config.datasets import CmnistConfig, CmnistPoolConfig, DatasetsConfig

COLOURS = {
    "red": (230, 25, 75),
    "green": (60, 180, 75),
    "yellow": (255, 225, 25),
    "blue": (0, 130, 200),
    "orange": (245, 130, 48),
    "purple": (145, 30, 180),
    "cyan": (70, 240, 240),
    "magenta": (240, 50, 230),
    "lime": (210, 245, 60),
    "brown": (170, 110, 40),
}
"""Ten well-separated colours (Sasha Trubetskoy's 'distinct colours'): class k's is the k-th."""
PALETTE_NAMES = tuple(COLOURS)
PALETTE = np.array(list(COLOURS.values()), dtype=np.uint8)


def assign_colours(labels: np.ndarray, conflicting: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Colour index per image and its ``is_biased`` flag; exactly round(conflicting * N) conflict."""
    count = len(labels)
    is_conflicting = np.zeros(count, dtype=bool)
    is_conflicting[rng.permutation(count)[: round(conflicting * count)]] = True
    other_class = (labels + rng.integers(1, 10, count)) % 10  # uniform over the nine other classes
    colours = np.where(is_conflicting, other_class, labels)
    return colours.astype(np.int64), ~is_conflicting


def paint(grey: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """N x 1 x H x W grey digits -> N x 3 x H x W, strokes scaled by their colour."""
    rgb = PALETTE[colours][:, :, np.newaxis, np.newaxis].astype(np.uint16)
    return (grey.astype(np.uint16) * rgb // 255).astype(np.uint8)


def build_cmnist(mnist: dict[str, np.ndarray], config: CmnistConfig) -> dict[str, np.ndarray]:
    """All CMNIST splits as arrays: ``<split>_images``, ``_labels``, ``_colours``, ``_biased``."""
    rng = np.random.default_rng(config.seed)
    train_images, train_labels = mnist["train_images"], mnist["train_labels"]
    if config.validation_images >= len(train_labels):
        raise UserError(
            f"cmnist: validation_images={config.validation_images} must be smaller than the "
            f"{len(train_labels)} MNIST training images it is held out from"
        )
    keep = len(train_labels) - config.validation_images
    validation = (train_images[keep:], train_labels[keep:])
    chosen = np.sort(rng.permutation(keep)[: round(config.train_fraction * keep)])
    sources = {
        "train": (train_images[chosen], train_labels[chosen], config.rho),
        "test": (mnist["test_images"], mnist["test_labels"], config.test_conflicting),
    }
    for fraction in config.validation_conflicting:
        name = f"val{round(100 * fraction)}"
        if name in sources:
            raise UserError(f"cmnist: validation_conflicting has two values that round to {name}")
        sources[name] = (*validation, fraction)

    arrays: dict[str, np.ndarray] = {}
    for split, (images, labels, conflicting) in sources.items():
        colours, biased = assign_colours(labels, conflicting, rng)
        arrays |= {
            f"{split}_images": paint(images, colours),
            f"{split}_labels": labels,
            f"{split}_colours": colours,
            f"{split}_biased": biased,
        }
    return arrays


def pool_cmnist(
    mnist: dict[str, np.ndarray], levels: list[CmnistConfig], config: CmnistPoolConfig
) -> dict[str, np.ndarray]:
    """The training splits of every level pooled, a random ``config.fraction`` of them kept (seeded, in pool order);
    the other splits are the first level's."""
    built = [build_cmnist(mnist, level) for level in levels]
    pooled = {
        name: np.concatenate([arrays[name] for arrays in built]) for name in built[0] if name.startswith("train_")
    }
    count = len(pooled["train_labels"])
    kept = np.sort(np.random.default_rng(config.seed).permutation(count)[: round(config.fraction * count)])
    others = {name: array for name, array in built[0].items() if not name.startswith("train_")}
    return {name: array[kept] for name, array in pooled.items()} | others


def colourise_dataset(datasets: DatasetsConfig, dataset: str) -> dict:
    """The ``colourise`` stage: one CMNIST bias level from processed MNIST; returns the manifest."""
    config = declared(datasets.cmnist, dataset, "cmnist")
    arrays = build_cmnist(load_arrays(config.source), config)
    return publish_dataset(dataset, arrays, cmnist_grid(arrays))


def pool_dataset(datasets: DatasetsConfig, dataset: str) -> dict:
    """The ``pool_cmnist`` stage: several bias levels' training splits pooled, a fraction kept; returns the
    manifest."""
    config = declared(datasets.cmnist_pooled, dataset, "cmnist_pooled")
    levels = [datasets.cmnist[level] for level in config.levels]
    arrays = pool_cmnist(load_arrays(datasets.pool_source(dataset)), levels, config)
    return publish_dataset(dataset, arrays, cmnist_grid(arrays))
