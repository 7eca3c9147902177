"""Shared fixtures: the repository root, the real data mirror, small generated data."""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("AELAB_DATA_MIRROR") or ROOT.parent / "shared" / "datasets").resolve()
SMOKE_PARAMS = ROOT / "tests" / "smoke" / "params.yaml"


def link_environment(venv: Path) -> None:
    """Make ``venv`` this test run's environment without touching it: its parts linked, its stamp the project's own,
    touched after the files it is made from (copied before), so that make sees it up to date and installs nothing.

    Python finds a virtual environment by the ``pyvenv.cfg`` beside its ``bin`` and takes the packages from the
    ``lib`` there, so both are linked with ``bin``: a linked ``bin`` alone runs the bare interpreter, without aelab.
    """
    venv.mkdir()
    environment = Path(sys.prefix)
    for part in ("bin", "lib", "pyvenv.cfg"):
        (venv / part).symlink_to(environment / part)
    (venv / ".installed").touch()


def pytest_configure(config):
    """In-process torch uses the site's thread count, as every stage run does (and beside the workflow tests, which
    `make test` runs at the same time, no OpenMP thread spin-waits for one that shares its core)."""
    import torch

    from aelab import site

    torch.set_num_threads(site.threads())


@pytest.hookimpl(tryfirst=True)  # before `-m` selects: it may select by the smoke_projects marker set here
def pytest_collection_modifyitems(config, items):
    """GPU tests run where CUDA is visible and are skipped, saying so, elsewhere (lightning-hydra's RunIf).

    Tests on the engines' smoke projects are marked ``smoke_projects``, so that `make test` runs them in one pytest
    process (the projects are built once per process) beside another that runs the rest; and those that need only
    Snakemake's project come first, to run while `dvc repro`, one stage at a time, is still building its own."""
    import torch

    for item in items:
        if "smoke_runs" in item.fixturenames:
            item.add_marker(pytest.mark.smoke_projects)
        if "gpu" in item.keywords and not torch.cuda.is_available():
            item.add_marker(pytest.mark.skip(reason="needs CUDA: no GPU is visible on this machine"))
    items.sort(key=lambda item: "dvc_project" in item.fixturenames)  # stable: the order is kept otherwise


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write ``array`` (uint8) as a gzipped IDX file, the format MNIST is published in."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_mnist(tmp_path: Path) -> Path:
    """A processed MNIST-shaped dataset of random digits-like blobs in ``tmp_path/data``."""
    return write_tiny_mnist(tmp_path)


@pytest.fixture
def tiny_project(tiny_mnist: Path, monkeypatch):
    """The working directory: generated data and the smoke params (2 epochs, tiny data) -> the loaded params."""
    import shutil

    from aelab.config.loading import load_params

    monkeypatch.chdir(tiny_mnist)
    shutil.copy(SMOKE_PARAMS, "params.yaml")
    return load_params("params.yaml")


def write_tiny_mnist(tmp_path: Path) -> Path:
    from aelab import paths

    rng = np.random.default_rng(0)
    target = tmp_path / paths.processed_file("mnist")
    target.parent.mkdir(parents=True)
    arrays = {}
    for split, count in (("train", 96), ("test", 48)):
        labels = rng.integers(0, 10, count)
        images = np.zeros((count, 1, 28, 28), dtype=np.uint8)
        for i, label in enumerate(labels):  # a class-dependent bar, so codes carry the label
            images[i, 0, 4 + 2 * label : 8 + 2 * label, 6:22] = 255
        arrays[f"{split}_images"] = images
        arrays[f"{split}_labels"] = labels.astype(np.int64)
    np.savez(target, **arrays)
    return tmp_path


def mirror_available() -> bool:
    return (MIRROR / "mnist" / "train-images-idx3-ubyte.gz").is_file()


def with_seeds(params, seeds: list[int]):
    """``params`` with every variant trained (and evaluated) with ``seeds``."""
    variants = {
        variant_id: variant.model_copy(update={"seeds": seeds}) for variant_id, variant in params.variants.items()
    }
    return params.model_copy(update={"variants": variants})
