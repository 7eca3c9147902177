"""Bring a dataset's published files into ``data/raw/<dataset>``, verified.

Files come from a local mirror (``AELAB_DATA_MIRROR``, laid out like the
official downloads) or, without one, from the official URLs. Either way each
file's decompressed content must match its published SHA-256. All files are
gathered in a temporary directory and moved into place only when every one
verified, so a bad or missing file leaves nothing that a later step could trust.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import shutil
import urllib.error
import urllib.request
import zlib
from typing import TYPE_CHECKING

from aelab import paths, site
from aelab.config.datasets import declared
from aelab.errors import UserError
from aelab.io import atomic_directory

if TYPE_CHECKING:
    from pathlib import Path

    from aelab.config.datasets import DatasetsConfig
    from aelab.data.sources import IdxSource, RemoteFile

log = logging.getLogger(__name__)

CHUNK = 1 << 20


class DataError(UserError):
    """A dataset file is missing, unreadable or not what it claims to be."""


def fetch(spec: IdxSource, target: Path, mirror: Path | None) -> None:
    """Populate ``target`` with the dataset's verified files (replacing it only on success)."""
    with atomic_directory(target) as staging:
        for remote in spec.files:
            local = staging / remote.name
            origin: Path | str
            if mirror is not None:
                origin = mirror / spec.mirror_folder / remote.name
                _copy_from_mirror(origin, local)
            else:
                origin = _download_first(spec.urls, remote.name, local)
            verify(local, remote, origin)


def verify(path: Path, remote: RemoteFile, origin: Path | str | None = None) -> None:
    """Check size and SHA-256 of the decompressed content; raise DataError naming the file where it came from
    (the mirror file or the URL: ``path`` is a staging copy that is gone by the time the user reads the error)."""
    shown = origin or path
    digest = hashlib.sha256()
    size = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{shown}: cannot be decompressed ({error}); the file is truncated or corrupt") from None
    if size != remote.size or digest.hexdigest() != remote.sha256:
        raise DataError(
            f"{shown}: decompressed content does not match {remote.decompressed_name} "
            f"(expected {remote.size} bytes with sha256 {remote.sha256}, "
            f"got {size} bytes with sha256 {digest.hexdigest()})"
        )
    log.info("verified %s", path.name)


def _copy_from_mirror(origin: Path, local: Path) -> None:
    if not origin.is_file():
        raise DataError(f"{origin}: missing from the data mirror (expected the official file name there)")
    shutil.copyfile(origin, local)


def download(url: str, local: Path) -> None:
    """Stream ``url`` into ``local`` (raises OSError / URLError on failure)."""
    log.info("downloading %s", url)
    with urllib.request.urlopen(url, timeout=60) as response, open(local, "wb") as out:
        shutil.copyfileobj(response, out, CHUNK)


def _download_first(base_urls: tuple[str, ...], name: str, local: Path) -> str:
    """Download ``name`` from the first location that answers; returns its URL."""
    failures = []
    for base in base_urls:
        try:
            download(base + name, local)
            return base + name
        except (urllib.error.URLError, OSError) as error:
            failures.append(f"{base + name}: {error}")
    raise DataError(f"{name}: no download location answered:\n  " + "\n  ".join(failures))


def download_dataset(datasets: DatasetsConfig, dataset: str, mirror: str | None = None) -> None:
    """The ``download`` stage: an IDX dataset's published files into ``data/raw/<dataset>``, verified."""
    from aelab.data.sources import source

    declared(datasets.idx, dataset, "idx")
    fetch(source(dataset), paths.raw_dir(dataset), site.data_mirror(mirror))
