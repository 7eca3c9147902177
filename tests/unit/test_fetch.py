"""Fetching from a mirror: verified by the decompressed SHA-256; failures name the file and leave nothing."""

import gzip
import hashlib

import numpy as np
import pytest

from aelab.data.fetch import DataError, fetch, verify
from aelab.data.idx import read_idx
from aelab.data.sources import IdxSource, RemoteFile
from tests.conftest import write_idx


def remote_for(path):
    content = gzip.decompress(path.read_bytes())
    return RemoteFile(path.name, hashlib.sha256(content).hexdigest(), len(content))


@pytest.fixture
def fake_source(tmp_path):
    """A generated four-file IDX dataset in a mirror folder, and its source description."""
    mirror = tmp_path / "mirror"
    folder = mirror / "tiny"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 6),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 4),
    }
    for name, array in names.items():
        write_idx(folder / name, array)
    remotes = [remote_for(folder / name) for name in names]
    return mirror, folder, IdxSource("tiny", ("http://127.0.0.1:9/",), *remotes)


def test_fetch_copies_and_verifies_every_file(tmp_path, fake_source):
    mirror, folder, spec = fake_source
    target = tmp_path / "data" / "raw" / "tiny"
    fetch(spec, target, mirror)
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in folder.iterdir())
    assert read_idx(target / "t10k-labels-idx1-ubyte.gz").shape == (4,)
    assert [p.name for p in target.parent.iterdir()] == ["tiny"]  # no staging directory left


@pytest.mark.parametrize("damage", ["wrong_content", "truncated", "missing"])
def test_bad_mirror_file_is_named_and_keeps_previous_good_data(tmp_path, fake_source, damage):
    mirror, folder, spec = fake_source
    bad = folder / "t10k-images-idx3-ubyte.gz"
    if damage == "wrong_content":
        write_idx(bad, np.zeros((4, 28, 28)))
        expected = r"t10k-images-idx3-ubyte.gz: decompressed content does not match .*expected 3152 bytes with sha256"
    elif damage == "truncated":
        bad.write_bytes(bad.read_bytes()[:200])
        expected = r"t10k-images-idx3-ubyte.gz: cannot be decompressed .*truncated or corrupt"
    else:
        bad.unlink()
        expected = r"mirror/tiny/t10k-images-idx3-ubyte.gz: missing from the data mirror"
    target = tmp_path / "data" / "raw" / "tiny"
    target.mkdir(parents=True)
    (target / "previous-good-file").write_text("kept")
    with pytest.raises(DataError, match=expected):
        fetch(spec, target, mirror)
    assert [p.name for p in target.iterdir()] == ["previous-good-file"]
    assert [p.name for p in target.parent.iterdir()] == ["tiny"]


def test_unreachable_download_locations_are_listed(tmp_path, fake_source):
    spec = fake_source[2]
    with pytest.raises(DataError, match=r"no download location answered:\n  http://127.0.0.1:9/train-images"):
        fetch(spec, tmp_path / "raw", mirror=None)
    assert not (tmp_path / "raw").exists()


def test_verify_checks_size_as_well_as_digest(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, np.arange(5))
    good = remote_for(path)
    verify(path, good)
    with pytest.raises(DataError, match="expected 14 bytes"):
        verify(path, RemoteFile(good.name, good.sha256, 14))


def test_idx_reader_rejects_bad_magic_and_short_data(tmp_path):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(b"\x00\x00\x0d\x01" + np.array([3], ">u4").tobytes() + b"abc")
    with pytest.raises(ValueError, match="bad.gz: not an unsigned-byte IDX file"):
        read_idx(path)
    with gzip.open(path, "wb") as stream:
        stream.write(b"\x00\x00\x08\x01" + np.array([5], ">u4").tobytes() + b"abc")
    with pytest.raises(ValueError, match=r"announces shape \(5,\) but holds 3 values"):
        read_idx(path)


def test_idx_dataset_keeps_the_first_images_with_a_channel_axis(fake_source):
    from aelab.config.datasets import IdxDatasetConfig
    from aelab.data.preprocess import read_idx_dataset

    mirror, folder, spec = fake_source
    arrays = read_idx_dataset(spec, folder, IdxDatasetConfig(train_images=5, test_images=None))
    assert arrays["train_images"].shape == (5, 1, 28, 28) and arrays["train_images"].dtype == np.uint8
    assert arrays["test_images"].shape == (4, 1, 28, 28)
    np.testing.assert_array_equal(arrays["train_labels"], read_idx(folder / "train-labels-idx1-ubyte.gz")[:5])
