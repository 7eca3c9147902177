"""COCO 2017 images: fetch an image set, then resize and centre-crop them into arrays.

Fetch: from a local directory of COCO JPEGs (``$AELAB_DATA_MIRROR/coco/<set>/``)
or the official zip, verified by its CRCs and image count, extracted safely.
Preprocess: the shorter side is resized to ``size`` and the centre cropped
(``ImageOps.fit``), RGB or grey. JPEG decoding uses libjpeg's DCT scaling
(``Image.draft``), which decodes a 640x480 photo directly at 1/4 or 1/8 scale:
the expensive part of the work shrinks by 16-64x. Images are decoded in a
thread pool (Pillow releases the GIL while decoding and resizing). A file that
cannot be decoded is skipped and listed in the manifest, never fatal.
"""

from __future__ import annotations

import logging
import shutil
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageOps

from aelab import paths, site
from aelab.config.datasets import declared
from aelab.data.archive import safe_extract
from aelab.data.fetch import DataError, download
from aelab.data.publish import publish_dataset
from aelab.data.sources import COCO_IMAGE_SETS
from aelab.errors import UserError
from aelab.io import atomic_directory
from aelab.plotting.datasets import sample_grid

if TYPE_CHECKING:
    from pathlib import Path

    from aelab.config.datasets import CocoConfig, DatasetsConfig

log = logging.getLogger(__name__)
NO_LABEL = -1
"""COCO images carry no class label here; the label arrays hold this value."""


def fetch_coco(image_set: str, target: Path, mirror: Path | None) -> int:
    """Populate ``target`` with the image set's JPEGs; returns how many. Replaces ``target`` only on success."""
    with atomic_directory(target) as staging:
        if mirror is not None:
            return _copy_jpegs(mirror / "coco" / image_set, staging)
        return _download_and_extract(image_set, staging)


def _copy_jpegs(origin: Path, staging: Path) -> int:
    files = sorted(origin.glob("*.jpg")) if origin.is_dir() else []
    if not files:
        raise DataError(f"{origin}: no COCO JPEGs there (expected <mirror>/coco/<image set>/*.jpg)")
    for file in files:
        shutil.copyfile(file, staging / file.name)
    return len(files)


def _download_and_extract(image_set: str, staging: Path) -> int:
    source = COCO_IMAGE_SETS[image_set]
    archive = staging.parent / f"{staging.name}.zip"
    try:
        download(source.url, archive)
        extracted = [path for path in safe_extract(archive, staging) if path.suffix == ".jpg"]
    except (urllib.error.URLError, OSError) as error:
        raise DataError(f"{source.url}: download failed ({error})") from None
    finally:
        archive.unlink(missing_ok=True)
    if len(extracted) != source.images:
        raise DataError(f"{source.url}: holds {len(extracted)} JPEGs, expected {source.images}")
    for path in extracted:  # flatten <set>/<name>.jpg into the target directory
        path.rename(staging / path.name)
    return len(extracted)


def load_image(path: Path, size: int, grey: bool) -> np.ndarray:
    """One image as uint8 C x size x size: shorter side resized to ``size``, centre crop."""
    mode = "L" if grey else "RGB"
    with Image.open(path) as image:
        image.draft(mode, (size, size))  # DCT-domain downscale while decoding, never below size
        fitted = ImageOps.fit(image.convert(mode), (size, size), method=Image.Resampling.BILINEAR)
    array = np.asarray(fitted, dtype=np.uint8)
    return array[np.newaxis] if grey else array.transpose(2, 0, 1)


def preprocess_coco(
    image_dirs: list[Path], config: CocoConfig, threads: int
) -> tuple[dict[str, np.ndarray], list[dict[str, str]]]:
    """Train/test arrays of the images in ``image_dirs`` and the list of skipped files."""
    files = sorted(path for directory in image_dirs for path in directory.glob("*.jpg"))[: config.max_images]
    if not files:
        raise DataError(f"no JPEGs in {', '.join(map(str, image_dirs))}")
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda path: _try_load(path, config), files))
    skipped = [{"file": path.name, "error": error} for path, (_, error) in zip(files, results, strict=True) if error]
    images = np.stack([image for image, _ in results if image is not None])
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(images))
    test_count = max(1, round(config.test_fraction * len(images)))
    test, train = np.sort(order[:test_count]), np.sort(order[test_count:])
    arrays = {
        "train_images": images[train],
        "train_labels": np.full(len(train), NO_LABEL, dtype=np.int64),
        "test_images": images[test],
        "test_labels": np.full(len(test), NO_LABEL, dtype=np.int64),
    }
    return arrays, skipped


def _try_load(path: Path, config: CocoConfig) -> tuple[np.ndarray | None, str]:
    try:
        return load_image(path, config.size, config.grey), ""
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        log.warning("skipping %s: %s", path.name, error)
        return None, f"{type(error).__name__}: {error}"


def download_image_set(datasets: DatasetsConfig, image_set: str, mirror: str | None = None) -> int:
    """The ``download_coco`` stage: a COCO 2017 image set's JPEGs; returns their count."""
    if image_set not in datasets.coco_image_sets:
        raise UserError(f"COCO image set {image_set!r} is not listed in datasets.coco_image_sets in params.yaml")
    return fetch_coco(image_set, paths.coco_raw_dir(image_set), site.data_mirror(mirror))


def preprocess_coco_dataset(datasets: DatasetsConfig, dataset: str, threads: int) -> dict:
    """The ``preprocess_coco`` stage: resized, centre-cropped images -> ``data/processed/<dataset>.npz``; returns
    the manifest."""
    config = declared(datasets.coco, dataset, "coco")
    image_dirs = [paths.coco_raw_dir(image_set) for image_set in config.image_sets]
    arrays, skipped = preprocess_coco(image_dirs, config, threads)
    return publish_dataset(dataset, arrays, sample_grid(arrays), skipped)
