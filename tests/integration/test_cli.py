"""The CLI as the engines call it: clear errors (exit 2, no traceback) for bad input."""

import gzip
import json
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import MIRROR, SMOKE_PARAMS, mirror_available


def aelab(*args, cwd):
    return subprocess.run([sys.executable, "-m", "aelab", *args], cwd=cwd, capture_output=True, text=True)


def test_unknown_params_key_stops_every_stage(tmp_path):
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["training"]["epohcs"] = 3
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    result = aelab("train", "vae-baseline", cwd=tmp_path)
    assert result.returncode == 2
    assert "params.yaml: 1 invalid value(s)" in result.stderr
    assert "training.epohcs: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_variant_and_dataset_are_named(tmp_path):
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    result = aelab("train", "vae-huge", cwd=tmp_path)
    assert result.returncode == 2 and "unknown variant 'vae-huge'" in result.stderr
    result = aelab("download", "cifar", cwd=tmp_path)
    assert result.returncode == 2 and "dataset 'cifar' is not declared under 'datasets.idx'" in result.stderr


@pytest.mark.parametrize(
    "stage", [("train", "vae-baseline"), ("devices", "vae-baseline"), ("preprocess_coco", "coco64")]
)
@pytest.mark.parametrize("threads", ["-1", "0"])
def test_threads_below_one_are_refused_in_one_line(tmp_path, stage, threads):
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    result = aelab(*stage, "--threads", threads, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"aelab {stage[0]}: error: argument --threads: expected a whole number of threads, at least 1, "
        f"got '{threads}' (see aelab {stage[0]} --help)\n"
    )


def test_cuda_request_without_a_gpu_is_a_clear_error(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    result = aelab("train", "vae-baseline", "--device", "cuda", cwd=tmp_path)
    assert result.returncode == 2 and "device 'cuda' requested" in result.stderr


@pytest.mark.skipif(not mirror_available(), reason=f"no data mirror at {MIRROR}")
@pytest.mark.parametrize(("dataset", "folder"), [("mnist", "mnist"), ("fashion_mnist", "fashion-mnist")])
@pytest.mark.parametrize("damage", ["truncated", "altered"])
def test_corrupted_mirror_file_is_named_and_nothing_is_left(tmp_path, dataset, folder, damage):
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR / folder, mirror / folder)
    labels = mirror / folder / "t10k-labels-idx1-ubyte.gz"
    labels.chmod(0o644)
    if damage == "truncated":
        labels.write_bytes(labels.read_bytes()[:-100])
        expected = f"{labels}: cannot be decompressed"
    else:
        content = bytearray(gzip.decompress(labels.read_bytes()))
        content[-1] = (content[-1] + 1) % 10  # one label changed: a valid file with the wrong content
        labels.write_bytes(gzip.compress(bytes(content)))
        expected = f"{labels}: decompressed content does not match"
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(SMOKE_PARAMS, project / "params.yaml")
    result = aelab("download", dataset, "--mirror", str(mirror), cwd=project)
    assert result.returncode == 2
    assert expected in result.stderr
    assert list((project / "data" / "raw").iterdir()) == []


@pytest.mark.skipif(not mirror_available(), reason=f"no data mirror at {MIRROR}")
def test_coco_from_the_mirror_is_resized_and_described(tmp_path):
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    assert aelab("download_coco", "val2017", "--mirror", str(MIRROR), cwd=tmp_path).returncode == 0
    mirrored = sorted(path.name for path in (MIRROR / "coco" / "val2017").glob("*.jpg"))
    copied = sorted(path.name for path in (tmp_path / "data" / "raw" / "coco" / "val2017").glob("*.jpg"))
    assert mirrored and copied == mirrored  # every image of the mirror, whatever its size
    result = aelab("preprocess_coco", "coco64", "--threads", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "results" / "datasets" / "coco64.json").read_text())
    assert manifest["image_shape"] == [3, 64, 64]
    assert manifest["train_images"] + manifest["test_images"] == 64  # max_images of the smoke params
    assert manifest["skipped_images"] == 0


@pytest.mark.skipif(not mirror_available(), reason=f"no data mirror at {MIRROR}")
def test_real_mirror_verifies_and_preprocesses(tmp_path):
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    assert aelab("download", "mnist", "--mirror", str(MIRROR), cwd=tmp_path).returncode == 0
    result = aelab("preprocess", "mnist", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import numpy as np

    with np.load(tmp_path / "data" / "processed" / "mnist.npz") as arrays:
        assert arrays["train_images"].shape == (512, 1, 28, 28)
        # sanity facts of the published MNIST (shared/datasets/README.md)
        assert arrays["train_labels"][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
        assert arrays["test_labels"][:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_live_units_of_an_untrained_variant_name_the_missing_checkpoint(tmp_path):
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    result = aelab("units", "vae-baseline", cwd=tmp_path)
    assert result.returncode == 2 and "results/variants/vae-baseline/models/seed0.pt: missing" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "results").exists()  # no failure or timing record
