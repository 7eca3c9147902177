"""COCO: resize and crop, corrupt images counted, archives that escape refused."""

import zipfile

import numpy as np
import pytest
from PIL import Image

from aelab.config.datasets import CocoConfig
from aelab.data.archive import UnsafeArchiveError, safe_extract
from aelab.data.coco import fetch_coco, load_image, preprocess_coco
from aelab.data.fetch import DataError


def write_jpeg(path, width, height, colour=(200, 30, 30)):
    image = Image.new("RGB", (width, height), colour)
    half = min(width, height) // 8  # a centred square, a quarter of the shorter side wide
    image.paste((20, 20, 220), (width // 2 - half, height // 2 - half, width // 2 + half, height // 2 + half))
    image.save(path, quality=95)


def coco_config(**changes):
    values = {
        "image_sets": ["val2017"],
        "max_images": None,
        "size": 64,
        "grey": False,
        "test_fraction": 0.25,
        "seed": 0,
    }
    return CocoConfig(**(values | changes))


@pytest.mark.parametrize(("width", "height"), [(640, 480), (300, 500), (64, 64), (40, 30)])
def test_resize_shorter_side_and_centre_crop(tmp_path, width, height):
    write_jpeg(tmp_path / "a.jpg", width, height)
    image = load_image(tmp_path / "a.jpg", 64, grey=False)
    assert image.shape == (3, 64, 64) and image.dtype == np.uint8
    # the blue square sits at the centre and the red background fills the corners
    assert image[2, 32, 32] > 150 and image[0, 32, 32] < 100
    assert image[0, 0, 0] > 150 and image[2, 0, 0] < 100


def test_grey_version_is_one_channel(tmp_path):
    write_jpeg(tmp_path / "a.jpg", 640, 427)
    assert load_image(tmp_path / "a.jpg", 28, grey=True).shape == (1, 28, 28)


def test_corrupt_images_are_counted_not_fatal(tmp_path):
    for index in range(6):
        write_jpeg(tmp_path / f"{index:03d}.jpg", 120, 90)
    (tmp_path / "bad.jpg").write_bytes(b"this is not a jpeg")
    truncated = (tmp_path / "000.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(truncated[: len(truncated) // 3])
    arrays, skipped = preprocess_coco([tmp_path], coco_config(), threads=2)
    assert sorted(item["file"] for item in skipped) == ["bad.jpg", "cut.jpg"]
    assert all(item["error"] for item in skipped)
    assert len(arrays["train_images"]) + len(arrays["test_images"]) == 6
    assert len(arrays["test_images"]) == round(0.25 * 6)
    assert (arrays["train_labels"] == -1).all()


def test_max_images_caps_and_split_is_seeded(tmp_path):
    for index in range(10):
        write_jpeg(tmp_path / f"{index:03d}.jpg", 80, 60, colour=(index * 20, 0, 0))
    first, _ = preprocess_coco([tmp_path], coco_config(max_images=8), threads=1)
    second, _ = preprocess_coco([tmp_path], coco_config(max_images=8), threads=2)
    assert len(first["train_images"]) + len(first["test_images"]) == 8
    np.testing.assert_array_equal(first["test_images"], second["test_images"])


def test_mirror_without_the_image_set_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="coco/val2017: no COCO JPEGs there"):
        fetch_coco("val2017", tmp_path / "raw", mirror=tmp_path / "mirror")
    assert not (tmp_path / "raw").exists()


@pytest.mark.parametrize("member", ["../evil", "val2017/../../evil", "/tmp/evil"])
def test_archive_member_escaping_the_target_is_refused(tmp_path, member):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("val2017/000.jpg", b"fine")
        bundle.writestr(member, b"payload")
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(UnsafeArchiveError, match=f"member '{member}' escapes"):
        safe_extract(archive, target)
    assert list(target.iterdir()) == []
    assert not (tmp_path / "evil").exists()


def test_safe_archive_extracts(tmp_path):
    archive = tmp_path / "good.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("val2017/000.jpg", b"a")
        bundle.writestr("val2017/001.jpg", b"b")
    files = safe_extract(archive, tmp_path / "out")
    assert sorted(path.name for path in files) == ["000.jpg", "001.jpg"]
    assert (tmp_path / "out" / "val2017" / "001.jpg").read_bytes() == b"b"
